"""Client configuration shared by `Client` and `AsyncClient`: credentials, base URLs, headers."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._auth import CdpJwtSigner, CdpKey, Credentials, HeaderSigner, RequestSigner, load_cdp_key
from ._base_client import AsyncJsonRpcApi, AsyncRestApi, JsonRpcApi, RestApi

__all__ = ["ApiSettings", "ClientConfig"]


@dataclass(frozen=True)
class ApiSettings:
    """How one API of the SDK is reached and authenticated (generated from the specs)."""

    protocol: str
    auth: str
    header: str = ""
    token_method: str = ""


class ClientConfig:
    """Everything a client needs to build its per-API callers; loads the CDP key once, up front."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        base_urls: Mapping[str, str],
        apis: Mapping[str, ApiSettings],
        user_agent: str,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        self.credentials = credentials
        self.base_urls = dict(base_urls)
        self.apis = dict(apis)
        self.headers = {"Accept": "application/json", "User-Agent": f"{user_agent} python/{platform.python_version()} httpx/{httpx.__version__}"}
        self.headers.update(default_headers or {})
        self.cdp_key: CdpKey | None = None
        if any(s.auth in ("cdp_jwt", "jsonrpc_token") for s in self.apis.values()):
            name, secret = credentials.get("api_key_name"), credentials.get("api_private_key")
            if secret:  # a bad key fails here, at construction, not on the first call
                self.cdp_key = load_cdp_key(name, secret)

    def signer(self, name: str) -> RequestSigner | None:
        settings = self.apis[name]
        if settings.auth == "cdp_jwt":
            return CdpJwtSigner(self.cdp_key) if self.cdp_key is not None else None
        token = self.credentials.get("api_key")
        if token is None:
            return None
        if settings.auth == "bearer":
            return HeaderSigner("Authorization", f"Bearer {token}")
        if settings.auth == "api_key_header":
            return HeaderSigner(settings.header, token)
        return None

    def _jsonrpc_kwargs(self, name: str) -> dict[str, Any]:
        settings = self.apis[name]
        client_id, client_secret = self.credentials.get("client_id"), self.credentials.get("client_secret")
        grant = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret} if client_id and client_secret else None
        return {
            "base_url": self.base_urls[name],
            "headers": self.headers,
            "auth_method": settings.token_method or "public/auth",
            "grant": grant,
            "cdp_key": self.cdp_key,
        }

    def rest(self, client: httpx.Client, name: str) -> RestApi:
        return RestApi(client, base_url=self.base_urls[name], signer=self.signer(name), headers=self.headers)

    def async_rest(self, client: httpx.AsyncClient, name: str) -> AsyncRestApi:
        return AsyncRestApi(client, base_url=self.base_urls[name], signer=self.signer(name), headers=self.headers)

    def jsonrpc(self, client: httpx.Client, name: str) -> JsonRpcApi:
        return JsonRpcApi(client, **self._jsonrpc_kwargs(name))

    def async_jsonrpc(self, client: httpx.AsyncClient, name: str) -> AsyncJsonRpcApi:
        return AsyncJsonRpcApi(client, **self._jsonrpc_kwargs(name))

    def __repr__(self) -> str:
        return f"ClientConfig(base_urls={self.base_urls!r}, credentials={self.credentials!r})"
