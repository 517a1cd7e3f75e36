"""Words for how a set was clustered, shared by the map's title box and the report: the title,
one line per setting, and the weak-clustering warning (from cluster_settings and cluster_quality)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from segmentation.kepler_map import MapHeading

METHODS = {
    "kmeans": "k-means",
    "ward": "Ward agglomerative",
    "gmm": "Gaussian mixture",
    "spatial": "spatially constrained agglomerative (contiguous regions)",
}
LEVELS = {"group": "category groups", "category": "detailed categories"}
SPARSE = {
    "shrink": "every area's mix shrunk toward the city's, the more the fewer its venues (empirical Bayes): "
    "areas with fewer than {min_venues} venues flagged, moved most",
    "neighbours": "every area's mix shrunk toward its neighbours' pooled mix (spatial empirical Bayes), the more "
    "the fewer its venues: areas with fewer than {min_venues} venues flagged, moved most",
    "exclude": "areas with fewer than {min_venues} venues: not clustered",
    "none": "every area with a venue clustered as it is",
}


def feature_words(features: list[str] | tuple[str, ...], level: str) -> str:
    """'shares of category groups + category diversity', for the blocks a build used."""
    level_words = LEVELS.get(level, level)
    words = {
        "shares": f"shares of {level_words}",
        "log_lq": f"log location quotients of {level_words} (against the city's mix)",
        "hellinger": f"square-root shares of {level_words} (Hellinger)",
        "tfidf": f"tf-idf of {level_words}",
        "density": "places per km² searched (log)",
        "diversity": "category diversity (Shannon entropy)",
    }
    return " + ".join(words.get(block, block) for block in features)


def heading(settings: Mapping[str, Any], quality: Mapping[str, Any] | None) -> MapHeading:
    """The map's and the report's heading; quality is None when nothing was clustered."""
    area_set = settings["area_set"]
    if quality is None:
        return MapHeading(f"{area_set}: no areas with venues to cluster", (), None)
    k = int(quality["k"])
    how = "auto rule" if str(settings["n_clusters"]).strip().lower() == "auto" else "n_clusters"
    details = (
        f"{METHODS.get(quality['method'], quality['method'])}, k = {k} ({how}); preset {settings['preset']}",
        f"features: {feature_words(settings['features'], quality['feature_level'])}",
        SPARSE.get(settings["sparse_areas"], str(settings["sparse_areas"])).format(
            min_venues=settings["min_venues"]
        ),
        f"silhouette {_number(quality.get('silhouette'))}, seed agreement {_number(quality.get('seed_agreement'))}, "
        f"bootstrap agreement {_number(quality.get('bootstrap_agreement'))}",
    )
    warning = None
    if quality.get("is_weak"):
        warning = (
            "Weak clustering — treat these segments with care: " + "; ".join(quality["weak_reasons"]) + "."
        )
    return MapHeading(f"{area_set}: {k} segments by the places in them", details, warning)


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.2f}"
