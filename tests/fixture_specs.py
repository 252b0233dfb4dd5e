"""Fixture specs with committed expected output (golden trees under tests/fixtures/expected/).

Regenerate the trees after an intended change with `make update-fixtures`
(= `.venv/bin/python -m tests.fixture_specs`), then review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.cli import main as sdkgen

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path("tests/fixtures/expected")

FIXTURE_SPECS: dict[str, list[str]] = {
    # The seed's OpenAPI 3.0.0 excerpt (google.protobuf.Any, allOf wrapper, no operation tags beyond one).
    "seed_sdk": ["--openapi", "tests/fixtures/specs/seed_intx_balances.yaml"],
    # Two files: relative-file $refs, a recursive schema, keyword names, inline objects and enums.
    "widgets": ["--openapi", "tests/fixtures/specs/multifile/openapi.yaml"],
}


def arguments(command: str, package: str) -> list[str]:
    """The sdkgen command line for one fixture (run from the repository root)."""
    return [command, *FIXTURE_SPECS[package], "--output", str(EXPECTED / package), "--package", package]


def update() -> int:
    for package in FIXTURE_SPECS:
        code = sdkgen(arguments("generate", package))
        if code:
            return code
    return 0


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    sys.exit(update())
