"""The segmentation report: one self-contained HTML file (figures inlined as PNG data, no script,
nothing fetched) that says how a set was clustered and what each segment is — the settings, the
weak-clustering warning when it applies, the model-selection and stability plots, and per cluster
its size, label, members, its profile against the city (each feature's lift, the segment's share over
the city's, as bars either side of 1) and a table of its features' shares and lifts.
Every name reaches the page escaped."""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segmentation import plots
from segmentation.describe import heading
from segmentation.output_file import write_pieces

Row = Mapping[str, Any]
MEMBERS_SHOWN = 200  # members listed per cluster; the rest are in area_clusters
FEATURES_SHOWN = 13  # features charted per cluster (every group of the taxonomies)
LIFT_SCALE = 4.0  # the profile's bars reach the end at ×4 or ÷4


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


def render(inputs: ReportInputs) -> str:
    """A planner's page first — the segments, each one's name, size, density and profile — then the
    evidence: the settings, the areas not clustered, model selection and stability."""
    top = heading(inputs.settings, inputs.quality)
    parts = [f"<h1>{_e(top.title)}</h1>", _overview(inputs)]
    if top.warning:
        parts.append(f'<p class="warning" role="alert">{_e(top.warning)}</p>')
    for profile in inputs.profiles:
        parts.append(_cluster(profile, inputs.features, inputs.areas, inputs.settings))
    parts.append("<h2>The evidence</h2>")
    parts.append(_settings(inputs, top.details))
    parts.append(_unclustered(inputs.areas))
    if inputs.selection:
        confidence = [
            row.get("assignment_confidence") for row in inputs.areas if row.get("cluster_id") is not None
        ]
        parts.append(
            "<h3>Model selection</h3>"
            + _auto_rule(inputs.settings)
            + _figure(plots.model_selection(inputs.selection), "Model selection")
        )
        parts.append(_selection_table(inputs.selection))
        parts.append(
            "<h3>Stability</h3>" + _figure(plots.stability(inputs.selection, confidence), "Stability")
        )
    return _PAGE.format(title=_e(top.title), body="\n".join(parts))


def _overview(inputs: ReportInputs) -> str:
    """The segments at a glance: name, areas, places, density and what names them."""
    if not inputs.profiles:
        return "<h2>Segments</h2><p>No segments: no area had places to cluster.</p>"
    clustered = sum(int(profile["area_count"]) for profile in inputs.profiles)
    rows = []
    for profile in inputs.profiles:
        naming = ", ".join(
            f"{feature} ×{float(lift):.2f} ({int(count):,} places)"
            for feature, lift, count in zip(
                profile["label_features"], profile["label_lifts"], profile["label_venue_counts"], strict=True
            )
        )
        density = profile.get("median_venues_per_km2")
        rows.append(
            f"<tr><td>{profile['cluster_id']}</td><td><b>{_e(profile['label'])}</b></td>"
            f"<td>{int(profile['area_count']):,} ({100 * int(profile['area_count']) / clustered:.0f} %)</td>"
            f"<td>{int(profile['venue_count'] or 0):,}</td>"
            f"<td>{_e(profile.get('density') or 'n/a')}"
            f"{f' ({float(density):,.0f} places/km²)' if density is not None else ''}</td>"
            f"<td>{_e(naming or 'no feature stands out: mixed')}</td></tr>"
        )
    censored = sum(int(profile.get("at_venue_limit_count") or 0) for profile in inputs.profiles)
    return (
        '<h2>Segments</h2><table class="grid segments"><tr><th>#</th><th>segment</th><th>areas</th>'
        "<th>places</th><th>density (median area)</th><th>named by (lift, places)</th></tr>"
        + "".join(rows)
        + "</table>"
        + f"<p>{clustered:,} areas clustered; {censored:,} of them reached the provider's limit of places a "
        "search, so their counts and densities are floors.</p>"
    )


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
    return f'<h3>Settings</h3><ul>{items}</ul><table class="settings">{table}</table>'


def _unclustered(areas: Sequence[Row]) -> str:
    counts = Counter((str(row["status"]), str(row["status_label"])) for row in areas)
    items = "".join(f"<li>{_e(label)}: {count:,}</li>" for (_, label), count in sorted(counts.items()))
    return f"<h3>Areas</h3><ul>{items}</ul>"


def _auto_rule(settings: Row) -> str:
    return (
        "<p>The auto rule keeps the k whose clusters all hold at least "
        f"{_e(settings['min_cluster_size'])} areas, whose seed agreement is at least {_e(settings['min_seed_agreement'])}, "
        f"whose bootstrap agreement is at least {_e(settings['min_bootstrap_agreement'])} "
        f"and whose largest cluster holds at most {100 * float(settings['max_largest_share']):.0f} % of the areas; "
        "of those, the best bootstrap agreement + balance (the entropy of the cluster sizes over that of "
        f"{_e(settings['k_max'])} equal clusters, 0..1: higher with more clusters of more even sizes; the smaller k "
        "on a tie; when none qualifies, the fewest segments tried, reported weak). The bootstrap redraws the set's places "
        "(N of N, with replacement), so each area's count — and its density — varies as sampling makes it. "
        "Silhouette is shown, not ranked on. Count η² is the share of the variance of the areas' log venue "
        "count the clusters explain.</p>"
    )


