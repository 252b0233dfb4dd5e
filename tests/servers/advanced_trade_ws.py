"""A local Coinbase Advanced Trade WebSocket server, as `specs/coinbase/advanced-trade-ws.asyncapi.yaml` describes it.

``ws://127.0.0.1:PORT/``, served by the ``websockets`` library on its own thread and event loop
(so blocking tests can use it). ``endpoint="market-data"`` serves every channel;
``endpoint="user-data"`` only ``heartbeats``, ``user`` and ``futures_balance_summary``, like
``advanced-trade-ws-user.coinbase.com``.

Protocol: the client sends ``{"type": "subscribe"|"unsubscribe", "channel", "product_ids", "jwt"}``,
one channel per message, its first subscribe within ``subscribe_deadline`` seconds (else the
server closes the connection, code 1008). A JWT, when sent, is verified like the REST server's
(``cdp_jwt``: ES256/EdDSA, ``iss: cdp``, at most 120 s, and no ``uri`` claim) and must be new: a
JWT seen before is refused, so a client has to sign every subscribe afresh. ``user`` and
``futures_balance_summary`` need one. Every refusal is ``{"type": "error", "message": ...}``.
Each (un)subscribe is answered with a ``subscriptions`` message, then (subscribe) with the
channel's snapshot: the whole ``level2`` book of each product, the tickers, the last trades and
candles, the products' status, the user's open orders and positions, the futures balances.
``heartbeats`` sends one heartbeat a ``heartbeat_interval``. Every message but an error carries
``sequence_num``: one counter per connection, across channels, from 0.

Test hooks (callable from the test's thread): ``book_update`` (change levels: every ``level2``
subscriber gets an ``update``; with ``lose=True`` the update is lost on the way: the book changes,
the subscribers' ``sequence_num`` moves on, nothing is sent, so only a resubscribe repairs a
client's book), ``trade`` (a market trade: ``market_trades``, ``ticker``,
``ticker_batch`` and ``candles`` updates), ``order_update`` (a ``user`` update), ``balance_update``,
``status_update``, ``skip_sequence`` (the next message of each connection skips numbers: a forced
gap), ``drop_all`` (close every connection at the TCP level), ``drop_on_subscribe`` (close the
connection, without answering, when a subscribe to one of these channels arrives; once each),
``mute`` (stop sending). ``book(product)`` is the server's book, to compare with what a client
kept; ``subscribes(channel)`` counts the subscribe requests accepted (resubscribes included).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.servers import cdp_jwt
from tests.servers.keys import PublicKey

Endpoint = Literal["market-data", "user-data"]
PRODUCT_CHANNELS = ("candles", "status", "ticker", "ticker_batch", "level2", "market_trades")
CHANNELS = ("heartbeats", *PRODUCT_CHANNELS, "user", "futures_balance_summary")
PRIVATE = frozenset({"user", "futures_balance_summary"})
USER_ENDPOINT_CHANNELS = frozenset({"heartbeats", "user", "futures_balance_summary"})
DATA_CHANNEL = {"level2": "l2_data"}  # the `channel` of a subscription's messages, when it differs
EPOCH = "1970-01-01T00:00:00Z"
SPOT = {"BTC-USD": ("BTC", "USD", "0.00000001", "0.01", "1"), "ETH-USD": ("ETH", "USD", "0.00000001", "0.01", "1")}


def _now() -> str:
    """RFC 3339 with nanoseconds, as the feed writes its timestamps."""
    ns = time.time_ns()
    return datetime.fromtimestamp(ns // 1_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000:09d}Z"


def _d(value: Decimal | str) -> str:
    return format(Decimal(value), "f")


@dataclass
class Book:
    """One product's order book: price → size, per side (`bid`, `offer`)."""

    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    offers: dict[Decimal, Decimal] = field(default_factory=dict)

    def side(self, name: str) -> dict[Decimal, Decimal]:
        return self.bids if name == "bid" else self.offers

    def apply(self, side: str, price: Decimal, size: Decimal) -> None:
        levels = self.side(side)
        if size == 0:
            levels.pop(price, None)
        else:
            levels[price] = size

    def levels(self) -> list[tuple[str, Decimal, Decimal]]:
        """Every level, best first on each side (the order of a snapshot)."""
        bids = [("bid", p, s) for p, s in sorted(self.bids.items(), reverse=True)]
        offers = [("offer", p, s) for p, s in sorted(self.offers.items())]
        return bids + offers

    def copy(self) -> Book:
        return Book(dict(self.bids), dict(self.offers))


