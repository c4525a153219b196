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

-- +upgrade
CREATE INDEX ix_purchases_user_id ON purchases (user_id);
CREATE INDEX ix_products_category_id ON products (category_id);

-- +downgrade
DROP INDEX ix_products_category_id;
DROP INDEX ix_purchases_user_id;
