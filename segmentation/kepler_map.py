"""The cluster map: kepler.gl datasets and config from the map features, rendered either as one
self-contained HTML file (kepler.gl and its libraries inlined: renders with the network off) or
through the keplergl package's own save_to_html (small, loads kepler.gl from CDNs).

Every string from the web (Wikipedia names, venue names) reaches the page as JSON data, escaped so
that it cannot end the script element that holds it: a neighbourhood named
``</script><script>alert(1)</script>`` stays text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from segmentation.kepler_assets import AssetError, Assets
from segmentation.output_file import write_pieces

AREAS = "areas"
VENUES = "venues"
GREY = "#9E9E9E"
# A qualitative palette (Tableau 20, strong shades first); clusters beyond 20 repeat it.
PALETTE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#BCBD22", "#17BECF",
    "#393B79", "#AEC7E8", "#FFBB78", "#98DF8A", "#FF9896", "#C5B0D5", "#C49C94", "#F7B6D2", "#DBDB8D",
    "#9EDAE5", "#637939",
)  # fmt: skip
# A basemap that needs no token, used when the page is online.
BASEMAP_ID = "carto-positron"
BASEMAP_URL = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"
_SENTINEL = "\ue000"  # stands for "<" while keplergl writes its HTML (see write_cdn_html)


class MapError(ValueError):
    """The map cannot be drawn from these inputs."""


@dataclass(frozen=True)
class MapArea:
    """One area as the map shows it."""

    area_id: str
    name: str | None
    parent_name: str | None  # the borough or district
    latitude: float | None
    longitude: float | None
    cluster_id: int | None
    cluster: str  # "Cluster 1: Retail · Arts and Entertainment (12 areas)", "No venues", "Not clustered: …"
    top_categories: str | None
    venue_count: int
    boundary: dict[str, Any] | None  # GeoJSON geometry: the polygon, where the area has one
    status_reason: str = ""  # "Clustered", "Not clustered: 2 venue(s), fewer than min_venues = 5", …
    is_sparse: bool = False  # fewer venues than min_venues: outlined on the map
    confidence: float | None = None  # share of bootstrap redraws keeping it with its cluster


@dataclass(frozen=True)
class MapVenue:
    area_id: str
    name: str | None
    category: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class MapHeading:
    """What the title box over the map says: the set, how it was clustered, and any warning."""

    title: str  # "toronto_fsa: 4 segments by venue mix"
    details: tuple[str, ...] = ()  # "k-means, k = 4 (auto rule)", "features: shares of category groups", …
    warning: str | None = None  # "Weak clustering: …"


# The legend's width: the longest cluster label at about this many pixels a character, within these.
LEGEND_WIDTH, LEGEND_MAX_WIDTH, LEGEND_PX_PER_CHARACTER = 430, 900, 6.5


@dataclass(frozen=True)
class MapPayload:
    """What the page gets: kepler.gl datasets (GeoJSON or rows), a saved (v1) config and a heading."""

    datasets: list[dict[str, Any]]
    config: dict[str, Any]
    heading: MapHeading
    legend_width: int = LEGEND_WIDTH  # pixels: the longest legend entry shown whole

    @property
    def title(self) -> str:
        return self.heading.title

    @property
    def layer_count(self) -> int:
        return len(self.config["config"]["visState"]["layers"])


# The tooltip's fields, as the reader sees them: feature property name -> MapArea attribute.
AREA_FIELDS = {
    "Area": "area_id",
    "Name": "name",
    "Part of": "parent_name",
    "Cluster": "cluster",
    "Status": "status_reason",
    "Venues": "venue_count",
    "Assignment confidence": "confidence",
    "Top categories": "top_categories",
}
VENUE_FIELDS = {"Venue": "name", "Category": "category", "Area": "area_id"}
CLUSTER_FIELD = "Cluster"
SPARSE = "sparse_areas"


def build_payload(
    areas: Sequence[MapArea],
    venues: Sequence[MapVenue] | None,
    heading: MapHeading | str,
    min_venues: int | None = None,
) -> MapPayload:
    """One layer of areas (polygons where the area has one, else a point at its centre) coloured by
    cluster, areas without a cluster in grey; the areas with fewer venues than min_venues outlined
    in a layer of their own (one legend entry that says why); and, if venues are given, a venue
    layer that starts hidden. The legend lists one entry per cluster, in numeric order."""
    heading = heading if isinstance(heading, MapHeading) else MapHeading(heading)
    located = [area for area in areas if area.latitude is not None and area.longitude is not None]
    if not located:
        raise MapError("no area of the set has coordinates; build the areas first")
    datasets: list[dict[str, Any]] = [
        {"id": AREAS, "label": "Areas", "kind": "geojson",
         "data": {"type": "FeatureCollection", "features": [_area_feature(area) for area in located]}},
    ]  # fmt: skip
    colours = cluster_colours(area.cluster for area in located)
    longest = max(len(area.cluster or "") for area in located)
    layers = [
        _layer("area-shapes", "geojson", AREAS, "Areas by cluster", {"geojson": "_geojson"}, colours,
               {"opacity": 0.7, "strokeOpacity": 0.9, "thickness": 0.5, "strokeColor": [255, 255, 255],
                "radius": 6, "filled": True, "stroked": True}),
    ]  # fmt: skip
    tooltips = {AREAS: [_tip(name) for name in AREA_FIELDS]}
    sparse = [area for area in located if area.is_sparse]
    if sparse:
        below = f"fewer than {min_venues} venues" if min_venues else "too few venues"
        datasets.append(
            {"id": SPARSE, "label": f"Areas with {below}", "kind": "geojson",
             "data": {"type": "FeatureCollection", "features": [_area_feature(area) for area in sparse]}}
        )  # fmt: skip
        layers.append(
            _layer("sparse-overlay", "geojson", SPARSE, f"Washed out, outlined: {below} (thin evidence)",
                   {"geojson": "_geojson"}, None,
                   {"opacity": 0.55, "strokeOpacity": 1, "thickness": 1.5, "strokeColor": [33, 33, 33],
                    "radius": 7, "filled": True, "stroked": True}, colour=[255, 255, 255])
        )  # fmt: skip
        tooltips[SPARSE] = [_tip(name) for name in AREA_FIELDS]
    if venues:
        datasets.append(
            {"id": VENUES, "label": "Venues", "kind": "rows", "data": [_venue_row(v) for v in venues]}
        )
        venue_layer = _layer(
            "venues", "point", VENUES, "Venues (off: switch on in the layer panel)", {"lat": "latitude", "lng": "longitude"},
            None,
            {"radius": 2, "opacity": 0.8, "filled": True}, visible=False,
        )  # fmt: skip
        layers.append(venue_layer)
        tooltips[VENUES] = [_tip(name) for name in VENUE_FIELDS]
    layers.reverse()  # kepler.gl draws the first layer on top: venues, then thin evidence, then areas
    latitude = sum(area.latitude for area in located) / len(located)
    longitude = sum(area.longitude for area in located) / len(located)
    config = {
        "version": "v1",
        "config": {
            "visState": {
                "filters": [],
                "layers": layers,
                "interactionConfig": {
                    "tooltip": {"fieldsToShow": tooltips, "compareMode": False, "compareType": "absolute",
                                "enabled": True},
                    "brush": {"size": 0.5, "enabled": False},
                    "geocoder": {"enabled": False},
                    "coordinate": {"enabled": False},
                },
                "layerBlending": "normal",
                "splitMaps": [],
            },
            "mapState": {"bearing": 0, "dragRotate": False, "latitude": latitude, "longitude": longitude,
                         "pitch": 0, "zoom": 10, "isSplit": False},
            "mapStyle": {"styleType": BASEMAP_ID, "topLayerGroups": {}, "visibleLayerGroups": {},
                         "threeDBuildingColor": [9.665468314072013, 17.18305478057247, 31.1442867897876],
                         "mapStyles": {}},
        },
    }  # fmt: skip
    legend = min(LEGEND_MAX_WIDTH, max(LEGEND_WIDTH, round(LEGEND_PX_PER_CHARACTER * longest) + 40))
    return MapPayload(datasets, config, heading, legend)


def cluster_colours(labels: Iterable[str]) -> list[str]:
    """Colours for kepler.gl's ordinal scale, which takes the distinct values in JavaScript's sort
    order: a palette colour per cluster (by cluster id, so that cluster 1 keeps its colour
    whatever its label), grey for areas without a cluster."""
    colours = []
    for label in sorted(set(labels)):
        match = re.match(r"Cluster (\d+)", label)
        colours.append(PALETTE[(int(match.group(1)) - 1) % len(PALETTE)] if match else GREY)
    return colours


def write_html(payload: MapPayload, assets: Assets, path: Path) -> Path:
    """One HTML file with kepler.gl, its libraries and the data inlined, written piece by piece (the
    data as it is encoded): a map of 50,000 areas never stands in memory as one string."""
    return write_pieces(path, _html_parts(payload, assets))


def _html_parts(payload: MapPayload, assets: Assets) -> Iterator[str]:
    styles = "\n".join(f"<style>/* {name} */\n{_inline_css(code)}\n</style>" for name, code in assets.styles)
    scripts = "\n".join(
        f"<script>/* {name} */\n{_inline_js(name, code)}\n</script>" for name, code in assets.scripts
    )
    licences = "\n\n".join(f"{name}\n\n{text.strip()}" for name, text in assets.licences)
    heading = payload.heading
    details = "".join(f"<div>{html.escape(line)}</div>" for line in heading.details)
    warning = (
        f'<div class="warning" role="alert">{html.escape(heading.warning)}</div>' if heading.warning else ""
    )
    before, after = _PAGE.split("{payload}")
    fields = {
        "title": html.escape(heading.title),
        "heading": f"<h1>{html.escape(heading.title)}</h1>{details}{warning}",
        "licences": licences.replace("--", "- -"),
        "styles": styles,
        "scripts": scripts,
        "basemap": safe_json({"id": BASEMAP_ID, "label": "Positron (CARTO)", "url": BASEMAP_URL}),
        "legend_width": payload.legend_width,
        "legend_input_width": payload.legend_width - 30,
    }
    yield before.format(**fields)
    yield from safe_json_parts({"datasets": payload.datasets, "config": payload.config})
    yield after.format(**fields)


def read_map_inputs(
    features: duckdb.DuckDBPyRelation, venues: duckdb.DuckDBPyRelation | None
) -> tuple[list[MapArea], list[MapVenue] | None]:
    """The map's areas (from area_map_features) and venues (from area_venues, optional)."""
    ordered = features.order("area_id")
    rows = [dict(zip(ordered.columns, row, strict=True)) for row in ordered.fetchall()]
    return map_areas(rows), None if venues is None else map_venues(venues)


