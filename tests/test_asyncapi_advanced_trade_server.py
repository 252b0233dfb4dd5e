"""The local Advanced Trade WebSocket server speaks what the AsyncAPI document describes.

A raw `websockets` client talks to `tests/servers/advanced_trade_ws.py` over a real socket; every
message either side sends is validated against the payload schema the document gives it, and
the hooks phase 2 needs (forced gap, dropped connection, resubscribe) are exercised.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import jwt as pyjwt
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from generator.errors import Diagnostics
from generator.load.asyncapi import open_asyncapi, read_asyncapi
from tests.asyncapi_drift import inline
from tests.conftest import ROOT
from tests.servers.advanced_trade_ws import CHANNELS, PRIVATE, AdvancedTradeWsServer, Book
from tests.servers.keys import TestKeys

DOCUMENT = ROOT / "specs" / "coinbase" / "advanced-trade-ws.asyncapi.yaml"
PRODUCT_CHANNELS = ("candles", "status", "ticker", "ticker_batch", "level2", "market_trades")
DATA_CHANNEL = {"level2": "l2_data"}


class Schemas:
    """Validators for each message of the document, by AsyncAPI channel and direction."""

    def __init__(self, path: Path) -> None:
        diagnostics = Diagnostics()
        documents = open_asyncapi(path, diagnostics, root=ROOT)
        self.api = read_asyncapi(documents, diagnostics)
        assert diagnostics.items == [], diagnostics.summary()
        self.received: dict[str, jsonschema.Draft202012Validator] = {}
        self.sent: dict[tuple[str, str], jsonschema.Draft202012Validator] = {}
        for operation in self.api.operations:
            for key in operation.messages:
                message = self.api.message(key)
                assert message.payload is not None
                validator = jsonschema.Draft202012Validator(inline(message.payload.value, documents.main, documents))
                if operation.action == "receive":
                    self.received[operation.channel] = validator
                else:
                    self.sent[(operation.channel, message.name.rsplit("_", 1)[-1])] = validator

    def check_received(self, message: dict[str, Any]) -> str:
        """Validate a message from the server; return the AsyncAPI channel it belongs to."""
        if message.get("type") == "error":
            channel = "error"
        else:
            data = message["channel"]
            channel = next((c for c, d in DATA_CHANNEL.items() if d == data), data)
        self.received[channel].validate(message)
        return channel

    def check_sent(self, message: dict[str, Any]) -> None:
        self.sent[(message["channel"], message["type"])].validate(message)


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    return Schemas(DOCUMENT)


@pytest.fixture
def server(keys: TestKeys) -> Iterator[AdvancedTradeWsServer]:
    with AdvancedTradeWsServer(keys.public_keys(), heartbeat_interval=0.05) as running:
        yield running


def fresh_jwt(keys: TestKeys, *, uri: str | None = None, lifetime: int = 120) -> str:
    """A CDP JWT as a WebSocket subscribe message carries it (EdDSA, no `uri`)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": keys.ed25519_key_name, "iss": "cdp", "nbf": now, "exp": now + lifetime}
    if uri is not None:
        claims["uri"] = uri
    headers = {"kid": keys.ed25519_key_name, "nonce": time.time_ns().to_bytes(16, "big").hex(), "typ": "JWT"}
    return pyjwt.encode(claims, keys.ed25519_private_key, algorithm="EdDSA", headers=headers)


class Client:
    """A raw client: sends validated subscription requests, reads validated messages."""

    def __init__(self, ws: ClientConnection, schemas: Schemas, keys: TestKeys) -> None:
        self.ws = ws
        self.schemas = schemas
        self.keys = keys
        self.sequence: list[int] = []

    async def request(
        self, kind: str, channel: str, products: list[str] | None = None, *, jwt: str | None | bool = True, valid: bool = True
    ) -> None:
        message: dict[str, Any] = {"type": kind, "channel": channel}
        if products is not None:
            message["product_ids"] = products
        if jwt is True:
            message["jwt"] = fresh_jwt(self.keys)
        elif isinstance(jwt, str):
            message["jwt"] = jwt
        if valid:  # a request the document allows (tests of refusals send others on purpose)
            self.schemas.check_sent(message)
        await self.ws.send(json.dumps(message))

    async def next(self, timeout: float = 5) -> tuple[str, dict[str, Any]]:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        channel = self.schemas.check_received(message)
        if "sequence_num" in message:
            self.sequence.append(message["sequence_num"])
        return channel, message

    async def until(self, channel: str, timeout: float = 5) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            got, message = await self.next(max(deadline - time.monotonic(), 0.01))
            if got == channel:
                return message


