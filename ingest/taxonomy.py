"""`python -m ingest taxonomy FILE...`: land category hierarchies, so that detailed categories
roll up to groups (Foursquare's "Coffee Shop" -> "Food", OSM's amenity=cafe -> "Sustenance").

Three kinds, recognised by their content (or named with --kind):

- ``foursquare_v2``: the Foursquare v2 ``/venues/categories`` tree, a JSON list of top-level
  categories with nested ``categories[]``; a category's group is its top-level ancestor.
- ``fsq_os_places``: the Foursquare Open Source Places category table (CSV with ``category_id``,
  ``category_name``, ``level1_category_name`` ...); it keeps the v2 ids; the group is level 1.
- ``osm_openpoiservice``: openpoiservice's grouping of OpenStreetMap tags (YAML: group ->
  ``children`` -> tag key -> {tag value: id}); the group is its top-level name.
- ``overture``: Overture Maps' places taxonomy (the hierarchies CSV: ``Group (L0)``, ``New Primary
  Category``, ``New Display Name``, ``Old Primary Category`` ...); a category is its code, named by
  its display name; the group is its top-level (L0) category; a code of older releases that was
  renamed is kept as a category of its own, named and grouped as its successor.

The files whose licences allow it ship with the project as the seed ``category_taxonomies``
(``python -m ingest taxonomy FILE... --write-seed seeds/category_taxonomies.csv`` writes it;
seeds/TAXONOMY_NOTICE.md says where each comes from); a landed file of a kind replaces the seed's.

Landing is append-only and idempotent (the same file again lands nothing); the models read each
kind's latest load.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ingest.errors import IngestError
from ingest.raw_store import LoadResult, append, latest_load, new_load_id, transaction
from ingest.settings import project_settings
from ingest.snapshot import sha256

KINDS = project_settings().taxonomy_kinds  # var taxonomy_kinds
# The seed's columns (seeds/category_taxonomies.csv), as raw.taxonomy_categories holds them.
SEED_COLUMNS = ("kind", "position", "category_id", "category_name", "tag_key", "group_name", "level", "path")

DDL = """
create table if not exists raw.taxonomy_files (
    load_id varchar primary key,
    kind varchar not null,            -- foursquare_v2, fsq_os_places, osm_openpoiservice or overture
    source varchar not null,
    sha256 varchar not null,
    loaded_at timestamptz not null,
    category_count bigint not null
);

