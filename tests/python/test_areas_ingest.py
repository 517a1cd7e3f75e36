"""`python -m ingest areas`: any boundary file, any field names, any CRS; ids, repairs and refusals
named; landing append-only and idempotent. No dbt build here (test_areas.py builds)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest
from support import SHARED_DATA, ingest, query

from ingest.spatial import load_spatial

NTA = SHARED_DATA / "cities" / "nyc" / "nta_2010.geojson"


def feature_collection(path: Path, features: list[dict], **extra: object) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}))
    return path


def square(x: float, y: float, size: float = 0.01) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def landed(database: Path, area_set: str) -> list[tuple]:
    return query(
        database,
        "select area_id, name, parent_name, was_repaired from raw.area_features where area_set = ? "
        "and load_id = (select max(load_id) from raw.area_files where area_set = ?) order by feature_number".replace(
            "?", f"'{area_set}'"
        ),
    )


@pytest.fixture(scope="module")
def projected_copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The real NTA polygons written as other users' files would come: State Plane feet (EPSG:2263)
    in a GeoPackage and a Shapefile (with and without its .prj), other field names, GeoParquet."""
    folder = tmp_path_factory.mktemp("projected")
    connection = duckdb.connect()
    load_spatial(connection)
    connection.execute(
        f"create table nta as select NTACode as nta_code, NTAName as nta_label, BoroName as borough, geom "
        f"from ST_Read('{NTA}')"
    )
    projected = "select nta_code, nta_label, borough, ST_Transform(geom, 'EPSG:4326', 'EPSG:2263', always_xy := true) as geom from nta"
    files = {
        "gpkg": folder / "nta_2263.gpkg",
        "shp": folder / "nta_2263.shp",
        "parquet": folder / "nta.parquet",
    }
    connection.execute(
        f"copy ({projected}) to '{files['gpkg']}' (format gdal, driver 'GPKG', srs 'EPSG:2263')"
    )
    connection.execute(
        f"copy ({projected}) to '{files['shp']}' (format gdal, driver 'ESRI Shapefile', srs 'EPSG:2263')"
    )
    connection.execute(f"copy (select * from nta) to '{files['parquet']}' (format parquet)")
    bare = folder / "no_prj"
    bare.mkdir()
    for suffix in (".shp", ".shx", ".dbf"):
        (bare / f"nta_2263{suffix}").write_bytes(files["shp"].with_suffix(suffix).read_bytes())
    files["shp without prj"] = bare / "nta_2263.shp"
    return files


