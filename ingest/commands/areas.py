"""`ingest areas`: an area set from a file of areas, an H3 grid, or Overture's divisions."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ingest import h3_grid, made_areas
from ingest.areas import FORMATS, AreaOptions, land_areas
from ingest.commands import shared
from ingest.divisions import LEVELS
from ingest.errors import IngestError
from ingest.snapshot import Snapshot

# The options of a file of areas, and of the sets it makes (grids, divisions).
FILE_OPTIONS = ("file", "id_field", "name_field", "parent_field", "crs")
MADE_OPTIONS = (
    "grid",
    "bbox",
    "within_division",
    "division",
    "division_id",
    "country",
    "level",
    "release",
    "record",
)


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "areas",
        parents=[options.landing],
        help="land an area set: a file of areas (GeoJSON, GeoPackage, Shapefile, GeoParquet), an H3 grid, or "
        "Overture's divisions",
        description="Land an area set: any file of areas DuckDB's spatial extension reads (polygons, in which "
        "venues are counted, or points, around which they are; reprojected to WGS84 from the CRS the file "
        "declares, or --crs); or the H3 cells over a box or a division (--grid); or the polygons of Overture's "
        "divisions under a named one (--division). Grids and divisions record (--record) and replay "
        "(--snapshot) like places.",
    )
    command.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help=f"one of {', '.join(sorted(FORMATS))}"
    )
    command.add_argument("--area-set", metavar="NAME", help="the set's name, e.g. nyc_nta")
    command.add_argument(
        "--id-field",
        metavar="F",
        help="the field holding each area's id, unique in the set (default: the feature's own id, else its position)",
    )
    command.add_argument("--name-field", metavar="F", help="the field holding each area's name")
    command.add_argument("--parent-field", metavar="F", help="the field holding the borough or district")
    command.add_argument(
        "--crs",
        metavar="EPSG:N",
        help="the CRS of the file's coordinates, when it declares none (or declares it wrongly)",
    )
    command.add_argument(
        "--grid",
        metavar="h3:RES",
        help=f"the H3 cells (RES {h3_grid.RESOLUTIONS[0]} to {h3_grid.RESOLUTIONS[-1]}) overlapping --bbox or a "
        f"division (--within-division / --division-id), at most {h3_grid.MAX_CELLS:,}",
    )
    command.add_argument(
        "--bbox",
        metavar="W,S,E,N",
        help="with --grid: the box, in degrees (write --bbox=W,S,E,N when W is negative)",
    )
    command.add_argument(
        "--within-division",
        metavar="NAME",
        help="with --grid: the division (by its name) whose land it covers",
    )
    command.add_argument(
        "--division",
        metavar="NAME",
        help="Overture's divisions at --level under the division of this name (names.primary)",
    )
    command.add_argument(
        "--division-id", metavar="ID", help="the division by its Overture id (when its name is ambiguous)"
    )
    command.add_argument(
        "--country", metavar="CC", help="the division's country (ISO 3166-1 alpha-2, e.g. CA)"
    )
    command.add_argument(
        "--level",
        choices=LEVELS,
        help="the divisions' subtype to make areas of (default: the finest that has polygons)",
    )
    command.add_argument(
        "--release",
        metavar="RELEASE",
        help="divisions: latest (default, from the STAC catalog; env INGEST_OVERTURE_STAC_URL) or YYYY-MM-DD.N",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    if args.snapshot:
        _refuse_options(args, "--snapshot", FILE_OPTIONS + MADE_OPTIONS + ("area_set",))
        with shared.connect_to_warehouse(args) as connection:
            made_areas.replay(connection, Snapshot(args.snapshot), lambda line: shared.log.info("%s", line))
        return
    if not args.area_set:
        raise IngestError("give the set a name: --area-set NAME (lower-case letters, digits and _)")
    if args.file is None:
        _run_made_areas(args)
        return
    _refuse_options(args, "a FILE", MADE_OPTIONS)
    options = AreaOptions(
        area_set=args.area_set,
        id_field=args.id_field,
        name_field=args.name_field,
        parent_field=args.parent_field,
        crs=args.crs,
    )
    with shared.connect_to_warehouse(args) as connection:
        result = land_areas(connection, args.file, options)
    shared.log.info("%s", result.describe(str(args.file), args.area_set))


def _run_made_areas(args: argparse.Namespace) -> None:
    """An H3 grid over a box or a division, or the divisions under one."""
    _refuse_options(args, "--grid or --division", FILE_OPTIONS)
    if args.grid:
        if bool(args.bbox) == bool(args.within_division or args.division_id) or args.division or args.level:
            raise IngestError(
                "--grid covers one of --bbox=W,S,E,N or --within-division NAME [--country CC] (or --division-id "
                "ID); --division and --level are for divisions, not grids"
            )
    elif not (args.division or args.division_id) or args.bbox or args.within_division:
        raise IngestError(
            "give a FILE of areas, --grid h3:RES (with --bbox or --within-division), or --division NAME "
            "(or --division-id ID)"
        )
    request = made_areas.Request(
        area_set=args.area_set, grid=args.grid, bbox=args.bbox, division=args.division or args.within_division,
        division_id=args.division_id, country=args.country, level=args.level, release=args.release or "latest",
        timeout=args.timeout or 30,
    )  # fmt: skip
    with shared.connect_to_warehouse(args) as connection:
        made_areas.land(connection, request, args.record)


def _refuse_options(args: argparse.Namespace, given: str, names: Sequence[str]) -> None:
    flags = [
        f"--{name.replace('_', '-')}" if name != "file" else "FILE" for name in names if getattr(args, name)
    ]
    if flags:
        raise IngestError(f"{', '.join(flags)} do not apply with {given}; drop them")
