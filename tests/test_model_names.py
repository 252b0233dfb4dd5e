"""Every model class is named by the generator, never by the models engine (tests/fixtures/specs/engine_naming.yaml)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    output = tmp_path_factory.mktemp("naming")
    spec = FIXTURES / "specs" / "engine_naming.yaml"
    generate(from_arguments(package="naming_sdk", output=output, openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0"))
    sys.path.insert(0, str(output))
    try:
        import naming_sdk.models.engine_naming as module

        yield output / "naming_sdk" / "models" / "engine_naming", module
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "naming_sdk"]:
            del sys.modules[name]


def defined_classes(folder: Path) -> set[str]:
    return {
        node.name
        for path in folder.glob("*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }


def test_the_component_keeps_its_name_when_a_property_is_called_like_it(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert set(module.Self.model_fields) == {"x"}  # not renamed `Self1` for an enum the engine named `Self`


def test_enums_of_any_type_are_named_from_their_property(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    holder = module.Holder.model_validate({"self": 1.5, "flag": True, "mixed": 1})
    assert type(holder.self).__name__ == "HolderSelf" and holder.self.value == 1.5
    assert type(holder.flag).__name__ == "HolderFlag" and type(holder.mixed).__name__ == "HolderMixed"


def test_properties_on_an_array_read_as_an_array_or_that_object(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.Settlements.model_validate(["a"]).root == ["a"]
    assert module.Settlements.model_validate({"continuation": "c"}).root.continuation == "c"


def test_a_union_beside_required_in_an_allof_is_distributed(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    tree = module.Tree.model_validate({"name": "n", "size": 2})
    assert tree.root.name == "n" and tree.root.size == 2


def test_no_class_is_numbered_and_the_facade_lists_every_class(models: tuple[Path, ModuleType]) -> None:
    folder, module = models
    classes = defined_classes(folder)
    assert classes == set(module.__all__)
    assert not [name for name in classes if name[-1].isdigit()]


def test_an_allof_of_one_inline_union_is_that_union(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.Holder.model_validate({"either": "text"}).either == "text"
    assert module.Holder.model_validate({"either": {"name": "n"}}).either.name == "n"


def test_a_union_in_a_nested_allof_is_distributed(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    nested = module.Holder.model_validate({"nested": {"name": "n", "x": "y"}}).nested
    assert (nested.name, nested.x) == ("n", "y")


def test_a_named_allof_of_one_enum_is_a_class_of_that_enum(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.Grade.model_validate(2).root == module.Level(2)


def test_an_allof_of_an_object_and_a_scalar_is_typed_as_the_object(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.Mixed.model_validate({"name": "n"}).name == "n"


def test_the_parts_left_to_the_server_are_named_in_a_warning() -> None:
    from generator.errors import Diagnostics
    from generator.ir_builder.sdk import build_sdk

    diagnostics = Diagnostics()
    spec = FIXTURES / "specs" / "engine_naming.yaml"
    build_sdk(
        from_arguments(package="n", output=Path("unused"), openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0"), diagnostics
    )
    warnings = {d.location.pointer: d.message for d in diagnostics.items if "no one type can hold" in d.message}
    assert "1 of its 2 parts" in warnings["/components/schemas/Mixed/allOf"]


def test_an_allof_inside_the_union_it_refers_to_is_settled_too(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    node = module.Node.model_validate({"children": {"a": {"children": {}}}})
    child = node.root.children["a"].root  # the allOf's own model, whose value is a Node
    assert child.root.children == {}


def test_an_allof_of_two_maps_is_the_first_map(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.Maps.model_validate({"a": "x"}).root == {"a": "x"}


def test_properties_beside_a_union_join_each_member(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    priced = module.Priced.model_validate({"price": "1", "name": "n"}).root
    assert (priced.price, priced.name) == ("1", "n")


def test_a_type_list_with_object_and_string_is_a_union(models: tuple[Path, ModuleType]) -> None:
    _, module = models
    assert module.NameOrText.model_validate("text").root == "text"
    assert module.NameOrText.model_validate({"name": "n"}).root.name == "n"
