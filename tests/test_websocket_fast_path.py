"""Notifications queued undecoded (the throughput path of issue 20) give exactly what decoding first gives.

A notification written the usual way is routed by reading its method and channel from the text,
and decoded and validated in one step when taken; any other shape (keys in another order, a
`channel` inside the data) is decoded first, and a payload that fails the one-step validation
falls back to the lenient decoded path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from coinbase_sdk import AsyncClient
from coinbase_sdk.models.derivatives import TickerNotification

from tests.servers import TestKeys
from tests.servers.ws import WsServer

TICKER = "ticker.BTC_USDC-PERPETUAL.100ms"
DATA = {"instrument_name": "BTC_USDC-PERPETUAL", "timestamp": 1, "last_price": 64000.5, "channel": "not.this.one"}


@pytest.fixture
def ws_server(keys: TestKeys) -> Iterator[WsServer]:
    with WsServer(keys.public_keys()) as server:
        yield server


def frames() -> list[str]:
    usual = json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": TICKER, "data": DATA}})
    compact = json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": TICKER, "data": DATA}}, separators=(",", ":"))
    data_first = json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"data": DATA, "channel": TICKER}})
    method_last = json.dumps({"params": {"channel": TICKER, "data": DATA}, "jsonrpc": "2.0", "method": "subscription"})
    return [usual, compact, data_first, method_last]


def test_every_shape_of_a_notification_gives_the_same_typed_item(ws_server: WsServer) -> None:
    import coinbase_sdk._websocket as websocket

    assert websocket._NOTIFICATION.match(frames()[0]) and websocket._NOTIFICATION.match(frames()[1])
    assert not websocket._NOTIFICATION.match(frames()[2]) and not websocket._NOTIFICATION.match(frames()[3])

    async def test() -> list[Any]:
        async with AsyncClient(derivatives_ws_url=ws_server.url, timeout=5) as client:
            sub = await client.derivatives.ws.subscribe.ticker(instrument_name="BTC_USDC-PERPETUAL", interval="100ms")  # type: ignore[arg-type]
            for frame in frames():
                await asyncio.to_thread(ws_server.send_raw, frame)
            items = [await asyncio.wait_for(anext(sub), 5) for _ in frames()]
            assert sub.invalid == 0 and client.derivatives.ws.api.dropped_frames == 0
            return items

    items = asyncio.run(test())
    assert all(isinstance(i, TickerNotification) for i in items)
    dumped = [i.model_dump(mode="json", exclude_unset=True) for i in items]
    assert all(d == dumped[0] for d in dumped) and dumped[0]["last_price"] == 64000.5


def test_a_payload_the_one_step_validation_refuses_falls_back_to_the_lenient_path(ws_server: WsServer) -> None:
    async def test() -> tuple[list[Any], int]:
        async with AsyncClient(derivatives_ws_url=ws_server.url, timeout=5) as client:
            sub = await client.derivatives.ws.subscribe.ticker(instrument_name="BTC_USDC-PERPETUAL", interval="100ms")  # type: ignore[arg-type]
            bad = {"jsonrpc": "2.0", "method": "subscription", "params": {"channel": TICKER, "data": {"timestamp": "soon"}}}
            await asyncio.to_thread(ws_server.send_raw, json.dumps(bad))
            good = {"jsonrpc": "2.0", "method": "subscription", "params": {"channel": TICKER, "data": DATA}}
            await asyncio.to_thread(ws_server.send_raw, json.dumps(good))
            return [await asyncio.wait_for(anext(sub), 5), await asyncio.wait_for(anext(sub), 5)], sub.invalid

    items, invalid = asyncio.run(test())
    # Refused by the one-step validation, the item takes the decoded path, lenient by default (issue 15):
    # it arrives with what did not match recorded on it, and nothing is skipped.
    assert invalid == 0
    assert items[0].model_mismatches()
    assert items[1].last_price == 64000.5
