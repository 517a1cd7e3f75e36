"""Every failure names what and where, without a traceback; options that would do nothing are
refused; live URLs can be pointed elsewhere; re-landing is idempotent; places that cannot be used
are kept, flagged and counted."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from fake_server import FakeServer, Reply, Request
from support import (
    COORDINATES_IN_SNAPSHOT,
    FIXTURES,
    PAGE_IN_SNAPSHOT,
    REPO,
    SHARED_DATA,
    SNAPSHOT,
    ingest,
    query,
    run_dbt,
)

from ingest.commands import shared as ingest_commands
from ingest.http import RetryPolicy, make_session
from ingest.venues.fetch import fetch_venues
from ingest.venues.providers import Area, Overpass, VenueQuery
from ingest.warehouse import connect

OVERPASS = (FIXTURES / "venues" / "overpass_answer.json").read_bytes()
AREAS = [
    Area(f"M{index % 9 + 1}{chr(65 + index // 9)}", 43.6 + index / 1000, -79.4, "toronto_fsa")
    for index in range(30)
]


def database_with_centres(path: Path, areas: list[Area]) -> Path:
    """A warehouse whose build schema holds area_search_circles, as `dbt build --select
    +area_search_circles` leaves it: what the live venue fetch reads."""
    with connect(path) as connection:
        connection.execute("create schema build")
        connection.execute(
            "create table build.area_search_circles (area_set varchar, area_id varchar, geometry_kind varchar, "
            "latitude double, longitude double, radius_m integer)"
        )
        connection.executemany(
            "insert into build.area_search_circles values (?, ?, 'point', ?, ?, 500)",
            [(area.area_set, area.area_id, area.latitude, area.longitude) for area in areas],
        )
    return path


# --- coordinates files name themselves in their errors ---------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        (b"Postal Code,Latitude,Longitude\r\n", "holds no rows"),
    ],
    ids=["empty", "binary", "header-only"],
)
def test_coordinates_errors_name_the_file(
    snapshot_copy: Path, tmp_path: Path, capsys, content: bytes, message: str
):
    (snapshot_copy / COORDINATES_IN_SNAPSHOT).write_bytes(content)
    assert ingest("coordinates", "--snapshot", snapshot_copy, "--database", tmp_path / "w.duckdb") == 1
    error = capsys.readouterr().err
    assert str(snapshot_copy / COORDINATES_IN_SNAPSHOT) in error and message in error
    assert "Traceback" not in error


# --- recordings of the wrong shape ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"meta": {"code": 200}, "response": []},
        {"meta": {"code": 200}, "response": {"groups": [1]}},
        {"meta": {"code": 200}, "response": {"groups": [{"items": ["not a venue"]}]}},
        ["meta"],
        "a string",
    ],
    ids=["response-a-list", "groups-of-numbers", "items-of-strings", "a-list", "a-string"],
)
def test_a_recording_of_the_wrong_shape_is_reported_and_the_rest_lands(
    snapshot_copy: Path, tmp_path: Path, capsys, body: object
):
    broken = snapshot_copy / "venues" / "foursquare_v2" / "M5A.json"
    broken.write_text(json.dumps(body))
    database = tmp_path / "w.duckdb"
    assert ingest("venues", "--snapshot", snapshot_copy, "--database", database) == 1
    error = capsys.readouterr().err
    assert "M5A: " in error and "wrong shape" in error and str(broken) in error
    assert "102 areas landed" in error and "Traceback" not in error
    assert query(database, "select count(distinct area_id) from raw.venue_responses") == [(102,)]


# --- options that would do nothing are refused ---------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["all", "--record", "somewhere"],
        ["venues", "--provider", "overpass"],
        ["venues", "--radius", "800", "--limit", "10"],
        ["venues", "--refresh"],
        ["venues", "--max-age", "7d"],
        ["postal-codes", "--url", "http://127.0.0.1:9/page"],
        ["coordinates", "--timeout", "5"],
        ["all", "--geonames-url", "http://127.0.0.1:9/x"],
        ["venues", "--area-set", "toronto_fsa", "--bbox=-79.5,43.6,-79.3,43.8"],
    ],
)
def test_live_options_with_a_snapshot_are_refused(
    shared_data: Path, tmp_path: Path, capsys, arguments: list[str]
):
    command, *options = arguments
    assert ingest(command, "--snapshot", SNAPSHOT, "--database", tmp_path / "w.duckdb", *options) == 1
    error = capsys.readouterr().err
    assert "only apply to a live fetch" in error
    assert all(option.split("=")[0] in error for option in options if option.startswith("--"))
    assert not (tmp_path / "w.duckdb").exists() or query(
        tmp_path / "w.duckdb", "select count(*) from raw.venue_responses"
    ) == [(0,)]


# --- live URLs from the environment; the command line wins ---------------------------------


def test_live_urls_come_from_the_environment_and_options_win(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sessions = []
    real_session = ingest_commands.make_session

    def counting_session() -> object:
        sessions.append(real_session())
        return sessions[-1]

    monkeypatch.setattr(ingest_commands, "make_session", counting_session)
    with FakeServer() as server:
        server.route("/env/page", Reply(200, (SNAPSHOT / PAGE_IN_SNAPSHOT).read_bytes()))
        server.route("/env/course.csv", Reply(200, (SNAPSHOT / COORDINATES_IN_SNAPSHOT).read_bytes()))
        server.route("/option/course.csv", Reply(200, (SNAPSHOT / COORDINATES_IN_SNAPSHOT).read_bytes()))
        monkeypatch.setenv("INGEST_WIKIPEDIA_URL", server.url("/env/page"))
        monkeypatch.setenv("INGEST_COORDINATES_URL", server.url("/env/course.csv"))
        monkeypatch.setenv("INGEST_GEONAMES_URL", server.url("/env/CA.zip"))
        assert ingest("all", "--database", tmp_path / "a.duckdb") == 0
        assert len(sessions) == 1  # one HTTP session for the whole run
        assert [r.path for r in server.requests] == ["/env/page", "/env/course.csv"]
        server.requests.clear()
        assert (
            ingest(
                "coordinates",
                "--database",
                tmp_path / "b.duckdb",
                "--course-csv-url",
                server.url("/option/course.csv"),
            )
            == 0
        )
        assert [r.path for r in server.requests] == ["/option/course.csv"]
    assert query(tmp_path / "a.duckdb", "select source from raw.coordinate_files") == [
        (server.url("/env/course.csv"),)
    ]


@pytest.mark.parametrize(
    ("provider", "variable", "body"),
    [
        ("overpass", "INGEST_OVERPASS_ENDPOINT", OVERPASS),
        (
            "foursquare",
            "INGEST_FOURSQUARE_ENDPOINT",
            (FIXTURES / "venues" / "foursquare_page_2.json").read_bytes(),
        ),
    ],
)
def test_venue_endpoint_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str, variable: str, body: bytes
):
    database = database_with_centres(tmp_path / "w.duckdb", AREAS[:2])
    with FakeServer() as server:
        server.route("/venues", Reply(200, body, {"Content-Type": "application/json"}))
        monkeypatch.setenv(variable, server.url("/venues"))
        monkeypatch.setenv("FOURSQUARE_API_KEY", "test-key")
        monkeypatch.setenv("INGEST_RATE", "1000")
        assert ingest("venues", "--provider", provider, "--database", database, "--no-progress") == 0
        assert len(server.requests_to("/venues")) == 2


# --- a hanging provider is given up on, and timeouts can be shortened ------------------------


def test_a_hanging_provider_is_given_up_after_consecutive_timeouts(tmp_path: Path):
    waits: list[float] = []
    # Read timeouts only: a connect timeout as short would make a loaded machine's slow accept a
    # failure of another kind, with tries of its own.
    policy = RetryPolicy(
        backoff_seconds=0.01,
        jitter_seconds=0,
        sleep=waits.append,
        timeout=(10.0, 0.2),
        timeout_from_user=True,
    )
    with FakeServer() as server, connect(tmp_path / "w.duckdb") as connection:
        server.route("/api", Reply(200, OVERPASS, delay=1.0))
        provider = Overpass(endpoint=server.url("/api"), requests_per_second=1000)
        started = time.monotonic()
        summary = fetch_venues(
            connection,
            provider,
            AREAS[:10],
            VenueQuery(),
            session=make_session(),
            policy=policy,
            progress=False,
        )
        elapsed = time.monotonic() - started
        requests = len(server.requests_to("/api"))
    assert summary.stopped and "did not answer in time for 3 areas in a row" in summary.stopped
    assert "--timeout" in summary.stopped
    assert len(summary.failed) == 3 and len(summary.not_attempted) == 7 and not summary.landed
    assert requests == 3 * 2  # two tries an area, then no more areas
    assert elapsed < 5  # the user's 0.2 s read timeout, not Overpass's 90 s


def test_timeout_from_the_command_line_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    database = database_with_centres(tmp_path / "w.duckdb", AREAS[:3])
    with FakeServer() as server:
        server.route("/overpass", Reply(200, OVERPASS, delay=3.0))
        monkeypatch.setenv("INGEST_OVERPASS_ENDPOINT", server.url("/overpass"))
        monkeypatch.setenv("INGEST_RATE", "1000")
        for how in (["--timeout", "0.2"], []):
            if not how:
                monkeypatch.setenv("INGEST_TIMEOUT", "0.2")
            started = time.monotonic()
            code = ingest(
                "venues",
                "--provider",
                "overpass",
                "--database",
                database,
                "--no-progress",
                "--max-timeouts",
                "1",
                *how,
            )
            assert code == 1 and time.monotonic() - started < 4.5, how
            error = capsys.readouterr().err
            assert (
                "read timeout 0.2 s" in error and "1 areas in a row" in error and "2 not attempted" in error
            )


# --- without a terminal, progress and every wait are logged --------------------------------


def test_progress_and_waits_are_logged_without_a_terminal(tmp_path: Path, caplog):
    waits: list[float] = []
    policy = RetryPolicy(backoff_seconds=0.01, jitter_seconds=0, sleep=waits.append)
    replies = iter([Reply(429, b"slow down", {"Retry-After": "3"})])

    def answer(_: Request) -> Reply:
        return next(replies, Reply(200, OVERPASS, {"Content-Type": "application/json"}))

    with FakeServer() as server, connect(tmp_path / "w.duckdb") as connection, caplog.at_level(logging.INFO):
        server.route("/api", answer)
        provider = Overpass(endpoint=server.url("/api"), requests_per_second=1000)
        summary = fetch_venues(
            connection, provider, AREAS, VenueQuery(), session=make_session(), policy=policy
        )
    assert len(summary.landed) == 30
    assert "venues (overpass): 25 of 30 areas done (24 landed, 0 failed)" in caplog.text or (
        "venues (overpass): 25 of 30 areas done (25 landed, 0 failed)" in caplog.text
    )
    # The 429's wait is said with its reason and length (Overpass asks for 30 s after a 429).
    assert "waiting 30.0 s before attempt 2 of 5 (HTTP 429, Retry-After 3 s)" in caplog.text
    assert waits == [30.0]


# --- Ctrl-C stops a fetch cleanly -----------------------------------------------------------


def test_ctrl_c_stops_a_fetch_with_its_summary_and_exit_130(tmp_path: Path):
    database = database_with_centres(tmp_path / "w.duckdb", AREAS[:20])
    # The fifth request is held until the signal has been sent: the fetch is under way, whatever
    # the machine's speed.
    under_way, released = threading.Event(), threading.Event()

    def answer(_: Request) -> Reply:
        if len(server.requests_to("/api")) >= 5:
            under_way.set()
            released.wait(20)
        return Reply(200, OVERPASS, {"Content-Type": "application/json"})

    with FakeServer() as server:
        server.route("/api", answer)
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest", "venues", "--provider", "overpass", "--database", str(database),
             "--no-progress", "--endpoint", server.url("/api"), "--rate", "1000"],
            cwd=REPO, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert under_way.wait(30)
        process.send_signal(signal.SIGINT)
        released.set()
        _, error = process.communicate(timeout=20)
    assert process.returncode == 130, error
    assert "Traceback" not in error and "KeyboardInterrupt" not in error
    assert "interrupted (Ctrl-C)" in error and "not attempted" in error
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO ingest", error, re.MULTILINE)  # timestamped
    landed = query(database, "select count(*) from raw.venue_responses")[0][0]
    # How many of the answered ones were landed before the signal depends on the threads: the
    # summary says how many, and never all.
    assert landed < 20 and f"{landed} areas landed" in error


# --- a warehouse held by another process: one line, naming it -------------------------------


@pytest.fixture
def held_warehouse(tmp_path: Path):
    """A warehouse another process holds open (DuckDB allows one writer), and that process's id."""
    database = tmp_path / "warehouse.duckdb"  # the name the warm partial parse has (support.run_dbt)
    duckdb.connect(str(database)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(database)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "ready"
    yield database, holder.pid
    holder.kill()
    holder.wait()


def test_a_held_warehouse_is_one_line_naming_the_process(held_warehouse, capsys):
    database, pid = held_warehouse
    assert ingest("check-warehouse", "--database", database) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert f"the warehouse {database} is in use by process {pid} (" in error and "python" in error


@pytest.mark.parametrize("target", ["build", "lint"])
def test_make_says_in_one_line_that_the_warehouse_is_in_use(held_warehouse, tmp_path: Path, target: str):
    """`make run` (through build) and `make test` (through lint) check the warehouse first."""
    database, pid = held_warehouse
    variables = [f"LINT_DATABASE={database}"] if target == "lint" else []
    result = subprocess.run(
        ["make", "--no-print-directory", target, *variables],
        cwd=REPO, env={**os.environ, "DBT_DUCKDB_PATH": str(database)}, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"is in use by process {pid}" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_a_plain_dbt_build_says_in_one_line_that_the_warehouse_is_in_use(held_warehouse):
    """Without make: dbt's own error is three chained tracebacks; the project's plugin names the holder."""
    database, pid = held_warehouse
    result = run_dbt(database, "build", "--select", "postal_codes", command=True)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert len([line for line in result.stdout.splitlines() if f"is in use by process {pid} (" in line]) == 1


# --- points: idempotent landing; places that cannot be used are kept, flagged, counted -------


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ("[0, 1] as name, 'cafe' as category", "the name column 'name' holds INTEGER[], not text"),
        ("'Fine' as name, 42 as category", "the category column 'category' holds INTEGER, not text"),
    ],
)
def test_points_files_whose_names_or_categories_are_not_text_are_refused(
    tmp_path: Path, capsys, select: str, message: str
):
    """Issue 17, row 9: a list as the name or an integer as the category is refused, naming the
    column and its type, rather than stored as the text "[0, 1]" or "42"."""
    file = tmp_path / "places.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select 'a' as id, {select}, 43.65 as lat, -79.38 as lon) to '{file}' (format parquet)"
        )
    assert ingest("points", file, "--database", tmp_path / "w.duckdb") == 1
    assert message in capsys.readouterr().err
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.place_points") == [(0,)]


