-- Add tags
--
-- A fixture for `retort test`: the other head, never merged.
--
-- revision: 4d4d4d4d4d4d
-- down_revision: 1a1a1a1a1a1a
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:06:00+00:00

-- +upgrade
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);

-- +downgrade
DROP TABLE tags;
