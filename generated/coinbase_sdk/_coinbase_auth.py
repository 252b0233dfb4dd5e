# sdkgen plug-in `coinbase` (plugins/coinbase): copied unchanged into SDKs whose specs select it.
"""Coinbase credentials: CDP API keys and Coinbase OAuth2 tokens.

- `CdpKeyAuth`: a CDP API key (EC P-256 PEM → ES256, base64 Ed25519 → EdDSA, or the JSON key file
  Coinbase hands out). REST requests carry a fresh JWT whose `uri` claim is the request's method,
  host[:port] and path; the derivatives gateway gets the JWT through its token method
  (grant `coinbase_cdp`).
- `OAuth2Auth`: a Coinbase OAuth2 access token: a bearer token on REST, grant `coinbase_oauth2`
  on the gateway. Give a callable to refresh it yourself.

Selected by `x-sdkgen-auth: cdp_jwt` on an OpenAPI security scheme, and by the grant types
`coinbase_cdp` / `coinbase_oauth2` of an OpenRPC `x-auth`.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ._auth import Auth
from ._exceptions import CredentialsError

__all__ = ["CdpKey", "CdpKeyAuth", "OAuth2Auth", "load_cdp_key"]

JWT_LIFETIME_SECONDS = 120
# Random bytes of the JWT header nonce: 32, as the official SDK (coinbase-advanced-py, `secrets.token_hex()`).
NONCE_BYTES = 32


@dataclass(frozen=True, repr=False)
class CdpKey:
    """A loaded CDP API key: its name, the JWT algorithm and the private key object."""

    name: str
    algorithm: str
    private_key: (
        ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    )  # cryptography and PyJWT load with the first key

    def __repr__(self) -> str:
        return f"CdpKey(name={self.name!r}, algorithm={self.algorithm!r}, private_key=<redacted>)"

    def jwt(self, uri: str | None) -> str:
        """A fresh JWT for one request (`uri` is "METHOD host/path"), or for the gateway (no uri)."""
        now = int(time.time())
        claims: dict[str, object] = {"sub": self.name, "iss": "cdp", "nbf": now, "exp": now + JWT_LIFETIME_SECONDS}
        if uri is not None:
            claims["uri"] = uri
        # 64 hex characters, as the official SDK (`secrets.token_hex()`: 32 random bytes).
        headers = {"kid": self.name, "nonce": secrets.token_hex(NONCE_BYTES), "typ": "JWT"}
        import jwt  # loaded with the first signature, so `import coinbase_sdk` stays light

        return jwt.encode(claims, self.private_key, algorithm=self.algorithm, headers=headers)


def _key_from_file(secret: str) -> tuple[str | None, str]:
    """Accept the JSON key file Coinbase hands out, given as a path or as its text."""
    text = secret
    if not secret.lstrip().startswith(("{", "-----")) and len(secret) < 4096:
        path = Path(secret).expanduser()
        try:
            if path.suffix == ".json" and path.is_file():
                text = path.read_text(encoding="utf-8")
        except OSError:
            pass
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise CredentialsError("the CDP key looks like a JSON key file but is not valid JSON") from None
        name = data.get("name") or data.get("id")
        private = data.get("privateKey")
        if not isinstance(private, str):
            raise CredentialsError("the CDP JSON key file has no `privateKey`")
        return (name if isinstance(name, str) else None), private
    return None, secret


def load_cdp_key(name: str | None, secret: str) -> CdpKey:
    """Load a CDP key from a PEM EC key, a base64 Ed25519 key, or a JSON key file (path or text)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    file_name, secret = _key_from_file(secret)
    name = name or file_name
    if not name:
        raise CredentialsError("the CDP API key name is missing (api_key_name)")
    secret = secret.strip().replace("\\n", "\n")
    if secret.startswith("-----BEGIN"):
        try:
            key = load_pem_private_key(secret.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            raise CredentialsError(
                f"the CDP API private key is not a loadable PEM key ({type(exc).__name__})"
            ) from None
        if isinstance(key, ec.EllipticCurvePrivateKey):
            if not isinstance(key.curve, ec.SECP256R1):
                raise CredentialsError(
                    f"the CDP API key is an EC key on {key.curve.name}; Coinbase uses P-256 (secp256r1)"
                )
            return CdpKey(name, "ES256", key)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return CdpKey(name, "EdDSA", key)
        raise CredentialsError(f"the CDP API private key is a {type(key).__name__}; expected EC P-256 or Ed25519")
    try:
        # Whitespace inside the base64 (a line-wrapped key, a newline from a .env loader) is
        # dropped first, as the official SDK does; anything else that is not base64 is refused.
        raw = base64.b64decode("".join(secret.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CredentialsError("the CDP API private key is neither a PEM key nor base64 (Ed25519)") from None
    if len(raw) not in (32, 64):
        raise CredentialsError(f"a base64 Ed25519 key must decode to 32 or 64 bytes, not {len(raw)}")
    return CdpKey(name, "EdDSA", ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32]))


class CdpKeyAuth(Auth):
    """A Coinbase CDP API key: a JWT per REST request, the `coinbase_cdp` grant on the gateway."""

    def __init__(self, key_name: str | None, private_key: str) -> None:
        self.key = load_cdp_key(key_name, private_key)

    def sign(self, request: httpx.Request) -> None:
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        uri = f"{request.method} {request.url.netloc.decode('ascii')}{path}"
        request.headers["Authorization"] = f"Bearer {self.key.jwt(uri)}"

    def grant_params(self) -> dict[str, Any]:
        return {"grant_type": "coinbase_cdp", "token": self.key.jwt(None)}

    def __repr__(self) -> str:
        return f"CdpKeyAuth({self.key!r})"


class OAuth2Auth(Auth):
    """A Coinbase OAuth2 access token: `Authorization: Bearer` on REST, grant `coinbase_oauth2` on the gateway.

    `token` is the token itself or a callable returning the current one (called for every REST
    request and every gateway renewal), so an application that refreshes OAuth tokens can plug in.
    """

    def __init__(self, token: str | Callable[[], str]) -> None:
        self._token = token

    def current_token(self) -> str:
        token = self._token() if callable(self._token) else self._token
        if not token:
            raise CredentialsError("the OAuth2 token provider returned no token")
        return token

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.current_token()}"

    def grant_params(self) -> dict[str, Any]:
        return {"grant_type": "coinbase_oauth2", "token": self.current_token()}


def websocket_jwt(auth: Auth | None) -> str | None:
    """A fresh JWT for one Advanced Trade WebSocket message (no `uri` claim), or None without a CDP key.

    The `[tokens.cdp-api-key-jwt]` hook of this plug-in: the WebSocket client calls it for every
    subscribe and unsubscribe message, since a JWT is valid for 120 s and used once.
    """
    return auth.key.jwt(None) if isinstance(auth, CdpKeyAuth) else None
