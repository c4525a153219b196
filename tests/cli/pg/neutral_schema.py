#!/usr/bin/env python3
"""neutral_schema.py - `retort schema dump` output in a dialect-neutral form.

    retort schema dump | python3 neutral_schema.py

reads the SQL retort's renderer writes for SQLite or PostgreSQL and prints
one sorted line per fact, the same for both dialects when the two
databases have the same tables:

    table T
    column T.C FAMILY null|not null [default D]
    primary key T (C, ...)
    unique T (C, ...)
    foreign key T (C, ...) -> T2 (C, ...) on delete A on update A
    index NAME on T (C, ...) [unique]

What is kept: table names, column names, each column's type family with
its length or precision when it has one, nullability, defaults, primary
keys, unique keys, foreign keys with their actions, index names, tables,
columns and uniqueness.

What is mapped (spelling that differs between the dialects for the same
thing):
  - types to families: INTEGER, INT, BIGINT, SMALLINT, int2/int4/int8,
    SERIAL, BIGSERIAL -> int; TEXT, VARCHAR(n), CHARACTER VARYING(n),
    CHAR(n), CHARACTER(n) -> text or text(n); NUMERIC(p,s), DECIMAL(p,s) ->
    numeric(p,s); DATETIME, TIMESTAMP, TIMESTAMP WITH[OUT] TIME ZONE,
    TIMESTAMPTZ -> timestamp; BOOLEAN, BOOL -> boolean; REAL, FLOAT,
    DOUBLE PRECISION -> float; DATE -> date; anything else lower-cased;
  - a primary key column is "not null" whether or not the dump says so
    (PostgreSQL's dump leaves NOT NULL out beside PRIMARY KEY);
  - defaults: CURRENT_TIMESTAMP and now(), with or without parentheses,
    -> now; other defaults lower-cased, outer parentheses and blanks
    removed;
  - a missing ON DELETE / ON UPDATE -> no action.

What is dropped (dialect noise, said here so nothing else is):
  - AUTOINCREMENT, GENERATED ... AS IDENTITY [(...)], a serial's
    nextval(...) default: how each dialect counts ids up;
  - constraint names (CONSTRAINT x): PostgreSQL names every constraint,
    SQLite's dump names none;
  - quoting of names, case of keywords and type names, blanks;
  - the order of columns within a table: ALTER TABLE ADD COLUMN appends on
    both, but SQLite's table rebuild writes the model's order.

Anything else in the dump - CHECK constraints, views, triggers, ALTER
TABLE, comments, enum types - is an error (exit 1, naming the line), so a
schema this script does not understand can never compare equal by
accident.
"""
import re
import sys


def fail(msg):
    sys.stderr.write("neutral_schema: %s\n" % msg)
    sys.exit(1)


def unquote(name):
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"`":
        return name[1:-1]
    if name.startswith("[") and name.endswith("]"):
        return name[1:-1]
    return name.lower()


def names(text):
    return ", ".join(unquote(n) for n in split_top(text, ","))


def split_top(text, sep):
    """Split on sep outside parentheses and quotes."""
    out, depth, quote, cur = [], 0, None, ""
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def family(typ):
    t = re.sub(r"\s+", " ", typ.strip().lower())
    t = re.sub(r"\s*\(\s*", "(", t)
    t = re.sub(r"\s*,\s*", ",", t)
    t = re.sub(r"\s*\)", ")", t)
    m = re.fullmatch(r"([a-z ]+?)(\(.*\))?", t)
    if not m:
        fail("cannot read the type '%s'" % typ)
    base, size = m.group(1).strip(), m.group(2) or ""
    if base in ("integer", "int", "bigint", "smallint", "int2", "int4", "int8",
                "serial", "bigserial", "smallserial"):
        return "int"
    if base in ("text", "varchar", "character varying", "char", "character", "nvarchar"):
        return "text" + size
    if base in ("numeric", "decimal"):
        return "numeric" + size
    if base in ("datetime", "timestamp", "timestamp with time zone",
                "timestamp without time zone", "timestamptz"):
        return "timestamp"
    if base in ("boolean", "bool"):
        return "boolean"
    if base in ("real", "float", "double precision", "float4", "float8"):
        return "float"
    return base + size


