-- Index item names
--
-- A fixture for `retort test`: the downgrade forgets to drop the index
-- the upgrade creates.
--
-- revision: 2b2b2b2b2b2b
-- down_revision: 1a1a1a1a1a1a
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:05:00+00:00

-- +upgrade
CREATE INDEX ix_items_name ON items (name);
ALTER TABLE items ADD COLUMN price INTEGER;

-- +downgrade
ALTER TABLE items DROP COLUMN price;
