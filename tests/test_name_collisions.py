"""Two spec names that read the same in Python get distinct method names, with a warning; nothing is dropped."""

from __future__ import annotations

from pathlib import Path

from generator.config import from_arguments
from generator.errors import Diagnostics
from generator.ir_builder.module_names import MODELS_MODULE_IMPORTS, RESERVED_CLASS_NAMES
from generator.ir_builder.sdk import build_sdk
from generator.pipeline import generate
from tests.conftest import FIXTURES


def build(spec: Path) -> tuple[dict[str, str], Diagnostics]:
    diagnostics = Diagnostics()
    config = from_arguments(package="pkg", output=Path("unused"), openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
    sdk = build_sdk(config, diagnostics)
    names = {op.path: op.name for api in sdk.apis for group in api.groups for op in group.operations}
    return names, diagnostics


def test_operation_ids_that_read_alike_are_told_apart_by_path() -> None:
    names, diagnostics = build(FIXTURES / "specs" / "colliding_names.yaml")
    assert names == {"/a": "get_thing", "/b": "get_thing_b"}
    (warning,) = [d for d in diagnostics.items if "renamed apart" in d.kind]
    assert warning.location.pointer == "/paths/~1b/get"
    assert "get_thing_b()" in warning.message and "get_thing() is the one at" in warning.message


def test_a_path_parameter_tells_apart_as_by_name(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /prefs:\n    get:\n      operationId: getPrefs\n      tags: [p]\n      responses: {'200': {description: ok}}\n"
        "  /prefs/{type}:\n    get:\n      operationId: get-prefs\n      tags: [p]\n"
        "      parameters: [{name: type, in: path, required: true, schema: {type: string}}]\n"
        "      responses: {'200': {description: ok}}\n",
        encoding="utf-8",
    )
    names, _ = build(spec)
    assert names == {"/prefs": "get_prefs", "/prefs/{type}": "get_prefs_by_type"}


def test_models_never_shadow_what_a_resource_module_imports_or_defines(tmp_path: Path) -> None:
    config = from_arguments(
        package="shadow_sdk",
        output=tmp_path,
        openapi=[str(FIXTURES / "specs" / "import_shadowing_names.yaml")],
        openrpc=[],
        overlays=[],
        version="0.1.0",
    )
    generate(config)  # runs ruff: a shadowed import (F811) fails the generation
    source = (tmp_path / "shadow_sdk" / "shadow" / "things.py").read_text(encoding="utf-8")
    # Runtime classes are imported under private names, so a schema may be called `RestApi`;
    # what the signatures show (`Mapping`, `Timeout`) stays public and reserved.
    assert "from .._base_client import RestApi as _RestApi\n" in source
    for model in ("MappingModel", "RestApi", "ThingsWithRawResponse", "TimeoutModel"):
        assert f"    {model},\n" in source
    assert "class ThingsResource:" in source and "class ThingsResourceWithRawResponse:" in source


def test_every_name_a_models_module_imports_is_reserved_for_models(tmp_path: Path) -> None:
    # The reserved class names come from `module_names.MODELS_MODULE_IMPORTS`; a type the mapper
    # imports but that list lacks would let a schema of that name shadow it.
    spec = tmp_path / "types.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a:\n    get:\n      operationId: getA\n      tags: [a]\n"
        "      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/All'}}}}}\n"
        "components:\n  schemas:\n"
        "    Cat: {type: object, required: [kind], properties: {kind: {const: cat}}}\n"
        "    Dog: {type: object, required: [kind], properties: {kind: {const: dog}}}\n"
        "    Pet: {oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}],"
        " discriminator: {propertyName: kind}}\n"
        "    Level: {type: integer, enum: [1, 2]}\n"
        "    Mixed: {enum: [1, a, true]}\n"
        "    All:\n      type: object\n      properties:\n"
        "        at: {type: string, format: date-time}\n        day: {type: string, format: date}\n"
        "        price: {type: string, format: decimal}\n        size: {type: number, format: decimal}\n"
        "        side: {type: string, enum: [buy, sell]}\n        level: {$ref: '#/components/schemas/Level'}\n"
        "        mixed: {$ref: '#/components/schemas/Mixed'}\n        pet: {$ref: '#/components/schemas/Pet'}\n"
        "        anything: {}\n        tags: {type: object, additionalProperties: {type: [string, 'null']}}\n"
        "        the-name: {type: string, deprecated: true}\n",
        encoding="utf-8",
    )
    config = from_arguments(package="pkg", output=Path("unused"), openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
    sdk = build_sdk(config, Diagnostics())
    imported = {item.split(":", 1)[1] for api in sdk.apis for model in api.models for item in model.imports}
    assert {"AwareDatetime", "date", "DecimalString", "JsonNumber", "SDKEnum", "SDKIntEnum", "RootModel", "Field"} <= imported
    assert imported <= MODELS_MODULE_IMPORTS
    assert imported <= RESERVED_CLASS_NAMES
