"""End to end on the real data: ingest a snapshot, `dbt build`, check the `postal_codes` mart."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support import COORDINATES_IN_SNAPSHOT, PAGE_IN_SNAPSHOT, SNAPSHOT, Build, query, run_dbt

pytestmark = pytest.mark.integration

# What each real layout says of the areas the README calls out.
LAYOUTS = {
    "2019-07-15_rev906439794_row-per-neighbourhood.html": {
        "M5A": ("Downtown Toronto", ["Harbourfront", "Regent Park"]),
        "M7A": ("Queen's Park", ["Queen's Park"]),  # "Not assigned" takes the borough's name
        "M3B": ("North York", ["Don Mills North"]),
    },
    "2020-09-21_rev979555370_row-per-postal-code.html": {
        "M5A": ("Downtown Toronto", ["Regent Park", "Harbourfront"]),
        "M7A": ("Downtown Toronto", ["Queen's Park", "Ontario Provincial Government"]),
        "M4J": ("East York", ["East Toronto", "Broadview North (Old East York)"]),
    },
    "2022-11-26_rev1123911203_grid.html": {
        "M5A": ("Downtown Toronto", ["Regent Park", "Harbourfront"]),
        "M7A": ("Queen's Park", ["Ontario Provincial Government"]),
        "M3B": ("North York", ["Don Mills North"]),
        "M3C": ("North York", ["Don Mills South", "Flemingdon Park"]),
        "M4J": ("East York", ["East Toronto", "The Danforth East"]),
        "M5W": ("Downtown Toronto", ["Stn A PO Boxes", "25 The Esplanade"]),
        "M9W": (
            "Etobicoke",
            [
                "Northwest",
                "Clairville",
                "Humberwood",
                "Woodbine Downs",
                "West Humber",
                "Kipling Heights",
                "Rexdale",
                "Elms",
                "Tandridge",
                "Old Rexdale",
            ],
        ),
    },
}


def coordinate_codes() -> set[str]:
    with (SNAPSHOT / COORDINATES_IN_SNAPSHOT).open(newline="") as file:
        return {row["Postal Code"] for row in csv.DictReader(file)}


def test_the_snapshot_builds_103_postal_codes(shared_data: Path, build: Build):
    database, result = build(SNAPSHOT)
    assert result.returncode == 0, result.stdout
    assert "ERROR=0" in result.stdout and "unit_test" in result.stdout
    assert query(database, "select count(*), count(latitude), count(longitude) from postal_codes") == [
        (103, 103, 103)
    ]
    assert {code for (code,) in query(database, "select postal_code from postal_codes")} == coordinate_codes()
    assert query(
        database, "select borough, neighbourhoods, neighbourhood from postal_codes where postal_code = 'M5A'"
    ) == [("Downtown Toronto", ["Regent Park", "Harbourfront"], "Regent Park, Harbourfront")]
    assert query(database, "select borough, neighbourhoods from postal_codes where postal_code = 'M7A'") == [
        ("Queen's Park", ["Ontario Provincial Government"])
    ]
    # The unassigned codes are kept, flagged, one step upstream.
    assert query(
        database, "select count(distinct postal_code) from int_postal_code_rows_cleaned where not is_assigned"
    ) == [(77,)]
    assert query(database, "select enclave_of from postal_codes where postal_code = 'M5W'") == [("M5E",)]


@pytest.mark.parametrize("page", sorted(LAYOUTS))
def test_every_layout_gives_the_same_103_postal_codes(
    shared_data: Path, snapshot_copy: Path, build: Build, page: str
):
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_bytes((shared_data / "wikipedia" / page).read_bytes())
    database, result = build(snapshot_copy)
    assert result.returncode == 0, result.stdout
    codes = {code for (code,) in query(database, "select postal_code from postal_codes")}
    assert len(codes) == 103
    assert codes == coordinate_codes()
    for code, expected in LAYOUTS[page].items():
        assert query(
            database, f"select borough, neighbourhoods from postal_codes where postal_code = '{code}'"
        ) == [expected], code
    # No name is empty, padded or a leftover of the grid's markup.
    assert query(
        database,
        "select count(*) from (select unnest(neighbourhoods) as name from postal_codes) "
        "where name <> trim(name) or name = '' or regexp_matches(name, '[()\\n]|^/|/$') "
        "and name not like '%(Old East York)'",
    ) == [(0,)]


def test_a_postal_code_without_coordinates_fails_the_build(snapshot_copy: Path, build: Build):
    csv_path = snapshot_copy / COORDINATES_IN_SNAPSHOT
    lines = csv_path.read_bytes().split(b"\r\n")
    csv_path.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"M5A,")))
    database, result = build(snapshot_copy)
    assert result.returncode != 0
    assert "FAIL 1 not_null_postal_codes_latitude" in result.stdout
    assert "relationships_postal_codes_postal_code" in result.stdout
    # The area is still there, visibly without a centre: never dropped by the join.
    assert query(database, "select latitude from postal_codes where postal_code = 'M5A'") == [(None,)]
    assert query(database, "select count(*) from postal_codes") == [(103,)]


def test_coordinates_outside_the_city_fail_the_build(snapshot_copy: Path, build: Build):
    csv_path = snapshot_copy / COORDINATES_IN_SNAPSHOT
    csv_path.write_bytes(csv_path.read_bytes().replace(b"M5A,43.6542599", b"M5A,45.6542599"))
    _, result = build(snapshot_copy)
    assert result.returncode != 0
    assert "FAIL 1 within_range_postal_codes_latitude" in result.stdout


def test_dbt_without_ingested_data_says_what_to_run(tmp_path: Path):
    result = run_dbt(tmp_path / "empty.duckdb", "build")
    assert result.returncode != 0
    assert "are missing from" in result.stdout
    assert "python -m ingest all --snapshot" in result.stdout


def test_reloading_the_same_inputs_changes_nothing(shared_data: Path, build: Build):
    database, first = build(SNAPSHOT)
    before = query(database, "select * from postal_codes order by postal_code")
    _, second = build(SNAPSHOT)
    assert first.returncode == second.returncode == 0
    assert query(database, "select count(*) from raw.wikipedia_pages") == [(1,)]
    assert query(database, "select * from postal_codes order by postal_code") == before
