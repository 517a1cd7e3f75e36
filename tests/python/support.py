"""Helpers for the tests: where the real data lives, running the ingest CLI and dbt, querying DuckDB."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
TAXONOMY = SHARED_DATA / "taxonomy"  # the category hierarchies `make run` lands with the snapshot

# The `build` fixture: ingest a snapshot into a new DuckDB file, `dbt build` it.
Build = Callable[..., tuple[Path, subprocess.CompletedProcess[str]]]  # (snapshot, *dbt build arguments)


def ingest(*args: str | Path) -> int:
    return ingest_main([str(arg) for arg in args])


def land_taxonomy(database: Path) -> None:
    """The taxonomies, as `make run` lands them after the snapshot."""
    assert ingest("taxonomy", *sorted(TAXONOMY.iterdir()), "--database", database) == 0


DBT = Path(sys.executable).with_name("dbt")


def _dbt_env(work: Path, database_name: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "SEGMENTATION_OUTPUT_DIR"}
    return {
        **environment,
        "DBT_DUCKDB_PATH": database_name,
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DO_NOT_TRACK": "1",
        # As `make run` builds: the unit tests test the SQL, not the data, so one test runs them
        # (test_unit_tests_pass_on_the_snapshot_build) rather than every build.
        "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
    }


@functools.cache
def _warm_parse() -> Path:
    """dbt's partial-parse file of the project, made once per test process: every run_dbt starts
    from it (its database path and settings are the same), instead of parsing the whole project."""
    work = Path(tempfile.mkdtemp(prefix="dbt-parse-"))
    subprocess.run(
        [str(DBT), "parse", "--quiet", "--project-dir", str(REPO), "--profiles-dir", str(REPO)],
        cwd=work, env=_dbt_env(work, "warehouse.duckdb"), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return work / "target" / "partial_parse.msgpack"


def run_dbt(
    database: Path, *args: str, variables: dict | None = None, unit_tests: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run dbt against `database` from its folder (the project from the repository), keeping its
    artefacts and the map (output/) beside it; `variables` become --vars. The unit tests are left
    out unless `unit_tests`."""
    work = database.parent
    if args and args[0] in ("build", "run") and variables:
        args = (*args, "--vars", json.dumps(variables))
    target = work / "target"
    if not (target / "partial_parse.msgpack").exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(_warm_parse(), target / "partial_parse.msgpack")
    command = [str(DBT), *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    environment = _dbt_env(work, database.name)
    if unit_tests:
        del environment["DBT_EXCLUDE_RESOURCE_TYPES"]
    return subprocess.run(command, cwd=work, env=environment, capture_output=True, text=True, check=False)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()
