"""Areas from Overture's divisions theme, read from the same release and through the same httpfs
read as places (`ingest.overture`): a division found by name (and country) or id, the polygons
of the divisions at a level under it, or its own land polygon for a grid.

- ``type=division``: points with ``subtype``, ``names.primary``, ``country``, ``region`` and
  ``parent_division_id``; the divisions under one are found by following ``parent_division_id``
  down from it (both schema generations have it), so neighbourhoods under a locality and
  neighbourhoods under a borough (a ``localadmin``) under a city are found alike.
- ``type=division_area``: polygons keyed to ``division_id``; the land parts (``is_land``, or
  ``class = 'land'`` in older releases) of each division are unioned into its area.
- Coverage below the city is uneven, so nothing is guessed: an ambiguous name is refused with its
  candidates, a level without polygons with the levels that have them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest import overture
from ingest.errors import IngestError
from ingest.h3_grid import box

log = logging.getLogger(__name__)

# Levels areas can be made of, finest first (the default: the finest that has polygons).
LEVELS = ("microhood", "neighborhood", "macrohood", "locality", "localadmin", "county")
_SHOWN = 20


class DivisionError(IngestError):
    """A division cannot be found, or has no areas at the level asked."""


@dataclass(frozen=True)
class Division:
    id: str
    name: str
    subtype: str
    country: str | None
    region: str | None
    longitude: float | None
    latitude: float | None

    def describe(self) -> str:
        where = ", ".join(part for part in (self.subtype, self.country, self.region) if part)
        return f"{self.name} ({where}; id {self.id})"


@dataclass(frozen=True)
class Children:
    """What landing a division's children wrote."""

    level: str
    without_polygons: list[str]
    levels: dict[str, int]  # every level under the division that has polygons: how many