def centroids(database: Path, area_set: str) -> dict[str, tuple[float, float]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        load_spatial(connection)
        rows = connection.execute(
            "select area_id, ST_X(ST_Centroid(ST_GeomFromWKB(geometry))), ST_Y(ST_Centroid(ST_GeomFromWKB(geometry))) "
            f"from raw.area_features where area_set = '{area_set}'"
        ).fetchall()
    return {area_id: (x, y) for area_id, x, y in rows}


def test_any_format_and_crs_lands_the_same_areas(shared_data: Path, projected_copies, tmp_path: Path, caplog):
    database = tmp_path / "w.duckdb"
    with caplog.at_level(logging.INFO):
        assert ingest("areas", NTA, "--area-set", "nta", "--id-field", "NTACode", "--database", database) == 0
        assert ingest("areas", projected_copies["gpkg"], "--area-set", "gpkg", "--id-field", "nta_code", "--name-field",
                      "nta_label", "--parent-field", "borough", "--database", database) == 0  # fmt: skip
        assert (
            ingest(
                "areas",
                projected_copies["shp"],
                "--area-set",
                "shp",
                "--id-field",
                "NTA_CODE",
                "--database",
                database,
            )
            == 0
        )
        assert ingest("areas", projected_copies["parquet"], "--area-set", "parquet", "--id-field", "nta_code",
                      "--database", database) == 0  # fmt: skip
    assert "reprojected from EPSG:2263, as the file declares" in caplog.text
    assert "9 invalid geometries repaired" in caplog.text  # the real file has 9 self-intersecting NTAs
    reference = centroids(database, "nta")
    assert len(reference) == 195
    for area_set in ("gpkg", "shp", "parquet"):
        moved = centroids(database, area_set)
        assert moved.keys() == reference.keys(), area_set
        # State Plane and back: the same places to a millimetre or so
        assert (
            max(abs(moved[k][0] - reference[k][0]) + abs(moved[k][1] - reference[k][1]) for k in reference)
            < 1e-7
        )
    # other field names: the name and parent fields as the user named them
    nta = json.loads(NTA.read_text())["features"]
    assert {(row[1], row[2]) for row in landed(database, "gpkg")} == {
        (feature["properties"]["NTAName"], feature["properties"]["BoroName"]) for feature in nta
    }


def test_a_projected_file_without_a_crs_is_refused_naming_crs_then_lands_with_it(
    shared_data: Path, projected_copies, tmp_path: Path, capsys, caplog
):
    database = tmp_path / "w.duckdb"
    bare = projected_copies["shp without prj"]
    assert ingest("areas", bare, "--area-set", "nta", "--database", database) == 1
    error = capsys.readouterr().err
    assert "plainly not longitude/latitude" in error and "declares no CRS" in error and "--crs" in error
    assert query(database, "select count(*) from raw.area_features") == [(0,)]
    with caplog.at_level(logging.INFO):
        assert ingest("areas", bare, "--area-set", "nta", "--crs", "EPSG:2263", "--database", database) == 0
    assert "reprojected from EPSG:2263 as --crs says" in caplog.text
    assert query(database, "select id_from from raw.area_files") == [
        ("each feature's position in the file (1 = first): no --id-field was given",)
    ]


def test_a_geojson_in_a_projected_crs_declared_the_old_way(tmp_path: Path, caplog):
    file = feature_collection(
        tmp_path / "old.geojson",
        [
            {
                "type": "Feature",
                "id": "a",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [987000, 200000]},
            }
        ],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2263"}},
    )
    with caplog.at_level(logging.INFO):
        assert ingest("areas", file, "--area-set", "old", "--database", tmp_path / "w.duckdb") == 0
    assert "reprojected from EPSG:2263" in caplog.text
    ((x, y),) = centroids(tmp_path / "w.duckdb", "old").values()
    assert -74.1 < x < -73.9 and 40.6 < y < 40.8  # lower Manhattan


def test_ids_come_from_the_field_the_feature_or_the_position_and_the_command_says_which(
    tmp_path: Path, caplog
):
    database = tmp_path / "w.duckdb"
    with_ids = feature_collection(
        tmp_path / "ids.geojson",
        [
            {"type": "Feature", "id": f"A{n}", "properties": {"name": f"Area {n}"}, "geometry": square(n, 0)}
            for n in range(3)
        ],
    )
    caplog.set_level(logging.INFO)
    assert ingest("areas", with_ids, "--area-set", "ids", "--name-field", "name", "--database", database) == 0
    assert "ids from each feature's own id (GeoJSON id)" in caplog.text
    assert [row[0] for row in landed(database, "ids")] == ["A0", "A1", "A2"]
    without = feature_collection(
        tmp_path / "no_ids.geojson",
        [{"type": "Feature", "properties": {"name": "Same"}, "geometry": square(n, 0)} for n in range(3)],
    )
    assert (
        ingest("areas", without, "--area-set", "positions", "--name-field", "name", "--database", database)
        == 0
    )
    assert "ids from each feature's position in the file" in caplog.text
    # names repeat; ids do not
    assert landed(database, "positions") == [
        ("1", "Same", None, False),
        ("2", "Same", None, False),
        ("3", "Same", None, False),
    ]


