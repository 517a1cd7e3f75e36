"""`python -m ingest areas FILE --area-set NAME`: land any file of areas DuckDB's spatial extension
reads — GeoJSON (polygons or points), GeoPackage, Shapefile, GeoParquet — as one area set.

- Geometries are reprojected to WGS84 longitude/latitude from the CRS the file declares (or
  `--crs`). A file whose coordinates are plainly not longitude/latitude and that declares no CRS
  (or declares WGS84 wrongly) is refused with a message that names `--crs`.
- The id is `--id-field`; without it, the feature's own id (a GeoJSON feature's `id`, a
  GeoPackage's fid), else its position in the file (1 = first); the command says which it used.
- Invalid polygons are repaired (ST_MakeValid) and counted; what cannot be repaired, and features
  without a geometry or of another kind (lines), are refused by id — never dropped in silence.
- Ids must be unique within a set; names need not be.
- Landing is append-only and idempotent: a file identical to its set's latest load (same bytes,
  same options) lands nothing.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.errors import IngestError
from ingest.postal_sets import postal_set_names
from ingest.raw_store import NEWEST_FIRST, LoadResult, latest_load, literal, new_load_id
from ingest.settings import project_settings
from ingest.snapshot import sha256

DDL = """
create table if not exists raw.area_files (
    load_id varchar primary key,
    area_set varchar not null,
    source varchar not null,          -- the file's path, or what made the set (a grid, Overture's divisions)
    sha256 varchar not null,          -- of the file (a Shapefile: of its parts)
    format varchar not null,
    options json not null,            -- --area-set, --id-field, --name-field, --parent-field, --crs as given
    id_from varchar not null,         -- where the ids came from
    crs_from varchar not null,        -- how the coordinates became WGS84 longitude/latitude
    feature_count bigint not null,
    repaired_count bigint not null,   -- invalid geometries repaired (ST_MakeValid)
    loaded_at timestamptz not null
);

create table if not exists raw.area_features (
    load_id varchar not null,
    area_set varchar not null,
    feature_number bigint not null,   -- file order
    area_id varchar not null,
    name varchar,
    parent_name varchar,
    geometry blob not null,           -- WKB, WGS84 longitude/latitude
    was_repaired boolean not null,
    properties json,                  -- the feature's other fields
    primary key (load_id, feature_number)
);
"""

# Each boundary-file set's extent, from its latest landing (west, south, east, north in degrees).
LATEST_EXTENTS = f"""
    select area_set, min(ST_XMin(shape)) as west, min(ST_YMin(shape)) as south, max(ST_XMax(shape)) as east,
        max(ST_YMax(shape)) as north
    from (
        select area_set, ST_GeomFromWKB(geometry) as shape from raw.area_features
        where load_id in (
            select load_id from raw.area_files
            qualify row_number() over (partition by area_set order by {NEWEST_FIRST}) = 1
        )
    )
    group by area_set
