"""Coordinates files: the real course file, and the shapes users meet (BOM, LF/CRLF, header variants)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from support import COORDINATES_IN_SNAPSHOT, FIXTURES, SNAPSHOT

from ingest.coordinates.read import read_coordinates
from ingest.errors import CoordinatesFormatError


def test_real_course_file(shared_data: Path):
    content = (SNAPSHOT / COORDINATES_IN_SNAPSHOT).read_bytes()
    assert b"\r\n" in content and not content.endswith(b"\n")  # the shape the README describes
    rows = read_coordinates(content, "csv")
    assert len(rows) == 103
    assert len({row.postal_code for row in rows}) == 103
    assert (rows[0].postal_code, rows[0].latitude, rows[0].longitude) == ("M1B", "43.8066863", "-79.1943534")
    assert rows[-1].row_number == 103


def test_bom_lf_blank_line_and_header_aliases():
    rows = read_coordinates((FIXTURES / "coordinates" / "bom_lf_aliases.csv").read_bytes(), "csv")
    assert [(r.postal_code, r.latitude, r.longitude) for r in rows] == [
        ("M5A", "43.6542599", "-79.3606359"),
        ("M1B", "43.8066863", "-79.1943534"),
    ]


def test_crlf_without_final_newline_and_extra_columns():
    rows = read_coordinates((FIXTURES / "coordinates" / "crlf_no_final_newline.csv").read_bytes(), "csv")
    assert [r.postal_code for r in rows] == ["M5A", "M1B"]
    assert rows[1].longitude == "-79.1943534"


def test_explicit_column_names_win():
    content = b"Area,Where N,Where W\nM5A,43.65,-79.36\n"
    rows = read_coordinates(
        content, "csv", {"postal_code": "Area", "latitude": "Where N", "longitude": "Where W"}
    )
    assert (rows[0].postal_code, rows[0].latitude, rows[0].longitude) == ("M5A", "43.65", "-79.36")


def test_short_row_is_an_error_naming_the_line():
    with pytest.raises(CoordinatesFormatError, match=r"line 3 .* 2 fields where the header has 3"):
        read_coordinates((FIXTURES / "coordinates" / "short_row.csv").read_bytes(), "csv")


def test_missing_columns_are_an_error_naming_the_header():
    with pytest.raises(
        CoordinatesFormatError, match=r"no column for postal_code \(header \['Area', 'Where'\]"
    ):
        read_coordinates((FIXTURES / "coordinates" / "no_coordinate_columns.csv").read_bytes(), "csv")


def test_not_utf8_and_empty_files_are_errors():
    with pytest.raises(CoordinatesFormatError, match="not UTF-8"):
        read_coordinates(b"\xff\xfe\x00P", "csv")
    with pytest.raises(CoordinatesFormatError, match="holds no rows"):
        read_coordinates(b"Postal Code,Latitude,Longitude\r\n", "csv")


def test_geonames_tsv_and_zip():
    text = (FIXTURES / "coordinates" / "geonames_CA.txt").read_bytes()
    rows = read_coordinates(text, "geonames_tsv")
    assert [(r.postal_code, r.latitude, r.longitude) for r in rows] == [
        ("M5A", "43.6555", "-79.3626"),
        ("M1B", "43.8113", "-79.1933"),
    ]
    assert rows[0].place_name == "Downtown Toronto (Regent Park / Harbourfront)"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("CA.txt", text)
        zipped.writestr("readme.txt", "GeoNames readme")
    assert read_coordinates(archive.getvalue(), "geonames_zip") == rows


def test_geonames_errors():
    with pytest.raises(CoordinatesFormatError, match="not a zip archive"):
        read_coordinates(b"<html>404</html>", "geonames_zip")
    with pytest.raises(CoordinatesFormatError, match=r"line 1 .* 3 tab-separated fields"):
        read_coordinates(b"CA\tM5A\tsomewhere\n", "geonames_tsv")
    with pytest.raises(CoordinatesFormatError, match="unknown coordinates format 'xlsx'"):
        read_coordinates(b"", "xlsx")