@pytest.mark.parametrize(
    ("features", "options", "message"),
    [
        (
            [
                {"type": "Feature", "properties": {"code": "X"}, "geometry": square(0, 0)},
                {"type": "Feature", "properties": {"code": "X"}, "geometry": square(1, 0)},
            ],
            ["--id-field", "code"],
            "ids must be unique within the area set s, but 1 repeat: X (2×)",
        ),
        (
            [{"type": "Feature", "properties": {"code": "X"}, "geometry": square(0, 0)}],
            ["--id-field", "kode"],
            "has no field 'kode' for --id-field; its fields are: code",
        ),
        (
            [{"type": "Feature", "properties": {"code": "X"}, "geometry": square(0, 0)}],
            ["--name-field", "title"],
            "has no field 'title' for --name-field; its fields are: code",
        ),
        (
            [
                {"type": "Feature", "properties": {"code": "X"}, "geometry": square(0, 0)},
                {"type": "Feature", "properties": {"code": "Y"}, "geometry": None},
            ],
            ["--id-field", "code"],
            "1 features are not areas (an area is a Polygon, MultiPolygon or Point): Y (no geometry)",
        ),
        (
            [
                {
                    "type": "Feature",
                    "properties": {"code": "R"},
                    "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                }
            ],
            ["--id-field", "code"],
            "R (LINESTRING)",
        ),
        (
            [{"type": "Feature", "properties": {"code": None}, "geometry": square(0, 0)}],
            ["--id-field", "code"],
            "1 features have no id (features 1)",
        ),
    ],
    ids=["duplicate-ids", "unknown-id-field", "unknown-name-field", "null-geometry", "a-line", "null-id"],
)
def test_what_cannot_be_an_area_is_refused_by_name(tmp_path: Path, capsys, features, options, message):
    file = feature_collection(tmp_path / "areas.geojson", features)
    database = tmp_path / "w.duckdb"
    assert ingest("areas", file, "--area-set", "s", "--database", database, *options) == 1
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert query(database, "select count(*) from raw.area_features") == [(0,)]


def test_invalid_polygons_are_repaired_and_counted_and_landing_is_idempotent(tmp_path: Path, caplog):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    file = feature_collection(
        tmp_path / "bad.geojson",
        [{"type": "Feature", "id": "tie", "properties": {}, "geometry": bow_tie},
         {"type": "Feature", "id": "ok", "properties": {}, "geometry": square(5, 5)}],
    )  # fmt: skip
    database = tmp_path / "w.duckdb"
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert ingest("areas", file, "--area-set", "bad", "--database", database) == 0
    error = caplog.text
    assert "1 invalid geometries repaired" in error and error.count("is unchanged since load") == 2
    assert query(database, "select count(*), sum(repaired_count) from raw.area_files") == [(1, 1)]
    assert landed(database, "bad") == [("tie", None, None, True), ("ok", None, None, False)]


@pytest.mark.parametrize("name", ["NYC NTA", "2020", "nyc-nta", "Ünïcode"])
def test_area_set_names_are_checked(tmp_path: Path, capsys, name: str):
    file = feature_collection(
        tmp_path / "a.geojson", [{"type": "Feature", "id": "a", "properties": {}, "geometry": square(0, 0)}]
    )
    assert ingest("areas", file, "--area-set", name, "--database", tmp_path / "w.duckdb") == 1
    assert "use lower-case letters, digits and _" in capsys.readouterr().err


def projected_geojson(path: Path, **extra: object) -> Path:
    """The real NTA polygons in State Plane feet (EPSG:2263), written as GeoJSON by hand."""
    connection = duckdb.connect()
    load_spatial(connection)
    rows = connection.execute(
        "select NTACode, ST_AsGeoJSON(ST_Transform(geom, 'EPSG:4326', 'EPSG:2263', always_xy := true)) "
        f"from ST_Read('{NTA}')"
    ).fetchall()
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": json.loads(shape)}
        for code, shape in rows
    ]
    return feature_collection(path, features, **extra)


def assert_lands_where_the_original_does(database: Path, area_set: str) -> None:
    """The set's areas lie where the real NTA file's do (the original landed beside them)."""
    assert (
        ingest("areas", NTA, "--area-set", "nta_original", "--id-field", "NTACode", "--database", database)
        == 0
    )
    moved, reference = centroids(database, area_set), centroids(database, "nta_original")
    assert (
        max(abs(moved[k][0] - reference[k][0]) + abs(moved[k][1] - reference[k][1]) for k in reference) < 1e-6
    )