"""

AREA_SET_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")
FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "geopackage",
    ".shp": "shapefile",
    ".parquet": "geoparquet",
    ".geoparquet": "geoparquet",
    ".fgb": "flatgeobuf",
    ".kml": "kml",
}
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_WGS84 = {"EPSG:4326", "OGC:CRS84", "CRS84", "WGS84", "EPSG:4979"}
_SHOWN = 10


class AreasFileError(IngestError):
    """An area file cannot be landed as asked; the message says why and what to do."""


@dataclass(frozen=True)
class AreaOptions:
    area_set: str
    id_field: str | None = None
    name_field: str | None = None
    parent_field: str | None = None
    crs: str | None = None


@dataclass(frozen=True)
class AreasLoad(LoadResult):
    id_from: str = ""
    crs_from: str = ""
    repaired: int = 0
    polygons: int = 0
    points: int = 0

    def describe(self, source: str, area_set: str) -> str:
        if self.reused:
            return f"areas: {source} is unchanged since load {self.load_id} of set {area_set}; nothing new landed"
        kinds = ", ".join(
            f"{count:,} {kind}"
            for kind, count in (("polygons", self.polygons), ("points", self.points))
            if count
        )
        repaired = f"; {self.repaired:,} invalid geometries repaired" if self.repaired else ""
        return (
            f"areas: landed {self.rows:,} areas ({kinds}) of set {area_set} from {source} as load {self.load_id}; "
            f"ids from {self.id_from}; coordinates {self.crs_from}{repaired}"
        )


def land_areas(
    connection: duckdb.DuckDBPyConnection, file: Path, options: AreaOptions, source: str | None = None
) -> AreasLoad:
    """Land a file of areas as one set; `source` says where it came from (default: its path)."""
    if not AREA_SET_PATTERN.fullmatch(options.area_set):
        raise AreasFileError(
            f"--area-set {options.area_set!r}: use lower-case letters, digits and _, starting with a letter "
            "(it names tables' rows and output files), e.g. nyc_nta"
        )
    postal = {
        name for (name,) in connection.execute("select distinct area_set from raw.wikipedia_pages").fetchall()
    }
    if options.area_set in postal | postal_set_names():
        raise AreasFileError(
            f"--area-set {options.area_set!r} is a postal set's name: a postal set is landed from its page "
            "(`python -m ingest all`), its polygons for the map with `python -m ingest boundaries`. Give this "
            "boundary file a set name of its own, e.g. --area-set toronto_fsa_polygons"
        )
    file_format = FORMATS.get(file.suffix.lower())
    if file_format is None:
        raise AreasFileError(
            f"{file}: unknown area file type {file.suffix!r}; expected one of {sorted(FORMATS)}"
        )
    if not file.is_file():
        raise AreasFileError(f"{file} is not a file")
    source = source or str(file.resolve())
    digest = _digest(file)
    recorded = json.dumps(asdict(options), sort_keys=True)
    previous = latest_load(connection, "raw.area_files", "load_id, sha256, options::varchar, feature_count",
                           f"area_set = {literal(options.area_set)}")  # fmt: skip
    if previous and previous[1] == digest and json.loads(previous[2]) == json.loads(recorded):
        return AreasLoad(previous[0], previous[3], reused=True)

    reader = f"{'read_parquet' if file_format == 'geoparquet' else 'ST_Read'}({literal(str(file))})"
    try:
        connection.execute(
            f"create or replace temp table _area_rows as select row_number() over () as _position, * from {reader}"
        )
        columns = connection.execute("describe _area_rows").fetchall()
    except duckdb.Error as error:
        raise AreasFileError(f"{file} could not be read as {file_format}: {_first_line(error)}") from error
    try:
        return _land(connection, file, file_format, source, digest, recorded, options, columns)
    finally:
        connection.execute("drop table if exists _area_rows")


def _land(
    connection: duckdb.DuckDBPyConnection,
    file: Path,
    file_format: str,
    source: str,
    digest: str,
    recorded: str,
    options: AreaOptions,
    columns: list[tuple],
) -> AreasLoad:
    geometry_columns = [
        (name, kind) for name, kind, *_ in columns if str(kind).upper().startswith("GEOMETRY")
    ]
    if not geometry_columns:
        raise AreasFileError(f"{file} has no geometry column (columns: {[c[0] for c in columns]})")
    geometry, geometry_type = next(
        ((name, kind) for name, kind in geometry_columns if name.lower() in ("geom", "geometry")),
        geometry_columns[0],
    )
    internal = {"_position", geometry, "OGC_FID", "fid"}
    fields = [name for name, *_ in columns if name not in internal]
    picked = {
        role: _field(file, fields, getattr(options, f"{role}_field"), role)
        for role in ("id", "name", "parent")
    }
    count = connection.execute("select count(*) from _area_rows").fetchone()[0]
    if count == 0:
        raise AreasFileError(f"{file} holds no features")
    id_expression, id_from = _id_source(connection, file, file_format, picked["id"], columns, count)

    # GDAL reports every GeoJSON file as WGS84, whatever its coordinates: read its own crs member.
    declared = (
        _geojson_crs(connection, file) if file_format == "geojson" else _declared_crs(str(geometry_type))
    )
    source_crs, crs_from = _source_crs(connection, file, geometry, declared, options.crs)
    as_wgs84 = (
        _quoted(geometry)
        if source_crs is None
        else f"ST_Transform({_quoted(geometry)}, '{source_crs}', 'EPSG:4326', always_xy := true)"
    )
    excluded = ", ".join(_quoted(c) for c in internal if c in {n for n, *_ in columns})
    # A file whose features have no properties at all (GeoJSON "properties": null) has no fields.
    properties = f"to_json(columns(* exclude ({excluded})))" if fields else "null::json"
    try:
        connection.execute(f"""
            create or replace temp table _areas as
            select
                _position as feature_number,
                nullif(trim({id_expression}), '') as area_id,
                {_text(picked["name"])} as name,
                {_text(picked["parent"])} as parent_name,
                {as_wgs84} as geometry,
                {properties} as properties
            from _area_rows
        """)  # fmt: skip
    except duckdb.Error as error:
        raise AreasFileError(
            f"{file}: its coordinates could not be reprojected from {source_crs} to WGS84 ({_first_line(error)}); "
            "is that the file's CRS? Give the right one with --crs EPSG:N"
        ) from error
    try:
        _check_and_repair(connection, file)
        if source_crs is not None:
            _check_plausible(connection, file, source_crs)
        _check_ids(connection, file, options.area_set)
        return _insert(connection, file_format, source, digest, recorded, options, id_from, crs_from)
    finally:
        connection.execute("drop table if exists _areas")


def _field(file: Path, fields: list[str], wanted: str | None, role: str) -> str | None:
    if wanted is None:
        return None
    exact = [name for name in fields if name == wanted] or [
        name for name in fields if name.lower() == wanted.lower()
    ]
    if not exact:
        raise AreasFileError(
            f"{file} has no field {wanted!r} for --{role}-field; its fields are: {', '.join(fields) or '(none)'}"
        )
    return exact[0]


def _id_source(
    connection: duckdb.DuckDBPyConnection,
    file: Path,
    file_format: str,
    id_field: str | None,
    columns: list[tuple],
    count: int,
) -> tuple[str, str]:
    """The SQL expression of each feature's id, and a phrase saying where it came from."""
    if id_field:
        return f"{_quoted(id_field)}::varchar", f"the field {id_field}"
    if file_format == "geojson":
        ids = connection.execute(
            f"select list(to_json(feature) ->> 'id' order by position) from read_json({literal(str(file))}, "
            "maximum_object_size = 2000000000, format = 'auto') as collection, "
            "unnest(collection.features) with ordinality as f(feature, position)"
        ).fetchone()[0]
        if ids and len(ids) == count and all(value is not None for value in ids):
            connection.execute("create or replace temp table _feature_ids as select unnest(?) as id", [ids])
            connection.execute(
                "create or replace temp table _area_rows as select r.*, i.id as _feature_id from _area_rows r "
                "positional join _feature_ids i"
            )
            return "_feature_id", "each feature's own id (GeoJSON id)"
    if file_format == "geopackage" and "fid" in {name for name, *_ in columns}:
        return "fid::varchar", "each feature's own id (GeoPackage fid)"
    return "_position::varchar", "each feature's position in the file (1 = first): no --id-field was given"


