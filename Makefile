# The README's two commands are `make run` and `make test`; both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SNAPSHOT ?=
RECORD ?= recordings/live
VENUE_PROVIDER ?= auto
export DO_NOT_TRACK := 1

STAMP := $(VENV)/.installed

.PHONY: setup run ingest build test lint pytest docs clean

# A virtualenv with the pinned dependencies (requirements.lock pins the whole tree).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

setup: $(STAMP)

# Land the raw inputs: replay SNAPSHOT if given, else fetch live and record into RECORD. Live
# venues are fetched for the areas of the postal_codes table, so it is built first.
ingest: $(STAMP)
ifeq ($(strip $(SNAPSHOT)),)
	$(BIN)/python -m ingest all --record $(RECORD)
	$(BIN)/dbt build
	$(BIN)/python -m ingest venues --provider $(VENUE_PROVIDER) --record $(RECORD)
else
	$(BIN)/python -m ingest all --snapshot $(SNAPSHOT)
endif

build: $(STAMP)
	$(BIN)/dbt build

# The main job: ingest, then build and test every model.
run: ingest build
	@echo "Built $${DBT_DUCKDB_PATH:-warehouse.duckdb}. Query it with SQL: $(BIN)/duckdb -readonly $${DBT_DUCKDB_PATH:-warehouse.duckdb} \"from postal_codes limit 5\""

# All tests: linters, then pytest (unit tests, and dbt builds of the real data in ../shared/data).
test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DBT_DUCKDB_PATH=$(VENV)/lint.duckdb DBT_TARGET_PATH=$(VENV)/lint-target $(BIN)/sqlfluff lint models analysis

pytest: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs .pytest_cache .ruff_cache
