# sdkgen runtime: copied unchanged into every SDK with a WebSocket API.
"""What users of the WebSocket runtime see without the `websockets` library installed: its options and exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ._exceptions import APIConnectionError, APIError, RequestInfo, SDKError

__all__ = [
    "ConnectionLostError",
    "FrameTooLargeError",
    "Overflow",
    "SubscriptionError",
    "SubscriptionOverflowError",
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
