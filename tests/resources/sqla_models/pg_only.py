"""PostgreSQL's own types: this model compiles for PostgreSQL only."""
from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, Text, func, text
from sqlalchemy.dialects import postgresql

metadata = MetaData()

mood = postgresql.ENUM("happy", "sad", name="mood")

profiles = Table(
    "profiles", metadata,
    Column("id", postgresql.UUID(as_uuid=True), primary_key=True,
           server_default=text("gen_random_uuid()")),
    Column("doc", postgresql.JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("scores", postgresql.ARRAY(Integer)),
    Column("labels", postgresql.ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("mood", mood, nullable=False),
    Column("moods", postgresql.ARRAY(mood)),
    Column("addr", postgresql.INET),
    Index("ix_profiles_doc", "doc", postgresql_using="gin"),
)

visits = Table(
    "visits", metadata,
    Column("profile_id", postgresql.UUID, ForeignKey("profiles.id", ondelete="CASCADE"),
           nullable=False),
    Column("mood", mood),
    Column("at", postgresql.TIMESTAMP(timezone=True), server_default=func.now()),
)
