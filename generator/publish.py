"""`sdkgen publish` (`make publish`): upload a release, and only a release.

Before anything is built it checks, and lists every problem at once:

* the working tree is clean (a wheel built from uncommitted files is not the release);
* HEAD carries the tag `v<version>` (`sdkgen release` makes it);
* the output (`generated/`) is what the generator makes from the committed specs;
* the CHANGELOG has an entry for the version;
* the version is not on the target index yet (its PEP 503 simple page is read; an index that
  cannot be read is a refusal too, since "already there" cannot be ruled out).

Then it builds the sdist and the wheel (`python -m build --no-isolation`: the pinned hatchling,
nothing downloaded), runs `twine check --strict`, prints what it will upload and where, and
uploads with twine. The index comes from twine's own variables (`TWINE_REPOSITORY_URL`,
`TWINE_USERNAME`, `TWINE_PASSWORD`); there is no default, so nothing reaches pypi.org by accident.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .config import Config, load_pyproject
from .errors import SdkgenError
from .locations import TEMPLATES as DEFAULT_TEMPLATES

INDEX_TIMEOUT = 30.0


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def file_version(filename: str, distribution: str) -> str | None:
    """The version of a wheel or sdist file name of `distribution`, or None for another project's file."""
    if filename.endswith(".whl"):
        name, _, rest = filename.partition("-")
        version = rest.split("-", 1)[0]
    else:
        stem = re.sub(r"\.(tar\.gz|zip|tar\.bz2)$", "", filename)
        name, _, version = stem.rpartition("-")
    return version if normalized(name) == normalized(distribution) else None


def simple_index_of(upload_url: str) -> str:
    """The PEP 503 simple index that lists what `upload_url` receives (set `--index-url` when it differs).

    PyPI and TestPyPI upload to `/legacy/` on another host; pypiserver, and most private indexes,
    serve `<root>/simple/` beside their upload endpoint.
    """
    parts = urlsplit(upload_url)
    if parts.netloc == "upload.pypi.org":
        return "https://pypi.org/simple/"
    path = parts.path.rstrip("/")
    path = path.removesuffix("/legacy")
    return urlunsplit((parts.scheme, parts.netloc, path + "/simple/", "", ""))


def published_files(index_url: str, distribution: str, version: str, auth: tuple[str, str] | None) -> list[str]:
    """The files of `distribution` `version` the index lists (empty when the project is not there)."""
    from .index_lookup import listed_files  # urllib and html.parser: only `publish` needs them (CLI start-up)

    return listed_files(index_url, distribution, version, auth, timeout=INDEX_TIMEOUT)


@dataclass(frozen=True)
class Plan:
    """What would be uploaded, where, and what stands in the way."""

    distribution: str
    version: str
    upload_url: str
    index_url: str
    tag: str
    commit: str
    problems: tuple[str, ...]


def _credentials(upload_url: str, index_url: str) -> tuple[str, str] | None:
    """twine's credentials, sent to the simple index only when it is on the upload host."""
    user, password = os.environ.get("TWINE_USERNAME"), os.environ.get("TWINE_PASSWORD")
    if user is None or password is None or urlsplit(upload_url).netloc != urlsplit(index_url).netloc:
        return None
    return user, password


def plan(config: Config, templates: Path, upload_url: str, index_url: str | None) -> Plan:
    """Check that the working tree is a release that is not on the index yet."""
    # Imported here: the CLI imports this module for its arguments, and `sdkgen generate` need not load the pipeline.
    from .pipeline import CHANGELOG_FILE, check
    from .release import changelog_has, describe_paths, git, repository_root, uncommitted

    root = repository_root(config.root, "publish")
    version, tag = config.version, f"v{config.version}"
    index = index_url or simple_index_of(upload_url)
    problems: list[str] = []
    dirty = uncommitted(root)
    if dirty:
        shown = describe_paths(dirty, config.output, root)
        problems.append(f"the working tree has uncommitted changes ({shown}): publish a committed release")
    on_head = git(root, "tag", "--points-at", "HEAD").stdout.split()
    if tag not in on_head:
        elsewhere = git(root, "rev-list", "-n", "1", f"refs/tags/{tag}", check=False)
        where = (
            f"the tag {tag} is on {elsewhere.stdout.strip()[:12]}, not on HEAD"
            if elsewhere.returncode == 0
            else f"HEAD is not tagged {tag}"
        )
        problems.append(f"{where}: `make release` commits and tags a release; publish that commit")
    result, diff = check(config, templates)
    if diff or result.changes:
        problems.append(
            f"{config.output.name}/ is stale (it is not what the generator makes from the specs): run `make regenerate` and release again"
        )
    changelog = config.changelog or config.root / CHANGELOG_FILE
    if not changelog_has(changelog, version):
        problems.append(f"{changelog.name} has no entry for {version} (a `## {version}` heading): `make release` writes it")
    try:
        there = published_files(index, config.distribution, version, _credentials(upload_url, index))
    except SdkgenError as exc:
        problems.append(str(exc))
    else:
        if there:
            problems.append(f"{config.distribution} {version} is already on {index} ({', '.join(there)}): release a new version")
    commit = git(root, "rev-parse", "HEAD").stdout.strip()
    return Plan(config.distribution, version, upload_url, index, tag, commit, tuple(problems))


