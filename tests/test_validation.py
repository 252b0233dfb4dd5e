"""Validation: the fast structural check on every generation, the semantic checks in `sdkgen check` only,
and every finding reported with its file, real line and JSON Pointer from the document root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import Diagnostics, SpecError
from generator.load.documents import read_document
from generator.load.refs import DocumentSet
from generator.load.validate import (
    KIND_DEFAULT,
    KIND_DUPLICATE_PARAMETER,
    KIND_PARAMETER_NOT_IN_TEMPLATE,
    KIND_TEMPLATE_WITHOUT_PARAMETER,
    content_kind,
    validate_openapi,
)
from tests.conftest import FIXTURES, ROOT

VALIDATION = FIXTURES / "validation"
SHOWN = "tests/fixtures/validation"


def run_sdkgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def warnings_of(name: str, *, semantic: bool = False) -> list[tuple[int | None, str, str, str]]:
    diagnostics = Diagnostics()
    validate_openapi(read_document(VALIDATION / name), diagnostics, semantic=semantic)
    return [(d.location.line, d.location.pointer, d.message, d.kind) for d in diagnostics.items]


def test_a_structural_error_in_a_json_spec_names_file_line_and_pointer_and_writes_nothing(tmp_path: Path) -> None:
    result = run_sdkgen("generate", "--openapi", f"{SHOWN}/wrong_type.json", "--output", str(tmp_path / "out"), "--package", "pkg")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {SHOWN}/wrong_type.json:8: /paths/~1a/get/responses/200: invalid OpenAPI 3.0: 'description' is a required property"
        " (and 1 more) (hint: fix the vendor file's problems in an overlay)"
    )
    assert not (tmp_path / "out").exists()


def test_schema_slips_are_warnings_with_their_line_pointer_and_a_stable_kind() -> None:
    assert sorted(warnings_of("schema_slips.yaml")) == [
        (
            21,
            "/components/schemas/Widget/required",
            "schema content does not validate as OpenAPI 3.1: ['id', 'id'] has non-unique elements",
            content_kind("3.1", "uniqueItems"),
        ),
        (
            29,
            "/components/schemas/Widget/properties/ratio/exclusiveMinimum",
            "schema content does not validate as OpenAPI 3.1: True is not of type 'number'",
            content_kind("3.1", "type"),
        ),
    ]


def test_semantic_findings_are_reported_with_their_place_when_asked_for() -> None:
    semantic = [w for w in warnings_of("schema_slips.yaml", semantic=True) if w[3] == KIND_DEFAULT]
    assert semantic == [
        (
            26,
            "/components/schemas/Widget/properties/size/default",
            "default does not match its schema: 'big' is not of type 'integer'",
            KIND_DEFAULT,
        )
    ]


def test_generate_leaves_the_semantic_checks_to_sdkgen_check(tmp_path: Path) -> None:
    args = ("--openapi", f"{SHOWN}/schema_slips.yaml", "--output", str(tmp_path / "out"), "--package", "pkg")
    generated = run_sdkgen("generate", *args)
    assert generated.returncode == 0, generated.stderr
    assert "default does not match" not in generated.stderr
    assert "has non-unique elements" in generated.stderr  # the structural pass's warnings stay
    checked = run_sdkgen("check", *args)
    assert checked.returncode == 0, checked.stderr
    assert (
        f"warning: {SHOWN}/schema_slips.yaml:26: /components/schemas/Widget/properties/size/default:"
        " default does not match its schema: 'big' is not of type 'integer'"
    ) in checked.stderr.splitlines()


def test_path_parameters_that_do_not_match_their_template_are_warnings_with_places() -> None:
    assert sorted(warnings_of("path_parameters.yaml")) == [
        (10, "/paths/~1things~1{id}~1{part}/get", "`{part}` in '/things/{id}/{part}' has no path parameter: the SDK cannot fill it", KIND_TEMPLATE_WITHOUT_PARAMETER),
        (13, "/paths/~1things~1{id}~1{part}/get/parameters/1", "query parameter 'verbose' is declared twice in one list", KIND_DUPLICATE_PARAMETER),
        (14, "/paths/~1things~1{id}~1{part}/get/parameters/2", "path parameter 'extra' is not in the path template '/things/{id}/{part}'", KIND_PARAMETER_NOT_IN_TEMPLATE),
    ]  # fmt: skip


def test_a_value_yaml_reads_as_a_date_is_judged_by_the_python_validator() -> None:
    with pytest.raises(SpecError) as raised:
        warnings_of("unquoted_date.yaml")
    assert raised.value.location.pointer == "/info/version" and raised.value.location.line == 6
    assert "datetime.date(2024, 1, 1) is not of type 'string'" in raised.value.message


def test_a_place_reached_through_refs_is_reported_where_the_node_is() -> None:
    document = read_document(VALIDATION / "schema_slips.yaml")
    documents = DocumentSet(document)
    through = "/paths/~1widgets/get/responses/200/content/application~1json/schema/properties/size/default"
    assert documents.canonical(document, through) == (document, "/components/schemas/Widget/properties/size/default")
    assert documents.canonical(document, "/paths/~1widgets/get/nothing/here") == (document, "/paths/~1widgets/get/nothing/here")


def test_a_structural_problem_is_not_hidden_behind_a_schema_slip_in_the_same_object() -> None:
    """Both problems fail the one `oneOf` over Parameter Objects: the deepest (the schema slip) must
    not stand for the whole branch, or the missing `name` would pass as a warning."""
    with pytest.raises(SpecError) as raised:
        warnings_of("hidden_structure.yaml")
    assert str(raised.value) == (
        f"{SHOWN}/hidden_structure.yaml:8: /paths/~1a/get/parameters/0: invalid OpenAPI 3.0: 'name' is a required property"
        " (hint: fix the vendor file's problems in an overlay)"
    )