def _declared_crs(geometry_type: str) -> str | None:
    """The CRS a geometry column's type names (GEOMETRY('EPSG:2263')), as GDAL read it."""
    declared = re.search(r"GEOMETRY\('([^']+)'\)", geometry_type, re.IGNORECASE)
    return declared.group(1) if declared else None


def _source_crs(
    connection: duckdb.DuckDBPyConnection, file: Path, geometry: str, declared: str | None, given: str | None
) -> tuple[str | None, str]:
    """The CRS to reproject from (None: already WGS84 longitude/latitude), and a phrase saying so."""
    x_min, x_max, y_min, y_max = connection.execute(
        f"select min(ST_XMin(g)), max(ST_XMax(g)), min(ST_YMin(g)), max(ST_YMax(g)) "
        f"from (select {_quoted(geometry)} as g from _area_rows where {_quoted(geometry)} is not null)"
    ).fetchone()
    extent = (
        f"x {x_min:,.6g} to {x_max:,.6g}, y {y_min:,.6g} to {y_max:,.6g}" if x_min is not None else "none"
    )
    looks_geographic = x_min is not None and -180 <= x_min <= x_max <= 180 and -90 <= y_min <= y_max <= 90
    for crs, named_by in ((given, "--crs"), (declared, "the file's crs member")):
        if crs and crs.strip().upper() not in _WGS84 and not _known_crs(connection, crs.strip()):
            raise AreasFileError(
                f"{file}: {named_by} names {crs}, a CRS PROJ does not know. Give the CRS the coordinates "
                f"({extent}) are in with --crs EPSG:N"
            )
    if given:
        crs = given.strip().upper()
        note = f"; the file declares {declared}" if declared and declared.upper() != crs else ""
        return (None if crs in _WGS84 else crs), f"reprojected from {crs} as --crs says{note}"
    if declared and declared.upper() not in _WGS84:
        return declared, f"reprojected from {declared}, as the file declares"
    if not looks_geographic:
        said = f"declares {declared}" if declared else "declares no CRS"
        raise AreasFileError(
            f"{file}: its coordinates ({extent}) are plainly not longitude/latitude, but the file {said}. "
            "Give the CRS they are in with --crs, e.g. --crs EPSG:2263 (New York State Plane, feet) or "
            "--crs EPSG:32617 (UTM 17N)"
        )
    if declared:
        return None, f"in {declared} (longitude/latitude), as the file declares"
    return None, "taken as WGS84 longitude/latitude: the file declares no CRS and they look like it"


