"""The report's figures as SVG text, drawn here from the marts' rows (a few lines, markers and bars
need no plotting library, and the report inlines them as they are): model selection (each criterion
against k), stability (agreement across seeds and bootstrap redraws against k, and how sure each
area's assignment is). The benchmark draws its time-against-size chart with the same panels. The
same rows give the same text."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

Row = Mapping[str, Any]
Series = Mapping[str, Sequence[tuple[float, float]]]  # label -> (x, y) points

SELECTION = (
    ("silhouette", "Silhouette (higher is better)"),
    ("calinski_harabasz", "Calinski–Harabasz (higher is better)"),
    ("davies_bouldin", "Davies–Bouldin (lower is better)"),
    ("largest_share", "Largest cluster's share of areas"),
)
STABILITY = (
    ("seed_agreement", "Agreement across random seeds (ARI)"),
    ("bootstrap_agreement", "Agreement across bootstrap redraws (ARI)"),
)
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
CHOSEN = "#d62728"
WIDTH, HEIGHT = 380, 250  # a panel; its plot leaves margins for the ticks, labels and title
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 26, 40
LEGEND_LINE = 15


class Panel(NamedTuple):
    svg: str  # a <g> drawn from (0, 0)
    height: float


def model_selection(rows: Sequence[Row]) -> str:
    """Each criterion against k, one line per method, the chosen fit marked."""
    return figure(_criteria(rows, SELECTION), columns=2, title="Model selection: each criterion against k")


def stability(rows: Sequence[Row], confidence: Sequence[float | None]) -> str:
    """Seed and bootstrap agreement against k; the chosen clustering's assignment confidences."""
    counts = [0] * 10
    for value in confidence:
        if value is not None and value == value:  # not NaN
            counts[min(int(value * 10), 9)] += 1
    histogram = bars(
        [i / 10 for i in range(11)], counts, title="Chosen clustering: assignment confidence",
        x_label="share of redraws keeping the area in its cluster", y_label="areas",
    )  # fmt: skip
    return figure(
        [*_criteria(rows, STABILITY, y_range=(-0.05, 1.05)), histogram], columns=3, title="Stability"
    )


def figure(panels: Sequence[Panel], *, columns: int, title: str) -> str:
    """Panels (from `line` and `bars`) in rows of `columns`, under a title: one SVG document."""
    width, height, placed = WIDTH * min(columns, len(panels)), 30.0, []
    for start in range(0, len(panels), columns):
        row = panels[start : start + columns]
        placed += [
            f'<g transform="translate({WIDTH * i},{height:g})">{panel.svg}</g>' for i, panel in enumerate(row)
        ]
        height += max(panel.height for panel in row)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:g}" '
        f'viewBox="0 0 {width} {height:g}" font-family="sans-serif" font-size="11">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text x="{width / 2:g}" y="20" text-anchor="middle" font-size="14">{html.escape(title)}</text>'
        + "".join(placed)
        + "</svg>"
    )


def line(
    series: Series, *, title: str, x_label: str, y_label: str = "", log_x: bool = False, log_y: bool = False,
    y_range: tuple[float, float] | None = None, x_ticks: Sequence[float] | None = None,
    marker: tuple[str, float] | None = None,
) -> Panel:  # fmt: skip
    """A panel: one line with markers per series, a dashed vertical `marker` (label, x), the legend
    under the plot; log axes read their values' logarithms (values ≤ 0 left out there)."""
    points = {
        label: [(x, y) for x, y in values if (x > 0 or not log_x) and (y > 0 or not log_y)]
        for label, values in series.items()
    }
    xs = [x for values in points.values() for x, _ in values] + ([marker[1]] if marker else [])
    ys = [y for values in points.values() for _, y in values]
    to_x, x_tick_marks = _axis(xs, log_x, LEFT, WIDTH - RIGHT, x_ticks)
    to_y, y_tick_marks = _axis(list(y_range) if y_range else ys, log_y, HEIGHT - BOTTOM, TOP)
    parts = _frame(title, x_label, y_label, x_tick_marks, to_x, y_tick_marks, to_y)
    legend = []
    for colour, (label, values) in zip(COLOURS * 3, points.items(), strict=False):
        placed = " ".join(f"{to_x(x):.1f},{to_y(y):.1f}" for x, y in sorted(values))
        parts.append(f'<polyline points="{placed}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        parts += [f'<circle cx="{to_x(x):.1f}" cy="{to_y(y):.1f}" r="3" fill="{colour}"/>' for x, y in values]
        legend.append((colour, label, ""))
    if marker:
        x = to_x(marker[1])
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{CHOSEN}" stroke-dasharray="4 3"/>'
        )
        legend.append((CHOSEN, marker[0], ' stroke-dasharray="4 3"'))
    return _panel(parts, legend)


