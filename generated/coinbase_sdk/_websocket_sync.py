# sdkgen runtime: copied unchanged into every SDK with a WebSocket API (`ws` extra).
"""The WebSocket client for synchronous code: `Client(...).<api>.ws`.

It is the async client (`_websocket.py`) run by an event loop on one background thread that
this module starts on first use and stops on `close()`, so both have the same connection,
authentication, heartbeats, reconnects with resubscription, and bounded subscription buffers
(`WebSocketOptions`). A sync subscription is an iterator (`for item in sub`, or `sub.get(timeout)`)
or calls a callback on a thread of its own, so a slow callback never holds up the socket: the
buffer absorbs it, by the same overflow rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._websocket_loop import LoopThread as _LoopThread
from ._websocket_loop import SyncStream
from ._websocket_types import Overflow

if TYPE_CHECKING:
    from ._websocket import AsyncWebSocketApi, Subscription

__all__ = ["SyncSubscription", "SyncWebSocketApi"]

_T = TypeVar("_T")
_ENDED = object()  # the subscription ended

logger = logging.getLogger(__name__.rsplit(".", 1)[0])


class SyncSubscription(SyncStream[_T]):
    """Notifications of one channel, parsed into models: `for item in subscription`.

    The counters are the async subscription's (`received`, `dropped`, `duplicates`, `gaps`,
    `resubscribed`, `stale`, `invalid`). Use it as a context manager, or call `close()`, to
    unsubscribe. With a callback (`callback=` of the subscribe method), items are handed to it
    on a thread of its own; an exception it raises is logged and the next item comes.
    """

    def __init__(self, api: SyncWebSocketApi, subscription: Subscription[_T]) -> None:
        super().__init__(api._loop, subscription, subscription.channel, api.timeout)
        self._api = api
        self._subscription = subscription

    @property
    def channel(self) -> str:
        return self._subscription.channel

    @property
    def closed(self) -> bool:
        return self._subscription.closed

    def __getattr__(self, name: str) -> Any:
        if name in ("received", "dropped", "duplicates", "gaps", "resubscribed", "stale", "invalid", "last_sequence"):
            return getattr(self._subscription, name)
        raise AttributeError(name)

    async def _aclose(self) -> None:
        await self._subscription.close()

    def __enter__(self) -> SyncSubscription[_T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Sync{self._subscription!r}"


class SyncWebSocketApi:
    """One WebSocket connection driven from synchronous code: the async client on a loop thread."""

    def __init__(self, make: Callable[[], AsyncWebSocketApi], *, name: str, timeout: float) -> None:
        self._make = make
        self._async: AsyncWebSocketApi | None = None
        self._loop = _LoopThread(f"ws-loop {name}")
        self.timeout = timeout  # seconds to wait for connect, subscribe and close

    async def _api(self) -> AsyncWebSocketApi:
        if self._async is None:
            self._async = self._make()  # made on the loop thread, where it runs
        return self._async

    @property
    def api(self) -> AsyncWebSocketApi | None:
        """The async client doing the work (None before first use): `reconnects`, `dropped_frames`, `connected`."""
        return self._async

    def connect(self) -> None:
        """Open and authenticate the connection now (otherwise the first subscribe does)."""

        async def connect() -> None:
            await (await self._api()).connect()

        self._loop.run(connect(), self.timeout)

    def subscribe(
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
        callback: Callable[[_T], object] | None = None,
    ) -> SyncSubscription[_T]:
        """Subscribe to `channel` (see `AsyncWebSocketApi.subscribe`); with `callback`, items go to it."""

        async def subscribe() -> Subscription[_T]:
            api = await self._api()
            return await api.subscribe(
                channel,
                cast_to,
                private=private,
                sequence_field=sequence_field,
                previous_field=previous_field,
                queue_size=queue_size,
                overflow=overflow,
                resubscribe_on_gap=resubscribe_on_gap,
            )

        subscription = SyncSubscription(self, self._loop.run(subscribe(), self.timeout))
        if callback is not None:
            subscription._call_back(callback)
        return subscription

    def close(self) -> None:
        """Close the connection and stop the loop thread (the client's `close()` does it too)."""
        if not self._loop.running:
            return
        api = self._async
        try:
            if api is not None:
                self._loop.run(api.close(), self.timeout)
        finally:
            self._async = None
            self._loop.stop()

    def __repr__(self) -> str:
        return f"SyncWebSocketApi({self._async!r})"
