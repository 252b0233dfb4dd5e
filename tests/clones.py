"""A temporary clone of the working tree, for tests that run make targets, git and CI steps in a repository of their own.

The clone holds the files of the working tree as they are now (tracked and new, not ignored), so
uncommitted work is tested too, committed once on a fresh `main`. It borrows the development
virtualenv: `.venv/` links to the real one's parts, with its own install stamps dated after every
file of the clone, so `make` targets in the clone use the tools (and the generator) of this
working tree and never reinstall anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.conftest import ROOT

IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Bot",
    "GIT_AUTHOR_EMAIL": "release-bot@example.invalid",
    "GIT_COMMITTER_NAME": "Release Bot",
    "GIT_COMMITTER_EMAIL": "release-bot@example.invalid",
}
_VENV_STAMPS = (".install-inputs", ".installed")  # in the order of the Makefile's rules


def clone_env(**extra: str) -> dict[str, str]:
    """The environment for commands in a clone: ours without twine's variables or git's location overrides, plus an identity.

    `PIP_DRY_RUN`: should a make target in the clone decide to reinstall the borrowed virtualenv,
    pip changes nothing in the real one (and `make()` fails the test).
    """
    dropped = ("TWINE_", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    base = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return {**base, **IDENTITY, "PIP_DRY_RUN": "1", **extra}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=clone_env(), check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def working_tree_files() -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})


def _borrow_venv(clone: Path) -> None:
    venv = clone / ".venv"
    venv.mkdir()
    for entry in (ROOT / ".venv").iterdir():
        if entry.name not in _VENV_STAMPS:
            (venv / entry.name).symlink_to(entry)
    now = time.time()
    for age, stamp in enumerate(reversed(_VENV_STAMPS)):  # newer than every file of the clone, each newer than what it depends on
        source = ROOT / ".venv" / stamp
        (venv / stamp).write_bytes(source.read_bytes() if source.is_file() else b"")
        os.utime(venv / stamp, (now - age, now - age))  # not in the future: make would warn


def temporary_clone(destination: Path) -> Path:
    """A repository at `destination` with the working tree's files in one commit on `main`, and the borrowed virtualenv."""
    for name in working_tree_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git(destination, "init", "-q", "-b", "main")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "The SDK repository (a clone of the working tree)")
    _borrow_venv(destination)
    return destination


def make(clone: Path, *targets: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`make TARGET...` in the clone, with `env` added to the clone environment."""
    done = subprocess.run(
        ["make", "--no-print-directory", *targets], cwd=clone, env=clone_env(**(env or {})), capture_output=True, text=True, timeout=timeout
    )
    assert "pip install" not in done.stdout, "a make target in the clone tried to reinstall the borrowed virtualenv"
    return done
