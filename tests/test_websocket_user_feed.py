"""The gateway's private channels (from Deribit's AsyncAPI file) as a trader uses them: an order
placed over HTTP shows up on `user.orders.*`, its fill on `user.trades.*` and `user.changes.*`.

Two real servers on 127.0.0.1 share one matching engine (`tests/servers/matching.py`): the HTTP
JSON-RPC server takes the order, the WebSocket server notifies the subscribed client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from coinbase_sdk import AsyncClient, Client
from coinbase_sdk.models.derivatives import ChangedOrder, ChangedTrade, InstrumentKindFilter, Interval, UserChangesNotification

from tests.servers import JsonRpcServer, TestKeys
from tests.servers.matching import Exchange
from tests.servers.ws import WsServer

BTC = "BTC_USDC-PERPETUAL"


@pytest.fixture
def gateway(keys: TestKeys) -> Iterator[tuple[JsonRpcServer, WsServer]]:
    exchange = Exchange()
    with JsonRpcServer(keys.public_keys(), exchange=exchange) as http, WsServer(keys.public_keys(), exchange=exchange) as ws:
        yield http, ws


def credentials(keys: TestKeys) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5, "exact_numbers": True}


def test_an_order_placed_over_http_shows_on_user_orders_and_its_fill_on_user_trades(
    gateway: tuple[JsonRpcServer, WsServer], keys: TestKeys
) -> None:
    http, ws = gateway

    async def test() -> tuple[list[ChangedOrder], list[list[ChangedTrade]], list[UserChangesNotification], list[list[ChangedOrder]]]:
        async with AsyncClient(derivatives_ws_url=ws.url, **credentials(keys)) as client:
            orders = await client.derivatives.ws.subscribe.user_orders_raw(instrument_name=BTC)
            trades = await client.derivatives.ws.subscribe.user_trades(instrument_name=BTC, interval=Interval.RAW)
            changes = await client.derivatives.ws.subscribe.user_changes(instrument_name=BTC, interval=Interval.RAW)
            by_kind = await client.derivatives.ws.subscribe.user_orders_by_kind(
                kind=InstrumentKindFilter.ANY, currency="any", interval=Interval.FIELD_100MS
            )
            ws.exchange.place("sell", BTC, "0.1", "64250.5")  # the market the user trades against

            def place() -> Any:
                with Client(derivatives_base_url=http.url, **credentials(keys)) as sync:
                    resting = sync.derivatives.trading.buy(
                        instrument_name=BTC, amount=Decimal("0.05"), price=Decimal("60000"), label="rest"
                    )
                    taking = sync.derivatives.trading.buy(instrument_name=BTC, amount=Decimal("0.1"), price=Decimal("64300"), label="take")
                    return resting, taking

            await asyncio.to_thread(place)
            seen_orders = [await anext(orders) for _ in range(2)]
            seen_trades = [await anext(trades)]
            seen_changes = [await anext(changes) for _ in range(2)]
            seen_by_kind = [await anext(by_kind) for _ in range(2)]
            return seen_orders, seen_trades, seen_changes, seen_by_kind

    orders, trades, changes, by_kind = asyncio.run(asyncio.wait_for(test(), 60))
    assert [(o.label, o.order_state, o.filled_amount) for o in orders] == [
        ("rest", "open", Decimal("0")),
        ("take", "filled", Decimal("0.1")),
    ]
    assert all(isinstance(o, ChangedOrder) for o in orders)
    ((fill,),) = trades
    assert isinstance(fill, ChangedTrade)
    assert (fill.order_id, fill.price, fill.amount, fill.direction, fill.liquidity) == (
        orders[1].order_id,
        Decimal("64250.5"),
        Decimal("0.1"),
        "buy",
        "T",
    )
    assert [len(c.trades or []) for c in changes] == [0, 1]
    assert [[o.label for o in batch] for batch in by_kind] == [["rest"], ["take"]]
