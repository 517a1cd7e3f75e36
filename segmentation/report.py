"""The segmentation report: one self-contained HTML file (figures inlined as PNG data, no script,
nothing fetched) that says how a set was clustered and what each segment is — the settings, the
weak-clustering warning when it applies, the model-selection and stability plots, and per cluster
its size, label, members and top features with their shares and lifts (HTML bars and a table).
Every name reaches the page escaped."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segmentation import plots
from segmentation.describe import heading
from segmentation.output_file import write_pieces

Row = Mapping[str, Any]
MEMBERS_SHOWN = 200  # members listed per cluster; the rest are in area_clusters
FEATURES_SHOWN = 8  # features charted per cluster


@dataclass(frozen=True)
class ReportInputs:
    settings: Row  # cluster_settings
    quality: Row | None  # cluster_quality (None: nothing was clustered)
    selection: Sequence[Row]  # cluster_model_selection: method, k, criteria, is_chosen
    profiles: Sequence[Row]  # cluster_profiles
    features: Sequence[Row]  # cluster_categories
    areas: Sequence[
        Row
    ]  # area_map_features: area_id, name, cluster_id, status, status_reason, venue_count, …
    selection_png: bytes | None = None  # the model-selection figure, when the caller has drawn it


def render(inputs: ReportInputs) -> str:
    top = heading(inputs.settings, inputs.quality)
    parts = [f"<h1>{_e(top.title)}</h1>"]
    if top.warning:
        parts.append(f'<p class="warning" role="alert">{_e(top.warning)}</p>')
    parts.append(_settings(inputs, top.details))
    parts.append(_unclustered(inputs.areas, inputs.settings))
    if inputs.selection:
        confidence = [
            row.get("assignment_confidence") for row in inputs.areas if row.get("cluster_id") is not None
        ]
        parts.append(
            "<h2>Model selection</h2>"
            + _auto_rule(inputs.settings)
            + _image(
                inputs.selection_png or plots.png(plots.model_selection(inputs.selection)), "Model selection"
            )
        )
        parts.append(_selection_table(inputs.selection))
        parts.append(
            "<h2>Stability</h2>" + _figure(plots.stability(inputs.selection, confidence), "Stability")
        )
    parts.append("<h2>Segments</h2>")
    for profile in inputs.profiles:
        parts.append(_cluster(profile, inputs.features, inputs.areas))
    return _PAGE.format(title=_e(top.title), body="\n".join(parts))


def write(inputs: ReportInputs, path: Path) -> Path:
    return write_pieces(path, [render(inputs)])


def _settings(inputs: ReportInputs, details: Sequence[str]) -> str:
    settings = inputs.settings
    items = "".join(f"<li>{_e(line)}</li>" for line in details)
    counted = sum(1 for row in inputs.areas if row.get("cluster_id") is not None)
    rows = [
        ("Area set", settings["area_set"]),
        ("Areas", f"{len(inputs.areas):,} ({counted:,} clustered)"),
        ("Preset", settings["preset"]),
        ("Feature level", settings["feature_level"]),
        ("Venues mapped to a group", f"{100 * float(settings.get('group_mapped_share') or 0):.1f} %"),
        ("Features", ", ".join(settings["features"])),
        ("Sparse areas", f"{settings['sparse_areas']} (min_venues = {settings['min_venues']})"),
        ("Method", settings["method"]),
        ("n_clusters", settings["n_clusters"]),
        ("Random state", settings["random_state"]),
    ]
    table = "".join(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>" for name, value in rows)
    return f'<h2>Settings</h2><ul>{items}</ul><table class="settings">{table}</table>'


def _unclustered(areas: Sequence[Row], settings: Row) -> str:
    counts: dict[str, int] = {}
    for row in areas:
        counts[str(row["status"])] = counts.get(str(row["status"]), 0) + 1
    words = {
        "clustered": "clustered",
        "clustered_shrunk": f"clustered on fewer than {settings['min_venues']} venues (shares shrunk toward the city's mix)",
        "insufficient_venues": f"not clustered: fewer than {settings['min_venues']} venues",
        "no_venues": "not clustered: no venues",
    }
    items = "".join(
        f"<li>{count:,} {_e(words.get(status, status))}</li>" for status, count in sorted(counts.items())
    )
    return f"<h2>Evidence</h2><ul>{items}</ul>"


def _auto_rule(settings: Row) -> str:
    return (
        "<p>The auto rule keeps the k whose clusters all hold at least "
        f"{_e(settings['min_cluster_size'])} areas, whose seed agreement is at least {_e(settings['min_seed_agreement'])} "
        f"and whose largest cluster holds at most {100 * float(settings['max_largest_share']):.0f} % of the areas; "
        "of those, the best silhouette + bootstrap agreement (the smaller k on a tie).</p>"
    )


def _selection_table(rows: Sequence[Row]) -> str:
    head = (
        "method",
        "k",
        "silhouette",
        "seed agreement",
        "bootstrap agreement",
        "largest share",
        "sizes",
        "meets rule",
        "chosen",
    )
    body = []
    for row in sorted(rows, key=lambda row: (str(row["method"]), int(row["k"]))):
        cells = (
            row["method"], row["k"], _number(row["silhouette"]), _number(row["seed_agreement"]),
            _number(row["bootstrap_agreement"]), f"{100 * float(row['largest_share']):.0f} %",
            ", ".join(str(size) for size in row["cluster_sizes"]), "yes" if row["meets_rule"] else "no",
            "✔" if row["is_chosen"] else "",
        )  # fmt: skip
        marked = ' class="chosen"' if row["is_chosen"] else ""
        body.append(f"<tr{marked}>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{_e(name)}</th>" for name in head)
    return f'<table class="grid"><tr>{header}</tr>{"".join(body)}</table>'


def _cluster(profile: Row, features: Sequence[Row], areas: Sequence[Row]) -> str:
    cluster_id = profile["cluster_id"]
    own = sorted(
        (row for row in features if row["cluster_id"] == cluster_id),
        key=lambda row: int(row["commonness_rank"]),
    )[:FEATURES_SHOWN]
    members = sorted(
        (row for row in areas if row.get("cluster_id") == cluster_id), key=lambda row: str(row["area_id"])
    )
    listed = ", ".join(_e(_area_name(row)) for row in members[:MEMBERS_SHOWN])
    if len(members) > MEMBERS_SHOWN:
        listed += f" … and {len(members) - MEMBERS_SHOWN:,} more (area_clusters lists them all)"
    table = "".join(
        f"<tr><td>{_e(row['feature'])}</td><td>{row['venue_count']:,}</td><td>{row['area_count']:,}</td>"
        f"<td>{100 * float(row['cluster_share']):.1f} %</td><td>{100 * float(row['overall_share']):.1f} %</td>"
        f"<td>{float(row['lift']):.2f}</td><td>{'yes' if row['may_name'] else ''}</td></tr>"
        for row in own
    )
    chart = _bars(own, f"Cluster {cluster_id}: top features") if own else ""
    sparse = sum(1 for row in members if row.get("is_sparse"))
    return (
        f'<section class="cluster"><h3>{_e(profile["display_label"])}</h3>'
        f"<p>{profile['area_count']:,} areas, {int(profile['venue_count'] or 0):,} venues"
        f"{f', {sparse:,} with thin evidence' if sparse else ''}; mean assignment confidence "
        f"{_number(profile.get('mean_assignment_confidence'))}.</p>"
        f"<p>Label: <b>{_e(profile['label'])}</b> — the most common features found in at least half of its areas "
        "with at least 5 venues; ↑ where over-represented against the city (lift ≥ 1.25).</p>"
        f'{chart}<table class="grid"><tr><th>feature</th><th>venues</th><th>areas</th><th>share in cluster</th>'
        f"<th>share in city</th><th>lift</th><th>may name</th></tr>{table}</table>"
        f"<details><summary>Members ({len(members):,})</summary><p>{listed}</p></details></section>"
    )


def _area_name(row: Row) -> str:
    return (
        f"{row['area_id']} {row['name']}"
        if row.get("name") and row["name"] != row["area_id"]
        else str(row["area_id"])
    )


def _figure(figure: Any, alt: str) -> str:
    return _image(plots.png(figure), alt)


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _bars(features: Sequence[Row], title: str) -> str:
    """A cluster's top features as an HTML bar chart (no image to draw): each feature's share of the
    cluster's venues (blue) above its share of the city's (grey), with its lift."""
    top = max(
        [float(row["cluster_share"]) for row in features] + [float(row["overall_share"]) for row in features]
    )
    scale = 100 / max(top * 1.05, 0.01)
    rows = "".join(
        f'<div class="bar-row"><span class="bar-name">{_e(row["feature"])}</span><span class="bar-pair">'
        f'<span class="bar cluster" style="width:{float(row["cluster_share"]) * scale:.1f}%"></span>'
        f'<span class="bar city" style="width:{float(row["overall_share"]) * scale:.1f}%"></span></span>'
        f'<span class="bar-value">{100 * float(row["cluster_share"]):.1f} % / {100 * float(row["overall_share"]):.1f} %'
        f" ×{float(row['lift']):.2f}</span></div>"
        for row in features
    )
    return (
        f'<figure class="bars" aria-label="{_e(title)}"><figcaption>{_e(title)}: '
        '<span class="key cluster"></span> share in the cluster, <span class="key city"></span> share in the '
        f"city, × lift</figcaption>{rows}</figure>"
    )


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.2f}"


def _e(value: Any) -> str:
    return html.escape(str(value))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.5 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 24px auto; padding: 0 16px; }}
h1 {{ font-size: 22px; }} h2 {{ margin-top: 32px; border-bottom: 1px solid #ddd; }}
.warning {{ background: #fff1ec; border-left: 4px solid #c0392b; padding: 8px 12px; color: #8a1c00; font-weight: 600; }}
table {{ border-collapse: collapse; margin: 8px 0; }} th, td {{ padding: 3px 8px; text-align: left; }}
table.grid td, table.grid th {{ border: 1px solid #ddd; }} tr.chosen {{ background: #eef6ff; font-weight: 600; }}
img {{ max-width: 100%; }} section.cluster {{ margin: 24px 0; }}
figure.bars {{ margin: 8px 0; max-width: 760px; }} figcaption {{ font-size: 12px; color: #555; margin-bottom: 4px; }}
.bar-row {{ display: flex; align-items: center; gap: 8px; margin: 2px 0; }}
.bar-name {{ flex: 0 0 200px; text-align: right; font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
.bar-pair {{ flex: 1 1 auto; }} .bar {{ display: block; height: 8px; min-width: 1px; }}
.bar.cluster, .key.cluster {{ background: #1f77b4; }} .bar.city, .key.city {{ background: #bbbbbb; }}
.key {{ display: inline-block; width: 10px; height: 10px; }}
.bar-value {{ flex: 0 0 150px; font-size: 12px; color: #444; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
