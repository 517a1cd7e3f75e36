"""The `points` provider: land a bulk file of places (GeoJSON points, CSV or Parquet with a name, a
category and coordinates, such as Foursquare Open Source Places, Overture places or an
OpenStreetMap extract). DuckDB reads the file; the dbt models pick the places within the radius
of each area's centre.

A Foursquare Open Source Places file is read as it comes, with no field options: its
``fsq_place_id``, ``name``, ``latitude``, ``longitude``, and as the category the most specific
level of its first ``fsq_category_labels`` entry ("Dining and Drinking > Restaurant > Pizzeria" ->
"Pizzeria", which the shipped Foursquare OS Places taxonomy groups); a place with a
``date_closed`` is kept flagged ("closed") and counted, never matched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.areas import LATEST_EXTENTS
from ingest.errors import IngestError
from ingest.raw_store import NEWEST_FIRST, latest_load, new_load_id
from ingest.settings import PROJECT_FILE
from ingest.snapshot import sha256

DDL = """
create table if not exists raw.place_point_files (
    load_id varchar not null,
    source varchar not null,
    sha256 varchar not null,
    format varchar not null,
    fields json not null,             -- which properties/columns were read as id, name, category
    loaded_at timestamptz not null,
    row_count bigint not null,
    unplaceable_count bigint,
    without_category_count bigint,
    without_name_count bigint,
    primary key (load_id, source)
);