def map_areas(features: Iterable[Mapping[str, Any]]) -> list[MapArea]:
    """The areas as the map shows them, from rows of area_map_features."""
    return [
        MapArea(row["area_id"], row["name"], row["parent_name"], row["latitude"], row["longitude"],
                row["cluster_id"], row["cluster_label"], row["top_categories"], row["venue_count"],
                boundary=json.loads(row["boundary_geojson"]) if row["boundary_geojson"] else None,
                status_reason=row["status_reason"] or "", is_sparse=bool(row["is_sparse"]),
                confidence=row["assignment_confidence"])
        for row in features
    ]  # fmt: skip


def map_venues(venues: duckdb.DuckDBPyRelation) -> list[MapVenue]:
    """The venue points (from area_venues), in area and response order."""
    located = (
        venues.filter("latitude is not null and longitude is not null")
        .order("area_id, response_position")
        .select("area_id, name, category, latitude, longitude")
    )
    return [MapVenue(*row) for row in located.fetchall()]


def keplergl_data(payload: MapPayload) -> dict[str, Any]:
    """The datasets as the keplergl package takes them (GeoJSON dicts, DataFrames)."""
    import pandas as pd

    return {
        dataset["id"]: pd.DataFrame(dataset["data"]) if dataset["kind"] == "rows" else dataset["data"]
        for dataset in payload.datasets
    }


