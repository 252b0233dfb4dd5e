# sdkgen runtime: copied unchanged into every SDK with a message-protocol WebSocket API (`ws` extra).
"""WebSocket clients whose subscriptions are messages the client sends (AsyncAPI `send` operations).

The other subscription protocol, subscribe calls answered like requests, is `_websocket.py`. Here a
subscription is a JSON message built from what the spec fixes (`{"type": "subscribe", "channel":
"level2"}`: the `const` fields of the channel's subscribe message) and the method's arguments
(`product_ids`); when the spec marks a field for a token (`x-jwt`), a token made afresh for every
message (by a plug-in's hook) fills it. Everything the server sends comes on one connection:

- a message is routed to its channel by one envelope field (`x-dispatch`), then parsed into the
  channel's model when the consumer takes it (decoded once, validated lazily). The reader usually
  does not decode a frame at all: an anchored pattern reads the dispatch and sequence fields from
  the envelope's leading members, the frame's text is queued, and the consumer decodes and
  validates it in one pydantic-core step (`validate_json`). Frames the pattern does not fit (those
  fields behind a nested value, escapes in them, a possible error message, a channel that keeps a
  book) are decoded by `json.loads` as before, with the same routing and numbering;
- an error message (`x-dispatch.errors`) is kept in `errors` and logged;
- messages numbered per connection (`x-sequence`) have their gaps counted (`sequence_gaps`) and
  late or repeated numbers dropped (`late`); with `on-gap: resubscribe` every channel that keeps
  state (an order book, `x-book`) is subscribed again for a fresh snapshot, and its updates are
  dropped until the snapshot comes (`stale`);
- a channel with `x-book` is kept as an `OrderBook` per product (`books`);
- a lost connection is opened again and every subscription re-sent (fresh tokens), the channels
  that keep state starting again from their snapshots (`reconnects`);
- `keepalive=True` subscribes the channel the spec marks `x-keepalive` (server heartbeats that
  keep the other subscriptions open) on every connection.

`SyncMessageSocket` is the same client for synchronous code: the async one on a loop thread.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Literal, TypeVar

from pydantic import TypeAdapter, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from ._exceptions import CredentialsError, RequestInfo
from ._websocket_loop import LoopThread, SyncStream
from ._websocket_types import ConnectionLostError, Overflow, SubscriptionOverflowError, WebSocketOptions

__all__ = [
    "AsyncMessageSocket",
    "BookRule",
    "MessageChannel",
    "MessageProtocol",
    "MessageSubscription",
    "OrderBook",
    "SyncMessageSocket",
    "SyncMessageSubscription",
]

_T = TypeVar("_T")
logger = logging.getLogger(__name__.rsplit(".", 1)[0])
# One leading envelope member whose value is a scalar (a string without escapes, a number, true,
# false, null): the members a field pattern may skip. Skipping only scalars keeps the pattern at
# the envelope's top level, so a field of the same name inside a nested value is never taken.
_SCALAR_MEMBER = r'\s*"(?!{name}")[^"\\]*"\s*:\s*(?:"[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false|null)\s*,'


def _field_pattern(name: str, value: str) -> re.Pattern[str]:
    """The pattern reading envelope field `name` (its value matching `value`, captured) among its leading scalars."""
    key = re.escape(json.dumps(name))
    return re.compile(r"\s*\{(?:" + _SCALAR_MEMBER.format(name=re.escape(name)) + r")*?\s*" + key + r"\s*:\s*" + value)


@dataclass(frozen=True)
class BookRule:
    """How a channel's events build an order book (`x-book`): field names and values of its events."""

    events: str  # the envelope field listing the events
    product: str  # the event field naming the product
    kind: str  # the event field telling snapshots from updates
    snapshot: str
    update: str
    levels: str  # the event field listing the levels
    side: str
    bid: str
    ask: str
    price: str
    size: str  # the new size at the price (not a delta)
    remove_when: str = "0"


