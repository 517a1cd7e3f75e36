"""The map in headless Chromium (Debian's chromium and chromium-driver, through Selenium): start
the browser, open a map from file:// with the network off and wait until kepler.gl has drawn it.
The browser test uses it, and so does `python -m segmentation.browser MAP.html PNG`, which saves
the screenshot the README shows (docs/map.png)."""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
    "--window-size=1400,900", "--disable-dev-shm-usage",
)  # fmt: skip
SCRIPT_TIMEOUT = 300  # seconds
READY = "return !!(window.mapReady && window.keplerStore.getState().keplerGl.map.visState.layers.length)"


class BrowserError(RuntimeError):
    """Chromium is missing, or the map did not load."""


def start_chrome() -> Any:
    """A headless Chromium with its console and network logs kept."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        raise BrowserError("Debian's chromium and chromium-driver are needed: run `make browser`")
    from selenium import webdriver  # a development dependency, imported when a browser is wanted
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    # Software WebGL on a busy machine can hold the page's thread for longer than Selenium's 30 s.
    driver.set_script_timeout(SCRIPT_TIMEOUT)
    driver.set_page_load_timeout(SCRIPT_TIMEOUT)
    return driver


def open_offline(driver: Any, page: Path, timeout: float = SCRIPT_TIMEOUT, settle: float = 4) -> None:
    """Open `page` with the network off (alerts recorded in window.__alerts, never shown) and wait
    until kepler.gl has its layers, then `settle` seconds for deck.gl to draw."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));"},
    )
    driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while not driver.execute_script(READY):
        if time.monotonic() > deadline:
            raise BrowserError(f"kepler.gl did not load {page} within {timeout:.0f} s")
        time.sleep(0.5)
    time.sleep(settle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Save a screenshot of a map opened offline.")
    parser.add_argument("map", type=Path)
    parser.add_argument("png", type=Path)
    arguments = parser.parse_args(argv)
    try:
        driver = start_chrome()
    except BrowserError as error:
        parser.exit(1, f"error: {error}\n")
    try:
        open_offline(driver, arguments.map)
        driver.save_screenshot(str(arguments.png))
    except BrowserError as error:
        parser.exit(1, f"error: {error}\n")
    finally:
        driver.quit()
    print(f"saved {arguments.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
