# sdkgen plug-in `deribit` (plugins/deribit): copied unchanged into SDKs whose specs select it.
"""Deribit's native authentication (deribit.com, test.deribit.com), on the same JSON-RPC protocol.

- `ClientCredentialsAuth` and `ClientSignatureAuth`: grants of the API's token method
  (`public/auth`), renewed with the `refresh_token` grant.
- `HmacAuth`: a `deri-hmac-sha256` Authorization header on every request, no token.

Selected by `plugins: [deribit]` in an OpenRPC document's `x-auth`: the classes are exported for
`<api>_auth=`; the client builds none of them from its own arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

import httpx

from ._auth import Auth

__all__ = ["ClientCredentialsAuth", "ClientSignatureAuth", "HmacAuth", "client_signature"]


class ClientCredentialsAuth(Auth):
    """Deribit's `client_credentials` grant: the client id and secret are sent to `public/auth`."""

    uses_refresh_token = True

    def __init__(self, client_id: str, client_secret: str, *, scope: str | None = None) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.scope = scope

    def grant_params(self) -> dict[str, Any]:
        params = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret}
        return params | ({"scope": self.scope} if self.scope else {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.client_id!r}, client_secret=<redacted>)"


def client_signature(client_secret: str, timestamp_ms: int, nonce: str, data: str = "") -> str:
    """Deribit's signature: hex HMAC-SHA256 of `timestamp + "\\n" + nonce + "\\n" + data`, keyed by the secret."""
    message = f"{timestamp_ms}\n{nonce}\n{data}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha256).hexdigest()


class ClientSignatureAuth(ClientCredentialsAuth):
    """Deribit's `client_signature` grant: the secret never leaves this process, only an HMAC of a nonce."""

    def grant_params(self) -> dict[str, Any]:
        timestamp = int(time.time() * 1000)
        nonce = secrets.token_hex(8)
        params: dict[str, Any] = {
            "grant_type": "client_signature",
            "client_id": self.client_id,
            "timestamp": timestamp,
            "nonce": nonce,
            "data": "",
            "signature": client_signature(self._secret, timestamp, nonce),
        }
        return params | ({"scope": self.scope} if self.scope else {})


class HmacAuth(Auth):
    """Deribit's per-request `Authorization: deri-hmac-sha256 id=...,ts=...,sig=...,nonce=...`.

    The signature covers `ts`, `nonce` and the request data: method, path with query, and body.
    """

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._secret = client_secret

    def sign(self, request: httpx.Request) -> None:
        timestamp = int(time.time() * 1000)
        nonce = secrets.token_hex(8)
        body = request.content.decode("utf-8")
        data = f"{request.method.upper()}\n{request.url.raw_path.decode('ascii')}\n{body}\n"
        signature = client_signature(self._secret, timestamp, nonce, data)
        request.headers["Authorization"] = (
            f"deri-hmac-sha256 id={self.client_id},ts={timestamp},sig={signature},nonce={nonce}"
        )

    def __repr__(self) -> str:
        return f"HmacAuth(client_id={self.client_id!r}, client_secret=<redacted>)"
