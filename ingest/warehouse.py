"""The DuckDB `raw` schema: append-only tables of what was fetched, with load metadata.

Every load gets a `load_id` and `loaded_at`; nothing is ever updated or deleted. Landing input
identical to the latest load (same bytes, same parser) is skipped, so re-runs are idempotent;
the staging models read the latest load of each source.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ingest.coordinates import CoordinateRow
from ingest.encoding import decode
from ingest.errors import IngestError, WarehouseInUseError
from ingest.settings import project_settings
from ingest.snapshot import sha256
from ingest.venue_providers import Area, VenueResponse
from ingest.wikipedia import PARSER_VERSION, ParsedPage

DEFAULT_DATABASE = "warehouse.duckdb"

_DDL = """
create schema if not exists raw;

create table if not exists raw.wikipedia_pages (
    load_id varchar primary key,
    source varchar not null,          -- url or file path
    sha256 varchar not null,
    layout varchar not null,
    revision_id bigint,
    parser_version varchar not null,
    loaded_at timestamptz not null,
    html varchar not null             -- the page as text (read as `encoding` says)
);

create table if not exists raw.wikipedia_postal_code_rows (
    load_id varchar not null,
    row_number integer not null,      -- page order
    postal_code varchar not null,
    borough varchar,                  -- text as found
    neighbourhood varchar,            -- text as found, line breaks kept
    layout varchar not null,
    primary key (load_id, row_number)
);

create table if not exists raw.wikipedia_rejected_pages (
    load_id varchar primary key,
    source varchar not null,
    sha256 varchar not null,
    error varchar not null,
    loaded_at timestamptz not null,
    html varchar not null
);

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

create table if not exists raw.venue_responses (
    load_id varchar not null,         -- one fetch or replay run
    provider varchar not null,
    postal_code varchar not null,
    request json not null,            -- request parameters; never a secret
    request_fingerprint varchar not null,
    http_status integer not null,
    source varchar not null,          -- endpoint url or recorded file
    response_sha256 varchar not null,
    fetched_at timestamptz,
    loaded_at timestamptz not null,
    response json not null,           -- the body as received (a paged provider: the array of its pages)
    primary key (load_id, provider, postal_code)
);

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

create table if not exists raw.place_point_files (
    load_id varchar not null,
    source varchar not null,
    sha256 varchar not null,
    format varchar not null,
    fields json not null,             -- which properties/columns were read as id, name, category
    loaded_at timestamptz not null,
    row_count bigint not null,
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
    primary key (load_id, source, row_number)
);
"""

# Columns added since the tables were first made: a warehouse built by an earlier version gains
# them (null in its old rows) when it is next opened.
_MIGRATIONS = """
alter table raw.wikipedia_pages add column if not exists encoding varchar;
alter table raw.wikipedia_rejected_pages add column if not exists encoding varchar;
alter table raw.place_points add column if not exists problem varchar;
alter table raw.place_points add column if not exists missing varchar[];
alter table raw.place_point_files add column if not exists unplaceable_count bigint;
alter table raw.place_point_files add column if not exists without_category_count bigint;
alter table raw.place_point_files add column if not exists without_name_count bigint;
"""


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    rows: int
    reused: bool


def database_path(explicit: str | None = None) -> Path:
    """`--database`, else env `DBT_DUCKDB_PATH` (as dbt's profile reads it), else ./warehouse.duckdb."""
    return Path(explicit or os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DATABASE)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for landing (creating it and the raw tables if need be). Another
    process holding it is a `WarehouseInUseError` that names the process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path))
    except duckdb.IOException as error:
        raise in_use_error(path, error) from error
    # A missing table is an error, never a Python variable of the same name (DuckDB's replacement scans).
    connection.execute("set python_enable_replacements = false")
    connection.execute(_DDL)
    connection.execute(_MIGRATIONS)
    return connection


def in_use_error(path: Path, error: duckdb.Error) -> IngestError:
    """One line that says which process holds the file, or why the file cannot be opened."""
    text = str(error)
    holder = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", text)
    if holder:
        command = _command_line(int(holder.group(2))) or holder.group(1)
        return WarehouseInUseError(
            f"the warehouse {path} is in use by process {holder.group(2)} ({command}); close it (a DuckDB "
            "shell, a notebook, another dbt or ingest run) and try again"
        )
    return IngestError(f"cannot open the DuckDB file {path}: {text.splitlines()[0]}")


def _command_line(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)[:200] or None


