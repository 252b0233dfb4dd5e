"""The IR owns the types: one type mapper for parameters, results and fields, and models rendered from the IR."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from generator.config import from_arguments
from generator.errors import Diagnostics
from generator.ir import Api, Model
from generator.ir_builder.sdk import build_sdk
from generator.pipeline import generate

SCHEMAS: dict[str, Any] = {
    "Role": {"type": "integer", "oneOf": [{"title": "ROLE", "const": 0}, {"title": "MEMBER", "const": 1, "description": "A member."}]},
    "Amount": {"type": "string", "format": "decimal"},
    "Holder": {
        "type": "object",
        "required": ["int"],
        "properties": {
            "int": {"type": "integer"},  # a field named like the type of another field
            "count": {"type": "integer"},
            "Field": {"type": "string"},  # a field named `Field` beside one that needs pydantic's `Field`
            "from": {"type": "string"},
            "price": {"type": "string", "format": "decimal"},
            "at": {"type": "string", "format": "date-time"},
            "old": {"type": "string", "deprecated": True},
            "modes": {"type": "array", "items": {"type": "string", "enum": ["text", "audio"], "default": ["text", "audio"]}},
        },
    },
    "Tree": {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Tree"}]}},
    "Errors": {"anyOf": [{"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Errors"}}, {"type": "string"}]},
    "Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}}},
    "Dog": {"type": "object", "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}}},
    "Pet": {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}},
    },
    "Open": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
}


def _spec(tmp_path: Path) -> Path:
    def response(name: str) -> dict[str, Any]:
        return {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}}

    paths = {
        f"/{name.lower()}": {
            "post": {
                "operationId": f"post{name}",
                "tags": ["things"],
                "parameters": [{"name": "amount", "in": "query", "schema": {"$ref": "#/components/schemas/Amount"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}}},
                "responses": response(name),
            }
        }
        for name in ("Holder", "Role", "Tree", "Errors", "Pet", "Open")
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Types", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
    path = tmp_path / "types.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, list[str], ModuleType]]:
    folder = tmp_path_factory.mktemp("types")
    config = from_arguments(package="types_sdk", output=folder / "out", openapi=[str(_spec(folder))], openrpc=[], overlays=[], version="1")
    diagnostics = Diagnostics()
    (api,) = build_sdk(config, diagnostics).apis
    generate(config)
    sys.path.insert(0, str(folder / "out"))
    try:
        import types_sdk.models.types as models

        yield api, [f"{d.location}: {d.message}" for d in diagnostics.items], models
    finally:
        sys.path.remove(str(folder / "out"))
        for name in [m for m in sys.modules if m.split(".")[0] == "types_sdk"]:
            del sys.modules[name]


def model(api: Api, name: str) -> Model:
    return next(m for m in api.models if m.name == name)


def test_parameters_results_and_fields_read_one_type_tree(built: tuple[Api, list[str], ModuleType]) -> None:
    api, _, _ = built
    operation = next(op for group in api.groups for op in group.operations if op.name == "post_holder")
    amount = next(p for p in operation.params if p.wire_name == "amount")
    price = next(p for p in operation.params if p.wire_name == "price")
    field = next(f for f in model(api, "Holder").fields if f.wire_name == "price")
    # A decimal: the same node, spelled for a caller (`Decimal`) and for parsing (`DecimalString`, "" reads as None).
    # Optional parameters keep the spec's type (not nullable here); the signature adds `| NotGiven`.
    assert amount.annotation == "Amount" and amount.type.models == ("Amount",)
    assert (price.type.scalar, price.type.format, price.annotation) == ("string", "decimal", "Decimal")
    assert (field.type.scalar, field.type.format, field.type.annotation) == ("string", "decimal", "DecimalString | None")
    assert operation.result is not None and operation.result.kind == "model" and operation.result_annotation == "Holder"


def test_a_union_of_consts_is_an_open_enum_named_by_its_titles(built: tuple[Api, list[str], ModuleType]) -> None:
    api, _, models = built
    role = model(api, "Role")
    assert role.kind == "enum" and [(m.name, m.value, m.description) for m in role.members] == [("ROLE", 0, ""), ("MEMBER", 1, "A member.")]
    assert models.Role(1) is models.Role.MEMBER and not models.Role(7).is_known  # a value the spec does not list yet is kept


def test_fields_never_hide_the_names_their_class_uses(built: tuple[Api, list[str], ModuleType]) -> None:
    api, _, models = built
    names = {f.wire_name: f.name for f in model(api, "Holder").fields}
    assert names["int"] == "int_" and names["Field"] == "Field_" and names["from"] == "from_"
    holder = models.Holder.model_validate({"int": 1, "count": 2, "Field": "f", "from": "x", "price": "", "at": "2024-01-02T03:04:05Z"})
    assert (holder.int_, holder.count, holder.Field_, holder.from_, holder.price) == (1, 2, "f", "x", None)


def test_a_deprecated_field_says_so(built: tuple[Api, list[str], ModuleType]) -> None:
    api, _, models = built
    assert next(f for f in model(api, "Holder").fields if f.wire_name == "old").deprecated
    assert models.Holder.model_fields["old"].deprecated


def test_recursive_root_models_resolve(built: tuple[Api, list[str], ModuleType]) -> None:
    _, _, models = built
    assert models.Tree.model_validate({"a": {"b": "leaf"}}).root["a"].root["b"] == "leaf"
    assert models.Errors.model_validate({"a": {"b": "x"}}).root["a"].root["b"].root == "x"


def test_a_discriminated_union_is_decided_by_its_tag(built: tuple[Api, list[str], ModuleType]) -> None:
    api, _, models = built
    assert model(api, "Pet").root is not None and model(api, "Pet").root.discriminator == "kind"  # type: ignore[union-attr]
    assert type(models.Pet.model_validate({"kind": "dog", "meows": True}).root).__name__ == "Dog"
    assert next(f for f in model(api, "Cat").fields if f.wire_name == "kind").type.annotation == "Literal['cat']"


def test_extra_fields_are_kept_as_sent_even_where_the_spec_types_them(built: tuple[Api, list[str], ModuleType]) -> None:
    """Deliberate difference from the engine (it validated them): a server adding a field never fails a response."""
    _, _, models = built
    assert models.Open.model_validate({"a": "x", "b": "not an integer"}).model_extra == {"b": "not an integer"}


def test_a_list_default_on_an_enum_value_gets_a_warning_that_says_what_is_wrong(built: tuple[Api, list[str], ModuleType]) -> None:
    _, warnings, _ = built
    (warning,) = [w for w in warnings if "/modes/items/default" in w]
    assert re.match(r".*types\.yaml:\d+: /components/schemas/Holder/properties/modes/items/default: ", warning)  # file, line, pointer
    assert "is a list, but this schema is one value of the enum ['text', 'audio']" in warning
    assert "is not one of" not in warning
