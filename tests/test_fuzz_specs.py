"""Spec fuzzing: random but valid OpenAPI + OpenRPC documents with hostile content.

Every generated package must compile, import, pass ruff, have valid, non-keyword, non-colliding
identifiers, and contain no spec text outside string literals and comments (spec text is data,
never code). A generation may refuse a spec only with a `SpecError` that names the problem (two
operations that would get one Python name); anything else is a generator bug.

`make test` runs a bounded, derandomized number of examples; `make fuzz` runs for its budget.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import io
import json
import keyword
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import from_arguments
from generator.errors import SpecError
from generator.pipeline import generate
from generator.render.filters import INVISIBLE
from tests.fuzzing import STATS, run_budgeted
from tests.spec_strategies import PAYLOAD, SENTINEL, openapi_documents, openrpc_documents

RUFF = Path(sys.executable).parent / "ruff"
# Refusals a generated spec may get, with a location and a hint: two operations or APIs that would
# get one Python name, and a schema that is only itself (`A: {allOf: [{$ref: A}]}`), which the
# strategies can draw through unions.
ACCEPTED_REFUSALS = {"would be named": "name clash", "is taken": "name clash", "$ref cycle": "$ref cycle"}
_STRING_TOKENS = {tokenize.STRING, tokenize.COMMENT}
for _name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
    if hasattr(tokenize, _name):
        _STRING_TOKENS.add(getattr(tokenize, _name))


def code_only(source: str) -> str:
    """`source` with every string literal and comment blanked out (positions kept)."""
    lines = source.split("\n")  # as tokenize counts rows (not str.splitlines, which also splits at \x0c, \u2028...)
    chars = [list(line) for line in lines]
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _STRING_TOKENS:
            continue
        (start_row, start_col), (end_row, end_col) = token.start, token.end
        for row in range(start_row, end_row + 1):
            line = chars[row - 1]
            first = start_col if row == start_row else 0
            last = end_col if row == end_row else len(line)
            for col in range(first, min(last, len(line))):
                line[col] = " "
    return "\n".join("".join(line) for line in chars)


def check_identifiers(tree: ast.Module, where: str) -> None:
    """Every name the module defines is a valid, non-keyword identifier, defined once per scope."""

    def check_scope(body: list[ast.stmt], scope: str) -> None:
        seen: dict[str, int] = {}
        for node in body:
            names: list[str] = []
            if isinstance(node, ast.ClassDef):
                names = [node.name]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not any(
                isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list
            ):
                names = [node.name]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            for name in names:
                assert name.isidentifier() and not keyword.iskeyword(name), f"{where}: {scope}: bad identifier {name!r}"
                assert name not in seen, f"{where}: {scope}: {name!r} defined twice (lines {seen[name]} and {node.lineno})"
                seen[name] = node.lineno
            if isinstance(node, ast.ClassDef):
                check_scope(node.body, f"{scope}.{node.name}")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
                for arg in arguments:
                    assert arg.isidentifier() and not keyword.iskeyword(arg), f"{where}: {scope}.{node.name}: bad argument {arg!r}"

    check_scope(tree.body, "<module>")


def check_package(output: Path, package: str) -> int:
    """All checks on one generated tree; returns the number of Python modules checked."""
    count = check_sources(output, package)
    for path in sorted(p for p in output.rglob("*") if p.is_file() and p.suffix in (".py", ".md", ".toml", ".json")):
        raw = INVISIBLE.search(path.read_text(encoding="utf-8"))
        assert raw is None, f"{path.relative_to(output)}: a raw U+{ord(raw.group()):04X} (control, bidi or invisible character)"
    tomllib.loads((output / "pyproject.toml").read_text(encoding="utf-8"))
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run([str(RUFF), *command], cwd=output, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"ruff {command[0]}: {result.stdout}{result.stderr}"
    return count


def check_sources(output: Path, package: str) -> int:
    """Every Python module of the package (sub-packages and models/ included) compiles, has spec text
    only in string literals and comments, and defines sound identifiers; returns how many there are."""
    modules = sorted((output / package).rglob("*.py"))
    for path in modules:
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(output))
        tree = ast.parse(source, filename=where)
        compile(tree, where, "exec")
        code = code_only(source)
        for needle in (SENTINEL, '__import__("os")', ".system("):
            assert needle not in code, f"{where}: spec text {needle!r} outside a string literal or comment:\n" + "\n".join(
                line for line in code.splitlines() if needle in line
            )
        check_identifiers(tree, where)
    return len(modules)


def import_package(output: Path, package: str) -> None:
    """Import every module, build both clients, touch every API and group, and resolve every model."""
    sys.path.insert(0, str(output))
    try:
        root = importlib.import_module(package)
        for path in sorted((output / package).rglob("*.py")):
            relative = path.relative_to(output).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            module = importlib.import_module(".".join(parts))
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value.__module__ == module.__name__:
                    value.model_json_schema()
        for client_class in (root.Client, root.AsyncClient):
            for member in ("from_env", "close", "__enter__", "__exit__", "__aenter__", "__aexit__"):
                if hasattr(client_class, member):  # no API may take a name the client itself uses
                    assert not isinstance(inspect.getattr_static(client_class, member), functools.cached_property), member
            client = client_class()
            try:
                for api_name in client._config.apis:
                    api = getattr(client, api_name)
                    for group_name, group in vars(type(api)).items():
                        if not group_name.startswith("_") and hasattr(group, "__get__"):
                            getattr(api, group_name)
                repr(client)
            finally:
                if client_class is root.Client:
                    client.close()
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


def write_document(path: Path, document: dict[str, Any], as_yaml: bool) -> Path:
    if as_yaml:
        path = path.with_suffix(".yaml")
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        if yaml.safe_load(text) != document:
            # PyYAML writes U+2028 and U+0085 raw inside quoted scalars, where YAML reads them as line
            # breaks folded into spaces: the document would not be the one drawn. Escaped, it is.
            text = yaml.safe_dump(document, allow_unicode=False, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    else:
        path = path.with_suffix(".json")
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def generate_and_check(workdir: Path, openapi: dict[str, Any] | None, openrpc: dict[str, Any] | None, as_yaml: bool) -> None:
    number = STATS["specs"]
    STATS["specs"] += 1
    case = workdir / f"case{number}"
    case.mkdir()
    openapi_args = [str(write_document(case / "openapi", openapi, as_yaml))] if openapi else []
    openrpc_args = [str(write_document(case / "openrpc", openrpc, as_yaml))] if openrpc else []
    package = f"fuzzpkg{number}"
    config = from_arguments(package=package, output=case / "out", openapi=openapi_args, openrpc=openrpc_args, overlays=[], version="0.1.0")
    try:
        generate(config)
    except SpecError as exc:
        reasons = [kind for reason, kind in ACCEPTED_REFUSALS.items() if reason in exc.message]
        if reasons and exc.hint:
            STATS[f"specs refused ({reasons[0]}, with a location and a hint)"] += 1
            return
        raise
    STATS["modules checked"] += check_package(case / "out", package)
    import_package(case / "out", package)
    STATS["specs generated and imported"] += 1
    shutil.rmtree(case)  # kept only when a check failed


documents = st.tuples(
    st.one_of(st.none(), openapi_documents()),
    st.one_of(st.none(), openrpc_documents()),
    st.booleans(),
).filter(lambda t: t[0] is not None or t[1] is not None)


def test_fuzzed_specs_generate_safe_packages(tmp_path: Path) -> None:
    def run(max_examples: int) -> None:
        @settings(max_examples=max_examples)
        @given(documents)
        def one(case: tuple[dict[str, Any] | None, dict[str, Any] | None, bool]) -> None:
            generate_and_check(tmp_path, *case)

        one()

    run_budgeted("specs", run, bounded_examples=12, batch=25)


def test_the_checker_sees_code_outside_literals() -> None:
    """The check itself: spec text in a literal or comment passes, the same text as code does not."""
    safe = f'x = {PAYLOAD!r}  # {PAYLOAD}\n"""{SENTINEL}"""\n'
    assert SENTINEL not in code_only(safe) and "__import__" not in code_only(safe)
    assert "__import__" in code_only(f"x = 1\n{PAYLOAD}\n")


def test_the_checker_finds_a_planted_call_in_every_generated_module(tmp_path: Path) -> None:
    """The check's file loop: a call planted as code in any one module of a generated package (each in
    turn, models/ included) fails the check, naming that module; the untouched package passes."""
    output = tmp_path / "out"
    seed = Path(__file__).parent / "fixtures" / "specs" / "seed_intx_balances.yaml"
    generate(from_arguments(package="planted", output=output, openapi=[str(seed)], openrpc=[], overlays=[], version="0.1.0"))
    modules = sorted((output / "planted").rglob("*.py"))
    assert check_sources(output, "planted") == len(modules)
    assert any("/models/" in str(m) for m in modules) and any(m.name == "__init__.py" for m in modules)
    for module in modules:
        original = module.read_text(encoding="utf-8")
        module.write_text(original + f"\n{PAYLOAD}\n", encoding="utf-8")
        try:
            where = str(module.relative_to(output))
            with pytest.raises(AssertionError, match=re.escape(f"{where}: spec text")):
                check_sources(output, "planted")
        finally:
            module.write_text(original, encoding="utf-8")