def wrapped(e):
    """Is e one parenthesised expression, "(...)" whose first "(" closes last?"""
    if not (e.startswith("(") and e.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(e):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(e) - 1:
            return False
    return True


def default(expr):
    e = expr.strip()
    while wrapped(e):
        e = e[1:-1].strip()
    low = re.sub(r"\s+", "", e.lower())
    if low in ("current_timestamp", "now()"):
        return "now"
    if low.startswith("nextval("):
        return None
    return low


ACTION = r"(cascade|restrict|set null|set default|no action)"


def foreign_key(table, body):
    m = re.fullmatch(r"foreign key\s*\((.*?)\)\s*references\s+(\S+)\s*\((.*?)\)(.*)", body,
                     re.I | re.S)
    if not m:
        fail("cannot read the foreign key '%s' of %s" % (body, table))
    rest = m.group(4).strip().lower()
    on = {"delete": "no action", "update": "no action"}
    for what, act in re.findall(r"on (delete|update) " + ACTION, rest):
        on[what] = act
    rest = re.sub(r"on (delete|update) " + ACTION, "", rest).strip()
    if rest:
        fail("cannot read '%s' in the foreign key of %s" % (rest, table))
    return "foreign key %s (%s) -> %s (%s) on delete %s on update %s" % (
        table, names(m.group(1)), unquote(m.group(2)), names(m.group(3)),
        on["delete"], on["update"])


def column(table, item, facts):
    m = re.match(r"(\"[^\"]+\"|\S+)\s+(.*)", item, re.S)
    if not m:
        fail("cannot read the column '%s' of %s" % (item, table))
    name, rest = unquote(m.group(1)), m.group(2)
    # the type runs up to the first keyword of a column constraint
    tm = re.match(r"(.*?)(?=\s+(?:primary|not|null|default|generated|unique|references|"
                  r"collate|check|constraint|autoincrement)\b|$)", rest, re.I | re.S)
    typ, rest = tm.group(1), rest[tm.end():]
    notnull, pk, dflt = False, False, None
    while rest.strip():
        rest = rest.strip()
        low = rest.lower()
        for pat, act in (
                (r"primary key", "pk"), (r"autoincrement", None), (r"not null", "nn"),
                (r"null", None), (r"unique", "uq"),
                (r"generated (always|by default) as identity(\s*\([^)]*\))?", None)):
            mm = re.match(pat + r"(?![a-z0-9_])", low)
            if mm:
                rest = rest[mm.end():]
                if act == "pk":
                    pk = True
                elif act == "nn":
                    notnull = True
                elif act == "uq":
                    facts.append("unique %s (%s)" % (table, name))
                break
        else:
            if low.startswith("default"):
                # up to the next constraint keyword outside parentheses
                body = rest[len("default"):]
                depth, i = 0, 0
                while i < len(body):
                    ch = body[i]
                    if ch == "(":
                        depth += 1
                    elif ch == ")":
                        depth -= 1
                    elif depth == 0 and re.match(r"\s+(not|null|primary|unique|references|"
                                                 r"check|collate|generated)\b", body[i:], re.I):
                        break
                    i += 1
                dflt = default(body[:i])
                rest = body[i:]
            else:
                fail("cannot read '%s' in the column %s.%s" % (rest, table, name))
    if pk:
        notnull = True
        facts.append("primary key %s (%s)" % (table, name))
    line = "column %s.%s %s %s" % (table, name, family(typ), "not null" if notnull else "null")
    if dflt is not None:
        line += " default " + dflt
    facts.append(line)


def table(stmt, facts):
    m = re.fullmatch(r"create table\s+(\"[^\"]+\"|\S+)\s*\((.*)\)", stmt, re.I | re.S)
    if not m:
        fail("cannot read the table '%s'" % stmt[:60])
    name = unquote(m.group(1))
    facts.append("table " + name)
    for item in split_top(m.group(2), ","):
        item = re.sub(r"^constraint\s+(\"[^\"]+\"|\S+)\s+", "", item, flags=re.I | re.S)
        low = item.lower()
        if low.startswith("primary key"):
            facts.append("primary key %s (%s)" % (name, names(item[item.index("(") + 1:item.rindex(")")])))
        elif low.startswith("unique"):
            facts.append("unique %s (%s)" % (name, names(item[item.index("(") + 1:item.rindex(")")])))
        elif low.startswith("foreign key"):
            facts.append(foreign_key(name, item))
        elif re.match(r"(check|exclude)\b", low):
            fail("a %s constraint in %s: not compared by this script" % (low.split()[0], name))
        else:
            column(name, item, facts)


def index(stmt, facts):
    m = re.fullmatch(r"create (unique )?index\s+(\"[^\"]+\"|\S+)\s+on\s+(\"[^\"]+\"|\S+)\s*"
                     r"(?:using btree\s*)?\((.*)\)", stmt, re.I | re.S)
    if not m:
        fail("cannot read the index '%s'" % stmt)
    facts.append("index %s on %s (%s)%s" % (unquote(m.group(2)), unquote(m.group(3)),
                                            names(m.group(4)), " unique" if m.group(1) else ""))


def main():
    text = sys.stdin.read()
    facts = []
    for stmt in split_top(text, ";"):
        stmt = stmt.strip()
        if not stmt:
            continue
        low = stmt.lower()
        if low.startswith("create table"):
            table(stmt, facts)
        elif re.match(r"create (unique )?index", low):
            index(stmt, facts)
        else:
            fail("not compared by this script: '%s'" % stmt.splitlines()[0])
    for f in sorted(facts):
        print(f)


if __name__ == "__main__":
    main()
