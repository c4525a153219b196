-- Create account table
--
-- Revision ID: ae1027a6acf
-- Revises: 1975ea83b712
-- Create Date: 2011-11-08 11:40:27.089406

-- +upgrade transaction=false
CREATE INDEX CONCURRENTLY ix_account_name ON account (name);

-- +downgrade postgres transaction=false
DROP INDEX CONCURRENTLY ix_account_name;
