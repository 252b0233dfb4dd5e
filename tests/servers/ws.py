"""A Deribit-style JSON-RPC 2.0 over WebSocket server mimicking Coinbase's derivatives gateway.

``ws://127.0.0.1:PORT/ws/api/v2``, served by the ``websockets`` library on its own thread and
event loop (so blocking tests and subprocesses can use it). Frames above 32 KiB are refused
(close code 1009), like the gateway. Methods: ``public/auth`` (every grant type of the HTTP
server, checked the same way; it authenticates the *connection*), ``public/set_heartbeat``,
``public/test``, ``public|private/subscribe``, ``public|private/unsubscribe``,
``private/get_account_summaries``, ``private/get_account_summary``,
``private/change_margin_model``, and the trading and market-data methods of the matching engine
(``tests/servers/matching.py``: ``exchange``, shareable with the HTTP server). Numbers are
parsed as ``Decimal`` and written with exact digits. Private methods and channels need an authenticated
connection (else 13009). Notifications are ``{"method": "subscription", "params": {"channel",
"data"}}``; heartbeats are ``{"method": "heartbeat", "params": {"type": "test_request"}}``.

Faults, set from the test's thread: ``drop_on`` (close the TCP connection when a method
arrives, without answering), ``reorder`` (hold N requests, answer them in reverse order),
``mute()`` (the current connections stop sending and answering, sockets stay open),
``too_many_on`` (answer 10028 too_many_requests, then close), ``send_raw`` (any frame),
``publish``/``flood`` (notifications; the user's ``user.orders.*``, ``user.trades.*`` and
``user.changes.*`` are sent whenever the matching engine changes the user's orders, whoever
called it: this socket, the HTTP server sharing the exchange, or ``exchange.place``), ``replay_from`` (on subscribe, replay a channel's
history from a ``change_id``), ``snapshots`` (on every subscribe, send the channel's snapshot),
``lose_response_to`` (carry out the method's next call, then close
the connection without answering: a response lost on the way back).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.servers import cdp_jwt
from tests.servers.jsonrpc import DERIBIT_CLIENTS, OAUTH_TEST_TOKEN, SCOPE, RpcError, check_params, deribit_signature, invalid_params
from tests.servers.keys import PublicKey
from tests.servers.matching import USER, Exchange, GatewayError, to_json
from tests.servers.rawjson import dumps_raw, loads_raw

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"
PATH = "/ws/api/v2"
MAX_FRAME = 32 * 1024


class _Conn:
    def __init__(self, ws: ServerConnection, number: int) -> None:
        self.ws = ws
        self.number = number
        self.authenticated = False
        self.channels: set[str] = set()
        self.muted = False
        self.heartbeat: asyncio.Task[None] | None = None
        self.held: list[dict[str, Any]] = []


class WsServer:
    """The gateway over WebSocket; ``url`` is ``ws://127.0.0.1:PORT/ws/api/v2``."""

    def __init__(self, keys: dict[str, PublicKey], *, token_ttl: int = 900, exchange: Exchange | None = None) -> None:
        self.keys = dict(keys)
        self.exchange = exchange if exchange is not None else Exchange()
        self.lose_response_to: Counter[str] = Counter()
        self.token_ttl = token_ttl
        self.extended_raw = (PAYLOADS / "account_summaries_extended.json").read_text()
        self.extended: dict[str, Any] = loads_raw(self.extended_raw)
        self.lock = threading.Lock()
        self.requests: list[tuple[int, str, dict[str, Any]]] = []  # (connection, method, params)
        self.connections = 0
        self.auth_calls = 0
        self.test_requests_sent = 0
        self.history: dict[str, list[dict[str, Any]]] = {}
        # faults
        self.drop_on: set[str] = set()
        self.too_many_on: set[str] = set()
        self.reorder = 0
        self.replay_from: dict[str, int] = {}
        self.snapshots: dict[str, Callable[[], dict[str, Any]]] = {}  # channel -> its snapshot, sent on each subscribe
        self._conns: list[_Conn] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._watch_exchange()

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH}"

    def __enter__(self) -> WsServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def start() -> None:
                self._server = await serve(self._handle, "127.0.0.1", 0, max_size=MAX_FRAME, compression=None)
                self.port = self._server.sockets[0].getsockname()[1] if hasattr(self._server, "sockets") else 0
                ready.set()

            loop.run_until_complete(start())
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="ws-test-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the WebSocket test server did not start")
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

    def methods(self, name: str | None = None) -> list[str]:
        with self.lock:
            return [m for _, m, _ in self.requests if name is None or m == name]

    def count(self, method: str) -> int:
        return len(self.methods(method))

    # -- faults and notifications (callable from any thread) -------------------------------------

    def mute(self) -> None:
        """The open connections stop answering and sending (heartbeats included); new ones are normal."""
        for conn in list(self._conns):
            conn.muted = True

    def drop_all(self) -> None:
        """Close every open connection at the TCP level (no close frame)."""

        async def drop() -> None:
            for conn in list(self._conns):
                conn.ws.transport.abort()

        self.run(drop())

    def send_raw(self, text: str) -> None:
        """Send one raw frame on every open connection."""

        async def send() -> None:
            for conn in list(self._conns):
                await conn.ws.send(text)

        self.run(send())

    def publish(self, channel: str, data: dict[str, Any], *, record: bool = True) -> int:
        """Send one notification to every connection subscribed to ``channel``; the count of recipients."""
        if record:
            with self.lock:
                self.history.setdefault(channel, []).append(data)
        return int(
            self.run(
                self._publish(
                    channel, json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": channel, "data": data}})
                )
            )
        )

    def flood(self, channel: str, count: int, make: Callable[[int], str]) -> None:
        """Send ``count`` notifications as fast as the socket takes them; ``make(i)`` is the data's JSON text."""

        async def flood() -> None:
            targets = [c for c in self._conns if channel in c.channels]
            prefix = '{"jsonrpc":"2.0","method":"subscription","params":{"channel":' + json.dumps(channel) + ',"data":'
            for i in range(count):
                for conn in targets:
                    await conn.ws.send(prefix + make(i) + "}}")

        self.run(flood(), timeout=300)

    async def _publish(self, channel: str, text: str) -> int:
        sent = 0
        for conn in list(self._conns):
            if channel in conn.channels and not conn.muted:
                try:
                    await conn.ws.send(text)
                    sent += 1
                except ConnectionClosed:
                    pass
        return sent

    def subscribed(self, channel: str) -> bool:
        """Whether a live (not muted) connection is subscribed to ``channel``."""
        return any(channel in c.channels and not c.muted for c in list(self._conns))

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            time.sleep(0.01)

    # -- the user's private channels, fed by the matching engine ---------------------------------

    def _watch_exchange(self) -> None:
        """Notify the user's orders and fills on ``user.orders.*``/``user.trades.*``/``user.changes.*``,
        whoever changed them: a call over this socket, over HTTP (a ``JsonRpcServer`` sharing the
        exchange) or the test's ``exchange.place`` for the market side."""
        exchange = self.exchange
        original_call, original_place = exchange.call, exchange.place

        def marks() -> dict[str, tuple[Any, ...]]:
            return {o.order_id: (o.state, o.filled, o.amount, o.price, o.updated) for o in exchange.orders.values() if o.account == USER}

        def watched(function: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with exchange.lock:
                    before, trades = marks(), len(exchange.trades)
                    try:
                        return function(*args, **kwargs)
                    finally:
                        after = marks()
                        changed = [exchange.orders[i] for i, mark in after.items() if before.get(i) != mark]
                        self._notify_user(changed, exchange.trades[trades:])

            return wrapper

        exchange.call = watched(original_call)  # type: ignore[method-assign]
        exchange.place = watched(original_place)  # type: ignore[method-assign]

    def _notify_user(self, orders: list[Any], trades: list[Any]) -> None:
        if self._loop is None or not (orders or trades):
            return
        notes: list[tuple[str, Any]] = []
        for order in orders:
            instrument = order.instrument
            scopes = (instrument.name, f"future.{instrument.currency.lower()}", "any.any", f"any.{instrument.currency.lower()}")
            for scope in scopes:
                notes.append((f"user.orders.{scope}.raw", order.as_result()))
                notes += [(f"user.orders.{scope}.{interval}", [order.as_result()]) for interval in ("100ms", "agg2")]
        fills = [(trade, order) for trade in trades for order, _, _ in trade.sides if order.account == USER]
        for trade, order in fills:
            instrument = trade.instrument
            scopes = (instrument.name, f"future.{instrument.currency.lower()}", "any.any", f"any.{instrument.currency.lower()}")
            for scope in scopes:
                notes += [(f"user.trades.{scope}.{interval}", [trade.for_order(order)]) for interval in ("raw", "100ms", "agg2")]
        for scope in {o.instrument.name for o in orders} | {t.instrument.name for t, _ in fills}:
            change = {
                "instrument_name": scope,
                "orders": [o.as_result() for o in orders if o.instrument.name == scope],
                "trades": [t.for_order(o) for t, o in fills if t.instrument.name == scope],
                "positions": [],
            }
            notes += [(f"user.changes.{scope}.{interval}", change) for interval in ("raw", "100ms", "agg2")]
        for channel, data in notes:
            text = '{"jsonrpc":"2.0","method":"subscription","params":{"channel":' + json.dumps(channel) + ',"data":' + to_json(data) + "}}"
            # Not waited for: the exchange may be called on the server's own loop (a call over this socket).
            asyncio.run_coroutine_threadsafe(self._publish(channel, text), self._loop)

    # -- protocol ----------------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        if ws.request is None or ws.request.path != PATH:
            await ws.close(1008, "unknown path")
            return
        with self.lock:
            self.connections += 1
            conn = _Conn(ws, self.connections)
        self._conns.append(conn)
        try:
            async for frame in ws:
                if conn.muted:
                    continue
                await self._frame(conn, frame)
        except ConnectionClosed:
            pass
        finally:
            self._conns.remove(conn)
            if conn.heartbeat is not None:
                conn.heartbeat.cancel()

    async def _frame(self, conn: _Conn, frame: str | bytes) -> None:
        request = json.loads(frame, parse_float=Decimal)
        method, params, rpc_id = request.get("method"), request.get("params") or {}, request.get("id")
        with self.lock:
            self.requests.append((conn.number, method, params))
        if method in self.drop_on:
            self.drop_on.discard(method)
            conn.ws.transport.abort()
            return
        if method in self.too_many_on:
            self.too_many_on.discard(method)
            await conn.ws.send(self._envelope(rpc_id, "error", json.dumps({"code": 10028, "message": "too_many_requests"})))
            await conn.ws.close(1008, "too_many_requests")
            return
        if self.reorder:
            conn.held.append(request)
            if len(conn.held) < self.reorder:
                return
            held, conn.held = conn.held, []
            for item in reversed(held):
                await self._answer(conn, item)
            return
        await self._answer(conn, request)

    async def _answer(self, conn: _Conn, request: dict[str, Any]) -> None:
        method, params, rpc_id = request.get("method"), request.get("params") or {}, request.get("id")
        replay: list[tuple[str, dict[str, Any]]] = []
        try:
            handler = _METHODS.get(str(method))
            if handler is None and not self.exchange.handles(str(method)):
                raise RpcError(-32601, "method_not_found")
            if str(method).startswith("private/") and not conn.authenticated:
                raise RpcError(13009, "unauthorized", {"reason": "connection_not_authenticated"})
            if handler is not None:
                raw = handler(self, conn, params)
            else:
                try:
                    raw = self.exchange.call_json(str(method), params, "user" if conn.authenticated else None)
                except GatewayError as exc:
                    raise RpcError(exc.code, exc.message, exc.data) from None
            if method in ("public/subscribe", "private/subscribe"):
                for channel in params["channels"]:
                    start = self.replay_from.get(channel)
                    if start is not None:
                        with self.lock:
                            replay += [(channel, d) for d in self.history.get(channel, []) if d.get("change_id", 0) >= start]
                    if channel in self.snapshots:
                        replay.append((channel, self.snapshots[channel]()))
            text = self._envelope(rpc_id, "result", raw)
        except RpcError as exc:
            error: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if exc.data is not None:
                error["data"] = exc.data
            text = self._envelope(rpc_id, "error", json.dumps(error))
        with self.lock:
            lose = self.lose_response_to[str(method)] > 0
            if lose:
                self.lose_response_to[str(method)] -= 1
        if lose:
            conn.ws.transport.abort()  # carried out, but the answer never arrives
            return
        try:
            await conn.ws.send(text)
            for channel, data in replay:
                await conn.ws.send(json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": channel, "data": data}}))
        except ConnectionClosed:
            pass

    @staticmethod
    def _envelope(rpc_id: Any, member: str, raw: str) -> str:
        now = time.time_ns() // 1000
        return (
            f'{{"jsonrpc":"2.0","id":{json.dumps(rpc_id)},"{member}":{raw.strip()},"usIn":{now},"usOut":{now},"usDiff":0,"testnet":false}}'
        )

    # -- methods -----------------------------------------------------------------------------------

    def _auth(self, conn: _Conn, params: dict[str, Any]) -> str:
        with self.lock:
            self.auth_calls += 1
        grant = params.get("grant_type")
        if grant in ("coinbase_cdp", "coinbase_oauth2"):
            check_params(params, {"grant_type": (str, True), "token": (str, True), "scope": (str, False)})
            if grant == "coinbase_cdp":
                try:
                    cdp_jwt.verify_cdp_jwt(params["token"], self.keys, expected_uri=None)
                except cdp_jwt.AuthError as exc:
                    raise RpcError(13004, "invalid_credentials", {"reason": exc.code}) from None
            elif params["token"] != OAUTH_TEST_TOKEN:
                raise RpcError(13004, "invalid_credentials", {"reason": "bad_oauth_token"})
        elif grant == "client_credentials":
            check_params(params, {"grant_type": (str, True), "client_id": (str, True), "client_secret": (str, True), "scope": (str, False)})
            if DERIBIT_CLIENTS.get(params["client_id"]) != params["client_secret"]:
                raise RpcError(13004, "invalid_credentials", {"reason": "bad_client_credentials"})
        elif grant == "client_signature":
            spec = {
                "grant_type": (str, True),
                "client_id": (str, True),
                "timestamp": (int, True),
                "nonce": (str, True),
                "data": (str, False),
                "signature": (str, True),
                "scope": (str, False),
            }
            check_params(params, spec)
            secret = DERIBIT_CLIENTS.get(params["client_id"], "")
            if deribit_signature(secret, params["timestamp"], params["nonce"], params.get("data", "")) != params["signature"]:
                raise RpcError(13004, "invalid_credentials", {"reason": "bad_signature"})
        elif grant == "refresh_token":
            check_params(params, {"grant_type": (str, True), "refresh_token": (str, True)})
            if not params["refresh_token"].startswith("refresh-"):
                raise RpcError(13004, "invalid_credentials", {"reason": "unknown_refresh_token"})
        else:
            raise invalid_params("grant_type", f"unsupported grant_type {grant!r}")
        conn.authenticated = True
        number = self.auth_calls
        result = {
            "access_token": f"ws-token-{number}",
            "expires_in": self.token_ttl,
            "refresh_token": f"refresh-{number}",
            "scope": SCOPE,
            "token_type": "bearer",
        }
        return json.dumps(result)

    def _set_heartbeat(self, conn: _Conn, params: dict[str, Any]) -> str:
        check_params(params, {"interval": (int, True)})
        interval = params["interval"]
        if conn.heartbeat is not None:
            conn.heartbeat.cancel()

        async def beat() -> None:
            while True:
                await asyncio.sleep(interval)
                if conn.muted:
                    continue
                with self.lock:
                    self.test_requests_sent += 1
                await conn.ws.send('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}')

        conn.heartbeat = asyncio.get_running_loop().create_task(beat())
        return '"ok"'

    def _test(self, conn: _Conn, params: dict[str, Any]) -> str:
        check_params(params, {"expected_result": (str, False)})
        return '{"version":"1.2.26"}'

    def _subscribe(self, conn: _Conn, params: dict[str, Any]) -> str:
        channels = params.get("channels")
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise invalid_params("channels", "must be a list of strings")
        accepted = [c for c in channels if not c.startswith("unknown.")]
        conn.channels.update(accepted)
        return json.dumps(accepted)

    def _private_subscribe(self, conn: _Conn, params: dict[str, Any]) -> str:
        return self._subscribe(conn, params)

    def _unsubscribe(self, conn: _Conn, params: dict[str, Any]) -> str:
        channels = [c for c in params.get("channels", []) if c in conn.channels]
        conn.channels.difference_update(channels)
        return json.dumps(channels)

    def _summaries(self, conn: _Conn, params: dict[str, Any]) -> str:
        check_params(params, {"subaccount_id": (int, False), "extended": (bool, False), "include_isolated": (bool, False)})
        if params.get("extended"):
            return self.extended_raw
        return dumps_raw({"summaries": self.extended["summaries"]})

    def _summary(self, conn: _Conn, params: dict[str, Any]) -> str:
        check_params(params, {"currency": (str, True), "subaccount_id": (int, False), "extended": (bool, False)})
        for summary in self.extended["summaries"]:
            if str(summary["currency"]).lower() == params["currency"].lower():
                return dumps_raw(summary)
        raise invalid_params("currency", "wrong currency")

    def _change_margin_model(self, conn: _Conn, params: dict[str, Any]) -> str:
        check_params(params, {"margin_model": (str, True), "user_id": (int, False), "dry_run": (bool, False)})
        return dumps_raw(loads_raw((PAYLOADS / "change_margin_model.json").read_text())["result"])


_METHODS: dict[str, Callable[[WsServer, _Conn, dict[str, Any]], str]] = {
    "public/auth": WsServer._auth,
    "public/set_heartbeat": WsServer._set_heartbeat,
    "public/test": WsServer._test,
    "public/subscribe": WsServer._subscribe,
    "private/subscribe": WsServer._private_subscribe,
    "public/unsubscribe": WsServer._unsubscribe,
    "private/unsubscribe": WsServer._unsubscribe,
    "private/get_account_summaries": WsServer._summaries,
    "private/get_account_summary": WsServer._summary,
    "private/change_margin_model": WsServer._change_margin_model,
}