class Reader:
    """The divisions of one release (httpfs configured on the connection)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, release: str) -> None:
        self.connection = connection
        self.release = release
        overture.configure_s3(connection)
        self.division_url = overture.release_url(release, "divisions", "division")
        self.area_url = overture.release_url(release, "divisions", "division_area")
        self.division_columns = overture.describe(connection, self.division_url)
        self.area_columns = overture.describe(connection, self.area_url)
        self.loaded: str | None = None  # the division whose tables _load_areas made

    def find(self, name: str | None, country: str | None, division_id: str | None) -> Division:
        """The one division of that name (in that country) or id; refused, listing the candidates,
        when there are several."""
        if division_id:
            condition, parameters = "id = ?", [division_id]
        else:
            condition, parameters = "lower(names.primary) = lower(?)", [(name or "").strip()]
        if country:
            condition += " and upper(country) = upper(?)"
            parameters.append(country.strip())
        rows = self._read(f"""
            select id::varchar, names.primary::varchar, subtype::varchar, {self._column("country")},
                {self._column("region")}, bbox.xmin::double, bbox.ymin::double
            from read_parquet(?, hive_partitioning = false) where {condition}
            order by 4, 5, 3, 1
        """, [self.division_url, *parameters])  # fmt: skip
        asked = f"--division-id {division_id}" if division_id else f"the name {name!r}"
        asked += f" in country {country}" if country else ""
        if not rows:
            raise DivisionError(
                f"no division of Overture release {self.release} has {asked}: check the spelling (names.primary, "
                "as Overture writes it, e.g. 'New York' or 'Toronto'), or drop --country"
            )
        candidates = [Division(*row) for row in rows]
        if len(candidates) > 1:
            listed = "\n".join(f"  {candidate.describe()}" for candidate in candidates[:_SHOWN])
            more = f"\n  and {len(candidates) - _SHOWN} more" if len(candidates) > _SHOWN else ""
            raise DivisionError(
                f"{len(candidates)} divisions of Overture release {self.release} have {asked}; say which with "
                f"{'' if country else '--country CC or '}--division-id ID:\n{listed}{more}"
            )
        return candidates[0]

    def land_shape(self, division: Division) -> tuple[dict[str, Any], str]:
        """The division's land polygon as GeoJSON, or where it has none the box of the polygons
        under it; and a phrase saying which."""
        self._load_areas(division)
        own = self.connection.execute(
            "select ST_AsGeoJSON(geometry) from _division_areas where division_id = ?", [division.id]
        ).fetchone()
        if own:
            return json.loads(own[0]), f"the land polygon of {division.describe()}"
        under = self.connection.execute(
            "select min(ST_XMin(geometry)), min(ST_YMin(geometry)), max(ST_XMax(geometry)), max(ST_YMax(geometry)) "
            "from _division_areas where division_id <> ?",
            [division.id],
        ).fetchone()
        if under[0] is not None:
            log.warning(
                "areas: %s has no polygon of its own; the grid covers the box of the polygons under it",
                division.describe(),
            )
            return box(*under), f"the box of the polygons under {division.describe()} (it has no polygon)"
        raise DivisionError(
            self._no_polygon(division, "no polygon, and no division under it has one", within=False)
        )

    def write_children(self, division: Division, level: str | None, file: Path) -> Children:
        """The polygons of the divisions at `level` under `division` (default: the finest level
        that has polygons) as a GeoParquet file of areas (id, name, parent, geometry, ...)."""
        self._load_areas(division)
        counts = dict(self.connection.execute(
            "select d.subtype, count(*) from _descendants d join _division_areas a on a.division_id = d.id "
            "where d.id <> ? group by 1",
            [division.id],
        ).fetchall())  # fmt: skip
        levels = {subtype: counts[subtype] for subtype in LEVELS if subtype in counts}
        chosen = level or next(iter(levels), None)
        if chosen is None or chosen not in levels:
            has = ", ".join(f"{subtype} ({n})" for subtype, n in levels.items())
            what = (
                f"no {chosen} with a polygon under it (levels with polygons under it: {has})"
                if levels
                else "no division with a polygon under it"
            )
            within = bool(levels) or self._has_own_area(division)
            raise DivisionError(self._no_polygon(division, what, within=within))
        without = [
            f"{name} ({identifier})" for identifier, name in self.connection.execute(
                "select id, name from _descendants d where subtype = ? and not exists (select 1 from _division_areas a "
                "where a.division_id = d.id) order by name, id",
                [chosen],
            ).fetchall()
        ]  # fmt: skip
        self.connection.execute(f"""
            copy (
                select d.id, d.name, p.name as parent, d.subtype, d.country, d.region, a.geometry
                from _descendants d join _division_areas a on a.division_id = d.id
                left join _descendants p on p.id = d.parent_division_id
                where d.subtype = ? order by d.id
            ) to '{str(file).replace("'", "''")}' (format parquet)
        """, [chosen])  # fmt: skip
        return Children(chosen, without, levels)

    def _load_areas(self, division: Division) -> None:
        """The division and every division under it (_descendants), and their land areas
        (_division_areas: one unioned geometry each)."""
        if self.loaded == division.id:
            return
        geometry = (
            "ST_GeomFromWKB(geometry)"
            if self.area_columns.get("geometry", "").upper() == "BLOB"
            else "geometry"
        )
        land = (
            "coalesce(is_land, true)"
            if "is_land" in self.area_columns
            else "coalesce(class::varchar, 'land') = 'land'"
            if "class" in self.area_columns
            else "true"
        )
        # The division's own area, found near its point (row groups pruned by their bbox statistics).
        own = self._read(f"""
            select min(bbox.xmin), min(bbox.ymin), max(bbox.xmax), max(bbox.ymax)
            from read_parquet(?, hive_partitioning = false)
            where division_id = ? and {land} and bbox.xmin <= ? and bbox.xmax >= ? and bbox.ymin <= ? and bbox.ymax >= ?
        """, [self.area_url, division.id, division.longitude, division.longitude, division.latitude,
              division.latitude])[0]  # fmt: skip
        bounded = own[0] is not None
        within = (
            "bbox.xmin <= ? and bbox.xmax >= ? and bbox.ymin <= ? and bbox.ymax >= ?" if bounded else "true"
        )
        bounds = [own[2], own[0], own[3], own[1]] if bounded else []
        self._execute(f"""
            create or replace temp table _divisions as
            select id::varchar as id, names.primary::varchar as name, subtype::varchar as subtype,
                {self._column("country")} as country, {self._column("region")} as region,
                {self._column("parent_division_id")} as parent_division_id
            from read_parquet(?, hive_partitioning = false) where {within}
        """, [self.division_url, *bounds])  # fmt: skip
        self._execute(
            """
            create or replace temp table _descendants as
            with recursive tree(id) as (
                select ?::varchar
                union
                select d.id from _divisions d join tree on d.parent_division_id = tree.id
            )
            select d.* from _divisions d semi join tree using (id)
            """,
            [division.id],
        )
        self._execute(f"""
            create or replace temp table _division_areas as
            select division_id::varchar as division_id, ST_CollectionExtract(ST_Union_Agg(ST_MakeValid({geometry})), 3) as geometry
            from read_parquet(?, hive_partitioning = false)
            where {land} and {within} and division_id in (select id from _descendants)
            group by 1
        """, [self.area_url, *bounds])  # fmt: skip
        self.loaded = division.id

    def _no_polygon(self, division: Division, what: str, *, within: bool) -> str:
        """The refusal, offering the grid: over the division (when it or what is under it has a
        polygon), else over a box around its point."""
        offers = []
        if within:
            offers.append(f"--division-id {division.id}")
        elif division.longitude is not None:
            lat, lng = division.latitude, division.longitude
            offers.append(
                f"--bbox={lng - 0.1:.4f},{lat - 0.08:.4f},{lng + 0.1:.4f},{lat + 0.08:.4f} (around its point)"
            )
        if not offers:
            return f"{division.describe()} has {what}; give a box of your own: --grid h3:8 --bbox=W,S,E,N"
        grids = " or ".join(f"python -m ingest areas --grid h3:8 {offer} --area-set NAME" for offer in offers)
        return f"{division.describe()} has {what}. A hexagon grid needs no polygons: {grids}"

    def _has_own_area(self, division: Division) -> bool:
        return bool(self.connection.execute(
            "select count(*) from _division_areas where division_id = ?", [division.id]
        ).fetchone()[0])  # fmt: skip

    def _column(self, name: str) -> str:
        return f"{name}::varchar" if name in self.division_columns else "null::varchar"

    def _read(self, sql: str, parameters: list[Any]) -> list[tuple]:
        return self._execute(sql, parameters).fetchall()

    def _execute(self, sql: str, parameters: list[Any]) -> duckdb.DuckDBPyConnection:
        try:
            return self.connection.execute(sql, parameters)
        except duckdb.Error as error:
            raise overture.OvertureUnavailableError(
                f"reading Overture's divisions of release {self.release} failed: {str(error).splitlines()[0]}"
            ) from error