class _Conn:
    def __init__(self, ws: ServerConnection, number: int) -> None:
        self.ws = ws
        self.number = number
        self.sequence = 0
        self.subscriptions: dict[str, set[str]] = {}
        self.heartbeat: asyncio.Task[None] | None = None
        self.heartbeat_counter = 0
        self.deadline: asyncio.Task[None] | None = None
        self.muted = False
        self.skip = 0
        self.lock = asyncio.Lock()


class AdvancedTradeWsServer:
    """The Advanced Trade WebSocket feed on ``ws://127.0.0.1:PORT/``; see the module docstring."""

    __test__ = False

    def __init__(
        self,
        keys: dict[str, PublicKey],
        *,
        endpoint: Endpoint = "market-data",
        subscribe_deadline: float | None = 5.0,
        heartbeat_interval: float = 1.0,
        products: Iterable[str] = ("BTC-USD", "ETH-USD"),
    ) -> None:
        self.keys = dict(keys)
        self.endpoint = endpoint
        self.subscribe_deadline = subscribe_deadline
        self.heartbeat_interval = heartbeat_interval
        self.products = tuple(products)
        self.lock = threading.Lock()
        self.received: list[tuple[int, dict[str, Any]]] = []  # (connection, message) as the client sent it
        self.errors: list[tuple[int, str]] = []  # (connection, error message) the server answered
        self.connections = 0
        self.seen_jwts: set[str] = set()
        self.drop_on_subscribe: set[str] = set()
        self.events_first = False  # True: envelopes written `{"events": ..., "channel": ..., "sequence_num": ...}`
        self._subscribes: dict[str, int] = {}
        self._conns: list[_Conn] = []
        self._books: dict[str, Book] = {p: self._initial_book(i) for i, p in enumerate(self.products)}
        self._trades: dict[str, list[dict[str, Any]]] = {p: [] for p in self.products}
        self._trade_ids = 995_000_000
        self._last_price: dict[str, Decimal] = {p: Decimal(68_900 if i == 0 else 3_400) for i, p in enumerate(self.products)}
        self._orders: dict[str, dict[str, Any]] = {}
        self._balance = self._initial_balance()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        for product in self.products:
            for _ in range(3):
                self._record_trade(product, "BUY", self._last_price[product], Decimal("0.01"))
        self.add_order(self.sample_order("BTC-USD"))

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def __enter__(self) -> AdvancedTradeWsServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def start() -> None:
                self._server = await serve(self._handle, "127.0.0.1", 0, compression=None, max_size=1 << 20)
                self.port = self._server.sockets[0].getsockname()[1] if hasattr(self._server, "sockets") else 0
                ready.set()

            loop.run_until_complete(start())
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name=f"advanced-trade-ws-{self.endpoint}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the Advanced Trade WebSocket test server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for conn in list(self._conns):
                conn.ws.transport.abort()
            await self._server.wait_closed()

        self.run(stop())
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run a coroutine on the server's loop from the test's thread."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # -- state a test can read -------------------------------------------------------------------

    def book(self, product: str) -> Book:
        """A copy of the server's book of `product`."""
        return self._books[product].copy()

    def subscribed(self, channel: str, product: str | None = None) -> bool:
        """Whether a live connection is subscribed to `channel` (for `product`)."""
        return any(
            channel in c.subscriptions and (product is None or product in c.subscriptions[channel])
            for c in list(self._conns)
            if not c.muted
        )

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            time.sleep(0.01)

    # -- hooks -----------------------------------------------------------------------------------

    def skip_sequence(self, count: int = 1) -> None:
        """The next message of every open connection skips `count` sequence numbers (a forced gap)."""
        for conn in list(self._conns):
            conn.skip += count

    def drop_all(self) -> None:
        """Close every open connection at the TCP level (no close frame)."""

        async def drop() -> None:
            for conn in list(self._conns):
                conn.ws.transport.abort()

        self.run(drop())

    def send_raw(self, text: str) -> None:
        """Send `text` as it is (one text frame) on every open connection: payloads no spec describes."""

        async def send() -> None:
            for conn in list(self._conns):
                await conn.ws.send(text)

        self.run(send())

    def mute(self) -> None:
        """Open connections stop sending (heartbeats included); new connections are normal."""
        for conn in list(self._conns):
            conn.muted = True

    def subscribes(self, channel: str) -> int:
        """How many subscribe requests to `channel` the server accepted (on every connection)."""
        with self.lock:
            return self._subscribes.get(channel, 0)

    def book_update(self, product: str, changes: Iterable[tuple[str, str | Decimal, str | Decimal]], *, lose: bool = False) -> int:
        """Apply `(side, price, new size)` changes to the book and send them as one `update`; the count
        of recipients. With `lose`, the update is lost in transit: numbered, never sent."""
        updates = []
        now = _now()
        for side, price, size in changes:
            self._books[product].apply(side, Decimal(price), Decimal(size))
            updates.append({"side": side, "event_time": now, "price_level": _d(price), "new_quantity": _d(size)})
        event = {"type": "update", "product_id": product, "updates": updates}
        return int(self.run(self._publish("level2", product, [event], lose=lose)))

    def trade(self, product: str, side: str, price: str | Decimal, size: str | Decimal) -> None:
        """A market trade: `market_trades`, `ticker`, `ticker_batch` and `candles` subscribers hear of it."""
        trade = self._record_trade(product, side, Decimal(price), Decimal(size))
        self.run(self._publish("market_trades", product, [{"type": "update", "trades": [trade]}]))
        for channel in ("ticker", "ticker_batch"):
            self.run(self._publish(channel, product, [{"type": "update", "tickers": [self._ticker(product, channel)]}]))
        self.run(self._publish("candles", product, [{"type": "update", "candles": [self._candle(product)]}]))

    def order_update(self, order: dict[str, Any]) -> int:
        """Record an order's new state and send it to `user` subscribers (of its product, or of all)."""
        self.add_order(order)
        return int(self.run(self._publish("user", order["product_id"], [{"type": "update", "orders": [order]}])))

    def add_order(self, order: dict[str, Any]) -> None:
        self._orders[order["order_id"]] = order

    def balance_update(self, **changes: str) -> int:
        """Change futures balances and send the new summary to `futures_balance_summary` subscribers."""
        self._balance.update(changes)
        return int(self.run(self._publish("futures_balance_summary", None, [{"type": "update", "fcm_balance_summary": self._balance}])))

    def status_update(self, product: str, status: str, message: str = "") -> int:
        products = [dict(self._status(product), status=status, status_message=message)]
        return int(self.run(self._publish("status", product, [{"type": "update", "products": products}])))

    # -- protocol --------------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        if ws.request is None or ws.request.path not in ("/", ""):
            await ws.close(1008, "unknown path")
            return
        with self.lock:
            self.connections += 1
            conn = _Conn(ws, self.connections)
        self._conns.append(conn)
        if self.subscribe_deadline is not None:
            conn.deadline = asyncio.get_running_loop().create_task(self._close_unless_subscribed(conn, self.subscribe_deadline))
        try:
            async for frame in ws:
                await self._frame(conn, frame)
        except ConnectionClosed:
            pass
        finally:
            self._conns.remove(conn)
            for task in (conn.heartbeat, conn.deadline):
                if task is not None:
                    task.cancel()

    async def _close_unless_subscribed(self, conn: _Conn, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if not conn.subscriptions:
            await conn.ws.close(1008, "no subscribe message received in time")

    async def _frame(self, conn: _Conn, frame: str | bytes) -> None:
        try:
            message = json.loads(frame)
        except ValueError:
            await self._error(conn, "malformed JSON")
            return
        if not isinstance(message, dict):
            await self._error(conn, "a message must be a JSON object")
            return
        with self.lock:
            self.received.append((conn.number, message))
        problem = self._check(message)
        if problem:
            await self._error(conn, problem)
            return
        kind, channel = message["type"], message["channel"]
        products = list(message.get("product_ids") or [])
        if kind == "subscribe" and channel in self.drop_on_subscribe:
            self.drop_on_subscribe.discard(channel)
            conn.ws.transport.abort()
            return
        if kind == "subscribe":
            with self.lock:
                self._subscribes[channel] = self._subscribes.get(channel, 0) + 1
            if conn.deadline is not None:
                conn.deadline.cancel()
            added = products if channel in PRODUCT_CHANNELS or (channel == "user" and products) else []
            conn.subscriptions.setdefault(channel, set()).update(added)
            await self._send_subscriptions(conn)
            await self._snapshot(conn, channel, products)
        else:
            if channel in conn.subscriptions:
                if products:
                    conn.subscriptions[channel].difference_update(products)
                if not products or (channel in PRODUCT_CHANNELS and not conn.subscriptions[channel]):
                    del conn.subscriptions[channel]
                    if channel == "heartbeats" and conn.heartbeat is not None:
                        conn.heartbeat.cancel()
                        conn.heartbeat = None
            await self._send_subscriptions(conn)

    def _check(self, message: dict[str, Any]) -> str:
        """Why a subscription request is refused, or ""."""
        kind, channel = message.get("type"), message.get("channel")
        if kind not in ("subscribe", "unsubscribe"):
            return f"unknown message type {kind!r}"
        if not isinstance(channel, str) or channel not in CHANNELS:
            return f"unknown channel {channel!r}"
        if self.endpoint == "user-data" and channel not in USER_ENDPOINT_CHANNELS:
            return f"channel {channel} is not served on the user data endpoint"
        products = message.get("product_ids")
        if products is not None and (not isinstance(products, list) or not all(isinstance(p, str) for p in products)):
            return "product_ids must be a list of strings"
        if kind == "subscribe" and channel in PRODUCT_CHANNELS and not products:
            return f"channel {channel} needs product_ids"
        unknown = [p for p in products or [] if p not in self._books]
        if unknown:
            return f"unknown product ids {unknown}"
        token = message.get("jwt")
        if token is None:
            return f"authentication failure: channel {channel} needs a jwt" if channel in PRIVATE else ""
        if not isinstance(token, str):
            return "jwt must be a string"
        try:
            _, claims = cdp_jwt.verify_cdp_jwt(token, self.keys, expected_uri=None)
        except cdp_jwt.AuthError as exc:
            return f"authentication failure: {exc.code}: {exc.detail}"
        if "uri" in claims:
            return "authentication failure: a WebSocket jwt has no uri claim"
        with self.lock:
            if token in self.seen_jwts:
                return "authentication failure: jwt already used (sign a new one for every message)"
            self.seen_jwts.add(token)
        return ""

    async def _error(self, conn: _Conn, text: str) -> None:
        with self.lock:
            self.errors.append((conn.number, text))
        try:
            await conn.ws.send(json.dumps({"type": "error", "message": text}))
        except ConnectionClosed:
            pass

    async def _send(self, conn: _Conn, channel: str, events: list[dict[str, Any]], *, lose: bool = False) -> bool:
        """Send one envelope with the connection's next sequence number (`lose`: number it, send nothing)."""
        if conn.muted:
            return False
        async with conn.lock:
            conn.sequence += conn.skip
            conn.skip = 0
            if lose:
                conn.sequence += 1
                return True
            envelope = {"channel": channel, "client_id": "", "timestamp": _now(), "sequence_num": conn.sequence, "events": events}
            if self.events_first:
                envelope = {"events": events, **envelope}
            conn.sequence += 1
            try:
                await conn.ws.send(json.dumps(envelope))
            except ConnectionClosed:
                return False
        return True

    async def _send_subscriptions(self, conn: _Conn) -> None:
        current = {channel: sorted(products) for channel, products in sorted(conn.subscriptions.items())}
        await self._send(conn, "subscriptions", [{"subscriptions": current}])

    async def _publish(self, channel: str, product: str | None, events: list[dict[str, Any]], *, lose: bool = False) -> int:
        sent = 0
        for conn in list(self._conns):
            if channel not in conn.subscriptions:
                continue
            wanted = conn.subscriptions[channel]
            if product is not None and wanted and product not in wanted:
                continue
            if await self._send(conn, DATA_CHANNEL.get(channel, channel), events, lose=lose):
                sent += 1
        return sent

    async def _snapshot(self, conn: _Conn, channel: str, products: list[str]) -> None:
        data = DATA_CHANNEL.get(channel, channel)
        if channel == "heartbeats":
            if conn.heartbeat is None:
                conn.heartbeat = asyncio.get_running_loop().create_task(self._beat(conn))
        elif channel == "level2":
            for product in products:
                updates = [
                    {"side": side, "event_time": EPOCH, "price_level": _d(price), "new_quantity": _d(size)}
                    for side, price, size in self._books[product].levels()
                ]
                await self._send(conn, data, [{"type": "snapshot", "product_id": product, "updates": updates}])
        elif channel in ("ticker", "ticker_batch"):
            await self._send(conn, data, [{"type": "snapshot", "tickers": [self._ticker(p, channel) for p in products]}])
        elif channel == "market_trades":
            trades = [t for p in products for t in self._trades[p][-50:]]
            await self._send(conn, data, [{"type": "snapshot", "trades": trades}])
        elif channel == "candles":
            await self._send(conn, data, [{"type": "snapshot", "candles": [self._candle(p) for p in products]}])
        elif channel == "status":
            await self._send(conn, data, [{"type": "snapshot", "products": [self._status(p) for p in products]}])
        elif channel == "user":
            orders = [o for o in self._orders.values() if not products or o["product_id"] in products]
            batches = [orders[i : i + 50] for i in range(0, len(orders), 50)] or [[]]
            for batch in batches:
                await self._send(conn, data, [{"type": "snapshot", "orders": batch, "positions": self._positions()}])
        elif channel == "futures_balance_summary":
            await self._send(conn, data, [{"type": "snapshot", "fcm_balance_summary": self._balance}])

    async def _beat(self, conn: _Conn) -> None:
        while True:
            conn.heartbeat_counter += 1
            clock = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + "000 +0000 UTC m=+1.000000001"
            await self._send(conn, "heartbeats", [{"current_time": clock, "heartbeat_counter": conn.heartbeat_counter}])
            await asyncio.sleep(self.heartbeat_interval)

    # -- realistic data --------------------------------------------------------------------------

    @staticmethod
    def _initial_book(index: int) -> Book:
        mid = Decimal(68_900 if index == 0 else 3_400)
        step = Decimal("0.50") if index == 0 else Decimal("0.05")
        book = Book()
        for level in range(1, 11):
            book.bids[mid - step * level] = Decimal("0.12500000") * level
            book.offers[mid + step * level] = Decimal("0.10000000") * level
        return book

    def _record_trade(self, product: str, side: str, price: Decimal, size: Decimal) -> dict[str, Any]:
        self._trade_ids += 1
        self._last_price[product] = price
        trade = {
            "trade_id": str(self._trade_ids),
            "product_id": product,
            "price": _d(price),
            "size": _d(size),
            "side": side,
            "time": _now(),
        }
        self._trades[product].append(trade)
        return trade

    def _ticker(self, product: str, channel: str) -> dict[str, Any]:
        book = self._books[product]
        price = self._last_price[product]
        ticker: dict[str, Any] = {
            "type": "ticker",
            "product_id": product,
            "price": _d(price),
            "volume_24_h": "15328.12345678",
            "low_24_h": _d(price * Decimal("0.98")),
            "high_24_h": _d(price * Decimal("1.01")),
            "low_52_w": _d(price * Decimal("0.5")),
            "high_52_w": _d(price * Decimal("1.1")),
            "price_percent_chg_24_h": "1.85",
        }
        if channel == "ticker" and book.bids and book.offers:  # ticker_batch has no best bid/ask
            best_bid, best_ask = max(book.bids), min(book.offers)
            ticker |= {
                "best_bid": _d(best_bid),
                "best_bid_quantity": _d(book.bids[best_bid]),
                "best_ask": _d(best_ask),
                "best_ask_quantity": _d(book.offers[best_ask]),
            }
        return ticker

    def _candle(self, product: str) -> dict[str, Any]:
        start = int(time.time()) // 300 * 300
        prices = [Decimal(t["price"]) for t in self._trades[product][-20:]] or [self._last_price[product]]
        volume = sum((Decimal(t["size"]) for t in self._trades[product][-20:]), Decimal(0))
        return {
            "start": str(start),
            "high": _d(max(prices)),
            "low": _d(min(prices)),
            "open": _d(prices[0]),
            "close": _d(prices[-1]),
            "volume": _d(volume),
            "product_id": product,
        }

    def _status(self, product: str) -> dict[str, Any]:
        base, quote, base_increment, quote_increment, min_funds = SPOT.get(product, (*product.split("-", 1), "0.00000001", "0.01", "1"))
        return {
            "product_type": "SPOT",
            "id": product,
            "base_currency": base,
            "quote_currency": quote,
            "base_increment": base_increment,
            "quote_increment": quote_increment,
            "display_name": f"{base}/{quote}",
            "status": "online",
            "status_message": "",
            "min_market_funds": min_funds,
        }

    @staticmethod
    def sample_order(product: str, order_id: str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890", **changes: str) -> dict[str, Any]:
        """An open limit order as the `user` channel sends it; `changes` override fields."""
        order = {
            "order_id": order_id,
            "client_order_id": "11111-000000-000001",
            "product_id": product,
            "product_type": "SPOT",
            "order_side": "BUY",
            "order_type": "Limit",
            "status": "OPEN",
            "time_in_force": "GOOD_UNTIL_CANCELLED",
            "avg_price": "0",
            "limit_price": "68000.00",
            "stop_price": "",
            "cumulative_quantity": "0",
            "leaves_quantity": "0.001",
            "filled_value": "0",
            "number_of_fills": "0",
            "total_fees": "0",
            "total_value_after_fees": "68.10200000",
            "outstanding_hold_amount": "68.10200000",
            "completion_percentage": "0",
            "post_only": "false",
            "cancel_reason": "",
            "reject_reason": "",
            "trigger_status": "INVALID_ORDER_TYPE",
            "contract_expiry_type": "UNKNOWN_CONTRACT_EXPIRY_TYPE",
            "risk_managed_by": "UNKNOWN_RISK_MANAGEMENT_TYPE",
            "retail_portfolio_id": "11111111-2222-3333-4444-555555555555",
            "creation_time": "2026-11-30T14:29:55.123456Z",
            "end_time": "0001-01-01T00:00:00Z",
            "start_time": "0001-01-01T00:00:00Z",
        }
        order.update(changes)
        return order

    @staticmethod
    def _positions() -> dict[str, Any]:
        return {
            "perpetual_futures_positions": [],
            "expiring_futures_positions": [
                {
                    "product_id": "BIT-26DEC26-CDE",
                    "side": "LONG",
                    "number_of_contracts": "2",
                    "realized_pnl": "0",
                    "unrealized_pnl": "12.50",
                    "entry_price": "69250.00",
                }
            ],
        }

    @staticmethod
    def _initial_balance() -> dict[str, Any]:
        window = {
            "margin_window_type": "FCM_MARGIN_WINDOW_TYPE_INTRADAY",
            "margin_level": "MARGIN_LEVEL_TYPE_BASE",
            "initial_margin": "1250.00",
            "maintenance_margin": "1000.00",
            "liquidation_buffer_percentage": "87.5",
            "total_hold": "0",
            "futures_buying_power": "8750.00",
        }
        return {
            "futures_buying_power": "8750.00",
            "total_usd_balance": "10000.00",
            "cbi_usd_balance": "5000.00",
            "cfm_usd_balance": "5000.00",
            "total_open_orders_hold_amount": "0",
            "unrealized_pnl": "12.50",
            "daily_realized_pnl": "0",
            "initial_margin": "1250.00",
            "available_margin": "3750.00",
            "liquidation_threshold": "1000.00",
            "liquidation_buffer_amount": "4000.00",
            "liquidation_buffer_percentage": "80",
            "intraday_margin_window_measure": window,
            "overnight_margin_window_measure": dict(window, margin_window_type="FCM_MARGIN_WINDOW_TYPE_OVERNIGHT"),
        }
