"""Golden output: generated/ and the fixture trees are exactly what the generator makes now."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.cli import main as sdkgen
from tests.conftest import ROOT
from tests.fixture_specs import FIXTURE_SPECS, arguments


def test_make_check_generated_passes() -> None:
    result = subprocess.run(["make", "-s", "check-generated"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize("package", sorted(FIXTURE_SPECS))
def test_fixture_spec_matches_its_golden_tree(package: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    code = sdkgen(arguments("check", package))
    assert code == 0, "stale golden tree; run `make update-fixtures` and review the diff\n" + capsys.readouterr().out[-4000:]


def test_check_reports_a_unified_diff_when_generated_code_was_edited(tmp_path: pytest.TempPathFactory) -> None:
    import shutil

    out = ROOT / "tests" / "fixtures" / "expected" / "widgets"
    copy = tmp_path / "widgets_out"  # type: ignore[operator]
    shutil.copytree(out, copy)
    target = copy / "widgets" / "_version.py"
    target.write_text(target.read_text().replace("0.1.0", "9.9.9"))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", *FIXTURE_SPECS["widgets"], "--output", str(copy), "--package", "widgets"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "--- a/widgets_out/widgets/_version.py" in result.stdout
    assert '-__version__ = "9.9.9"' in result.stdout and '+__version__ = "0.1.0"' in result.stdout


def test_regenerating_twice_changes_nothing(tmp_path: pytest.TempPathFactory) -> None:
    out = tmp_path / "out"  # type: ignore[operator]
    args = ["generate", *FIXTURE_SPECS["widgets"], "--output", str(out), "--package", "widgets"]
    assert sdkgen(args) == 0
    first = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert sdkgen(args) == 0
    second = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first == second
