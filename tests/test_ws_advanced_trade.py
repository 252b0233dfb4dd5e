"""The generated Advanced Trade WebSocket client (`client.advanced_trade.ws()`), sync and async, over real sockets.

It is generated from `specs/coinbase/advanced-trade-ws.asyncapi.yaml` by the generic message-protocol
runtime (`_websocket_messages.py`); the Coinbase parts are the spec and the plug-in's JWT hook. The
server is `tests/servers/advanced_trade_ws.py`, which verifies every JWT and refuses one it has seen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import jwt as pyjwt
import pytest
from coinbase_sdk import AsyncClient, Client, CredentialsError, WebSocketOptions
from coinbase_sdk.advanced_trade.ws import AdvancedTradeWebSocket, AsyncAdvancedTradeWebSocket
from coinbase_sdk.models import advanced_trade as models

from tests.servers.advanced_trade_ws import CHANNELS, DATA_CHANNEL, PRIVATE, PRODUCT_CHANNELS, AdvancedTradeWsServer, Book
from tests.servers.keys import TestKeys

BTC = "BTC-USD"
WAIT = 10.0  # seconds before a test gives up waiting for a message (a failure, never a measurement)
MODELS: dict[str, type[Any]] = {
    "heartbeats": models.HeartbeatsMessage,
    "candles": models.CandlesMessage,
    "status": models.StatusMessage,
    "ticker": models.TickerMessage,
    "ticker_batch": models.TickerBatchMessage,
    "level2": models.Level2Message,
    "market_trades": models.MarketTradesMessage,
    "user": models.UserMessage,
    "futures_balance_summary": models.FuturesBalanceSummaryMessage,
}
# One typed field of each channel's first message, as the server sends it.
FIRST: dict[str, Callable[[Any], object]] = {
    "heartbeats": lambda m: m.events[0].heartbeat_counter >= 1,
    "candles": lambda m: m.events[0].candles[0].product_id == BTC,
    "status": lambda m: m.events[0].products[0].id == BTC,
    "ticker": lambda m: isinstance(m.events[0].tickers[0].price, Decimal),
    "ticker_batch": lambda m: m.events[0].tickers[0].product_id == BTC,
    "level2": lambda m: m.events[0].type == models.EventType.SNAPSHOT and m.events[0].updates,
    "market_trades": lambda m: m.events[0].trades[0].product_id == BTC,
    "user": lambda m: m.events[0].orders[0].product_id == BTC,
    "futures_balance_summary": lambda m: m.events[0].fcm_balance_summary is not None,
}


def params(channel: str) -> dict[str, Any]:
    return {"product_ids": [BTC]} if channel in PRODUCT_CHANNELS else {}


def as_book(client_book: Any) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
    return dict(client_book.bids), dict(client_book.asks)


def server_book(book: Book) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
    return dict(book.bids), dict(book.offers)


@pytest.fixture
def server(keys: TestKeys) -> Iterator[AdvancedTradeWsServer]:
    with AdvancedTradeWsServer(keys.public_keys(), heartbeat_interval=0.05) as running:
        yield running


@pytest.fixture
def credentials(keys: TestKeys) -> dict[str, str]:
    return {"api_key_name": keys.ec_key_name, "api_private_key": keys.ec_private_pem}


# -- async ------------------------------------------------------------------------------------------


async def next_where(subscription: Any, predicate: Callable[[Any], object] = lambda m: True) -> Any:
    async def find() -> Any:
        async for message in subscription:
            if predicate(message):
                return message
        raise AssertionError("the subscription ended")

    return await asyncio.wait_for(find(), WAIT)


async def until(predicate: Callable[[], object]) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


@pytest.mark.anyio
@pytest.mark.parametrize("channel", CHANNELS)
async def test_every_channel_arrives_typed_async(server: AdvancedTradeWsServer, credentials: dict[str, str], channel: str) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        subscription = await getattr(ws, f"subscribe_{channel}")(**params(channel))
        message = await next_where(subscription)
    assert isinstance(message, MODELS[channel])
    assert message.channel == DATA_CHANNEL.get(channel, channel)
    assert FIRST[channel](message)
    assert server.errors == []


@pytest.mark.anyio
async def test_each_subscribe_carries_a_fresh_jwt_the_server_verifies(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        for channel in ("user", "ticker", "level2", "futures_balance_summary"):
            await next_where(await getattr(ws, f"subscribe_{channel}")(**params(channel)))
    tokens = [message["jwt"] for _, message in server.received]
    assert len(tokens) == 4 and len(set(tokens)) == 4
    assert server.errors == [] and server.seen_jwts == set(tokens)
    assert all("uri" not in pyjwt.decode(t, options={"verify_signature": False}) for t in tokens)


@pytest.mark.anyio
async def test_a_private_channel_without_credentials_is_refused_before_sending(server: AdvancedTradeWsServer) -> None:
    async with AsyncAdvancedTradeWebSocket(server.url) as ws:
        with pytest.raises(CredentialsError, match="user"):
            await ws.subscribe_user()
        await next_where(await ws.subscribe_ticker(product_ids=[BTC]))  # public channels go without a JWT
    assert [m["channel"] for _, m in server.received] == ["ticker"]
    assert "jwt" not in server.received[0][1]


@pytest.mark.anyio
async def test_the_level2_book_stays_equal_to_the_servers_across_a_forced_gap_async(
    server: AdvancedTradeWsServer, credentials: dict[str, str]
) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        level2 = await ws.subscribe_level2(product_ids=[BTC])
        await next_where(level2)
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))
        server.book_update(BTC, [("bid", "68000.00", "2.5"), ("offer", "69100.00", "0")])
        await next_where(level2, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))
        server.book_update(BTC, [("bid", "67999.00", "7")], lose=True)  # numbered, never sent
        server.book_update(BTC, [("offer", "69200.00", "1.25")])  # arrives after the gap: dropped, stale
        snapshot = await next_where(level2, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        assert snapshot.events[0].product_id == BTC
        assert ws.sequence_gaps == 1 and ws.resubscribes == 1
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))
        assert server.subscribes("level2") == 2
    assert level2.stale == 1


@pytest.mark.anyio
async def test_a_sequence_gap_is_counted_on_the_client(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        await next_where(ticker)
        server.skip_sequence(3)
        server.trade(BTC, "BUY", "68950.00", "0.1")
        await next_where(ticker, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert ws.sequence_gaps == 1
        assert ws.resubscribes == 0  # no channel keeps a book: nothing to repair
        assert server.subscribes("ticker") == 1


@pytest.mark.anyio
async def test_envelopes_with_their_fields_in_another_order_are_routed_and_numbered_alike(
    server: AdvancedTradeWsServer, credentials: dict[str, str]
) -> None:
    # `events` first: the reader cannot see `channel` and `sequence_num` without decoding the frame.
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        await next_where(ticker)
        server.events_first = True
        server.trade(BTC, "BUY", "68950.00", "0.1")
        moved = await next_where(ticker, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert isinstance(moved.events[0].tickers[0].price, Decimal)
        assert ws.sequence_gaps == 0  # both layouts share one numbering
        server.skip_sequence(2)
        server.trade(BTC, "SELL", "68940.00", "0.2")
        await next_where(ticker, lambda m: m.events[0].tickers[0].price == Decimal("68940.00"))
        assert ws.sequence_gaps == 1
        assert ticker.invalid == 0


@pytest.mark.anyio
@pytest.mark.parametrize("events_first", [False, True], ids=["usual order", "events first"])
async def test_a_message_numbered_again_is_dropped_as_late(
    server: AdvancedTradeWsServer, credentials: dict[str, str], events_first: bool
) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        await next_where(ticker)
        server.events_first = events_first
        server.skip_sequence(-1)  # the next message repeats the last number
        server.trade(BTC, "BUY", "68950.00", "0.1")
        server.trade(BTC, "SELL", "68940.00", "0.2")
        update = await next_where(ticker, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert update.events[0].tickers[0].price == Decimal("68940.00")  # the first trade's message was late
        assert (ws.late, ws.sequence_gaps) == (1, 0)


@pytest.mark.anyio
async def test_an_error_message_from_the_server_is_kept_in_errors(server: AdvancedTradeWsServer) -> None:
    async with AsyncClient() as client, client.advanced_trade.ws(url=server.url) as ws:
        await ws.send({"type": "subscribe", "channel": "no_such_channel"})
        await until(lambda: ws.errors)
        assert ws.errors == [{"type": "error", "message": "unknown channel 'no_such_channel'"}]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "frame",
    [
        '{"channel": ["ticker"], "events": []}',  # a dispatch value that is a list
        '{"channel": {"name": "ticker"}, "events": []}',  # ... or an object
        '{"channel": "ticker", "sequence_num": true, "events": []}',  # a number that is a boolean
        '{"events": [], "sequence_num": 1.5, "channel": "ticker"}',  # a number that is not whole (decoded path)
        "[1, 2, 3]",  # not an object
    ],
    ids=["channel-list", "channel-object", "sequence-bool", "sequence-float", "array"],
)
async def test_a_frame_no_spec_describes_is_dropped_and_the_feed_goes_on(server: AdvancedTradeWsServer, frame: str) -> None:
    async with AsyncClient() as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        await next_where(ticker)
        server.send_raw(frame)
        server.trade(BTC, "BUY", "68000.00", "0.5")
        update = await next_where(ticker, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert update.events[0].tickers[0].price == Decimal("68000.00")
        assert ws.late == 0 and ws.sequence_gaps == 0  # the odd frame took no part in the numbering


@pytest.mark.anyio
async def test_a_book_event_whose_levels_are_not_a_list_is_skipped_and_the_book_goes_on(
    server: AdvancedTradeWsServer, credentials: dict[str, str]
) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        level2 = await ws.subscribe_level2(product_ids=[BTC])
        await next_where(level2)
        server.send_raw('{"channel": "l2_data", "events": [{"type": "update", "product_id": "BTC-USD", "updates": 5}]}')
        server.book_update(BTC, [("bid", "68000.00", "3")])
        await next_where(level2, lambda m: m.events[0].updates and m.events[0].updates[0].price_level == Decimal("68000.00"))
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))


@pytest.mark.anyio
async def test_an_overflowing_error_subscription_ends_and_unsubscribes(server: AdvancedTradeWsServer) -> None:
    from coinbase_sdk import SubscriptionOverflowError

    async with AsyncClient() as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC], queue_size=1, overflow="error")
        for _ in range(3):  # nobody reads: the second message overflows the queue of one
            server.trade(BTC, "BUY", "68000.00", "0.5")
        await until(lambda: [m["type"] for _, m in server.received] == ["subscribe", "unsubscribe"])
        with pytest.raises(SubscriptionOverflowError):
            async for _ in ticker:
                pass


@pytest.mark.anyio
async def test_a_closed_connection_is_reopened_and_resubscribed_async(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        level2 = await ws.subscribe_level2(product_ids=[BTC])
        await next_where(ticker)
        await next_where(level2)
        server.drop_all()
        await until(lambda: server.subscribes("ticker") == 2 and server.subscribes("level2") == 2)
        await next_where(ticker, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        await next_where(level2, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        assert ws.reconnects == 1 and server.connections == 2
        server.book_update(BTC, [("bid", "68000.00", "3")])
        await next_where(level2, lambda m: m.events[0].type == models.EventType.UPDATE)
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))
    assert server.errors == []  # every resubscribe had a new JWT


@pytest.mark.anyio
async def test_a_connection_lost_on_a_subscribe_is_reopened_and_the_subscribe_sent_again(
    server: AdvancedTradeWsServer, credentials: dict[str, str]
) -> None:
    server.drop_on_subscribe = {"level2"}  # the server closes the connection when the first level2 subscribe arrives
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        level2 = await ws.subscribe_level2(product_ids=[BTC])
        await next_where(level2, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        assert server.connections == 2 and server.subscribes("level2") == 1  # the dropped one was not accepted
        assert as_book(ws.books[BTC]) == server_book(server.book(BTC))


@pytest.mark.anyio
@pytest.mark.parametrize("keepalive", [True, False])
async def test_keepalive_subscribes_heartbeats_on_every_connection(
    server: AdvancedTradeWsServer, credentials: dict[str, str], keepalive: bool
) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url, keepalive=keepalive) as ws:
        await next_where(await ws.subscribe_ticker(product_ids=[BTC]))
        assert server.subscribed("heartbeats") is keepalive
        if keepalive:
            server.drop_all()
            await until(lambda: server.subscribes("heartbeats") == 2)


@pytest.mark.anyio
async def test_closing_a_subscription_unsubscribes_it(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    async with AsyncClient(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = await ws.subscribe_ticker(product_ids=[BTC])
        await next_where(ticker)
        await ticker.close()
        await until(lambda: not server.subscribed("ticker"))
    unsubscribe = server.received[-1][1]
    assert unsubscribe["type"] == "unsubscribe" and unsubscribe["channel"] == "ticker" and unsubscribe["product_ids"] == [BTC]
    assert server.errors == []


@pytest.mark.anyio
async def test_the_user_data_endpoint_serves_the_user_channels(keys: TestKeys, credentials: dict[str, str]) -> None:
    with AdvancedTradeWsServer(keys.public_keys(), endpoint="user-data") as user_data:
        async with AsyncClient(**credentials) as client, client.advanced_trade.ws("user_data", url=user_data.url) as ws:
            for channel in sorted(PRIVATE):
                message = await next_where(await getattr(ws, f"subscribe_{channel}")())
                assert isinstance(message, MODELS[channel])
        assert user_data.errors == []


def test_the_servers_are_both_endpoints() -> None:
    from coinbase_sdk.advanced_trade.ws import SERVERS

    assert SERVERS == {"market_data": "wss://advanced-trade-ws.coinbase.com", "user_data": "wss://advanced-trade-ws-user.coinbase.com"}


# -- sync -------------------------------------------------------------------------------------------


def next_sync(subscription: Any, predicate: Callable[[Any], object] = lambda m: True) -> Any:
    deadline = time.monotonic() + WAIT
    while True:
        message = subscription.get(timeout=max(deadline - time.monotonic(), 0.01))
        if predicate(message):
            return message


def until_sync(predicate: Callable[[], object]) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_arrives_typed_sync(server: AdvancedTradeWsServer, credentials: dict[str, str], channel: str) -> None:
    with Client(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        assert isinstance(ws, AdvancedTradeWebSocket)
        message = next_sync(getattr(ws, f"subscribe_{channel}")(**params(channel)))
    assert isinstance(message, MODELS[channel])
    assert FIRST[channel](message)
    assert server.errors == []


def test_the_level2_book_stays_equal_to_the_servers_across_a_forced_gap_sync(
    server: AdvancedTradeWsServer, credentials: dict[str, str]
) -> None:
    with Client(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        level2 = ws.subscribe_level2(product_ids=[BTC])
        next_sync(level2)
        server.book_update(BTC, [("bid", "67999.00", "7")], lose=True)
        server.book_update(BTC, [("offer", "69200.00", "1.25")])
        next_sync(level2, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        assert ws.socket.sequence_gaps == 1
        assert as_book(ws.socket.books[BTC]) == server_book(server.book(BTC))


def test_a_closed_connection_is_reopened_and_resubscribed_sync(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    options = WebSocketOptions(queue_size=100)
    with Client(**credentials) as client, client.advanced_trade.ws(url=server.url, keepalive=True, options=options) as ws:
        ticker = ws.subscribe_ticker(product_ids=[BTC])
        next_sync(ticker)
        server.drop_all()
        until_sync(lambda: server.subscribes("ticker") == 2 and server.subscribes("heartbeats") == 2)
        next_sync(ticker, lambda m: m.events[0].type == models.EventType.SNAPSHOT)
        assert ws.socket.reconnects == 1
        ticker.close()
        until_sync(lambda: not server.subscribed("ticker"))
    assert server.errors == []


def test_a_callback_gets_each_message_on_its_own_thread_sync(server: AdvancedTradeWsServer, credentials: dict[str, str]) -> None:
    got: list[Any] = []
    with Client(**credentials) as client, client.advanced_trade.ws(url=server.url) as ws:
        ticker = ws.subscribe_ticker(product_ids=[BTC], callback=got.append)
        until_sync(lambda: len(got) == 1)
        server.trade(BTC, "SELL", "68800.00", "0.2")
        until_sync(lambda: len(got) == 2)
        ticker.close()
    assert [m.events[0].type for m in got] == [models.EventType.SNAPSHOT, models.EventType.UPDATE]
    assert got[1].events[0].tickers[0].price == Decimal("68800.00")
