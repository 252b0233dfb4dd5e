"""The committed SDK is ruff-clean, mypy --strict clean, imports lazily and exports what it says."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT
from tests.typecheck import mypy

GENERATED = ROOT / "generated"
BIN = ROOT / ".venv" / "bin"


def test_generated_package_is_ruff_clean() -> None:
    lint = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=GENERATED, capture_output=True, text=True, check=False)
    fmt = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "--no-cache", "."], cwd=GENERATED, capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout
    assert fmt.returncode == 0, fmt.stdout


def test_generated_package_is_mypy_strict_clean() -> None:
    result = mypy(["--strict", "coinbase_sdk"], cwd=GENERATED)
    assert result.returncode == 0, result.stdout[-4000:]


def test_import_does_not_load_models_or_groups() -> None:
    code = "import sys, coinbase_sdk; print(sorted(m for m in sys.modules if m.startswith('coinbase_sdk.')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=GENERATED, capture_output=True, text=True, check=True)
    loaded = eval(result.stdout)  # noqa: S307 - our own printed list
    assert not [m for m in loaded if m.startswith(("coinbase_sdk.models", "coinbase_sdk.advanced_trade", "coinbase_sdk.derivatives"))]


def test_all_is_complete_and_sorted() -> None:
    import coinbase_sdk

    public = {n for n in dir(coinbase_sdk) if not n.startswith("_") or n == "__version__"}
    public -= {"annotations"}
    assert sorted(coinbase_sdk.__all__) == coinbase_sdk.__all__
    assert set(coinbase_sdk.__all__) == {n for n in public if not isinstance(getattr(coinbase_sdk, n), type(sys))}


LINTED = ("generator", "tests", "bench", "tools", "templates/runtime", "plugins")  # what `make lint` checks


def test_generator_itself_is_ruff_and_mypy_clean() -> None:
    lint = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", *LINTED], cwd=ROOT, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "--no-cache", *LINTED], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert fmt.returncode == 0, fmt.stdout
    types = mypy([], cwd=ROOT)
    assert types.returncode == 0, types.stdout[-4000:]
