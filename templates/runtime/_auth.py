"""Credentials and authentication: every flow the SDK supports, each a pluggable `Auth` object.

- `CdpKeyAuth`: a CDP API key (EC P-256 PEM → ES256, base64 Ed25519 → EdDSA, or the JSON key file
  Coinbase hands out). REST requests carry a fresh JWT whose `uri` claim is the request's method,
  host[:port] and path; the JSON-RPC gateway gets the JWT through `public/auth` (`coinbase_cdp`).
- `OAuth2Auth`: a Coinbase OAuth2 access token: a bearer token on REST, `coinbase_oauth2` on the
  gateway. Give a callable to refresh it yourself.
- Native Deribit (deribit.com, test.deribit.com): `ClientCredentialsAuth` and
  `ClientSignatureAuth` (`public/auth` grants, renewed with the `refresh_token` grant), and
  `HmacAuth` (a `deri-hmac-sha256` Authorization header on every request, no token).

Write your own by subclassing `Auth`: override `sign` to add headers to each request, or
`grant_params` to obtain an access token from the API's auth method. No method does I/O, so one
object serves sync and async clients alike.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ._exceptions import CredentialsError

__all__ = [
    "Auth",
    "CdpKey",
    "CdpKeyAuth",
    "ClientCredentialsAuth",
    "ClientSignatureAuth",
    "Credentials",
    "HeaderAuth",
    "HmacAuth",
    "OAuth2Auth",
    "client_signature",
    "load_cdp_key",
]

JWT_LIFETIME_SECONDS = 120


class Credentials:
    """The secrets a client was given; `repr` and `str` never show them."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = {k: v for k, v in values.items() if v}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def require(self, name: str, env_var: str) -> str:
        value = self._values.get(name)
        if not value:
            raise CredentialsError(f"`{name}` is not set: pass {name}=... to the client or set {env_var}")
        return value

    def __repr__(self) -> str:
        return f"Credentials({', '.join(f'{k}=<redacted>' for k in sorted(self._values))})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class CdpKey:
    """A loaded CDP API key: its name, the JWT algorithm and the private key object."""

    name: str
    algorithm: str
    private_key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey  # cryptography and PyJWT load with the first key

    def __repr__(self) -> str:
        return f"CdpKey(name={self.name!r}, algorithm={self.algorithm!r}, private_key=<redacted>)"

    def jwt(self, uri: str | None) -> str:
        """A fresh JWT for one request (`uri` is "METHOD host/path"), or for the gateway (no uri)."""
        now = int(time.time())
        claims: dict[str, object] = {"sub": self.name, "iss": "cdp", "nbf": now, "exp": now + JWT_LIFETIME_SECONDS}
        if uri is not None:
            claims["uri"] = uri
        headers = {"kid": self.name, "nonce": secrets.token_hex(16), "typ": "JWT"}
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
            raise CredentialsError(f"the CDP API private key is not a loadable PEM key ({type(exc).__name__})") from None
        if isinstance(key, ec.EllipticCurvePrivateKey):
            if not isinstance(key.curve, ec.SECP256R1):
                raise CredentialsError(f"the CDP API key is an EC key on {key.curve.name}; Coinbase uses P-256 (secp256r1)")
            return CdpKey(name, "ES256", key)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return CdpKey(name, "EdDSA", key)
        raise CredentialsError(f"the CDP API private key is a {type(key).__name__}; expected EC P-256 or Ed25519")
    try:
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialsError("the CDP API private key is neither a PEM key nor base64 (Ed25519)") from None
    if len(raw) not in (32, 64):
        raise CredentialsError(f"a base64 Ed25519 key must decode to 32 or 64 bytes, not {len(raw)}")
    return CdpKey(name, "EdDSA", ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32]))


# -- pluggable auth objects ---------------------------------------------------------------------


class Auth:
    """How a client proves who it is. Subclass it to plug in your own scheme.

    REST APIs call `sign` on every request that needs authentication. On JSON-RPC APIs, a class
    that overrides `grant_params` gets an access token from the API's auth method
    (`public/auth`), sent as `Authorization: Bearer ...` and renewed before it expires; a class
    that does not has `sign` called on every private request instead.
    """

    #: Renew the token with the `refresh_token` grant when the auth result carries one.
    uses_refresh_token = False

    def sign(self, request: httpx.Request) -> None:
        """Add authentication to one request."""
        from ._exceptions import CredentialsError

        raise CredentialsError(f"{type(self).__name__} cannot sign requests; it only obtains access tokens")

    def grant_params(self) -> dict[str, Any] | None:
        """Parameters of the auth method's call (a fresh set for every renewal)."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


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
    """A Coinbase OAuth2 access token: `Authorization: Bearer` on REST, `coinbase_oauth2` on the gateway.

    `token` is the token itself or a callable returning the current one (called for every REST
    request and every gateway renewal), so an application that refreshes OAuth tokens can plug in.
    """

    def __init__(self, token: str | Callable[[], str]) -> None:
        self._token = token

    def current_token(self) -> str:
        token = self._token() if callable(self._token) else self._token
        if not token:
            from ._exceptions import CredentialsError

            raise CredentialsError("the OAuth2 token provider returned no token")
        return token

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.current_token()}"

    def grant_params(self) -> dict[str, Any]:
        return {"grant_type": "coinbase_oauth2", "token": self.current_token()}


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
        request.headers["Authorization"] = f"deri-hmac-sha256 id={self.client_id},ts={timestamp},sig={signature},nonce={nonce}"

    def __repr__(self) -> str:
        return f"HmacAuth(client_id={self.client_id!r}, client_secret=<redacted>)"


class HeaderAuth(Auth):
    """A fixed secret header on every request: `Authorization: Bearer <token>` or an API-key header."""

    def __init__(self, header: str, value: str) -> None:
        self.header = header
        self._value = value

    def sign(self, request: httpx.Request) -> None:
        request.headers[self.header] = self._value

    def __repr__(self) -> str:
        return f"HeaderAuth({self.header!r}, <redacted>)"
