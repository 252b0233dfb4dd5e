"""Broken specs: one clear line naming file, line or pointer; the output tree is left byte-identical."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

BROKEN = FIXTURES / "broken"

# Each broken input: its command-line arguments and the one line it must give (a hint is always required).
CASES: dict[str, tuple[tuple[str, ...], str]] = {
    "invalid_yaml.yaml": (("--openapi",), r"^error: tests/fixtures/broken/invalid_yaml\.yaml:8: invalid YAML: "),
    "dangling_ref.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/dangling_ref\.yaml:15: /paths/~1a/get/responses/200/.*\$ref '#/components/schemas/Missing' points at nothing",
    ),
    "missing_file_ref.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/missing_file_ref\.yaml:15: .*file that does not exist: nowhere\.yaml",
    ),
    "escaping_ref.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/escaping_ref\.yaml:15: .*\$ref '\.\./\.\./\.\./\.\./outside\.yaml#/Thing' is outside the spec root",
    ),
    "invalid.openrpc.yaml": (
        ("--openrpc",),
        r"^error: tests/fixtures/broken/invalid\.openrpc\.yaml:12: /methods/1: invalid OpenRPC: 'name' is a required property",
    ),
    "wrong_types.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/wrong_types\.yaml:9: /paths/~1a/get/responses: invalid OpenAPI 3\.1: 'nope' is not of type 'object'",
    ),
    "duplicate_operation_ids.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/duplicate_operation_ids\.yaml:12: /paths/~1b/get/operationId: operationId 'getThing' is used twice \(also at .*:8: /paths/~1a/get/operationId\)",
    ),
    "overlay_no_match.yaml": (
        ("--openapi", "tests/fixtures/broken/overlay_base.yaml", "--overlay"),
        r"^error: tests/fixtures/broken/overlay_no_match\.yaml:9: /actions/1/target: target \"\$\.paths\['/moved'\]\.get\" matches nothing in tests/fixtures/broken/overlay_base\.yaml",
    ),
    "ref_cycle.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/ref_cycle\.yaml:18: /components/schemas/B/\$ref: \$ref cycle: #/components/schemas/B -> #/components/schemas/A -> #/components/schemas/B never reaches a schema",
    ),
    "allof_cycle.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/allof_cycle\.yaml:22: /components/schemas/Widget/allOf/1/\$ref: \$ref cycle: #/components/schemas/Widget/allOf/1 -> #/components/schemas/Widget -> #/components/schemas/Widget/allOf/1 never reaches a schema",
    ),
    "alias_bomb.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/alias_bomb\.yaml: YAML aliases expand this document to more than 5,000,000 values",
    ),
    "recursive_alias.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/recursive_alias\.yaml: a YAML alias refers to a node that contains it",
    ),
    "too_deep.json": (("--openapi",), r"^error: tests/fixtures/broken/too_deep\.json: the document nests more than 200 levels deep"),
    "not_utf8.yaml": (("--openapi",), r"^error: tests/fixtures/broken/not_utf8\.yaml:2: not UTF-8 text \(byte 30\)"),
    # A repeated key: parsers keep the last value silently (a second `/a:` dropped an operation).
    "duplicate_path.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/duplicate_path\.yaml:14: /paths: duplicate key '/a' \(first at line 6\)",
    ),
    "duplicate_key.json": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/duplicate_key\.json:10: /paths/~1a: duplicate key 'get' \(first at line 6\)",
    ),
    "overlay_duplicate_key.yaml": (
        ("--openapi", "tests/fixtures/broken/overlay_base.yaml", "--overlay"),
        r"^error: tests/fixtures/broken/overlay_duplicate_key\.yaml:9: /actions/0: duplicate key 'update' \(first at line 8\)",
    ),
    "lone_surrogate.json": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/lone_surrogate\.json:8: /paths/~1a/get/description: a string holds a lone surrogate \(\\ud800\)",
    ),
    "lone_surrogate.yaml": (
        ("--openapi",),
        r"^error: tests/fixtures/broken/lone_surrogate\.yaml:9: invalid YAML: found invalid Unicode character escape code",
    ),
}


def run_sdkgen(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` from the repository root, output captured."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def generate_seed(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_sdkgen(
        "generate", "--openapi", str(FIXTURES / "specs" / "seed_intx_balances.yaml"), "--output", str(out), "--package", "pkg", *extra
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def seed_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    assert generate_seed(out).returncode == 0
    (out / "NOTES.md").write_text("a file the generator does not own\n")
    return out


@pytest.fixture
def existing_output(seed_output: Path, tmp_path: Path) -> Path:
    """A generated tree plus a file the generator does not own (a copy per test: generated once)."""
    out = tmp_path / "out"
    shutil.copytree(seed_output, out)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_spec_gives_one_clear_line_and_leaves_output_untouched(name: str, existing_output: Path) -> None:
    flags, pattern = CASES[name]
    before = snapshot(existing_output)
    result = run_sdkgen("generate", *flags, f"tests/fixtures/broken/{name}", "--output", str(existing_output), "--package", "pkg")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]
    assert re.search(r" \(hint: [^)]", lines[0]), f"no hint: {lines[0]}"
    assert snapshot(existing_output) == before


def test_vendor_spec_without_its_overlay_warns_about_the_bad_default(tmp_path: Path) -> None:
    """A default outside its enum harms nothing generated (models take no spec defaults): a warning, with its place."""
    result = run_sdkgen("ir", "--openapi", "specs/coinbase/advanced-trade-spec.yaml", "--output", str(tmp_path), "--package", "pkg")
    assert result.returncode == 0
    assert re.search(r"warning: specs/coinbase/advanced-trade-spec\.yaml:\d+: /paths/\S+/default: default .+ is not one of", result.stderr)
    assert re.search(r"warning: \.\.\. and \d+ more of this kind: enum default outside its enum \(ignored\)", result.stderr)


def test_unowned_files_survive_regeneration(existing_output: Path) -> None:
    result = run_sdkgen(
        "generate",
        "--openapi",
        str(FIXTURES / "specs" / "seed_intx_balances.yaml"),
        "--output",
        str(existing_output),
        "--package",
        "pkg",
        "--version",
        "0.2.0",
    )
    assert result.returncode == 0, result.stderr
    assert (existing_output / "NOTES.md").read_text() == "a file the generator does not own\n"
    assert '"0.2.0"' in (existing_output / "pkg" / "_version.py").read_text()


def test_generator_refuses_to_overwrite_a_file_it_does_not_own(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    (out / "pkg" / "_client.py").write_text("# mine\n")
    result = run_sdkgen(
        "generate", "--openapi", str(FIXTURES / "specs" / "seed_intx_balances.yaml"), "--output", str(out), "--package", "pkg"
    )
    assert result.returncode == 1 and "does not own" in result.stderr
    assert (out / "pkg" / "_client.py").read_text() == "# mine\n"
