"""Helpers for the tests: where the real data lives, running the ingest CLI and dbt, querying DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.cli import main as ingest_main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(os.environ.get("SHARED_DATA", REPO.parent / "shared" / "data"))
SNAPSHOT = SHARED_DATA / "snapshots" / "toronto-2020-01"
PAGE_IN_SNAPSHOT = "wikipedia/List_of_postal_codes_of_Canada_M.html"
COORDINATES_IN_SNAPSHOT = "coordinates/Geospatial_Coordinates.csv"

# The `build` fixture: ingest a snapshot into a new DuckDB file, `dbt build` it.
Build = Callable[[Path], tuple[Path, subprocess.CompletedProcess[str]]]


def ingest(*args: str | Path) -> int:
    return ingest_main([str(arg) for arg in args])


def run_dbt(database: Path, *args: str, variables: dict | None = None) -> subprocess.CompletedProcess[str]:
    """Run dbt from the project root against `database`, keeping its artefacts (and the map, in
    output/) beside it; `variables` become --vars."""
    work = database.parent
    if args and args[0] in ("build", "run") and variables:
        args = (*args, "--vars", json.dumps(variables))
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "SEGMENTATION_OUTPUT_DIR": str(work / "output"),
        "DO_NOT_TRACK": "1",
    }
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), *args], cwd=REPO, env=env, capture_output=True, text=True, check=False)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()
