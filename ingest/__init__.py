"""Python ingesters: fetch or replay raw inputs and land them, unchanged, in DuckDB's `raw` schema."""

__version__ = "0.1.0"