def test_points_files_land_once_and_their_unusable_places_are_counted(tmp_path: Path, caplog):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.38, 43.65]},
         "properties": {"id": "ok", "name": "Fine", "category": "cafe"}},
        {"type": "Feature", "geometry": None, "properties": {"id": "g", "name": "No Geometry", "category": "cafe"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[-79.3, 43.6], [-79.2, 43.6], [-79.2, 43.7], [-79.3, 43.6]]]},
         "properties": {"id": "p", "name": "A Polygon", "category": "park"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.38, 143.65]},
         "properties": {"id": "r", "name": "Out Of Range", "category": "cafe"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.38, 43.66]},
         "properties": {"id": "c", "name": "No Category", "category": None}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.38, 43.67]},
         "properties": {"id": "n", "name": None, "category": "bar"}},
    ]  # fmt: skip
    file = tmp_path / "places.geojson"
    file.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    database = tmp_path / "w.duckdb"
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert ingest("points", file, "--database", database) == 0
    assert query(
        database, "select count(*), sum(row_count), max(unplaceable_count) from raw.place_point_files"
    ) == [(1, 6, 3)]
    assert query(database, "select count(*) from raw.place_points") == [(6,)]
    assert query(database, "select venue_id, problem, missing from raw.place_points order by row_number") == [
        ("ok", None, []),
        ("g", "no geometry", []),
        ("p", "not a point (Polygon)", []),
        ("r", "coordinates out of range", []),
        ("c", None, ["category"]),
        ("n", None, ["name"]),
    ]
    assert "3 cannot be placed on the map and are kept, flagged" in caplog.text
    assert "1 coordinates out of range, 1 no geometry, 1 not a point (Polygon)" in caplog.text
    assert "1 have no category" in caplog.text and "1 no name" in caplog.text
    assert caplog.text.count("is unchanged since load") == 2


