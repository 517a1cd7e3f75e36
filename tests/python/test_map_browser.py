"""The map in headless Chromium (Debian's chromium + chromium-driver), opened from file:// with the
network off: kepler.gl loads, the layers and areas are there, the legend is open with one entry
per cluster in numeric order (its full label and size), the title box names the settings, nothing
is fetched, the console has no errors, a hostile neighbourhood name stays text, and the screenshot
shows coloured areas."""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support import PAGE_IN_SNAPSHOT, Build, query

from segmentation.browser import BrowserError, open_offline, start_chrome

pytestmark = [pytest.mark.integration, pytest.mark.browser]

HOSTILE = "</script><script>alert(1)</script>"

STATE = """
const map = window.keplerStore.getState().keplerGl.map;
const areas = map.visState.datasets.areas;
const geojson = areas.fields.findIndex(field => field.name === '_geojson');
const neighbourhood = areas.fields.findIndex(field => field.name === 'Name');
const legend = document.querySelector('.map-legend');
const rows = [...Array(areas.dataContainer.numRows()).keys()];
return {
  layers: map.visState.layers.map(layer => [layer.id, layer.type, layer.config.isVisible]),
  datasets: Object.fromEntries(Object.entries(map.visState.datasets).map(([id, d]) => [id, d.dataContainer.numRows()])),
  polygons: rows.filter(i => areas.dataContainer.valueAt(i, geojson).geometry.type.endsWith('Polygon')).length,
  neighbourhoods: rows.map(i => areas.dataContainer.valueAt(i, neighbourhood)),
  styleType: map.mapStyle.styleType,
  online: navigator.onLine,
  alerts: window.__alerts,
  canvases: document.querySelectorAll('canvas').length,
  legendLayers: legend ? [...legend.querySelectorAll('.legend--layer_name')].map(e => e.textContent) : null,
  legendEntries: legend ? [...legend.querySelectorAll('input.legend__label__title__editor')].map(e => e.value) : null,
  legendWidths: legend ? [...legend.querySelectorAll('input.legend__label__title__editor')].map(
    e => e.scrollWidth <= e.clientWidth) : null,
  heading: document.getElementById('map-heading').innerText,
};
"""


@pytest.fixture(scope="module")
def chrome():
    try:
        driver = start_chrome()
    except BrowserError as error:
        pytest.fail(f"the browser test needs the browser: {error}")
    yield driver
    driver.quit()


def map_state(driver, page: Path) -> dict:
    open_offline(driver, page)
    return driver.execute_script(STATE)


def requests_made(driver) -> set[str]:
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"].split(":", 1)[0])
    return urls


def coloured_share(screenshot: Path, left: int = 320) -> tuple[float, int]:
    """The share of the map area's pixels that are clearly coloured, and how many hues they have."""
    pixels = np.asarray(Image.open(screenshot).convert("RGB"))[:, left:].reshape(-1, 3).astype(float) / 255
    chroma = pixels.max(axis=1) - pixels.min(axis=1)
    coloured = pixels[chroma > 60 / 255]
    hues = np.array([colorsys.rgb_to_hsv(*pixel)[0] for pixel in coloured[::7]])  # a sample is enough
    counts = np.bincount((hues * 12).astype(int) % 12, minlength=12) * 7
    return len(coloured) / len(pixels), int((counts >= 300).sum())


def test_the_map_renders_offline_with_hostile_names(
    chrome, shared_data: Path, snapshot_copy: Path, build: Build, tmp_path: Path
):
    page = (shared_data / "wikipedia" / "2020-09-21_rev979555370_row-per-postal-code.html").read_text()
    hostile = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    assert "Regent Park, Harbourfront" in page
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_text(
        page.replace("Regent Park, Harbourfront", f"{hostile}, Harbourfront")
    )
    database, result = build(snapshot_copy)
    assert result.returncode == 0, result.stdout
    assert query(database, "select neighbourhoods from postal_codes where postal_code = 'M5A'") == [
        ([HOSTILE, "Harbourfront"],)
    ]
    ((map_path,),) = query(database, "select map_path from segmentation_outputs")

    state = map_state(chrome, Path(map_path))
    assert state["online"] is False and state["styleType"] == "no_map"
    assert state["layers"] == [
        ["venues", "point", False],
        ["sparse-overlay", "geojson", True],
        ["area-shapes", "geojson", True],
    ]
    (sparse,) = query(database, "select count(*) from area_map_features where is_sparse")[0]
    assert state["datasets"] == {"areas": 103, "sparse_areas": sparse, "venues": 2226}
    assert state["polygons"] == 96  # the boundary file's areas; the other 7 are points
    assert f"{HOSTILE}, Harbourfront" in state["neighbourhoods"]  # the name is data, shown as text
    assert state["alerts"] == []  # and never ran
    assert state["canvases"] >= 1
    # The legend is open: one entry per cluster in numeric order, its full label and size shown
    # whole (no clipped text), then the areas without a cluster; no second list from another layer.
    labels = [
        label
        for (label,) in query(database, "select display_label from cluster_profiles order by cluster_id")
    ]
    assert state["legendEntries"] == [*labels, "No venues"]
    assert all(state["legendWidths"]), state["legendEntries"]
    assert state["legendLayers"] == [
        "Venues (off: switch on in the layer panel)",
        "Washed out, outlined: fewer than 5 venues (thin evidence)",
        "Areas by cluster",
    ]
    ((title, k, method),) = query(
        database, "select m.title, q.k, q.method from segmentation_outputs m, cluster_quality q"
    )
    assert state["heading"].startswith(title) and f"k = {k}" in state["heading"] and method == "kmeans"
    assert "features: log location quotients of category groups" in state["heading"]

    errors = [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert requests_made(chrome) <= {"file", "blob", "data"}  # nothing from the network

    screenshot = tmp_path / "map.png"
    chrome.save_screenshot(str(screenshot))
    share, hues = coloured_share(screenshot)
    assert share > 0.05 and hues >= k, (share, hues, k)  # a hue per cluster