@asynccontextmanager
async def client(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> AsyncIterator[Client]:
    async with connect(server.url, compression=None) as ws:
        yield Client(ws, schemas, keys)


def test_the_document_describes_every_channel_the_server_serves(schemas: Schemas) -> None:
    addresses = {c.address for c in schemas.api.channels}
    assert set(CHANNELS) | {"subscriptions"} <= addresses
    for channel in CHANNELS:
        assert channel in schemas.received and (channel, "subscribe") in schemas.sent and (channel, "unsubscribe") in schemas.sent
    servers = {s.key: s.url for s in schemas.api.servers}
    assert servers == {"market-data": "wss://advanced-trade-ws.coinbase.com", "user-data": "wss://advanced-trade-ws-user.coinbase.com"}
    assert schemas.api.extensions["x-sequence"]["field"] == "sequence_num"
    assert schemas.api.channel("level2").extensions["x-book"]["size"] == "new_quantity"
    for channel in PRIVATE:
        subscribe = next(op for op in schemas.api.operations if op.key == f"{channel}Subscribe")
        assert subscribe.action == "send" and subscribe.reply is not None and subscribe.security
        assert schemas.api.message(subscribe.messages[0]).extensions["x-jwt"]["required"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("channel", CHANNELS)
async def test_every_channel_answers_a_subscribe_with_typed_messages(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys, channel: str
) -> None:
    products = ["BTC-USD", "ETH-USD"] if channel in PRODUCT_CHANNELS else None
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", channel, products)
        _, confirmation = await c.next()
        assert confirmation["channel"] == "subscriptions"
        assert channel in confirmation["events"][0]["subscriptions"]
        _, first = await c.next()
        assert first["channel"] == DATA_CHANNEL.get(channel, channel)
        if channel == "heartbeats":
            _, second = await c.next()
            assert second["events"][0]["heartbeat_counter"] == first["events"][0]["heartbeat_counter"] + 1
        else:
            assert first["events"][0]["type"] == "snapshot"
        if channel == "level2":
            assert {e["product_id"] for e in first["events"]} == {"BTC-USD"}  # one snapshot message per product
            _, eth = await c.next()
            assert eth["events"][0]["product_id"] == "ETH-USD"
    assert c.sequence == list(range(len(c.sequence)))


@pytest.mark.anyio
async def test_updates_of_every_channel_match_the_document(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> None:
    async with client(server, schemas, keys) as c:
        for channel in CHANNELS:
            if channel != "heartbeats":
                await c.request("subscribe", channel, ["BTC-USD"] if channel in PRODUCT_CHANNELS else None)
        seen: set[str] = set()
        while seen != set(CHANNELS) - {"heartbeats"} | {"subscriptions"}:
            got, _ = await c.next()
            seen.add(got)
        await asyncio.to_thread(server.trade, "BTC-USD", "SELL", "68899.50", "0.25")
        await asyncio.to_thread(server.book_update, "BTC-USD", [("bid", "68899.50", "0"), ("offer", "68901.00", "1.5")])
        order = AdvancedTradeWsServer.sample_order("BTC-USD", status="FILLED", cumulative_quantity="0.001", leaves_quantity="0")
        await asyncio.to_thread(server.order_update, order)
        await asyncio.to_thread(server.balance_update, unrealized_pnl="-3.25")
        await asyncio.to_thread(server.status_update, "BTC-USD", "delisted", "no more trading")
        updates: set[str] = set()
        while updates != {"market_trades", "ticker", "ticker_batch", "candles", "level2", "user", "futures_balance_summary", "status"}:
            got, message = await c.next()
            assert message["events"][0]["type"] == "update"
            updates.add(got)
    assert c.sequence == list(range(len(c.sequence)))


@pytest.mark.anyio
async def test_sequence_num_counts_per_connection_across_channels(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> None:
    async with client(server, schemas, keys) as a, client(server, schemas, keys) as b:
        await a.request("subscribe", "heartbeats")
        await a.request("subscribe", "level2", ["BTC-USD"])
        await b.request("subscribe", "level2", ["BTC-USD"])
        for _ in range(6):
            await a.next()
        for _ in range(2):
            await b.next()
    assert a.sequence == list(range(6)) and b.sequence == [0, 1]


@pytest.mark.anyio
async def test_private_channels_need_a_fresh_valid_jwt_per_message(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> None:
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "user", jwt=None, valid=False)
        _, error = await c.next()
        assert error == {"type": "error", "message": "authentication failure: channel user needs a jwt"}
        expired = fresh_jwt(keys, lifetime=1)
        await asyncio.sleep(1.2)
        await c.request("subscribe", "futures_balance_summary", jwt=expired)
        _, error = await c.next()
        assert error["message"].startswith("authentication failure: expired")
        await c.request("subscribe", "user", jwt=fresh_jwt(keys, uri="GET api.coinbase.com/api/v3/brokerage/accounts"))
        _, error = await c.next()
        assert error["message"] == "authentication failure: a WebSocket jwt has no uri claim"
        token = fresh_jwt(keys)
        await c.request("subscribe", "user", jwt=token)
        assert (await c.until("subscriptions"))["events"][0]["subscriptions"] == {"user": []}
        snapshot = await c.until("user")
        assert snapshot["events"][0]["orders"][0]["status"] == "OPEN"
        await c.request("subscribe", "futures_balance_summary", jwt=token)  # the same JWT again
        _, error = await c.next()
        assert error["message"].startswith("authentication failure: jwt already used")
        await c.request("subscribe", "futures_balance_summary")  # a new one
        assert (await c.until("futures_balance_summary"))["events"][0]["fcm_balance_summary"]["total_usd_balance"] == "10000.00"


@pytest.mark.anyio
async def test_the_user_data_endpoint_serves_only_user_channels(keys: TestKeys, schemas: Schemas) -> None:
    with AdvancedTradeWsServer(keys.public_keys(), endpoint="user-data") as server:
        async with client(server, schemas, keys) as c:
            await c.request("subscribe", "level2", ["BTC-USD"])
            _, error = await c.next()
            assert error["message"] == "channel level2 is not served on the user data endpoint"
            await c.request("subscribe", "user", ["BTC-USD"])
            assert (await c.until("subscriptions"))["events"][0]["subscriptions"] == {"user": ["BTC-USD"]}


@pytest.mark.anyio
async def test_unsubscribe_stops_a_channel_and_is_confirmed(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> None:
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "market_trades", ["BTC-USD", "ETH-USD"])
        await c.until("market_trades")
        await c.request("unsubscribe", "market_trades", ["ETH-USD"])
        assert (await c.until("subscriptions"))["events"][0]["subscriptions"] == {"market_trades": ["BTC-USD"]}
        await c.request("unsubscribe", "market_trades")
        assert (await c.until("subscriptions"))["events"][0]["subscriptions"] == {}
        assert await asyncio.to_thread(lambda: server.run(server._publish("market_trades", "BTC-USD", []))) == 0


@pytest.mark.anyio
async def test_bad_requests_get_an_error_message(server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys) -> None:
    async with client(server, schemas, keys) as c:
        for raw, expected in (
            ("not json", "malformed JSON"),
            ('{"type": "subscribe", "channel": "level3", "product_ids": ["BTC-USD"]}', "unknown channel 'level3'"),
            ('{"type": "subscribe", "channel": "level2"}', "channel level2 needs product_ids"),
            ('{"type": "subscribe", "channel": "level2", "product_ids": ["DOGE-XYZ"]}', "unknown product ids ['DOGE-XYZ']"),
            ('{"type": "resubscribe", "channel": "level2"}', "unknown message type 'resubscribe'"),
        ):
            await c.ws.send(raw)
            assert await c.next() == ("error", {"type": "error", "message": expected})


@pytest.mark.anyio
async def test_a_connection_with_no_subscribe_is_closed(keys: TestKeys, schemas: Schemas) -> None:
    with AdvancedTradeWsServer(keys.public_keys(), subscribe_deadline=0.2) as server:
        async with connect(server.url) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def apply(book: Book, event: dict[str, Any]) -> None:
    """What a client does with a `level2` event (the document's `x-book`)."""
    if event["type"] == "snapshot":
        book.bids.clear()
        book.offers.clear()
    for update in event["updates"]:
        book.apply(update["side"], Decimal(update["price_level"]), Decimal(update["new_quantity"]))


@pytest.mark.anyio
async def test_a_level2_book_kept_from_snapshot_and_updates_matches_the_servers(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys
) -> None:
    book = Book()
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "level2", ["BTC-USD"])
        apply(book, (await c.until("level2"))["events"][0])
        assert book == server.book("BTC-USD")
        changes = [[("bid", "68899.50", "0")], [("bid", "68899.75", "0.3"), ("offer", "68900.50", "2")], [("offer", "68905.00", "0")]]
        for change in changes:
            await asyncio.to_thread(server.book_update, "BTC-USD", change)
            apply(book, (await c.until("level2"))["events"][0])
        assert book == server.book("BTC-USD")


@pytest.mark.anyio
async def test_a_forced_gap_is_seen_and_a_resubscribe_brings_a_fresh_snapshot(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys
) -> None:
    book = Book()
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "level2", ["BTC-USD"])
        apply(book, (await c.until("level2"))["events"][0])
        server.skip_sequence(3)
        await asyncio.to_thread(server.book_update, "BTC-USD", [("bid", "68899.50", "9")])
        await c.until("level2")  # the client sees the jump in sequence_num ...
        assert c.sequence[-1] - c.sequence[-2] == 4
        await asyncio.to_thread(server.book_update, "BTC-USD", [("bid", "68899.00", "0")])  # ... and a change it may have missed
        await c.until("level2")
        await c.request("unsubscribe", "level2", ["BTC-USD"])
        await c.until("subscriptions")
        await c.request("subscribe", "level2", ["BTC-USD"])
        apply(book, (await c.until("level2"))["events"][0])
        assert book == server.book("BTC-USD")


@pytest.mark.anyio
async def test_after_a_dropped_connection_a_new_one_resubscribes_and_gets_snapshots(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys
) -> None:
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "level2", ["BTC-USD"])
        await c.until("level2")
        await asyncio.to_thread(server.drop_all)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(c.ws.recv(), 5)
    await asyncio.to_thread(server.book_update, "BTC-USD", [("offer", "68901.00", "0")])  # missed while away
    async with client(server, schemas, keys) as again:
        await again.request("subscribe", "level2", ["BTC-USD"])
        book = Book()
        apply(book, (await again.until("level2"))["events"][0])
        assert book == server.book("BTC-USD")
        assert again.sequence[0] == 0  # numbering starts over on a new connection
    assert server.connections == 2


@pytest.mark.anyio
async def test_a_lost_update_leaves_a_gap_only_a_resubscribe_repairs(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys
) -> None:
    book = Book()
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "level2", ["BTC-USD"])
        apply(book, (await c.until("level2"))["events"][0])
        await asyncio.to_thread(server.book_update, "BTC-USD", [("offer", "68900.50", "0")], lose=True)
        await asyncio.to_thread(server.book_update, "BTC-USD", [("bid", "68899.50", "7")])
        apply(book, (await c.until("level2"))["events"][0])
        assert c.sequence[-1] - c.sequence[-2] == 2  # one message never arrived ...
        assert book != server.book("BTC-USD")  # ... and the kept book is wrong
        await c.request("subscribe", "level2", ["BTC-USD"])  # resubscribing sends a new snapshot
        apply(book, (await c.until("level2"))["events"][0])
        assert book == server.book("BTC-USD")
    assert server.subscribes("level2") == 2


@pytest.mark.anyio
async def test_a_connection_can_be_dropped_when_a_subscribe_arrives(
    server: AdvancedTradeWsServer, schemas: Schemas, keys: TestKeys
) -> None:
    server.drop_on_subscribe.add("user")
    async with client(server, schemas, keys) as c:
        await c.request("subscribe", "user")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(c.ws.recv(), 5)
    async with client(server, schemas, keys) as c:  # once only: the next connection is served
        await c.request("subscribe", "user")
        await c.until("user")
    assert server.subscribes("user") == 1
