"""How specs are read: Path Item `$ref`s followed, `$ref`s bounded by the spec root (not the spec's folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import from_arguments, load_pyproject
from generator.errors import Diagnostics, SpecError
from generator.pipeline import generate
from tests.conftest import FIXTURES, ROOT

PATH_ITEMS = FIXTURES / "specs" / "path_item_refs"
SPEC_ROOT = FIXTURES / "specs" / "spec_root"


def sdkgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, check=False)


def endpoints(output: Path, package: str = "pkg") -> set[str]:
    surface = json.loads((output / package / "api.json").read_text(encoding="utf-8"))
    return {op["endpoint"] for api in surface["apis"].values() for op in api["operations"].values()}


# -- Path Item $refs --------------------------------------------------------------------------


def test_path_item_refs_to_components_path_items_are_followed(tmp_path: Path) -> None:
    """3.1: `/widgets: {$ref: '#/components/pathItems/Widgets'}`: every operation of the item is generated."""
    generate(
        from_arguments(package="pkg", output=tmp_path, openapi=[str(PATH_ITEMS / "openapi31.yaml")], openrpc=[], overlays=[], version="1")
    )
    assert endpoints(tmp_path) == {"GET /widgets", "POST /widgets", "GET /widgets/{id}"}


def test_path_item_refs_to_other_files_are_followed_with_their_own_refs(tmp_path: Path) -> None:
    """3.0: a Path Item in another file, whose `$ref`s (local to that file, and back to the main one) resolve from there."""
    generate(
        from_arguments(package="pkg", output=tmp_path, openapi=[str(PATH_ITEMS / "openapi30.yaml")], openrpc=[], overlays=[], version="1")
    )
    assert endpoints(tmp_path) == {"GET /gadgets", "POST /gadgets", "GET /gadgets/{id}"}
    surface = json.loads((tmp_path / "pkg" / "api.json").read_text(encoding="utf-8"))
    operations = surface["apis"]["split_path_items"]["operations"]
    assert operations["default.list_gadgets"]["params"]["limit"]["type"] == "int"  # "common.yaml#/limit" from paths/
    assert operations["default.get_gadget"]["params"]["verbose"]["type"] == "bool"  # "#/verbose", local to paths/common.yaml
    assert operations["default.get_gadget"]["returns"] == "Gadget"


def test_a_path_item_ref_cycle_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "cycle.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: '#/components/pathItems/A'}\n"
        "components:\n  pathItems:\n    A: {$ref: '#/components/pathItems/B'}\n    B: {$ref: '#/components/pathItems/A'}\n"
    )
    with pytest.raises(SpecError, match=r"cycle"):
        generate(from_arguments(package="pkg", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="1"))
    assert not (tmp_path / "out").exists()


# -- the spec root ----------------------------------------------------------------------------


def test_a_ref_to_a_sibling_folder_inside_the_project_is_allowed(tmp_path: Path) -> None:
    """`../shared/components.yaml` from `api/`: the default spec root is the project root, not the spec's folder."""
    result = sdkgen("generate", "--openapi", str(SPEC_ROOT / "api" / "openapi.yaml"), "--output", str(tmp_path), "--package", "pkg")
    assert result.returncode == 0, result.stderr
    assert endpoints(tmp_path) == {"GET /things"}


def test_a_ref_outside_the_spec_root_is_refused(tmp_path: Path) -> None:
    result = sdkgen(
        "generate",
        "--openapi",
        str(SPEC_ROOT / "api" / "openapi.yaml"),
        "--spec-root",
        str(SPEC_ROOT / "api"),
        "--output",
        str(tmp_path / "out"),
        "--package",
        "pkg",
    )
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "$ref '../shared/components.yaml#/Thing' is outside the spec root (tests/fixtures/specs/spec_root/api/)" in line
    assert "(hint: " in line and not (tmp_path / "out").exists()


def test_outside_the_project_the_spec_root_is_the_spec_folder_unless_given(tmp_path: Path) -> None:
    """A spec outside the project (a temporary copy) may reach its sibling folder only with `--spec-root`."""
    copy = tmp_path / "copy"
    shutil.copytree(SPEC_ROOT, copy)
    spec = str(copy / "api" / "openapi.yaml")
    refused = sdkgen("generate", "--openapi", spec, "--output", str(tmp_path / "a"), "--package", "pkg")
    assert refused.returncode == 1 and "is outside the spec root" in refused.stderr
    allowed = sdkgen("generate", "--openapi", spec, "--spec-root", str(copy), "--output", str(tmp_path / "b"), "--package", "pkg")
    assert allowed.returncode == 0, allowed.stderr


def test_a_symlink_that_leads_out_of_the_spec_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(SPEC_ROOT, root)
    outside = tmp_path / "elsewhere"
    shutil.move(root / "shared", outside)
    os.symlink(outside, root / "shared")
    result = sdkgen(
        "generate",
        "--openapi",
        str(root / "api" / "openapi.yaml"),
        "--spec-root",
        str(root),
        "--output",
        str(tmp_path / "o"),
        "--package",
        "p",
    )
    assert result.returncode == 1 and "is outside the spec root" in result.stderr


