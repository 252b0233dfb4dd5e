"""Two spec names that read the same in Python get distinct method names, with a warning; nothing is dropped."""

from __future__ import annotations

from pathlib import Path

from generator.build.sdk import build_sdk
from generator.config import from_arguments
from generator.errors import Diagnostics
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
