#!/usr/bin/env bash
# check-install.sh - `cmake --install` puts retort where people and
# programs find it.
#
#   scripts/check-install.sh BUILD_DIR [CFLAGS...]
#
# Installs BUILD_DIR with `cmake --install --prefix` into a fresh scratch
# folder, checks that every file is in its place, then builds a program
# that calls retort_version() against that prefix four ways and runs each:
# through pkg-config with libretort.so, through `pkg-config --static` with
# libretort.a alone, and through find_package(retort CONFIG) with
# retort::retort and retort::retort_static.  CFLAGS go to the compiler
# and linker of those programs (the sanitizer build's -fsanitize=...).
# The Python module is imported from the prefix, on the prefix's
# libretort.so.0 (with a sanitizer build, only read: python3 cannot load
# that library without preloading the sanitizer runtime), and the
# SQLAlchemy bridge runs from the prefix as `python3 -m retort_sqlalchemy`.
#
# The environment names the install folders, relative to the prefix, as
# CMake has them (GNUInstallDirs): BINDIR LIBDIR INCLUDEDIR MANDIR
# COMPLETIONDIR (bash's), ZSHCOMPLETIONDIR, and PYTHONDIR the Python module's; CC, CMAKE and PYTHON
# the compiler, cmake and python3 to use.  The scratch
# folder is removed at the end, and the two files an install writes in
# BUILD_DIR (install_manifest.txt, libretort.pc) are left as they were.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: check-install.sh BUILD_DIR [CFLAGS...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
cflags=("$@")
for var in BINDIR LIBDIR INCLUDEDIR MANDIR COMPLETIONDIR ZSHCOMPLETIONDIR PYTHONDIR; do
	[ -n "${!var:-}" ] || { echo "check-install: $var is not set" >&2; exit 2; }
	case ${!var} in
	/*) echo "check-install: $var is ${!var}, outside the prefix; this test" \
		 "installs into a scratch prefix only" >&2; exit 2 ;;
	esac
done
cc=${CC:-cc} cmake=${CMAKE:-cmake} python=${PYTHON:-python3}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/retort-install.XXXXXX")
kept=()
for f in install_manifest.txt libretort.pc; do
	if [ -e "$build/$f" ]; then
		cp -p "$build/$f" "$scratch/kept-$f"
		kept+=("$f")
	fi
done
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	local f
	for f in install_manifest.txt libretort.pc; do
		if [ -e "$scratch/kept-$f" ]; then
			cp -p "$scratch/kept-$f" "$build/$f"
		else
			rm -f "$build/$f"
		fi
	done
	rm -rf "$scratch"
}
trap cleanup EXIT

prefix=$scratch/prefix
status=0
fail() {
	echo "check-install: $*" >&2
	status=1
}

if ! "$cmake" --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1; then
	cat "$scratch/install.log" >&2
	echo "check-install: cmake --install $build failed" >&2
	exit 1
fi

# every file in its place
version=$("$build/retort" --version | awk '{ print $2 }')
for f in "$BINDIR/retort" "$LIBDIR/libretort.a" "$LIBDIR/libretort.so" \
	 "$LIBDIR/libretort.so.0" "$LIBDIR/libretort.so.$version" "$INCLUDEDIR/retort.h" \
	 "$LIBDIR/pkgconfig/libretort.pc" "$LIBDIR/cmake/retort/retort-config.cmake" \
	 "$LIBDIR/cmake/retort/retort-config-version.cmake" \
	 "$LIBDIR/cmake/retort/retort-targets.cmake" "$MANDIR/man1/retort.1" \
	 "$COMPLETIONDIR/retort" "$ZSHCOMPLETIONDIR/_retort" "$PYTHONDIR/retort.py" "$PYTHONDIR/retort_sqlalchemy.py"; do
	[ -f "$prefix/$f" ] || fail "no $f in the prefix"
done
[ $status -eq 0 ] || { find "$prefix" >&2; exit 1; }
soname=$(readelf -d "$prefix/$LIBDIR/libretort.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libretort.so.0 ] || fail "libretort.so's soname is '$soname', not libretort.so.0"
got=$("$prefix/$BINDIR/retort" --version) || fail "the installed retort does not run"
[ "$got" = "retort $version" ] || fail "the installed retort says '$got'"
groff -man -Tutf8 -P-cbou "$prefix/$MANDIR/man1/retort.1" 2>/dev/null | grep -q 'retort fleet upgrade' ||
	fail "groff cannot format the installed man page"
bash -c 'source "$1" && complete -p retort' _ "$prefix/$COMPLETIONDIR/retort" >/dev/null ||
	fail "the installed bash completion does not register for retort"
# compinit reads the first line of each file in $fpath: "#compdef retort"
[ "$(head -n 1 "$prefix/$ZSHCOMPLETIONDIR/_retort")" = "#compdef retort" ] ||
	fail "the installed zsh completion does not start with '#compdef retort'"
py_note="python3 imports retort from it"
case " ${cflags[*]} " in
*" -fsanitize="*)
	py_note="retort.py parses (not imported: sanitizer build)"
	"$python" -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' \
		"$prefix/$PYTHONDIR/retort.py" || fail "the installed retort.py does not parse"
	;;
*)
	want="$version $prefix/$PYTHONDIR/retort.py $prefix/$LIBDIR/libretort.so.0"
	got=$(cd "$scratch" && PYTHONPATH="$prefix/$PYTHONDIR" PYTHONDONTWRITEBYTECODE=1 \
		RETORT_LIBRARY="$prefix/$LIBDIR/libretort.so.0" "$python" -c \
		'import retort; print(retort.__version__, retort.__file__, retort.library_path)') ||
		fail "python3 cannot import the installed retort module"
	[ "$got" = "$want" ] || fail "the installed Python module says '$got', not '$want'"
	;;
esac
# the SQLAlchemy bridge, as a schema_command runs it (it needs no libretort)
printf '%s\n' 'from sqlalchemy import Column, Integer, MetaData, Table' 'metadata = MetaData()' \
	'Table("t", metadata, Column("id", Integer, primary_key=True))' >"$scratch/bridge_model.py"
got=$(cd "$scratch" && PYTHONPATH="$prefix/$PYTHONDIR" PYTHONDONTWRITEBYTECODE=1 RETORT_DIALECT=sqlite \
	"$python" -m retort_sqlalchemy bridge_model:metadata | head -1) ||
	fail "python3 -m retort_sqlalchemy fails from the prefix"
[ "$got" = "CREATE TABLE t (" ] || fail "the installed SQLAlchemy bridge printed '$got'"
py_note="$py_note; python3 -m retort_sqlalchemy runs"

# a program using the library
cat >"$scratch/main.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <retort.h>

int main(void)
{
	if (strcmp(retort_version(), RETORT_VERSION) != 0) {
		fprintf(stderr, "retort.h says %s, the library %s\n", RETORT_VERSION, retort_version());
		return 1;
	}
	printf("%s\n", retort_version());
	return 0;
}
EOF

# run_program NAME LINKS: run the program NAME, which must print the
# version and need libretort.so.0 (LINKS = shared) or not (static)
run_program() {
	local prog=$1 links=$2 out needs=static
	if ! out=$(LD_LIBRARY_PATH="$prefix/$LIBDIR" "$prog" 2>&1) || [ "$out" != "$version" ]; then
		fail "$(basename "$prog") does not print '$version': $out"
	fi
	readelf -d "$prog" | grep -q 'NEEDED.*\[libretort\.so\.0\]' && needs=shared
	[ "$needs" = "$links" ] || fail "$(basename "$prog") links libretort $needs, not $links"
}

export PKG_CONFIG_PATH="$prefix/$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
read -r -a flags <<<"$(pkg-config --cflags --libs libretort)"
if "$cc" "${cflags[@]}" -o "$scratch/pc-shared" "$scratch/main.c" "${flags[@]}"; then
	run_program "$scratch/pc-shared" shared
else
	fail "cannot build a program with 'pkg-config --cflags --libs libretort': ${flags[*]}"
fi
# libretort.a rather than libretort.so beside it, and all of it: a program
# calling retort_version() alone would pull in one object, which needs none
# of the libraries the others need
read -r -a flags <<<"$(pkg-config --static --cflags --libs libretort)"
flags=("${flags[@]/#-lretort/-Wl,--whole-archive -l:libretort.a -Wl,--no-whole-archive}")
read -r -a flags <<<"${flags[*]}"
if "$cc" "${cflags[@]}" -o "$scratch/pc-static" "$scratch/main.c" "${flags[@]}"; then
	run_program "$scratch/pc-static" static
else
	fail "cannot link libretort.a with 'pkg-config --static --cflags --libs libretort': ${flags[*]}"
fi

mkdir "$scratch/project"
cp "$scratch/main.c" "$scratch/project/main.c"
cat >"$scratch/project/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.24)
project(uses_retort C)
find_package(retort ${version%.*} CONFIG REQUIRED)
add_executable(cmake-shared main.c)
target_link_libraries(cmake-shared PRIVATE retort::retort)
add_executable(cmake-static main.c)
# all of libretort.a, as above
target_link_libraries(cmake-static PRIVATE "\$<LINK_LIBRARY:WHOLE_ARCHIVE,retort::retort_static>")
EOF
if ! "$cmake" -S "$scratch/project" -B "$scratch/project/build" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${cflags[*]}" >"$scratch/cmake.log" 2>&1 ||
   ! "$cmake" --build "$scratch/project/build" >>"$scratch/cmake.log" 2>&1; then
	cat "$scratch/cmake.log" >&2
	fail "cannot build a CMake project with find_package(retort CONFIG)"
else
	found=$(sed -n 's/^retort_DIR:PATH=//p' "$scratch/project/build/CMakeCache.txt")
	[ "$found" = "$prefix/$LIBDIR/cmake/retort" ] ||
		fail "find_package(retort) found '$found', not the scratch prefix's"
	run_program "$scratch/project/build/cmake-shared" shared
	run_program "$scratch/project/build/cmake-static" static
fi

# examples/embed, a program with its migrations compiled in, built with
# its own Makefile against this prefix and run
EXTRA_CFLAGS="${cflags[*]}" "$(dirname "$0")/check-embed-example.sh" "$prefix" "$LIBDIR" ||
	fail "examples/embed: see above"

[ $status -ne 0 ] ||
	echo "check-install: installed $version; pkg-config and find_package(retort) programs" \
	     "link libretort.so and libretort.a; $py_note"
exit $status
