"""Shapes public specs use, read right (issue 17), on small specs reduced from where they were found
(tests/fixtures/specs/real_shapes/): the generated package takes what the API sends and builds what it
takes, and each reading of a shape the spec got wrong is a warning naming its JSON Pointer."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES
from tests.test_fuzz_specs import check_package, import_package

SHAPES = FIXTURES / "specs" / "real_shapes"


def _generate(spec: str, package: str, output: Path) -> Any:
    config = from_arguments(package=package, output=output, openapi=[f"api={SHAPES / spec}"], openrpc=[], overlays=[], version="0.1.0")
    result = generate(config)
    check_package(output, package)
    import_package(output, package)
    return result


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType, list[tuple[str, str]]]]:
    output = tmp_path_factory.mktemp("shapes") / "out"
    result = _generate("openapi31.yaml", "shapes", output)
    warnings = [(d.location.pointer, d.message) for d in result.diagnostics.items]
    sys.path.insert(0, str(output))
    try:
        import shapes.models.api as models

        yield output, models, warnings
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "shapes"]:
            del sys.modules[name]


def test_discriminator_tags_are_the_members_enum_values_not_their_schema_names(shapes: tuple[Path, ModuleType, Any]) -> None:
    """OpenAI's `WebSearchTool` (`type: {enum: [web_search, web_search_2025_08_26]}`, no mapping) was
    tagged `Literal["WebSearchTool"]`: a valid response failed and a valid request could not be built."""
    _, models, _ = shapes
    listed = models.ToolList.model_validate(
        {"tools": [{"type": "web_search_2025_08_26"}, {"type": "web_search"}, {"type": "file_search"}, {"type": "function", "name": "f"}]}
    )
    assert [type(t.root).__name__ for t in listed.tools] == ["WebSearchTool", "WebSearchTool", "FileSearchTool", "FunctionTool"]
    assert models.WebSearchTool(type="web_search_2025_08_26").model_dump(mode="json", exclude_none=True) == {"type": "web_search_2025_08_26"}
    with pytest.raises(pydantic.ValidationError):
        models.Tool.model_validate({"type": "WebSearchTool"})


def test_nullable_true_in_a_31_document_is_honoured_with_a_warning(shapes: tuple[Path, ModuleType, Any]) -> None:
    """OpenAI's `RunObject.required_action`, `last_error`, `started_at` rejected the null the API documents."""
    _, models, warnings = shapes
    run = models.RunObject.model_validate({"id": "r", "required_action": None, "last_error": None, "started_at": None})
    assert run.required_action is None and run.last_error is None and run.started_at is None
    warned = {pointer for pointer, message in warnings if "`nullable: true` is OpenAPI 3.0's keyword" in message}
    assert warned == {
        "/components/schemas/RunObject/properties/required_action/nullable",
        "/components/schemas/RunObject/properties/started_at/nullable",
        "/components/schemas/LastError/nullable",
    }


def test_booleans_in_a_string_enum_are_read_as_strings_with_a_warning(shapes: tuple[Path, ModuleType, Any]) -> None:
    """stackexchange's `{type: string, enum: [true, false]}` made `TRUE = True` in a string enum: the package failed to import."""
    output, models, warnings = shapes
    assert models.Accepted("true") is models.Accepted.TRUE and models.Accepted.FALSE.value == "false"
    assert models.Answer.model_validate({"accepted": "true", "is_answered": "false"}).is_answered == "false"
    assert "accepted: Accepted | None = None" in (output / "shapes" / "api" / "default.py").read_text(encoding="utf-8")
    warned = {pointer for pointer, message in warnings if "a string enum lists booleans (true, false)" in message}
    assert warned == {"/components/schemas/Accepted/enum", "/components/schemas/Answer/properties/is_answered/enum"}


def test_a_schema_under_a_key_named_type_generates_with_a_warning_naming_the_pointer(shapes: tuple[Path, ModuleType, Any]) -> None:
    """codat's accounting spec (`itemType: {type: {type: string, enum: [...]}}`) stopped generation."""
    _, models, warnings = shapes
    assert models.Item.model_validate({"type": "Inventory"}).type is models.ItemType.INVENTORY
    assert ("/components/schemas/ItemType/type", "`type` holds a schema, not a type name: read as that schema") in warnings


def test_names_python_folds_to_one_identifier_keep_one_field_each(shapes: tuple[Path, ModuleType, Any]) -> None:
    """Python reads identifiers NFKC-folded (`ｆｕｌｌ` is `full`, `ﬁle` is `file`): four properties, four fields."""
    _, models, _ = shapes
    value = models.Folded.model_validate({"full": "a", "ｆｕｌｌ": "b", "file": 1, "ﬁle": 2})
    assert sorted(value.model_dump(by_alias=True).items()) == sorted({"full": "a", "ｆｕｌｌ": "b", "file": 1, "ﬁle": 2}.items())
    assert len(models.Folded.model_fields) == 4


def test_parameters_operations_schemas_and_members_stay_apart_after_nfkc_folding(tmp_path: Path) -> None:
    output = tmp_path / "out"
    _generate("nfkc.yaml", "folding", output)
    script = (
        "import inspect\n"
        "from folding.api.default import Default as group\n"
        "from folding.models.api import Full, Full2, Mode\n"
        "print(sorted(inspect.signature(group.file).parameters))\n"
        "print(sorted(n for n in vars(group) if not n.startswith('_') and n != 'with_raw_response'))\n"
        "print(len(Full.model_fields), sorted(m.value for m in Mode), Full2.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=output, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    params, methods, models = done.stdout.splitlines()
    assert {"full", "query_full", "file", "header_file"} <= set(ast.literal_eval(params))  # four parameters, four arguments
    assert methods == str(["file", "file_search2"])
    assert models == f"5 {sorted(['full', 'ｆｕｌｌ', 'ﬁle', 'file'])} Full2"
