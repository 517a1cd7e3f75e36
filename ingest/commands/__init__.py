"""One module per `python -m ingest` command: `add` declares its options, `run` does it (the work
itself is in the domain modules)."""