def _selection_table(rows: Sequence[Row]) -> str:
    head = (
        "method",
        "k",
        "silhouette",
        "seed agreement",
        "bootstrap agreement",
        "largest share",
        "count η²",
        "sizes",
        "meets rule",
        "chosen",
    )
    body = []
    for row in sorted(rows, key=lambda row: (str(row["method"]), int(row["k"]))):
        cells = (
            row["method"], row["k"], _number(row["silhouette"]), _number(row["seed_agreement"]),
            _number(row["bootstrap_agreement"]), f"{100 * float(row['largest_share']):.0f} %",
            _number(row.get("venue_count_share")),
            ", ".join(str(size) for size in row["cluster_sizes"]), "yes" if row["meets_rule"] else "no",
            "✔" if row["is_chosen"] else "",
        )  # fmt: skip
        marked = ' class="chosen"' if row["is_chosen"] else ""
        body.append(f"<tr{marked}>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{_e(name)}</th>" for name in head)
    return f'<table class="grid"><tr>{header}</tr>{"".join(body)}</table>'


def _cluster(profile: Row, features: Sequence[Row], areas: Sequence[Row], settings: Row) -> str:
    cluster_id = profile["cluster_id"]
    own = sorted(
        (row for row in features if row["cluster_id"] == cluster_id),
        key=lambda row: int(row["commonness_rank"]),
    )[:FEATURES_SHOWN]
    profile_rows = sorted(own, key=lambda row: (-float(row["lift"]), str(row["feature"])))
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
    chart = _lift_profile(profile_rows, f"Cluster {cluster_id} against the city") if own else ""
    sparse = sum(1 for row in members if row.get("is_sparse"))
    return (
        f'<section class="cluster"><h3>{_e(profile["display_label"])}</h3>'
        f"<p>{profile['area_count']:,} areas, {int(profile['venue_count'] or 0):,} venues"
        f"{f', {sparse:,} with thin evidence' if sparse else ''}; mean assignment confidence "
        f"{_number(profile.get('mean_assignment_confidence'))}.</p>"
        f"<p>Label: <b>{_e(profile['label'])}</b> — its density against the set's areas (where its median area "
        "falls among them: sparse in the lowest third, mid, dense in the top third), then up to three features "
        f"whose share of all its places is at least {_e(settings['label_min_lift'])}× the city's, with at least "
        f"{_e(settings['label_min_venues'])} places in it, the highest lift first; “mixed” when none is.</p>"
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


def _figure(svg: str, alt: str) -> str:
    return f'<figure role="img" aria-label="{_e(alt)}">{svg}</figure>'


def _lift_profile(features: Sequence[Row], title: str) -> str:
    """A segment's profile against the city as an HTML chart (no image to draw): each feature's lift
    (its share of the segment's venues over its share of the city's) as a bar from 1, to the right
    (blue) when over-represented, to the left (orange) when under; log scale, ×4 and ÷4 at the ends."""
    rows = []
    for row in features:
        lift = float(row["lift"])
        width = min(abs(math.log(lift, LIFT_SCALE)), 1.0) * 50 if lift > 0 else 50.0
        side = "over" if lift >= 1 else "under"
        left = 50 if lift >= 1 else 50 - width
        rows.append(
            f'<div class="bar-row"><span class="bar-name">{_e(row["feature"])}</span><span class="bar-track">'
            f'<span class="bar {side}" style="left:{left:.1f}%;width:{width:.1f}%"></span></span>'
            f'<span class="bar-value">×{lift:.2f} ({100 * float(row["cluster_share"]):.1f} % / '
            f"{100 * float(row['overall_share']):.1f} %)</span></div>"
        )
    return (
        f'<figure class="bars" aria-label="{_e(title)}"><figcaption>{_e(title)}: lift (share in the segment / '
        f'share in the city) from 1; <span class="key over"></span> over-represented, <span class="key under"></span>'
        f" under; log scale, ×{LIFT_SCALE:g} at the ends</figcaption>{''.join(rows)}</figure>"
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
figure {{ margin: 0; }} figure svg {{ max-width: 100%; height: auto; }} section.cluster {{ margin: 24px 0; }}
figure.bars {{ margin: 8px 0; max-width: 760px; }} figcaption {{ font-size: 12px; color: #555; margin-bottom: 4px; }}
.bar-row {{ display: flex; align-items: center; gap: 8px; margin: 2px 0; }}
.bar-name {{ flex: 0 0 200px; text-align: right; font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
.bar-track {{ flex: 1 1 auto; position: relative; height: 10px; border-left: 0; background: linear-gradient(#999, #999) 50% 0 / 1px 100% no-repeat; }}
.bar {{ position: absolute; top: 1px; height: 8px; min-width: 1px; }}
.bar.over, .key.over {{ background: #1f77b4; }} .bar.under, .key.under {{ background: #e07b39; }}
.key {{ display: inline-block; width: 10px; height: 10px; }}
.bar-value {{ flex: 0 0 170px; font-size: 12px; color: #444; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
