-- Add posts table
--
-- Longer description lines are allowed here (go into `doc`).
--   An indented line keeps its indentation.
--
-- revision: 3f2a9c1b7d4e
-- down_revision: 1a2b3c4d5e6f
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade
CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);

-- +upgrade postgresql
CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT NOT NULL);

-- +downgrade
DROP TABLE posts;
