"""Trading perpetuals through the generated SDK, over real sockets, against the local gateway's matching engine.

One scenario, run three ways (sync HTTP `Client`, async HTTP `AsyncClient`, and the WebSocket
client `client.derivatives.ws`), used as a trader would: place a limit order, read it back, edit
it, cancel it; fill a market order against resting ones and read the fills with exact prices and
amounts (`exact_numbers=True`); `cancel_all` retried after its response was lost; a `buy` whose
response was lost is not sent again (counted on the server), and the trader finds it by its label.
The server is `tests/servers/jsonrpc.py` / `tests/servers/ws.py` over `tests/servers/matching.py`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from coinbase_sdk import APIConnectionError, AsyncClient, Client, ConnectionLostError
from coinbase_sdk.errors import NonUniqueOrderLabelError, NotOpenOrderError, PostOnlyRejectError
from coinbase_sdk.models.derivatives import Direction, OrderState, OrderType, TimeInForce, Trigger

from tests.servers import JsonRpcServer, TestKeys
from tests.servers.matching import MAKER
from tests.servers.ws import WsServer

BTC = "BTC_USDC-PERPETUAL"
Maybe = Callable[[Any], Awaitable[Any]]


@pytest.fixture
def ws_server(keys: TestKeys) -> Iterator[WsServer]:
    with WsServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def no_ws_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The WebSocket client's retry and reconnect back-off, without the wait."""
    import coinbase_sdk._websocket as websocket

    async def fast_sleep(delay: float) -> None:
        await asyncio.sleep(0.01)

    monkeypatch.setattr(websocket, "_async_sleep", fast_sleep)


def credentials(keys: TestKeys) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5, "exact_numbers": True}


async def value(result: Any) -> Any:
    """The sync client's result as is; the async clients' awaited."""
    return await result if asyncio.iscoroutine(result) else result


