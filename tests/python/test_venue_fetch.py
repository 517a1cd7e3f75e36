"""Live venue providers against a local server that answers in each provider's documented shape
and injects faults; resuming an interrupted fetch; keys never recorded; replaying recordings."""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path

import duckdb
import pytest
from fake_server import FakeServer, Reply, Request
from support import FIXTURES, SNAPSHOT, ingest, query

from ingest import overture
from ingest.http import RetryPolicy, make_session
from ingest.settings import project_settings
from ingest.snapshot import Recorder, Snapshot
from ingest.venues.fetch import FetchSummary, fetch_venues, replay_venues
from ingest.venues.providers import (
    LIVE,
    PROVIDERS,
    Area,
    FoursquarePlaces,
    MissingKeyError,
    Overpass,
    VenueQuery,
)
from ingest.warehouse import connect

KEY = "fsq-TEST-SECRET-0123456789"
AREAS = [
    Area(code, 43.60 + index / 100, -79.40 + index / 100, "toronto_fsa")
    for index, code in enumerate(["M1B", "M1C", "M3A", "M4A", "M5A", "M5B", "M6A", "M7A", "M8V", "M9A"])
]
PAGE_1 = (FIXTURES / "venues" / "foursquare_page_1.json").read_bytes()
PAGE_2 = (FIXTURES / "venues" / "foursquare_page_2.json").read_bytes()
OVERPASS = (FIXTURES / "venues" / "overpass_answer.json").read_bytes()


