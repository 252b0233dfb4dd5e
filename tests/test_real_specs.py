"""Large real specs generate into packages that import, pass ruff, and drop nothing silently."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES, ROOT

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
    from generator.build.naming import class_name

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
    in_sdk = sum(len(group.operations) for api in result.sdk.apis for group in api.groups)
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


def test_no_numbered_class_names_unless_the_spec_gives_them(generated: tuple[str, Any, Path, Any]) -> None:
    name, _, output, data = generated
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((output / f"{name}_sdk" / "models" / "api").glob("*.py")))
    classes = set(re.findall(r"^class (\w+)", source, re.MULTILINE))
    numbered = {c for c in classes if NUMBERED.search(c)}
    assert numbered - spec_class_names(data) - KNOWN_NUMBERED.get(name, set()) == set()


def test_what_is_not_json_is_a_warning_naming_the_operation(generated: tuple[str, Any, Path, Any]) -> None:
    """Content the generator cannot type is sent or returned as raw bytes, and each such place is warned about."""
    _, result, _, data = generated
    raw_sites = {
        f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
        for path, item in data["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
        for section in (op.get("requestBody", {}).get("content", {}), *(r.get("content", {}) for r in op.get("responses", {}).values()))
        if isinstance(section, dict) and section and not any("json" in media for media in section)
    }
    warned = {
        d.location.pointer.split("/requestBody")[0].split("/responses")[0] for d in result.diagnostics.items if "raw bytes" in d.message
    }
    assert raw_sites <= warned
