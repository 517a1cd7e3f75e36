"""The coordinates files' raw tables and their landing: the file's bytes and its rows as text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from ingest.coordinates.read import CoordinateRow
from ingest.raw_store import LoadResult, append, latest_load_matches, new_load_id, transaction
from ingest.snapshot import sha256

DDL = """
create table if not exists raw.coordinate_files (
    load_id varchar primary key,
    provider varchar not null,
    format varchar not null,
    source varchar not null,
    sha256 varchar not null,
    columns json,
    loaded_at timestamptz not null,
    content blob not null
);

create table if not exists raw.coordinates (
    load_id varchar not null,
    row_number integer not null,      -- file order
    postal_code varchar not null,     -- text as found
    latitude varchar,
    longitude varchar,
    place_name varchar,
    primary key (load_id, row_number)
);
"""


def land_coordinates(
    connection: duckdb.DuckDBPyConnection,
    *,
    provider: str,
    file_format: str,
    source: str,
    content: bytes,
    columns: dict[str, str] | None,
    rows: Sequence[CoordinateRow],
) -> LoadResult:
    digest = sha256(content)
    unchanged = latest_load_matches(connection, "raw.coordinate_files", digest, "format", file_format)
    if unchanged:
        return LoadResult(unchanged, len(rows), reused=True)
    load_id = new_load_id()
    with transaction(connection):
        connection.execute(
            "insert into raw.coordinate_files values (?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, provider, file_format, source, digest, json.dumps(columns) if columns else None,
             datetime.now(UTC), content],
        )  # fmt: skip
        append(
            connection,
            "raw.coordinates",
            ("load_id", "row_number", "postal_code", "latitude", "longitude", "place_name"),
            ((load_id, r.row_number, r.postal_code, r.latitude, r.longitude, r.place_name) for r in rows),
        )
    return LoadResult(load_id, len(rows), reused=False)
