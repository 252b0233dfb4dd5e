"""Every OpenRPC document of npm `@open-rpc/examples`, generated and called end to end.

The peer is npm `@open-rpc/mock-server` on 127.0.0.1: a JSON-RPC server no one here wrote. It
answers a call whose params match one of the method's examples with that example's result, and any
other call with data it makes up from the result schema. So each method is called with its example
params when it has some (the result must be the example's), else with required params made up from
their types (the result must parse into the declared type).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, RootModel

from generator.config import from_arguments
from generator.ir import Operation
from generator.pipeline import generate
from tests.conftest import ROOT
from tests.servers.base import free_port

NPM = ROOT / "tests" / "npm" / "node_modules" / "@open-rpc"
DOCUMENTS = NPM / "examples" / "build" / "service-descriptions"
MOCK_SERVER = NPM / "mock-server" / "build" / "cli.js"

pytestmark = pytest.mark.skipif(
    not MOCK_SERVER.is_file() or shutil.which("node") is None,
    reason="npm peers not installed: `make test` installs them (npm ci --prefix tests/npm)",
)


def documents() -> list[Path]:
    return sorted(DOCUMENTS.glob("*.json")) if DOCUMENTS.is_dir() else []


@pytest.fixture(scope="module", params=documents(), ids=lambda p: p.stem.removesuffix("-openrpc"))
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any], str, str]]:
    document: Path = request.param
    package = document.stem.removesuffix("-openrpc").replace("-", "_") + "_sdk"
    output = tmp_path_factory.mktemp(package)
    config = from_arguments(package=package, output=output, openapi=[], openrpc=[f"rpc={document}"], overlays=[], version="0.1.0")
    result = generate(config)
    for _attempt in range(3):  # a port another test worker took between choosing and binding it: try another
        port = free_port()
        server = subprocess.Popen(
            ["node", str(MOCK_SERVER), "-d", str(document), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if _serving(port, server):
            break
        server.kill()
        server.wait(timeout=10)
    else:
        raise RuntimeError(f"mock-server did not start for {document.name}")
    try:
        sys.path.insert(0, str(output))
        yield result.sdk, json.loads(document.read_text(encoding="utf-8")), package, f"http://127.0.0.1:{port}"
    finally:
        sys.path.remove(str(output)) if str(output) in sys.path else None
        server.terminate()
        server.wait(timeout=10)


def _serving(port: int, server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def made_up(annotation: str) -> Any:
    """A value of a simple parameter type (the mock server answers any valid call)."""
    first = annotation.split(" | ")[0]
    values: dict[str, Any] = {"int": 1, "float": 1.5, "str": "fluffy", "bool": True, "list[str]": ["a"], "list[int]": [1]}
    if first not in values:
        pytest.fail(f"no made-up value for a parameter of type {annotation}")
    return values[first]


def plain(value: Any) -> Any:
    """A result as JSON data, to compare with the document's example."""
    if isinstance(value, RootModel):
        return plain(value.root)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def resolve(root: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (examples and content descriptors may be shared in `components`)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for token in node["$ref"][2:].split("/"):
            target = target[token]
        node = target
    return node


def calls(sdk: Any, document: dict[str, Any]) -> Iterator[tuple[str, Operation, dict[str, Any], Any]]:
    """(group, operation, keyword arguments, expected result or ...) for every method of the document.

    An example pairing gives its params by name when the names are the method's, else in the
    method's parameter order.
    """
    by_name = {m["name"]: m for m in document["methods"]}
    for group in sdk.apis[0].groups:
        for op in group.operations:
            method = by_name[op.rpc_method]
            declared = [resolve(document, p)["name"] for p in method["params"]]
            pairing = next(iter(method.get("examples") or []), None)
            by_wire = {p.wire_name: p for p in op.params}
            if pairing is not None:
                params = [resolve(document, p) for p in pairing["params"]]
                names = [p.get("name") for p in params]
                if not all(n in by_wire for n in names):
                    names = declared[: len(params)]
                kwargs = {by_wire[n].name: p["value"] for n, p in zip(names, params, strict=True)}
                result = resolve(document, pairing["result"]) if "result" in pairing else None
                expected = result["value"] if result is not None else ...
            else:
                kwargs = {p.name: made_up(p.annotation) for p in op.params if p.required}
                expected = ...
            yield group.module, op, kwargs, expected


def test_every_method_is_generated(example: tuple[Any, dict[str, Any], str, str]) -> None:
    sdk, document, _, _ = example
    generated = {op.rpc_method for group in sdk.apis[0].groups for op in group.operations}
    assert generated == {m["name"] for m in document["methods"]}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_every_method_answers_through_the_generated_client(example: tuple[Any, dict[str, Any], str, str], mode: str) -> None:
    sdk, document, package, url = example
    module = importlib.import_module(package)
    checked = 0
    for group, op, kwargs, expected in calls(sdk, document):
        if mode == "sync":
            with module.Client(rpc_base_url=url, timeout=10) as client:
                result = getattr(getattr(client.rpc, group), op.name)(**kwargs)
        else:

            async def call(group: str = group, op: Operation = op, kwargs: dict[str, Any] = kwargs) -> Any:
                async with module.AsyncClient(rpc_base_url=url, timeout=10) as client:
                    return await getattr(getattr(client.rpc, group), op.name)(**kwargs)

            result = asyncio.run(call())
        if expected is not ...:
            assert plain(result) == expected, f"{op.rpc_method}({kwargs})"
            checked += 1
    with_examples = [m["name"] for m in document["methods"] if any("result" in e for e in m.get("examples") or [])]
    assert checked >= min(1, len(with_examples)), f"no example result was compared ({with_examples})"
