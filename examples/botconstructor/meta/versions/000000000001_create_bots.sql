-- create bots
--
-- The registry of the fleet: one row per bot and its database URL.
--
-- revision: 000000000001
-- down_revision:
-- branch_labels: meta
-- depends_on:
-- create_date: 2026-01-01 00:00:00+00:00

-- +upgrade sqlite
CREATE TABLE bots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    owner_telegram_id BIGINT NOT NULL,
    db_url TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +upgrade postgresql
CREATE TABLE bots (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    owner_telegram_id BIGINT NOT NULL,
    db_url TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +downgrade
DROP TABLE bots;
