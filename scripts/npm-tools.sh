#!/usr/bin/env bash
# npm-tools.sh - the npm packages the tests run (dbmate, for the import
# tests), installed with npm into a folder of the build tree, never
# globally nor into the home folder.
#
#   scripts/npm-tools.sh DEST PACKAGE@VERSION...
#
# The programs end up in DEST/node_modules/.bin.  A package already there
# at the version asked for is not fetched again.  Fails, saying why, when
# npm is missing or the registry cannot be reached.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: npm-tools.sh DEST PACKAGE@VERSION..." >&2; exit 2; }
dest=$1
shift
command -v npm >/dev/null 2>&1 ||
	{ echo "npm-tools: npm is not installed (scripts/deps.sh test installs it)" >&2; exit 1; }
mkdir -p "$dest"
# npm's cache and logs go to the build tree too
export npm_config_cache="$dest/.npm-cache" npm_config_update_notifier=false \
	npm_config_fund=false npm_config_audit=false

want=()
for spec in "$@"; do
	name=${spec%@*} version=${spec##*@}
	have=$(node -p "require('$dest/node_modules/$name/package.json').version" 2>/dev/null || true)
	[ "$have" = "$version" ] || want+=("$spec")
done
if [ ${#want[@]} -gt 0 ]; then
	if ! npm install --prefix "$dest" --no-save --no-package-lock "${want[@]}" >"$dest/npm.log" 2>&1; then
		cat "$dest/npm.log" >&2
		echo "npm-tools: 'npm install ${want[*]}' failed (is the npm registry reachable?)" >&2
		exit 1
	fi
fi
for spec in "$@"; do
	name=${spec%@*}
	[ -x "$dest/node_modules/.bin/$name" ] ||
		{ echo "npm-tools: $name installed no program $dest/node_modules/.bin/$name" >&2; exit 1; }
	"$dest/node_modules/.bin/$name" --version >/dev/null 2>&1 ||
		{ echo "npm-tools: $dest/node_modules/.bin/$name does not run" >&2; exit 1; }
done
echo "npm-tools: $* in $dest/node_modules/.bin"
