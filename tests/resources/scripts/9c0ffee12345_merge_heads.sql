-- Merge heads
--
-- revision: 9c0ffee12345
-- down_revision: 3f2a9c1b7d4e, 77aa88bb99cc
-- branch_labels: release-1.0, main
-- depends_on: 1a2b3c4d5e6f
-- create_date: 2026-11-23 08:30:00+00:00

-- +upgrade

-- +downgrade
