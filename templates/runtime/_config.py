"""Client configuration shared by `Client` and `AsyncClient`: auth, base URLs, headers, retries."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._auth import Auth, CdpKeyAuth, Credentials, HeaderAuth, OAuth2Auth
from ._base_client import AsyncJsonRpcApi, AsyncRestApi, JsonRpcApi, RestApi
from ._retry import RetryPolicy

__all__ = ["ApiSettings", "ClientConfig"]


@dataclass(frozen=True)
class ApiSettings:
    """How one API of the SDK is reached and authenticated (generated from the specs)."""

    protocol: str
    auth: str
    header: str = ""
    token_method: str = ""


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
        max_response_bytes: int | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_response_bytes is not None and max_response_bytes < 0:
            raise ValueError("max_response_bytes must be 0 or more")
        self.max_response_bytes = max_response_bytes
        self.credentials = credentials
        self.base_urls = dict(base_urls)
        self.apis = dict(apis)
        self.policy = RetryPolicy(max_retries=max_retries)
        self.exact_numbers = exact_numbers
        self.headers = {"Accept": "application/json", "User-Agent": f"{user_agent} python/{platform.python_version()} httpx/{httpx.__version__}"}
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

    def __repr__(self) -> str:
        return f"ClientConfig(base_urls={self.base_urls!r}, auth={self.auth!r}, max_retries={self.policy.max_retries})"