def bars(edges: Sequence[float], counts: Sequence[int], *, title: str, x_label: str, y_label: str) -> Panel:
    """A panel: a histogram, counts[i] between edges[i] and edges[i + 1]."""
    to_x, x_tick_marks = _axis(list(edges), False, LEFT, WIDTH - RIGHT, edges[:: max(1, len(counts) // 5)])
    to_y, y_tick_marks = _axis([0, max(counts, default=0) or 1], False, HEIGHT - BOTTOM, TOP)
    parts = _frame(title, x_label, y_label, x_tick_marks, to_x, y_tick_marks, to_y)
    for low, high, count in zip(edges, edges[1:], counts, strict=False):
        top = to_y(count)
        parts.append(
            f'<rect x="{to_x(low):.1f}" y="{top:.1f}" width="{to_x(high) - to_x(low):.1f}" '
            f'height="{to_y(0) - top:.1f}" fill="{COLOURS[0]}" stroke="white"/>'
        )
    return _panel(parts, [])


def _criteria(rows: Sequence[Row], criteria: Sequence[tuple[str, str]], **options: Any) -> list[Panel]:
    methods = sorted({str(row["method"]) for row in rows})
    chosen = next((row for row in rows if row["is_chosen"]), None)
    marker = (f"chosen: {chosen['method']}, k = {chosen['k']}", chosen["k"]) if chosen else None
    return [
        line(
            {
                method: [
                    (row["k"], row[column])
                    for row in rows
                    if row["method"] == method and row[column] is not None
                ]
                for method in methods
            },
            title=title,
            x_label="k (clusters)",
            x_ticks=sorted({row["k"] for row in rows}),
            marker=marker,
            **options,
        )
        for column, title in criteria
    ]


def _axis(
    values: Sequence[float], log: bool, start: float, end: float, ticks: Sequence[float] | None = None
) -> tuple[Any, list[tuple[float, str]]]:
    """(value -> pixel, [(tick value, its label)]) for values drawn from `start` to `end` pixels."""
    scaled = [math.log10(value) for value in values] if log else list(values)
    low, high = (min(scaled), max(scaled)) if scaled else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad

    def to_pixel(value: float) -> float:
        return start + ((math.log10(value) if log else value) - low) / (high - low) * (end - start)

    if ticks is None:
        ticks = (
            [10.0**e for e in range(math.ceil(low), math.floor(high) + 1)] if log else _nice_ticks(low, high)
        )
    return to_pixel, [
        (tick, f"{tick:,.0f}" if float(tick).is_integer() else f"{tick:,.6g}") for tick in ticks
    ]


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = 10 ** math.floor(math.log10((high - low) / count))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if (high - low) / (step * m) <= count)
    first = math.ceil(low / step)
    return [round(i * step, 12) for i in range(first, math.floor(high / step) + 1)]


def _frame(
    title: str, x_label: str, y_label: str, x_ticks: Any, to_x: Any, y_ticks: Any, to_y: Any
) -> list[str]:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    parts = [
        f'<text x="{(LEFT + right) / 2:g}" y="16" text-anchor="middle" font-size="12">{html.escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{right - LEFT}" height="{bottom - TOP}" fill="none" stroke="#333"/>',
        f'<text x="{(LEFT + right) / 2:g}" y="{HEIGHT - 6}" text-anchor="middle">{html.escape(x_label)}</text>',
        f'<text transform="translate(12,{(TOP + bottom) / 2:g}) rotate(-90)" text-anchor="middle">{html.escape(y_label)}</text>',
    ]
    for tick, label in x_ticks:
        x = to_x(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{html.escape(label)}</text>')
    for tick, label in y_ticks:
        y = to_y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{html.escape(label)}</text>')
    return parts


def _panel(parts: list[str], legend: Sequence[tuple[str, str, str]]) -> Panel:
    height = HEIGHT + LEGEND_LINE * len(legend)
    for index, (colour, label, dash) in enumerate(legend):
        y = HEIGHT + LEGEND_LINE * index + 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + 20}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{LEFT + 26}" y="{y + 4}">{html.escape(label)}</text>')
    return Panel("".join(parts), height)
