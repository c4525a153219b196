"""The models on split.database's Base, as in bot/dao/models.py."""
from sqlalchemy import Column, Integer, Text

from .database import Base


class Note(Base):
    __tablename__ = "notes"

    id = Column(Integer, primary_key=True)
    body = Column(Text, nullable=False)
