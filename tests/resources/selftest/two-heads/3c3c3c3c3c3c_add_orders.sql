-- Add orders
--
-- A fixture for `retort test`: one of two heads.
--
-- revision: 3c3c3c3c3c3c
-- down_revision: 1a1a1a1a1a1a
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:05:00+00:00

-- +upgrade
CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items (id));

-- +downgrade
DROP TABLE orders;