def test_points_with_latitude_and_longitude_swapped_are_named_at_ingest(
    shared_data: Path, tmp_path: Path, caplog
):
    """Issue 17, row 6: the recorded NYC venues with their latitude and longitude columns given the
    wrong way round are in range, but lie outside every area set and inside New York swapped: the
    ingest says so, with the count, and so does the build's warning test."""
    database = tmp_path / "w.duckdb"
    nyc = SHARED_DATA / "cities" / "nyc"
    assert ingest("areas", nyc / "nta_2010.geojson", "--area-set", "nyc_nta", "--id-field", "NTACode",
                  "--database", database) == 0  # fmt: skip
    fields = ["--name-field", "Venue", "--category-field", "Venue Category"]
    with caplog.at_level(logging.INFO):
        assert ingest("points", nyc / "newyork_venues.csv", *fields, "--latitude-field", "Venue Longitude",
                      "--longitude-field", "Venue Latitude", "--database", database) == 0  # fmt: skip
    (swapped,) = re.findall(r"WARNING: ([\d,]+) lie outside every area set but inside one with latitude and longitude "
                            r"swapped", caplog.text)  # fmt: skip
    assert int(swapped.replace(",", "")) > 10_000
    # and every build says so, with the file, until a file read the right way round replaces it
    built = run_dbt(database, "build", "--select", "+int_areas_unioned", "+stg_points__places")
    ((source, places),) = re.findall(r"WARNING points_look_swapped \(1 rows\), e.g.:\n    source=(\S+) "
                                     r"swapped_places=(\d+) ", built.stdout)  # fmt: skip
    assert Path(source).name == "newyork_venues.csv"
    (distinct,) = query(database, "select count(*) from build.stg_points__places where problem is null")[0]
    assert distinct - 20 < int(places) <= distinct  # the file's distinct places, each once
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert ingest("points", nyc / "newyork_venues.csv", *fields, "--latitude-field", "Venue Latitude",
                      "--longitude-field", "Venue Longitude", "--database", database) == 0  # fmt: skip
    assert "swapped" not in caplog.text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--min-confidence", "1.5"], "--min-confidence is 1.5; a confidence is a number from 0 to 1"),
        (["--min-confidence", "nan"], "--min-confidence is nan; a confidence is a number from 0 to 1"),
        (["--min-confidence=-1"], "--min-confidence is -1.0; a confidence is a number from 0 to 1"),
        (["--area-set", "nyc_nta", "--bbox=-74,40.6,-73.9,40.8"], "give --area-set or --bbox, not both"),
        (["--release", "*"], "--release is '*'; expected latest or a release name"),
    ],
)
def test_overture_settings_that_make_no_sense_are_refused_before_anything_is_read(
    tmp_path: Path, capsys, options: list[str], message: str
):
    """Issue 24 (1, 5, 11): no bucket or catalog is asked (none runs here); one line, nothing landed."""
    database = tmp_path / "w.duckdb"
    assert ingest("venues", "--provider", "overture", *options, "--database", database) == 1
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
