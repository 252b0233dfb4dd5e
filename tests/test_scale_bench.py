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


def test_a_chain_of_thousands_of_schemas_each_referring_to_the_next_generates(tmp_path: Path) -> None:
    # The schema walk defines a referenced schema before the one referring to it is done: four
    # frames per link. 3,200 links passed Python's old limit of 12,000 frames (a RecursionError
    # traceback, issue 17); the 16k-operation spec of `make bench-scale --chain` has one this long.
    spec = synthetic_spec(5)
    schemas = spec["components"]["schemas"]
    links = 3200
    for index in range(links):
        following = {"$ref": f"#/components/schemas/Link{index + 1}"} if index + 1 < links else {"type": "string"}
        schemas[f"Link{index}"] = {"type": "object", "properties": {"next": following}}
    schemas["Resource0"]["properties"]["parent"] = {"$ref": "#/components/schemas/Link0"}
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(spec))
    generate(from_arguments(package="chain_sdk", output=tmp_path / "out", openapi=[str(path)], openrpc=[], overlays=[], version="1"))
    surface = json.loads((tmp_path / "out" / "chain_sdk" / "api.json").read_text())
    assert {f"Link{index}" for index in range(links)} <= {name for api in surface["apis"].values() for name in api["models"]}
