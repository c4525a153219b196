CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER REFERENCES employees (id),
    name VARCHAR(40) NOT NULL
);