def _run(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        raise SdkgenError(f"{what} failed:\n" + "\n".join(output[-20:]))
    return done.stdout


def build(config: Config, dist: Path, version: str) -> list[Path]:
    """The sdist and the wheel of the output, in `dist` (earlier builds there are removed)."""
    with tempfile.TemporaryDirectory(prefix="sdkgen-dist-") as scratch:
        _run(
            [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", scratch, str(config.output)],
            "python -m build",
        )
        built = sorted(Path(scratch).iterdir())
        wrong = [p.name for p in built if file_version(p.name, config.distribution) != version]
        if wrong:
            raise SdkgenError(f"the build made {', '.join(wrong)}, not {config.distribution} {version}; regenerate and release again")
        dist.mkdir(parents=True, exist_ok=True)
        for old in [*dist.glob("*.whl"), *dist.glob("*.tar.gz")]:
            old.unlink()
        for path in built:
            shutil.copy2(path, dist / path.name)
    return sorted(dist / path.name for path in built)


def publish(
    pyproject: Path, templates: Path, *, dist: Path, upload_url: str, index_url: str | None, dry_run: bool, say: Any = print
) -> int:
    """Check, build, twine-check, say what goes where, upload (not with `dry_run`); twine's exit status."""
    config = load_pyproject(pyproject)
    checked = plan(config, templates, upload_url, index_url)
    if checked.problems:
        raise SdkgenError(
            f"refusing to publish {checked.distribution} {checked.version} to {upload_url}:\n"
            + "\n".join(f"  - {problem}" for problem in checked.problems)
        )
    files = build(config, dist, checked.version)
    say(_run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)], "twine check --strict").strip())
    user = os.environ.get("TWINE_USERNAME") or "(twine will ask)"
    say(
        f"{'would upload' if dry_run else 'uploading'} {checked.distribution} {checked.version} (tag {checked.tag}, commit {checked.commit[:12]})"
    )
    say(f"  to {upload_url} as {user}; not there yet per {checked.index_url}")
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        say(f"  {path.name}  {path.stat().st_size:,} bytes  sha256 {digest}")
    if dry_run:
        return 0
    upload = subprocess.run(
        [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar", "--repository-url", upload_url]
        + [str(p) for p in files],
        check=False,
    )
    return upload.returncode


def add_publish_command(commands: Any) -> None:
    """The `publish` subcommand's arguments."""
    sub = commands.add_parser(
        "publish",
        help="check that HEAD is a clean, tagged, unpublished release, then build and upload it",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml with [tool.sdkgen]")
    sub.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="templates folder")
    sub.add_argument("--dist", type=Path, default=Path("dist"), help="where the sdist and the wheel are written (default: dist)")
    sub.add_argument("--repository-url", default=None, help="the upload URL (default: $TWINE_REPOSITORY_URL; there is no other default)")
    sub.add_argument("--index-url", default=None, help="the simple index that lists the uploads (default: derived from the upload URL)")
    sub.add_argument("--dry-run", action="store_true", help="check, build and twine-check, print the plan, upload nothing")


def publish_command(args: argparse.Namespace, *, quiet: bool = False) -> int:
    upload_url = args.repository_url or os.environ.get("TWINE_REPOSITORY_URL")
    if not upload_url:
        raise SdkgenError("set TWINE_REPOSITORY_URL (and TWINE_USERNAME, TWINE_PASSWORD) to the package index to upload to")
    say = (lambda *_: None) if quiet else print
    return publish(
        args.config, args.templates, dist=args.dist, upload_url=upload_url, index_url=args.index_url, dry_run=args.dry_run, say=say
    )
