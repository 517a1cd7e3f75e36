"""The map: safe serialisation, colours, layers, assets, the CDN export."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from segmentation.kepler_assets import AssetError, Assets, Package, _check_integrity
from segmentation.kepler_map import (
    GREY,
    PALETTE,
    MapArea,
    MapHeading,
    MapVenue,
    _inline_js,
    build_payload,
    cluster_colours,
    safe_json,
    write_cdn_html,
    write_html,
)

HOSTILE = "</script><script>alert(1)</script>"
SQUARE = {
    "type": "MultiPolygon",
    "coordinates": [[[[-79.4, 43.6], [-79.3, 43.6], [-79.3, 43.7], [-79.4, 43.6]]]],
}


def areas() -> list[MapArea]:
    return [
        MapArea("M5A", f"Regent Park, {HOSTILE}", "Downtown Toronto", 43.65, -79.36, 1, "Cluster 1: Café · Park",
                "Café (3), Park (1)", 14, SQUARE, "Clustered", False, 0.9),
        MapArea("M5W", "Stn A PO Boxes", "Downtown Toronto", 43.64, -79.37, 2, "Cluster 2: Post Office", None, 1,
                None, "Clustered on 1 venue(s), fewer than 5: its shares were shrunk", True, 0.456),
        MapArea("M1X", "Upper Rouge", "Scarborough", 43.83, -79.20, None, "No venues", None, 0, SQUARE,
                "Not clustered: no venues found in this area", True, None),
    ]  # fmt: skip


def fake_assets() -> Assets:
    return Assets(
        scripts=[("lib@1", "window.lib = '</script>';")],
        styles=[("lib@1", "a::after { content: '</style>'; }")],
        licences=[("lib@1", "MIT -- keep this notice")],
    )


def rendered(payload, directory):
    return write_html(payload, fake_assets(), directory / "map.html").read_text()


def test_safe_json_cannot_close_a_script():
    text = safe_json({"name": HOSTILE + "<!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": HOSTILE + "<!-- & \u2028"}


def test_hostile_names_stay_text_in_the_page(tmp_path):
    page = rendered(build_payload(areas(), [MapVenue("M5A", HOSTILE, "Café", 43.65, -79.36)], "t"), tmp_path)
    assert HOSTILE not in page
    assert len(re.findall(r"</script", page, re.IGNORECASE)) == page.count(
        "<script"
    )  # only our own tags close
    data = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    payload = json.loads(data)
    names = [f["properties"]["Name"] for f in payload["datasets"][0]["data"]["features"]]
    assert names[0] == f"Regent Park, {HOSTILE}"
    assert payload["datasets"][2]["data"][0]["Venue"] == HOSTILE
    assert "window.lib = '<\\/script>';" in page and "content: '<\\/style>'" in page
    assert "MIT - - keep this notice" in page  # the licence notice is kept, and cannot end its comment


def test_layers_polygons_points_and_tooltips():
    payload = build_payload(areas(), [MapVenue("M5A", "Tandem", "Café", 43.65, -79.36)], "t", min_venues=5)
    features = payload.datasets[0]["data"]["features"]
    assert [f["geometry"]["type"] for f in features] == ["MultiPolygon", "Point", "MultiPolygon"]
    assert features[1]["geometry"]["coordinates"] == [-79.37, 43.64]  # no boundary: a point at the centre
    # The areas with thin evidence again, in a layer of their own: washed out and outlined.
    assert [f["properties"]["Area"] for f in payload.datasets[1]["data"]["features"]] == ["M5W", "M1X"]
    layers = payload.config["config"]["visState"]["layers"]
    # kepler.gl draws the first layer on top; no layer of area centres (no second legend of clusters).
    assert [(layer["id"], layer["config"]["isVisible"]) for layer in layers] == [
        ("venues", False),
        ("sparse-overlay", True),
        ("area-shapes", True),
    ]
    assert layers[1]["config"]["label"] == "Washed out, outlined: fewer than 5 venues (thin evidence)"
    assert layers[1]["visualChannels"]["colorField"] is None
    assert layers[2]["visualChannels"]["colorField"] == {"name": "Cluster", "type": "string"}
    assert layers[2]["config"]["visConfig"]["colorRange"]["colors"] == [PALETTE[0], PALETTE[1], GREY]
    tooltip = payload.config["config"]["visState"]["interactionConfig"]["tooltip"]["fieldsToShow"]["areas"]
    assert [field["name"] for field in tooltip] == [
        "Area", "Name", "Part of", "Cluster", "Status", "Venues", "Assignment confidence", "Top categories",
    ]  # fmt: skip
    assert features[1]["properties"]["Assignment confidence"] == 0.46
    assert features[2]["properties"]["Status"] == "Not clustered: no venues found in this area"
    clustered_only = [area for area in areas() if not area.is_sparse]
    assert build_payload(clustered_only, None, "t").layer_count == 1


def test_the_page_has_a_title_box_the_open_legend_and_the_warning(tmp_path):
    heading = MapHeading("toronto_fsa: 5 segments", ("k-means, k = 5", "features: shares"), f"Weak {HOSTILE}")
    page = rendered(build_payload(areas(), None, heading), tmp_path)
    box = re.search(r'<div id="map-heading">(.*?)</div>\n', page).group(1)
    assert "<h1>toronto_fsa: 5 segments</h1><div>k-means, k = 5</div><div>features: shares</div>" in box
    assert 'role="alert">Weak &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</div>' in box
    assert "<title>toronto_fsa: 5 segments</title>" in page
    assert "mapLegend" in page and "show: true, active: true" in page
    quiet = rendered(build_payload(areas(), None, MapHeading("t")), tmp_path)
    assert 'role="alert"' not in quiet


def test_cluster_colours_follow_ids_in_kepler_sort_order():
    labels = [f"Cluster {n:02}: x" for n in range(1, 12)] + [
        "No venues",
        "Not clustered: fewer than 5 venues",
    ]
    colours = cluster_colours(labels)
    # kepler.gl sorts the labels as strings; cluster_profiles pads the ids so that this is numeric order.
    assert colours[:11] == list(PALETTE[:11])
    assert colours[-2:] == [GREY, GREY]
    assert cluster_colours(["Cluster 10: x", "Cluster 1: x"]) == [PALETTE[9], PALETTE[0]]


def test_inline_js_refuses_what_it_cannot_make_safe():
    assert _inline_js("x", "a = '</SCRIPT>'") == "a = '<\\/SCRIPT>'"
    assert _inline_js("x", "s = `<!--${e}-->`; t = '<script>'") == "s = `<!--${e}-->`; t = '<script>'"
    with pytest.raises(AssetError, match="cannot be inlined safely"):
        _inline_js("x", "s = '<!-- <script>'")


def test_a_tampered_package_is_refused(tmp_path: Path):
    tarball = tmp_path / "lib.tgz"
    tarball.write_bytes(b"the real bytes")
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(b"the real bytes").digest()).decode()
    package = Package("lib", "1.0.0", integrity, (), (), "package/LICENSE")
    _check_integrity(tarball, package)
    tarball.write_bytes(b"tampered bytes")
    with pytest.raises(AssetError, match="does not match the pinned integrity"):
        _check_integrity(tarball, package)


def test_the_cdn_export_keeps_hostile_names_as_text(tmp_path: Path):
    path = write_cdn_html(
        build_payload(areas(), [MapVenue("M5A", HOSTILE, "Café", 43.65, -79.36)], "t"), tmp_path / "m.html"
    )
    page = path.read_text()
    assert "unpkg.com/kepler.gl" in page  # loads kepler.gl from a CDN
    assert HOSTILE not in page and "<script>alert(1)" not in page
    assert "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>" in page
