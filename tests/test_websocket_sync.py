"""The sync facade of the gateway's WebSocket client (`Client(...).derivatives.ws`), over a real socket.

The async client runs on a background thread; these tests drive it from plain synchronous code,
as users of Coinbase's official SDK do: iterators, callbacks, reconnect with resubscription, the
bounded buffer, and the book channel's resubscribe after a gap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from coinbase_sdk import Client, WebSocketOptions
from coinbase_sdk.models.derivatives import BookNotification, ChangedOrder, Interval

from tests.servers import JsonRpcServer, TestKeys
from tests.servers.matching import Exchange
from tests.servers.ws import WsServer

BTC = "BTC_USDC-PERPETUAL"
BOOK = f"book.{BTC}.100ms"


@pytest.fixture
def ws_server(keys: TestKeys) -> Iterator[WsServer]:
    with WsServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import coinbase_sdk._websocket as websocket

    async def fast_sleep(delay: float) -> None:
        await asyncio.sleep(0.01)

    monkeypatch.setattr(websocket, "_async_sleep", fast_sleep)


def book(change_id: int) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "change", "timestamp": change_id, "instrument_name": BTC, "change_id": change_id}
    data.update(bids=[["change", 100000.5, change_id]], asks=[])
    if change_id > 1:
        data["prev_change_id"] = change_id - 1
    return data


def test_a_sync_subscription_is_an_iterator_of_typed_items(ws_server: WsServer) -> None:
    with Client(derivatives_ws_url=ws_server.url, timeout=5) as client:
        sub = client.derivatives.ws.subscribe.book(instrument_name=BTC, interval=Interval.FIELD_100MS)
        for change_id in range(1, 4):
            ws_server.publish(BOOK, book(change_id))
        items = [sub.get(timeout=5) for _ in range(3)]
        assert all(isinstance(i, BookNotification) for i in items)
        assert [i.change_id for i in items] == [1, 2, 3]
        with pytest.raises(TimeoutError):
            sub.get(timeout=0.2)
        sub.close()
        assert list(sub) == []  # the iteration ends once closed
        assert ws_server.methods() == ["public/subscribe", "public/unsubscribe"]
    assert not any(t.name.startswith("ws-loop") for t in threading.enumerate())  # the client's close() stopped the loop thread


def test_a_callback_gets_each_item_on_its_own_thread(keys: TestKeys) -> None:
    exchange = Exchange()
    credentials = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}
    with (
        JsonRpcServer(keys.public_keys(), exchange=exchange) as http,
        WsServer(keys.public_keys(), exchange=exchange) as ws,
        Client(derivatives_base_url=http.url, derivatives_ws_url=ws.url, **credentials) as client,
    ):
        seen: list[ChangedOrder] = []
        threads: set[str] = set()
        done = threading.Event()

        def on_order(order: ChangedOrder) -> None:
            threads.add(threading.current_thread().name)
            seen.append(order)
            if len(seen) == 2:
                done.set()

        with client.derivatives.ws.subscribe.user_orders_raw(instrument_name=BTC, callback=on_order) as sub:
            client.derivatives.trading.buy(instrument_name=BTC, amount=Decimal("0.01"), price=Decimal("50000"), label="a")
            client.derivatives.trading.buy(instrument_name=BTC, amount=Decimal("0.02"), price=Decimal("50001"), label="b")
            assert done.wait(5)
            assert sub.received == 2
        assert [o.label for o in seen] == ["a", "b"]
        assert threads == {f"ws-callback user.orders.{BTC}.raw"}


def test_the_sync_client_reconnects_and_resubscribes(ws_server: WsServer, fast_reconnect: None) -> None:
    with Client(derivatives_ws_url=ws_server.url, timeout=5) as client:
        sub = client.derivatives.ws.subscribe.book(instrument_name=BTC, interval=Interval.FIELD_100MS)
        ws_server.publish(BOOK, book(1))
        assert sub.get(timeout=5).change_id == 1
        ws_server.drop_all()
        ws_server.wait_for(lambda: ws_server.connections == 2 and ws_server.subscribed(BOOK), 10)
        ws_server.publish(BOOK, book(2))
        assert sub.get(timeout=5).change_id == 2
        api = client.derivatives.ws.api.api
        assert api is not None and api.reconnects == 1
    assert ws_server.methods("public/subscribe") == ["public/subscribe", "public/subscribe"]


def test_the_sync_buffer_is_bounded_like_the_async_one(ws_server: WsServer) -> None:
    options = WebSocketOptions(queue_size=3)
    with Client(derivatives_ws_url=ws_server.url, timeout=5, websocket_options=options) as client:
        sub = client.derivatives.ws.subscribe.book(instrument_name=BTC, interval=Interval.FIELD_100MS)
        for change_id in range(1, 11):
            ws_server.publish(BOOK, book(change_id))
        ws_server.wait_for(lambda: sub.received >= 10, 5)  # every notification queued (the oldest dropped)
        assert [sub.get(timeout=5).change_id for _ in range(3)] == [8, 9, 10]
        assert sub.dropped == 7


def test_the_sync_book_resubscribes_after_a_gap(ws_server: WsServer) -> None:
    snapshots = iter([{"type": "snapshot", "timestamp": 0, "instrument_name": BTC, "change_id": 10, "bids": [], "asks": []}])
    with Client(derivatives_ws_url=ws_server.url, timeout=5) as client:
        sub = client.derivatives.ws.subscribe.book(instrument_name=BTC, interval=Interval.FIELD_100MS)
        ws_server.publish(BOOK, book(1))
        ws_server.snapshots[BOOK] = lambda: next(snapshots)
        ws_server.publish(BOOK, book(3))  # prev_change_id 2: change 2 was lost
        assert sub.get(timeout=5).change_id == 1
        assert sub.get(timeout=5).change_id == 10  # the fresh snapshot after subscribing again
        assert (sub.gaps, sub.resubscribed) == (1, 1)
