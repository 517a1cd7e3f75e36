"""Snapshots (replay, record) and the append-only raw landing."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest
from support import FIXTURES, PAGE_IN_SNAPSHOT, SNAPSHOT, ingest, query

from ingest.errors import SnapshotError
from ingest.snapshot import Recorder, Snapshot, sha256
from ingest.wikipedia.parse import PARSER_VERSION


def test_snapshot_reads_files_and_checks_their_sha256(shared_data: Path):
    snapshot = Snapshot(SNAPSHOT)
    content = snapshot.read(PAGE_IN_SNAPSHOT)
    assert sha256(content) == snapshot.manifest["sha256"][PAGE_IN_SNAPSHOT]
    assert snapshot.section("postal_codes")["path"] == PAGE_IN_SNAPSHOT


def test_a_swapped_file_is_used_with_a_warning(snapshot_copy: Path, caplog: pytest.LogCaptureFixture):
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_bytes(b"<html></html>")
    with caplog.at_level(logging.WARNING):
        assert Snapshot(snapshot_copy).read(PAGE_IN_SNAPSHOT) == b"<html></html>"
    assert "differs from the sha256 recorded in manifest.json" in caplog.text


def test_snapshot_errors(tmp_path: Path, snapshot_copy: Path):
    with pytest.raises(SnapshotError, match=r"has no manifest\.json"):
        Snapshot(tmp_path)
    manifest = json.loads((snapshot_copy / "manifest.json").read_text())
    manifest["postal_codes"]["path"] = "../../etc/passwd"
    del manifest["coordinates"]
    (snapshot_copy / "manifest.json").write_text(json.dumps(manifest))
    snapshot = Snapshot(snapshot_copy)
    with pytest.raises(SnapshotError, match="lies outside"):
        snapshot.read(manifest["postal_codes"]["path"])
    with pytest.raises(SnapshotError, match="no 'coordinates' section"):
        snapshot.section("coordinates")
    (snapshot_copy / "manifest.json").write_text("{not json")
    with pytest.raises(SnapshotError, match="not valid JSON"):
        Snapshot(snapshot_copy)


def test_recorder_writes_a_replayable_snapshot(tmp_path: Path):
    recorder = Recorder(tmp_path / "recorded")
    recorder.write("wikipedia/page.html", b"<html>1</html>")
    recorder.describe("postal_codes", {"format": "wikipedia_html", "path": "wikipedia/page.html"})
    recorder.write("wikipedia/page.html", b"<html>2</html>")  # a re-fetch replaces the file
    snapshot = Snapshot(tmp_path / "recorded")
    assert snapshot.read("wikipedia/page.html") == b"<html>2</html>"
    assert snapshot.manifest["sha256"] == {"wikipedia/page.html": sha256(b"<html>2</html>")}
    assert snapshot.manifest["name"] == "recorded"
    assert not list((tmp_path / "recorded").rglob(".*"))  # no temporary files left behind


def test_landing_is_append_only_and_idempotent(shared_data: Path, tmp_path: Path):
    database = tmp_path / "w.duckdb"
    for _ in range(2):
        assert ingest("all", "--snapshot", SNAPSHOT, "--database", database) == 0
    assert query(database, "select count(*) from raw.wikipedia_pages") == [(1,)]
    assert query(database, "select count(*) from raw.wikipedia_postal_code_rows") == [(180,)]
    assert query(database, "select count(*) from raw.coordinates") == [(103,)]
    pages = query(
        database, "select source, layout, revision_id, parser_version, length(html) from raw.wikipedia_pages"
    )
    assert pages == [
        (str((SNAPSHOT / PAGE_IN_SNAPSHOT).resolve()), "grid", 1123911203, PARSER_VERSION, 91204)
    ]

    other = shared_data / "wikipedia" / "2019-07-15_rev906439794_row-per-neighbourhood.html"
    snapshot = tmp_path / "other"
    recorder = Recorder(snapshot)
    recorder.write(PAGE_IN_SNAPSHOT, other.read_bytes())
    recorder.describe("postal_codes", {"format": "wikipedia_html", "path": PAGE_IN_SNAPSHOT})
    assert ingest("postal-codes", "--snapshot", snapshot, "--database", database) == 0
    # The first load is kept; the new one is appended beside it.
    assert query(database, "select layout from raw.wikipedia_pages order by loaded_at") == [
        ("grid",),
        ("row_per_neighbourhood",),
    ]
    assert query(database, "select count(*) from raw.wikipedia_postal_code_rows") == [(180 + 288,)]


def test_a_refused_page_lands_nothing_but_is_kept(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    database = tmp_path / "w.duckdb"
    assert ingest("postal-codes", "--snapshot", SNAPSHOT, "--database", database) == 0
    snapshot = tmp_path / "broken"
    recorder = Recorder(snapshot)
    recorder.write(PAGE_IN_SNAPSHOT, (FIXTURES / "wikipedia" / "error_page.html").read_bytes())
    recorder.describe("postal_codes", {"format": "wikipedia_html", "path": PAGE_IN_SNAPSHOT})
    assert ingest("postal-codes", "--snapshot", snapshot, "--database", database) == 1
    assert "the page is kept in raw.wikipedia_rejected_pages" in capsys.readouterr().err
    assert query(database, "select count(*) from raw.wikipedia_pages") == [(1,)]
    assert query(database, "select count(*) from raw.wikipedia_postal_code_rows") == [(180,)]
    rejected = query(
        database, "select error, html like '%Wikimedia Error%' from raw.wikipedia_rejected_pages"
    )
    assert len(rejected) == 1 and "not in a layout this parser knows" in rejected[0][0] and rejected[0][1]


def test_a_file_that_is_not_duckdb_is_a_clear_error(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    database = tmp_path / "w.duckdb"
    database.write_bytes(b"this is not a duckdb file")
    assert ingest("coordinates", "--snapshot", SNAPSHOT, "--database", database) == 1
    error = capsys.readouterr().err
    assert f"cannot open the DuckDB file {database}" in error and "Traceback" not in error
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(database))
