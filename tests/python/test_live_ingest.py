"""Live ingest against a local server: recording, retries, fallback, and failing fast offline."""

from __future__ import annotations

import functools
import io
import socket
import time
import zipfile
from pathlib import Path

import pytest
from fake_server import FakeServer, Reply
from support import COORDINATES_IN_SNAPSHOT, FIXTURES, PAGE_IN_SNAPSHOT, SNAPSHOT, ingest, query

from ingest.commands import shared as ingest_commands
from ingest.http import RetryPolicy
from ingest.snapshot import Snapshot, sha256


@pytest.fixture
def server(shared_data: Path):
    with FakeServer() as fake:
        fake.route("/wiki/page", Reply(200, (SNAPSHOT / PAGE_IN_SNAPSHOT).read_bytes()))
        fake.route("/course.csv", Reply(200, (SNAPSHOT / COORDINATES_IN_SNAPSHOT).read_bytes()))
        fake.route("/CA.zip", Reply(404, b"gone"))
        yield fake


def live_args(server: FakeServer, database: Path, *extra: str | Path) -> list[str | Path]:
    return [
        "all",
        "--database",
        database,
        "--url",
        server.url("/wiki/page"),
        "--course-csv-url",
        server.url("/course.csv"),
        "--geonames-url",
        server.url("/CA.zip"),
        *extra,
    ]


def test_live_run_records_a_snapshot_that_replays_identically(server: FakeServer, tmp_path: Path):
    record = tmp_path / "recorded"
    assert ingest(*live_args(server, tmp_path / "live.duckdb", "--record", record)) == 0
    user_agent = server.requests_to("/wiki/page")[0].headers["user-agent"]
    assert user_agent.startswith("neighbourhood-segmentation/")

    snapshot = Snapshot(record)
    assert snapshot.section("postal_codes")["source_url"] == server.url("/wiki/page")
    assert snapshot.section("coordinates")["provider"] == "course_csv"
    page = snapshot.read(snapshot.section("postal_codes")["path"])
    assert snapshot.manifest["sha256"][PAGE_IN_SNAPSHOT] == sha256(page)

    assert ingest("all", "--snapshot", record, "--database", tmp_path / "replay.duckdb") == 0
    rows = (
        "select postal_code, borough, neighbourhood from raw.wikipedia_postal_code_rows order by row_number"
    )
    coordinates = "select postal_code, latitude, longitude from raw.coordinates order by row_number"
    for sql in (rows, coordinates):
        assert query(tmp_path / "live.duckdb", sql) == query(tmp_path / "replay.duckdb", sql)
    assert len(query(tmp_path / "replay.duckdb", rows)) == 180


def test_server_errors_are_retried_with_retry_after(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    waits: list[float] = []
    monkeypatch.setattr(ingest_commands, "RetryPolicy", functools.partial(RetryPolicy, sleep=waits.append))
    page = (SNAPSHOT / PAGE_IN_SNAPSHOT).read_bytes()
    server.route(
        "/wiki/page", Reply(503, b"busy", {"Retry-After": "9"}), Reply(429, b"slow down"), Reply(200, page)
    )
    assert ingest(*live_args(server, tmp_path / "w.duckdb")) == 0
    assert len(server.requests_to("/wiki/page")) == 3
    # The first wait is what the server asked for (9 s), not the 1-2 s backoff; the second is a backoff.
    assert waits[0] >= 9 and 2 <= waits[1] < 4
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.wikipedia_postal_code_rows") == [(180,)]


def test_coordinates_fall_back_to_geonames(server: FakeServer, tmp_path: Path):
    server.route("/course.csv", Reply(404, b"The course file has moved"))
    server.route("/CA.zip", Reply(200, _geonames_zip()))
    record = tmp_path / "recorded"
    assert ingest(*live_args(server, tmp_path / "w.duckdb", "--record", record)) == 0
    assert query(tmp_path / "w.duckdb", "select provider, format from raw.coordinate_files") == [
        ("geonames", "geonames_zip")
    ]
    assert Snapshot(record).section("coordinates")["path"] == "coordinates/geonames_CA.zip"


def test_a_bad_page_is_not_recorded_over_a_good_one(server: FakeServer, tmp_path: Path, capsys):
    record = tmp_path / "recorded"
    assert ingest(*live_args(server, tmp_path / "w.duckdb", "--record", record)) == 0
    good = (record / PAGE_IN_SNAPSHOT).read_bytes()
    server.route("/wiki/page", Reply(200, (FIXTURES / "wikipedia" / "error_page.html").read_bytes()))
    assert ingest(*live_args(server, tmp_path / "w.duckdb", "--record", record)) == 1
    assert "not in a layout this parser knows" in capsys.readouterr().err
    assert (record / PAGE_IN_SNAPSHOT).read_bytes() == good


def test_http_errors_name_the_url_and_status(server: FakeServer, tmp_path: Path, capsys):
    server.route("/wiki/page", Reply(403, b"forbidden"))
    assert ingest(*live_args(server, tmp_path / "w.duckdb")) == 1
    assert f"{server.url('/wiki/page')} answered HTTP 403" in capsys.readouterr().err
    assert len(server.requests_to("/wiki/page")) == 1  # a 403 is not retried


def test_no_network_fails_fast_with_the_offline_command(tmp_path: Path, capsys):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/wiki"
    started = time.monotonic()
    assert ingest("all", "--database", tmp_path / "w.duckdb", "--url", closed) == 1
    assert time.monotonic() - started < 10
    error = capsys.readouterr().err
    assert "could not reach" in error
    assert "make run SNAPSHOT=../shared/data/snapshots/toronto-2020-01" in error


def _geonames_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("CA.txt", (FIXTURES / "coordinates" / "geonames_CA.txt").read_bytes())
        zipped.writestr("readme.txt", "GeoNames")
    return archive.getvalue()
