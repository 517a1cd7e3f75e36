"""Scale generator: N areas and their venues, derived from the real snapshot, landed through the
project's own raw tables so that the real dbt models run on them.

Area i is a copy of the real area i mod 103 (replica i // 103). Replica 0 is the real area as it is
(so 103 areas are exactly the snapshot: 2,226 venue rows); a later replica gets a full postal code
of its area ("M5A 0A1"), a centre moved by up to ~1 km at random (seeded), and the real area's
venues moved with it, their ids suffixed with the replica. Venue responses keep the v2 envelope
and every field the models read.

    python -m benchmarks.generate --areas 5000 --database DIR/warehouse.duckdb --venue-rows DIR/venues.parquet \
        --responses DIR/responses.jsonl
"""

from __future__ import annotations

import argparse
import json
import string
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.boundaries import boundaries_from_snapshot, land_boundaries
from ingest.coordinates.read import CoordinateRow, read_coordinates
from ingest.coordinates.store import land_coordinates
from ingest.postal_sets import default_area_set
from ingest.raw_store import new_load_id
from ingest.snapshot import Snapshot
from ingest.sources import coordinates_from_snapshot, page_from_snapshot
from ingest.venues.providers import VenueResponse
from ingest.venues.store import land_venue_responses
from ingest.warehouse import connect
from ingest.wikipedia.parse import ParsedPage, PostalCodeRow, parse_page
from ingest.wikipedia.store import land_wikipedia_page

JITTER_DEGREES = 0.01  # about 1 km
BATCH = 2000
# Full postal codes, so that the synthetic areas keep the postal-code shape the models test.
FULL_POSTAL_CODE = r"^[A-Z][0-9][A-Z]( [0-9][A-Z][0-9])?$"


@dataclass(frozen=True)
class BaseArea:
    postal_code: str
    latitude: float
    longitude: float
    rows: list[PostalCodeRow]
    items: list[dict]  # v2 response items


@dataclass(frozen=True)
class Synthetic:
    page: ParsedPage
    coordinates: list[CoordinateRow]
    responses: list[VenueResponse]
    venue_rows: pa.Table  # the same venues as the seed notebook's DataFrame


def base_areas(snapshot: Snapshot) -> tuple[ParsedPage, list[BaseArea]]:
    page = parse_page(page_from_snapshot(snapshot).content)
    coordinates_input = coordinates_from_snapshot(snapshot)
    centres = {
        row.postal_code: (float(row.latitude), float(row.longitude))
        for row in read_coordinates(
            coordinates_input.content, coordinates_input.format, coordinates_input.columns
        )
    }
    venues = snapshot.section("venues")
    areas = []
    for code, (latitude, longitude) in sorted(centres.items()):
        body = json.loads(snapshot.read(f"{venues['dir']}/{code}.json"))
        items = [item for group in body["response"]["groups"] for item in group["items"]]
        rows = [row for row in page.rows if row.postal_code == code]
        areas.append(BaseArea(code, latitude, longitude, rows, items))
    return page, areas


def replica_code(postal_code: str, replica: int) -> str:
    """Replica r >= 1 of an FSA as a full postal code: M5A -> M5A 0A0, M5A 0A1, ... M5A 9Z9."""
    number = replica - 1
    digit_1, rest = divmod(number, 260)
    letter, digit_2 = divmod(rest, 10)
    if digit_1 > 9:
        raise ValueError("at most 2,600 replicas of an area")
    return f"{postal_code} {digit_1}{string.ascii_uppercase[letter]}{digit_2}"


