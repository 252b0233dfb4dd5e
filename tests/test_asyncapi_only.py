"""A config entry that is only an AsyncAPI document gives a working typed WebSocket client.

`tests/fixtures/specs/sensor_feed.asyncapi.yaml` is neutral (no vendor, no sdkgen extension): the
server pushes readings and alerts, the client sends a typed `set_threshold`. The SDK generated from
it talks over a real socket to the small server below: typed messages routed to their channels by
the `const` field the messages share (`kind`), a send operation as a typed method, sync and async.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from generator.config import load_pyproject
from generator.errors import SpecError
from generator.pipeline import generate
from tests.conftest import FIXTURES
from tests.typecheck import mypy

SPEC = FIXTURES / "specs" / "sensor_feed.asyncapi.yaml"
PACKAGE = "sensor_sdk"
VENDORS = re.compile(r"coinbase|deribit|\bcdp\b|json-?rpc|openrpc", re.IGNORECASE)


def _config(folder: Path, spec: Path, package: str = PACKAGE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        f'[tool.sdkgen]\npackage = "{package}"\noutput = "out"\n\n[[tool.sdkgen.apis]]\nname = "sensors"\nasyncapi = "{spec.as_posix()}"\n',
        encoding="utf-8",
    )
    return folder / "pyproject.toml"


@pytest.fixture(scope="module")
def sdk_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("asyncapi-only")
    generate(load_pyproject(_config(folder, SPEC)))
    out = folder / "out"
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))


@pytest.fixture(scope="module")
def sdk(sdk_folder: Path) -> ModuleType:
    return importlib.import_module(PACKAGE)


class SensorServer:
    """Sends two readings and an alert to each connection; answers `set_threshold` with an alert at that value."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/feed"

    async def _handle(self, ws: ServerConnection) -> None:
        for message in (
            {"kind": "reading", "sensor": "t1", "value": 21.5, "unit": "celsius"},
            {"kind": "alert", "sensor": "t1", "level": "critical", "value": 99.0},
            {"kind": "reading", "sensor": "h1", "value": 40, "unit": "percent"},
        ):
            await ws.send(json.dumps(message))
        try:
            async for frame in ws:
                message = json.loads(frame)
                self.received.append(message)
                if message.get("kind") == "set_threshold":
                    await ws.send(
                        json.dumps({"kind": "alert", "sensor": message["sensor"], "level": "warning", "value": message["threshold"]})
                    )
        except ConnectionClosed:
            pass

    def __enter__(self) -> SensorServer:
        ready = threading.Event()

        def run() -> None:
            async def main() -> None:
                self._stop = asyncio.Event()
                async with serve(self._handle, "127.0.0.1", 0) as server:
                    self.port = next(iter(server.sockets)).getsockname()[1]
                    ready.set()
                    await self._stop.wait()

            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(main())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def server() -> Iterator[SensorServer]:
    with SensorServer() as running:
        yield running


@pytest.mark.anyio
async def test_messages_arrive_typed_on_their_channels_and_a_send_is_a_typed_method_async(sdk: ModuleType, server: SensorServer) -> None:
    models = importlib.import_module(f"{PACKAGE}.models.sensors")
    async with sdk.AsyncClient() as client, client.sensors.ws(url=server.url) as ws:
        readings = await ws.subscribe_readings()
        alerts = await ws.subscribe_alerts()
        first, second = await asyncio.wait_for(anext(readings), 10), await asyncio.wait_for(anext(readings), 10)
        alert = await asyncio.wait_for(anext(alerts), 10)
        await ws.send_set_threshold(models.SetThreshold(kind="set_threshold", sensor="t1", threshold=30.5))
        answer = await asyncio.wait_for(anext(alerts), 10)
    assert isinstance(first, models.Reading) and first.unit == models.ReadingUnit.CELSIUS and first.value == 21.5
    assert second.sensor == "h1"
    assert isinstance(alert, models.Alert) and alert.level == models.AlertLevel.CRITICAL
    assert server.received == [{"kind": "set_threshold", "sensor": "t1", "threshold": 30.5}]
    assert answer.level == models.AlertLevel.WARNING and answer.value == 30.5


