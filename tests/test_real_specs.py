"""Large real specs (OpenAPI and OpenRPC) generate into packages that import, pass ruff, and drop
nothing silently: every operation and method of each spec is in the package's api.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.corpus import missing_operations, spec_endpoints
from generator.config import from_arguments
from generator.errors import SdkgenError
from generator.pipeline import generate
from tests.conftest import FIXTURES, ROOT
from tests.typecheck import mypy

REAL = FIXTURES / "real"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SPECS: dict[str, tuple[str, list[str]]] = {
    "discord": ("discord.openapi.json", []),
    "openai": ("openai.openapi.yaml", []),
    "deribit": ("deribit.openapi.json", ["deribit.overlay.yaml"]),
}
# Numbered class names the specs give themselves (OpenAI's `MessagePhase-2`, `GrammarSyntax1`), and
# Deribit's enum named like another after case folding. (The models engine names no class itself:
# the generator checks that every class it wrote is one the IR named.)
KNOWN_NUMBERED = {"deribit": {"OrderType2"}}
NUMBERED = re.compile(r"(?:[a-z]\d+|Variant\d+)$")


def spec_data(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def spec_class_names(data: Any) -> set[str]:
    from generator.ir_builder.naming import class_name

    return {class_name(name) for name in (data.get("components", {}).get("schemas") or {})}


@pytest.fixture(scope="module", params=sorted(SPECS))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any, Path, Any]:
    name = str(request.param)
    spec, overlays = SPECS[name]
    output = tmp_path_factory.mktemp(name) / "out"
    config = from_arguments(
        package=f"{name}_sdk",
        output=output,
        openapi=[f"api={REAL / spec}"],
        openrpc=[],
        overlays=[REAL / o for o in overlays],
        version="0.1.0",
    )
    result = generate(config)
    return name, result, output, spec_data(REAL / spec)


def test_every_operation_is_generated(generated: tuple[str, Any, Path, Any]) -> None:
    name, result, _, data = generated
    in_spec = sum(1 for item in data["paths"].values() for method in item if method in HTTP_METHODS)
    # An operation answering JSON or an event stream is two methods of one source (issue 16).
    in_sdk = len({op.source for api in result.sdk.apis for group in api.groups for op in group.operations})
    assert in_sdk == in_spec


def test_every_module_imports(generated: tuple[str, Any, Path, Any]) -> None:
    name, _, output, _ = generated
    script = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module({name + '_sdk'!r})\n"
        "names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.')]\n"
        "for module in names: importlib.import_module(module)\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=output, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) > 5


def test_package_passes_ruff(generated: tuple[str, Any, Path, Any]) -> None:
    _, _, output, _ = generated
    done = subprocess.run([ROOT / ".venv" / "bin" / "ruff", "check", "--no-cache", "."], cwd=output, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_package_is_mypy_strict_clean(generated: tuple[str, Any, Path, Any]) -> None:
    """Discord's and OpenAI's union results (`cast_to=A | B`, a `UnionType`, not a `type`) failed here."""
    name, _, output, _ = generated
    done = mypy(["--strict", f"{name}_sdk"], cwd=output)
    assert done.returncode == 0, done.stdout[-3000:]


def test_no_numbered_class_names_unless_the_spec_gives_them(generated: tuple[str, Any, Path, Any]) -> None:
    name, _, output, data = generated
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((output / f"{name}_sdk" / "models" / "api").glob("*.py")))
    classes = set(re.findall(r"^class (\w+)", source, re.MULTILINE))
    numbered = {c for c in classes if NUMBERED.search(c)}
    assert numbered - spec_class_names(data) - KNOWN_NUMBERED.get(name, set()) == set()


def test_what_is_not_json_is_sent_or_read_by_its_media_type(generated: tuple[str, Any, Path, Any]) -> None:
    """A request body that is not JSON is sent by its media type (multipart, form, binary, text); a
    success response that is not JSON is read as text, bytes or events (issue 16)."""
    _, result, _, data = generated
    operations = {op.source.split("#", 1)[1]: op for api in result.sdk.apis for group in api.groups for op in group.operations}

    def not_json(content: Any) -> bool:
        return isinstance(content, dict) and bool(content) and not any("json" in media for media in content)

    for path, item in data["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            site = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
            success = sorted(code for code in op.get("responses", {}) if str(code).startswith("2"))
            if not_json(op.get("requestBody", {}).get("content")):
                assert operations[site].body_kind in ("raw", "text", "multipart", "form"), site
            if success and not_json(op["responses"][success[0]].get("content")):
                assert operations[site].response_kind in ("text", "bytes", "events"), site


def test_every_operation_is_in_api_json(generated: tuple[str, Any, Path, Any]) -> None:
    """The operations-present check of `make corpus`, on the vendored OpenAPI specs."""
    name, _, output, data = generated
    surface = json.loads((output / f"{name}_sdk" / "api.json").read_text(encoding="utf-8"))
    assert missing_operations(data, surface) == []


# -- OpenRPC documents (tests/fixtures/real/openrpc/, sources in the README there) ----------------

RPC = REAL / "openrpc"
STARKNET = RPC / "starknet"
# name → (document, spec root, the capability it still needs or None)
RPC_SPECS: dict[str, tuple[Path, Path | None, str | None]] = {
    "ethereum": (RPC / "ethereum" / "refs-openrpc.json", None, None),
    "lotus": (RPC / "lotus" / "full.json", None, None),
    "metamask": (RPC / "metamask" / "openrpc.json", None, None),
    "metamask_multichain": (RPC / "metamask" / "multichain-openrpc.json", None, None),
    "starknet_api": (STARKNET / "api" / "starknet_api_openrpc.json", STARKNET, None),
    "starknet_trace": (STARKNET / "api" / "starknet_trace_api_openrpc.json", STARKNET, None),
    "starknet_write": (STARKNET / "api" / "starknet_write_api.json", STARKNET, None),
    "starknet_executables": (STARKNET / "api" / "starknet_executables.json", STARKNET, None),
    "starknet_ws": (STARKNET / "api" / "starknet_ws_api.json", STARKNET, None),
    "starknet_proving": (STARKNET / "proving-api" / "starknet_proving_api_openrpc.json", STARKNET, None),
    "starknet_wallet": (STARKNET / "wallet-api" / "wallet_rpc.json", STARKNET, None),
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=r, raises=SdkgenError, strict=True)) if r else n
        for n, (_, _, r) in sorted(RPC_SPECS.items())
    ],
)
def test_every_openrpc_method_is_generated_and_the_package_imports(name: str, tmp_path: Path) -> None:
    """Each public OpenRPC document generates, every method is in api.json, and every module imports.
    Those marked xfail need a capability still missing (named in the mark); `strict` tells when it lands."""
    document, spec_root, _ = RPC_SPECS[name]
    output = tmp_path / "out"
    config = from_arguments(
        package=f"{name}_sdk",
        output=output,
        openapi=[],
        openrpc=[f"api={document}"],
        overlays=[],
        version="0.1.0",
        spec_root=spec_root,
    )
    generate(config)
    data = json.loads(document.read_text(encoding="utf-8"))
    surface = json.loads((output / f"{name}_sdk" / "api.json").read_text(encoding="utf-8"))
    assert len(spec_endpoints(data)) == len(data["methods"])
    assert missing_operations(data, surface) == []
    script = (
        "import importlib, pkgutil\n"
        f"package = importlib.import_module({name + '_sdk'!r})\n"
        "for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.'): importlib.import_module(m.name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=output, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_document_of_components_only_is_refused_in_one_line_naming_it(tmp_path: Path) -> None:
    """Starknet's `starknet_metadata.json` ("Starknet ABI specs") has `methods: []` and only components: the
    ABI's shapes, for contract tooling. There is nothing to call, and sdkgen makes no models-only
    packages (the choice issue 14 made): one line, with the file and the pointer, and no output."""
    document = STARKNET / "api" / "starknet_metadata.json"
    assert json.loads(document.read_text(encoding="utf-8"))["methods"] == []
    done = subprocess.run(
        [
            ROOT / ".venv" / "bin" / "sdkgen",
            "generate",
            "--openrpc",
            f"api={document}",
            "--spec-root",
            STARKNET,
            "--output",
            tmp_path / "out",
        ]
        + ["--package", "meta", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1 and not (tmp_path / "out").exists()
    assert done.stderr.splitlines() == [
        f"error: {document.relative_to(ROOT)}: /methods: the spec defines no operations: there is nothing to call "
        "(hint: an SDK needs at least one operation (a models-only package is not generated))"
    ]


@pytest.mark.parametrize(("paths", "status"), [({}, "refused"), ({"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}, "pass")])
def test_the_corpus_counts_a_refusal_as_right_only_when_the_spec_has_no_operations(
    paths: dict[str, Any], status: str, tmp_path: Path
) -> None:
    from bench.corpus import check_spec
    from bench.specs import DirectorySpec

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": paths}), encoding="utf-8")
    result = check_spec(DirectorySpec("example.com", spec), timeout=120, keep=None)
    assert (result.status, result.passed) == (status, True), result.error
