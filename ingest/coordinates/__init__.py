"""Postal-code centroid files: their reader (read) and their raw tables and landing (store)."""
