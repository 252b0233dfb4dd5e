"""Incremental regeneration: after an edit, only the files that changed are formatted, and the output is a cold run's."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import from_arguments
from generator.pipeline import generate
from generator.write import tree_files
from tests.conftest import ROOT

SPEC = ROOT / "specs" / "coinbase" / "advanced-trade-spec.yaml"
CANDLE = "coinbase.public_api.authed.retail_brokerage_api.Candle"


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def describe_candle(document: dict[str, Any]) -> None:
    _schemas(document)[CANDLE]["properties"]["low"]["description"] = "Lowest price (edited)."


def add_a_property(document: dict[str, Any]) -> None:
    _schemas(document)[CANDLE]["properties"]["vwap"] = {"type": "string", "description": "Volume-weighted average price."}


def describe_and_add_a_property(document: dict[str, Any]) -> None:
    describe_candle(document)
    add_a_property(document)


def add_a_schema_and_use_it(document: dict[str, Any]) -> None:
    _schemas(document)["CandleSource"] = {"type": "object", "properties": {"venue": {"type": "string"}}}
    _schemas(document)[CANDLE]["properties"]["source"] = {"$ref": "#/components/schemas/CandleSource"}


EDITS: list[tuple[str, Callable[[dict[str, Any]], None], int]] = [
    # (what, the edit, at most how many models modules it may change)
    ("a description and a property", describe_and_add_a_property, 1),
    ("a new schema, used by one", add_a_schema_and_use_it, 2),
]


def _generate(spec: dict[str, Any], folder: Path, output: Path) -> Any:
    path = folder / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    config = from_arguments(package="trade", output=output, openapi=[f"trade={path}"], openrpc=[], overlays=[], version="1")
    return generate(config)


def test_a_sequence_of_edits_formats_only_what_changed_and_matches_a_cold_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    first = _generate(original, tmp_path, tmp_path / "incremental").work
    assert first.models_formatted == first.models_modules > 5 and first.files_formatted == first.files  # cold: everything
    spec = copy.deepcopy(original)
    for number, (what, edit, at_most) in enumerate(EDITS):
        edit(spec)
        work = _generate(spec, tmp_path, tmp_path / "incremental").work
        monkeypatch.setenv("SDKGEN_CACHE_DIR", "off")
        _generate(spec, tmp_path, tmp_path / f"cold{number}")
        monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
        assert tree_files(tmp_path / "incremental") == tree_files(tmp_path / f"cold{number}"), what
        assert 1 <= work.models_formatted <= at_most, (what, work)
        assert work.files_formatted <= at_most + 1, (what, work)  # its models modules, and the facade when a model is added
    back = _generate(original, tmp_path, tmp_path / "incremental").work
    assert back.files_formatted == 0  # every file of the original is in the cache
