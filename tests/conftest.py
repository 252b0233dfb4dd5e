"""Shared fixtures: the test keys and the local servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import JsonRpcServer, RestServer, TestKeys, load_test_keys

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