def run_with(transport: str, server: JsonRpcServer | WsServer, keys: TestKeys, scenario: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """Run `scenario(trading, market_data)` with the SDK over one transport."""

    async def main() -> Any:
        if transport == "sync":
            with Client(derivatives_base_url=server.url, **credentials(keys)) as client:
                return await scenario(client.derivatives.trading, client.derivatives.market_data)
        if transport == "async":
            async with AsyncClient(derivatives_base_url=server.url, **credentials(keys)) as client:
                return await scenario(client.derivatives.trading, client.derivatives.market_data)
        async with AsyncClient(derivatives_ws_url=server.url, **credentials(keys)) as client:
            return await scenario(client.derivatives.ws.trading, client.derivatives.ws.market_data)

    return asyncio.run(asyncio.wait_for(main(), 60))


@pytest.fixture(params=["sync", "async", "websocket"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def gateway(transport: str, keys: TestKeys, sleeps: list[float], no_ws_sleep: None) -> Iterator[JsonRpcServer | WsServer]:
    """The local gateway the transport talks to (HTTP or WebSocket), with its matching engine."""
    if transport == "websocket":
        with WsServer(keys.public_keys()) as ws:
            yield ws
    else:
        with JsonRpcServer(keys.public_keys()) as http:
            yield http


def test_a_limit_order_is_placed_read_back_edited_and_cancelled(transport: str, gateway: Any, keys: TestKeys) -> None:
    async def scenario(trading: Any, market: Any) -> None:
        placed = await value(trading.buy(instrument_name=BTC, amount=Decimal("0.003"), price=Decimal("64000.5"), label="rt-limit-1"))
        order = placed.order
        assert placed.trades == []
        assert order.order_state is OrderState.OPEN and order.direction is Direction.BUY and order.order_type is OrderType.LIMIT
        assert order.time_in_force is TimeInForce.GOOD_TIL_CANCELLED
        assert (order.amount, order.price, order.label) == (Decimal("0.003"), Decimal("64000.5"), "rt-limit-1")

        open_orders = await value(trading.get_open_orders_by_instrument(instrument_name=BTC))
        assert [(o.order_id, o.label) for o in open_orders] == [(order.order_id, "rt-limit-1")]
        state = await value(trading.get_order_state(order_id=order.order_id))
        assert state.order_state is OrderState.OPEN and state.amount == Decimal("0.003")

        edited = await value(trading.edit(order_id=order.order_id, amount=Decimal("0.005"), price=Decimal("64010.5")))
        assert edited.order.replaced is True
        assert (edited.order.amount, edited.order.price) == (Decimal("0.005"), Decimal("64010.5"))
        book = await value(market.get_order_book(instrument_name=BTC, depth=5))
        assert book.bids == [[Decimal("64010.5"), Decimal("0.005")]] and book.asks == []

        cancelled = await value(trading.cancel(order_id=order.order_id))
        assert cancelled.order_state is OrderState.CANCELLED
        assert await value(trading.get_open_orders_by_instrument(instrument_name=BTC)) == []
        with pytest.raises(NotOpenOrderError):  # cancelling again: the order is no longer open
            await value(trading.cancel(order_id=order.order_id))

    run_with(transport, gateway, keys, scenario)
    engine_order = next(iter(gateway.exchange.orders.values()))
    assert (engine_order.amount, engine_order.price, engine_order.state) == (Decimal("0.005"), Decimal("64010.5"), "cancelled")


def test_a_market_order_fills_against_resting_orders_with_exact_prices_and_amounts(transport: str, gateway: Any, keys: TestKeys) -> None:
    gateway.exchange.place("sell", BTC, "0.1", "64250.5")
    gateway.exchange.place("sell", BTC, "0.2", "64251")
    gateway.exchange.place("sell", BTC, "0.5", "64300")

    async def scenario(trading: Any, market: Any) -> Any:
        placed = await value(trading.buy(instrument_name=BTC, amount=Decimal("0.3"), type=OrderType.MARKET, label="rt-market-1"))
        assert placed.order.order_state is OrderState.FILLED and placed.order.filled_amount == Decimal("0.3")
        fills = await value(trading.get_user_trades_by_instrument(instrument_name=BTC, sorting="asc"))
        by_order = await value(trading.get_user_trades_by_order(order_id=placed.order.order_id))
        ticker = await value(market.ticker(instrument_name=BTC))
        return placed, fills, by_order, ticker

    placed, fills, by_order, ticker = run_with(transport, gateway, keys, scenario)
    assert fills.has_more is False
    rows = [(t.price, t.amount, t.fee, t.liquidity.value, t.direction) for t in fills.trades]
    assert rows == [
        (Decimal("64250.5"), Decimal("0.1"), Decimal("3.212525"), "T", Direction.BUY),
        (Decimal("64251"), Decimal("0.2"), Decimal("6.4251"), "T", Direction.BUY),
    ]
    assert all(isinstance(n, Decimal) for t in fills.trades for n in (t.amount, t.fee)) and isinstance(fills.trades[0].price, Decimal)
    # Exact: the amounts add up to what was ordered, where floats would give 0.30000000000000004.
    assert sum(t.amount for t in fills.trades) == Decimal("0.3") and 0.1 + 0.2 != 0.3
    assert [t.trade_id for t in by_order] == [t.trade_id for t in fills.trades] == [t.trade_id for t in placed.trades]
    assert {t.label for t in fills.trades} == {"rt-market-1"} and {t.order_id for t in fills.trades} == {placed.order.order_id}
    assert ticker.last_price == Decimal("64251") and ticker.best_ask_price == Decimal("64300")
    maker_orders = [o for o in gateway.exchange.orders.values() if o.account == MAKER]
    assert [(o.state, o.filled) for o in maker_orders] == [("filled", Decimal("0.1")), ("filled", Decimal("0.2")), ("open", Decimal("0"))]


def test_amounts_and_prices_are_sent_with_their_exact_digits(keys: TestKeys, rpc_server: JsonRpcServer) -> None:
    with Client(derivatives_base_url=rpc_server.url, **credentials(keys)) as client:
        client.derivatives.trading.sell(
            instrument_name=BTC, amount=Decimal("0.123"), price=Decimal("70000.5"), time_in_force=TimeInForce.GOOD_TIL_CANCELLED
        )
    body = rpc_server.requests[-1].body.decode()
    assert '"amount":0.123' in body and '"price":70000.5' in body and '"time_in_force":"good_til_cancelled"' in body
    assert json.loads(body)["method"] == "private/sell"


def test_cancel_all_is_sent_again_after_its_response_is_lost_and_cancels_once(transport: str, gateway: Any, keys: TestKeys) -> None:
    gateway.lose_response_to["private/cancel_all"] = 1

    async def scenario(trading: Any, market: Any) -> Any:
        first = await value(trading.buy(instrument_name=BTC, amount=Decimal("0.001"), price=Decimal("60000"), label="rt-a"))
        second = await value(trading.sell(instrument_name=BTC, amount=Decimal("0.002"), price=Decimal("70000"), label="rt-b"))
        count = await value(trading.cancel_all())  # the first answer is lost; the SDK sends it again
        states = [await value(trading.get_order_state(order_id=o.order.order_id)) for o in (first, second)]
        return count, states, await value(trading.get_open_orders())

    count, states, still_open = run_with(transport, gateway, keys, scenario)
    assert gateway.exchange.count("private/cancel_all") == 2  # sent twice ...
    assert [s.order_state for s in states] == [OrderState.CANCELLED, OrderState.CANCELLED]  # ... cancelled once
    assert still_open == [] and count.root == 0  # the count is the second attempt's (the spec says so)


def test_a_buy_whose_response_is_lost_is_not_sent_again_and_is_found_by_its_label(transport: str, gateway: Any, keys: TestKeys) -> None:
    gateway.lose_response_to["private/buy"] = 1

    async def scenario(trading: Any, market: Any) -> Any:
        with pytest.raises(APIConnectionError) as raised:
            await value(trading.buy(instrument_name=BTC, amount=Decimal("0.004"), price=Decimal("61000"), label="rt-lost-1"))
        assert raised.value.request_sent is True
        if transport == "websocket":
            assert isinstance(raised.value, ConnectionLostError)
        # What the docs tell a trader to do before placing it again: look for the label.
        return [o for o in await value(trading.get_open_orders_by_instrument(instrument_name=BTC)) if o.label == "rt-lost-1"]

    found = run_with(transport, gateway, keys, scenario)
    assert gateway.exchange.count("private/buy") == 1  # counted on the server: never re-sent
    assert len(found) == 1 and found[0].amount == Decimal("0.004") and found[0].order_state is OrderState.OPEN


def test_labels_are_not_unique_so_edit_by_label_refuses_an_ambiguous_one(transport: str, gateway: Any, keys: TestKeys) -> None:
    async def scenario(trading: Any, market: Any) -> Any:
        for price in ("60000", "60001"):
            await value(trading.buy(instrument_name=BTC, amount=Decimal("0.001"), price=Decimal(price), label="same"))
        with pytest.raises(NonUniqueOrderLabelError):
            await value(trading.edit_by_label(label="same", instrument_name=BTC, price=Decimal("59000")))
        return await value(trading.cancel_by_label(label="same"))

    assert run_with(transport, gateway, keys, scenario).root == 2
    assert gateway.exchange.count("private/buy") == 2


def test_post_only_with_reject_refuses_an_order_that_would_take(transport: str, gateway: Any, keys: TestKeys) -> None:
    gateway.exchange.place("sell", BTC, "0.01", "64000")

    async def scenario(trading: Any, market: Any) -> None:
        with pytest.raises(PostOnlyRejectError):
            await value(
                trading.buy(instrument_name=BTC, amount=Decimal("0.001"), price=Decimal("64100"), post_only=True, reject_post_only=True)
            )
        moved = await value(trading.buy(instrument_name=BTC, amount=Decimal("0.001"), price=Decimal("64100"), post_only=True))
        assert moved.order.price == Decimal("63999.5") and moved.trades == []  # moved inside the spread instead of taking

    run_with(transport, gateway, keys, scenario)


def test_with_exact_numbers_a_whole_price_is_a_decimal_too(keys: TestKeys, rpc_server: JsonRpcServer) -> None:
    rpc_server.exchange.place("sell", BTC, "0.1", "64251")
    with Client(derivatives_base_url=rpc_server.url, **credentials(keys)) as client:
        placed = client.derivatives.trading.buy(instrument_name=BTC, amount=Decimal("0.1"), type=OrderType.MARKET)
    assert isinstance(placed.trades[0].price, Decimal)


def test_decimals_inside_a_linked_order_are_sent_as_exact_numbers(transport: str, gateway: Any, keys: TestKeys) -> None:
    from coinbase_sdk.models.derivatives import LinkedOrderType, OtocoOrder

    async def scenario(trading: Any, market: Any) -> Any:
        leg = OtocoOrder(direction=Direction.BUY, type=OrderType.STOP_MARKET, trigger_price=Decimal("70000.5"), trigger=Trigger.LAST_PRICE)
        return await value(
            trading.buy(
                instrument_name=BTC, amount=Decimal("0.01"), price=Decimal("60000.5"), otoco_config=[leg],
                linked_order_type=LinkedOrderType.ONE_CANCELS_OTHER,
            )
        )  # fmt: skip

    placed = run_with(transport, gateway, keys, scenario)
    assert placed.order.order_state is OrderState.OPEN
    [order] = gateway.exchange.orders.values()
    assert order.secondary == [{"direction": "buy", "type": "stop_market", "trigger_price": Decimal("70000.5"), "trigger": "last_price"}]
