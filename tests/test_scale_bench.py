"""The synthetic specs of `make bench-scale` (bench/scale.py) are what the bench says they are."""

from __future__ import annotations

import json
from pathlib import Path

from bench.corpus import missing_operations, spec_endpoints
from bench.scale import synthetic_spec
from generator.config import from_arguments
from generator.pipeline import generate


def test_a_synthetic_spec_has_exactly_the_operations_asked_for_and_generates_them_all(tmp_path: Path) -> None:
    for count in (1, 5, 12, 1000):
        assert len(spec_endpoints(synthetic_spec(count))) == count
    spec = tmp_path / "scale.json"
    spec.write_text(json.dumps(synthetic_spec(12)))
    generate(from_arguments(package="scale_sdk", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="1"))
    surface = json.loads((tmp_path / "out" / "scale_sdk" / "api.json").read_text())
    assert missing_operations(synthetic_spec(12), surface) == []
