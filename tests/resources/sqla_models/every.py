"""A declarative Base using every portable construct (both dialects)."""
import enum

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Enum,
                        Float, ForeignKey, Index, Integer, LargeBinary, Numeric, Sequence,
                        SmallInteger, String, Table, Text, UniqueConstraint, func, text, true)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Color(enum.Enum):
    red = 1
    green = 2


class Stamped:
    """A mixin's columns go into every table that uses it."""
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=False), server_default=text("CURRENT_TIMESTAMP"),
                        onupdate=func.now())


class Owner(Stamped, Base):
    __tablename__ = "owners"

    id = Column(Integer, primary_key=True)
    email = Column(String(120), nullable=False, unique=True)
    name = Column(String(50), nullable=False, server_default="anonymous")
    active = Column(Boolean, nullable=False, server_default=true())
    born = Column(Date)
    karma = Column(BigInteger, nullable=False, server_default=text("0"))
    rank = Column(SmallInteger)

    items = relationship("Item", back_populates="owner", foreign_keys="Item.owner_id",
                         cascade="all, delete-orphan")


class Item(Stamped, Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("owner_id", "title", name="uq_items_owner_title"),
        CheckConstraint("price >= 0", name="ck_items_price"),
        Index("ix_items_owner_status", "owner_id", "status"),
        Index("ix_items_live_title", "title", unique=True,
              postgresql_where=text("status <> 'archived'"),
              sqlite_where=text("status <> 'archived'")),
    )

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("owners.id", ondelete="CASCADE", onupdate="CASCADE"),
                      nullable=False)
    editor_id = Column(Integer, ForeignKey("owners.id", ondelete="SET NULL"))
    title = Column(String(200), nullable=False)
    body = Column(Text)
    price = Column(Numeric(10, 2), nullable=False, server_default=text("0"))
    weight = Column(Float)
    picture = Column(LargeBinary)
    extra = Column(JSON)
    attrs = Column(JSON().with_variant(postgresql.JSONB(), "postgresql"))
    # native on PostgreSQL (CREATE TYPE); on SQLite a VARCHAR, with a
    # CHECK where create_constraint asks for one
    status = Column(Enum("draft", "active", "archived", name="item_status"), nullable=False,
                    server_default="draft")
    size = Column(Enum("s", "m", "l", name="item_size", create_constraint=True))
    color = Column(Enum(Color, name="color"))
    ticket = Column(Integer, Sequence("items_ticket_seq", start=100))

    owner = relationship("Owner", back_populates="items", foreign_keys=[owner_id])
    editor = relationship("Owner", foreign_keys=[editor_id])
    tags = relationship("Tag", secondary="item_tags", back_populates="items")


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    name = Column(String(30), nullable=False, unique=True, index=True)

    items = relationship("Item", secondary="item_tags", back_populates="tags")


item_tags = Table(
    "item_tags", Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("position", SmallInteger, nullable=False, server_default=text("0")),
)