def test_crs_refusals_say_what_the_file_declares_and_what_the_coordinates_look_like(
    shared_data: Path, tmp_path: Path, capsys
):
    """Issue 17, rows 1-3 and 5: a wrong --crs on a lon/lat file, a projected GeoJSON without a crs
    member, a crs member naming an unknown EPSG, and a postal set's name are refused, in one line,
    and nothing lands."""
    database = tmp_path / "w.duckdb"
    assert ingest("areas", NTA, "--area-set", "nta", "--crs", "EPSG:2263", "--database", database) == 1
    error = capsys.readouterr().err
    assert (
        "reprojected from EPSG:2263, its 195 areas all fit in" in error
        and "not a plausible set of areas" in error
    )
    assert "drop --crs when the coordinates are longitude/latitude already" in error

    bare = projected_geojson(tmp_path / "bare.geojson")
    assert ingest("areas", bare, "--area-set", "nta", "--database", database) == 1
    error = capsys.readouterr().err
    assert "are plainly not longitude/latitude, but the file declares no CRS" in error and "4326" not in error

    unknown = projected_geojson(tmp_path / "unknown.geojson",
                                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}})  # fmt: skip
    assert ingest("areas", unknown, "--area-set", "nta", "--database", database) == 1
    error = capsys.readouterr().err
    assert "the file's crs member names EPSG:999999, a CRS PROJ does not know" in error

    assert ingest("areas", NTA, "--area-set", "toronto_fsa", "--database", database) == 1
    assert "is a postal set's name" in capsys.readouterr().err
    assert query(database, "select count(*) from raw.area_files") == [(0,)]
    # The right --crs lands the projected file where the original lies.
    assert ingest("areas", bare, "--area-set", "nta", "--id-field", "code", "--crs", "EPSG:2263",
                  "--database", database) == 0  # fmt: skip
    assert_lands_where_the_original_does(database, "nta")


def test_features_without_properties_land_by_position_saying_so(shared_data: Path, projected_copies, tmp_path: Path,
                                                                  caplog):  # fmt: skip
    """Issue 17, row 4: GeoJSON features with "properties": null, and a Shapefile without its .dbf,
    land with ids from their positions, and the command says so (no traceback)."""
    nameless = feature_collection(tmp_path / "null.geojson", [
        {"type": "Feature", "properties": None, "geometry": square(-79.40, 43.65)},
        {"type": "Feature", "properties": None, "geometry": square(-79.39, 43.65)},
    ])  # fmt: skip
    no_dbf = tmp_path / "no_dbf"
    no_dbf.mkdir()
    for suffix in (".shp", ".shx", ".prj"):
        (no_dbf / f"nta{suffix}").write_bytes(projected_copies["shp"].with_suffix(suffix).read_bytes())
    database = tmp_path / "w.duckdb"
    with caplog.at_level(logging.INFO):
        assert ingest("areas", nameless, "--area-set", "null_properties", "--database", database) == 0
        assert ingest("areas", no_dbf / "nta.shp", "--area-set", "no_dbf", "--database", database) == 0
    assert caplog.text.count("ids from each feature's position in the file") == 2
    assert landed(database, "null_properties") == [("1", None, None, False), ("2", None, None, False)]
    assert query(database, "select count(*) from raw.area_features where area_set = 'no_dbf'") == [(195,)]


def test_crs_wins_over_a_wrong_crs_the_file_declares(shared_data: Path, tmp_path: Path):
    """Issue 17: --crs is used even when the file declares another CRS (here UTM 17N, wrongly)."""
    wrong = projected_geojson(
        tmp_path / "wrong.geojson", crs={"type": "name", "properties": {"name": "EPSG:32617"}}
    )
    database = tmp_path / "w.duckdb"
    assert ingest("areas", wrong, "--area-set", "nta", "--id-field", "code", "--crs", "EPSG:2263",
                  "--database", database) == 0  # fmt: skip
    assert_lands_where_the_original_does(database, "nta")
    assert query(database, "select crs_from from raw.area_files where area_set = 'nta'") == [
        ("reprojected from EPSG:2263 as --crs says; the file declares EPSG:32617",)
    ]
