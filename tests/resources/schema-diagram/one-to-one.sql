CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
-- the key is the parent's: at most one profile a user, and every one has its user
CREATE TABLE profiles (user_id INTEGER PRIMARY KEY REFERENCES users (id), bio TEXT);
-- unique but nullable: at most one passport a user, and a passport may have none
CREATE TABLE passports (id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE REFERENCES users (id));
