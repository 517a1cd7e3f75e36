"""The Wikipedia page's raw tables and its landing: the page as text and the rows the parser
extracted, one load per page; a refused page is kept for inspection."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb

from ingest.areas import AREA_SET_PATTERN
from ingest.encoding import decode
from ingest.errors import IngestError, WikipediaPageError
from ingest.postal_sets import default_area_set
from ingest.raw_store import LoadResult, append, latest_load, new_load_id, transaction
from ingest.snapshot import sha256
from ingest.wikipedia.parse import PARSER_VERSION, ParsedPage, parse_page

if TYPE_CHECKING:
    from ingest.sources import Input

log = logging.getLogger(__name__)

DDL = """
create table if not exists raw.wikipedia_pages (
    load_id varchar primary key,
    source varchar not null,          -- url or file path
    sha256 varchar not null,
    layout varchar not null,
    revision_id bigint,
    parser_version varchar not null,
    loaded_at timestamptz not null,
    html varchar not null,            -- the page as text (read as `encoding` says)
    encoding varchar,
    area_set varchar                  -- the postal set the page was landed as
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
    html varchar not null,
    encoding varchar
);
"""


def land_wikipedia_page(
    connection: duckdb.DuckDBPyConnection, *, source: str, content: bytes, page: ParsedPage, area_set: str
) -> LoadResult:
    digest = sha256(content)
    latest = latest_load(connection, "raw.wikipedia_pages", "load_id, sha256, parser_version, area_set")
    if latest and latest[1:] == (digest, PARSER_VERSION, area_set):
        return LoadResult(latest[0], len(page.rows), reused=True)
    load_id = new_load_id()
    decoded = page.decoded or decode(content)
    with transaction(connection):
        connection.execute(
            "insert into raw.wikipedia_pages (load_id, source, sha256, layout, revision_id, parser_version, "
            "loaded_at, html, encoding, area_set) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, source, digest, page.layout, page.revision_id, PARSER_VERSION, datetime.now(UTC),
             decoded.text, decoded.encoding, area_set],
        )  # fmt: skip
        append(
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


def postal_area_set(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The area set of the latest page (the postal set), or None when no page has landed."""
    row = latest_load(connection, "raw.wikipedia_pages", "area_set")
    return row[0] if row else None


def land_postal_codes(
    connection: duckdb.DuckDBPyConnection, page: Input, *, min_postal_codes: int, area_set: str | None = None
) -> LoadResult:
    """Parse and land a page as the postal area set (named `area_set`, else by its letter); a
    refused page is kept in raw.wikipedia_rejected_pages."""
    try:
        parsed = parse_page(page.content, min_postal_codes=min_postal_codes)
    except WikipediaPageError as error:
        load_id = land_rejected_page(connection, source=page.source, content=page.content, error=str(error))
        raise type(error)(
            f"{error} (nothing was landed; the page is kept in raw.wikipedia_rejected_pages, "
            f"load_id {load_id})"
        ) from error
    if parsed.decoded and parsed.decoded.note:
        log.warning("postal codes: %s: %s", page.source, parsed.decoded.note)
    name = area_set or default_area_set(parsed.postal_codes)
    if not AREA_SET_PATTERN.fullmatch(name):
        raise IngestError(
            f"--area-set {name!r}: use lower-case letters, digits and _, starting with a letter"
        )
    log.info(
        "postal codes: %s layout, revision %s, %d rows, %d postal codes, area set %s",
        parsed.layout,
        parsed.revision_id or "unknown",
        len(parsed.rows),
        len(parsed.postal_codes),
        name,
    )
    return land_wikipedia_page(
        connection, source=page.source, content=page.content, page=parsed, area_set=name
    )
