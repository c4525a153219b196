"""Models for tests/python/test_sqlalchemy_bridge.py: between them, every
construct python/retort_sqlalchemy.py is to render (docs/sqlalchemy.md).

    every    a declarative Base, both dialects: column types, defaults,
             enums, keys, ON DELETE/ON UPDATE, indexes, a column sequence,
             relationships (which must not matter)
    plain    a plain MetaData, both dialects: composite keys, a standalone
             sequence, named checks, partial indexes, '%' in literals, a
             cycle of foreign keys (use_alter)
    pg_only  a MetaData of PostgreSQL's own types (JSONB, UUID, ARRAY,
             INET, an enum used twice and in an array, a GIN index)
    split    a Base in one module and its models in another, as in
             bot/dao/database.py and bot/dao/models.py
"""