def test_messages_arrive_typed_on_their_channels_and_a_send_is_a_typed_method_sync(sdk: ModuleType, server: SensorServer) -> None:
    models = importlib.import_module(f"{PACKAGE}.models.sensors")
    with sdk.Client() as client, client.sensors.ws(url=server.url) as ws:
        alerts = ws.subscribe_alerts()
        assert alerts.get(timeout=10).level == models.AlertLevel.CRITICAL
        ws.send_set_threshold(models.SetThreshold(kind="set_threshold", sensor="h1", threshold=75))
        assert alerts.get(timeout=10).sensor == "h1"
    assert server.received == [{"kind": "set_threshold", "sensor": "h1", "threshold": 75.0}]


def test_the_sdk_names_its_server_and_nothing_of_a_vendor_or_of_json_rpc(sdk_folder: Path) -> None:
    ws = (sdk_folder / PACKAGE / "sensors" / "ws.py").read_text(encoding="utf-8")
    assert '"local": "ws://localhost:8765/feed"' in ws
    texts = {p.relative_to(sdk_folder).as_posix(): p.read_text(encoding="utf-8") for p in sdk_folder.rglob("*") if p.is_file()}
    assert not [name for name, text in texts.items() if VENDORS.search(text) or VENDORS.search(name)]
    assert "channels" in json.loads(texts[f"{PACKAGE}/api.json"])["apis"]["sensors"]
    assert "with_streaming_response" not in texts["README.md"]  # no REST groups: the README offers none


def test_the_sdk_is_ruff_and_mypy_strict_clean(sdk_folder: Path) -> None:
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", PACKAGE], cwd=sdk_folder, capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout
    types = mypy(["--strict", "-p", PACKAGE], cwd=sdk_folder, env={"PATH": "/usr/bin:/bin"})
    assert types.returncode == 0, types.stdout[-4000:]


def test_channels_no_field_tells_apart_are_refused_with_the_extension_to_add(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8").replace("kind: {const: alert}", "kind: {const: reading}")
    spec = tmp_path / "ambiguous.asyncapi.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match="x-dispatch"):
        generate(load_pyproject(_config(tmp_path / "project", spec, "ambiguous_sdk")))


def test_a_dispatch_field_that_is_not_text_is_not_taken_silently(tmp_path: Path) -> None:
    """Messages are routed by text: numbered kinds give no usable field, and the error says what to add."""
    text = (
        SPEC.read_text(encoding="utf-8")
        .replace("kind: {const: reading}", "kind: {const: 1}")
        .replace("kind: {const: alert}", "kind: {const: 2}")
    )
    spec = tmp_path / "numbered.asyncapi.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match="x-dispatch"):
        generate(load_pyproject(_config(tmp_path / "project", spec, "numbered_sdk")))


def test_a_received_message_without_a_text_dispatch_value_is_named_in_a_warning(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8").replace("kind: {const: alert}", "kind: {const: 2}")
    text = text.replace("asyncapi: 3.0.0\n", "asyncapi: 3.0.0\nx-dispatch: {field: kind}\n", 1)
    spec = tmp_path / "half.asyncapi.yaml"
    spec.write_text(text, encoding="utf-8")
    result = generate(load_pyproject(_config(tmp_path / "project", spec, "half_sdk")))
    (line,) = [w for w in result.diagnostics.summary(limit=None) if "cannot route" in w]
    assert (
        ":51: /components/messages/Alert: message 'alert' of channel 'alerts' has no string `const` for the dispatch field 'kind' (found 2)"
        in line
    )


def test_two_sent_messages_with_one_method_name_are_refused_with_the_extension_to_add(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8").replace(
        "components:\n  messages:\n",
        "  receiveLimits:\n    action: receive\n    channel: {$ref: '#/channels/limits'}\n"
        "    messages: [{$ref: '#/channels/limits/messages/setLimit'}]\n"
        "components:\n  messages:\n    SetLimit:\n      name: set_threshold\n      payload: {$ref: '#/components/schemas/SetThreshold'}\n",
        1,
    )
    text = text.replace(
        "operations:\n",
        "  limits:\n    address: limits\n    messages:\n      setLimit: {$ref: '#/components/messages/SetLimit'}\noperations:\n",
        1,
    )
    spec = tmp_path / "clash.asyncapi.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"would be sent with send_set_threshold\(\), like .*x-sdkgen-name"):
        generate(load_pyproject(_config(tmp_path / "project", spec, "clash_sdk")))
