"""Models load per resource group: a client that calls one group does not import every model of its API."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.conftest import ROOT

MODELS = ROOT / "generated" / "coinbase_sdk" / "models"


def test_touching_one_group_loads_only_its_models_and_the_shared_ones() -> None:
    script = (
        "import json, sys\n"
        "import coinbase_sdk\n"
        "before = {m for m in sys.modules if '.models.' in m}\n"
        "client = coinbase_sdk.Client()\n"
        "client.advanced_trade.accounts\n"
        "print(json.dumps({'before': sorted(before), 'after': sorted(m for m in sys.modules if '.models.' in m)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT / "generated", capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)
    assert loaded["before"] == []
    assert loaded["after"] == [
        "coinbase_sdk.models.advanced_trade",
        "coinbase_sdk.models.advanced_trade._shared",
        "coinbase_sdk.models.advanced_trade.accounts",
    ]


def test_group_model_modules_import_only_shared_and_shared_imports_no_group() -> None:
    for api in (p for p in MODELS.iterdir() if p.is_dir() and not p.name.startswith("__")):
        for module in api.glob("*.py"):
            if module.name == "__init__.py":
                continue
            tree = ast.parse(module.read_text(encoding="utf-8"))
            relative = {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.level == 1}
            expected = set() if module.stem == "_shared" else {"_shared"}
            assert relative <= expected, f"{module.relative_to(ROOT)} imports {relative}"


def test_the_facade_names_every_model_and_loads_it_on_first_use() -> None:
    from coinbase_sdk.models import advanced_trade

    surface = json.loads((ROOT / "generated" / "coinbase_sdk" / "api.json").read_text(encoding="utf-8"))
    names = set(surface["apis"]["advanced_trade"]["models"])
    assert set(advanced_trade.__all__) == names
    assert advanced_trade.Fill.__module__ == "coinbase_sdk.models.advanced_trade.orders"
    assert "Fill" in dir(advanced_trade)


def test_every_model_is_complete_once_its_module_is_imported() -> None:
    """A model that extends one from `_shared` inherits resolved fields (the fuzzer found a subclass that could not)."""
    import importlib

    import pydantic

    for api in (p for p in MODELS.iterdir() if p.is_dir() and not p.name.startswith("__")):
        for module_path in sorted(api.glob("*.py")):
            if module_path.name == "__init__.py":
                continue
            module = importlib.import_module(f"coinbase_sdk.models.{api.name}.{module_path.stem}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value.__module__ == module.__name__:
                    if value.__pydantic_generic_metadata__["origin"] is not None:
                        continue  # `RootModel[int | list[X]]`: the base pydantic parametrizes for a root model, not one of ours
                    assert value.__pydantic_complete__, f"{module.__name__}.{value.__name__}"
