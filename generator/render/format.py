"""Format and lint a rendered tree with ruff, once for the whole tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from ..errors import SdkgenError


def _ruff(args: list[str], root: Path, paths: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    # The tree's own pyproject.toml carries the ruff settings, so users who run ruff on the
    # package get the same answer as the generator.
    targets = ["."] if paths is None else paths
    return subprocess.run([find_ruff_bin(), *args, "--no-cache", *targets], cwd=root, capture_output=True, text=True, check=False)


def format_tree(root: Path, paths: list[str] | None = None) -> None:
    """`ruff check --fix` then `ruff format` (of `paths` only, when given); anything ruff cannot fix is a generator bug, reported."""
    if paths == []:
        return
    fix = _ruff(["check", "--fix", "--quiet"], root, paths)
    if fix.returncode != 0:
        raise SdkgenError("ruff found problems in the generated code (a generator bug):\n" + (fix.stdout + fix.stderr).strip()[:4000])
    formatted = _ruff(["format", "--quiet"], root, paths)
    if formatted.returncode != 0:
        raise SdkgenError("ruff could not format the generated code:\n" + (formatted.stdout + formatted.stderr).strip()[:4000])
