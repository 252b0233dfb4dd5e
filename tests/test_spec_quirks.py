"""Quirks of real specs (from the APIs.guru sample) that generate with a warning instead of failing."""

from __future__ import annotations

from pathlib import Path

from generator.config import from_arguments
from generator.errors import Diagnostics
from generator.ir_builder.sdk import build_sdk
from generator.pipeline import generate

HEAD = "openapi: 3.0.0\ninfo: {title: Quirks, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n"


def build(tmp_path: Path, paths: str) -> tuple[dict[str, object], list[str]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + paths, encoding="utf-8")
    diagnostics = Diagnostics()
    config = from_arguments(package="quirks", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
    sdk = build_sdk(config, diagnostics)
    generate(config)  # and the package is written
    operations = {op.name: op for api in sdk.apis for group in api.groups for op in group.operations}
    return operations, [d.message for d in diagnostics.items]


def test_a_request_body_with_no_media_types_sends_no_body(tmp_path: Path) -> None:
    operations, warnings = build(
        tmp_path,
        "  /subscribe:\n    post:\n      operationId: subscribe\n      requestBody: {content: {}, required: false}\n      responses: {'204': {description: ok}}\n",
    )
    assert operations["subscribe"].body_kind == "none"  # type: ignore[attr-defined]
    assert warnings == ["a request body with no media types: the call sends no body"]


def test_an_enum_on_an_array_schema_is_ignored_with_a_warning(tmp_path: Path) -> None:
    operations, warnings = build(
        tmp_path,
        "  /history:\n    get:\n      operationId: getHistory\n      parameters:\n"
        "        - {name: types, in: query, schema: {type: array, items: {type: string}, enum: [CREATED, DESTROYED]}}\n"
        "      responses: {'204': {description: ok}}\n",
    )
    (param,) = operations["get_history"].params  # type: ignore[attr-defined]
    assert param.annotation == "list[str]"
    assert warnings == ["`enum` on a schema of type 'array' (ignored: put it on the items)"]


def test_a_schema_with_both_an_enum_and_properties_generates(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD + "  /x:\n    get:\n      operationId: getX\n"
        "      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Odd'}}}}}\n"
        "components:\n  schemas:\n    Odd: {enum: [a, b], properties: {p: {type: string}}}\n",
        encoding="utf-8",
    )
    config = from_arguments(package="quirks", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
    generate(config)  # the engine decides what it is; before, the kind check refused it as an internal error
    assert (tmp_path / "out" / "quirks" / "models" / "quirks" / "__init__.py").is_file()
