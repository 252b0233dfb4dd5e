# sdkgen runtime: copied unchanged into every SDK with a JSON-RPC WebSocket API.
"""The JSON-RPC WebSocket connections of one client (`client.<api>.ws`), made on first use and closed with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._auth import Security
from ._websocket_types import WebSocketOptions

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._jsonrpc import ErrorTable
    from ._websocket import AsyncWebSocketApi, WebSocketRoles
    from ._websocket_sync import SyncWebSocketApi

__all__ = ["WebSocketClients"]


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
