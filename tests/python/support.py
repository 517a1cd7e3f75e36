"""Helpers for the tests: where the real data lives, running the ingest CLI and dbt, querying DuckDB."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from ingest.cli import main as ingest_main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(os.environ.get("SHARED_DATA", REPO.parent / "shared" / "data"))
SNAPSHOT = SHARED_DATA / "snapshots" / "toronto-2020-01"
PAGE_IN_SNAPSHOT = "wikipedia/List_of_postal_codes_of_Canada_M.html"
COORDINATES_IN_SNAPSHOT = "coordinates/Geospatial_Coordinates.csv"
TAXONOMY = SHARED_DATA / "taxonomy"  # category hierarchies to land by hand (`make run TAXONOMY=...`)

# The `build` fixture: ingest a snapshot into a new DuckDB file, `dbt build` it.
Build = Callable[..., tuple[Path, subprocess.CompletedProcess[str]]]  # (snapshot, *dbt build arguments)


def ingest(*args: str | Path) -> int:
    return ingest_main([str(arg) for arg in args])


DBT = Path(sys.executable).with_name("dbt")
PROJECT = ["--project-dir", str(REPO), "--profiles-dir", str(REPO)]


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


@contextlib.contextmanager
def _as_its_own_process(work: Path, environment: dict[str, str]) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """dbt run inside the test process as its command runs in a process of its own: that environment,
    that working folder, its output captured; the warehouse closed after, as the command's exit
    would (dbt-duckdb keeps it open for the next invocation in the process)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    saved, folder = dict(os.environ), Path.cwd()
    output, errors = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
            yield output, errors
    finally:
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(saved)


def _invoke(work: Path, environment: dict[str, str], args: list[str]) -> subprocess.CompletedProcess[str]:
    """dbt's command `dbt ARGS` run in this process (dbtRunner), with the command's exit code (0 done,
    1 failed, 2 stopped by an error): no start-up per invocation, the models' libraries imported once."""
    from dbt.cli.main import dbtRunner

    with _as_its_own_process(work, environment) as (output, errors):
        result = dbtRunner().invoke(args)
    code = 0 if result.success else 1 if result.exception is None else 2
    return subprocess.CompletedProcess(["dbt", *args], code, output.getvalue(), errors.getvalue())


@functools.cache
def _warm_parse() -> Path:
    """dbt's partial-parse file of the project, made once per test process: every run_dbt starts
    from it (its database path and settings are the same), instead of parsing the whole project."""
    work = Path(tempfile.mkdtemp(prefix="dbt-parse-"))
    parsed = _invoke(work, _dbt_env(work, "warehouse.duckdb"), ["parse", "--quiet", *PROJECT])
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return work / "target" / "partial_parse.msgpack"


