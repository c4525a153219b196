"""A plain MetaData (no ORM), both dialects."""
from sqlalchemy import (CheckConstraint, Column, Date, Enum, ForeignKey, ForeignKeyConstraint,
                        Index, Integer, MetaData, Numeric, Sequence, String, Table, Text,
                        UniqueConstraint, func, text)

metadata = MetaData()

# a sequence of its own (PostgreSQL only: SQLite has none)
invoice_numbers = Sequence("invoice_numbers", start=1000, increment=10, metadata=metadata)

regions = Table(
    "regions", metadata,
    Column("country", String(2), primary_key=True),
    Column("code", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    Column("discount", Numeric(5, 2), server_default=text("0.00")),
    # a '%' in literals must come out as one '%'
    Column("note", String(20), server_default="50% off"),
    CheckConstraint("discount BETWEEN 0 AND 100", name="ck_regions_discount"),
    CheckConstraint("note LIKE '%off'", name="ck_regions_note"),
)

shops = Table(
    "shops", metadata,
    Column("id", Integer, Sequence("shops_id_seq"), primary_key=True),
    Column("country", String(2), nullable=False),
    Column("region", String(10), nullable=False),
    Column("parent_id", Integer, ForeignKey("shops.id", ondelete="SET NULL")),
    Column("opened", Date, nullable=False, server_default=func.current_date()),
    # a VARCHAR and a CHECK on both dialects
    Column("kind", Enum("online", "street", name="shop_kind", native_enum=False,
                        create_constraint=True, length=10), nullable=False),
    # one side of a cycle: added by ALTER TABLE after both tables where
    # the dialect can (PostgreSQL), inline where it cannot (SQLite)
    Column("manager_id", Integer, ForeignKey("managers.id", use_alter=True,
                                             name="fk_shops_manager", ondelete="SET NULL")),
    ForeignKeyConstraint(["country", "region"], ["regions.country", "regions.code"],
                         name="fk_shops_region", ondelete="CASCADE", onupdate="CASCADE"),
    UniqueConstraint("country", "region", "id", name="uq_shops_place"),
    Index("ix_shops_roots", "country", "region",
          postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
)

managers = Table(
    "managers", metadata,
    Column("id", Integer, primary_key=True),
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
)
