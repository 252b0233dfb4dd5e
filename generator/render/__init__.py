"""Render stage: IR → files (Jinja templates, models included; ruff), incrementally (`cache.py`)."""
