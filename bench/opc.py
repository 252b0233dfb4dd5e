"""The openapi-python-client baseline: generate a client from the seed spec at bench time, then import it."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

SEED_SPEC = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "specs" / "seed_intx_balances.yaml"
PACKAGE = "opc_seed_client"


@dataclass(frozen=True)
class OpcClient:
    """The generated package: its ``AuthenticatedClient`` class and the module of the balances operation."""

    version: str
    workdir: Path
    authenticated_client: Any
    operation: ModuleType


def generate(workdir: Path) -> OpcClient:
    """Generate ``opc_seed_client`` into ``workdir`` (no ruff post-hooks: formatting changes no timing) and import it."""
    config = workdir / "opc-config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
    command += ["--path", str(SEED_SPEC), "--output-path", str(workdir / PACKAGE), "--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    sys.path.insert(0, str(workdir))
    package = importlib.import_module(PACKAGE)
    api = importlib.import_module(f"{PACKAGE}.api")
    names = [m.name for m in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.") if m.name.endswith("get_intx_balances")]
    if len(names) != 1:
        raise RuntimeError(f"expected one get_intx_balances module in the generated client, found {names}")
    return OpcClient(version("openapi-python-client"), workdir, package.AuthenticatedClient, importlib.import_module(names[0]))
