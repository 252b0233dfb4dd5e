# sdkgen runtime: copied unchanged into every SDK with a WebSocket API (`ws` extra).
"""JSON-RPC 2.0 over one WebSocket: multiplexed calls, subscriptions, heartbeats and reconnects.

`AsyncWebSocketApi` has the same `call` as `AsyncJsonRpcApi`, so the generated resource groups
serve both transports. One connection carries every request, matched to its response by `id`;
a frame that matches nothing, or is not JSON-RPC, is logged and dropped and never stops the
reader. Over the socket, the API's token method (`x-auth`) authenticates the connection itself.

What happens when the connection breaks:
- every pending request fails with `ConnectionLostError`; its `request_sent` says whether the
  server may have executed it. Calls are then retried by the client's `RetryPolicy`, exactly as
  over HTTP: idempotent ones, and those that provably never left;
- while subscriptions are active, the client reconnects in the background with the policy's
  backoff (jittered), authenticates again, asks for heartbeats again and resubscribes every
  active channel. Channels with a sequence number drop what they already delivered, so a
  server that replays from an earlier number causes no duplicate; a channel of changes to a
  state (an order book) is subscribed again after a gap, for a fresh snapshot;
- a JSON-RPC error that ends the session (an error class marked `session_closed`) closes the
  socket: the call is retried after the policy's delay on a new connection.

Async only: a sync facade would need a thread running its own event loop; see the README.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

import pydantic

try:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the WebSocket client needs the `websockets` package: install the SDK with its `ws` extra"
    ) from exc

from ._auth import Auth
from ._base_client import Timeout, _Attempt, _policy, parse_python
from ._encoding import dumps_exact, encode_value, loads
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    CredentialsError,
    RequestInfo,
    SDKError,
)
from ._jsonrpc import ErrorTable, JSONRPCError, call_params
from ._redact import redact_url
from ._response import raw_response_requested
from ._retry import RetryPolicy
from ._transfer import typed_failures
from ._types import NOT_GIVEN, NotGiven
from ._websocket_types import (
    ConnectionLostError,
    FrameTooLargeError,
    Overflow,
    SubscriptionError,
    SubscriptionOverflowError,
    WebSocketOptions,
)

__all__ = ["AsyncWebSocketApi", "Subscription", "WebSocketRoles", "channel_name"]

_T = TypeVar("_T")
logger = logging.getLogger(__name__.rsplit(".", 1)[0])

# How the reconnect and retry loops wait (a module attribute, so tests can shorten the waits).
_async_sleep = asyncio.sleep
_HOLE = re.compile(r"\{([^{}]*)\}")
# A notification written the usual way (`{"jsonrpc": "2.0", "method": ..., "params": {"channel": ...,
# "data": ...}}`, spaces or not): its method and channel are read without decoding the frame. Anchored
# at the start, so a `channel` inside the data can never be taken for the envelope's.
_NOTIFICATION = re.compile(
    r'\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"method"\s*:\s*"([^"\\]*)"\s*,\s*"params"\s*:\s*\{\s*"channel"\s*:\s*"([^"\\]*)"\s*,\s*"data"\s*:'
)
# Largest frame the client accepts from the server (a full order book fits many times over).
MAX_INCOMING_FRAME = 16 * 1024 * 1024


@dataclass(frozen=True)
class WebSocketRoles:
    """The methods and message names of the protocol (generated from the spec's `x-websocket`)."""

    auth_method: str
    subscribe_public: str
    subscribe_private: str
    unsubscribe_public: str
    unsubscribe_private: str
    heartbeat_method: str
    heartbeat_notification: str
    test_request: str
    test_method: str
    notification_method: str
    max_frame_bytes: int
    reauthenticate_after: float


def channel_name(template: str, values: Mapping[str, Any]) -> str:
    """A channel name from its template: `channel_name("user.portfolio.{currency}", {"currency": "btc"})`."""
    return _HOLE.sub(lambda match: _channel_part(values[match.group(1)]), template)


def _channel_part(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


class _Frame(str):
    """A notification frame kept undecoded in a subscription's queue: decoded and validated in one
    step (pydantic-core, from the JSON text) when the consumer takes it."""

    __slots__ = ()


@functools.lru_cache(maxsize=256)
def _envelope(cast_to: Any) -> pydantic.TypeAdapter[Any]:
    """A validator of the whole notification frame whose `params.data` is `cast_to`."""
    params = pydantic.create_model("NotificationParams", channel=(str, ...), data=(cast_to, ...))
    return pydantic.TypeAdapter(pydantic.create_model("Notification", params=(params, ...)))


class _Pending:
    __slots__ = ("future", "info", "ws")

    def __init__(self, future: asyncio.Future[Any], info: RequestInfo, ws: ClientConnection) -> None:
        self.future = future
        self.info = info
        self.ws = ws


class Subscription(Generic[_T]):
    """Notifications of one channel, parsed into models: `async for item in subscription`.

    The reader puts each notification's data in a bounded queue (`queue_size`); it is parsed when
    the consumer takes it. Counters: `received` (delivered to the queue), `dropped` (overflow),
    `duplicates` (a sequence number seen before, e.g. replayed after a reconnect), `gaps` (a
    `prev_change_id` that is not the last `change_id`: notifications were missed), `invalid`
    (data that did not match the model; logged and skipped). Use it as an async context manager,
    or call `close()`, to unsubscribe.

    With `resubscribe_on_gap` (a channel whose notifications are changes to a state, like an
    order book), a gap makes the state the consumer keeps invalid: the channel is subscribed again
    for a fresh snapshot (`resubscribed` counts it), and the changes that arrive before it (those
    with a previous number) are dropped (`stale`). The consumer sees the snapshot next.
    """

    def __init__(
        self,
        api: AsyncWebSocketApi,
        channel: str,
        cast_to: type[_T],
        *,
        private: bool,
        sequence_field: str,
        previous_field: str,
        queue_size: int,
        overflow: Overflow,
        resubscribe_on_gap: bool = False,
    ) -> None:
        self.channel = channel
        self.private = private
        self._api = api
        self._cast_to = cast_to
        self._sequence_field = sequence_field
        self._previous_field = previous_field
        self.queue_size = queue_size
        self.overflow: Overflow = overflow
        self._queue: collections.deque[Any] = collections.deque()
        self._wakeup = asyncio.Event()
        self._error: BaseException | None = None
        self._closed = False
        self.last_sequence: int | None = None
        self.received = 0
        self.dropped = 0
        self.duplicates = 0
        self.gaps = 0
        self.invalid = 0
        self.resubscribed = 0
        self.stale = 0
        self._resubscribe_on_gap = resubscribe_on_gap
        self._awaiting_snapshot = False

    @property
    def closed(self) -> bool:
        return self._closed

    def _push(self, data: Any) -> None:
        if self._closed:
            return
        if self._sequence_field and isinstance(data, dict):
            sequence = data.get(self._sequence_field)
            previous = data.get(self._previous_field) if self._previous_field else None
            if isinstance(sequence, int) and self._awaiting_snapshot:
                if previous is not None:  # a change to the state the gap invalidated
                    self.stale += 1
                    return
                self._awaiting_snapshot = False  # the fresh snapshot: numbering starts again from it
                self.last_sequence = sequence
            elif isinstance(sequence, int):
                last = self.last_sequence
                if last is not None and sequence <= last:
                    self.duplicates += 1
                    return
                if last is not None and isinstance(previous, int) and previous != last:
                    self.gaps += 1
                    logger.warning(
                        "%s: gap in the sequence (%s=%d, last seen %d)%s",
                        self.channel,
                        self._previous_field,
                        previous,
                        last,
                        "; subscribing again for a fresh snapshot" if self._resubscribe_on_gap else "",
                    )
                    if self._resubscribe_on_gap:
                        self._awaiting_snapshot = True
                        self.stale += 1
                        self.resubscribed += 1
                        self._api._refresh(self)
                        return
                self.last_sequence = sequence
        if len(self._queue) >= self.queue_size:
            if self.overflow == "error":
                self._queue.clear()
                self._finish(SubscriptionOverflowError(self.channel, self.queue_size))
                self._api._forget(self)
                return
            self._queue.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning(
                    "%s: the consumer is behind; %d notification(s) dropped so far", self.channel, self.dropped
                )
        self._queue.append(data)
        self.received += 1
        self._wakeup.set()

    def _finish(self, error: BaseException | None) -> None:
        """End the iteration: with `error` raised to the consumer, or normally (None)."""
        if self._error is None:
            self._error = error
        self._closed = True
        self._wakeup.set()

    def __aiter__(self) -> Subscription[_T]:
        return self

    async def __anext__(self) -> _T:
        while True:
            while not self._queue:
                if self._error is not None:
                    raise self._error
                if self._closed:
                    raise StopAsyncIteration
                self._wakeup.clear()
                await self._wakeup.wait()
            data = self._queue.popleft()
            if isinstance(data, _Frame):
                try:
                    return _envelope(self._cast_to).validate_json(data).params.data  # type: ignore[no-any-return, arg-type]
                except pydantic.ValidationError:  # decoded the usual way: lenient, and a clear error when it fails
                    data = loads(data.encode(), exact_numbers=False)["params"]["data"]
            try:
                return parse_python(self._cast_to, data, self._api.notification_info, None)  # type: ignore[no-any-return]
            except APIResponseValidationError as exc:
                self.invalid += 1
                logger.warning(
                    "%s: dropped a notification that does not match %s: %s",
                    self.channel,
                    getattr(self._cast_to, "__name__", self._cast_to),
                    exc.message,
                )

    async def close(self) -> None:
        """Unsubscribe (when no other subscription uses the channel) and end the iteration."""
        if not self._closed:
            self._finish(None)
            await self._api._unsubscribe(self)

    async def __aenter__(self) -> Subscription[_T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"Subscription({self.channel!r}, received={self.received}, dropped={self.dropped}, "
            f"duplicates={self.duplicates}, gaps={self.gaps}, resubscribed={self.resubscribed})"
        )


class AsyncWebSocketApi:
    """Calls JSON-RPC methods and holds subscriptions over one WebSocket connection.

    It connects on first use (and authenticates the connection when it has credentials), and
    keeps one connection: `connect()` opens it ahead of time, `close()` ends it. `reconnects`
    counts the connections opened after the first; `dropped_frames` the frames it ignored.
    """

    raw_responses = False  # no HTTP response per call: pages of paged methods have no `raw_response`

    def __init__(
        self,
        *,
        url: str,
        auth: Auth | None,
        policy: RetryPolicy,
        errors: ErrorTable,
        exact_numbers: bool,
        roles: WebSocketRoles,
        options: WebSocketOptions,
        user_agent: str,
        max_frame_bytes: int | None = MAX_INCOMING_FRAME,
    ) -> None:
        self.max_frame_bytes = (
            max_frame_bytes  # the client's max_response_bytes: a larger frame closes the connection (1009)
        )
        self.url = url
        self.auth = auth
        self.policy = policy
        self.errors = errors
        self.exact_numbers = exact_numbers
        self.roles = roles
        self.options = options
        self.user_agent = user_agent
        self.notification_info = RequestInfo("WS", url, roles.notification_method)
        self.reconnects = 0
        self.dropped_frames = 0
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._subscriptions: dict[str, list[Subscription[Any]]] = {}
        self._server_channels: set[str] = set()
        self._ws: ClientConnection | None = None
        self._ready = False
        self._generation = 0
        self._connections = 0
        self._last_frame = 0.0
        self._closed = False
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reconnector: asyncio.Task[None] | None = None
        self._refresh_token: str | None = None

    # -- public surface ------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether a connection is open, authenticated (with credentials) and resubscribed."""
        return self._ready and self._ws is not None

    async def connect(self) -> None:
        """Open (and authenticate) the connection now instead of on the first call."""
        await self._connection()

    async def close(self) -> None:
        """Close the connection; pending calls fail with `ConnectionLostError`, subscriptions end."""
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks) + ([self._reconnector] if self._reconnector else []):
            task.cancel()
        ws, self._ws, self._ready = self._ws, None, False
        self._fail_pending("the client was closed")
        for subscriptions in list(self._subscriptions.values()):
            for subscription in subscriptions:
                subscription._finish(None)
        self._subscriptions.clear()
        if ws is not None:
            await ws.close()

    @typed_failures
    async def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        idempotent: bool = False,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        by_position: bool = False,
        max_response_bytes: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        total_timeout: float | None | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        not_null: tuple[str, ...] = (),
    ) -> _T:
        """Call one method over the socket, retrying as the policy allows; the same contract as over HTTP."""
        if max_response_bytes is not None:
            raise SDKError("max_response_bytes is HTTP-only; over WebSocket, websocket_options limits incoming frames")
        sent = call_params(method, params, by_position=by_position, extra_body=extra_body, not_null=not_null)
        strict = strict_response_validation is True
        if raw_response_requested():
            raise SDKError("raw responses (with_raw_response) are HTTP-only; over WebSocket, call the method itself")
        if extra_headers:
            raise SDKError("headers are set once per WebSocket connection; extra_headers is HTTP-only")
        attempt = _Attempt(_policy(self.policy, max_retries, total_timeout), idempotent)
        reauthenticated = False
        while True:
            try:
                ws = await self._connection()
                if auth_required and self.auth is None:
                    raise CredentialsError("private JSON-RPC methods need credentials, and the client has none")
                attempt.start()
                raw = await self._request(ws, method, sent, timeout, no_timeout=timeout is None)
                attempt.log(RequestInfo("WS", self.url, method), "result")
                return parse_python(cast_to, raw, RequestInfo("WS", self.url, method), None, strict=strict)  # type: ignore[no-any-return]
            except (APIConnectionError, APIStatusError) as error:
                if isinstance(error, JSONRPCError) and error.session_closed:
                    await self._drop_connection("the server ended the session")
                if (
                    isinstance(error, AuthenticationError)
                    and auth_required
                    and not reauthenticated
                    and self.auth is not None
                ):
                    reauthenticated = True  # the socket's session was refused: authenticate once more
                    await self._drop_connection("the session was not authenticated")
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
                await _async_sleep(delay)

    async def subscribe(
        self,
        channel: str,
        cast_to: type[_T],
        *,
        private: bool,
        sequence_field: str = "",
        previous_field: str = "",
        queue_size: int | None = None,
        overflow: Overflow | None = None,
        resubscribe_on_gap: bool = False,
    ) -> Subscription[_T]:
        """Subscribe to `channel`; the notifications' data are parsed into `cast_to`."""
        subscription = Subscription(
            self,
            channel,
            cast_to,
            private=private,
            sequence_field=sequence_field,
            previous_field=previous_field,
            queue_size=queue_size or self.options.queue_size,
            overflow=overflow or self.options.overflow,
            resubscribe_on_gap=resubscribe_on_gap,
        )
        self._subscriptions.setdefault(channel, []).append(subscription)
        try:
            while channel not in self._server_channels:
                ws = await self._connection()
                if channel in self._server_channels:  # subscribed while (re)connecting
                    break
                method = self.roles.subscribe_private if private else self.roles.subscribe_public
                if private and self.auth is None:
                    raise CredentialsError(f"channel {channel} is private and the client has no credentials")
                result = await self._request(ws, method, {"channels": [channel]}, None)
                if ws is not self._ws:
                    continue  # the connection was replaced meanwhile; resubscribing happened there
                for refused in self._confirm(result, [channel], RequestInfo("WS", self.url, method)):
                    raise refused
        except BaseException:
            self._forget(subscription)
            raise
        return subscription

    # -- connection ------------------------------------------------------------------------------

    async def _connection(self) -> ClientConnection:
        if self._closed:
            raise APIConnectionError(
                "the WebSocket client is closed", request=RequestInfo("WS", self.url), request_sent=False
            )
        if self._ready and self._ws is not None:
            return self._ws
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not (self._ready and self._ws is not None):
                await self._open()
        assert self._ws is not None
        return self._ws

    async def _open(self) -> None:
        """Connect, start the reader, authenticate, ask for heartbeats, resubscribe. Called under the lock."""
        info = RequestInfo("WS", self.url)
        try:
            ws = await connect(
                self.url,
                open_timeout=self.options.connect_timeout,
                max_size=self.max_frame_bytes,
                user_agent_header=self.user_agent,
                close_timeout=2,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise APIConnectionError(
                f"could not open the WebSocket: {type(exc).__name__}: {exc}", request=info, request_sent=False
            ) from exc
        self._generation += 1
        generation = self._generation
        self._ws, self._ready, self._server_channels = ws, False, set()
        self._last_frame = time.monotonic()
        self._spawn(self._read(ws, generation))
        try:
            if self.auth is not None:
                await self._authenticate(ws, generation)
            if self.options.heartbeat_interval:
                await self._request(
                    ws, self.roles.heartbeat_method, {"interval": self.options.heartbeat_interval}, None
                )
                self._spawn(self._watchdog(ws, generation))
            await self._resubscribe(ws)
        except BaseException:
            await self._abort(ws)
            raise
        self._connections += 1
        if self._connections > 1:
            self.reconnects += 1
        self._ready = True
        logger.info("WebSocket connected to %s (connection %d)", redact_url(self.url), self._connections)

    async def _authenticate(self, ws: ClientConnection, generation: int) -> None:
        auth = self.auth
        assert auth is not None
        if type(auth).grant_params is Auth.grant_params:
            raise CredentialsError(
                f"{type(auth).__name__} signs HTTP requests; a WebSocket is authenticated with a grant (e.g. ClientSignatureAuth)"
            )
        method = self.roles.auth_method
        if auth.uses_refresh_token and self._refresh_token:
            params: dict[str, Any] | None = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        else:
            params = auth.grant_params()
        try:
            result = await self._request(ws, method, params or {}, None)
        except AuthenticationError:
            if self._refresh_token is None or not auth.uses_refresh_token:
                raise
            self._refresh_token = None  # the refresh token was refused: start over with the grant
            result = await self._request(ws, method, auth.grant_params() or {}, None)
        fields = result if isinstance(result, dict) else {}
        expires_in = fields.get("expires_in")
        refresh = fields.get("refresh_token")
        self._refresh_token = refresh if isinstance(refresh, str) and auth.uses_refresh_token else None
        delays = [d for d in (self.options.reauthenticate_after or self.roles.reauthenticate_after,) if d]
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
            delays.append(max(expires_in - min(60.0, expires_in * 0.1), 0.5))
        if delays:
            self._spawn(self._reauthenticate_later(ws, generation, min(delays)))

    async def _reauthenticate_later(self, ws: ClientConnection, generation: int, delay: float) -> None:
        await asyncio.sleep(delay)
        if generation != self._generation or self._closed:
            return
        try:
            await self._authenticate(ws, generation)
            logger.info("WebSocket re-authenticated")
        except APIError as exc:
            logger.warning("WebSocket re-authentication failed (%s); reconnecting", exc)
            await self._abort(ws)

    async def _resubscribe(self, ws: ClientConnection) -> None:
        for private in (False, True):
            channels = sorted(c for c, subs in self._subscriptions.items() if subs and subs[0].private is private)
            if channels:
                method = self.roles.subscribe_private if private else self.roles.subscribe_public
                result = await self._request(ws, method, {"channels": channels}, None)
                self._confirm(result, channels, RequestInfo("WS", self.url, method))

    def _confirm(self, result: Any, channels: list[str], info: RequestInfo) -> list[SubscriptionError]:
        """Record the channels the server subscribed; end the subscriptions of those it refused (returned)."""
        confirmed = {c for c in result if isinstance(c, str)} if isinstance(result, list) else set()
        self._server_channels |= confirmed & set(channels)
        refused: list[SubscriptionError] = []
        for channel in channels:
            if channel not in confirmed:
                error = SubscriptionError(f"the server did not subscribe {channel}", request=info, channel=channel)
                for subscription in self._subscriptions.pop(channel, []):
                    subscription._finish(error)
                logger.warning("%s", error)
                refused.append(error)
        return refused

    async def _unsubscribe(self, subscription: Subscription[Any]) -> None:
        if not self._forget(subscription) or self._ws is None or not self._ready or self._closed:
            return
        method = self.roles.unsubscribe_private if subscription.private else self.roles.unsubscribe_public
        try:
            await self._request(self._ws, method, {"channels": [subscription.channel]}, None)
        except APIError as exc:
            logger.warning("could not unsubscribe %s: %s", subscription.channel, exc)

    def _refresh(self, subscription: Subscription[Any]) -> None:
        """Subscribe `subscription`'s channel again (unsubscribe, subscribe), in the background: the
        server then sends a fresh snapshot. A lost connection does the same when it resubscribes."""
        self._spawn(self._resubscribe_channel(subscription.channel, subscription.private))

    async def _resubscribe_channel(self, channel: str, private: bool) -> None:
        ws = self._ws
        if ws is None or not self._ready or self._closed or channel not in self._server_channels:
            return
        unsubscribe = self.roles.unsubscribe_private if private else self.roles.unsubscribe_public
        subscribe = self.roles.subscribe_private if private else self.roles.subscribe_public
        try:
            await self._request(ws, unsubscribe, {"channels": [channel]}, None)
            result = await self._request(ws, subscribe, {"channels": [channel]}, None)
            self._confirm(result, [channel], RequestInfo("WS", self.url, subscribe))
        except APIError as exc:
            logger.warning("could not subscribe %s again after a gap: %s", channel, exc)

    def _forget(self, subscription: Subscription[Any]) -> bool:
        """Remove a subscription; True when its channel has no subscription left."""
        subscriptions = self._subscriptions.get(subscription.channel, [])
        if subscription in subscriptions:
            subscriptions.remove(subscription)
        if subscriptions:
            return False
        self._subscriptions.pop(subscription.channel, None)
        was_subscribed = subscription.channel in self._server_channels
        self._server_channels.discard(subscription.channel)
        return was_subscribed

    # -- requests --------------------------------------------------------------------------------

    async def _request(
        self,
        ws: ClientConnection,
        method: str,
        params: Mapping[str, Any] | list[Any],
        timeout: Timeout | NotGiven,
        *,
        no_timeout: bool = False,
    ) -> Any:
        """Send one request on `ws` and wait for the `result` with its id (or raise its error)."""
        info = RequestInfo("WS", self.url, method)
        request_id = next(self._ids)
        text = dumps_exact(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "method": method,
                "params": encode_value(params if isinstance(params, list) else dict(params), decimal_as_number=True),
            }
        )
        size = len(text.encode())
        limit = self.roles.max_frame_bytes
        if limit and size > limit:
            raise FrameTooLargeError(
                f"the request is {size} bytes; the server accepts frames of {limit} bytes at most; it was not sent",
                request=info,
                size=size,
                limit=limit,
            )
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = _Pending(future, info, ws)
        try:
            try:
                await ws.send(text)
            except ConnectionClosed as exc:
                if future.done() and not future.cancelled():
                    future.exception()  # retrieved: the error below replaces it
                raise ConnectionLostError(
                    f"the connection was closed before {method} was sent; it was not executed",
                    request=info,
                    request_sent=False,
                ) from exc
            wait = (
                None if no_timeout else timeout if isinstance(timeout, (int, float)) else self.options.request_timeout
            )
            try:
                return await asyncio.wait_for(future, wait)
            except TimeoutError:
                raise APITimeoutError(
                    f"no response to {method} within {wait} s; it may or may not have been executed", request=info
                ) from None
        finally:
            self._pending.pop(request_id, None)

    def _error(self, error: Mapping[str, Any], info: RequestInfo, payload: object) -> JSONRPCError:
        code = error.get("code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else 0
        message = str(error.get("message", ""))
        cls = self.errors.get((code, message)) or self.errors.get((code, None)) or JSONRPCError
        return cls(message, request=info, code=code, data=error.get("data"), body=payload)

    # -- the reader and the timers -------------------------------------------------------------

    async def _read(self, ws: ClientConnection, generation: int) -> None:
        reason = "the server closed the connection"
        try:
            async for frame in ws:
                self._last_frame = time.monotonic()
                try:
                    self._dispatch(ws, frame)
                except Exception:  # a bug in one frame's handling must not stop the reader
                    self.dropped_frames += 1
                    logger.exception("dropped a WebSocket frame that could not be handled")
        except ConnectionClosed as exc:
            reason = f"the connection was closed ({exc})"
        except Exception as exc:  # transport errors end this connection, never the client
            reason = f"the connection failed ({type(exc).__name__}: {exc})"
        finally:
            self._connection_lost(ws, generation, reason)

    def _dispatch(self, ws: ClientConnection, frame: str | bytes) -> None:
        if isinstance(frame, str) and not self.exact_numbers and self._fast_notification(frame):
            return
        try:
            message = loads(frame.encode() if isinstance(frame, str) else frame, exact_numbers=self.exact_numbers)
        except ValueError:
            self.dropped_frames += 1
            logger.warning("dropped a WebSocket frame that is not JSON (%d bytes)", len(frame))
            return
        if not isinstance(message, dict):
            self.dropped_frames += 1
            logger.warning("dropped a WebSocket frame that is not a JSON-RPC object")
            return
        method = message.get("method")
        if method is not None:
            params = message.get("params")
            if method == self.roles.notification_method and isinstance(params, dict):
                self._notify(params.get("channel"), params.get("data"))
            elif method == self.roles.heartbeat_notification:
                if isinstance(params, dict) and params.get("type") == self.roles.test_request:
                    self._spawn(self._answer_test_request(ws))
            else:
                self.dropped_frames += 1
                logger.warning("dropped a server message with unknown method %r", method)
            return
        request_id = message.get("id")
        pending = (
            self._pending.get(request_id) if isinstance(request_id, int) and not isinstance(request_id, bool) else None
        )
        if pending is None:
            self.dropped_frames += 1
            logger.warning("dropped a response whose id %r matches no pending request", request_id)
            return
        if pending.future.done():
            return
        error = message.get("error")
        if isinstance(error, dict):
            pending.future.set_exception(self._error(error, pending.info, message))
        elif "result" in message:
            pending.future.set_result(message["result"])
        else:
            pending.future.set_exception(
                APIResponseValidationError(
                    "the response has neither `result` nor `error`", request=pending.info, body=message
                )
            )

    def _fast_notification(self, frame: str) -> bool:
        """Queue a notification undecoded when nothing needs its content now: its channel's
        subscriptions number nothing (a sequence is checked on arrival). False: decode it."""
        match = _NOTIFICATION.match(frame)
        if match is None or match.group(1) != self.roles.notification_method:
            return False
        subscriptions = self._subscriptions.get(match.group(2))
        if not subscriptions or any(s._sequence_field for s in subscriptions):
            return False
        data = _Frame(frame)
        for subscription in tuple(subscriptions):
            subscription._push(data)
        return True

    def _notify(self, channel: Any, data: Any) -> None:
        subscriptions = self._subscriptions.get(channel) if isinstance(channel, str) else None
        if not subscriptions:
            self.dropped_frames += 1
            logger.debug("dropped a notification for %r, which has no subscription", channel)
            return
        for subscription in tuple(subscriptions):
            subscription._push(data)

    async def _answer_test_request(self, ws: ClientConnection) -> None:
        try:
            await self._request(ws, self.roles.test_method, {}, None)
        except APIError as exc:
            logger.info("could not answer the server's test_request: %s", exc)

    async def _watchdog(self, ws: ClientConnection, generation: int) -> None:
        interval = self.options.heartbeat_interval or 0
        limit = self.options.heartbeat_timeout or 2.0 * interval
        while generation == self._generation and not self._closed:
            await asyncio.sleep(max(limit / 4, 0.05))
            silence = time.monotonic() - self._last_frame
            if silence > limit:
                logger.warning("no heartbeat from the server for %.1f s; reconnecting", silence)
                await self._abort(ws)
                return

    def _connection_lost(self, ws: ClientConnection, generation: int, reason: str) -> None:
        self._fail_pending(reason, ws)
        if generation != self._generation:
            return  # an older connection, already replaced
        self._ws, self._ready, self._server_channels = None, False, set()
        self._generation += 1  # stops this connection's timers
        if self._closed:
            return
        logger.warning("WebSocket lost: %s", reason)
        if self._subscriptions and (self._reconnector is None or self._reconnector.done()):
            self._reconnector = asyncio.get_running_loop().create_task(self._reconnect())

    def _fail_pending(self, reason: str, ws: ClientConnection | None = None) -> None:
        """Fail the requests pending on `ws` (on every connection when None): they were sent, the outcome is unknown."""
        for request_id, pending in list(self._pending.items()):
            if ws is not None and pending.ws is not ws:
                continue
            del self._pending[request_id]
            if not pending.future.done():
                message = f"{reason} while {pending.info.rpc_method} was pending: it was sent and may or may not have been executed"
                pending.future.set_exception(ConnectionLostError(message, request=pending.info, request_sent=True))

    async def _reconnect(self) -> None:
        failures = 0
        while not self._closed and self._subscriptions:
            await _async_sleep(self.policy.backoff(min(failures, 10)))
            if self._closed or not self._subscriptions:
                return
            try:
                await self._connection()
                return
            except (APIError, CredentialsError) as exc:
                failures += 1
                logger.warning("WebSocket reconnect %d failed: %s", failures, exc)
                limit = self.options.max_reconnect_attempts
                if limit is not None and failures >= limit:
                    error = ConnectionLostError(
                        f"gave up reconnecting after {failures} attempts: {exc}",
                        request=RequestInfo("WS", self.url),
                        request_sent=False,
                    )
                    for subscriptions in list(self._subscriptions.values()):
                        for subscription in subscriptions:
                            subscription._finish(error)
                    self._subscriptions.clear()
                    return

    async def _drop_connection(self, reason: str) -> None:
        ws = self._ws
        if ws is not None:
            logger.info("closing the WebSocket: %s", reason)
            await self._abort(ws)

    async def _abort(self, ws: ClientConnection) -> None:
        """Drop a connection at once (a dead link would make a close handshake wait)."""
        if ws is self._ws:
            self._ready = False
        ws.transport.abort()
        await asyncio.sleep(0)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __repr__(self) -> str:
        return f"AsyncWebSocketApi({redact_url(self.url)!r}, connected={self.connected}, subscriptions={sorted(self._subscriptions)})"
