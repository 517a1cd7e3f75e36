"""`python -m ingest venues --provider overture`: Overture Maps places for an extent, read straight
from the public release with DuckDB — no key, no download tool, every place in the extent.

- Which release: ``latest`` from the STAC root catalog (its key ``latest``; env
  INGEST_OVERTURE_STAC_URL names another catalog), or the one named (``YYYY-MM-DD.N``).
- Where: ``s3://overturemaps-us-west-2/release/<release>/theme=places/type=place/*.parquet``, read
  anonymously through DuckDB's httpfs extension (loaded from the ``duckdb-extension-httpfs``
  wheel, never downloaded); env INGEST_OVERTURE_S3_ENDPOINT=host:port points at an S3-compatible
  server (plain HTTP, path-style URLs). Only the row groups whose ``bbox`` overlaps the extent are
  read: the filter on ``bbox.xmin``/``bbox.ymin`` (for a point, its coordinates) is pushed down to
  the Parquet statistics.
- Schema, both generations: releases since late 2025 carry ``taxonomy{primary, ...}`` and
  ``basic_category``, older ones ``categories{primary, alternate}`` with the old codes; the
  release is DESCRIBEd first and what it lacks lands as null.
- Quality rules, counted, printed and kept (``excluded``, the first that applies, in this order):
  permanently closed; confidence below ``--min-confidence`` (default 0.5: below it, Overture rates
  the place as more likely not to exist than to exist); no category; no name.
- Releases are deleted after about two months, so the extract is what is kept: it lands in
  raw.overture_extracts / raw.overture_places with its release, extent, URL and counts (the same
  release, extent and minimum confidence again lands nothing), and ``--record DIR`` writes it as
  Parquet into a snapshot folder (section ``overture`` of its manifest) that ``python -m ingest
  venues --snapshot DIR`` replays offline.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import requests

from ingest.areas import LATEST_EXTENTS
from ingest.errors import IngestError, NetworkUnavailableError, SnapshotError
from ingest.raw_store import latest_load, new_load_id, transaction
from ingest.settings import project_settings
from ingest.snapshot import MANIFEST, Recorder, Snapshot
from ingest.spatial import extension_path

log = logging.getLogger(__name__)

BUCKET = "overturemaps-us-west-2"
STAC_URL = "https://stac.overturemaps.org/catalog.json"
S3_ENDPOINT_ENVIRONMENT = "INGEST_OVERTURE_S3_ENDPOINT"
STAC_ENVIRONMENT = "INGEST_OVERTURE_STAC_URL"
DEFAULT_MIN_CONFIDENCE = 0.5
SECTION = "overture"  # the snapshot manifest's section
PROVIDER = "overture"  # the provider's name among var venue_providers

DDL = """
create table if not exists raw.overture_extracts (
    load_id varchar primary key,
    release varchar not null,
    west double not null,
    south double not null,
    east double not null,
    north double not null,
    url varchar not null,
    schema_generation varchar not null,  -- taxonomy (releases since late 2025) or categories
    min_confidence double not null,
    area_set varchar,                    -- the set whose extent it is (null: --bbox)
    loaded_at timestamptz not null,
    row_count bigint not null,           -- places in the extent
    kept_count bigint not null,
    closed_count bigint not null,
    low_confidence_count bigint not null,
    without_category_count bigint not null,
    without_name_count bigint not null
);

