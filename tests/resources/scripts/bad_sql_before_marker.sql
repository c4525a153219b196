-- Forgot the marker
--
-- revision: 0badf00d0001
-- down_revision:

CREATE TABLE oops (id INTEGER);

-- +downgrade
DROP TABLE oops;
