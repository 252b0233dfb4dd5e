"""The generator's stages import downward only: load → ir_builder (the IR) → render → write.

`surface` reads the IR (and builds it for other revisions); it never imports render, write or the
pipeline. A stage importing a later one is a cycle waiting to happen and hides what depends on what.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

GENERATOR = ROOT / "generator"
# For each stage, the modules and packages of the generator it must not import.
FORBIDDEN = {
    "load": {"ir_builder", "render", "write", "surface", "pipeline", "cli", "release", "publish"},
    "ir_builder": {"render", "write", "surface", "pipeline", "cli", "release", "publish"},
    "render": {"write", "pipeline", "cli", "release", "publish"},
    "surface": {"render", "write", "pipeline", "cli", "release", "publish"},
}


def _imported_stages(path: Path) -> set[str]:
    """First components of the generator modules a file imports (relative or absolute)."""
    found: set[str] = set()
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]  # ("generator", "load")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
            else:
                parts = (node.module or "").split(".")
            if parts[:1] == ["generator"] and len(parts) > 1:
                found.add(parts[1])
                if not node.module or parts == base:  # `from .. import write`
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "generator" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_a_stage_never_imports_a_later_one(stage: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(_imported_stages(path) & FORBIDDEN[stage]) for path in sorted((GENERATOR / stage).rglob("*.py"))
    }
    assert {file: names for file, names in offences.items() if names} == {}
