"""`sdkgen release`: set the package version from the API diff, prepend a CHANGELOG entry, commit and tag.

The version lives in one place, `version` in `[tool.sdkgen]` of pyproject.toml; the generated
package's `_version.py`, `pyproject.toml` and `api.json` are derived from it by regenerating.

Baselines are right by construction: every release is committed and tagged `v<version>` by the
release itself (an annotated tag whose message records what it was compared with), so the next
release, and `sdkgen diff` without arguments, compare with the latest such tag reachable from HEAD.
Without one (a new repository, or a clone that did not fetch tags) they compare with HEAD and say
so in a warning that names the commit that set the current version, the likely release to tag.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import load_pyproject
from .errors import SdkgenError
from .pipeline import CHANGELOG_FILE, Result, generate
from .surface.diff import LEVEL_ORDER
from .surface.report import Report, changelog_entry, compare
from .surface.semver import bump, level_between, parse_version
from .surface.sources import surface_at_revision, surface_of_config

CHANGELOG_TITLE = "# Changelog\n"
RELEASE_TAG = re.compile(r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
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
    tag: str
    commit: str


@dataclass(frozen=True)
class Baseline:
    """The revision a release or a diff is compared with, and a warning when it is only HEAD."""

    revision: str
    warning: str = ""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in `root`; a missing git or a failure is an `SdkgenError` with git's own words."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SdkgenError("git is not installed; releases are tagged commits, so `sdkgen release` needs git") from None
    if check and done.returncode != 0:
        raise SdkgenError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


_NEEDS_GIT = {
    "release": "`sdkgen release` compares with the last release tag and commits and tags the release it makes",
    "publish": "`sdkgen publish` uploads only a committed, tagged release",
    "diff": "`sdkgen diff` without OLD compares with the last release tag; name OLD (an api.json, a spec file, a pyproject.toml) to compare without git",
}


def repository_root(folder: Path, command: str) -> Path:
    """The top of the git work tree holding `folder`, or one clear error line."""
    done = git(folder, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise SdkgenError(
            f"{folder} is not in a git repository: {_NEEDS_GIT.get(command, 'this needs git')} (git init, then commit the project)"
        )
    if git(folder, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        raise SdkgenError(f"the git repository at {folder} has no commit yet: commit the project first")
    return Path(done.stdout.strip())


def release_tags(root: Path) -> list[str]:
    """The `v<MAJOR.MINOR.PATCH>` tags reachable from HEAD, oldest version first."""
    listed = git(root, "tag", "--merged", "HEAD", "--list", "v*").stdout.split()
    return sorted((t for t in listed if RELEASE_TAG.match(t)), key=lambda t: parse_version(t[1:]))


def _configured_version(root: Path, commit: str, pyproject: str) -> str | None:
    shown = git(root, "show", f"{commit}:{pyproject}", check=False)
    if shown.returncode != 0:
        return None
    try:
        table = tomllib.loads(shown.stdout).get("tool", {}).get("sdkgen", {})
    except tomllib.TOMLDecodeError:
        return None
    version = table.get("version")
    return str(version) if version is not None else None


def version_commit(root: Path, pyproject: Path, version: str) -> str | None:
    """The commit that set `version` in [tool.sdkgen]: the oldest of the newest run of commits that have it."""
    relative = pyproject.resolve().relative_to(root.resolve()).as_posix()
    log = git(root, "log", "--format=%H", "--", relative, check=False)
    found: str | None = None
    for commit in log.stdout.split() if log.returncode == 0 else []:
        if _configured_version(root, commit, relative) != version:
            break
        found = commit
    return found


def last_release(root: Path, pyproject: Path, version: str) -> Baseline:
    """The latest release tag reachable from HEAD; else HEAD, with a warning that says what to do."""
    tags = release_tags(root)
    if tags:
        latest = tags[-1]
        if latest != f"v{version}":
            return Baseline(latest, f"the latest release tag is {latest}, but [tool.sdkgen] version is {version}; comparing with {latest}")
        return Baseline(latest)
    setter = version_commit(root, pyproject, version)
    hint = ""
    if setter is not None:
        subject = git(root, "log", "-1", "--format=%h %s", setter).stdout.strip()
        hint = f"; if {version} was released at the commit that set it ({subject}), record that: git tag v{version} {setter[:12]}"
    return Baseline(
        "HEAD",
        f"no release tag (v<version>) is reachable from HEAD, so the baseline is HEAD: changes committed since the "
        f"last release are not counted{hint} (or name a baseline: make release SINCE=<revision>, make diff BASE=<revision>)",
    )


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


def changelog_has(path: Path, version: str) -> bool:
    """Whether the CHANGELOG has an entry (a `## <version>` heading) for `version`."""
    if not path.is_file():
        return False
    heading = re.compile(rf"^##\s+v?{re.escape(version)}(\s|$)", re.MULTILINE)
    return heading.search(path.read_text(encoding="utf-8")) is not None


def uncommitted(root: Path) -> list[str]:
    """Paths with changes git would commit or lose: modified, staged, deleted, untracked (not ignored)."""
    return [line[3:] for line in git(root, "status", "--porcelain", "--untracked-files=all").stdout.splitlines() if line.strip()]


def describe_paths(paths: list[str], derived: Path, root: Path, *, limit: int = 5) -> str:
    """A few paths to name in a message: sources first, what is derived from them (the output) last."""
    prefix = derived.resolve().relative_to(root.resolve()).as_posix() + "/"
    ordered = sorted(paths, key=lambda path: (path.startswith(prefix), path))
    return ", ".join(ordered[:limit]) + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def _refuse_dirty(root: Path, output: Path, what: str) -> None:
    paths = uncommitted(root)
    if paths:
        raise SdkgenError(f"uncommitted changes in {root} ({describe_paths(paths, output, root)}): commit them first, {what}")


def release(
    pyproject: Path,
    templates: Path,
    *,
    version: str | None,
    since: str | None,
    date: str,
    force: bool = False,
    warn: Callable[[str], None] = lambda _: None,
) -> Release:
    """Bump the version (given, or derived from the diff), write the CHANGELOG entry, regenerate, commit, tag.

    `warn` receives what the user should know before anything else happens (a baseline that is only HEAD).
    """
    config = load_pyproject(pyproject)
    root = repository_root(config.root, "release")
    current = config.version
    parse_version(current)
    _refuse_dirty(root, config.output, "so that the release commit holds only the version, the CHANGELOG and the regenerated output")
    if git(root, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        raise SdkgenError("git does not know who you are, so the release cannot be committed: set git config user.name and user.email")
    baseline = Baseline(since) if since else last_release(root, pyproject, current)
    if baseline.warning:
        warn(baseline.warning)
    old = surface_at_revision(root, baseline.revision)
    new = surface_of_config(config)
    report = compare(old.label, old.surface, "this release", new)
    report = Report(report.old_label, report.new_label, current, report.changes, report.notes)
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
    tag = f"v{target}"
    if git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}", check=False).returncode == 0:
        raise SdkgenError(f"the tag {tag} exists already: {target} was released before; pick a later version")
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
    paths = [str(p.resolve().relative_to(root.resolve())) for p in (pyproject, changelog, config.output)]
    git(root, "add", "--all", "--", *paths)
    committed = git(root, "commit", "--quiet", "-m", f"Release {target}", "-m", _record(report, target), check=False)
    if committed.returncode != 0:
        raise SdkgenError(
            f"the release files are written and staged, but git commit failed: {committed.stderr.strip() or committed.stdout.strip()}. "
            f'Fix that, then: git commit -m "Release {target}" && git tag -a {tag} -m "Release {target}"'
        )
    git(root, "tag", "--annotate", tag, "-m", f"Release {target}", "-m", _record(report, target))
    commit = git(root, "rev-parse", "HEAD").stdout.strip()
    return Release(current, target, report, changelog, generation, tag, commit)


def _record(report: Report, version: str) -> str:
    """What the release commit and its tag record: the baseline and the counts."""
    counts = ", ".join(f"{n} {category}" for category, n in report.counts().items() if n) or "no change to the public surface"
    return f"sdkgen release {version}: compared with {report.old_label}: {counts} ({report.level} bump)."
