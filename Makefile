# A thin wrapper over CMake/CTest; see README.md.
#
#   make / make build   install missing build packages, configure and build in build/
#   make demo           build, then run the shop-bot example on SQLite in a scratch folder
#   make test           build build/ and build-asan/ (ASan+UBSan), run every CTest test in both
#   make stress         concurrency and kill -9 rounds (scripts/stress.sh), not part of `make test`
#   make corpus         retort against real migration sets in ../shared/corpora (tests/corpus/run.py)
#   make clean          remove the build folders

JOBS    ?= 2
BUILD   ?= build
ASAN    ?= build-asan
CMAKE   ?= cmake
# extra -D options for both configurations, e.g. CMAKE_ARGS=-DRETORT_WITH_PG=OFF
CMAKE_ARGS ?=

.PHONY: all build demo test test-build test-asan clean deps-build deps-test corpus

all: build

deps-build:
	scripts/deps.sh build

deps-test:
	scripts/deps.sh test

# The plain build does not need the test packages, so it leaves the suites
# out; `make test` configures the same folder with them switched on.
build: deps-build
	$(CMAKE) -S . -B $(BUILD) -DRETORT_BUILD_TESTS=OFF $(CMAKE_ARGS)
	$(CMAKE) --build $(BUILD) -j$(JOBS)

demo: build
	scripts/demo.sh $(BUILD)/retort

test: deps-test
	$(CMAKE) -S . -B $(BUILD) -DRETORT_BUILD_TESTS=ON -DRETORT_SANITIZE=OFF $(CMAKE_ARGS)
	$(CMAKE) --build $(BUILD) -j$(JOBS)
	$(CMAKE) -S . -B $(ASAN) -DRETORT_BUILD_TESTS=ON -DRETORT_SANITIZE=ON $(CMAKE_ARGS)
	$(CMAKE) --build $(ASAN) -j$(JOBS)
	scripts/run-ctest.sh $(BUILD) $(JOBS)
	scripts/run-ctest.sh --sanitize $(ASAN) $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN)

# Real migration sets (Synapse, Vaultwarden; see tests/corpus/run.py),
# read where they are, never copied here.  The build folder is configured
# (plain) only when it is not yet, so that after `make test` this does not
# flip its options and rebuild.
CORPORA ?= ../shared/corpora
corpus: deps-test
	@[ -f $(BUILD)/CMakeCache.txt ] || $(CMAKE) -S . -B $(BUILD) -DRETORT_BUILD_TESTS=OFF $(CMAKE_ARGS)
	$(CMAKE) --build $(BUILD) -j$(JOBS) --target retort
	/usr/bin/python3 tests/corpus/run.py $(BUILD)/retort $(CORPORA)

# Benchmarks against the raw sqlite3/psql floor, Alembic and dbmate: installs
# the peers when run as root, builds a Release retort in build-bench/, and
# rewrites bench/RESULTS.md (see bench/run.sh).
.PHONY: bench
bench: deps-build
	bench/run.sh

# Autogenerate's property tests, the long run (issue 18): PAIRS random
# schema pairs on SQLite (default 5000) and PG_PAIRS on PostgreSQL (default
# 1000, on the throwaway server of CTest's pg fixture).  The suite runs 500
# of each in the plain build.
PAIRS    ?= 5000
PG_PAIRS ?= 1000
.PHONY: property
property: deps-test
	$(CMAKE) -S . -B $(BUILD) -DRETORT_BUILD_TESTS=ON $(CMAKE_ARGS)
	$(CMAKE) --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && RETORT_PROPERTY_PAIRS=$(PAIRS) ctest -R 'unit/test_autogen_property$$' --timeout 36000 --output-on-failure
	cd $(BUILD) && RETORT_PROPERTY_PAIRS=$(PG_PAIRS) ctest -R 'unit/test_autogen_property_pg$$' --timeout 36000 --output-on-failure

# Concurrency and kill -9 stress, not part of `make test`: builds
# build-stress/ (plain), starts its own PostgreSQL and PgBouncer, and runs
# ROUNDS rounds of 16 concurrent upgrades per case and KILL_ROUNDS rounds of
# a run killed at a random moment per case (see scripts/stress.sh).
ROUNDS      ?= 20
KILL_ROUNDS ?= 40
.PHONY: stress
stress: deps-test
	ROUNDS=$(ROUNDS) KILL_ROUNDS=$(KILL_ROUNDS) JOBS=$(JOBS) scripts/stress.sh
