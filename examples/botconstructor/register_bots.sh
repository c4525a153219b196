#!/usr/bin/env bash
# register_bots.sh N [DIR] - a fleet of N bots to try `retort fleet` on.
#
# In the project folder DIR (default: the folder of this script):
#   1. `retort upgrade head` creates (or updates) the metadata database,
#      meta.db unless META_DATABASE_URL names another SQLite file;
#   2. one transaction inserts the bots bot_1 ... bot_N that are not
#      registered yet, each with its own SQLite database
#      sqlite:///bots/bot_<i>.db (relative to DIR; `retort fleet upgrade`
#      creates the files);
#   3. it prints how many bots are registered.
#
# RETORT names the retort binary (default: retort on PATH).  Running it
# again with a larger N adds the missing bots; start over with
#   rm -rf bots meta.db
set -euo pipefail

usage() {
	echo "usage: register_bots.sh N [DIR]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
n=$1
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || usage
dir=${2:-$(cd "$(dirname "$0")" && pwd)}
retort=${RETORT:-retort}

cd "$dir"
[ -f retort.ini ] || { echo "register_bots.sh: no retort.ini in $dir" >&2; exit 1; }

# the metadata database: this script writes it with the sqlite3 shell
meta_url=${META_DATABASE_URL:-sqlite:///meta.db}
case $meta_url in
sqlite:///*) meta_db=${meta_url#sqlite:///} ;;
*)
	echo "register_bots.sh: META_DATABASE_URL is not an SQLite URL; see README.md" \
		"(\"The same with PostgreSQL\") for registering bots there" >&2
	exit 1
	;;
esac
command -v sqlite3 >/dev/null || { echo "register_bots.sh: needs the sqlite3 shell" >&2; exit 1; }

"$retort" -q upgrade head
mkdir -p bots

# One INSERT, one transaction; bots already registered are left alone.
sqlite3 -batch -bail "$meta_db" <<SQL
BEGIN;
INSERT OR IGNORE INTO bots (name, owner_telegram_id, db_url)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
SELECT 'bot_' || i, 100000000 + i, 'sqlite:///bots/bot_' || i || '.db' FROM n;
COMMIT;
SQL

echo "$(sqlite3 -batch "$meta_db" 'SELECT count(*) FROM bots WHERE active') bots registered in $meta_db"
