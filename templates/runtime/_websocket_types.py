# sdkgen runtime: copied unchanged into every SDK with a WebSocket API.
"""What users of the WebSocket runtime see without the `websockets` library installed: its options and exceptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ._auth import Security
from ._exceptions import APIConnectionError, APIError, RequestInfo, SDKError

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._jsonrpc import ErrorTable
    from ._websocket import AsyncWebSocketApi, WebSocketRoles
    from ._websocket_sync import SyncWebSocketApi

__all__ = [
    "ConnectionLostError",
    "FrameTooLargeError",
    "Overflow",
    "SubscriptionError",
    "SubscriptionOverflowError",
    "WebSocketClients",
    "WebSocketOptions",
]

Overflow = Literal["drop_oldest", "error"]


@dataclass(frozen=True)
class WebSocketOptions:
    """How the WebSocket client behaves (pass as `AsyncClient(websocket_options=...)`).

    Args:
        heartbeat_interval: Seconds between the server's heartbeats, asked for with the spec's
            heartbeat method on every connect (None: not asked). The server then also sends test
            requests, which the client answers.
        heartbeat_timeout: Silence (no frame at all) after which the connection is taken as dead
            and replaced. Default: twice `heartbeat_interval`. Without heartbeats, no check.
        queue_size: Notifications each subscription buffers for a consumer that is behind.
        overflow: What a full buffer does: `"drop_oldest"` (the oldest is dropped and counted in
            `Subscription.dropped`) or `"error"` (the subscription ends with `SubscriptionOverflowError`).
        max_reconnect_attempts: Background reconnects tried in a row before the subscriptions
            end with `ConnectionLostError` (None: keep trying).
        connect_timeout: Seconds to open the connection (TCP, TLS and the WebSocket handshake).
        request_timeout: Default seconds to wait for a response (a call's `timeout=` wins).
        reauthenticate_after: Seconds after which the connection authenticates again (None: the
            spec's value). It also authenticates again before the token's `expires_in` runs out.
    """

    heartbeat_interval: int | None = None
    heartbeat_timeout: float | None = None
    queue_size: int = 10_000
    overflow: Overflow = "drop_oldest"
    max_reconnect_attempts: int | None = None
    connect_timeout: float = 10.0
    request_timeout: float = 30.0
    reauthenticate_after: float | None = None

    def __post_init__(self) -> None:
        if self.queue_size < 1:
            raise ValueError("queue_size must be 1 or more")
        if self.overflow not in ("drop_oldest", "error"):
            raise ValueError("overflow must be 'drop_oldest' or 'error'")


class ConnectionLostError(APIConnectionError):
    """The WebSocket connection was lost (or closed) while the request was pending.

    `request_sent` tells whether the request frame was written: when True, the server may or
    may not have executed it (the message says so); when False, it was not executed.
    """


class FrameTooLargeError(APIError):
    """The request frame is larger than the server accepts (`size` > `limit` bytes); it was not sent."""

    def __init__(self, message: str, *, request: RequestInfo, size: int, limit: int) -> None:
        super().__init__(message, request=request)
        self.size = size
        self.limit = limit


class SubscriptionError(APIError):
    """The server did not subscribe a channel (a wrong name, or no permission for it)."""

    def __init__(self, message: str, *, request: RequestInfo, channel: str) -> None:
        super().__init__(message, request=request)
        self.channel = channel


class SubscriptionOverflowError(SDKError):
    """A subscription's queue was full with `overflow="error"`: the consumer fell behind by `queue_size` notifications.

    The subscription is closed; the notifications it held are dropped.
    """

    def __init__(self, channel: str, queue_size: int) -> None:
        super().__init__(
            f"the consumer of {channel} fell {queue_size} notifications behind; the subscription was closed"
        )
        self.channel = channel
        self.queue_size = queue_size


class WebSocketClients:
    """The WebSocket connections of one client: each made on first use (importing `websockets` then), all closed with the client.

    A sync `Client` gets `open_sync()`: the same async client, run on a loop thread of its own.
    """

    def __init__(self, config: ClientConfig, urls: Mapping[str, str], options: WebSocketOptions | None) -> None:
        self.config = config
        self.urls = dict(urls)
        self.options = options or WebSocketOptions()
        self.opened: list[AsyncWebSocketApi] = []
        self.opened_sync: list[SyncWebSocketApi] = []

    def open(self, name: str, roles: WebSocketRoles, security: Security, errors: ErrorTable) -> AsyncWebSocketApi:
        """The WebSocket client of API `name`."""
        from ._websocket import AsyncWebSocketApi

        selector = self.config.auth[name]
        api = AsyncWebSocketApi(
            url=self.urls[name],
            auth=selector.override if selector.override is not None else selector.preferred(security),
            policy=self.config.policy,
            errors=errors,
            exact_numbers=self.config.exact_numbers,
            roles=roles,
            options=self.options,
            user_agent=self.config.user_agent,
            max_frame_bytes=self.config.max_response_bytes,
        )
        self.opened.append(api)
        return api

    def open_sync(self, name: str, roles: WebSocketRoles, security: Security, errors: ErrorTable) -> SyncWebSocketApi:
        """The WebSocket client of API `name` for synchronous code."""
        from ._websocket_sync import SyncWebSocketApi

        timeout = self.options.connect_timeout + self.options.request_timeout
        api = SyncWebSocketApi(lambda: self.open(name, roles, security, errors), name=name, timeout=timeout)
        self.opened_sync.append(api)
        return api

    def close_sync(self) -> None:
        """Close every WebSocket client made by `open_sync()` (and stop their loop threads)."""
        opened, self.opened_sync = self.opened_sync, []
        for api in opened:
            api.close()

    async def close(self) -> None:
        """Close every WebSocket client made by `open()`."""
        opened, self.opened = self.opened, []
        for api in opened:
            await api.close()
