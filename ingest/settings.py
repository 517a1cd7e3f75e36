"""Settings the Python ingesters share with the dbt models, read from one place: the `vars` of
dbt_project.yml (the build schema, the postal-code pattern, provider names, the venue radius and
limit, the OSM tag keys, the "Not assigned" marker). Change them there; both sides follow.

Live URLs default to the public services and can be pointed elsewhere (a mirror, a local test
server) by environment variables; a command-line option wins over both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import IngestError

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"

# Environment variables that stand in for the live URLs.
URL_ENVIRONMENT = {
    "wikipedia": "INGEST_WIKIPEDIA_URL",
    "course_csv": "INGEST_COORDINATES_URL",
    "geonames": "INGEST_GEONAMES_URL",
    "overpass": "INGEST_OVERPASS_ENDPOINT",
    "foursquare": "INGEST_FOURSQUARE_ENDPOINT",
}
TIMEOUT_ENVIRONMENT = "INGEST_TIMEOUT"
RATE_ENVIRONMENT = "INGEST_RATE"


@dataclass(frozen=True)
class ProjectSettings:
    build_schema: str
    published_schema: str
    postal_code_pattern: str
    unassigned_marker: str
    venue_providers: tuple[str, ...]
    venue_radius_m: int
    venue_limit: int
    metres_per_degree: float
    osm_tag_keys: tuple[str, ...]
    taxonomy_kinds: tuple[str, ...]
    max_centroid_spread_m: float
    setting_choices: dict[str, tuple[str, ...]]  # the values each segmentation setting may take


@cache
def project_settings(path: Path = PROJECT_FILE) -> ProjectSettings:
    try:
        variables: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["vars"]
        return ProjectSettings(
            build_schema=str(variables["build_schema"]),
            published_schema=str(variables["published_schema"]),
            postal_code_pattern=str(variables["postal_code_pattern"]),
            unassigned_marker=str(variables["unassigned_marker"]),
            venue_providers=tuple(variables["venue_providers"]),
            venue_radius_m=int(variables["venue_radius_m"]),
            venue_limit=int(variables["venue_limit"]),
            metres_per_degree=float(variables["metres_per_degree"]),
            osm_tag_keys=tuple(variables["osm_tag_keys"]),
            taxonomy_kinds=tuple(variables["taxonomy_kinds"]),
            max_centroid_spread_m=float(variables["max_centroid_spread_m"]),
            setting_choices={name: tuple(values) for name, values in variables["setting_choices"].items()},
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        raise IngestError(
            f"cannot read the shared settings (vars) from {path}: {error!r}; is the project intact?"
        ) from error


def live_url(source: str, default: str) -> str:
    """The URL of a live source: its environment variable if set, else the public default."""
    return os.environ.get(URL_ENVIRONMENT[source], "").strip() or default


def environment_number(name: str) -> float | None:
    """A positive number from the environment, or None when unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise IngestError(f"the environment variable {name} is {text!r}; expected a positive number")
    return value
