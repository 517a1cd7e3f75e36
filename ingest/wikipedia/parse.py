"""Recognise the layouts of Wikipedia's "List of postal codes of Canada: M" and extract cell text.

The page has changed layout several times. Each known layout is recognised by its structure
(never by date); anything else is refused with `UnrecognisedLayoutError`, and a known layout
with too few postal codes is refused with `IncompletePageError`. The parser extracts cell text
as a browser would render it (whitespace collapsed, `<br>` kept as a line break, citation
markers left out); it does not clean: "Not assigned", parentheses and separators are kept
for the SQL models to interpret.

Known layouts:

- ``row_per_neighbourhood`` (2018-19): a table headed Postcode | Borough | Neighbourhood with
  one row per neighbourhood, so a postal code repeats.
- ``row_per_postal_code`` (2020): the same three columns, one row per postal code, with the
  neighbourhoods of a code joined by " / " or ", ".
- ``grid`` (2021-): a 9-column grid of cells such as ``<b>M3A</b><br>North York<br>(Parkwoods)``:
  the code, the borough on the next line, the neighbourhood text on the lines after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.encoding import REPLACEMENT, DecodedText, decode
from ingest.errors import DamagedTextError, IncompletePageError, UnrecognisedLayoutError

if TYPE_CHECKING:  # bs4 is imported when a page is parsed: a command that parses none starts faster
    from bs4 import Tag

# Bump when the parser's output for a page can change, so that a re-ingest of the same page
# lands a new load instead of being skipped as unchanged.
PARSER_VERSION = "2"

LAYOUT_ROW_PER_NEIGHBOURHOOD = "row_per_neighbourhood"
LAYOUT_ROW_PER_POSTAL_CODE = "row_per_postal_code"
LAYOUT_GRID = "grid"

# A complete page lists every FSA of its letter (180 for M, assigned or not). A table with far
# fewer codes is a truncated or vandalised page, not the list.
DEFAULT_MIN_POSTAL_CODES = 100

# A table that is not in a known layout but holds at least this many postal codes may be part
# of the list, so the page is refused rather than landed without it.
_UNKNOWN_TABLE_TOLERANCE = 10

_FSA = re.compile(r"[A-Za-z][0-9][A-Za-z]")
_REVISION_ID = re.compile(r'"wgRevisionId"\s*:\s*(\d+)')

_HEADER_KINDS = {
    "postcode": "postal_code",
    "postcodes": "postal_code",
    "postalcode": "postal_code",
    "postalcodes": "postal_code",
    "fsa": "postal_code",
    "borough": "borough",
    "boroughs": "borough",
    "neighbourhood": "neighbourhood",
    "neighbourhoods": "neighbourhood",
    "neighborhood": "neighbourhood",
    "neighborhoods": "neighbourhood",
}
_ROW_TABLE_COLUMNS = ("postal_code", "borough", "neighbourhood")

_EXPECTED = (
    "expected either a table headed Postal Code | Borough | Neighbourhood (header spellings "
    "Postcode/Postal code/Postal Code and Neighbourhood/Neighborhood) or a grid of cells such as "
    "'M3A' / 'North York' / '(Parkwoods)'"
)

_SKIPPED_TAGS = {"script", "style", "noscript", "template"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dd", "dt", "table", "tr", "center"}


@dataclass(frozen=True)
class PostalCodeRow:
    """One row as found on the page: a row of a table, or a cell of the grid."""

    row_number: int
    postal_code: str
    borough: str | None
    neighbourhood: str | None


@dataclass(frozen=True)
class ParsedPage:
    layout: str
    rows: tuple[PostalCodeRow, ...]
    revision_id: int | None
    title: str | None
    decoded: DecodedText | None = None  # how the page's bytes were read

    @property
    def postal_codes(self) -> frozenset[str]:
        return frozenset(row.postal_code.upper() for row in self.rows)


@dataclass(frozen=True)
class _TableRow:
    postal_code: str
    borough: str | None
    neighbourhood: str | None


def parse_page(html: bytes | str, *, min_postal_codes: int = DEFAULT_MIN_POSTAL_CODES) -> ParsedPage:
    """Return the page's postal-code rows in page order, or raise a `WikipediaPageError`. Bytes
    are decoded trusting the bytes over the page's declared charset (`ingest.encoding`)."""
    decoded = decode(html) if isinstance(html, bytes) else None
    html = decoded.text if decoded else html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    title = soup.title.get_text(strip=True) if soup.title else None
    recognised: list[tuple[str, list[_TableRow]]] = []
    unknown: list[str] = []
    for index, table in enumerate(soup.find_all("table"), start=1):
        outcome = _read_table(table, index)
        if isinstance(outcome, tuple):
            recognised.append(outcome)
        elif outcome is not None:
            unknown.append(outcome)

    page = f"page {title!r}" if title else "the page"
    if not recognised:
        found = "; ".join(unknown) if unknown else "no table holds postal codes"
        raise UnrecognisedLayoutError(
            f"{page} is not in a layout this parser knows ({found}); {_EXPECTED}. "
            "If Wikipedia changed the layout again, teach ingest/wikipedia/parse.py the new one; "
            "`python -m ingest parse-wikipedia FILE` shows what is extracted."
        )
    if unknown:
        raise UnrecognisedLayoutError(
            f"{page} mixes a known layout with tables this parser does not know "
            f"({'; '.join(unknown)}); refusing to land part of the list. {_EXPECTED}."
        )
    families = {"grid" if kind == LAYOUT_GRID else "rows" for kind, _ in recognised}
    if len(families) > 1:
        raise UnrecognisedLayoutError(
            f"{page} holds both a grid and a row table of postal codes; {_EXPECTED}, not both."
        )

    table_rows = [row for _, rows in recognised for row in rows]
    layout = recognised[0][0]
    if layout != LAYOUT_GRID:
        seen = [row.postal_code.upper() for row in table_rows]
        layout = LAYOUT_ROW_PER_NEIGHBOURHOOD if len(set(seen)) < len(seen) else LAYOUT_ROW_PER_POSTAL_CODE
    codes = {row.postal_code.upper() for row in table_rows}
    if len(codes) < min_postal_codes:
        raise IncompletePageError(
            f"{page} is in the {layout} layout but lists only {len(codes)} postal codes; a "
            f"complete list has at least {min_postal_codes} (Toronto's page lists all 180 FSAs "
            "M1A-M9Z, assigned or not). Refusing to land a partial list. If the list really is "
            "that short, pass --min-postal-codes."
        )
    revision = _REVISION_ID.search(html)
    rows = tuple(
        PostalCodeRow(number, row.postal_code, row.borough, row.neighbourhood)
        for number, row in enumerate(table_rows, start=1)
    )
    damaged = [row for row in rows if REPLACEMENT in f"{row.borough}{row.neighbourhood}"]
    if damaged:
        examples = "; ".join(f"{row.postal_code}: {row.borough} / {row.neighbourhood}" for row in damaged[:5])
        raise DamagedTextError(
            f"{page} has {len(damaged)} rows whose text holds the replacement character {REPLACEMENT!r} "
            f"(e.g. {examples}): the text was damaged before it reached us (a wrong encoding somewhere "
            "upstream). Refusing to land mangled names; fetch the page again or from another mirror."
        )
    return ParsedPage(layout, rows, int(revision.group(1)) if revision else None, title, decoded)