def new_load_id() -> str:
    """Sortable by time, unique across processes."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def land_wikipedia_page(
    connection: duckdb.DuckDBPyConnection, *, source: str, content: bytes, page: ParsedPage
) -> LoadResult:
    digest = sha256(content)
    unchanged = latest_load_matches(
        connection, "raw.wikipedia_pages", digest, "parser_version", PARSER_VERSION
    )
    if unchanged:
        return LoadResult(unchanged, len(page.rows), reused=True)
    load_id = new_load_id()
    with _transaction(connection):
        decoded = page.decoded or decode(content)
        connection.execute(
            "insert into raw.wikipedia_pages (load_id, source, sha256, layout, revision_id, parser_version, "
            "loaded_at, html, encoding) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                source,
                digest,
                page.layout,
                page.revision_id,
                PARSER_VERSION,
                datetime.now(UTC),
                decoded.text,
                decoded.encoding,
            ],
        )
        _append(
            connection,
            "raw.wikipedia_postal_code_rows",
            ("load_id", "row_number", "postal_code", "borough", "neighbourhood", "layout"),
            (
                (load_id, r.row_number, r.postal_code, r.borough, r.neighbourhood, page.layout)
                for r in page.rows
            ),
        )
    return LoadResult(load_id, len(page.rows), reused=False)


def land_rejected_page(
    connection: duckdb.DuckDBPyConnection, *, source: str, content: bytes, error: str
) -> str:
    """Keep a page the parser refused, so it can be inspected; the models never read it."""
    load_id = new_load_id()
    decoded = decode(content)
    connection.execute(
        "insert into raw.wikipedia_rejected_pages (load_id, source, sha256, error, loaded_at, html, encoding) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [load_id, source, sha256(content), error, datetime.now(UTC), decoded.text, decoded.encoding],
    )
    return load_id


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
    with _transaction(connection):
        connection.execute(
            "insert into raw.coordinate_files values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                provider,
                file_format,
                source,
                digest,
                json.dumps(columns) if columns else None,
                datetime.now(UTC),
                content,
            ],
        )
        _append(
            connection,
            "raw.coordinates",
            ("load_id", "row_number", "postal_code", "latitude", "longitude", "place_name"),
            ((load_id, r.row_number, r.postal_code, r.latitude, r.longitude, r.place_name) for r in rows),
        )
    return LoadResult(load_id, len(rows), reused=False)


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
    to its area's latest one; returns the postal codes whose response landed."""
    if not responses:
        return []
    latest = {
        (provider, code): (fingerprint, digest)
        for provider in {response.provider for response in responses}
        for code, (fingerprint, digest, _) in _latest_venue_rows(connection, provider).items()
    }
    now = datetime.now(UTC)
    rows = []
    for response in responses:
        fingerprint = request_fingerprint(response.request)
        digest = sha256(response.body.encode("utf-8"))
        if latest.get((response.provider, response.postal_code)) == (fingerprint, digest):
            continue
        rows.append(
            (load_id, response.provider, response.postal_code, json.dumps(response.request, sort_keys=True),
             fingerprint, response.http_status, response.source, digest, response.fetched_at, now, response.body)
        )  # fmt: skip
    _append(
        connection,
        "raw.venue_responses",
        ("load_id", "provider", "postal_code", "request", "request_fingerprint", "http_status", "source",
         "response_sha256", "fetched_at", "loaded_at", "response"),
        rows,
    )  # fmt: skip
    return [row[2] for row in rows]


def latest_venue_fetches(
    connection: duckdb.DuckDBPyConnection, provider: str
) -> dict[str, tuple[str, datetime | None]]:
    """Per postal code, the request fingerprint and fetch time of its latest response."""
    return {
        code: (fingerprint, fetched_at)
        for code, (fingerprint, _, fetched_at) in _latest_venue_rows(connection, provider).items()
    }


def _latest_venue_rows(
    connection: duckdb.DuckDBPyConnection, provider: str
) -> dict[str, tuple[str, str, datetime | None]]:
    """Per postal code, the request fingerprint, response sha256 and fetch time of the provider's
    latest response for it."""
    rows = connection.execute(
        "select postal_code, request_fingerprint, response_sha256, fetched_at from raw.venue_responses "
        "where provider = ? "
        "qualify row_number() over (partition by postal_code order by loaded_at desc, load_id desc) = 1",
        [provider],
    ).fetchall()
    return {code: (fingerprint, digest, fetched_at) for code, fingerprint, digest, fetched_at in rows}


def latest_venue_response(
    connection: duckdb.DuckDBPyConnection, provider: str, postal_code: str
) -> str | None:
    row = connection.execute(
        "select response::varchar from raw.venue_responses where provider = ? and postal_code = ? "
        "order by loaded_at desc, load_id desc limit 1",
        [provider, postal_code],
    ).fetchone()
    return row[0] if row else None


def postal_code_centres(connection: duckdb.DuckDBPyConnection) -> list[Area]:
    """The areas to fetch venues for: the postal_code_centres model's codes with a centre. That
    model does not depend on venues, so it can be built before any venue is fetched (`dbt build
    --select +postal_code_centres`)."""
    relation = f"{project_settings().build_schema}.postal_code_centres"
    try:
        rows = connection.execute(
            f"select postal_code, latitude, longitude from {relation} "
            "where latitude is not null and longitude is not null order by postal_code"
        ).fetchall()
    except duckdb.CatalogException as error:
        raise IngestError(
            f"{relation} is not built yet, so there are no areas to fetch venues for: land the postal "
            "codes and coordinates (`python -m ingest all`), run `dbt build --select +postal_code_centres`, "
            "then fetch venues"
        ) from error
    if not rows:
        raise IngestError(f"{relation} has no area with coordinates; run `dbt build` first")
    return [Area(code, latitude, longitude) for code, latitude, longitude in rows]


def latest_load_matches(
    connection: duckdb.DuckDBPyConnection, table: str, digest: str, column: str, value: str
) -> str | None:
    """The latest load's id if it landed these same bytes read the same way (`column` = `value`):
    landing them again would change nothing."""
    latest = connection.execute(
        f"select load_id, sha256, {column} from {table} order by loaded_at desc, load_id desc limit 1"
    ).fetchone()
    return latest[0] if latest and latest[1:] == (digest, value) else None


class _transaction:
    """`with _transaction(con):` commits on success and rolls back on any error."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("begin transaction")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.connection.execute("commit" if kind is None else "rollback")


def _append(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Bulk insert through Arrow (one statement, however many rows)."""
    rows = list(rows)
    if not rows:
        return
    batch = pa.Table.from_arrays(
        [pa.array(values) for values in zip(*rows, strict=True)], names=list(columns)
    )
    connection.register("_batch", batch)
    try:
        connection.execute(f"insert into {table} ({', '.join(columns)}) select * from _batch")
    finally:
        connection.unregister("_batch")