def generate(snapshot: Snapshot, area_count: int, seed: int = 42) -> Synthetic:
    page, bases = base_areas(snapshot)
    area_set = default_area_set(page.postal_codes)
    if area_count < len(bases):
        raise ValueError(f"at least {len(bases)} areas (the snapshot's)")
    generator = np.random.default_rng(seed)
    page_rows = list(page.rows)  # replica 0: the real page, unassigned codes included
    coordinates, responses = [], []
    venue_columns: dict[str, list] = {name: [] for name in (
        "Neighborhood", "Neighborhood Latitude", "Neighborhood Longitude", "Venue", "Venue Latitude",
        "Venue Longitude", "Venue Category")}  # fmt: skip
    for index in range(area_count):
        base = bases[index % len(bases)]
        replica = index // len(bases)
        code = base.postal_code if replica == 0 else replica_code(base.postal_code, replica)
        shift_lat, shift_lon = (
            (0.0, 0.0) if replica == 0 else generator.uniform(-JITTER_DEGREES, JITTER_DEGREES, 2)
        )
        latitude, longitude = base.latitude + shift_lat, base.longitude + shift_lon
        if replica:
            page_rows += [replace(row, postal_code=code) for row in base.rows]
        coordinates.append(CoordinateRow(index + 1, code, f"{latitude:.7f}", f"{longitude:.7f}"))
        items = []
        for item in base.items:
            venue = item["venue"]
            primary = next((c for c in venue["categories"] if c.get("primary")), venue["categories"][0])
            moved = {
                "id": venue["id"] if replica == 0 else f"{venue['id']}~{replica}",
                "name": venue["name"],
                "location": {
                    "lat": venue["location"]["lat"] + shift_lat,
                    "lng": venue["location"]["lng"] + shift_lon,
                    "distance": venue["location"]["distance"],
                },
                "categories": [{"id": primary["id"], "name": primary["name"], "primary": True}],
            }
            items.append({"venue": moved})
            for column, value in zip(venue_columns, (code, latitude, longitude, moved["name"],
                                                     moved["location"]["lat"], moved["location"]["lng"],
                                                     primary["name"]), strict=True):  # fmt: skip
                venue_columns[column].append(value)
        body = json.dumps(
            {"meta": {"code": 200}, "response": {"groups": [{"type": "Recommended Places", "items": items}]}}
        )
        request = {
            "latitude": latitude,
            "longitude": longitude,
            "radius_m": 500,
            "limit": 100,
            "synthetic": True,
        }
        responses.append(
            VenueResponse("foursquare_v2", area_set, code, request, 200, "synthetic", body, None)
        )
    numbered = tuple(replace(row, row_number=number) for number, row in enumerate(page_rows, start=1))
    return Synthetic(
        ParsedPage(page.layout, numbered, page.revision_id, page.title),
        coordinates,
        responses,
        pa.table(venue_columns),
    )


def land(database: Path, synthetic: Synthetic, snapshot: Snapshot) -> None:
    with connect(database) as connection:
        land_wikipedia_page(
            connection, source=f"synthetic:{len(synthetic.coordinates)}", content=repr(len(synthetic.page.rows)).encode(),
            page=synthetic.page, area_set=default_area_set(synthetic.page.postal_codes),
        )  # fmt: skip
        content = "\n".join(
            f"{r.postal_code},{r.latitude},{r.longitude}" for r in synthetic.coordinates
        ).encode()
        land_coordinates(
            connection, provider="synthetic", file_format="csv", source="synthetic", content=content,
            columns=None, rows=synthetic.coordinates,
        )  # fmt: skip
        load_id = new_load_id()
        for start in range(0, len(synthetic.responses), BATCH):
            land_venue_responses(connection, load_id, synthetic.responses[start : start + BATCH])
        source, boundary_content, key = boundaries_from_snapshot(snapshot)
        land_boundaries(connection, source=source, content=boundary_content, key_property=key)


def write_responses(responses: list[VenueResponse], path: Path) -> None:
    """The responses as landed in raw.venue_responses, one JSON object a line: the area, its centre
    and the provider's body (as the API sent it)."""
    with path.open("w", encoding="utf-8") as file:
        for response in responses:
            envelope = {"area_id": response.area_id, "latitude": response.request["latitude"],
                        "longitude": response.request["longitude"]}  # fmt: skip
            file.write(json.dumps(envelope)[:-1] + ', "body": ' + response.body + "}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    parser.add_argument("--areas", type=int, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument(
        "--venue-rows", type=Path, help="also write the venue rows (the peers' input) as Parquet"
    )
    parser.add_argument(
        "--responses", type=Path, help="also write the raw venue responses (JSON lines) the project lands"
    )
    parser.add_argument("--snapshot", type=Path, default=Path("../shared/data/snapshots/toronto-2020-01"))
    args = parser.parse_args(argv)
    snapshot = Snapshot(args.snapshot)
    started = time.perf_counter()
    synthetic = generate(snapshot, args.areas)
    generated = time.perf_counter()
    land(args.database, synthetic, snapshot)
    landed = time.perf_counter()
    if args.venue_rows:
        pq.write_table(synthetic.venue_rows, args.venue_rows)
    if args.responses:
        write_responses(synthetic.responses, args.responses)
    print(json.dumps({
        "areas": args.areas, "venue_rows": synthetic.venue_rows.num_rows,
        "generate_seconds": generated - started, "land_seconds": landed - generated,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