def cell_lines(cell: Tag) -> list[str]:
    """The cell's text as rendered: one string per line, whitespace collapsed, empty lines left out."""
    parts: list[str] = []
    _render(cell, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def _render(node: Tag, out: list[str]) -> None:
    from bs4 import Comment, NavigableString, Tag

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                out.append(str(child))
            continue
        if not isinstance(child, Tag) or _is_invisible(child):
            continue
        if child.name == "br":
            out.append("\n")
            continue
        block = child.name in _BLOCK_TAGS
        if block:
            out.append("\n")
        _render(child, out)
        if block:
            out.append("\n")


def _is_invisible(tag: Tag) -> bool:
    if tag.name in _SKIPPED_TAGS:
        return True
    classes = tag.get("class") or []
    if "reference" in classes or "mw-editsection" in classes:
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style


def _direct_rows(table: Tag) -> Iterator[Tag]:
    """The table's own rows, not those of tables nested in it."""
    for row in table.find_all("tr"):
        if row.find_parent("table") is table:
            yield row


def _direct_cells(row: Tag) -> list[Tag]:
    return row.find_all(["td", "th"], recursive=False)


def _header_kind(cell: Tag) -> str | None:
    key = re.sub(r"[^a-z]", "", " ".join(cell_lines(cell)).lower())
    return _HEADER_KINDS.get(key)


def _looks_like_code(text: str) -> bool:
    return _FSA.fullmatch(text) is not None


def _read_table(table: Tag, index: int) -> tuple[str, list[_TableRow]] | str | None:
    """(layout, rows) for a known layout; a description for an unknown table holding postal codes;
    None for a table with nothing to do with postal codes."""
    rows = list(_direct_rows(table))
    for position, row in enumerate(rows):
        cells = _direct_cells(row)
        if not cells:
            continue
        if all(cell.name == "th" for cell in cells):
            kinds = [_header_kind(cell) for cell in cells]
            if sorted(filter(None, kinds)) == sorted(_ROW_TABLE_COLUMNS) and len(kinds) == 3:
                return "rows", _read_row_table(rows[position + 1 :], kinds, index)
        break
    cells = [cell for row in rows for cell in _direct_cells(row)]
    first_lines = [lines[0] if lines else "" for lines in map(cell_lines, cells)]
    code_cells = sum(_looks_like_code(line) for line in first_lines)
    if code_cells == 0:
        return None
    if any(_grid_code(cell) for cell in cells):
        return LAYOUT_GRID, _read_grid(cells, index)
    if code_cells < _UNKNOWN_TABLE_TOLERANCE:
        return None
    header = [" ".join(cell_lines(cell)) for cell in _direct_cells(rows[0])] if rows else []
    return f"table {index} holds {code_cells} postal codes under the header {header}"


def _read_row_table(rows: Iterable[Tag], kinds: list[str | None], index: int) -> list[_TableRow]:
    found: list[_TableRow] = []
    for number, row in enumerate(rows, start=2):
        cells = _direct_cells(row)
        texts = [cell_lines(cell) for cell in cells]
        if not any(texts):
            continue
        where = f"table {index}, row {number}"
        if len(cells) != 3:
            raise UnrecognisedLayoutError(
                f"{where} has {len(cells)} cells where the header has 3: {texts}; {_EXPECTED}."
            )
        if any(cell.get("rowspan") or cell.get("colspan") for cell in cells):
            raise UnrecognisedLayoutError(
                f"{where} has merged cells (rowspan/colspan), which no known layout uses; {_EXPECTED}."
            )
        values = {kind: lines for kind, lines in zip(kinds, texts, strict=True) if kind}
        code = " ".join(values["postal_code"])
        if not _looks_like_code(code):
            raise UnrecognisedLayoutError(
                f"{where}: expected a postal code such as 'M5A' in the postal-code column, found {code!r}."
            )
        found.append(_TableRow(code, _joined(values["borough"]), _joined(values["neighbourhood"])))
    return found


def _grid_code(cell: Tag) -> str | None:
    """The cell's postal code if the cell starts with it in bold, as grid cells do."""
    lines = cell_lines(cell)
    if not lines or not _looks_like_code(lines[0]):
        return None
    bold = cell.find("b")
    if bold is None or " ".join(bold.get_text().split()) != lines[0]:
        return None
    return lines[0]


def _read_grid(cells: Iterable[Tag], index: int) -> list[_TableRow]:
    found: list[_TableRow] = []
    for number, cell in enumerate(cells, start=1):
        lines = cell_lines(cell)
        if not lines:
            continue
        code = _grid_code(cell)
        if code is None:
            raise UnrecognisedLayoutError(
                f"table {index}, cell {number} of the grid does not start with a postal code in "
                f"bold: {lines}; {_EXPECTED}."
            )
        borough = lines[1] if len(lines) > 1 else None
        found.append(_TableRow(code, borough, _joined(lines[2:])))
    return found


def _joined(lines: list[str]) -> str | None:
    return "\n".join(lines) if lines else None
