"""What `sdkgen generate` imports: an up-to-date output needs no stage, and a generation no library it does not use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from generator.ir_builder.models import MODEL_ATTRIBUTES
from tests.conftest import ROOT

SEED = ROOT / "tests" / "fixtures" / "specs" / "seed_intx_balances.yaml"

# Run `sdkgen generate` in a fresh interpreter, then print the top-level names of what it imported.
_IMPORTED = """
import json, sys
from generator.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(sys.modules)]))
"""


def _generate_and_list_imports(out: Path, cache: Path) -> tuple[int, set[str]]:
    argv = ["generate", "-q", "--openapi", str(SEED), "--output", str(out), "--package", "seed_sdk"]
    env = {**os.environ, "SDKGEN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", _IMPORTED, *argv], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    code, modules = json.loads(done.stdout.splitlines()[-1])
    return code, set(modules)


def test_an_up_to_date_output_is_reused_without_importing_a_stage_or_its_libraries(tmp_path: Path) -> None:
    first = _generate_and_list_imports(tmp_path / "out", tmp_path / "cache")
    again = _generate_and_list_imports(tmp_path / "out", tmp_path / "cache")
    assert first[0] == again[0] == 0
    assert {"generator.pipeline", "jinja2", "yaml"} <= first[1]  # it did generate the first time
    stages = {"generator.pipeline", "generator.ir", "generator.ir_builder", "generator.load.documents", "generator.render.files"}
    assert (stages | {"jinja2", "yaml", "jsonschema", "jsonschema_rs"}) & again[1] == set()


def test_a_generation_without_overlays_or_asyncapi_imports_neither_jsonpath_nor_jsonschema_nor_pydantic(tmp_path: Path) -> None:
    code, modules = _generate_and_list_imports(tmp_path / "out", tmp_path / "cache")
    assert code == 0
    assert {"jsonpath", "jsonschema", "pydantic"} & {name.split(".")[0] for name in modules} == set()


def test_the_model_attributes_a_field_may_not_shadow_are_pydantics_own() -> None:
    """Spelled out in ir_builder/models.py so generating does not import pydantic: held to the installed pydantic here."""
    assert {name for name in dir(BaseModel) if not name.startswith("_")} == MODEL_ATTRIBUTES
