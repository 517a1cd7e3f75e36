"""The venue responses' raw table and its landing: one row per area and landing, the body as
received, keyed by area set and area id; and what the fetcher needs to resume (each area's latest
request and when it was fetched)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from ingest.raw_store import NEWEST_FIRST, append, latest_load
from ingest.snapshot import sha256
from ingest.venues.providers import VenueResponse

DDL = """
create table if not exists raw.venue_responses (
    load_id varchar not null,         -- one fetch or replay run
    provider varchar not null,
    postal_code varchar not null,     -- the area id (named so when every area was a postal code)
    request json not null,            -- request parameters; never a secret
    request_fingerprint varchar not null,
    http_status integer not null,
    source varchar not null,          -- endpoint url or recorded file
    response_sha256 varchar not null,
    fetched_at timestamptz,
    loaded_at timestamptz not null,
    response json not null,           -- the body as received (a paged provider: the array of its pages)
    area_set varchar,                 -- the area set and id the answer is for
    area_id varchar,
    primary key (load_id, provider, area_set, area_id)
);
"""


def request_fingerprint(request: dict[str, Any]) -> str:
    """Identifies what was asked (provider parameters and centre), not how many pages it took."""
    stable = {key: value for key, value in request.items() if key != "pages"}
    return sha256(json.dumps(stable, sort_keys=True).encode("utf-8"))


def land_venue_response(connection: duckdb.DuckDBPyConnection, load_id: str, response: VenueResponse) -> bool:
    """Append one area's response, committed on its own (a live fetch lands each area as it
    arrives). An answer identical to the area's latest one is not landed again; returns whether it
    landed."""
    return bool(land_venue_responses(connection, load_id, [response]))


def land_venue_responses(
    connection: duckdb.DuckDBPyConnection, load_id: str, responses: Sequence[VenueResponse]
) -> list[str]:
    """Append responses in one statement (whole or not at all), leaving out any answer identical
    to its area's latest one; returns the ids of the areas whose response landed."""
    if not responses:
        return []
    latest = {
        (provider, area_set, area_id): (fingerprint, digest)
        for provider, area_set in {(r.provider, r.area_set) for r in responses}
        for area_id, (fingerprint, digest, _) in _latest_venue_rows(connection, provider, area_set).items()
    }
    now = datetime.now(UTC)
    rows = []
    for response in responses:
        fingerprint = request_fingerprint(response.request)
        digest = sha256(response.body.encode("utf-8"))
        if latest.get((response.provider, response.area_set, response.area_id)) == (fingerprint, digest):
            continue
        rows.append(
            (load_id, response.provider, response.area_id, json.dumps(response.request, sort_keys=True),
             fingerprint, response.http_status, response.source, digest, response.fetched_at, now, response.body,
             response.area_set, response.area_id)
        )  # fmt: skip
    append(
        connection,
        "raw.venue_responses",
        ("load_id", "provider", "postal_code", "request", "request_fingerprint", "http_status", "source",
         "response_sha256", "fetched_at", "loaded_at", "response", "area_set", "area_id"),
        rows,
    )  # fmt: skip
    return [row[2] for row in rows]


def latest_venue_fetches(
    connection: duckdb.DuckDBPyConnection, provider: str, area_set: str
) -> dict[str, tuple[str, datetime | None]]:
    """Per area of the set, the request fingerprint and fetch time of its latest response."""
    return {
        area_id: (fingerprint, fetched_at)
        for area_id, (fingerprint, _, fetched_at) in _latest_venue_rows(
            connection, provider, area_set
        ).items()
    }


def _latest_venue_rows(
    connection: duckdb.DuckDBPyConnection, provider: str, area_set: str
) -> dict[str, tuple[str, str, datetime | None]]:
    """Per area of the set, the request fingerprint, response sha256 and fetch time of the
    provider's latest response for it."""
    rows = connection.execute(
        "select area_id, request_fingerprint, response_sha256, fetched_at from raw.venue_responses "
        "where provider = ? and area_set = ? "
        f"qualify row_number() over (partition by area_id order by {NEWEST_FIRST}) = 1",
        [provider, area_set],
    ).fetchall()
    return {area_id: (fingerprint, digest, fetched_at) for area_id, fingerprint, digest, fetched_at in rows}


def latest_venue_response(
    connection: duckdb.DuckDBPyConnection, provider: str, area_set: str, area_id: str
) -> str | None:
    row = latest_load(connection, "raw.venue_responses", "response::varchar",
                      "provider = ? and area_set = ? and area_id = ?", [provider, area_set, area_id])  # fmt: skip
    return row[0] if row else None
