-- Index purchases and products
--
-- The bot lists a user's purchases and a category's products; index the
-- foreign keys it looks them up by.
--
-- revision: 9e5d30f1b6a8
-- down_revision: 4c1b9e27d0a3
-- branch_labels:
-- depends_on:
-- create_date: 2026-11-22 10:05:00+00:00

-- PostgreSQL builds the indexes without blocking the bot's writes;
-- CONCURRENTLY cannot run inside a transaction, hence transaction=false.
-- +upgrade postgresql transaction=false
CREATE INDEX CONCURRENTLY ix_purchases_user_id ON purchases (user_id);
CREATE INDEX CONCURRENTLY ix_products_category_id ON products (category_id);

-- +upgrade
CREATE INDEX ix_purchases_user_id ON purchases (user_id);
CREATE INDEX ix_products_category_id ON products (category_id);

-- +downgrade postgresql transaction=false
DROP INDEX CONCURRENTLY ix_products_category_id;
DROP INDEX CONCURRENTLY ix_purchases_user_id;

-- +downgrade
DROP INDEX ix_products_category_id;
DROP INDEX ix_purchases_user_id;
