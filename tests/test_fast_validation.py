"""OpenRPC's meta-schema check: jsonschema-rs confirms a valid document, jsonschema words every error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.load.validate import fast_openrpc_validator, openrpc_validator
from tests.conftest import ROOT


def _openrpc_documents() -> list[Path]:
    found = []
    for folder in (ROOT / "specs", ROOT / "tests" / "fixtures"):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".json", ".yaml", ".yml") or not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if '"openrpc"' in text or "openrpc:" in text:
                found.append(path)
    return found


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("path", _openrpc_documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_jsonschema_rs_never_accepts_a_document_jsonschema_refuses(path: Path) -> None:
    data = _load(path)
    if not isinstance(data, dict) or "openrpc" not in data:
        pytest.skip("not an OpenRPC document")
    series = "1.4" if str(data["openrpc"]).startswith("1.4") else "1.3"
    accepted = not any(True for _ in openrpc_validator(series).iter_errors(data))
    assert fast_openrpc_validator(series).is_valid(data) == accepted


def test_an_invalid_document_is_refused_by_both_and_worded_by_jsonschema() -> None:
    from generator.load.documents import SourceDocument
    from generator.load.validate import openrpc_check

    data = {"openrpc": "1.3.2", "info": {"title": "t", "version": "1"}, "methods": [{"name": "m", "params": "not a list"}]}
    assert not fast_openrpc_validator("1.3").is_valid(data)
    check = openrpc_check(SourceDocument(Path("bad.json"), json.dumps(data), data, "bad.json"))
    assert check.now.error is not None
    pointer, message, _hint = check.now.error
    assert pointer == "/methods/0/params" and message.startswith("invalid OpenRPC: ")