def test_the_spec_must_lie_under_a_given_spec_root(tmp_path: Path) -> None:
    result = sdkgen(
        "generate",
        "--openapi",
        str(SPEC_ROOT / "api" / "openapi.yaml"),
        "--spec-root",
        str(tmp_path),
        "--output",
        str(tmp_path / "o"),
        "--package",
        "p",
    )
    assert result.returncode == 1 and "the spec is outside its spec root" in result.stderr


def test_spec_root_in_tool_sdkgen(tmp_path: Path) -> None:
    """`spec_root` in [tool.sdkgen], relative to the pyproject's folder, bounds `$ref`s like `--spec-root`."""
    project = tmp_path / "project"
    shutil.copytree(SPEC_ROOT, project / "specs")
    (project / "pyproject.toml").write_text(
        '[tool.sdkgen]\npackage = "pkg"\nspec_root = "specs/api"\napis = [{name = "api", openapi = "specs/api/openapi.yaml"}]\n'
    )
    config = load_pyproject(project / "pyproject.toml")
    assert config.spec_root == (project / "specs" / "api").resolve()
    result = sdkgen("generate", cwd=project)
    assert result.returncode == 1 and "is outside the spec root (specs/api/)" in result.stderr
    assert sdkgen("generate", "--spec-root", ".", cwd=project).returncode == 0


def test_an_openrpc_file_ref_written_from_the_spec_root_is_read_from_there_with_a_warning(tmp_path: Path) -> None:
    """Starknet writes `./api/starknet_api_openrpc.json` in files that live in `api/`: relative to its repository's root."""
    from generator.ir_builder.sdk import build_sdk

    diagnostics = Diagnostics()
    spec = SPEC_ROOT / "api" / "root_relative.openrpc.yaml"
    config = from_arguments(package="pkg", output=tmp_path, openapi=[], openrpc=[str(spec)], overlays=[], version="1", spec_root=SPEC_ROOT)
    sdk = build_sdk(config, diagnostics)
    assert [op.rpc_method for api in sdk.apis for group in api.groups for op in group.operations] == ["get_thing"]
    assert [d.message for d in diagnostics.items if "spec root" in d.message] == [
        "$ref file './shared/components.yaml' is not next to root_relative.openrpc.yaml; read from the spec root instead (shared/components.yaml)"
    ]


def test_an_openapi_file_ref_written_from_the_spec_root_is_an_error_naming_the_file_found(tmp_path: Path) -> None:
    """OpenAPI validators resolve `$ref`s by the standard rule, so the lenient reading is OpenRPC's only."""
    result = sdkgen(
        "generate",
        "--openapi",
        str(SPEC_ROOT / "api" / "root_relative.yaml"),
        "--spec-root",
        str(SPEC_ROOT),
        "--output",
        str(tmp_path / "o"),
        "--package",
        "p",
    )
    assert result.returncode == 1
    assert "file that does not exist: ./shared/components.yaml (relative to root_relative.yaml)" in result.stderr
    assert "from the spec root it is shared/components.yaml" in result.stderr


# -- OpenRPC versions and Error Objects --------------------------------------------------------


def test_openrpc_1_4_documents_are_accepted_and_extra_error_keys_are_warnings(tmp_path: Path) -> None:
    """1.4.1 validates against the vendored 1.4 meta-schema; `description` on an Error Object is a warning
    with its place (an `x-` key none), where the meta-schema would refuse the document."""
    from generator.ir_builder.sdk import build_sdk

    diagnostics = Diagnostics()
    spec = FIXTURES / "specs" / "openrpc" / "v1_4.yaml"
    sdk = build_sdk(from_arguments(package="p", output=tmp_path, openapi=[], openrpc=[str(spec)], overlays=[], version="1"), diagnostics)
    assert [op.rpc_method for api in sdk.apis for group in api.groups for op in group.operations] == ["get_block"]
    extras = sorted((d.location.pointer, d.message) for d in diagnostics.items if "error object" in d.message)
    assert extras == [
        ("/components/errors/Busy", "error object has 'description', which OpenRPC does not define (ignored)"),
        ("/methods/0/errors/0", "error object has 'description', which OpenRPC does not define (ignored)"),
    ]


def test_an_openrpc_version_newer_than_1_4_is_refused_with_its_own_message(tmp_path: Path) -> None:
    spec = tmp_path / "v1_5.yaml"
    spec.write_text((FIXTURES / "specs" / "openrpc" / "v1_4.yaml").read_text().replace("openrpc: 1.4.1", "openrpc: 1.5.0"))
    with pytest.raises(SpecError, match=r"OpenRPC 1\.5\.0 is newer than sdkgen reads \(1\.0 to 1\.4\)"):
        generate(from_arguments(package="p", output=tmp_path / "out", openapi=[], openrpc=[str(spec)], overlays=[], version="1"))


def test_a_1_4_document_is_checked_by_the_1_4_meta_schema(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text((FIXTURES / "specs" / "openrpc" / "v1_4.yaml").read_text().replace("name: get_block", "nome: get_block"))
    with pytest.raises(
        SpecError, match=r"/methods/0: invalid OpenRPC: 'name' is a required property \(hint: see the OpenRPC 1\.4 specification"
    ):
        generate(from_arguments(package="p", output=tmp_path / "out", openapi=[], openrpc=[str(spec)], overlays=[], version="1"))
