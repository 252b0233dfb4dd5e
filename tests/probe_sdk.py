"""The probe spec's SDK (tests/fixtures/specs/probe/probe.yaml), generated once per test session and imported."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES

PROBE_SPEC = FIXTURES / "specs" / "probe" / "probe.yaml"
PACKAGE = "probe_sdk"


def probe_sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Generate (once) and import the probe SDK."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    output: Path = tmp_path_factory.mktemp("probe")
    generate(from_arguments(package=PACKAGE, output=output, openapi=[str(PROBE_SPEC)], openrpc=[], overlays=[], version="0.1.0"))
    sys.path.insert(0, str(output))
    import probe_sdk as module

    return module