def _geojson_crs(connection: duckdb.DuckDBPyConnection, file: Path) -> str | None:
    """The CRS a GeoJSON file's own `crs` member names ("EPSG:2263"), or None when it has none."""
    try:
        name = connection.execute(
            f"select crs.properties.name::varchar from read_json({literal(str(file))}, maximum_object_size = "
            "2000000000, columns = {crs: 'struct(properties struct(name varchar))'})"
        ).fetchone()
    except duckdb.Error:
        return None
    if not name or not name[0]:
        return None
    code = re.search(r"EPSG:+(\d+)", name[0], re.IGNORECASE)
    if code:
        return f"EPSG:{code.group(1)}"
    return "OGC:CRS84" if "CRS84" in name[0].upper() else name[0]


def _known_crs(connection: duckdb.DuckDBPyConnection, crs: str) -> bool:
    try:
        connection.execute(f"select ST_Transform(ST_Point(0, 0), {literal(crs)}, 'EPSG:4326')").fetchone()
    except duckdb.Error:
        return False
    return True


def _check_plausible(connection: duckdb.DuckDBPyConnection, file: Path, source_crs: str) -> None:
    """After reprojection the set must look like areas of a place on Earth: longitude/latitude in
    range, and not every area collapsed into one spot (what a wrong CRS does to lon/lat values)."""
    count, west, south, east, north = connection.execute(
        "select count(*), min(ST_XMin(geometry)), min(ST_YMin(geometry)), max(ST_XMax(geometry)), "
        "max(ST_YMax(geometry)) from _areas"
    ).fetchone()
    out_of_range = west < -180 or east > 180 or south < -90 or north > 90
    metres = project_settings().metres_per_degree
    width_m = (east - west) * metres * math.cos(math.radians(max(min((south + north) / 2, 89), -89)))
    height_m = (north - south) * metres
    collapsed = count > 1 and max(width_m, height_m) < 10
    if out_of_range or collapsed:
        raise AreasFileError(
            f"{file}: reprojected from {source_crs}, its {count} areas "
            + (
                "fall outside longitude/latitude"
                if out_of_range
                else f"all fit in {width_m:.3g} m × {height_m:.3g} m"
            )
            + f" (longitude {west:.6g} to {east:.6g}, latitude {south:.6g} to {north:.6g}): not a plausible set of "
            f"areas, so {source_crs} is not the CRS of its coordinates. Give the right one with --crs EPSG:N, or drop "
            "--crs when the coordinates are longitude/latitude already; nothing was landed"
        )


