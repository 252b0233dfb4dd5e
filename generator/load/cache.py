"""A content-addressed cache for slow, pure steps (spec validation).

An entry is keyed by the SHA-256 of the step's name, the versions of the tools it ran and its input,
so a changed spec, overlay or validator never reads a stale entry. Entries are JSON files written
atomically. The cache only saves time: when it cannot be read or written, the step simply runs.
`SDKGEN_CACHE_DIR` moves it (default `$XDG_CACHE_HOME/sdkgen`, or `~/.cache/sdkgen`);
`SDKGEN_CACHE_DIR=off` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

_TOOLS = ("openapi-spec-validator", "jsonschema", "sdkgen")


def cache_dir() -> Path | None:
    """Where entries live, or None when caching is off."""
    configured = os.environ.get("SDKGEN_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sdkgen"


def _tool_versions() -> str:
    parts = []
    for tool in _TOOLS:
        try:
            parts.append(f"{tool}={version(tool)}")
        except PackageNotFoundError:
            parts.append(f"{tool}=?")
    return ",".join(parts)


def cache_key(step: str, variant: str, data: Any) -> str:
    """The key of `step` run on `data` (any JSON value) with today's tool versions."""
    digest = hashlib.sha256(f"{step}\0{variant}\0{_tool_versions()}\0".encode())
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return digest.hexdigest()


def read_cache(key: str) -> Any:
    """The entry stored under `key`, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_cache(key: str, value: Any) -> None:
    """Store `value` under `key` (atomically; silently skipped when the folder is not writable)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as handle:
            json.dump(value, handle)
        os.replace(handle.name, folder / f"{key}.json")
    except OSError:
        return
