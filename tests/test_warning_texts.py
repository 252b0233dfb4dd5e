"""Every warning kind, on a spec that gives it: its text, its line, its JSON pointer from the document root.

The table is tests/fixtures/warnings/cases.yaml. A warning a person cannot act on (line 1, a pointer
relative to an unnamed schema, a text that contradicts itself, the same fact twice) fails here.
The owners of the warnings word them; this test holds them to what they say.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import ApiSource, from_arguments
from generator.errors import Diagnostics, Location
from generator.ir_builder.sdk import build_sdk
from generator.load.asyncapi import load_asyncapi, select_channels
from tests.conftest import FIXTURES, ROOT

FOLDER = FIXTURES / "warnings"
CASES: dict[str, Any] = yaml.safe_load((FOLDER / "cases.yaml").read_text(encoding="utf-8"))


def expected(case: str) -> list[dict[str, Any]]:
    entry = CASES[case]
    warnings = entry["warnings"] if isinstance(entry, dict) else entry
    out = []
    for item in warnings:
        if isinstance(item, list):
            kind, line, pointer, text = item
            item = {"kind": kind, "line": line, "pointer": pointer, "text": text}
        out.append(item)
    return out


SUFFIXES = (".yaml", ".openrpc.yaml", ".asyncapi.yaml")


def spec_of(case: str) -> Path:
    found = [FOLDER / f"{case}{suffix}" for suffix in SUFFIXES if (FOLDER / f"{case}{suffix}").is_file()]
    assert len(found) == 1, f"{case}: no spec {case}.yaml, {case}.openrpc.yaml or {case}.asyncapi.yaml"
    return found[0]


def warnings_of(case: str) -> list[dict[str, Any]]:
    spec = spec_of(case)
    relative = spec.relative_to(ROOT)
    diagnostics = Diagnostics()
    if spec.name.endswith(".asyncapi.yaml") and isinstance(CASES[case], dict) and CASES[case].get("api"):
        # The channels of an OpenRPC API's WebSocket client (`asyncapi` of its [tool.sdkgen] entry).
        api_spec = (FOLDER / CASES[case]["api"]).relative_to(ROOT)
        config = from_arguments(
            package="pkg", output=FOLDER / "unused", openapi=[], openrpc=[f"api={api_spec}"], overlays=[], version="0.1.0"
        )
        config = dataclasses.replace(config, apis=(dataclasses.replace(config.apis[0], asyncapi=ROOT / relative),))
        build_sdk(config, diagnostics)
        return _listed(diagnostics)
    if spec.name.endswith(".asyncapi.yaml") and isinstance(CASES[case], dict) and CASES[case].get("only"):
        # A WebSocket-only API: the AsyncAPI document is the whole entry (`asyncapi` alone in [tool.sdkgen] apis).
        config = from_arguments(
            package="pkg", output=FOLDER / "unused", openapi=[], openrpc=[f"api={relative}"], overlays=[], version="0.1.0"
        )
        config = dataclasses.replace(config, apis=(ApiSource(name="api", kind="asyncapi", path=ROOT / relative),))
        build_sdk(config, diagnostics)
        return _listed(diagnostics)
    if spec.name.endswith(".asyncapi.yaml"):
        api = load_asyncapi(relative, diagnostics, root=ROOT)
        patterns = CASES[case].get("select") if isinstance(CASES[case], dict) else None
        if patterns:
            select_channels(api, patterns, diagnostics, where=Location(str(relative)))
        return _listed(diagnostics)
    overlay = FOLDER / f"{case}.overlay.yaml"
    kind = "openrpc" if spec.name.endswith(".openrpc.yaml") else "openapi"
    # `unnamed: true`: the API takes its name from the spec (the title), as without NAME= on the command line
    given = f"{relative}" if isinstance(CASES[case], dict) and CASES[case].get("unnamed") else f"api={relative}"
    config = from_arguments(
        package="pkg",
        output=FOLDER / "unused",  # nothing is written: the IR is built, validation joined
        openapi=[given] if kind == "openapi" else [],
        openrpc=[given] if kind == "openrpc" else [],
        overlays=[overlay.relative_to(ROOT)] if overlay.is_file() else [],
        version="0.1.0",
    )
    build_sdk(config, diagnostics)
    return _listed(diagnostics)


def _listed(diagnostics: Diagnostics) -> list[dict[str, Any]]:
    return [
        {"kind": d.kind, "line": d.location.line, "pointer": d.location.pointer, "text": d.message, "file": d.location.file}
        for d in diagnostics.sorted()
    ]


def params() -> list[Any]:
    marks = {case: entry.get("xfail") for case, entry in CASES.items() if isinstance(entry, dict)}
    return [
        pytest.param(case, marks=pytest.mark.xfail(reason=str(marks[case]), strict=True) if marks.get(case) else (), id=case)
        for case in sorted(CASES)
    ]


@pytest.mark.parametrize("case", params())
def test_warning_says_what_and_where(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # locations are shown relative to the working directory
    found = warnings_of(case)
    wanted = expected(case)
    assert [w["kind"] for w in found] == [w["kind"] for w in wanted], found
    for got, want in zip(found, wanted, strict=True):
        assert got["file"].endswith(tuple(f"{case}{suffix}" for suffix in (*SUFFIXES, ".overlay.yaml"))), got
        assert (got["line"], got["pointer"]) == (want["line"], want["pointer"]), got
        if "text" in want:
            assert got["text"] == want["text"]
        else:
            assert re.search(want["like"], got["text"]), got["text"]


def _kinds_in_source() -> tuple[set[str], list[str]]:
    """Literal kinds of `.warn(..., kind=...)` calls in the generator, and patterns of f-string kinds."""
    literal: set[str] = set()
    patterns: list[str] = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "warn"):
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert kind is not None, f"{where}: a warning without a `kind` (a stable name that groups its repeats)"
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                literal.add(kind.value)
            elif isinstance(kind, ast.JoinedStr):
                patterns.append(
                    "".join(re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+" for v in kind.values) + f"  ({where})"
                )
    return literal, patterns


def test_every_warning_kind_has_a_case() -> None:
    covered = {w["kind"] for case in CASES for w in expected(case)}
    literal, patterns = _kinds_in_source()
    assert sorted(literal - covered) == [], "warning kinds without a case in tests/fixtures/warnings/cases.yaml"
    for pattern in patterns:
        regex = pattern.split("  (")[0]
        assert any(re.fullmatch(regex, kind) for kind in covered), f"no case gives a warning of the kind {pattern}"