create table if not exists raw.overture_places (
    load_id varchar not null,
    id varchar not null,
    name varchar,                        -- names.primary
    latitude double,
    longitude double,
    category varchar,                    -- taxonomy.primary, or categories.primary of older releases
    basic_category varchar,
    confidence double,
    operating_status varchar,
    dataset varchar,                     -- the first source's dataset (attribution)
    excluded varchar,                    -- why the place is not used (null: it is)
    primary key (load_id, id)
);
"""

RULES = ("permanently closed", "below the minimum confidence", "no category", "no name")
_PLACE_COLUMNS = (
    "id, name, latitude, longitude, category, basic_category, confidence, operating_status, dataset, excluded"
)


# Overture's release names: 2026-03-18.0, and the early 2024-01-17-alpha.0.
RELEASE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}(-[a-z]+)?(\.\d+)?")


class OvertureError(IngestError):
    """An Overture extract cannot be made or replayed as asked."""


class OvertureUnavailableError(NetworkUnavailableError):
    """The release bucket or the STAC catalog cannot be reached."""


@dataclass(frozen=True)
class Extent:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> Extent:
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError as error:
            raise OvertureError(
                f"--bbox {text!r}: expected W,S,E,N in degrees, e.g. -74.26,40.49,-73.70,40.92"
            ) from error
        extent = cls(west, south, east, north)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise OvertureError(
                f"--bbox {text!r}: expected west < east within ±180 and south < north within ±90"
            )
        return extent

    def text(self) -> str:
        return f"{self.west:.5f},{self.south:.5f},{self.east:.5f},{self.north:.5f}"


@dataclass(frozen=True)
class ExtractLoad:
    """What landing one extract did."""

    load_id: str
    release: str
    extent: Extent
    rows: int
    kept: int
    excluded: dict[str, int]
    reused: bool

    def describe(self) -> str:
        if self.reused:
            return (
                f"overture: release {self.release}, extent {self.extent.text()} landed already as load "
                f"{self.load_id}; nothing new landed"
            )
        counts = ", ".join(f"{self.excluded.get(rule, 0):,} {rule}" for rule in RULES)
        return (
            f"overture: release {self.release}, extent {self.extent.text()}: {self.rows:,} places, "
            f"{self.kept:,} kept; not used, kept flagged in raw.overture_places.excluded: {counts} "
            f"(load {self.load_id})"
        )


def stac_url() -> str:
    return os.environ.get(STAC_ENVIRONMENT, "").strip() or STAC_URL


def resolve_release(release: str, catalog_url: str, timeout: float = 30) -> str:
    """The release named, or for ``latest`` the STAC root catalog's ``latest``."""
    if release != "latest":
        if not RELEASE_NAME.fullmatch(release):
            raise OvertureError(
                f"--release is {release!r}; expected latest or a release name such as 2026-03-18.0"
            )
        return release
    try:
        response = requests.get(catalog_url, timeout=timeout)
        response.raise_for_status()
        latest = response.json().get("latest")
    except (requests.RequestException, ValueError, AttributeError) as error:
        raise OvertureUnavailableError(
            f"cannot read the latest Overture release from {catalog_url}: {error}. Name one with --release "
            "YYYY-MM-DD.N, or replay a recorded extract offline: python -m ingest venues --snapshot DIR"
        ) from error
    if not isinstance(latest, str) or not latest.strip():
        raise OvertureError(
            f"the STAC catalog {catalog_url} has no 'latest' release; name one with --release"
        )
    return latest.strip()


def release_url(release: str, theme: str = "places", kind: str = "place") -> str:
    return f"s3://{BUCKET}/release/{release}/theme={theme}/type={kind}/*.parquet"


def describe(connection: duckdb.DuckDBPyConnection, url: str) -> dict[str, str]:
    """The columns of a release's files (name: type); one line naming the URL when it cannot be read."""
    log.info("overture: reading the schema of %s", url)
    try:
        return {name: kind for name, kind, *_ in connection.execute(
            "describe select * from read_parquet(?, hive_partitioning = false)", [url]
        ).fetchall()}  # fmt: skip
    except duckdb.Error as error:
        raise OvertureUnavailableError(
            f"cannot read the Overture release at {url}: {str(error).splitlines()[0]}; nothing landed. Check the "
            f"release name (--release) and the network (or {S3_ENDPOINT_ENVIRONMENT}); offline, replay a recording: "
            "--snapshot DIR"
        ) from error


def configure_s3(connection: duckdb.DuckDBPyConnection) -> None:
    """httpfs from its wheel, anonymous S3 reads of the public bucket (or the endpoint of
    INGEST_OVERTURE_S3_ENDPOINT: plain HTTP, path-style URLs)."""
    connection.execute(f"load '{extension_path('httpfs')}'")
    endpoint = os.environ.get(S3_ENDPOINT_ENVIRONMENT, "").strip()
    settings = {
        "s3_region": "us-west-2",
        "s3_access_key_id": "",
        "s3_secret_access_key": "",
        "http_retries": 1,
        "parquet_metadata_cache": True,  # the footers read once, for the count and the scan
    }
    if endpoint:
        settings |= {"s3_endpoint": endpoint, "s3_url_style": "path", "s3_use_ssl": False}
    for name, value in settings.items():
        connection.execute(f"set {name} = {_sql_value(value)}")