def _check_and_repair(connection: duckdb.DuckDBPyConnection, file: Path) -> None:
    """Refuse, by id, features without a geometry or of another kind; repair invalid polygons."""
    bad = connection.execute(
        "select coalesce(area_id, '#' || feature_number), coalesce(ST_GeometryType(geometry)::varchar, 'no geometry') "
        "from _areas where geometry is null or ST_IsEmpty(geometry) or ST_GeometryType(geometry)::varchar "
        "not in ('POINT', 'POLYGON', 'MULTIPOLYGON') order by feature_number"
    ).fetchall()
    if bad:
        listed = ", ".join(f"{area_id} ({kind})" for area_id, kind in bad[:_SHOWN])
        raise AreasFileError(
            f"{file}: {len(bad)} features are not areas (an area is a Polygon, MultiPolygon or Point): {listed}"
            f"{' and more' if len(bad) > _SHOWN else ''}. Fix or remove them; nothing was landed"
        )
    connection.execute("""
        create or replace temp table _areas as
        select
            * exclude (geometry),
            not ST_IsValid(geometry) as was_repaired,
            case when ST_IsValid(geometry) then geometry
                else ST_CollectionExtract(ST_MakeValid(geometry), 3) end as geometry
        from _areas
    """)
    broken = connection.execute(
        "select coalesce(area_id, '#' || feature_number) from _areas where was_repaired and "
        "(geometry is null or ST_IsEmpty(geometry) or not ST_IsValid(geometry)) order by feature_number"
    ).fetchall()
    if broken:
        raise AreasFileError(
            f"{file}: {len(broken)} invalid geometries could not be repaired: "
            f"{', '.join(row[0] for row in broken[:_SHOWN])}. Fix them in the file; nothing was landed"
        )


def _check_ids(connection: duckdb.DuckDBPyConnection, file: Path, area_set: str) -> None:
    missing = connection.execute(
        "select feature_number from _areas where area_id is null order by feature_number"
    ).fetchall()
    if missing:
        raise AreasFileError(
            f"{file}: {len(missing)} features have no id (features {', '.join(str(r[0]) for r in missing[:_SHOWN])}); "
            "every area needs one: pick another --id-field"
        )
    repeated = connection.execute(
        "select area_id, count(*) from _areas group by area_id having count(*) > 1 order by area_id"
    ).fetchall()
    if repeated:
        listed = ", ".join(f"{area_id} ({times}×)" for area_id, times in repeated[:_SHOWN])
        raise AreasFileError(
            f"{file}: ids must be unique within the area set {area_set}, but {len(repeated)} repeat: {listed}. "
            "Pick an --id-field that is unique (names need not be)"
        )


def _insert(
    connection: duckdb.DuckDBPyConnection,
    file_format: str,
    source: str,
    digest: str,
    recorded: str,
    options: AreaOptions,
    id_from: str,
    crs_from: str,
) -> AreasLoad:
    load_id = new_load_id()
    counts = connection.execute(
        "select count(*), count(*) filter (where was_repaired), "
        "count(*) filter (where ST_GeometryType(geometry)::varchar <> 'POINT'), "
        "count(*) filter (where ST_GeometryType(geometry)::varchar = 'POINT') from _areas"
    ).fetchone()
    connection.execute("begin transaction")
    try:
        connection.execute(
            "insert into raw.area_features (load_id, area_set, feature_number, area_id, name, parent_name, "
            f"geometry, was_repaired, properties) select {literal(load_id)}, {literal(options.area_set)}, "
            "feature_number, area_id, name, parent_name, ST_AsWKB(geometry), was_repaired, properties from _areas"
        )
        connection.execute(
            "insert into raw.area_files (load_id, area_set, source, sha256, format, options, id_from, crs_from, "
            "feature_count, repaired_count, loaded_at) values ("
            + ", ".join(map(literal, (load_id, options.area_set, source, digest, file_format, recorded, id_from,
                                      crs_from, counts[0], counts[1], datetime.now(UTC))))
            + ")"
        )  # fmt: skip
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return AreasLoad(load_id, counts[0], False, id_from, crs_from, counts[1], counts[2], counts[3])


def _digest(file: Path) -> str:
    """A Shapefile is several files: its digest covers the parts beside it."""
    if file.suffix.lower() != ".shp":
        return sha256(file.read_bytes())
    parts = [file.with_suffix(suffix) for suffix in _SHAPEFILE_PARTS]
    return sha256(b"".join(part.read_bytes() for part in parts if part.is_file()))


def _text(column: str | None) -> str:
    return f"nullif(trim({_quoted(column)}::varchar), '')" if column else "null::varchar"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