create table if not exists raw.taxonomy_categories (
    load_id varchar not null,
    position bigint not null,         -- file order
    category_id varchar,              -- Foursquare's id (null for OSM tags)
    category_name varchar,            -- the category's name, or the OSM tag value
    tag_key varchar,                  -- the OSM tag key (amenity, shop ...), for OSM tags
    group_name varchar not null,      -- the top-level group it rolls up to
    level integer not null,           -- 1 = a group itself
    path varchar not null,            -- "Food > Asian Restaurant > Ramen Restaurant"
    primary key (load_id, position)
);
"""


class TaxonomyFileError(IngestError):
    """A taxonomy file is not one of the kinds this ingester knows."""


@dataclass(frozen=True)
class Category:
    category_id: str | None
    name: str
    tag_key: str | None
    group: str
    level: int
    path: str


def land_taxonomy(
    connection: duckdb.DuckDBPyConnection, file: Path, kind: str | None = None
) -> tuple[str, LoadResult]:
    """Land one file; returns its kind and what landed."""
    if not file.is_file():
        raise TaxonomyFileError(f"{file} is not a file")
    content = file.read_bytes()
    kind = kind or recognise(file, content)
    categories = list(read(file, content, kind))
    if not categories:
        raise TaxonomyFileError(f"{file} holds no categories")
    digest = sha256(content)
    latest = latest_load(connection, "raw.taxonomy_files", "load_id, sha256", "kind = ?", [kind])
    if latest and latest[1] == digest:
        return kind, LoadResult(latest[0], len(categories), reused=True)
    load_id = new_load_id()
    with transaction(connection):
        connection.execute(
            "insert into raw.taxonomy_files values (?, ?, ?, ?, ?, ?)",
            [load_id, kind, str(file.resolve()), digest, datetime.now(UTC), len(categories)],
        )
        append(
            connection,
            "raw.taxonomy_categories",
            ("load_id", "position", "category_id", "category_name", "tag_key", "group_name", "level", "path"),
            ((load_id, position, c.category_id, c.name, c.tag_key, c.group, c.level, c.path)
             for position, c in enumerate(categories, start=1)),
        )  # fmt: skip
    return kind, LoadResult(load_id, len(categories), reused=False)


def recognise(file: Path, content: bytes) -> str:
    text = content.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("["):
        return "foursquare_v2"
    first_line = text.splitlines()[0] if text else ""
    if "category_id" in first_line and "level1_category_name" in first_line:
        return "fsq_os_places"
    if "Group (L0)" in first_line and "New Primary Category" in first_line:
        return "overture"
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    if (
        isinstance(parsed, dict)
        and parsed
        and all(isinstance(v, dict) and "children" in v for v in parsed.values())
    ):
        return "osm_openpoiservice"
    raise TaxonomyFileError(
        f"{file} is none of the taxonomies this ingester knows ({', '.join(KINDS)}): expected the Foursquare v2 "
        "categories JSON, the Foursquare OS Places categories CSV, openpoiservice's categories YAML or "
        "Overture's categories hierarchies CSV"
    )


def read(file: Path, content: bytes, kind: str) -> Iterator[Category]:
    text = content.decode("utf-8-sig")
    try:
        if kind == "foursquare_v2":
            for top in json.loads(text):
                yield from _foursquare_tree(top, top["name"], [], 1)
        elif kind == "fsq_os_places":
            for row in csv.DictReader(io.StringIO(text)):
                level = int(row["category_level"])
                yield Category(row["category_id"], row["category_name"], None, row["level1_category_name"], level,
                               row.get("category_label") or row["category_name"])  # fmt: skip
        elif kind == "osm_openpoiservice":
            for group, spec in yaml.safe_load(text).items():
                for tag_key, values in (spec.get("children") or {}).items():
                    for tag_value in values or {}:
                        yield Category(None, str(tag_value), str(tag_key), _readable(group), 2,
                                       f"{_readable(group)} > {tag_key}={tag_value}")  # fmt: skip
        elif kind == "overture":
            yield from _overture(csv.DictReader(io.StringIO(text)))
        else:
            raise TaxonomyFileError(f"unknown taxonomy kind {kind!r}; expected one of {', '.join(KINDS)}")
    except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise TaxonomyFileError(f"{file} could not be read as a {kind} taxonomy: {error!r}") from error


def _foursquare_tree(node: dict[str, Any], group: str, path: list[str], level: int) -> Iterator[Category]:
    here = [*path, node["name"]]
    yield Category(node["id"], node["name"], None, group, level, " > ".join(here))
    for child in node.get("categories") or []:
        yield from _foursquare_tree(child, group, here, level + 1)


def _overture(rows: Iterator[dict[str, str]]) -> Iterator[Category]:
    rows = [row for row in rows if (row.get("New Primary Category") or "").strip()]
    names = {row["New Primary Category"]: row["New Display Name"] for row in rows}
    seen = set(names)
    for row in rows:
        code, group = row["New Primary Category"], row["Group (L0)"]
        path = " > ".join(
            names.get(part.strip(), part.strip()) for part in row["New Primary Hierarchy"].split(">")
        )
        category = Category(
            code, names[code], None, names.get(group, _readable(group)), int(row["Level"]) + 1, path
        )
        yield category
        old = (row.get("Old Primary Category") or "").strip()
        if old and old not in seen:  # a renamed code of older releases: named and grouped as its successor
            seen.add(old)
            yield Category(old, category.name, None, category.group, category.level, category.path)


def write_seed(files: list[Path], seed: Path) -> int:
    """Write the categories of `files` (one per kind) as the seed CSV; returns the rows written."""
    rows = []
    for file in files:
        content = file.read_bytes()
        kind = recognise(file, content)
        rows += [(kind, position, c.category_id, c.name, c.tag_key, c.group, c.level, c.path)
                 for position, c in enumerate(read(file, content, kind), start=1)]  # fmt: skip
    with seed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def _readable(name: str) -> str:
    """openpoiservice's group keys as names: "leisure_and_entertainment" -> "Leisure and entertainment"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
