#!/usr/bin/env bash
# mermaid-js.sh - Mermaid's browser bundle, for the test that renders
# `retort graph --format mermaid` in Chromium (tests/graph/mermaid_render.py).
#
#   scripts/mermaid-js.sh DEST VERSION
#
# `npm pack` fetches the package's tarball alone (its dependencies are
# bundled into dist/mermaid.min.js: no `npm install` of a hundred
# packages); the bundle becomes DEST/mermaid-VERSION.min.js.  Kept when
# there already.  Fails, saying why, when npm or the registry is missing.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: mermaid-js.sh DEST VERSION" >&2; exit 2; }
dest=$1 version=$2
out="$dest/mermaid-$version.min.js"
[ -s "$out" ] && { echo "mermaid-js: $out"; exit 0; }
command -v npm >/dev/null 2>&1 ||
	{ echo "mermaid-js: npm is not installed (scripts/deps.sh test installs it)" >&2; exit 1; }
mkdir -p "$dest"
export npm_config_cache="$dest/.npm-cache" npm_config_update_notifier=false \
	npm_config_fund=false npm_config_audit=false
tmp=$(mktemp -d "$dest/mermaid.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack "mermaid@$version") >"$tmp/npm.log" 2>&1; then
	cat "$tmp/npm.log" >&2
	echo "mermaid-js: 'npm pack mermaid@$version' failed (is the npm registry reachable?)" >&2
	exit 1
fi
tar -xzf "$tmp/mermaid-$version.tgz" -C "$tmp" package/dist/mermaid.min.js
mv "$tmp/package/dist/mermaid.min.js" "$out"
echo "mermaid-js: $out"