def land_extract(
    connection: duckdb.DuckDBPyConnection,
    *,
    release: str,
    extent: Extent,
    min_confidence: float,
    area_set: str | None,
) -> ExtractLoad:
    """Read the release's places in the extent into the raw tables (one transaction)."""
    previous = _previous(connection, release, extent, min_confidence)
    if previous:
        return previous
    url = release_url(release)
    configure_s3(connection)
    columns = describe(connection, url)
    generation = "taxonomy" if "taxonomy" in columns else "categories"
    select = _release_select(columns)
    load_id = new_load_id()
    try:  # one line naming the file that cannot be read (a part that is not Parquet, a cut read)
        files, groups = connection.execute(
            "select count(distinct file_name), count(*) from parquet_metadata(?) where column_id = 0", [url]
        ).fetchone()
        log.info(
            "overture: reading the places in %s from %s files (%s row groups; only those overlapping the extent "
            "are fetched; schema generation: %s)", extent.text(), f"{files:,}", f"{groups:,}", generation,
        )  # fmt: skip
        # On a terminal, DuckDB's own progress bar shows the read going; elsewhere the lines above and below.
        connection.execute(f"set enable_progress_bar = {str(sys.stderr.isatty()).lower()}")
        connection.execute(
            f"create or replace temp table _extract as {_with_rules(select)}",
            [min_confidence, url, extent.west, extent.east, extent.south, extent.north],
        )
    except duckdb.Error as error:
        raise OvertureUnavailableError(
            f"reading the places of {url} failed: {str(error).splitlines()[0]}; nothing landed"
        ) from error
    try:
        repeated, without_confidence = connection.execute(
            "select count(*) - count(distinct id), count(*) filter (where confidence is null) from _extract"
        ).fetchone()
        with transaction(connection):
            # One place an id: a release that repeats one lands the rest (the usable copy first).
            connection.execute(
                f"insert into raw.overture_places (load_id, {_PLACE_COLUMNS}) select ?, {_PLACE_COLUMNS} from "
                "_extract qualify row_number() over (partition by id order by excluded nulls first, confidence desc "
                "nulls last, name, latitude, longitude) = 1",
                [load_id],
            )
            load = _record_extract(
                connection, load_id, release, extent, url, generation, min_confidence, area_set
            )
    finally:
        connection.execute("drop table if exists _extract")
    if repeated:
        log.warning(
            "overture: %s places of %s repeat an id already read; one place an id landed",
            f"{repeated:,}",
            url,
        )
    if load.rows and without_confidence == load.rows + repeated:
        log.warning(
            "overture: no place of %s has a confidence (%s): --min-confidence %s was not applied",
            url, "the release has no confidence column" if "confidence" not in columns else "it is null everywhere",
            min_confidence,
        )  # fmt: skip
    return load


def record_extract(connection: duckdb.DuckDBPyConnection, load: ExtractLoad, root: Path) -> Path:
    """Write a landed extract as Parquet into a snapshot folder and add it to the manifest's
    ``overture`` section."""
    relative = f"overture/{load.release}_{load.extent.text().replace(',', '_')}.parquet"
    row = connection.execute(
        "select url, schema_generation, min_confidence, area_set from raw.overture_extracts where load_id = ?",
        [load.load_id],
    ).fetchone()
    with tempfile.TemporaryDirectory() as temporary:
        file = Path(temporary) / "extract.parquet"
        connection.execute(
            f"copy (select {_PLACE_COLUMNS} from raw.overture_places where load_id = ? order by id) "
            f"to '{file}' (format parquet)",
            [load.load_id],
        )
        recorder = Recorder(root)
        recorder.write(relative, file.read_bytes(), flush=False)
    manifest = root / MANIFEST
    extracts = (
        json.loads(manifest.read_text(encoding="utf-8")).get(SECTION, {}).get("extracts", [])
        if (manifest.is_file())
        else []
    )
    entry = {"file": relative, "release": load.release, "bbox": load.extent.text(), "url": row[0],
             "schema_generation": row[1], "min_confidence": row[2], "area_set": row[3], "rows": load.rows}  # fmt: skip
    extracts = [extract for extract in extracts if extract.get("file") != relative] + [entry]
    recorder.describe(SECTION, {"provider": PROVIDER, "extracts": extracts})
    return root / relative


