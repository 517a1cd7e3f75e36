"""The model-selection plot: each criterion against k, the chosen k marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from segmentation.clustering import Candidate

CRITERIA = (
    ("inertia", "Inertia (lower is tighter)"),
    ("silhouette", "Silhouette (higher is better)"),
    ("calinski_harabasz", "Calinski–Harabasz (higher is better)"),
    ("davies_bouldin", "Davies–Bouldin (lower is better)"),
)


def plot_model_selection(candidates: Sequence[Candidate], chosen_k: int | None, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(10, 7), layout="constrained")
    axes = figure.subplots(2, 2)
    ks = [c.k for c in candidates]
    for axis, (attribute, title) in zip(axes.flat, CRITERIA, strict=True):
        axis.plot(ks, [getattr(c, attribute) for c in candidates], marker="o", color="#1f77b4")
        if chosen_k is not None:
            axis.axvline(
                chosen_k, color="#d62728", linestyle="--", linewidth=1, label=f"chosen k = {chosen_k}"
            )
            axis.legend(loc="best", fontsize=8)
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("k (clusters)")
        axis.set_xticks(ks)
        axis.grid(alpha=0.3)
    figure.suptitle("KMeans model selection", fontsize=12)
    figure.savefig(path, dpi=100, metadata={"Software": None})
    return path
