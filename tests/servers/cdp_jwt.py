"""Verification of Coinbase CDP API-key JWTs, as the test servers enforce it."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.servers.keys import PublicKey

MAX_LIFETIME = 120
"""Largest accepted ``exp - nbf`` in seconds."""
CLOCK_SKEW = 5
"""Seconds ``now`` may be before ``nbf``; ``exp`` gets no leeway."""

_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")


class AuthError(Exception):
    """Authentication failed; ``code`` is stable (tests assert it), ``detail`` explains."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class DecodedJwt:
    """Unverified header and claims of a token (None where undecodable)."""

    header: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None


def peek(token: str) -> DecodedJwt:
    """Decode header and claims without verifying anything (for recording)."""
    out = DecodedJwt()
    try:
        out.header = dict(jwt.get_unverified_header(token))
        out.claims = dict(jwt.decode(token, options={"verify_signature": False}))
    except jwt.PyJWTError:
        pass
    return out


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if value is None:
        raise AuthError("missing_claim", f"claim {name!r} is missing")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AuthError("bad_claim", f"claim {name!r} must be a number")
    return float(value)


def verify_cdp_jwt(
    token: str,
    keys: dict[str, PublicKey],
    *,
    expected_uri: str | None,
    now: float | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a CDP JWT and return its (header, claims).

    Checks: alg ES256 (P-256 key) or EdDSA (Ed25519 key) matching the key named by
    ``kid``; ``typ == "JWT"``; ``nonce`` hex of >= 16 chars; signature; ``iss ==
    "cdp"``; ``sub == kid``; numeric ``nbf``/``exp`` with ``0 < exp - nbf <= 120``
    and ``nbf - 5 <= now <= exp``. With ``expected_uri`` the ``uri`` claim must equal
    it; with None it must be absent or a string. Raises :class:`AuthError`.
    """
    try:
        header = dict(jwt.get_unverified_header(token))
    except jwt.PyJWTError as exc:
        raise AuthError("malformed_token", str(exc)) from exc
    alg = header.get("alg")
    if alg not in ("ES256", "EdDSA"):
        raise AuthError("unsupported_alg", f"alg {alg!r} is not ES256 or EdDSA")
    if header.get("typ") != "JWT":
        raise AuthError("bad_typ", f"typ {header.get('typ')!r} is not 'JWT'")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        raise AuthError("unknown_kid", f"kid {kid!r} is not a known key name")
    key = keys[kid]
    if alg == "ES256":
        fits = isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1)
    else:
        fits = isinstance(key, Ed25519PublicKey)
    if not fits:
        raise AuthError("alg_key_mismatch", f"alg {alg} does not fit the key type of {kid!r}")
    nonce = header.get("nonce")
    if not isinstance(nonce, str) or not _HEX.match(nonce):
        raise AuthError("bad_nonce", f"nonce {nonce!r} is not hex of at least 16 chars")
    try:
        claims = dict(
            jwt.decode(
                token,
                key,
                algorithms=[alg],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
        )
    except jwt.InvalidSignatureError as exc:
        raise AuthError("bad_signature", str(exc)) from exc
    except jwt.PyJWTError as exc:
        raise AuthError("malformed_token", str(exc)) from exc
    if claims.get("iss") != "cdp":
        raise AuthError("bad_iss", f"iss {claims.get('iss')!r} is not 'cdp'")
    if claims.get("sub") != kid:
        raise AuthError("sub_mismatch", f"sub {claims.get('sub')!r} is not the kid {kid!r}")
    nbf, exp = _number(claims, "nbf"), _number(claims, "exp")
    if not 0 < exp - nbf <= MAX_LIFETIME:
        raise AuthError("bad_lifetime", f"exp - nbf = {exp - nbf}, must be in (0, {MAX_LIFETIME}]")
    current = time.time() if now is None else now
    if current < nbf - CLOCK_SKEW:
        raise AuthError("not_yet_valid", f"now {current:.0f} is before nbf {nbf:.0f} - {CLOCK_SKEW}s")
    if current > exp:
        raise AuthError("expired", f"now {current:.0f} is after exp {exp:.0f}")
    uri = claims.get("uri")
    if expected_uri is not None:
        if uri is None:
            raise AuthError("missing_uri", f"uri claim missing, expected {expected_uri!r}")
        if uri != expected_uri:
            raise AuthError("uri_mismatch", f"uri {uri!r} != expected {expected_uri!r}")
    elif uri is not None and not isinstance(uri, str):
        raise AuthError("bad_uri", f"uri claim {uri!r} is not a string")
    return header, claims
