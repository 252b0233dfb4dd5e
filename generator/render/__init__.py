"""Render stage: IR → files (Jinja templates, datamodel-code-generator models, ruff)."""
