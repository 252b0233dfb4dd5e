"""`sdkgen release`: set the package version from the API diff and prepend a CHANGELOG entry.

The version lives in one place, `version` in `[tool.sdkgen]` of pyproject.toml; the generated
package's `_version.py`, `pyproject.toml` and `api.json` are derived from it by regenerating.
The baseline is the previous release: `--since` when given, else the git tag `v<current version>`,
else the commit that set the current version in pyproject.toml, else HEAD (no history yet).
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .config import load_pyproject
from .errors import SdkgenError
from .pipeline import CHANGELOG_FILE, Result, generate
from .surface.diff import LEVEL_ORDER, diff_surfaces
from .surface.report import Report, changelog_entry
from .surface.semver import bump, level_between, parse_version
from .surface.sources import git_tag_exists, surface_at_revision, surface_of_config

CHANGELOG_TITLE = "# Changelog\n"
_TABLE_HEADER = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(#.*)?$")
_VERSION_LINE = re.compile(r'^(?P<lead>\s*version\s*=\s*)"(?P<value>[^"]*)"(?P<tail>.*)$')


@dataclass(frozen=True)
class Release:
    """What a release did."""

    previous: str
    version: str
    report: Report
    changelog: Path
    generation: Result


def set_version(pyproject: Path, version: str) -> None:
    """Rewrite `version` in `[tool.sdkgen]`, keeping every other byte of the file."""
    lines = pyproject.read_text(encoding="utf-8").splitlines(keepends=True)
    table = ""
    for index, line in enumerate(lines):
        header = _TABLE_HEADER.match(line)
        if header:
            table = header.group("name").strip()
            continue
        match = _VERSION_LINE.match(line.rstrip("\n"))
        if table == "tool.sdkgen" and match:
            lines[index] = f'{match.group("lead")}"{version}"{match.group("tail")}' + ("\n" if line.endswith("\n") else "")
            pyproject.write_text("".join(lines), encoding="utf-8")
            return
    raise SdkgenError(f'{pyproject}: no `version = "..."` line in [tool.sdkgen] to update')


def prepend_changelog(path: Path, entry: str) -> None:
    """Put `entry` first under the title, creating the file when there is none."""
    text = path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_TITLE
    if text.startswith(CHANGELOG_TITLE):
        head, rest = CHANGELOG_TITLE, text[len(CHANGELOG_TITLE) :].lstrip("\n")
    else:
        head, rest = CHANGELOG_TITLE, text
    path.write_text(head + "\n" + entry + ("\n" + rest if rest else ""), encoding="utf-8")


def _configured_version(root: Path, commit: str, pyproject: str) -> str | None:
    shown = subprocess.run(["git", "-C", str(root), "show", f"{commit}:{pyproject}"], capture_output=True, check=False)
    try:
        table = tomllib.loads(shown.stdout.decode("utf-8")).get("tool", {}).get("sdkgen", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    version = table.get("version") if shown.returncode == 0 else None
    return str(version) if version is not None else None


def version_commit(root: Path, pyproject: Path, version: str) -> str | None:
    """The commit that set `version` in [tool.sdkgen]: the oldest of the newest run of commits that have it."""
    relative = pyproject.resolve().relative_to(root.resolve()).as_posix()
    log = subprocess.run(["git", "-C", str(root), "log", "--format=%H", "--", relative], capture_output=True, text=True, check=False)
    found: str | None = None
    for commit in log.stdout.split() if log.returncode == 0 else []:
        if _configured_version(root, commit, relative) != version:
            break
        found = commit
    return found


def baseline_of(root: Path, pyproject: Path, version: str, since: str | None) -> str:
    """Which revision the release is compared with (see the module docstring)."""
    if since:
        return since
    if git_tag_exists(root, f"v{version}"):
        return f"v{version}"
    return version_commit(root, pyproject, version) or "HEAD"


def release(pyproject: Path, templates: Path, *, version: str | None, since: str | None, date: str, force: bool = False) -> Release:
    """Bump the version (given, or derived from the diff), write the CHANGELOG entry, regenerate."""
    config = load_pyproject(pyproject)
    current = config.version
    parse_version(current)
    baseline = baseline_of(config.root, pyproject, current, since)
    old = surface_at_revision(config.root, baseline, templates)
    new = surface_of_config(config, templates)
    report = Report(old.label, "this release", current, tuple(diff_surfaces(old.surface, new)))
    target = version or bump(current, report.level)
    if version is None and report.level == "none":
        raise SdkgenError(f"the public surface did not change since {old.label}; pass VERSION=... to release anyway")
    if parse_version(target) <= parse_version(current):
        raise SdkgenError(f"{target} is not after the current version {current}")
    if LEVEL_ORDER[level_between(current, target)] < LEVEL_ORDER[report.level] and not force:
        breaking = "; ".join(f"{c.subject}: {c.message}" for c in report.breaking[:5])
        raise SdkgenError(
            f"{current} → {target} is too small a step for the changes since {old.label} (they need a {report.level} bump, "
            f"{bump(current, report.level)}){': ' + breaking if breaking else ''}. Use that version, or FORCE=1 to override"
        )
    changelog = config.changelog or config.root / CHANGELOG_FILE
    saved = {path: path.read_bytes() if path.exists() else None for path in (pyproject, changelog)}
    try:
        set_version(pyproject, target)
        prepend_changelog(changelog, changelog_entry(report, target, date))
        generation = generate(load_pyproject(pyproject), templates)
    except BaseException:  # a release that did not regenerate leaves no half-bumped files behind
        for path, data in saved.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        raise
    return Release(current, target, report, changelog, generation)