create table if not exists raw.place_points (
    load_id varchar not null,
    source varchar not null,
    row_number bigint not null,       -- file order
    venue_id varchar,
    name varchar,
    category varchar,
    latitude varchar,
    longitude varchar,
    properties json,
    problem varchar,                  -- why the place cannot be placed (null: it can)
    missing varchar[],                -- name / category absent
    primary key (load_id, source, row_number)
);
"""


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


@dataclass(frozen=True)
class PointsLoad:
    """What landing a points file did."""

    source: str
    load_id: str
    rows: int
    reused: bool
    unplaceable: int = 0  # places without usable coordinates: kept, flagged, never matched
    problems: dict[str, int] = field(default_factory=dict)  # why, with counts
    without_category: int = 0
    without_name: int = 0
    swapped: int = 0  # places outside every area set, but inside one with latitude and longitude swapped

    def describe(self) -> str:
        if self.reused:
            return f"points: {self.source} is unchanged since load {self.load_id}; nothing new landed"
        text = f"points: landed {self.rows:,} places from {self.source} as load {self.load_id}"
        if self.unplaceable:
            reasons = ", ".join(f"{count:,} {reason}" for reason, count in sorted(self.problems.items()))
            text += (
                f"; {self.unplaceable:,} cannot be placed on the map and are kept, flagged, in "
                f"raw.place_points.problem ({reasons})"
            )
        if self.swapped:
            text += (
                f"; WARNING: {self.swapped:,} lie outside every area set but inside one with latitude and longitude "
                "swapped: are the --latitude-field and --longitude-field the wrong way round?"
            )
        if self.without_category or self.without_name:
            text += (
                f'; {self.without_category:,} have no category (counted as "(no category)") and '
                f"{self.without_name:,} no name"
            )
        return text


def land_points(
    connection: duckdb.DuckDBPyConnection, files: Sequence[Path], fields: PointFields
) -> list[PointsLoad]:
    """Land each file as its own source, in one transaction. A file identical (same bytes, read
    with the same fields) to its source's latest load is skipped, so re-landing is idempotent;
    a new version of a file replaces the old one in the models, and other files stay."""
    load_id = new_load_id()
    loaded_at = datetime.now(UTC)
    results = []
    for file in files:
        if FORMATS.get(file.suffix.lower()) is None:
            raise PointsFormatError(
                f"{file}: unknown points format {file.suffix!r}; expected one of {sorted(FORMATS)}"
            )
        if not file.is_file():
            raise PointsFormatError(f"{file} is not a file")
    connection.execute("begin transaction")
    try:
        for file in files:
            source, digest = str(file.resolve()), sha256(file.read_bytes())
            recorded_fields = json.dumps(asdict(fields), sort_keys=True)
            previous = latest_load(connection, "raw.place_point_files", "load_id, sha256, fields::varchar",
                                   "source = ?", [source])  # fmt: skip
            if previous and previous[1] == digest and json.loads(previous[2]) == json.loads(recorded_fields):
                results.append(PointsLoad(source, previous[0], 0, reused=True))
                continue
            file_format = FORMATS[file.suffix.lower()]
            result = _land_file(connection, load_id, file, source, file_format, fields)
            connection.execute(
                "insert into raw.place_point_files (load_id, source, sha256, format, fields, loaded_at, "
                "row_count, unplaceable_count, without_category_count, without_name_count) "
                "values (?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?)",
                [load_id, source, digest, file_format, recorded_fields, loaded_at, result.rows,
                 result.unplaceable, result.without_category, result.without_name],
            )  # fmt: skip
            results.append(result)
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return results


def _land_file(
    connection: duckdb.DuckDBPyConnection,
    load_id: str,
    file: Path,
    source: str,
    file_format: str,
    fields: PointFields,
) -> PointsLoad:
    """Insert the file's places, each with why it cannot be placed (if so) and which optional
    values it lacks; the select's parameters are load_id, source, file path."""
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
            select = _table_select(reader, [(row[0], str(row[1])) for row in described], fields, file)
        connection.execute(
            "insert into raw.place_points (load_id, source, row_number, venue_id, name, category, latitude, "
            "longitude, properties, problem, missing) "
            "select load_id, source, position, venue_id, name, category, latitude, longitude, properties, "
            f"{_PROBLEM}, {_MISSING} from ({select})",
            [load_id, source, str(file)],
        )
        counts = connection.execute(
            "select count(*), count(problem), count(*) filter (where list_contains(missing, 'category')), "
            "count(*) filter (where list_contains(missing, 'name')) "
            "from raw.place_points where load_id = ? and source = ?",
            [load_id, source],
        ).fetchone()
        problems = dict(
            connection.execute(
                "select problem, count(*) from raw.place_points where load_id = ? and source = ? "
                "and problem is not null group by problem",
                [load_id, source],
            ).fetchall()
        )
    except duckdb.Error as error:
        raise PointsFormatError(f"{file} could not be read as {file_format}: {error}") from error
    if counts[0] == 0:
        raise PointsFormatError(f"{file} holds no places")
    swapped = _swapped_count(connection, load_id, source)
    return PointsLoad(source, load_id, counts[0], False, counts[1], problems, counts[2], counts[3], swapped)


SWAPPED_MACRO = PROJECT_FILE.parent / "macros" / "looks_swapped.sql"


def _swapped_count(connection: duckdb.DuckDBPyConnection, load_id: str, source: str) -> int:
    """Placeable places of the load outside every area set's extent (its latest boundary file, or
    the postal centroids) but inside one swapped: the rule of the build's warning test, rendered
    from its macro (macros/looks_swapped.sql)."""
    import jinja2  # dbt's template engine, needed on this path only

    rule = (
        jinja2.Environment().from_string(SWAPPED_MACRO.read_text()).module.looks_swapped("lat", "lon", "sets")
    )
    return connection.execute(
        f"""
        with sets as (
            select west, south, east, north from ({LATEST_EXTENTS})
            union all
            select min(try_cast(longitude as double)), min(try_cast(latitude as double)),
                max(try_cast(longitude as double)), max(try_cast(latitude as double))
            from raw.coordinates
            where load_id = (select load_id from raw.coordinate_files order by {NEWEST_FIRST} limit 1)
        ),
        places as (
            select try_cast(latitude as double) as lat, try_cast(longitude as double) as lon
            from raw.place_points where load_id = ? and source = ? and problem is null
        )
        select count(*) from places where {rule}
        """,
        [load_id, source],
    ).fetchone()[0]


