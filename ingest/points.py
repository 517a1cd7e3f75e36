"""The `points` provider: land a bulk file of places (GeoJSON points, CSV or Parquet with a name, a
category and coordinates, such as Foursquare Open Source Places, Overture places or an
OpenStreetMap extract). DuckDB reads the file; the dbt models pick the places within the radius
of each area's centre.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.errors import IngestError
from ingest.snapshot import sha256
from ingest.warehouse import LoadResult, new_load_id

FORMATS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet"}
_ID_FALLBACKS = ("id", "fsq_place_id", "osm_id")
_LATITUDE_NAMES = ("latitude", "lat", "y")
_LONGITUDE_NAMES = ("longitude", "lon", "lng", "long", "x")


class PointsFormatError(IngestError):
    """A points file is not in a shape this provider reads."""


@dataclass(frozen=True)
class PointFields:
    """Which property (GeoJSON) or column (CSV/Parquet) holds each value; None = guess."""

    id: str | None = None
    name: str = "name"
    category: str = "category"
    latitude: str | None = None
    longitude: str | None = None


def land_points(
    connection: duckdb.DuckDBPyConnection, files: Sequence[Path], fields: PointFields
) -> LoadResult:
    """Land the files as one load (the models read the latest load), in one transaction."""
    load_id = new_load_id()
    loaded_at = datetime.now(UTC)
    total = 0
    connection.execute("begin transaction")
    try:
        for file in files:
            file_format = FORMATS.get(file.suffix.lower())
            if file_format is None:
                raise PointsFormatError(
                    f"{file}: unknown points format {file.suffix!r}; expected one of {sorted(FORMATS)}"
                )
            if not file.is_file():
                raise PointsFormatError(f"{file} is not a file")
            count = _land_file(connection, load_id, file, file_format, fields)
            connection.execute(
                "insert into raw.place_point_files values (?, ?, ?, ?, ?::json, ?, ?)",
                [load_id, str(file), sha256(file.read_bytes()), file_format,
                 json.dumps(asdict(fields)), loaded_at, count],
            )  # fmt: skip
            total += count
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return LoadResult(load_id, total, reused=False)


def _land_file(
    connection: duckdb.DuckDBPyConnection, load_id: str, file: Path, file_format: str, fields: PointFields
) -> int:
    """Insert the file's places; the select's parameters are load_id, source, file path."""
    try:
        if file_format == "geojson":
            select = _geojson_select(fields)
        else:
            reader = (
                "read_csv(?, all_varchar = true, header = true)"
                if file_format == "csv"
                else "read_parquet(?)"
            )
            described = connection.execute(f"describe select * from {reader}", [str(file)]).fetchall()
            select = _table_select(reader, [row[0] for row in described], fields, file)
        connection.execute(f"insert into raw.place_points {select}", [load_id, str(file), str(file)])
        count = connection.execute(
            "select count(*) from raw.place_points where load_id = ? and source = ?", [load_id, str(file)]
        ).fetchone()[0]
    except duckdb.Error as error:
        raise PointsFormatError(f"{file} could not be read as {file_format}: {error}") from error
    if count == 0:
        raise PointsFormatError(f"{file} holds no places")
    return count


def _geojson_select(fields: PointFields) -> str:
    """Point features of a FeatureCollection; other geometries land with null coordinates."""
    identifier = (
        f"properties ->> {_literal(fields.id)}"
        if fields.id
        else "coalesce(properties ->> 'id', properties ->> 'fsq_place_id', "
        "(properties ->> 'osm_type') || '/' || (properties ->> 'osm_id'), properties ->> 'osm_id')"
    )
    return f"""
        select ?, ?, position,
            {identifier},
            properties ->> {_literal(fields.name)},
            properties ->> {_literal(fields.category)},
            case when geometry ->> 'type' = 'Point' then geometry ->> '$.coordinates[1]' end,
            case when geometry ->> 'type' = 'Point' then geometry ->> '$.coordinates[0]' end,
            properties
        from (
            select feature.position, to_json(feature.item.properties) as properties,
                to_json(feature.item.geometry) as geometry
            from read_json(?, maximum_object_size = 2000000000) as collection,
                unnest(collection.features) with ordinality as feature(item, position)
        )
    """


def _table_select(reader: str, columns: list[str], fields: PointFields, file: Path) -> str:
    def pick(explicit: str | None, guesses: Sequence[str], what: str, required: bool = True) -> str | None:
        lowered = {column.lower(): column for column in columns}
        for candidate in [explicit] if explicit else guesses:
            if candidate and candidate.lower() in lowered:
                return lowered[candidate.lower()]
        if required:
            raise PointsFormatError(
                f"{file} has no column for {what} (columns {columns}); name it with --{what}-field"
            )
        return None

    identifier = pick(fields.id, _ID_FALLBACKS, "id", required=False)
    name = pick(fields.name, [fields.name], "name")
    category = pick(fields.category, [fields.category], "category")
    latitude = pick(fields.latitude, _LATITUDE_NAMES, "latitude")
    longitude = pick(fields.longitude, _LONGITUDE_NAMES, "longitude")
    return f"""
        select ?, ?, row_number() over () as position,
            {_column(identifier) + "::varchar" if identifier else "null"},
            {_column(name)}::varchar, {_column(category)}::varchar,
            {_column(latitude)}::varchar, {_column(longitude)}::varchar,
            to_json(source_row)
        from {reader} as source_row
    """


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column(name: str | None) -> str:
    return '"' + (name or "").replace('"', '""') + '"'
