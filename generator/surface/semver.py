"""Semantic versions of the generated package: parse, compare, and bump by the level a diff proposes.

Before 1.0.0 the convention Cargo and most Python libraries follow applies: a breaking change bumps
the minor version (0.1.3 → 0.2.0) and a feature bumps the patch (0.1.3 → 0.1.4).
"""

from __future__ import annotations

import re

from ..errors import SdkgenError

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse_version(text: str) -> tuple[int, int, int]:
    """`MAJOR.MINOR.PATCH` as three integers (pre-releases and local versions are not used here)."""
    match = _VERSION.match(text.strip())
    if match is None:
        raise SdkgenError(f"{text!r} is not a MAJOR.MINOR.PATCH version (for example 1.4.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def bump(version: str, level: str) -> str:
    """The next version after `version` for a change of `level` (`major`, `minor`, `patch`)."""
    major, minor, patch = parse_version(version)
    if level == "none":
        return version
    if major == 0:  # pre-1.0: everything shifts one place right
        level = {"major": "minor", "minor": "patch"}.get(level, level)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise SdkgenError(f"unknown bump level {level!r}")


def level_between(old: str, new: str) -> str:
    """The level a move from `old` to `new` amounts to, read with the same pre-1.0 convention."""
    before, after = parse_version(old), parse_version(new)
    if after <= before:
        return "none"
    if after[0] != before[0]:
        return "major"
    if after[1] != before[1]:
        return "major" if before[0] == 0 else "minor"
    return "minor" if before[0] == 0 else "patch"
