"""The map in headless Chromium (Debian's chromium + chromium-driver), opened from file:// with the
network off: kepler.gl loads, the layers and areas are there, nothing is fetched, the console has
no errors, a hostile neighbourhood name stays text, and the screenshot shows coloured areas."""

from __future__ import annotations

import colorsys
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support import PAGE_IN_SNAPSHOT, Build, query

pytestmark = [pytest.mark.integration, pytest.mark.browser]

HOSTILE = "</script><script>alert(1)</script>"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
    "--window-size=1400,900", "--disable-dev-shm-usage",
]  # fmt: skip

STATE = """
const map = window.keplerStore.getState().keplerGl.map;
const areas = map.visState.datasets.areas;
const geojson = areas.fields.findIndex(field => field.name === '_geojson');
const neighbourhood = areas.fields.findIndex(field => field.name === 'name');
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
};
"""


@pytest.fixture(scope="module")
def chrome():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: run `make browser`")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def open_offline(driver, page: Path) -> dict:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));"},
    )
    driver.get(page.as_uri())
    ready = "return !!(window.mapReady && window.keplerStore.getState().keplerGl.map.visState.layers.length)"
    deadline = time.monotonic() + 120
    while not driver.execute_script(ready):
        assert time.monotonic() < deadline, "kepler.gl did not load within 120 s"
        time.sleep(0.5)
    time.sleep(4)  # let deck.gl draw
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
    ((map_path,),) = query(database, "select map_path from area_map")

    state = open_offline(chrome, Path(map_path))
    assert state["online"] is False and state["styleType"] == "no_map"
    assert state["layers"] == [
        ["area-shapes", "geojson", True],
        ["area-centres", "point", True],
        ["venues", "point", False],
    ]
    assert state["datasets"] == {"areas": 103, "venues": 2226}
    assert state["polygons"] == 96  # the boundary file's areas; the other 7 are points
    assert f"{HOSTILE}, Harbourfront" in state["neighbourhoods"]  # the name is data, shown as text
    assert state["alerts"] == []  # and never ran
    assert state["canvases"] >= 1

    errors = [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert requests_made(chrome) <= {"file", "blob", "data"}  # nothing from the network

    screenshot = tmp_path / "map.png"
    chrome.save_screenshot(str(screenshot))
    share, hues = coloured_share(screenshot)
    assert share > 0.05 and hues >= 3, (share, hues)
