"""The Base alone, as in the seeds' bot/dao/database.py: importing this
module defines no table."""
from sqlalchemy.orm import declarative_base

Base = declarative_base()