@dataclass(frozen=True)
class MessageChannel:
    """One channel: the messages that (un)subscribe it and how its messages are recognised."""

    name: str
    dispatch: tuple[str, ...]  # values of the protocol's dispatch field on this channel's messages
    subscribe: Mapping[str, Any]  # the fixed fields of its subscribe message
    unsubscribe: Mapping[str, Any]
    token_field: str = ""  # the field a fresh token fills, "" for none
    private: bool = False  # no subscription without a token
    book: BookRule | None = None
    keepalive: bool = False


@dataclass(frozen=True)
class MessageProtocol:
    """What the whole connection shares: routing, errors and numbering."""

    dispatch_field: str
    error_field: str = ""
    error_value: str = ""
    sequence_field: str = ""
    on_gap: Literal["count", "resubscribe"] = "count"
    max_frame_bytes: int = 16 * 1024 * 1024


@dataclass
class OrderBook:
    """One product's book kept from a channel's snapshot and updates: price → size per side."""

    product: str
    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)
    stale: bool = False  # a gap made it unreliable; the next snapshot replaces it

    def best_bid(self) -> Decimal | None:
        return max(self.bids) if self.bids else None

    def best_ask(self) -> Decimal | None:
        return min(self.asks) if self.asks else None

    def levels(self, side: Literal["bid", "ask"]) -> list[tuple[Decimal, Decimal]]:
        """The side's levels, best first."""
        book = self.bids if side == "bid" else self.asks
        return sorted(book.items(), reverse=side == "bid")


class MessageSubscription(Generic[_T]):
    """The messages of one channel subscription, parsed into models: `async for item in subscription`.

    Counters: `received` (queued), `dropped` (buffer overflow), `stale` (book updates dropped
    while a fresh snapshot was awaited), `invalid` (a message that did not match the model: logged
    and skipped). `close()` (or `async with`) unsubscribes.
    """

    def __init__(
        self,
        socket: AsyncMessageSocket,
        channel: MessageChannel,
        params: dict[str, Any],
        cast_to: type[_T],
        queue_size: int,
        overflow: Overflow,
    ) -> None:
        self.channel = channel.name
        self.params = params
        self._socket = socket
        self._spec = channel
        self._adapter: TypeAdapter[_T] = TypeAdapter(cast_to)
        self.queue_size = queue_size
        self.overflow: Overflow = overflow
        self._queue: collections.deque[dict[str, Any] | str] = collections.deque()  # decoded, or the frame's text
        self._wakeup = asyncio.Event()
        self._error: BaseException | None = None
        self._closed = False
        self.received = 0
        self.dropped = 0
        self.stale = 0
        self.invalid = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def _push(self, data: dict[str, Any] | str) -> None:
        if self._closed:
            return
        if len(self._queue) >= self.queue_size:
            if self.overflow == "error":
                self._end(SubscriptionOverflowError(self.channel, self.queue_size))
                # Ended by the overflow: leave the socket too (unsubscribed unless another subscription shares it).
                asyncio.get_running_loop().create_task(self._socket._release(self))
                return
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(data)
        self.received += 1
        self._wakeup.set()

    def _end(self, error: BaseException | None = None) -> None:
        if not self._closed:
            self._closed = True
            self._error = error
            if error is not None:
                self._queue.clear()
            self._wakeup.set()

    def __aiter__(self) -> MessageSubscription[_T]:
        return self

    async def __anext__(self) -> _T:
        while True:
            while self._queue:
                data = self._queue.popleft()
                try:
                    if isinstance(data, str):
                        try:
                            return self._adapter.validate_json(data)  # decoded and validated in one pass
                        except ValidationError:
                            data = json.loads(data)  # validated from the decoded value, exactly as the slow path does
                    return self._adapter.validate_python(data)
                except ValidationError as exc:
                    self.invalid += 1
                    logger.warning("%s: a message did not match its model, skipped: %s", self.channel, exc)
                except ValueError:
                    self.invalid += 1
                    logger.warning("%s: a message that is not JSON was skipped", self.channel)
            if self._closed:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()

    async def close(self) -> None:
        """Unsubscribe (unless another subscription has the same channel and arguments) and end the iteration."""
        if not self._closed:
            self._end()
            await self._socket._release(self)

    async def __aenter__(self) -> MessageSubscription[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"MessageSubscription({self.channel!r}, {self.params!r}, received={self.received}, dropped={self.dropped})"
        )


