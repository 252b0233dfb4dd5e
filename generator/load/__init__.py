"""Load stage: read spec files, apply overlays, resolve references, validate."""
