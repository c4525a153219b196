CREATE TABLE orders (id INTEGER PRIMARY KEY);
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL,
    qty INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no)
);
