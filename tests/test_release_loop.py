"""The loop a team runs, end to end in a clone: spec change → regenerate → diff → release → publish → install → call.

Every step is the make target a person types, in a temporary clone of the working tree (tests/clones.py),
against a real package index (pypiserver) and the local REST server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clones import git, make, temporary_clone
from tests.publishing import PASSWORD, USER, call_installed_sdk, fresh_venv, index_files, package_index, pip_install
from tests.servers import RestServer, TestKeys

SPEC = "specs/coinbase/advanced-trade-spec.yaml"
# get_accounts' `limit` (line 41 of the vendor spec) becomes required: one line, one breaking change.
BEFORE = "      - name: limit\n        description: The number of accounts to display per page."
CHANGE = ("        in: query\n        required: false\n", "        in: query\n        required: true\n")
PORTFOLIO = "4f0e7f3c-6c1e-4b1a-9d7e-2f5a1c9b8e7d"


def one_line_change(clone: Path) -> None:
    spec = clone / SPEC
    text = spec.read_text(encoding="utf-8")
    at = text.index(BEFORE)
    changed = text[:at] + text[at:].replace(*CHANGE, 1)
    assert sum(a != b for a, b in zip(text.splitlines(), changed.splitlines(), strict=True)) == 1
    spec.write_text(changed, encoding="utf-8")


@pytest.mark.timeout(900)  # about ten generations of the flagship: minutes on a loaded machine
def test_spec_change_to_installed_release(tmp_path: Path, rest_server: RestServer, keys: TestKeys) -> None:
    clone = temporary_clone(tmp_path / "sdk")
    git(clone, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")  # the release this clone starts from

    # 1. A one-line change to the vendor spec, regenerated: the summary names the one breaking change.
    one_line_change(clone)
    regenerated = make(clone, "regenerate")
    assert regenerated.returncode == 0, regenerated.stderr
    assert "API surface: 1 breaking; proposed bump: major (0.1.0 → 0.2.0)" in regenerated.stdout
    assert "BREAKING client.advanced_trade.accounts.get_accounts(limit): parameter is now required" in regenerated.stdout

    # 2. The review: `make diff` compares with the last release and reports only that change, without a make error.
    diff = make(clone, "diff")
    assert diff.returncode == 0, diff.stderr
    assert "make: ***" not in diff.stderr and "exit status 2: breaking changes" in diff.stderr
    assert diff.stdout.startswith("# API changes: v0.1.0 (")
    entries = [line for line in diff.stdout.splitlines() if line.startswith("- ")]
    assert entries == ["- `client.advanced_trade.accounts.get_accounts(limit)`: parameter is now required"]
    assert "**Proposed bump: major** (0.1.0 → 0.2.0" in diff.stdout

    with package_index(tmp_path) as index:
        upload = {"TWINE_REPOSITORY_URL": index, "TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD, "DIST": str(tmp_path / "dist")}

        # 3. Publishing refuses what is not a release: uncommitted, then committed but untagged.
        dirty = make(clone, "publish", env=upload)
        assert dirty.returncode != 0
        assert "refusing to publish coinbase-sdk 0.1.0" in dirty.stderr
        assert "the working tree has uncommitted changes (" in dirty.stderr and SPEC in dirty.stderr
        git(clone, "commit", "-q", "-am", "Advanced Trade: get_accounts needs a page size")
        untagged = make(clone, "publish", env=upload)
        assert untagged.returncode != 0 and "uncommitted" not in untagged.stderr
        assert re.search(r"the tag v0\.1\.0 is on [0-9a-f]{12}, not on HEAD", untagged.stderr), untagged.stderr
        assert index_files(index, "coinbase-sdk") == ""

        # 4. The release: a commit, a tag, a CHANGELOG entry with only that change.
        released = make(clone, "release", timeout=900)
        assert released.returncode == 0, released.stderr
        assert "released 0.1.0 → 0.2.0" in released.stdout and "tagged v0.2.0" in released.stdout
        assert git(clone, "tag", "--points-at", "HEAD").split() == ["v0.2.0"]
        assert git(clone, "status", "--porcelain") == ""
        changelog = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
        entry = changelog.split("\n## ")[1]
        assert entry.startswith("0.2.0 (") and "Compared with v0.1.0" in entry
        assert [line for line in entry.splitlines() if line.startswith("- ")] == [
            "- `client.advanced_trade.accounts.get_accounts(limit)`: parameter is now required"
        ]

        # 5. Publish: accepted, it says what goes where; then refused as already published. (The release edited
        # pyproject.toml; the virtualenv is not reinstalled for it: `make()` checks.)
        published = make(clone, "publish", env=upload)
        assert published.returncode == 0, published.stdout + published.stderr
        assert f"uploading coinbase-sdk 0.2.0 (tag v0.2.0, commit {git(clone, 'rev-parse', 'HEAD')[:12]})" in published.stdout
        assert f"to {index} as {USER}" in published.stdout
        assert re.search(r"coinbase_sdk-0\.2\.0-py3-none-any\.whl  [\d,]+ bytes  sha256 [0-9a-f]{64}", published.stdout)
        assert "coinbase_sdk-0.2.0.tar.gz" in index_files(index, "coinbase-sdk")
        again = make(clone, "publish", env=upload)
        assert again.returncode != 0
        assert "coinbase-sdk 0.2.0 is already on" in again.stderr

        # 6. Installed from that index alone, into a fresh virtualenv, it calls the local server.
        python, site_packages = fresh_venv(tmp_path / "fresh")
        installed = pip_install(python, index, "coinbase-sdk==0.2.0")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        result = call_installed_sdk(python, rest_server.url, keys.cdp_api_key_file, PORTFOLIO, cwd=tmp_path)
    assert result == {"file": result["file"], "version": "0.2.0", "portfolio": PORTFOLIO}
    assert result["file"].startswith(site_packages)
    assert rest_server.requests[-1].auth_error is None
