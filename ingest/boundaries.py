"""Area boundaries: a GeoJSON FeatureCollection of postal-code polygons (e.g. Statistics Canada's
FSA boundary file, Open Licence), landed feature by feature for the map. DuckDB reads the file."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from ingest.errors import IngestError
from ingest.raw_store import LoadResult, latest_load_matches, new_load_id
from ingest.snapshot import Snapshot, sha256

DDL = """
create table if not exists raw.boundary_files (
    load_id varchar primary key,
    source varchar not null,
    sha256 varchar not null,
    key_property varchar not null,    -- the feature property holding the postal code (CFSAUID)
    loaded_at timestamptz not null,
    feature_count bigint not null
);

create table if not exists raw.boundary_features (
    load_id varchar not null,
    feature_number bigint not null,   -- file order
    postal_code varchar,              -- the key property, as found
    geometry json,
    properties json,
    primary key (load_id, feature_number)
);
"""


class BoundariesFormatError(IngestError):
    """The boundary file is not a GeoJSON FeatureCollection keyed by postal code."""


def boundaries_from_snapshot(snapshot: Snapshot) -> tuple[str, bytes, str]:
    """(path, content, key property) of the snapshot's boundary file."""
    section = snapshot.section("boundaries")
    if section.get("format", "geojson") != "geojson":
        raise BoundariesFormatError(
            f"boundaries in {section.get('format')!r} are not supported; expected geojson"
        )
    path = section.get("path")
    if not path:
        raise BoundariesFormatError("the snapshot manifest's boundaries section has no path")
    return str(snapshot.path(path)), snapshot.read(path), section.get("key_property", "CFSAUID")


def land_boundaries(
    connection: duckdb.DuckDBPyConnection, *, source: str, content: bytes, key_property: str
) -> LoadResult:
    digest = sha256(content)
    unchanged = latest_load_matches(connection, "raw.boundary_files", digest, "key_property", key_property)
    if unchanged:
        return LoadResult(unchanged, 0, reused=True)
    load_id = new_load_id()
    connection.execute("begin transaction")
    try:
        connection.execute(
            """
            insert into raw.boundary_features
            select ?, feature.position, to_json(feature.item.properties) ->> ?,
                to_json(feature.item.geometry), to_json(feature.item.properties)
            from read_json(?, maximum_object_size = 2000000000) as collection,
                unnest(collection.features) with ordinality as feature(item, position)
            """,
            [load_id, key_property, source],
        )
        count = connection.execute(
            "select count(*), count(postal_code) from raw.boundary_features where load_id = ?", [load_id]
        ).fetchone()
        if count[0] == 0 or count[1] == 0:
            raise BoundariesFormatError(
                f"{source} has no features with the property {key_property!r}; name the property holding the "
                "postal code in the manifest's boundaries.key_property"
            )
        connection.execute(
            "insert into raw.boundary_files values (?, ?, ?, ?, ?, ?)",
            [load_id, source, digest, key_property, datetime.now(UTC), count[0]],
        )
        connection.execute("commit")
    except duckdb.Error as error:
        connection.execute("rollback")
        raise BoundariesFormatError(
            f"{source} could not be read as a GeoJSON FeatureCollection: {error}"
        ) from error
    except BaseException:
        connection.execute("rollback")
        raise
    return LoadResult(load_id, count[0], reused=False)