def run_dbt(
    database: Path, *args: str, variables: dict | None = None, unit_tests: bool = False, command: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run dbt against `database` from its folder (the project from the repository), keeping its
    artefacts and the map (output/) beside it; `variables` become --vars. The unit tests are left
    out unless `unit_tests`. dbt runs in the test process unless `command`: then the `dbt` command
    runs, for a test of what that command prints."""
    work = database.parent
    if args and args[0] in ("build", "run") and variables:
        args = (*args, "--vars", json.dumps(variables))
    target = work / "target"
    if not (target / "partial_parse.msgpack").exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(_warm_parse(), target / "partial_parse.msgpack")
    environment = _dbt_env(work, database.name)
    if unit_tests:
        del environment["DBT_EXCLUDE_RESOURCE_TYPES"]
    if not command:
        return _invoke(work, environment, [*args, *PROJECT])
    return subprocess.run(
        [str(DBT), *args, *PROJECT], cwd=work, env=environment, capture_output=True, text=True, check=False
    )


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def landed_rows(database: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows, but for what tells one landing from another (load ids, times, where a
    file was read from): a recording replayed lands what was landed live. The build is a function of
    these rows (test_two_builds_give_identical_tables), so equal rows give equal marts."""
    differs = ("load_id", "loaded_at", "fetched_at", "source", "url")
    rounded = ("west", "south", "east", "north")  # an extract's extent is recorded to 5 decimals (~1 m)
    tables = query(
        database,
        "select table_name, list(column_name order by ordinal_position) from information_schema.columns "
        "where table_schema = 'raw' group by 1 order by 1",
    )
    return {
        table: query(
            database,
            f"select {', '.join(f'round({c}, 5)' if c in rounded else c for c in columns if c not in differs)} "
            f"from raw.{table} order by all",
        )
        for table, columns in tables
    }


def assert_segments_say_what_they_are(database: Path, area_set: str) -> None:
    """The segmentation's rules for a default build, counted here from area_clusters, areas and
    area_venues, not from the models that state them: the features are category groups with no
    taxonomy landed by hand; the chosen fit meets the auto rule (every cluster at least 3 areas, the
    largest at most 55 %, seed agreement at least 0.8, bootstrap agreement at least 0.6) and is not
    weak — or it does not, and the build says the clustering is weak because no k met the rule;
    each label says the segment's density (where its median area's places per km² fall among the
    clustered areas: sparse, mid, dense by thirds), then the features whose pooled lift is at least
    1.25 with 10+ places (up to three, the highest lift first) or "mixed"; no two labels alike."""
    ((level, mapped),) = query(database, "select feature_level, group_mapped_share from cluster_settings")
    assert level == "group" and mapped >= 0.8
    sizes = [
        n
        for (n,) in query(
            database, "select count(*) from area_clusters where is_clustered group by cluster_id"
        )
    ]
    ((seed, bootstrap, meets, weak, reasons),) = query(
        database,
        "select seed_agreement, bootstrap_agreement, meets_rule, is_weak, weak_reasons from cluster_quality",
    )
    holds = min(sizes) >= 3 and max(sizes) / sum(sizes) <= 0.55 and seed >= 0.8 and bootstrap >= 0.6
    assert meets == holds, (sizes, seed, bootstrap, meets)
    if holds:
        assert weak is False, reasons
    else:
        assert weak is True and any(reason.startswith("no k met the auto rule") for reason in reasons), (
            reasons
        )
    counted = query(
        database,
        "with v as (select v.category_group as g, c.cluster_id as c from area_venues v join area_clusters c "
        f"using (area_set, area_id) where v.area_set = '{area_set}' and c.is_clustered), "
        "city as (select g, count(*) / sum(count(*)) over () as share from v group by g), "
        "cl as (select c, g, count(*) as n, count(*) / sum(count(*)) over (partition by c) as share from v "
        "group by c, g) select cl.c, cl.g, cl.share / city.share, cl.n from cl join city using (g)",
    )
    nameable: dict[int, list[str]] = {}
    for c, g, lift, n in sorted(counted, key=lambda row: (row[0], -row[2], -row[3], row[1])):
        if lift >= 1.25 and n >= 10 and g != "(unmapped)":
            nameable.setdefault(c, []).append(g)
    densities = query(
        database,
        "select c.cluster_id, a.venues_per_km2 from area_clusters c join areas a using (area_set, area_id) "
        f"where c.area_set = '{area_set}' and c.is_clustered",
    )
    every = [density for _, density in densities]
    labels = query(
        database, "select cluster_id, label, label_features from cluster_profiles order by cluster_id"
    )
    for cluster_id, label, features in labels:
        median = statistics.median(d for c, d in densities if c == cluster_id)
        below = sum(d < median for d in every) / len(every)
        word = "sparse" if below < 1 / 3 else "mid" if below < 2 / 3 else "dense"
        assert features == nameable.get(cluster_id, [])[:3], (cluster_id, label)
        assert label.startswith(f"{word} — {', '.join(features) or 'mixed'}"), (cluster_id, label, word)
    assert len({label for _, label, _ in labels}) == len(labels)
