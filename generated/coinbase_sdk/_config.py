# Copied by sdkgen from templates/runtime/_config.py. Do not edit here.
"""Client configuration shared by `Client` and `AsyncClient`: auth, base URLs, headers, retries."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

from ._auth import Auth, CdpKeyAuth, Credentials, HeaderAuth, OAuth2Auth
from ._base_client import AsyncJsonRpcApi, AsyncRestApi, JsonRpcApi, RestApi
from ._limits import ACCEPT_ENCODING
from ._redact import redact_url
from ._retry import RetryPolicy

if TYPE_CHECKING:
    from ._websocket import AsyncWebSocketApi, WebSocketRoles

__all__ = ["ApiSettings", "ClientConfig", "Overflow", "WebSocketOptions"]

Overflow = Literal["drop_oldest", "error"]


@dataclass(frozen=True)
class WebSocketOptions:
    """How the WebSocket client behaves (pass as `AsyncClient(websocket_options=...)`).

    Args:
        heartbeat_interval: Seconds between the server's heartbeats, asked for with
            `public/set_heartbeat` on every connect (None: not asked). The server then also sends
            `test_request`s, which the client answers.
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


@dataclass(frozen=True)
class ApiSettings:
    """How one API of the SDK is reached and authenticated (generated from the specs)."""

    protocol: str
    auth: str
    header: str = ""
    token_method: str = ""
    method_in_path: bool = False  # JSON-RPC over HTTP: POST <base>/<method> (Deribit) instead of POST <base>


class ClientConfig:
    """Everything a client needs to build its per-API callers; loads keys once, up front."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        auth: Mapping[str, Auth | None],
        base_urls: Mapping[str, str],
        apis: Mapping[str, ApiSettings],
        user_agent: str,
        default_headers: Mapping[str, str] | None,
        max_retries: int,
        exact_numbers: bool,
        ws_urls: Mapping[str, str] | None = None,
        websocket_options: WebSocketOptions | None = None,
        max_response_bytes: int | None = None,
        total_timeout: float | None = None,
    ) -> None:
        if total_timeout is not None and not total_timeout > 0:
            raise ValueError("total_timeout must be more than 0 seconds (or None)")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_response_bytes is not None and max_response_bytes < 0:
            raise ValueError("max_response_bytes must be 0 or more")
        self.max_response_bytes = max_response_bytes
        self.credentials = credentials
        self.base_urls = dict(base_urls)
        self.apis = dict(apis)
        self.policy = RetryPolicy(max_retries=max_retries, total_timeout=total_timeout)
        self.exact_numbers = exact_numbers
        self.ws_urls = dict(ws_urls or {})
        self.websocket_options = websocket_options or WebSocketOptions()
        self.websockets: list[AsyncWebSocketApi] = []
        self.user_agent = user_agent
        self.headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": f"{user_agent} python/{platform.python_version()} httpx/{httpx.__version__}",
        }
        self.headers.update(default_headers or {})
        # Loaded once and shared by the APIs that take it; a bad key fails here, not on the first call.
        needs_cdp = any(s.auth in ("cdp_jwt", "jsonrpc_token") and not auth.get(n) for n, s in self.apis.items())
        private_key = credentials.get("api_private_key")
        self._cdp_key = CdpKeyAuth(credentials.get("api_key_name"), private_key) if needs_cdp and private_key else None
        self.auth = {name: auth.get(name) or self._default_auth(settings) for name, settings in self.apis.items()}

    def _default_auth(self, settings: ApiSettings) -> Auth | None:
        """The auth an API gets from the plain credential arguments: a CDP key first, then an OAuth2 token."""
        get = self.credentials.get
        if settings.auth in ("cdp_jwt", "jsonrpc_token"):
            if self._cdp_key is not None:
                return self._cdp_key
            token = get("oauth_token")
            return OAuth2Auth(token) if token else None
        token = get("api_key")
        if token is None:
            return None
        if settings.auth == "bearer":
            return HeaderAuth("Authorization", f"Bearer {token}")
        if settings.auth == "api_key_header":
            return HeaderAuth(settings.header, token)
        return None

    def _rest_kwargs(self, name: str) -> dict[str, Any]:
        return {
            "base_url": self.base_urls[name],
            "auth": self.auth[name],
            "headers": self.headers,
            "policy": self.policy,
            "max_response_bytes": self.max_response_bytes,
        }

    def _jsonrpc_kwargs(self, name: str) -> dict[str, Any]:
        from .errors import ERROR_TABLES  # generated; imported with the first JSON-RPC API used

        return {
            "base_url": self.base_urls[name],
            "headers": self.headers,
            "auth_method": self.apis[name].token_method or "public/auth",
            "auth": self.auth[name],
            "policy": self.policy,
            "errors": ERROR_TABLES.get(name, {}),
            "exact_numbers": self.exact_numbers,
            "method_in_path": self.apis[name].method_in_path,
            "max_response_bytes": self.max_response_bytes,
        }

    def rest(self, client: httpx.Client, name: str) -> RestApi:
        return RestApi(client, **self._rest_kwargs(name))

    def async_rest(self, client: httpx.AsyncClient, name: str) -> AsyncRestApi:
        return AsyncRestApi(client, **self._rest_kwargs(name))

    def jsonrpc(self, client: httpx.Client, name: str) -> JsonRpcApi:
        return JsonRpcApi(client, **self._jsonrpc_kwargs(name))

    def async_jsonrpc(self, client: httpx.AsyncClient, name: str) -> AsyncJsonRpcApi:
        return AsyncJsonRpcApi(client, **self._jsonrpc_kwargs(name))

    def websocket(self, name: str, roles: WebSocketRoles) -> AsyncWebSocketApi:
        """The WebSocket client of a JSON-RPC API (imports the `websockets` library on first use)."""
        from ._websocket import AsyncWebSocketApi
        from .errors import ERROR_TABLES  # generated

        api = AsyncWebSocketApi(
            url=self.ws_urls[name],
            auth=self.auth[name],
            policy=self.policy,
            errors=ERROR_TABLES.get(name, {}),
            exact_numbers=self.exact_numbers,
            roles=roles,
            options=self.websocket_options,
            user_agent=self.user_agent,
            max_frame_bytes=self.max_response_bytes,
        )
        self.websockets.append(api)
        return api

    async def close_websockets(self) -> None:
        """Close every WebSocket client made by `websocket()`."""
        websockets, self.websockets = self.websockets, []
        for api in websockets:
            await api.close()

    def __repr__(self) -> str:
        base_urls = {name: redact_url(url) for name, url in self.base_urls.items()}
        return f"ClientConfig(base_urls={base_urls!r}, auth={self.auth!r}, max_retries={self.policy.max_retries})"
