-- names Mermaid and Graphviz cannot take as they are: blanks, quotes,
-- '%', markup characters, grammar words, a leading digit; types with
-- blanks and commas
CREATE TABLE "odd <&> 50% ""name""" (
    "select" INTEGER PRIMARY KEY,
    "pk" INTEGER,
    "2nd col" NUMERIC(10,2),
    "a""b" VARCHAR(20) NOT NULL UNIQUE
);
CREATE TABLE "to" (
    id INTEGER PRIMARY KEY,
    item INTEGER NOT NULL REFERENCES "odd <&> 50% ""name""" ("select"),
    at TIMESTAMP WITH TIME ZONE
);
