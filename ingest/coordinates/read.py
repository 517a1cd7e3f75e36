"""Read postal-code centroid files into rows of text, exactly as found.

Two formats:

- ``csv``: the course file ``Geospatial_Coordinates.csv`` (header ``Postal Code,Latitude,Longitude``)
  and files like it. CRLF or LF line endings, a byte-order mark, a missing final newline and
  header spellings such as ``Postcode``/``postal_code``/``lat``/``lng`` are all tolerated; the
  column names can also be given explicitly (a snapshot manifest's ``columns``).
- ``geonames_zip`` / ``geonames_tsv``: GeoNames' postal-code export for Canada
  (https://download.geonames.org/export/zip/CA.zip, CC BY 4.0): tab-separated, no header,
  one row per forward sortation area.

Values stay text: casting and checking them is the dbt models' job.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.errors import CoordinatesFormatError

FORMAT_CSV = "csv"
FORMAT_GEONAMES_ZIP = "geonames_zip"
FORMAT_GEONAMES_TSV = "geonames_tsv"
FORMATS = (FORMAT_CSV, FORMAT_GEONAMES_ZIP, FORMAT_GEONAMES_TSV)

_HEADER_ALIASES = {
    "postal_code": {"postalcode", "postcode", "postal", "fsa", "cfsauid", "code", "zip", "zipcode"},
    "latitude": {"latitude", "lat", "y"},
    "longitude": {"longitude", "lon", "lng", "long", "x"},
}

# GeoNames postal-code export: country code, postal code, place name, admin name1, admin code1,
# admin name2, admin code2, admin name3, admin code3, latitude, longitude, accuracy.
_GEONAMES_COLUMNS = 12
_GEONAMES_POSTAL_CODE, _GEONAMES_PLACE, _GEONAMES_LAT, _GEONAMES_LON = 1, 2, 9, 10


@dataclass(frozen=True)
class CoordinateRow:
    row_number: int
    postal_code: str
    latitude: str
    longitude: str
    place_name: str | None = None


def read_coordinates(
    content: bytes, file_format: str, columns: Mapping[str, str] | None = None
) -> list[CoordinateRow]:
    """Rows of a coordinates file; raises `CoordinatesFormatError` for a file it cannot read."""
    if file_format == FORMAT_CSV:
        rows = _read_csv(_decode(content), columns)
    elif file_format == FORMAT_GEONAMES_ZIP:
        rows = _read_geonames(_decode(_unzip_geonames(content)))
    elif file_format == FORMAT_GEONAMES_TSV:
        rows = _read_geonames(_decode(content))
    else:
        raise CoordinatesFormatError(
            f"unknown coordinates format {file_format!r}; expected one of {', '.join(FORMATS)}"
        )
    if not rows:
        raise CoordinatesFormatError("the coordinates file holds no rows")
    return rows


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CoordinatesFormatError(
            f"the coordinates file is not UTF-8 text (byte {error.start}); is it the right file?"
        ) from error


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _read_csv(text: str, columns: Mapping[str, str] | None) -> list[CoordinateRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise CoordinatesFormatError("the coordinates CSV is empty")
    positions = _column_positions(header, columns)
    rows: list[CoordinateRow] = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise CoordinatesFormatError(
                f"line {reader.line_num} of the coordinates CSV has {len(values)} fields where the "
                f"header has {len(header)}: {values}"
            )
        rows.append(
            CoordinateRow(
                row_number=len(rows) + 1,
                postal_code=values[positions["postal_code"]],
                latitude=values[positions["latitude"]],
                longitude=values[positions["longitude"]],
            )
        )
    return rows


def _column_positions(header: list[str], columns: Mapping[str, str] | None) -> dict[str, int]:
    names = [name.strip() for name in header]
    positions: dict[str, int] = {}
    for field, aliases in _HEADER_ALIASES.items():
        if columns and field in columns:
            wanted = {columns[field].strip()}
            matches = [i for i, name in enumerate(names) if name in wanted]
        else:
            matches = [i for i, name in enumerate(names) if _normalise(name) in aliases]
        if len(matches) != 1:
            expected = repr(columns[field]) if columns and field in columns else sorted(aliases)
            problem = "no column" if not matches else "several columns"
            raise CoordinatesFormatError(
                f"the coordinates CSV has {problem} for {field} (header {names}; expected one of "
                f"{expected}). Name the columns in the snapshot manifest's coordinates.columns."
            )
        positions[field] = matches[0]
    return positions


def _unzip_geonames(content: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise CoordinatesFormatError(
            "the GeoNames download is not a zip archive; expected CA.zip from "
            "https://download.geonames.org/export/zip/"
        ) from error
    members = [name for name in archive.namelist() if not name.lower().startswith("readme")]
    texts = [name for name in members if name.lower().endswith(".txt")]
    if len(texts) != 1:
        raise CoordinatesFormatError(
            f"the GeoNames archive should hold one data file (CA.txt) besides its readme; it holds {members}"
        )
    return archive.read(texts[0])


def _read_geonames(text: str) -> list[CoordinateRow]:
    rows: list[CoordinateRow] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        values = line.split("\t")
        if len(values) != _GEONAMES_COLUMNS:
            raise CoordinatesFormatError(
                f"line {line_number} of the GeoNames file has {len(values)} tab-separated fields; "
                f"the postal-code export has {_GEONAMES_COLUMNS}"
            )
        rows.append(
            CoordinateRow(
                row_number=len(rows) + 1,
                postal_code=values[_GEONAMES_POSTAL_CODE],
                latitude=values[_GEONAMES_LAT],
                longitude=values[_GEONAMES_LON],
                place_name=values[_GEONAMES_PLACE] or None,
            )
        )
    return rows
