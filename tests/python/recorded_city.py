"""A stand-in for the live services, made from the recorded Toronto snapshot: the page, the
coordinates file, and Overpass answers made from the recorded Foursquare venues of the area whose
centre the query names."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

from fake_server import FakeServer, Reply, Request
from support import COORDINATES_IN_SNAPSHOT, PAGE_IN_SNAPSHOT

_AROUND = re.compile(r"around:(\d+),(-?\d+\.\d+),(-?\d+\.\d+)")


def centres(snapshot: Path) -> dict[str, tuple[float, float]]:
    text = (snapshot / COORDINATES_IN_SNAPSHOT).read_text(encoding="utf-8-sig")
    return {
        row["Postal Code"]: (float(row["Latitude"]), float(row["Longitude"]))
        for row in csv.DictReader(io.StringIO(text))
    }


def overpass_answer(snapshot: Path, postal_code: str) -> bytes:
    """The recorded v2 venues of an area as OSM elements: a node each, the category as an amenity
    tag value ("Coffee Shop" -> coffee_shop), the venue id hashed into a node id."""
    recorded = json.loads((snapshot / "venues" / "foursquare_v2" / f"{postal_code}.json").read_bytes())
    elements = []
    for group in recorded["response"]["groups"]:
        for item in group["items"]:
            venue = item["venue"]
            category = venue["categories"][0]["name"] if venue["categories"] else "unknown"
            elements.append(
                {
                    "type": "node",
                    "id": int(hashlib.sha256(venue["id"].encode()).hexdigest()[:12], 16),
                    "lat": venue["location"]["lat"],
                    "lon": venue["location"]["lng"],
                    "tags": {
                        "name": venue["name"],
                        "amenity": re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_"),
                    },
                }
            )
    return json.dumps({"version": 0.6, "generator": "recorded city", "elements": elements}).encode()


def serve(server: FakeServer, snapshot: Path) -> dict[str, str]:
    """Routes for the page, the coordinates (GeoNames gone: 404) and Overpass; returns the
    environment variables that point the project at them."""
    known = centres(snapshot)
    server.route(
        "/wiki/List_of_postal_codes_of_Canada:_M", Reply(200, (snapshot / PAGE_IN_SNAPSHOT).read_bytes())
    )
    server.route("/Geospatial_data", Reply(200, (snapshot / COORDINATES_IN_SNAPSHOT).read_bytes()))
    server.route("/export/zip/CA.zip", Reply(404, b"not here"))

    def overpass(request: Request) -> Reply:
        query = parse_qs(request.body.decode())["data"][0]
        latitude, longitude = (float(value) for value in _AROUND.search(query).groups()[1:])
        code = min(known, key=lambda c: (known[c][0] - latitude) ** 2 + (known[c][1] - longitude) ** 2)
        return Reply(200, overpass_answer(snapshot, code), {"Content-Type": "application/json"})

    server.route("/api/interpreter", overpass)
    return {
        "INGEST_WIKIPEDIA_URL": server.url("/wiki/List_of_postal_codes_of_Canada:_M"),
        "INGEST_COORDINATES_URL": server.url("/Geospatial_data"),
        "INGEST_GEONAMES_URL": server.url("/export/zip/CA.zip"),
        "INGEST_OVERPASS_ENDPOINT": server.url("/api/interpreter"),
    }
