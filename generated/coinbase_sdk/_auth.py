# Copied by sdkgen from templates/runtime/_auth.py. Do not edit here.
"""Credentials and request signing: CDP API key JWTs and bearer tokens.

A CDP key is an EC P-256 key in PEM (signed with ES256) or an Ed25519 key given as base64 of its
32-byte seed or 64-byte seed+public key (signed with EdDSA). Each REST request carries a fresh JWT
whose `uri` claim is the request's method, host[:port] and path, as Coinbase verifies it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from ._exceptions import CredentialsError

__all__ = ["CdpJwtSigner", "CdpKey", "Credentials", "HeaderSigner", "RequestSigner", "load_cdp_key"]

JWT_LIFETIME_SECONDS = 120


class RequestSigner(Protocol):
    """Adds authentication to a request before it is sent (no I/O: works for sync and async)."""

    def sign(self, request: httpx.Request) -> None: ...


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
    private_key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"CdpKey(name={self.name!r}, algorithm={self.algorithm!r}, private_key=<redacted>)"

    def jwt(self, uri: str | None) -> str:
        """A fresh JWT for one request (`uri` is "METHOD host/path"), or for the gateway (no uri)."""
        now = int(time.time())
        claims: dict[str, object] = {"sub": self.name, "iss": "cdp", "nbf": now, "exp": now + JWT_LIFETIME_SECONDS}
        if uri is not None:
            claims["uri"] = uri
        headers = {"kid": self.name, "nonce": secrets.token_hex(16), "typ": "JWT"}
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
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialsError("the CDP API private key is neither a PEM key nor base64 (Ed25519)") from None
    if len(raw) not in (32, 64):
        raise CredentialsError(f"a base64 Ed25519 key must decode to 32 or 64 bytes, not {len(raw)}")
    return CdpKey(name, "EdDSA", ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32]))


class CdpJwtSigner:
    """Signs each REST request with a fresh CDP JWT bound to its method, host and path."""

    def __init__(self, key: CdpKey) -> None:
        self.key = key

    def sign(self, request: httpx.Request) -> None:
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        uri = f"{request.method} {request.url.netloc.decode('ascii')}{path}"
        request.headers["Authorization"] = f"Bearer {self.key.jwt(uri)}"

    def __repr__(self) -> str:
        return f"CdpJwtSigner({self.key!r})"


class HeaderSigner:
    """Sends a fixed secret header: `Authorization: Bearer <token>` or an API-key header."""

    def __init__(self, header: str, value: str) -> None:
        self._header = header
        self._value = value

    def sign(self, request: httpx.Request) -> None:
        request.headers[self._header] = self._value

    def __repr__(self) -> str:
        return f"HeaderSigner({self._header!r}, <redacted>)"
