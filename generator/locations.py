"""Where sdkgen's own files are: the templates ship inside the package (a wheel), or sit beside it (a checkout)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# In a wheel, hatch puts the repository's `templates/` at `generator/_templates` (pyproject: force-include).
TEMPLATES = _PACKAGE / "_templates" if (_PACKAGE / "_templates").is_dir() else _PACKAGE.parent / "templates"
RUNTIME = TEMPLATES / "runtime"
# A checkout's own plug-ins, searched after the configured folders: the flagship's specs select them, and
# `sdkgen diff` builds revisions older than their `plugins` setting with the current tree. A wheel has none.
CHECKOUT_PLUGINS = _PACKAGE.parent / "plugins" if not (_PACKAGE / "_templates").is_dir() else None
