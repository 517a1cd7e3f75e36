"""The README's live command, `make run` without SNAPSHOT, on a fresh warehouse and a fresh record
folder, against a local server standing in for Wikipedia, the course CSV and Overpass; then the
recording replayed offline to the same rows."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fake_server import FakeServer
from recorded_city import serve
from support import REPO, SNAPSHOT, ingest, landed_rows, query, run_dbt

pytestmark = pytest.mark.integration


def test_make_run_live_then_replay(shared_data: Path, tmp_path: Path):
    database, record, output = tmp_path / "live" / "warehouse.duckdb", tmp_path / "recorded", tmp_path / "out"
    with FakeServer() as server:
        environment = {
            **{key: value for key, value in os.environ.items() if key != "FOURSQUARE_API_KEY"},
            **serve(server, SNAPSHOT),
            "DBT_DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path / "logs"),
            "SEGMENTATION_OUTPUT_DIR": str(output),
            "INGEST_RATE": "1000",  # a local server: no need for the public instance's 1 request in 2 s
        }
        run = subprocess.run(
            ["make", "run", f"RECORD={record}"], cwd=REPO, env=environment, capture_output=True, text=True
        )
        overpass_requests = len(server.requests_to("/api/interpreter"))
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    # Every model built and tested, and published: nothing failed, nothing was skipped.
    assert "Published" in run.stdout and "ERROR=0" in run.stdout and "SKIP=0" in run.stdout
    assert overpass_requests == 103
    assert query(database, "select count(*), count(latitude), sum(venue_count) > 1000 from postal_codes") == [
        (103, 103, True)
    ]
    assert query(database, "select distinct provider from area_venues") == [("overpass",)]
    map_file = output / "toronto_fsa_clusters_map.html"
    assert map_file.stat().st_size > 1_000_000 and "<title>toronto_fsa: " in map_file.read_text()

    # The recording replays offline, with no server, to the same rows (and so to the same marts).
    replayed = tmp_path / "replay" / "warehouse.duckdb"
    assert ingest("all", "--snapshot", record, "--database", replayed) == 0
    assert landed_rows(replayed) == landed_rows(database)


def test_the_issue_reproduction_builds_on_a_fresh_warehouse(shared_data: Path, tmp_path: Path):
    """`dbt build --select +postal_codes` on a fresh warehouse: no test of a model not built yet
    is pulled in, and a partial build is not published."""
    database = tmp_path / "fresh.duckdb"
    assert ingest("all", "--snapshot", SNAPSHOT, "--database", database) == 0
    result = run_dbt(database, "build", "--select", "+postal_codes")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "the_clustering_is_not_weak" not in result.stdout and "Not published" in result.stdout
    assert query(database, "select count(*) from build.postal_codes") == [(103,)]