class Waits:
    """Stands in for time.sleep: records the waits the retry logic asks for."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def policy(waits: Waits) -> RetryPolicy:
    return RetryPolicy(
        attempts=3,
        connect_attempts=1,
        backoff_seconds=0.01,
        jitter_seconds=0.0,
        timeout=(2.0, 0.5),
        sleep=waits,
    )


@pytest.fixture
def connection(tmp_path: Path):
    with connect(tmp_path / "w.duckdb") as opened:
        yield opened


def area_of(request: Request) -> str:
    latitude = round(float(request.query["ll"][0].split(",")[0]), 4)
    return next(area.area_id for area in AREAS if round(area.latitude, 4) == latitude)


def foursquare_server(server: FakeServer, faults: dict[str, list[Reply]] | None = None) -> None:
    """Page 1 links to page 2 through the `link` header, as the Places API does. An area's faults
    are answered first, one a request; then it is answered normally."""
    pending = {code: list(replies) for code, replies in (faults or {}).items()}

    def answer(request: Request) -> Reply:
        code = area_of(request)
        if pending.get(code):
            return pending[code].pop(0)
        if "cursor" in request.query:
            return Reply(200, PAGE_2, {"Content-Type": "application/json"})
        following = server.url(f"/places/search?ll={request.query['ll'][0]}&cursor=c2&limit=50")
        return Reply(200, PAGE_1, {"Content-Type": "application/json", "Link": f'<{following}>; rel="next"'})

    server.route("/places/search", answer)


def run_foursquare(connection, server: FakeServer, policy: RetryPolicy, **options) -> FetchSummary:
    provider = FoursquarePlaces(
        KEY, endpoint=server.url("/places/search"), concurrency=4, requests_per_second=1000
    )
    return fetch_venues(
        connection, provider, options.pop("areas", AREAS), VenueQuery(radius_m=500, limit=options.pop("limit", 100)),
        session=make_session(), policy=policy, progress=False, postal_area_set="toronto_fsa", **options,
    )  # fmt: skip


def landed(connection) -> dict[str, int]:
    rows = connection.execute("select area_id, count(*) from raw.venue_responses group by all").fetchall()
    return dict(rows)


def test_foursquare_pages_through_the_link_header(connection, policy):
    with FakeServer() as server:
        foursquare_server(server)
        summary = run_foursquare(connection, server, policy, areas=AREAS[:2], limit=3)
    assert summary.landed and not summary.failed
    assert sorted(summary.landed) == ["M1B", "M1C"]
    first, *rest = [r for r in server.requests if area_of(r) == "M1B"]
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert first.headers["x-places-api-version"] == "2025-06-17"
    assert first.headers["user-agent"].startswith("neighbourhood-segmentation/")
    assert (first.query["limit"], first.query["radius"], first.query["sort"]) == (
        ["3"],
        ["500"],
        ["DISTANCE"],
    )
    # 3 asked, 2 found on page 1: the next page asks for 1 at most
    assert [r.query["limit"] for r in rest] == [["1"]]
    body, request = connection.execute(
        "select response, request from raw.venue_responses where area_id = 'M1B'"
    ).fetchone()
    pages = json.loads(body)
    assert [len(page["results"]) for page in pages] == [2, 1]
    assert json.loads(request)["pages"] == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_each_server_error_is_retried(connection, policy, status: int):
    with FakeServer() as server:
        foursquare_server(server, {"M1B": [Reply(status, b"oops")]})
        summary = run_foursquare(connection, server, policy, areas=AREAS[:1], limit=3)
        tries = len([request for request in server.requests if "cursor" not in request.query])
    assert summary.landed == ["M1B"] and not summary.failed
    assert tries == 2  # the error, then the answer


def test_retry_after_is_honoured_and_server_errors_retried(connection, policy, waits):
    faults = {"M1B": [Reply(429, b"slow down", {"Retry-After": "7"})], "M1C": [Reply(503, b"busy")]}
    with FakeServer() as server:
        foursquare_server(server, faults)
        summary = run_foursquare(connection, server, policy, areas=AREAS[:2])
    assert not summary.failed
    assert 7.0 in waits.seconds  # the Retry-After of the 429
    assert landed(connection) == {"M1B": 1, "M1C": 1}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(500, b"internal error"), "answered HTTP 500"),
        (
            Reply(
                200, b"<!DOCTYPE html><html><body>Maintenance</body></html>", {"Content-Type": "text/html"}
            ),
            "answered HTML instead of JSON",
        ),
        (
            Reply(200, PAGE_1[: len(PAGE_1) // 2], {"Content-Type": "application/json"}),
            "invalid or truncated JSON",
        ),
        (
            Reply(200, b'{"message": "no results key"}', {"Content-Type": "application/json"}),
            "without a results list",
        ),
        (Reply(200, PAGE_1, {"Content-Type": "application/json"}, delay=1.5), "did not answer in time"),
    ],
    ids=["5xx-after-retries", "html", "truncated-json", "wrong-shape", "timeout"],
)
def test_a_bad_answer_fails_its_area_only(connection, policy, reply: Reply, reason: str):
    with FakeServer() as server:
        foursquare_server(server, {"M5A": [reply] * 5})
        summary = run_foursquare(connection, server, policy)
    assert list(summary.failed) == ["M5A"]
    assert reason in summary.failed["M5A"]
    assert "M5A" in summary.describe() and reason in summary.describe()
    assert "M5A" not in landed(connection)  # nothing landed for it
    assert len(landed(connection)) == len(AREAS) - 1


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_stops_the_run_at_once(connection, policy, status: int):
    with FakeServer() as server:
        server.route("/places/search", Reply(status, b'{"message": "Invalid request token."}'))
        provider = FoursquarePlaces(
            KEY, endpoint=server.url("/places/search"), concurrency=1, requests_per_second=1000
        )
        summary = fetch_venues(
            connection, provider, AREAS, VenueQuery(), session=make_session(), policy=policy, progress=False
        )
    assert len(server.requests) == 1  # not retried, and no other area tried
    assert summary.stopped and f"HTTP {status}" in summary.stopped and "FOURSQUARE_API_KEY" in summary.stopped
    assert landed(connection) == {}


def test_an_interrupted_fetch_resumes_without_duplicates_or_loss(connection, policy, tmp_path: Path):
    class Interrupting(Recorder):
        def write(self, relative: str, content: bytes, *, flush: bool = True) -> Path:
            if len(self._digests) == 4:
                signal.raise_signal(signal.SIGINT)  # Ctrl-C while the fifth answer is being recorded
            return super().write(relative, content, flush=flush)

    record = tmp_path / "recorded"
    with FakeServer() as server:
        foursquare_server(server)
        interrupted = run_foursquare(connection, server, policy, recorder=Interrupting(record))
        assert interrupted.interrupted and "interrupted (Ctrl-C)" in interrupted.describe()
        first_run = set(landed(connection))
        assert len(interrupted.not_attempted) + len(first_run) == len(AREAS)
        assert len(first_run) == 5  # the answer in hand is landed, then the run stops
        assert len(Snapshot(record).manifest["sha256"]) == 5  # the manifest was flushed on the way out
        server.requests.clear()
        summary = run_foursquare(connection, server, policy, recorder=Recorder(record))
        assert {area_of(r) for r in server.requests} == {a.area_id for a in AREAS} - first_run
        assert sorted(summary.reused) == sorted(first_run)
        assert landed(connection) == {area.area_id: 1 for area in AREAS}

        server.requests.clear()
        again = run_foursquare(connection, server, policy)
        assert server.requests == [] and len(again.reused) == len(AREAS)  # a re-run fetches nothing
        refreshed = run_foursquare(connection, server, policy, refresh=True)
        assert len(refreshed.landed) == len(AREAS)
    assert sorted(Snapshot(record).manifest["venues"]["requests"]) == sorted(a.area_id for a in AREAS)


def test_the_key_never_reaches_raw_tables_logs_or_recordings(tmp_path: Path, policy, caplog, capsys):
    record = tmp_path / "recorded"
    database = tmp_path / "w.duckdb"
    caplog.set_level(logging.DEBUG)
    with FakeServer() as server, connect(database) as connection:
        foursquare_server(server, {"M5A": [Reply(401, b"bad key")], "M1B": [Reply(500, b"oops")] * 5})
        run_foursquare(connection, server, policy, recorder=Recorder(record), areas=AREAS[:5])
        assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"  # it was used
        dumped = connection.execute("select * from raw.venue_responses").fetchall()
    captured = capsys.readouterr()
    # Not the key, nor any 8 characters of it in a row (a truncated or partly masked key leaks too).
    pieces = {KEY[start : start + 8] for start in range(len(KEY) - 7)}
    texts = {
        "logs": caplog.text + captured.out + captured.err,
        "raw tables": repr(dumped),
        "the DuckDB file": database.read_bytes().decode("latin-1"),
        "the provider's repr": repr(FoursquarePlaces(KEY)),
        **{str(file): file.read_bytes().decode("latin-1") for file in record.rglob("*") if file.is_file()},
    }
    for where, text in texts.items():
        assert not [piece for piece in pieces if piece in text], where


def test_foursquare_without_a_key_says_where_to_put_it():
    with pytest.raises(MissingKeyError, match="FOURSQUARE_API_KEY"):
        FoursquarePlaces("")


def overpass_provider(server: FakeServer) -> Overpass:
    return Overpass(endpoint=server.url("/api/interpreter"), requests_per_second=1000)


def test_overpass_posts_one_query_at_a_time(connection, policy):
    with FakeServer() as server:
        # Each answer takes 0.1 s: two requests in flight at once would overlap, and be seen.
        server.route(
            "/api/interpreter", Reply(200, OVERPASS, {"Content-Type": "application/json"}, delay=0.1)
        )
        summary = fetch_venues(
            connection, overpass_provider(server), AREAS[:4], VenueQuery(radius_m=500, limit=100),
            session=make_session(), policy=policy, progress=False,
        )  # fmt: skip
    assert sorted(summary.landed) == ["M1B", "M1C", "M3A", "M4A"]
    assert server.max_in_flight == 1 and len(server.requests) == 4
    posted = server.requests[0]
    assert posted.method == "POST" and posted.headers["user-agent"].startswith("neighbourhood-segmentation/")
    query_text = dict(item.split("=", 1) for item in posted.body.decode().split("&"))["data"]
    assert "%5Bout%3Ajson%5D" in query_text and "around%3A500%2C43.6000000%2C-79.4000000" in query_text
    assert "out+center" in query_text


def test_overpass_waits_30_seconds_after_a_429_and_rejects_partial_answers(connection, policy, waits):
    partial = json.dumps({"elements": [], "remark": 'runtime error: Query timed out in "query" at line 3'})
    with FakeServer() as server:
        server.route(
            "/api/interpreter",
            Reply(429, b"rate limited"),  # no Retry-After: the provider's own 30 s apply
            Reply(200, OVERPASS),
            Reply(200, partial.encode()),
        )
        summary = fetch_venues(
            connection, overpass_provider(server), AREAS[:2], VenueQuery(),
            session=make_session(), policy=policy, progress=False,
        )  # fmt: skip
    assert max(waits.seconds) >= 30
    assert summary.landed == ["M1B"]
    assert "incomplete result" in summary.failed["M1C"] and "timed out" in summary.failed["M1C"]


def test_replaying_the_shared_snapshot(shared_data: Path, connection):
    (summary,) = replay_venues(connection, Snapshot(SNAPSHOT), "toronto_fsa")
    assert len(summary.landed) == 103 and not summary.failed
    (again,) = replay_venues(connection, Snapshot(SNAPSHOT), "toronto_fsa")
    assert len(again.reused) == 103 and not again.landed  # identical answers are not landed twice
    assert query_count(connection, "select count(*) from raw.venue_responses") == 103


def test_a_truncated_recording_fails_its_area_only(snapshot_copy: Path, tmp_path: Path, capsys):
    broken = snapshot_copy / "venues" / "foursquare_v2" / "M5A.json"
    broken.write_bytes(broken.read_bytes()[:500])
    database = tmp_path / "w.duckdb"
    assert ingest("venues", "--snapshot", snapshot_copy, "--database", database) == 1
    error = capsys.readouterr().err
    assert "M5A: answered invalid or truncated JSON" in error and "102 areas landed" in error
    assert query(database, "select count(*) from raw.venue_responses where area_id = 'M5A'") == [(0,)]


def test_venues_need_the_areas_built_first(tmp_path: Path, capsys):
    assert ingest("venues", "--provider", "overpass", "--database", tmp_path / "w.duckdb") == 1
    error = capsys.readouterr().err
    assert "build.area_search_circles is not built yet" in error
    assert "dbt build --select +area_search_circles" in error


def query_count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return connection.execute(sql).fetchone()[0]


def test_a_recording_started_late_still_holds_every_area(connection, policy, tmp_path: Path):
    record = tmp_path / "recorded"
    with FakeServer() as server:
        foursquare_server(server)
        run_foursquare(connection, server, policy, areas=AREAS[:3])
        server.requests.clear()
        summary = run_foursquare(connection, server, policy, recorder=Recorder(record))
    assert sorted(summary.reused) == ["M1B", "M1C", "M3A"]
    recorded = sorted(path.stem for path in (record / "venues" / "foursquare").glob("*.json"))
    assert recorded == sorted(area.area_id for area in AREAS)
    # and the recording replays to the same answers
    with connect(tmp_path / "replay.duckdb") as replayed:
        (summary,) = replay_venues(replayed, Snapshot(record), "toronto_fsa")
        assert len(summary.landed) == len(AREAS)
        sql = "select area_id, response::varchar from raw.venue_responses order by 1"
        assert replayed.execute(sql).fetchall() == connection.execute(sql).fetchall()


def test_every_provider_name_is_one_of_var_venue_providers():
    """The names the code gives providers (the ones fetched live, the ones replayed, Overture's) are
    the ones the SQL unions by (var venue_providers): a name renamed on one side fails here, not as
    venues that silently never reach area_venues."""
    named = {*PROVIDERS, *LIVE, overture.PROVIDER, "points"}
    assert named == set(project_settings().venue_providers)