def write_cdn_html(payload: MapPayload, path: Path) -> Path:
    """The keplergl package's own export (loads kepler.gl from CDNs). keplergl writes data into a
    script as plain JSON, where a "</script>" in a name would end the script; so every "<" in the
    data is swapped for a private-use character while keplergl writes, and the file then gets the
    JavaScript escape \\u003c in its place: the page shows "<" again, and no tag can close early."""
    from keplergl import KeplerGl  # imported here: the widget stack is only needed for this export

    swapped = MapPayload(
        [{**dataset, "data": _swap_brackets(dataset["data"])} for dataset in payload.datasets],
        payload.config,
        payload.title,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    KeplerGl(data=keplergl_data(swapped), config=payload.config).save_to_html(
        file_name=str(path), read_only=False, center_map=False, app_name=payload.title
    )
    text = path.read_text(encoding="utf-8")
    if _SENTINEL in json.dumps(swapped.datasets, ensure_ascii=False) and _SENTINEL not in text:
        raise MapError("keplergl changed how it writes data; the safe CDN export cannot be made")
    path.write_text(text.replace(_SENTINEL, "\\u003c"), encoding="utf-8")
    return path


def safe_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: <, >, & and the JavaScript line separators
    are written as \\u escapes, so no string in it can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(raw, escaped)
    return text


def safe_json_parts(value: Any) -> Iterator[str]:
    """safe_json in pieces: containers are opened, and a long list is written an item at a time, so
    that a map of 50,000 areas never stands in memory as one string."""
    if isinstance(value, dict):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "") + safe_json(key if isinstance(key, str) else json.dumps(key)) + ":"
            yield from safe_json_parts(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for number, item in enumerate(value):
            if number:
                yield ","
            if len(value) > _ITEMS_AT_ONCE:
                yield safe_json(item)
            else:
                yield from safe_json_parts(item)
        yield "]"
    else:
        yield safe_json(value)


_ITEMS_AT_ONCE = 100  # a longer list is written item by item, each item in one piece


def _area_feature(area: MapArea) -> dict[str, Any]:
    geometry = area.boundary or {"type": "Point", "coordinates": [area.longitude, area.latitude]}
    properties: dict[str, Any] = {label: getattr(area, attribute) for label, attribute in AREA_FIELDS.items()}
    properties["Top categories"] = area.top_categories or ""
    confidence = area.confidence
    properties["Assignment confidence"] = None if confidence is None else round(confidence, 2)
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _venue_row(venue: MapVenue) -> dict[str, Any]:
    row = {label: getattr(venue, attribute) for label, attribute in VENUE_FIELDS.items()}
    return {**row, "latitude": venue.latitude, "longitude": venue.longitude}


def _layer(
    layer_id: str,
    kind: str,
    data_id: str,
    label: str,
    columns: dict[str, str],
    colours: list[str] | None,
    vis_config: dict[str, Any],
    *,
    visible: bool = True,
    colour: list[int] | None = None,
) -> dict[str, Any]:
    channels: dict[str, Any] = {"colorField": None, "colorScale": "quantile"}
    if colours:
        channels = {"colorField": {"name": CLUSTER_FIELD, "type": "string"}, "colorScale": "ordinal"}
        vis_config = {**vis_config, "colorRange": {"name": "Clusters", "type": "qualitative", "category": "Custom",
                                                   "colors": colours}}  # fmt: skip
    return {
        "id": layer_id,
        "type": kind,
        "config": {
            "dataId": data_id,
            "label": label,
            "color": colour or [255, 203, 5],
            "columns": columns,
            "isVisible": visible,
            "visConfig": vis_config,
            "hidden": False,
            "textLabel": [],
        },
        "visualChannels": channels,
    }


def _tip(name: str) -> dict[str, Any]:
    return {"name": name, "format": None}


def _inline_js(name: str, code: str) -> str:
    """Script text that cannot end its element early: "</script" becomes "<\\/script"."""
    escaped = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
    for comment in re.finditer(r"<!--", escaped):
        closing = escaped.find("-->", comment.end())
        opening = re.search(
            r"<script[\s/>]", escaped[comment.end() : closing if closing >= 0 else None], re.I
        )
        if opening:
            raise AssetError(f"{name} holds '<!--' then '<script' and cannot be inlined safely")
    return escaped


def _inline_css(code: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", code, flags=re.IGNORECASE)


def _swap_brackets(value: Any) -> Any:
    if isinstance(value, str):
        if _SENTINEL in value:
            raise MapError("a name holds the private-use character U+E000; the CDN export cannot escape it")
        return value.replace("<", _SENTINEL)
    if isinstance(value, dict):
        return {key: _swap_brackets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap_brackets(item) for item in value]
    return value


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<!--
Third-party software inlined in this page, with its licence notices:

{licences}
-->
{styles}
<style>html, body {{ margin: 0; padding: 0; overflow: hidden; height: 100%; }} #app {{ position: absolute; inset: 0; }}
#map-heading {{ position: absolute; z-index: 10; top: 12px; left: 50%; transform: translateX(-50%); max-width: 46%;
  background: rgba(255, 255, 255, 0.94); color: #222; font: 13px/1.4 system-ui, sans-serif; padding: 8px 14px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); pointer-events: none; }}
#map-heading h1 {{ font-size: 16px; margin: 0 0 4px; }}
#map-heading .warning {{ margin-top: 6px; color: #8a1c00; font-weight: 600; }}
/* A legend wide enough for the clusters' full labels. */
.map-legend, .map-legend .legend--layer {{ width: {legend_width}px !important; max-width: {legend_width}px !important; }}
.map-legend input.legend__label__title__editor {{ width: {legend_input_width}px !important; }}</style>
</head>
<body>
<div id="app"></div>
<div id="map-heading">{heading}</div>
{scripts}
<script id="map-data" type="application/json">{payload}</script>
<script id="map-basemap" type="application/json">{basemap}</script>
<script>
(function () {{
  "use strict";
  var payload = JSON.parse(document.getElementById("map-data").textContent);
  var basemap = JSON.parse(document.getElementById("map-basemap").textContent);
  // Online: a basemap that needs no token. Offline: no basemap, and nothing is fetched.
  var online = navigator.onLine;
  var mapStyles = {{}};
  mapStyles[basemap.id] = {{id: basemap.id, label: basemap.label, url: basemap.url, icon: "", layerGroups: []}};
  payload.config.config.mapStyle.styleType = online ? basemap.id : "no_map";
  if (!online) {{
    // kepler.gl fetches its icon-layer icons from its CDN as it starts; offline, answer that
    // request from the page itself (an empty icon list) instead of failing with a console error.
    KeplerGl.initApplicationConfig({{cdnUrl: "data:application/json,%7B%22svgIcons%22%3A%5B%5D%7D#"}});
  }}

  // The legend open from the start, the layer panel closed so that the map has the room.
  var controls = Object.assign({{}}, KeplerGl.DEFAULT_MAP_CONTROLS || {{}});
  controls.mapLegend = Object.assign({{}}, controls.mapLegend || {{}}, {{show: true, active: true}});
  var reducers = Redux.combineReducers({{
    keplerGl: KeplerGl.keplerGlReducer.initialState({{
      uiState: {{readOnly: false, currentModal: null, activeSidePanel: null, mapControls: controls}},
      mapStyle: online ? {{mapStyles: mapStyles, styleType: basemap.id}} : {{styleType: "no_map"}}
    }})
  }});
  var middlewares = KeplerGl.enhanceReduxMiddleware([]);
  var store = Redux.createStore(reducers, {{}}, Redux.compose(Redux.applyMiddleware.apply(null, middlewares)));
  window.keplerStore = store;

  function toKepler(dataset) {{
    var data = dataset.kind === "geojson" ? KeplerGl.processGeojson(dataset.data)
                                          : KeplerGl.processRowObject(dataset.data);
    return {{info: {{id: dataset.id, label: dataset.label}}, data: data}};
  }}

  function App() {{
    var size = React.useState({{width: window.innerWidth, height: window.innerHeight}});
    React.useEffect(function () {{
      function resize() {{ size[1]({{width: window.innerWidth, height: window.innerHeight}}); }}
      window.addEventListener("resize", resize);
      store.dispatch(KeplerGl.addDataToMap({{
        datasets: payload.datasets.map(toKepler),
        config: KeplerGl.KeplerGlSchema.parseSavedConfig(payload.config),
        options: {{centerMap: false, readOnly: false}}
      }}));
      window.mapReady = true;
      return function () {{ window.removeEventListener("resize", resize); }};
    }}, []);
    return React.createElement(KeplerGl.KeplerGl, {{
      id: "map", width: size[0].width, height: size[0].height, mapboxApiAccessToken: ""
    }});
  }}

  ReactDOM.createRoot(document.getElementById("app")).render(
    React.createElement(ReactRedux.Provider, {{store: store}}, React.createElement(App))
  );
}})();
</script>
</body>
</html>
"""
