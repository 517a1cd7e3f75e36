"""The parser on the three real layouts of the page, and on small fixtures of each shape."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest
from support import FIXTURES, ingest, query

from ingest.errors import DamagedTextError, IncompletePageError, UnrecognisedLayoutError
from ingest.snapshot import Recorder
from ingest.wikipedia.parse import parse_page

PAGES = {
    "2019-07-15_rev906439794_row-per-neighbourhood.html": ("row_per_neighbourhood", 288, 906439794),
    "2020-09-21_rev979555370_row-per-postal-code.html": ("row_per_postal_code", 180, 979555370),
    "2022-11-26_rev1123911203_grid.html": ("grid", 180, 1123911203),
}


def rows_of(page) -> dict[str, list[tuple[str | None, str | None]]]:
    found: dict[str, list[tuple[str | None, str | None]]] = {}
    for row in page.rows:
        found.setdefault(row.postal_code, []).append((row.borough, row.neighbourhood))
    return found


@pytest.mark.parametrize("name", sorted(PAGES))
def test_real_pages_are_recognised_by_structure(shared_data: Path, name: str):
    layout, row_count, revision = PAGES[name]
    page = parse_page((shared_data / "wikipedia" / name).read_bytes())
    assert page.layout == layout
    assert len(page.rows) == row_count
    assert page.revision_id == revision
    # Every version lists all 180 FSAs M1A..M9Z, 103 of them assigned.
    assert len(page.postal_codes) == 180
    assigned = {r.postal_code for r in page.rows if r.borough != "Not assigned"}
    assert len(assigned) == 103
    assert [r.row_number for r in page.rows] == list(range(1, row_count + 1))


def test_grid_irregular_cells_are_extracted_as_found(shared_data: Path):
    page = parse_page((shared_data / "wikipedia" / "2022-11-26_rev1123911203_grid.html").read_bytes())
    rows = rows_of(page)
    assert rows["M1A"] == [("Not assigned", None)]  # a greyed cell
    assert rows["M3A"] == [("North York", "(Parkwoods)")]
    assert rows["M3B"] == [("North York", "(Don Mills)\nNorth")]
    assert rows["M3C"] == [("North York", "(Don Mills)\nSouth\n(Flemingdon Park)")]
    assert rows["M4J"] == [("East York", "East Toronto\n(The Danforth\nEast)")]
    assert rows["M5W"] == [("Downtown Toronto", "Stn A PO Boxes\n25 The Esplanade\n(Enclave of M5E)")]
    assert rows["M7A"] == [("Queen's Park", "(Ontario Provincial Government)")]
    assert rows["M7R"] == [("Mississauga", "Canada Post Gateway Processing Centre\n(Enclave of L4W)")]
    assert rows["M7Y"] == [
        ("East Toronto", "Business reply mail Processing Centre\n969 Eastern\n(Enclave of M4L)")
    ]
    borough, text = rows["M9W"][0]
    assert borough == "Etobicoke"
    assert text.split("\n")[0] == "Northwest"
    assert len(text.split("\n")[1].split(" / ")) == 9


def test_row_layouts_keep_rows_and_text_as_found(shared_data: Path):
    old = rows_of(
        parse_page(
            (shared_data / "wikipedia" / "2019-07-15_rev906439794_row-per-neighbourhood.html").read_bytes()
        )
    )
    assert old["M5A"] == [("Downtown Toronto", "Harbourfront"), ("Downtown Toronto", "Regent Park")]
    assert old["M7A"] == [("Queen's Park", "Not assigned")]
    new = rows_of(
        parse_page(
            (shared_data / "wikipedia" / "2020-09-21_rev979555370_row-per-postal-code.html").read_bytes()
        )
    )
    assert new["M5A"] == [("Downtown Toronto", "Regent Park, Harbourfront")]
    assert new["M7A"] == [("Downtown Toronto", "Queen's Park, Ontario Provincial Government")]


def test_small_grid_fixture():
    page = parse_page((FIXTURES / "wikipedia" / "grid.html").read_bytes(), min_postal_codes=3)
    assert page.layout == "grid"
    assert page.revision_id == 42
    rows = rows_of(page)
    assert list(rows) == ["M1A", "M3A", "M5A", "M3B", "M4J", "M5W", "M7A", "M9W"]  # page order
    assert rows["M1A"] == [("Not assigned", None)]
    assert rows["M5A"] == [("Downtown Toronto", "(Regent Park / Harbourfront)")]
    assert rows["M4J"] == [("East York", "East Toronto\n(The Danforth\nEast)")]
    # The citation marker [1] is not cell text.
    assert rows["M5W"] == [("Downtown Toronto", "Stn A PO Boxes\n25 The Esplanade\n(Enclave of M5E)")]


def test_header_spellings_line_breaks_and_references():
    page = parse_page(
        (FIXTURES / "wikipedia" / "rows_postal_code_neighborhood.html").read_bytes(), min_postal_codes=3
    )
    assert page.layout == "row_per_postal_code"
    rows = rows_of(page)
    assert rows["M6A"] == [("North York", "Lawrence Manor\nLawrence Heights")]
    assert rows["M7A"] == [("Queen's Park", "Not assigned")]  # nbsp collapsed, [2] left out
    page = parse_page(
        (FIXTURES / "wikipedia" / "rows_per_neighbourhood.html").read_bytes(), min_postal_codes=2
    )
    assert page.layout == "row_per_neighbourhood"
    assert len(page.rows) == 4


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("four_columns.html", "holds 11 postal codes under the header"),
        ("error_page.html", "no table holds postal codes"),
        ("grid_with_stray_cell.html", "does not start with a postal code in bold"),
    ],
)
def test_unknown_layouts_are_refused(fixture: str, message: str):
    with pytest.raises(UnrecognisedLayoutError, match=message) as error:
        parse_page((FIXTURES / "wikipedia" / fixture).read_bytes(), min_postal_codes=1)
    assert "expected either a table headed Postal Code | Borough | Neighbourhood" in str(error.value)


def test_a_table_with_too_few_postal_codes_is_refused():
    with pytest.raises(IncompletePageError, match="lists only 8 postal codes"):
        parse_page((FIXTURES / "wikipedia" / "grid.html").read_bytes())


def test_a_truncated_real_page_is_refused(shared_data: Path):
    html = (shared_data / "wikipedia" / "2020-09-21_rev979555370_row-per-postal-code.html").read_text()
    start = html.index("<td>M1A")
    cut = start
    for _ in range(20):  # keep the first 20 rows
        cut = html.index("</tr>", cut) + len("</tr>")
    truncated = html[:cut] + html[html.index("</tbody></table>", cut) :]
    with pytest.raises(IncompletePageError, match="lists only 20 postal codes"):
        parse_page(truncated)
    with pytest.raises(IncompletePageError, match="lists only 0 postal codes"):
        parse_page(html[:start] + html[html.index("</tbody></table>", start) :])


def test_parse_wikipedia_prints_csv(shared_data: Path, capsys: pytest.CaptureFixture[str]):
    assert ingest("parse-wikipedia", shared_data / "wikipedia" / "2022-11-26_rev1123911203_grid.html") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 180
    assert list(rows[0]) == ["postal_code", "borough", "neighbourhood", "layout"]
    m4j = next(row for row in rows if row["postal_code"] == "M4J")
    assert m4j == {
        "postal_code": "M4J",
        "borough": "East York",
        "neighbourhood": "East Toronto\n(The Danforth\nEast)",
        "layout": "grid",
    }


@pytest.mark.parametrize("fixture", ["four_columns.html", "error_page.html"])
def test_parse_wikipedia_refuses_unknown_layouts(fixture: str, capsys: pytest.CaptureFixture[str]):
    assert ingest("parse-wikipedia", FIXTURES / "wikipedia" / fixture) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: " in captured.err
    assert "not in a layout this parser knows" in captured.err


def _accented_grid() -> str:
    """The small grid with accented names (as a page of another letter would have them)."""
    html = (FIXTURES / "wikipedia" / "grid.html").read_text(encoding="utf-8")
    return html.replace("Regent Park", "Café Église").replace("Parkwoods", "Côte-des-Neiges")


def test_a_page_in_windows_1252_that_says_utf8_is_read_right_and_said():
    html = _accented_grid()
    page = parse_page(html.encode("cp1252"), min_postal_codes=1)
    assert page.decoded.declared == "utf-8"
    assert page.decoded.repaired_bytes == sum(ord(character) > 127 for character in html) > 0
    assert "Windows-1252" in page.decoded.note
    assert rows_of(page)["M5A"] == [("Downtown Toronto", "(Café Église / Harbourfront)")]
    assert rows_of(page)["M3A"] == [("North York", "(Côte-des-Neiges)")]


def test_a_page_whose_text_holds_replacement_characters_is_refused():
    with pytest.raises(
        DamagedTextError, match=r"replacement character .* M5A: Downtown Toronto / \(Caf\ufffd"
    ):
        parse_page(_accented_grid().replace("é", "\ufffd").encode("utf-8"), min_postal_codes=1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_pages_are_read(encoding: str):
    page = parse_page(_accented_grid().encode(encoding), min_postal_codes=1)
    assert rows_of(page)["M5A"] == [("Downtown Toronto", "(Café Église / Harbourfront)")]
    assert page.decoded.encoding.startswith("utf-16")


def test_landed_pages_keep_a_readable_copy(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """A UTF-16 page and a mislabelled Windows-1252 one land as readable text, with the encoding
    they were read as; the mislabelling is said at ingest."""
    for number, (content, encoding) in enumerate(
        [
            (_accented_grid().encode("utf-16"), "utf-16-le"),
            (_accented_grid().encode("cp1252"), "windows-1252"),
        ]
    ):
        snapshot = tmp_path / f"snapshot-{number}"
        recorder = Recorder(snapshot)
        recorder.write("wikipedia/page.html", content)
        recorder.describe("postal_codes", {"format": "wikipedia_html", "path": "wikipedia/page.html"})
        database = tmp_path / f"w{number}.duckdb"
        with caplog.at_level(logging.WARNING):
            assert (
                ingest(
                    "postal-codes", "--snapshot", snapshot, "--database", database, "--min-postal-codes", "1"
                )
                == 0
            )
        ((html, read_as),) = query(database, "select html, encoding from raw.wikipedia_pages")
        assert "Café Église" in html and "\ufffd" not in html, encoding
        assert (
            read_as.startswith("utf-8 (invalid bytes") if encoding == "windows-1252" else read_as == encoding
        )
    assert "bytes are not valid utf-8 although the page declares it" in caplog.text
