# The README's two commands are `make run` and `make test`; both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SNAPSHOT ?=
# A city by name (Overture's divisions, else GRID=h3:RES over its land) with Overture's places:
# make run CITY=Toronto [COUNTRY=CA] [DIVISION_ID=ID] [GRID=h3:8] [AREA_SET=NAME]. The set's name
# defaults to the city's in lower case (and the grid's), e.g. toronto, toronto_h3_8.
CITY ?=
COUNTRY ?=
DIVISION_ID ?=
GRID ?=
export CITY COUNTRY DIVISION_ID GRID
CITY_SET := $(shell printf '%s' '$(subst ',,$(CITY) $(GRID))' | (iconv -f UTF-8 -t ASCII//TRANSLIT 2>/dev/null || cat) | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9]+/_/g; s/^_+|_+$$//g; s/^([0-9])/city_\1/' | cut -c1-60)
AREA_SET ?= $(or $(CITY_SET),city)
RECORD ?= $(if $(strip $(CITY)),recordings/$(AREA_SET),recordings/live)
VENUE_PROVIDER ?= auto
# Category hierarchies beyond the shipped ones (seed category_taxonomies), e.g. Foursquare's v2
# tree: TAXONOMY=DIR lands every file of DIR (a landed kind replaces the seed's).
TAXONOMY ?=
export DO_NOT_TRACK := 1

STAMP := $(VENV)/.installed
ASSETS_DIR := .cache/kepler-assets
ASSETS := $(ASSETS_DIR)/.fetched
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup assets browser run ingest build test test-fast lint pytest bench compare docs clean check-warehouse

# A virtualenv with the pinned dependencies (requirements.lock pins the whole tree).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

# kepler.gl and the libraries it expects, from the npm registry at pinned versions, integrity
# checked (segmentation/kepler_assets.json); inlined into the self-contained map, never committed.
$(ASSETS): $(STAMP) segmentation/kepler_assets.json
	$(BIN)/python -m segmentation.kepler_assets fetch --dest $(ASSETS_DIR)
	@touch $@

assets: $(ASSETS)

setup: $(STAMP) $(ASSETS)

# Debian's Chromium and ChromeDriver for the browser test of the map.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; }

# One line, not a traceback, when another process holds the warehouse.
check-warehouse: $(STAMP)
	@$(BIN)/python -m ingest check-warehouse

# Land the raw inputs: replay SNAPSHOT if given, else fetch live and record into RECORD. Live
# venues are fetched for the areas of area_search_circles, which does not depend on venues, so it
# is built first (with the project's buildable test selection: not the tests of models further down).
ingest: $(STAMP) check-warehouse
ifneq ($(strip $(CITY)),)
	$(BIN)/python -m ingest areas $(if $(GRID),--grid "$$GRID" --within-division,--division) "$$CITY" \
		$(if $(COUNTRY),--country "$$COUNTRY") $(if $(DIVISION_ID),--division-id "$$DIVISION_ID") \
		--area-set $(AREA_SET) --record $(RECORD)
	$(BIN)/python -m ingest venues --provider overture --area-set $(AREA_SET) --record $(RECORD)
else ifeq ($(strip $(SNAPSHOT)),)
	$(BIN)/python -m ingest all --record $(RECORD)
	$(DBT_BUILD) --select +area_search_circles
	$(BIN)/python -m ingest venues --provider $(VENUE_PROVIDER) --record $(RECORD)
else
	$(BIN)/python -m ingest all --snapshot $(SNAPSHOT)
endif
ifneq ($(strip $(TAXONOMY)),)
	$(BIN)/python -m ingest taxonomy $(TAXONOMY)/*
endif

# Every model and data test. The unit tests test the SQL, not the data: `make test` runs them
# (dbt's advice: unit tests in development and CI, not in production builds).
DBT_BUILD := $(BIN)/dbt build --exclude-resource-type unit_test
build: $(STAMP) $(ASSETS) check-warehouse
	$(DBT_BUILD) $(if $(strip $(CITY)),--vars '{area_set: $(AREA_SET)}')

# The main job: ingest, then build and test every model.
run: ingest build
	@echo "Built $${DBT_DUCKDB_PATH:-warehouse.duckdb}. Query it with SQL: $(BIN)/duckdb -readonly $${DBT_DUCKDB_PATH:-warehouse.duckdb} \"from postal_codes limit 5\""
	@echo "The map (open it in a browser; it works offline):"; ls -1t $${SEGMENTATION_OUTPUT_DIR:-output}/*_clusters_map.html | head -1

# All tests: linters, then pytest (unit tests, and dbt builds of the real data in ../shared/data).
test: lint pytest

# The quick loop: the unit tests alone (no dbt build, no browser), a minute or less.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not integration and not browser"

LINT_DATABASE := $(VENV)/lint.duckdb
lint: $(STAMP)
	@$(BIN)/python -m ingest check-warehouse --database $(LINT_DATABASE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DBT_DUCKDB_PATH=$(LINT_DATABASE) DBT_TARGET_PATH=$(VENV)/lint-target $(BIN)/sqlfluff lint models analysis --processes 2

pytest: $(STAMP) $(ASSETS) browser
	$(BIN)/pytest

# The benchmark (docs/benchmarks.md): sizes up to 50,000 areas; the seed notebook's code alone
# takes ~5 minutes at the largest (about 15 minutes in all). BENCH_SIZES=103,5000 for a quick run.
BENCH_SIZES ?= 103,5000,50000
bench: $(STAMP) $(ASSETS)
	$(BIN)/python -m benchmarks.run --sizes $(BENCH_SIZES)

# The segmentation settings compared on the shared Toronto and New York data
# (docs/segmentation_comparison.md), a few minutes.
compare: $(STAMP)
	$(BIN)/python -m benchmarks.compare_settings

docs: $(STAMP)
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs .pytest_cache .ruff_cache
