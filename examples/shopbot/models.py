"""The shop bot's models: the one description of its database.

The four tables the bot had under Alembic (categories, users, products,
purchases), as SQLAlchemy models, with the relationships the bot walks
and the timestamps every row carries.  retort reads them through

    schema_command = python3 -m retort_sqlalchemy models:Base

which prints the tables' DDL for SQLite (data.db in development) or
PostgreSQL (production), whichever retort asks for.

Written for SQLAlchemy 1.4 (Debian 12's python3-sqlalchemy), in the
style 2.0 still accepts (Column, declarative_base).
"""
from sqlalchemy import (BigInteger, Column, DateTime, ForeignKey, Identity, Integer, Text,
                        func)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# Ids are BIGINT identity columns on PostgreSQL; on SQLite the key must be
# spelt INTEGER to be the rowid, which AUTOINCREMENT needs.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Row:
    """What every table has: an id and when the row was made and changed."""

    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Id, Identity(), primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # onupdate runs in the bot when it updates a row through SQLAlchemy;
    # the database only has the default.
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now(),
                        onupdate=func.now())


class Category(Row, Base):
    __tablename__ = "categories"

    category_name = Column(Text, nullable=False)

    products = relationship("Product", back_populates="category")


class User(Row, Base):
    __tablename__ = "users"

    telegram_id = Column(BigInteger, nullable=False, unique=True)
    username = Column(Text)
    first_name = Column(Text)
    last_name = Column(Text)

    purchases = relationship("Purchase", back_populates="user")


class Product(Row, Base):
    __tablename__ = "products"

    name = Column(Text, nullable=False)
    description = Column(Text)
    price = Column(Integer, nullable=False)
    file_id = Column(Text)
    category_id = Column(Id, ForeignKey("categories.id"), nullable=False, index=True)

    category = relationship("Category", back_populates="products")
    purchases = relationship("Purchase", back_populates="product")


class Purchase(Row, Base):
    __tablename__ = "purchases"

    user_id = Column(Id, ForeignKey("users.id"), nullable=False, index=True)
    product_id = Column(Id, ForeignKey("products.id"), nullable=False)
    price = Column(Integer, nullable=False)

    user = relationship("User", back_populates="purchases")
    product = relationship("Product", back_populates="purchases")