class AsyncMessageSocket:
    """One WebSocket connection that subscribes by sending messages; see the module docstring."""

    def __init__(
        self,
        url: str,
        protocol: MessageProtocol,
        channels: Mapping[str, MessageChannel],
        *,
        token: Callable[[], str | None] | None = None,
        options: WebSocketOptions | None = None,
        keepalive: bool = False,
    ) -> None:
        self.url = url
        self._protocol = protocol
        self._channels = dict(channels)
        self._by_dispatch = {value: c for c in channels.values() for value in c.dispatch}
        # The fast path's patterns (see the module docstring): the envelope's dispatch and sequence
        # fields read from the frame's text, and the text that may mark an error message.
        self._dispatch_pattern = (
            _field_pattern(protocol.dispatch_field, r'"([^"\\]*)"\s*[,}]') if protocol.dispatch_field else None
        )
        self._sequence_pattern = (
            _field_pattern(protocol.sequence_field, r"(-?[0-9]+)\s*[,}]") if protocol.sequence_field else None
        )
        self._error_marker = json.dumps(protocol.error_value) if protocol.error_field else ""
        self._only = next(iter(channels.values())) if len(channels) == 1 else None  # no dispatch field needed
        self._token = token
        self._options = options or WebSocketOptions()
        self.keepalive = keepalive
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._subscriptions: list[MessageSubscription[Any]] = []
        self._last_sequence: int | None = None
        self._awaiting_snapshot: set[str] = set()  # channel names whose books a gap invalidated
        self._closing = False
        self.books: dict[str, OrderBook] = {}
        self.errors: list[dict[str, Any]] = []  # error messages from the server, in order
        self.sequence_gaps = 0  # jumps in the connection's numbering (messages lost)
        self.late = 0  # messages numbered at or below the last one seen, dropped
        self.resubscribes = 0  # channels subscribed again for a fresh snapshot after a gap
        self.reconnects = 0
        self.sent: int = 0  # messages sent (subscribe, unsubscribe, published)

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def _info(self) -> RequestInfo:
        return RequestInfo("WEBSOCKET", self.url)

    # -- connection ---------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the connection now (otherwise the first subscribe does)."""
        async with self._lock:
            if self._ws is None:
                await self._open()

    async def _open(self) -> None:
        try:
            ws = await connect(
                self.url, open_timeout=self._options.connect_timeout, max_size=self._protocol.max_frame_bytes
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise ConnectionLostError(f"cannot connect: {exc}", request=self._info(), request_sent=False) from exc
        self._ws = ws
        self._last_sequence = None
        self._awaiting_snapshot.clear()
        for book in self.books.values():
            book.stale = True  # its updates were lost with the connection: the resubscribe's snapshot replaces it
        try:
            if self.keepalive:
                for channel in self._channels.values():
                    if channel.keepalive:
                        await self._send(channel, "subscribe", {})
            for key in dict.fromkeys(self._key(s) for s in self._subscriptions if not s.closed):
                subscription = next(s for s in self._subscriptions if self._key(s) == key)
                await self._send(subscription._spec, "subscribe", subscription.params)
        except BaseException:
            self._ws = None  # lost (or refused) while subscribing: the next attempt starts over on a new connection
            with contextlib.suppress(Exception):
                await ws.close()
            raise
        self._reader = asyncio.get_running_loop().create_task(self._read(ws))

    async def close(self) -> None:
        """Close the connection and end every subscription."""
        self._closing = True
        ws, self._ws = self._ws, None
        reader, self._reader = self._reader, None
        if ws is not None:
            await ws.close()
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        for subscription in self._subscriptions:
            subscription._end()
        self._subscriptions.clear()

    async def __aenter__(self) -> AsyncMessageSocket:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- subscribing --------------------------------------------------------------------------------

    @staticmethod
    def _key(subscription: MessageSubscription[Any]) -> str:
        return subscription.channel + json.dumps(subscription.params, sort_keys=True, default=str)

    def _message(
        self, channel: MessageChannel, kind: Literal["subscribe", "unsubscribe"], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        message = dict(channel.subscribe if kind == "subscribe" else channel.unsubscribe)
        message.update({k: v for k, v in params.items() if v is not None})
        token = self._token() if self._token is not None and channel.token_field else None
        if token:
            message[channel.token_field] = token  # made afresh for this one message
        elif channel.private:
            raise CredentialsError(f"channel {channel.name} needs credentials: create the client with them")
        return message

    async def _send(
        self, channel: MessageChannel, kind: Literal["subscribe", "unsubscribe"], params: Mapping[str, Any]
    ) -> None:
        if (
            channel.subscribe if kind == "subscribe" else channel.unsubscribe
        ):  # a channel the server sends unasked has none
            await self.send(self._message(channel, kind, params))

    async def send(self, message: Mapping[str, Any]) -> None:
        """Send one JSON message on the connection (opened first if needed)."""
        if self._ws is None:
            await self.connect()
        ws = self._ws
        if ws is None:
            raise ConnectionLostError("the connection is closed", request=self._info(), request_sent=False)
        try:
            await ws.send(json.dumps(message, default=str))
        except ConnectionClosed as exc:
            raise ConnectionLostError(
                f"the connection was lost: {exc}", request=self._info(), request_sent=False
            ) from exc
        self.sent += 1

    async def publish(self, cast_to: Any, message: object) -> None:
        """Send a typed message (a spec's `send` operation), serialised as its type says (aliases, exact decimals)."""
        await self.send(TypeAdapter(cast_to).dump_python(message, mode="json", by_alias=True, exclude_unset=True))

    async def subscribe(
        self,
        channel: str,
        cast_to: type[_T],
        params: Mapping[str, Any] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | None = None,
    ) -> MessageSubscription[_T]:
        """Subscribe to `channel` with the arguments of its subscribe message; messages are parsed as `cast_to`."""
        spec = self._channels[channel]
        arguments = {k: v for k, v in (params or {}).items() if v is not None}
        subscription = MessageSubscription(
            self,
            spec,
            arguments,
            cast_to,
            queue_size or self._options.queue_size,
            overflow or self._options.overflow,
        )
        self._closing = False
        message = (
            self._message(spec, "subscribe", arguments) if spec.subscribe else None
        )  # a private channel without credentials: refused here
        async with self._lock:
            self._subscriptions.append(subscription)
            if self._ws is None:
                await self._open()  # sends every subscription, this one included
                return subscription
        if message is not None:
            await self.send(message)
        return subscription

    async def _release(self, subscription: MessageSubscription[Any]) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
        key = self._key(subscription)
        if self._ws is not None and not any(self._key(s) == key for s in self._subscriptions):
            with contextlib.suppress(ConnectionLostError):
                await self._send(subscription._spec, "unsubscribe", subscription.params)

    # -- receiving ----------------------------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if isinstance(frame, str) and self._route_text(frame):
                    continue
                try:
                    data = json.loads(frame)
                except ValueError:
                    logger.warning("a frame that is not JSON was dropped")
                    continue
                if isinstance(data, dict):
                    self._dispatch(data)
        except ConnectionClosed:
            pass
        if ws is self._ws and not self._closing:
            self._ws = None
            await self._reconnect()

    def _route_text(self, frame: str) -> bool:
        """Route a frame without decoding it (queued as text); False when it has to be decoded first."""
        if self._error_marker and self._error_marker in frame:
            return False  # perhaps an error message: decoded, to tell
        if self._dispatch_pattern is None:
            channel = self._only
        else:
            match = self._dispatch_pattern.match(frame)
            if match is None:
                return False
            channel = self._by_dispatch.get(match.group(1))
        if channel is None or channel.book is not None:
            return False  # an acknowledgement (numbered too), or a book to apply: decoded
        if self._sequence_pattern is not None:
            match = self._sequence_pattern.match(frame)
            if match is None:
                return False
            if not self._in_sequence(int(match.group(1))):
                return True
        for subscription in self._subscriptions:
            if subscription._spec is channel:
                subscription._push(frame)
        return True

    def _in_sequence(self, sequence: int) -> bool:
        """Check a message's number against the connection's; False when it is late (to drop)."""
        last = self._last_sequence
        if last is not None and sequence <= last:
            self.late += 1
            return False
        if last is not None and sequence != last + 1:
            self.sequence_gaps += 1
            logger.warning("gap in %s: %d after %d (messages were lost)", self._protocol.sequence_field, sequence, last)
            if self._protocol.on_gap == "resubscribe":
                self._resync()
        self._last_sequence = sequence
        return True

    def _dispatch(self, data: dict[str, Any]) -> None:
        protocol = self._protocol
        if protocol.error_field and data.get(protocol.error_field) == protocol.error_value:
            self.errors.append(data)
            logger.warning("the server reported an error: %s", data)
            return
        sequence = data.get(protocol.sequence_field) if protocol.sequence_field else None
        # A whole number only: JSON `true` is a Python int too, and must not take part in the numbering.
        if type(sequence) is int and not self._in_sequence(sequence):
            return
        if protocol.dispatch_field:
            key = data.get(protocol.dispatch_field)
            # A dispatch value no spec gives (a list, an object) names no channel; it must not stop the reader.
            channel = self._by_dispatch.get(key) if isinstance(key, str) else None
        else:
            channel = self._only
        if channel is None:
            return  # an acknowledgement, or a channel nobody subscribed
        if channel.book is not None and not self._keep_book(channel, data):
            for subscription in self._subscriptions:
                if subscription._spec is channel:
                    subscription.stale += 1
            return
        for subscription in self._subscriptions:
            if subscription._spec is channel:
                subscription._push(data)

    def _resync(self) -> None:
        """Subscribe again to every channel that keeps a book, for a fresh snapshot."""
        for channel in {s._spec.name: s._spec for s in self._subscriptions if s._spec.book is not None}.values():
            self._awaiting_snapshot.add(channel.name)
            for book in self.books.values():
                book.stale = True
            params = [s.params for s in self._subscriptions if s._spec is channel]
            for arguments in {json.dumps(p, sort_keys=True, default=str): p for p in params}.values():
                self.resubscribes += 1
                asyncio.get_running_loop().create_task(self._resend(channel, arguments))

    async def _resend(self, channel: MessageChannel, params: Mapping[str, Any]) -> None:
        try:
            await self._send(channel, "subscribe", params)
        except ConnectionLostError:
            pass  # the reconnect resubscribes

    def _keep_book(self, channel: MessageChannel, data: dict[str, Any]) -> bool:
        """Apply a book message; False when it is an update to a stale book (to drop)."""
        rule = channel.book
        assert rule is not None
        events = data.get(rule.events)
        if not isinstance(events, list):
            return True
        if channel.name in self._awaiting_snapshot and not any(
            isinstance(e, dict) and e.get(rule.kind) == rule.snapshot for e in events
        ):
            return False
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get(rule.product), str):
                continue
            product = event[rule.product]
            kind = event.get(rule.kind)
            if kind == rule.snapshot:
                book = self.books[product] = OrderBook(product)
                self._awaiting_snapshot.discard(channel.name)
            else:
                book = self.books.setdefault(product, OrderBook(product))
                if book.stale:
                    continue
            levels = event.get(rule.levels)
            for level in levels if isinstance(levels, list) else ():
                if not isinstance(level, dict):
                    continue
                side = (
                    book.bids
                    if level.get(rule.side) == rule.bid
                    else book.asks
                    if level.get(rule.side) == rule.ask
                    else None
                )
                try:
                    price, size = Decimal(str(level[rule.price])), Decimal(str(level[rule.size]))
                except (KeyError, InvalidOperation):
                    continue
                if side is None:
                    continue
                if size == Decimal(rule.remove_when):
                    side.pop(price, None)
                else:
                    side[price] = size
        return True

    async def _reconnect(self) -> None:
        attempts = 0
        limit = self._options.max_reconnect_attempts
        while not self._closing:
            attempts += 1
            try:
                async with self._lock:
                    if self._ws is None and not self._closing:
                        await self._open()
                self.reconnects += 1
                return
            except ConnectionLostError as exc:
                if limit is not None and attempts >= limit:
                    for subscription in self._subscriptions:
                        subscription._end(exc)
                    return
                await asyncio.sleep(min(0.05 * 2**attempts, 2.0))
            except Exception as exc:  # noqa: BLE001 - e.g. the token hook failed: no retry mends it, so every subscription ends with it
                for subscription in self._subscriptions:
                    subscription._end(exc)
                return

    def __repr__(self) -> str:
        return f"AsyncMessageSocket({self.url!r}, connected={self.connected}, subscriptions={len(self._subscriptions)})"


class SyncMessageSubscription(SyncStream[_T]):
    """A `MessageSubscription` for synchronous code: `for item in subscription`, or a callback on its own thread."""

    def __init__(self, socket: SyncMessageSocket, subscription: MessageSubscription[_T]) -> None:
        super().__init__(socket._loop, subscription, subscription.channel, socket.timeout)
        self._subscription = subscription

    @property
    def channel(self) -> str:
        return self._subscription.channel

    @property
    def subscription(self) -> MessageSubscription[_T]:
        """The async subscription doing the work: its counters."""
        return self._subscription

    async def _aclose(self) -> None:
        await self._subscription.close()

    def __enter__(self) -> SyncMessageSubscription[_T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SyncMessageSocket:
    """An `AsyncMessageSocket` driven from synchronous code: it runs on an event loop on a background thread."""

    def __init__(self, make: Callable[[], AsyncMessageSocket], *, timeout: float = 30.0) -> None:
        self._make = make
        self._async: AsyncMessageSocket | None = None
        self._loop = LoopThread("ws-loop messages")
        self.timeout = timeout

    async def _socket(self) -> AsyncMessageSocket:
        if self._async is None:
            self._async = self._make()  # made on the loop thread, where it runs
        return self._async

    @property
    def socket(self) -> AsyncMessageSocket:
        """The async client doing the work: `sequence_gaps`, `books`, `errors`, `reconnects`."""
        return self._loop.run(self._socket(), self.timeout)

    def connect(self) -> None:
        async def connect() -> None:
            await (await self._socket()).connect()

        self._loop.run(connect(), self.timeout)

    def subscribe(
        self,
        channel: str,
        cast_to: type[_T],
        params: Mapping[str, Any] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | None = None,
        callback: Callable[[_T], object] | None = None,
    ) -> SyncMessageSubscription[_T]:
        async def subscribe() -> MessageSubscription[_T]:
            return await (await self._socket()).subscribe(
                channel, cast_to, params, queue_size=queue_size, overflow=overflow
            )

        subscription = SyncMessageSubscription(self, self._loop.run(subscribe(), self.timeout))
        if callback is not None:
            subscription._call_back(callback)
        return subscription

    def send(self, message: Mapping[str, Any]) -> None:
        async def send() -> None:
            await (await self._socket()).send(message)

        self._loop.run(send(), self.timeout)

    def publish(self, cast_to: Any, message: object) -> None:
        async def publish() -> None:
            await (await self._socket()).publish(cast_to, message)

        self._loop.run(publish(), self.timeout)

    def close(self) -> None:
        if not self._loop.running:
            return
        socket = self._async
        try:
            if socket is not None:
                self._loop.run(socket.close(), self.timeout)
        finally:
            self._async = None
            self._loop.stop()

    def __enter__(self) -> SyncMessageSocket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
