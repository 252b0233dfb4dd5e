"""Regression tests for what the spec fuzzer found, on one small hand-written spec
(tests/fixtures/specs/hostile/): keyword and ambiguous names, integer enums, empty names and
descriptions, path templates that are not plain names, an error table without a non-retryable
error, and `$ref` cycles."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import from_arguments
from generator.ir_builder.naming import class_name, python_name
from generator.pipeline import generate
from generator.render.filters import docline, docstring
from tests.conftest import FIXTURES
from tests.test_fuzz_specs import check_package, import_package

HOSTILE = FIXTURES / "specs" / "hostile"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    output = tmp_path_factory.mktemp("hostile") / "out"
    config = from_arguments(
        package="hostile_pkg",
        output=output,
        openapi=[str(HOSTILE / "openapi.yaml")],
        openrpc=[str(HOSTILE / "openrpc.yaml")],
        overlays=[],
        version="0.1.0",
    )
    generate(config)
    check_package(output, "hostile_pkg")
    import_package(output, "hostile_pkg")  # imports everything, resolves every model, then unloads
    sys.path.insert(0, str(output))
    try:
        import hostile_pkg.models.hostile as models

        yield output, models
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "hostile_pkg"]:
            del sys.modules[name]


@pytest.mark.parametrize(("spec_name", "expected"), [("None", "NoneModel"), ("True", "TrueModel"), ("O", "OModel"), ("I", "IModel")])
def test_class_names_are_never_keywords_or_ambiguous(spec_name: str, expected: str) -> None:
    assert class_name(spec_name) == expected


@pytest.mark.parametrize(("spec_name", "expected"), [("l", "l_"), ("O", "o"), ("class", "class_"), ("match", "match_")])
def test_member_names_are_never_keywords_or_ambiguous(spec_name: str, expected: str) -> None:
    assert python_name(spec_name, fallback="x") == expected


def test_the_hostile_spec_generates_a_clean_package(package: tuple[Path, ModuleType]) -> None:
    output, models = package
    assert {"NoneModel", "IModel", "Level"} <= set(dir(models))  # the lazy facade lists every model
    group = (output / "hostile_pkg" / "hostile" / "o.py").read_text()
    assert "class OModel:" in group and "def l_(" in group


def test_members_never_replace_the_decorators_or_imports_of_their_modules(package: tuple[Path, ModuleType]) -> None:
    output, _ = package
    api = (output / "hostile_pkg" / "hostile" / "__init__.py").read_text()
    # The modules import their decorators privately (`_cached_property`, `_deprecated`), so a group or
    # an operation may keep the name `cached_property` or `deprecated` without replacing them.
    assert "def cached_property(self)" in api and "@_cached_property" in api
    group = (output / "hostile_pkg" / "hostile" / "cached_property.py").read_text()
    assert "def deprecated(" in group and "@_deprecated(" in group
    assert "class MappingResource:" in (output / "hostile_pkg" / "hostile" / "mapping.py").read_text()


def test_a_schema_nested_to_the_document_limit_generates(tmp_path: Path) -> None:
    """97 nested objects are 196 levels of JSON, just under `MAX_DEPTH`: the validators and the models
    engine need more than Python's default recursion limit for them."""
    schema: dict[str, object] = {"type": "string"}
    for _ in range(97):
        schema = {"type": "object", "properties": {"inner": schema}}
    response = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deep"}}}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Deep", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": response}}}},
        "components": {"schemas": {"Deep": schema}},
    }
    (tmp_path / "deep.json").write_text(json.dumps(spec))
    config = from_arguments(
        package="deep", output=tmp_path / "out", openapi=[str(tmp_path / "deep.json")], openrpc=[], overlays=[], version="1"
    )
    generate(config)
    models = tmp_path / "out" / "deep" / "models" / "deep"
    assert "class Deep(" in "".join(p.read_text() for p in models.glob("*.py"))


def test_an_allof_member_that_reaches_itself_through_items_is_validated_without_hanging(tmp_path: Path) -> None:
    """openapi-spec-validator's semantic pass recursed until the stack ran out (20 s at sdkgen's
    recursion limit) on this valid document: sdkgen runs only its schema check there."""
    started = time.monotonic()
    config = from_arguments(
        package="trees", output=tmp_path / "out", openapi=[str(HOSTILE / "allof_items_loop.yaml")], openrpc=[], overlays=[], version="1"
    )
    generate(config)
    assert time.monotonic() - started < 10
    assert (tmp_path / "out" / "trees" / "models" / "nested_lists" / "__init__.py").is_file()


def test_integer_enums_are_open(package: tuple[Path, ModuleType]) -> None:
    _, models = package
    level = models.Level
    assert level(30).is_known and level(30) == 30
    unknown = level(7)
    assert unknown == 7 and not unknown.is_known and level(7) is unknown
    assert models.NoneModel.model_validate({"level": 99, "O": "x", "l": 1}).level == 99


def test_an_inline_enum_under_a_property_named_field_is_named_by_sdkgen(package: tuple[Path, ModuleType]) -> None:
    """Left to the engine, the enum was named `Field` and typed as pydantic's `Field` function."""
    _, models = package
    assert models.NoneModel.model_validate({"Field": 2}).Field == 2
    assert models.NoneModel.model_validate({"Field": "two"}).Field == "two"


def test_model_fields_keep_ambiguous_spec_names(package: tuple[Path, ModuleType]) -> None:
    _, models = package
    value = models.NoneModel.model_validate({"O": "zero", "l": 1, "I": {"parent": {"O": "inner"}}})
    assert value.O == "zero" and value.l == 1 and value.I.parent.O == "inner"


def test_readme_error_example_when_every_error_is_retryable(package: tuple[Path, ModuleType]) -> None:
    output, _ = package
    readme = (output / "README.md").read_text()
    assert "except RetryError as exc:  # 10040 retry" in readme


@pytest.mark.parametrize(
    "text", ['ends with a quote"', 'two lines\nthe last ends with a quote"  ', '"', 'a \\"', 'ends with """', 'two quotes""', 'a \\\\"']
)
def test_docstring_text_never_joins_the_closing_quotes(text: str) -> None:
    for rendered in (docstring(text), docline(text)):
        source = f'"""{rendered}"""\nx = 1\n'
        compile(source, "<doc>", "exec")  # a quote joining `"""` would leave a string open
        assert eval(source.removesuffix("\nx = 1\n")).rstrip().endswith('"')  # noqa: S307 - our own literal


def test_an_error_listed_twice_with_one_code_and_message_gets_one_class(package: tuple[Path, ModuleType]) -> None:
    output, _ = package
    source = (output / "hostile_pkg" / "errors.py").read_text(encoding="utf-8")
    assert source.count("(10040, ") == 1  # a repeated dict key would make the second entry win silently
    assert "(10040, None): RetryError," in source
    assert "class RetryError(" in source and "RetryError10040" not in source
