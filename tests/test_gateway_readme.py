"""The gateway part of both READMEs opens with placing and cancelling an order, and that code runs.

The root README's "Trading perpetuals" section and the generated README's gateway section (from the
gateway spec's `info.x-sdkgen-readme`) are run as written, in a fresh interpreter, against the local
gateway's matching engine (`tests/servers/jsonrpc.py` over `tests/servers/matching.py`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers import JsonRpcServer, TestKeys

GATEWAY = "## Coinbase Derivatives JSON-RPC gateway (Deribit-powered) (`client.derivatives`)"


def first_block(text: str, heading: str) -> str:
    assert heading in text, heading
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"no python block under {heading!r}"
    return match.group(1)


def generated_readme_example() -> str:
    return first_block((ROOT / "generated" / "README.md").read_text(encoding="utf-8"), GATEWAY)


def root_readme_example() -> str:
    return first_block((ROOT / "README.md").read_text(encoding="utf-8"), "## Trading perpetuals")


def run(program: str, keys: TestKeys, server: JsonRpcServer, tmp_path: Path) -> list[str]:
    path = tmp_path / "example.py"
    path.write_text(program, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINBASE_")}
    env |= {
        "COINBASE_API_KEY_NAME": keys.ed25519_key_name,
        "COINBASE_API_PRIVATE_KEY": keys.ed25519_secret_b64,
        "COINBASE_DERIVATIVES_BASE_URL": server.url,
        "PYTHONPATH": str(ROOT / "generated"),
    }
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_generated_readmes_gateway_part_opens_with_placing_and_cancelling_an_order() -> None:
    text = (ROOT / "generated" / "README.md").read_text(encoding="utf-8")
    section = text.split(GATEWAY, 1)[1]
    first = section.split("\n## ", 1)[0]
    assert first.index("### Place and cancel an order") < first.index("```python")
    code = generated_readme_example()
    assert code.index(".buy(") < code.index(".cancel(")


@pytest.mark.parametrize("example", [generated_readme_example, root_readme_example], ids=["generated README", "root README"])
def test_the_readme_example_places_and_cancels_an_order_on_the_local_gateway(
    example: object, keys: TestKeys, rpc_server: JsonRpcServer, tmp_path: Path
) -> None:
    assert callable(example)
    lines = run(example(), keys, rpc_server, tmp_path)
    order_id, state = lines[0].split()
    assert state == "open" and lines[1] == "cancelled"
    methods = [r.rpc_method for r in rpc_server.requests]
    assert methods[-2:] == ["private/buy", "private/cancel"]
    assert rpc_server.exchange.count("private/buy") == 1 and order_id