# Why a place cannot be placed (null when it can), from the columns of the select below.
_PROBLEM = """case
    when is_closed then 'closed'
    when geometry_type = 'no geometry' then 'no geometry'
    when geometry_type is not null and geometry_type <> 'Point' then 'not a point (' || geometry_type || ')'
    when latitude is null or longitude is null or trim(latitude) = '' or trim(longitude) = ''
        then 'no coordinates'
    when try_cast(latitude as double) is null or try_cast(longitude as double) is null
        then 'coordinates are not numbers'
    when abs(try_cast(latitude as double)) > 90 or abs(try_cast(longitude as double)) > 180
        then 'coordinates out of range'
end"""
_MISSING = """list_filter(
    [case when nullif(trim(category), '') is null then 'category' end,
     case when nullif(trim(name), '') is null then 'name' end],
    lambda value: value is not null)"""


def _geojson_select(fields: PointFields) -> str:
    """The features of a FeatureCollection; a feature that is not a Point lands with null
    coordinates and its geometry type (flagged as a problem)."""
    identifier = (
        f"properties ->> {_literal(fields.id)}"
        if fields.id
        else "coalesce(properties ->> 'id', properties ->> 'fsq_place_id', "
        "(properties ->> 'osm_type') || '/' || (properties ->> 'osm_id'), properties ->> 'osm_id')"
    )
    return f"""
        select ? as load_id, ? as source, position,
            {identifier} as venue_id,
            properties ->> {_literal(fields.name)} as name,
            properties ->> {_literal(fields.category)} as category,
            case when geometry ->> 'type' = 'Point' then geometry ->> '$.coordinates[1]' end as latitude,
            case when geometry ->> 'type' = 'Point' then geometry ->> '$.coordinates[0]' end as longitude,
            properties,
            coalesce(geometry ->> 'type', 'no geometry') as geometry_type,
            false as is_closed
        from (
            select feature.position, to_json(feature.item.properties) as properties,
                to_json(feature.item.geometry) as geometry
            from read_json(?, maximum_object_size = 2000000000) as collection,
                unnest(collection.features) with ordinality as feature(item, position)
        )
    """


def _table_select(reader: str, described: list[tuple[str, str]], fields: PointFields, file: Path) -> str:
    columns = [name for name, _ in described]
    types = {name.lower(): kind for name, kind in described}

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
    labels = "fsq_category_labels"
    category = None
    if fields.category == "category" and "category" not in types and types.get(labels, "").endswith("[]"):
        category_expression = f"trim(list_last(string_split(list_extract({_column(pick(None, [labels], 'category'))}, 1), '>')))"
    else:
        category = pick(fields.category, [fields.category], "category")
        category_expression = f"{_column(category)}::varchar"
    closed = pick(None, ["date_closed"], "date_closed", required=False)
    for role, column in (("name", name), ("category", category)):
        kind = types.get((column or "").lower(), "VARCHAR")
        if column and kind.upper() not in ("VARCHAR", "STRING", "TEXT"):
            raise PointsFormatError(
                f"{file}: the {role} column {column!r} holds {kind}, not text; a {role} must be text. Point "
                f"--{role}-field at a text column, or convert this one"
            )
    latitude = pick(fields.latitude, _LATITUDE_NAMES, "latitude")
    longitude = pick(fields.longitude, _LONGITUDE_NAMES, "longitude")
    return f"""
        select ? as load_id, ? as source, row_number() over () as position,
            {_column(identifier) + "::varchar" if identifier else "null::varchar"} as venue_id,
            {_column(name)}::varchar as name, {category_expression} as category,
            {_column(latitude)}::varchar as latitude, {_column(longitude)}::varchar as longitude,
            to_json(source_row) as properties, null::varchar as geometry_type,
            {f"{_column(closed)} is not null" if closed else "false"} as is_closed
        from {reader} as source_row
    """


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column(name: str | None) -> str:
    return '"' + (name or "").replace('"', '""') + '"'