def replay_extracts(connection: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> list[ExtractLoad]:
    """Land the extracts a snapshot recorded (its ``overture`` section), as they were read."""
    loads = []
    for (release, extent, min_confidence, entry), file in snapshot.entries(SECTION, "extracts", _recorded):
        previous = _previous(connection, release, extent, min_confidence)
        if previous:
            loads.append(previous)
            continue
        _check_recorded(connection, snapshot, file, entry, extent, min_confidence)
        load_id = new_load_id()
        with transaction(connection):
            try:
                connection.execute(
                    f"insert into raw.overture_places (load_id, {_PLACE_COLUMNS}) "
                    f"select ?, {_PLACE_COLUMNS} from read_parquet(?)",
                    [load_id, str(file)],
                )
            except duckdb.Error as error:
                raise _unreadable(snapshot, file, error) from error
            loads.append(_record_extract(
                connection, load_id, release, extent, str(entry.get("url") or release_url(release)),
                str(entry.get("schema_generation") or "taxonomy"), min_confidence, entry.get("area_set"),
            ))  # fmt: skip
    return loads


def _check_recorded(
    connection: duckdb.DuckDBPyConnection, snapshot: Snapshot, file: Path, entry: dict, extent: Extent,
    min_confidence: float,
) -> None:  # fmt: skip
    """A recorded extract must read as one, and agree with what its manifest entry says of it: its
    row count, that its places lie in its extent, and its minimum confidence."""
    try:
        rows, west, east, south, north, kept_below, dropped_above = connection.execute(
            "select count(*), min(longitude), max(longitude), min(latitude), max(latitude), count(*) filter (where "
            "excluded is null and confidence < $1), count(*) filter (where excluded = $2 and confidence >= $1) "
            "from read_parquet($3)",
            [min_confidence, RULES[1], str(file)],
        ).fetchone()  # fmt: skip
    except duckdb.Error as error:
        raise _unreadable(snapshot, file, error) from error
    disagree = []
    if "rows" in entry and str(entry["rows"]) != str(rows):
        disagree.append(f"rows {entry['rows']}, the file holds {rows:,}")
    if rows and not (
        extent.west <= west and east <= extent.east and extent.south <= south and north <= extent.north
    ):
        disagree.append(
            f"bbox {extent.text()}, the file's places span {west:.5f},{south:.5f},{east:.5f},{north:.5f}"
        )
    if kept_below or dropped_above:
        disagree.append(
            f"min_confidence {min_confidence}, but the file keeps {kept_below:,} places below it and excludes "
            f"{dropped_above:,} at or above it"
        )
    if disagree:
        raise SnapshotError(
            f"{file} (snapshot {snapshot.root}): its {MANIFEST} entry says {'; '.join(disagree)}. Nothing landed; "
            "record the extract again (or put the entry right)"
        )


def _unreadable(snapshot: Snapshot, file: Path, error: duckdb.Error) -> SnapshotError:
    return SnapshotError(
        f"{file} (snapshot {snapshot.root}) cannot be read as the Overture extract its {MANIFEST} names: "
        f"{str(error).splitlines()[0]}; nothing landed. Record it again"
    )


def _recorded(entry: dict) -> tuple[str, Extent, float, dict]:
    """A recorded extract's release, extent and minimum confidence (and the entry itself)."""
    try:
        extent = Extent.parse(str(entry["bbox"]))
    except OvertureError as error:
        raise ValueError(str(error)) from error
    return str(entry["release"]), extent, float(entry["min_confidence"]), entry


def extent_of(connection: duckdb.DuckDBPyConnection, area_set: str) -> Extent:
    """The extent of an area set, widened by var venue_radius_m: a boundary file's set from its
    latest landing (no build needed), a postal set from area_search_circles (built before any
    venue)."""
    settings = project_settings()
    margin = settings.venue_radius_m / settings.metres_per_degree
    row = connection.execute(
        f"select west, south, east, north from ({LATEST_EXTENTS}) where area_set = ?", [area_set]
    ).fetchone() or (None,)
    if row[0] is None:
        relation = f"{settings.build_schema}.area_search_circles"
        try:
            row = connection.execute(
                f"select min(longitude), min(latitude), max(longitude), max(latitude) from {relation} "
                "where area_set = ? and latitude is not null",
                [area_set],
            ).fetchone()
        except duckdb.CatalogException:
            row = (None,)
    if row[0] is None:
        raise OvertureError(
            f"no area of the set {area_set!r} is known: land its boundary file (`python -m ingest areas`), or for a "
            "postal set its page and coordinates and `dbt build --select +area_search_circles`; or give --bbox"
        )
    west, south, east, north = row
    across = margin / max(math.cos(math.radians((south + north) / 2)), 0.01)
    return Extent(max(west - across, -180.0), max(south - margin, -90.0), min(east + across, 180.0),
                  min(north + margin, 90.0))  # fmt: skip


def _release_select(columns: dict[str, str]) -> str:
    """The release's places in the extent as our columns (params: url, W, E, S, N), whichever
    schema generation it has."""

    def field(column: str, name: str) -> str:
        return f'{column}."{name}"' if column in columns else "null"

    category = field("taxonomy", "primary") if "taxonomy" in columns else field("categories", "primary")
    return f"""
        select id::varchar as id, {field("names", "primary")}::varchar as name,
            bbox.ymin::double as latitude, bbox.xmin::double as longitude,
            {category}::varchar as category,
            {"basic_category::varchar" if "basic_category" in columns else "null::varchar"} as basic_category,
            {"confidence::double" if "confidence" in columns else "null::double"} as confidence,
            {"operating_status::varchar" if "operating_status" in columns else "null::varchar"} as operating_status,
            {"sources[1].dataset::varchar" if "sources" in columns else "null::varchar"} as dataset
        from read_parquet(?, hive_partitioning = false)
        where bbox.xmin between ? and ? and bbox.ymin between ? and ?
    """


def _with_rules(select: str) -> str:
    """The places with the first quality rule each fails (params: min confidence, then the select's)."""
    return f"""
        select *, case
            when operating_status = 'permanently_closed' then '{RULES[0]}'
            when confidence < ? then '{RULES[1]}'
            when nullif(trim(category), '') is null then '{RULES[2]}'
            when nullif(trim(name), '') is null then '{RULES[3]}'
        end as excluded
        from ({select})
    """


def _record_extract(
    connection: duckdb.DuckDBPyConnection,
    load_id: str,
    release: str,
    extent: Extent,
    url: str,
    generation: str,
    min_confidence: float,
    area_set: str | None,
) -> ExtractLoad:
    counts = dict(connection.execute(
        "select coalesce(excluded, 'kept'), count(*) from raw.overture_places where load_id = ? group by 1",
        [load_id],
    ).fetchall())  # fmt: skip
    rows = sum(counts.values())
    if rows == 0:
        log.warning("overture: no place of release %s lies in %s", release, extent.text())
    connection.execute(
        "insert into raw.overture_extracts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [load_id, release, extent.west, extent.south, extent.east, extent.north, url, generation, min_confidence,
         area_set, datetime.now(UTC), rows, counts.get("kept", 0), *(counts.get(rule, 0) for rule in RULES)],
    )  # fmt: skip
    return ExtractLoad(load_id, release, extent, rows, counts.get("kept", 0),
                       {rule: counts.get(rule, 0) for rule in RULES}, reused=False)  # fmt: skip


def _previous(
    connection: duckdb.DuckDBPyConnection, release: str, extent: Extent, min_confidence: float
) -> ExtractLoad | None:
    row = latest_load(
        connection,
        "raw.overture_extracts",
        "load_id, row_count, kept_count, closed_count, low_confidence_count, without_category_count, "
        "without_name_count",
        "release = ? and west = ? and south = ? and east = ? and north = ? and min_confidence = ?",
        [release, extent.west, extent.south, extent.east, extent.north, min_confidence],
    )
    if row is None:
        return None
    return ExtractLoad(
        row[0], release, extent, row[1], row[2], dict(zip(RULES, row[3:], strict=True)), reused=True
    )


def _sql_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
