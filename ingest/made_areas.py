"""Area sets made rather than read from a file of the user's: an H3 grid over a box or a division,
or Overture's divisions under a named one. Each is written as a GeoParquet file of areas (id, name,
parent, geometry) and landed like any area file (`ingest.areas`), so it is an area set like any
other; ``--record DIR`` keeps the file in a snapshot folder (section ``areas`` of its manifest), which
``python -m ingest areas --snapshot DIR`` (and ``ingest all --snapshot DIR``) lands again offline."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest import h3_grid, overture
from ingest.areas import AREA_SET_PATTERN, AreaOptions, AreasFileError, AreasLoad, land_areas
from ingest.divisions import Children, Reader
from ingest.errors import SnapshotError
from ingest.snapshot import Recorder, Snapshot

log = logging.getLogger(__name__)

SECTION = "areas"  # the snapshot manifest's section


@dataclass(frozen=True)
class Request:
    """What `python -m ingest areas` was asked to make (one of grid+bbox, grid+division, division)."""

    area_set: str
    grid: str | None = None
    bbox: str | None = None
    division: str | None = None  # --division NAME, or --within-division NAME with --grid
    division_id: str | None = None
    country: str | None = None
    level: str | None = None
    release: str = "latest"
    timeout: float = 30


def land(connection: duckdb.DuckDBPyConnection, request: Request, record: Path | None) -> AreasLoad:
    """Make the areas asked for, land them, and record them when asked (`connection`: the
    warehouse's, spatial loaded)."""
    if not AREA_SET_PATTERN.fullmatch(request.area_set):  # before anything is read; it names files
        raise AreasFileError(
            f"--area-set {request.area_set!r}: use lower-case letters, digits and _, starting with a letter"
        )
    res = h3_grid.resolution(request.grid) if request.grid else None
    with tempfile.TemporaryDirectory() as temporary:
        file = Path(temporary) / f"{request.area_set}.parquet"
        if res is not None and request.bbox:
            extent = overture.Extent.parse(request.bbox)
            found = h3_grid.cells(h3_grid.box(extent.west, extent.south, extent.east, extent.north), res,
                                  f"the box {extent.text()}")  # fmt: skip
            h3_grid.write(connection, found, file)
            source = f"h3:{res} cells overlapping the box {extent.text()}"
        else:
            release = overture.resolve_release(request.release, overture.stac_url(), request.timeout)
            reader = Reader(connection, release)
            division = reader.find(request.division, request.country, request.division_id)
            if res is not None:
                shape, what = reader.land_shape(division)
                found = h3_grid.cells(shape, res, what)
                h3_grid.write(connection, found, file)
                source = f"h3:{res} cells overlapping {what}, Overture release {release}"
            else:
                children = reader.write_children(division, request.level, file)
                source = f"Overture release {release} divisions: the {children.level} areas under {division.describe()}"
                _say_levels(children, division.describe())
        result = land_areas(connection, file, _options(request.area_set), source=source)
        if record:
            _record(record, request.area_set, source, file.read_bytes())
    log.info("%s", result.describe(source, request.area_set))
    return result


def replay(connection: duckdb.DuckDBPyConnection, snapshot: Snapshot, report: Callable[[str], None]) -> None:
    """Land the area sets a snapshot recorded (its ``areas`` section)."""
    for (area_set, source), file in snapshot.entries(
        SECTION, "sets", lambda entry: (str(entry["area_set"]), str(entry["source"]))
    ):
        report(land_areas(connection, file, _options(area_set), source=source).describe(source, area_set))


def _options(area_set: str) -> AreaOptions:
    return AreaOptions(area_set=area_set, id_field="id", name_field="name", parent_field="parent")


def _say_levels(children: Children, division: str) -> None:
    levels = ", ".join(f"{level} {count:,}" for level, count in children.levels.items())
    log.info("areas: divisions with polygons under %s: %s; %s chosen", division, levels, children.level)
    if children.without_polygons:
        shown = ", ".join(children.without_polygons[:10])
        more = (
            f" and {len(children.without_polygons) - 10} more" if len(children.without_polygons) > 10 else ""
        )
        log.warning(
            "areas: %d %s divisions under %s have only a point, no polygon, and are not areas: %s%s",
            len(children.without_polygons), children.level, division, shown, more,
        )  # fmt: skip


def _record(root: Path, area_set: str, source: str, content: bytes) -> None:
    relative = f"{SECTION}/{area_set}.parquet"
    recorder = Recorder(root)
    recorder.write(relative, content, flush=False)
    try:
        sets = Snapshot(root).manifest.get(SECTION, {}).get("sets", [])
    except SnapshotError:
        sets = []
    entry = {"file": relative, "area_set": area_set, "source": source}
    recorder.describe(
        SECTION, {"sets": [other for other in sets if other.get("area_set") != area_set] + [entry]}
    )
    log.info("areas: recorded into %s", root / relative)
