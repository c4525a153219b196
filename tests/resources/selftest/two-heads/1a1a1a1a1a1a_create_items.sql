-- Create items
--
-- A fixture for `retort test`: the base of two heads.
--
-- revision: 1a1a1a1a1a1a
-- down_revision:
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:00:00+00:00

-- +upgrade
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);

-- +downgrade
DROP TABLE items;
