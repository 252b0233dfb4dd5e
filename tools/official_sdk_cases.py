"""Extract the mocked REST cases of Coinbase's official SDK test suite into a fixture.

    python -m tools.official_sdk_cases <unpacked coinbase_advanced_py-1.8.4 wheel>/tests/rest \
        > tests/fixtures/official_sdk/mocked_responses.json

The wheel (`pip download coinbase-advanced-py==1.8.4 --no-deps`, Apache-2.0) ships its tests;
each case mocks one request (`m.request("GET", "https://api.coinbase.com/...", json=...)`)
with a literal `expected_response`. Only those literals are kept (method, path, response): the
lenient-response tests serve them from a local server and read them with the SDK.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def cases(folder: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
                continue
            literals: dict[str, Any] = {}
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        literals[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "request"):
                    continue
                if len(node.args) < 2 or not all(isinstance(a, ast.Constant) for a in node.args[:2]):
                    continue
                body = next((k.value for k in node.keywords if k.arg == "json"), None)
                if isinstance(body, ast.Name) and body.id in literals:
                    response = literals[body.id]
                elif body is not None:
                    try:
                        response = ast.literal_eval(body)
                    except ValueError:
                        continue
                else:
                    continue
                url = urlsplit(node.args[1].value)
                out.append(
                    {
                        "case": f"{path.stem}::{fn.name}",
                        "method": node.args[0].value,
                        "path": url.path,
                        "response": response,
                    }
                )
    return out


if __name__ == "__main__":
    json.dump(cases(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
