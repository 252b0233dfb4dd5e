"""Common OpenAPI 3.0 inheritance and polymorphism patterns keep their meaning (tests/fixtures/specs/common_patterns_30.yaml)."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from generator.config import from_arguments
from generator.errors import Diagnostics
from generator.pipeline import generate
from tests.conftest import FIXTURES

SPEC = FIXTURES / "specs" / "common_patterns_30.yaml"


def generate_into(output: Path, spec: Path = SPEC, package: str = "patterns_sdk") -> None:
    generate(from_arguments(package=package, output=output, openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0"))


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    output = tmp_path_factory.mktemp("patterns")
    generate_into(output)
    sys.path.insert(0, str(output))
    try:
        import patterns_sdk.models.patterns as module

        yield module
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "patterns_sdk"]:
            del sys.modules[name]


def test_a_subtype_that_narrows_an_inherited_property_takes_the_narrow_type(models: ModuleType) -> None:
    dog = models.Dog.model_validate({"kind": "dog", "name": "rex", "barks": True})
    assert dog.kind == "dog" and type(dog.kind).__name__ != "str" and dog.name == "rex" and dog.barks is True


def test_a_nullable_part_of_an_inheritance_keeps_its_fields(models: ModuleType) -> None:
    puppy = models.Puppy.model_validate({"kind": "dog", "age": 1})
    assert puppy.age == 1 and isinstance(puppy, models.Animal)


def test_a_nullable_composite_component_is_the_composite_or_null(models: ModuleType) -> None:
    assert models.Mid.model_validate(None).root is None
    assert models.Mid.model_validate({"kind": "k", "mid": "m"}).root.mid == "m"


def test_properties_beside_a_discriminated_union_pick_the_member_by_its_tag(models: ModuleType) -> None:
    dog = models.Pet.model_validate({"petType": "dog", "name": "rex", "barks": True}).root
    cat = models.Pet.model_validate({"petType": "cat", "meows": True}).root
    assert dog.barks is True and cat.meows is True and type(dog) is not type(cat)


def test_a_named_union_extended_with_properties_gives_each_member_the_properties(models: ModuleType) -> None:
    card = models.Event.model_validate({"last4": "4242", "created": "now"}).root
    assert (card.last4, card.created) == ("4242", "now")


def test_a_required_rule_inside_an_allof_part_is_no_union(models: ModuleType) -> None:
    order = models.Order.model_validate({"id": "1", "size": "2"})
    assert isinstance(order, models.Base) and order.size == "2"


def test_the_models_do_not_depend_on_the_order_of_the_components(tmp_path: Path) -> None:
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["components"]["schemas"] = dict(reversed(list(data["components"]["schemas"].items())))
    reordered = tmp_path / "common_patterns_30.yaml"
    reordered.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    generate_into(tmp_path / "a")
    generate_into(tmp_path / "b", reordered)
    for path in sorted((tmp_path / "a" / "patterns_sdk" / "models").rglob("*.py")):
        other = tmp_path / "b" / path.relative_to(tmp_path / "a")

        def code(text: str) -> list[str]:
            return [line for line in text.splitlines() if "common_patterns_30.yaml" not in line]  # the lines naming the spec file

        assert code(path.read_text()) == code(other.read_text()), path.name


def _generate_in_worker(output: str) -> str:
    generate_into(Path(output))
    return "ok"


def test_generation_works_inside_a_multiprocessing_pool_worker(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(1) as pool:  # its workers are daemonic: no children of their own
        assert pool.apply(_generate_in_worker, (str(tmp_path / "out"),)) == "ok"


def test_no_warning_for_these_valid_patterns() -> None:
    from generator.ir_builder.sdk import build_sdk

    diagnostics = Diagnostics()
    build_sdk(
        from_arguments(package="p", output=Path("unused"), openapi=[str(SPEC)], openrpc=[], overlays=[], version="0.1.0"), diagnostics
    )
    assert [d.message for d in diagnostics.items] == []
