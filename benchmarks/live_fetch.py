"""Live-fetch benchmark: a local server on 127.0.0.1 that answers like the Foursquare Places API
with 300 ms of latency and 50 places a page; fetch the 103 areas of the snapshot at limit 100 (so
two pages each) with the project's fetcher, then again (it must issue no request), and with a
plain sequential loop like the seed notebook's.

    python -m benchmarks.live_fetch
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from fake_server import FakeServer, Reply, Request

from ingest.coordinates.read import read_coordinates
from ingest.http import make_session
from ingest.snapshot import Snapshot
from ingest.sources import coordinates_from_snapshot
from ingest.venues.fetch import fetch_venues
from ingest.venues.providers import Area, FoursquarePlaces, VenueQuery
from ingest.warehouse import connect

LATENCY = 0.3
PAGE = 50


def areas(snapshot: Path) -> list[Area]:
    source = coordinates_from_snapshot(Snapshot(snapshot))
    return [
        Area(row.postal_code, float(row.latitude), float(row.longitude), "toronto_fsa")
        for row in read_coordinates(source.content, source.format, source.columns)
    ]


def places_api(server: FakeServer) -> None:
    def page(offset: int) -> bytes:
        results = [
            {"fsq_place_id": f"p{offset + n}", "name": f"Place {offset + n}", "latitude": 43.65, "longitude": -79.38,
             "distance": offset + n, "categories": [{"fsq_category_id": "c", "name": "Café"}]}
            for n in range(PAGE)
        ]  # fmt: skip
        return json.dumps({"results": results}).encode()

    def answer(request: Request) -> Reply:
        if "cursor" in request.query:
            return Reply(200, page(PAGE), delay=LATENCY)
        following = server.url(f"/places/search?cursor=2&ll={request.query['ll'][0]}&limit={PAGE}")
        return Reply(200, page(0), {"Link": f'<{following}>; rel="next"'}, delay=LATENCY)

    server.route("/places/search", answer)


def sequential_loop(server: FakeServer, targets: list[Area]) -> float:
    """The seed notebook's way: one request after another, following the pages."""
    started = time.perf_counter()
    for area in targets:
        url = server.url("/places/search")
        params: dict | None = {"ll": f"{area.latitude},{area.longitude}", "radius": 500, "limit": PAGE}
        while url:
            response = requests.get(url, params=params, headers={"Authorization": "Bearer key"}, timeout=30)
            url = response.links.get("next", {}).get("url")
            params = None
    return time.perf_counter() - started


def run(snapshot: Path) -> dict[str, float | int]:
    targets = areas(snapshot)
    results: dict[str, float | int] = {"areas": len(targets), "latency_seconds": LATENCY}
    with FakeServer() as server, tempfile.TemporaryDirectory() as work:
        places_api(server)
        provider = FoursquarePlaces("bench-key", endpoint=server.url("/places/search"))
        results["concurrency"] = provider.concurrency
        results["requests_per_second_limit"] = provider.requests_per_second
        with connect(Path(work) / "w.duckdb") as connection:
            for label in ("first", "second"):
                server.requests.clear()
                started = time.perf_counter()
                summary = fetch_venues(
                    connection,
                    provider,
                    targets,
                    VenueQuery(limit=100),
                    session=make_session(),
                    progress=False,
                )
                results[f"project_{label}_seconds"] = time.perf_counter() - started
                results[f"project_{label}_requests"] = len(server.requests)
                results[f"project_{label}_landed"] = len(summary.landed)
        server.requests.clear()
        results["sequential_seconds"] = sequential_loop(server, targets)
        results["sequential_requests"] = len(server.requests)
    return results


def main() -> int:
    print(
        json.dumps(
            run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/snapshots/toronto-2020-01"))
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
