"""`make publish` uploads a release and nothing else: each guard, in a temporary clone, against a real index.

The index is pypiserver with an htpasswd file on 127.0.0.1 (tests/publishing.py), so an upload only
works with the credentials twine is given. The whole loop, through installing and calling the
published package, is tests/test_release_loop.py.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.publish import simple_index_of
from tests.clones import git, make, temporary_clone
from tests.conftest import ROOT
from tests.publishing import PASSWORD, USER, index_files, package_index

VERSION = "0.1.0"  # the clone's version: [tool.sdkgen] version, with its CHANGELOG entry


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with package_index(tmp_path_factory.mktemp("index")) as url:
        yield url


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A clone whose HEAD is the release v0.1.0: clean, tagged, with its CHANGELOG entry."""
    clone = temporary_clone(tmp_path / "sdk")
    git(clone, "tag", "-a", f"v{VERSION}", "-m", f"Release {VERSION}")
    return clone


def publish(clone: Path, index: str, *extra: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {"TWINE_REPOSITORY_URL": index, "TWINE_USERNAME": USER, "TWINE_PASSWORD": password, "DIST": str(clone.parent / "dist")}
    return make(clone, "publish", *extra, env=env)


def test_publish_refuses_to_guess_an_index(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    done = subprocess.run(
        ["make", "--no-print-directory", "publish", f"DIST={tmp_path / 'dist'}"], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "set TWINE_REPOSITORY_URL" in done.stderr
    assert not (tmp_path / "dist").exists()


def test_every_problem_is_listed_at_once(release: Path, index: str) -> None:
    """Untagged, uncommitted, a stale output, no CHANGELOG entry: one refusal that names each, and nothing built."""
    readme = release / "generated" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    changelog = release / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(f"## {VERSION} (", "## Earlier ("), encoding="utf-8")
    git(release, "commit", "-q", "-am", "a hand edit, and the CHANGELOG without the entry")  # HEAD moves off the tag
    (release / "notes.txt").write_text("not committed\n", encoding="utf-8")
    done = publish(release, index)
    assert done.returncode != 0
    assert done.stderr.startswith(f"error: refusing to publish coinbase-sdk {VERSION} to {index}:\n")
    problems = [line[4:] for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 4, done.stderr
    assert problems[0].startswith("the working tree has uncommitted changes (notes.txt)")
    assert re.match(rf"the tag v{re.escape(VERSION)} is on [0-9a-f]{{12}}, not on HEAD", problems[1])
    assert problems[2].startswith("generated/ is stale (it is not what the generator makes from the specs)")
    assert problems[3].startswith(f"CHANGELOG.md has no entry for {VERSION}")
    assert not (release.parent / "dist").exists()


def test_wrong_credentials_are_refused_by_the_index(release: Path, index: str) -> None:
    done = publish(release, index, password="wrong")
    assert done.returncode != 0
    assert "403" in done.stdout + done.stderr or "401" in done.stdout + done.stderr
    assert index_files(index, "coinbase-sdk") == ""


def test_a_dry_run_says_what_it_would_upload_and_uploads_nothing(release: Path, index: str) -> None:
    done = publish(release, index, "DRY_RUN=1")
    assert done.returncode == 0, done.stderr
    assert "PASSED" in done.stdout  # twine check --strict, on the sdist and the wheel
    assert f"would upload coinbase-sdk {VERSION} (tag v{VERSION}, commit " in done.stdout
    assert f"coinbase_sdk-{VERSION}-py3-none-any.whl" in done.stdout and f"coinbase_sdk-{VERSION}.tar.gz" in done.stdout
    assert sorted(p.name for p in (release.parent / "dist").iterdir()) == [
        f"coinbase_sdk-{VERSION}-py3-none-any.whl",
        f"coinbase_sdk-{VERSION}.tar.gz",
    ]
    assert index_files(index, "coinbase-sdk") == ""


@pytest.mark.parametrize(
    ("upload", "simple"),
    [
        ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/simple/"),
        ("https://pypi.example.internal/repo/", "https://pypi.example.internal/repo/simple/"),
    ],
)
def test_the_index_checked_is_the_one_uploaded_to(upload: str, simple: str) -> None:
    assert simple_index_of(upload) == simple
