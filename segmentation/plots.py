"""The report's figures, from the marts' rows: model selection (each criterion against k), stability
(agreement across seeds and bootstrap redraws against k, and how sure each area's assignment is),
(the report draws each cluster's features as HTML bars). Each is a matplotlib Figure with fixed
margins (constrained layout costs more than the drawing); png() gives its bytes (no timestamp in the
metadata: the same data gives the same file)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

Row = Mapping[str, Any]

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
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")


def model_selection(rows: Sequence[Row]) -> Figure:
    """Each criterion against k, one line per method, the chosen fit marked."""
    figure = Figure(figsize=(11, 6.5))
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, wspace=0.2, hspace=0.38)
    _criteria(figure.subplots(2, 2).flat, rows, SELECTION)
    figure.suptitle("Model selection: each criterion against k", fontsize=12)
    return figure


def stability(rows: Sequence[Row], confidence: Sequence[float]) -> Figure:
    """Seed and bootstrap agreement against k; the chosen clustering's assignment confidences."""
    figure = Figure(figsize=(11, 3.6))
    figure.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.8, wspace=0.28)
    axes = figure.subplots(1, 3)
    _criteria(axes[:2], rows, STABILITY)
    for axis in axes[:2]:
        axis.set_ylim(-0.05, 1.05)
    values = [value for value in confidence if value is not None]
    axes[2].hist(values, bins=[i / 10 for i in range(11)], color=COLOURS[0], edgecolor="white")
    axes[2].set_title("Chosen clustering: assignment confidence", fontsize=10)
    axes[2].set_xlabel("share of redraws keeping the area in its cluster", fontsize=8)
    axes[2].set_ylabel("areas")
    figure.suptitle("Stability", fontsize=12)
    return figure


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    return buffer.getvalue()


def _criteria(axes: Any, rows: Sequence[Row], criteria: Sequence[tuple[str, str]]) -> None:
    methods = sorted({str(row["method"]) for row in rows})
    chosen = next((row for row in rows if row["is_chosen"]), None)
    for axis, (column, title) in zip(axes, criteria, strict=True):
        for colour, method in zip(COLOURS * 3, methods, strict=False):
            points = sorted(
                (row["k"], row[column]) for row in rows if row["method"] == method and row[column] is not None
            )
            axis.plot([k for k, _ in points], [v for _, v in points], marker="o", color=colour, label=method)
        if chosen is not None:
            axis.axvline(chosen["k"], color="#d62728", linestyle="--", linewidth=1,
                         label=f"chosen: {chosen['method']}, k = {chosen['k']}")  # fmt: skip
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("k (clusters)")
        axis.set_xticks(sorted({row["k"] for row in rows}))
        axis.grid(alpha=0.3)
        axis.legend(loc="best", fontsize=8)
