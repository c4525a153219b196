#!/usr/bin/env bats
# Revision file names as Alembic makes them (issue 17): the same message
# and id through Debian's Alembic (`python3 -m alembic revision`) and
# `retort revision` give the same name - Unicode words kept and
# lower-cased, the slug cut at truncate_slug_length and back to its last
# '_', and a file_template copied from alembic.ini with its %% escapes.

load helper

ALEMBIC_PY=/usr/bin/python3

setup() {
	common_setup
	new_project
	"$ALEMBIC_PY" -c 'import alembic' 2>/dev/null ||
		fail "python3-alembic is not installed (scripts/deps.sh test installs it)"
	A="$BATS_TEST_TMPDIR/alembic"
	mkdir -p "$A"
	(cd "$A" && "$ALEMBIC_PY" -m alembic init migrations >/dev/null)
}

teardown() {
	common_teardown
}

# both ID MESSAGE: the file name each tool gives the revision, without
# its extension, in ALEMBIC_NAME and RETORT_NAME.
both() {
	local f
	(cd "$A" && "$ALEMBIC_PY" -m alembic revision --rev-id "$1" -m "$2" >/dev/null) ||
		fail "alembic revision -m '$2' failed"
	f=$(cd "$A/migrations/versions" && ls "$1"*.py 2>/dev/null || ls *"$1"*.py)
	ALEMBIC_NAME=${f%.py}
	run rt revision --rev-id "$1" -m "$2"
	assert_status 0
	f=$(cd "$P/migrations/versions" && ls *"$1"*.sql)
	RETORT_NAME=${f%.sql}
}

same_names() {
	local i=0 msg
	for msg in "$@"; do
		i=$((i + 1))
		both "$(printf 'a%011d' "$i")" "$msg"
		[ "$RETORT_NAME" = "$ALEMBIC_NAME" ] ||
			fail "message '$msg': alembic '$ALEMBIC_NAME', retort '$RETORT_NAME'"
	done
}

MESSAGES=(
	"Add posts table"
	"  Hello, World!!  "
	"add  user_id -> posts"
	"__x__"
	"CamelCase2Go"
	"Добавить таблицу постов"
	"Добавить email в users"
	"Длинное сообщение про добавление новой таблицы заказов"
	"a very long message that goes on and on past forty characters"
	"İstanbul Straße ΣΟΦΟΣ"
	"x²·y³ — 10% off"
	"fortycharactersinonewordwithoutanybreaksatall"
)

@test "the default file_template: the same names as Alembic's" {
	same_names "${MESSAGES[@]}"
}

@test "truncate_slug_length and a file_template copied from alembic.ini" {
	local ini="$A/alembic.ini" tmpl='%%(year)d_%%(rev)s_%%(slug)s'
	# alembic.ini: the commented-out keys set
	sed -i -e "s|^# file_template = .*|file_template = $tmpl|" \
	       -e "s|^# truncate_slug_length = .*|truncate_slug_length = 12|" "$ini"
	grep -q "^file_template = $tmpl" "$ini" && grep -q '^truncate_slug_length = 12' "$ini" ||
		fail "could not set the keys in alembic.ini"
	ini_set file_template "$tmpl"
	ini_set truncate_slug_length 12
	same_names "${MESSAGES[@]}"
	assert_contains "$RETORT_NAME" "$(date -u +%Y)_a"
}

@test "a bad truncate_slug_length names the key" {
	ini_set truncate_slug_length twelve
	run rt revision -m "x"
	assert_status 1
	assert_contains "$output" "'truncate_slug_length'"
	assert_contains "$output" "'twelve'"
}
