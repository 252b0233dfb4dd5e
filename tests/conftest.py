"""Shared fixtures: the test keys and the local servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.fuzzing import LONG, STATS
from tests.servers import JsonRpcServer, RestServer, TestKeys, load_test_keys

# The commands tests run print no progress display (generator/progress.py), wherever the suite runs
# (a terminal, CI): their output is then the same everywhere. Tests of the display set their own.
os.environ["SDKGEN_PROGRESS"] = "off"

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

settings.load_profile("sdkgen-fuzz" if LONG else "sdkgen-bounded")


# Tests that take long or start a third-party peer, by file (or `file::test` prefix), marked here so
# that the files' owners need not edit them: `slow` plus `fuzz` (bounded fuzzing) or `peer` (a real
# peer from a registry: pypiserver, pip, npm @open-rpc/mock-server). `make test` runs them all, in
# parallel; `make test-fast` leaves out `slow`. New slow tests mark themselves (`@pytest.mark.slow`).
# See tests/README.md for the rules that keep tests safe to run in parallel.
MARKED: dict[str, tuple[str, ...]] = {
    "tests/test_fuzz_specs.py": ("slow", "fuzz"),
    "tests/test_fuzz_wire.py": ("slow", "fuzz"),
    "tests/test_openrpc_examples.py": ("slow", "peer"),
    "tests/test_publish.py": ("slow", "peer"),
    "tests/test_release_loop.py": ("slow", "peer"),
    "tests/test_workflow.py": ("slow",),
    "tests/test_real_specs.py": ("slow",),
    "tests/test_atomic_output.py::test_sigkill_at_any_moment": ("slow",),
    "tests/test_websocket.py::test_memory_stays_flat": ("slow",),
}


# Files whose module fixture is parametrized (a generated package per spec): their tests are grouped
# per parameter, so each spec's package is built once and the specs can run on different workers.
SPLIT_BY_PARAMETER = {"tests/test_real_specs.py": "generated", "tests/test_openrpc_examples.py": "example"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what `MARKED` lists, group the tests for the workers, put the groups with slow tests first.

    `make test` runs with `--dist loadgroup`: a group (a file, or a file and one parameter of its
    module fixture) goes to one worker, so its module fixtures are built once. The long groups
    start first and the short ones fill in behind them.
    """
    for item in items:
        path = item.nodeid.split("::")[0]
        for prefix, marks in MARKED.items():
            if item.nodeid.startswith(prefix):
                for mark in marks:
                    item.add_marker(mark)
        group = path
        fixture = SPLIT_BY_PARAMETER.get(path)
        callspec = getattr(item, "callspec", None)
        if fixture is not None and callspec is not None and fixture in callspec.params:
            group = f"{path}[{callspec.params[fixture]}]"
        item.add_marker(pytest.mark.xdist_group(group))
    slow_files = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow_files)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How much the fuzz tests tried (`make fuzz` reports these numbers)."""
    if STATS:
        terminalreporter.write_sep("-", "fuzzing")
        for name, count in sorted(STATS.items()):
            terminalreporter.write_line(f"{name}: {count}")


@pytest.fixture(scope="session", autouse=True)
def validation_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the generator's cache (generator/load/cache.py) in the session's temporary folder, not in ~/.cache."""
    import os

    folder = tmp_path_factory.mktemp("sdkgen-cache")
    previous = os.environ.get("SDKGEN_CACHE_DIR")
    os.environ["SDKGEN_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["SDKGEN_CACHE_DIR"]
    else:
        os.environ["SDKGEN_CACHE_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One mypy cache per worker (tests/typecheck.py): the standard library and the SDK's dependencies are analysed once."""
    from tests.typecheck import CACHE_VARIABLE

    folder = tmp_path_factory.mktemp("mypy-cache")
    previous = os.environ.get(CACHE_VARIABLE)
    os.environ[CACHE_VARIABLE] = str(folder)
    yield folder
    if previous is None:
        del os.environ[CACHE_VARIABLE]
    else:
        os.environ[CACHE_VARIABLE] = previous


@pytest.fixture(scope="session")
def keys() -> TestKeys:
    return load_test_keys()


@pytest.fixture
def rest_server(keys: TestKeys) -> Iterator[RestServer]:
    with RestServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def rpc_server(keys: TestKeys) -> Iterator[JsonRpcServer]:
    with JsonRpcServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test with `Client` and again with `AsyncClient`."""
    return str(request.param)


def run_client(mode: str, call: Callable[[Any], Any], **client_kwargs: Any) -> Any:
    """Build a `Client` (or `AsyncClient`), make one call with it, close it; return the call's result.

    `call` receives the client and returns the method's result (sync) or its awaitable (async).
    """
    from coinbase_sdk import AsyncClient, Client

    client_kwargs.setdefault("timeout", 5)
    if mode == "sync":
        with Client(**client_kwargs) as client:
            return call(client)

    async def main() -> Any:
        async with AsyncClient(**client_kwargs) as client:
            return await call(client)

    return asyncio.run(main())


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the retry loops asked for, without waiting for them."""
    import coinbase_sdk._base_client as base_client

    delays: list[float] = []

    async def async_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(base_client, "_sleep", delays.append)
    monkeypatch.setattr(base_client, "_async_sleep", async_sleep)
    return delays
