# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Authentication: the `Auth` interface every scheme implements, and how a client picks one per request.

An `Auth` proves who the client is:
- `sign(request)` adds credentials to one attempt of a request. It is called afresh for every
  attempt (after retries, after a new token), so a signature may cover the time or a nonce.
- `prepare(client)` / `aprepare(client)` run before each attempt and may do I/O: a scheme that
  needs an access token first (OAuth2 client credentials) fetches or renews it there.
- `refused()` is called after the server answered 401 to a request this auth signed: forget
  what was refused and return True to send the request once more.
- `grant_params()` is for APIs whose access token comes from a token method of the API itself
  (one the spec names): the grant to send, OAuth2 style (`grant_type`, ...).

The generated client builds one `Auth` per security scheme of the spec from its constructor
arguments (`SchemeSetup`), and `AuthSelector` picks, for each operation, the first of the
operation's security requirements that the client can meet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._exceptions import CredentialsError

__all__ = ["AllOfAuth", "Auth", "AuthSelector", "Credentials", "SchemeSetup", "Security", "TokenCache"]

# An operation's security requirements: alternatives, each naming the schemes it needs together.
# `()` means the operation is public; an empty alternative means authentication is optional.
Security = tuple[tuple[str, ...], ...]


class Auth:
    """How a client proves who it is. Subclass it to plug in your own scheme."""

    #: With `grant_params`: renew the token with the `refresh_token` grant when the token result carries one.
    uses_refresh_token = False

    def sign(self, request: httpx.Request) -> None:
        """Add authentication to one attempt of a request."""
        raise CredentialsError(f"{type(self).__name__} cannot sign requests; it only obtains access tokens")

    def prepare(self, client: httpx.Client) -> None:
        """Before each attempt of a sync client: obtain what `sign` needs when it is missing or expiring."""

    async def aprepare(self, client: httpx.AsyncClient) -> None:
        """Before each attempt of an async client: obtain what `sign` needs when it is missing or expiring."""

    def refused(self) -> bool:
        """The server refused a request this auth signed (HTTP 401): forget what it refused; True to try once more."""
        return False

    def grant_params(self) -> dict[str, Any] | None:
        """Parameters of the API's token method (a fresh set for every renewal), or None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


class AllOfAuth(Auth):
    """Several schemes at once (a security requirement that names more than one)."""

    def __init__(self, auths: Sequence[Auth]) -> None:
        self.auths = tuple(auths)

    def sign(self, request: httpx.Request) -> None:
        for auth in self.auths:
            auth.sign(request)

    def prepare(self, client: httpx.Client) -> None:
        for auth in self.auths:
            auth.prepare(client)

    async def aprepare(self, client: httpx.AsyncClient) -> None:
        for auth in self.auths:
            await auth.aprepare(client)

    def refused(self) -> bool:
        return any([auth.refused() for auth in self.auths])

    def __repr__(self) -> str:
        return f"AllOfAuth({', '.join(repr(a) for a in self.auths)})"


class Credentials:
    """The secrets a client was given; `repr` and `str` never show them."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = {k: v for k, v in values.items() if v}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def has(self, names: Sequence[str]) -> bool:
        return all(name in self._values for name in names)

    def __repr__(self) -> str:
        return f"Credentials({', '.join(f'{k}=<redacted>' for k in sorted(self._values))})"

    __str__ = __repr__


@dataclass(frozen=True)
class SchemeSetup:
    """How the client builds the `Auth` of one security scheme from its constructor arguments.

    `factory` is called with the values of `arguments` (None for an optional one not given) and
    the keyword `options` the spec fixes (a header name, a token URL). The setup applies when
    every `required` argument is given. `hint` tells a user what to pass, for error messages.
    """

    scheme: str
    factory: Callable[..., Auth]
    arguments: tuple[str, ...]
    required: tuple[str, ...]
    hint: str
    options: Mapping[str, Any] = field(default_factory=dict)


class AuthSelector:
    """The auths of one API: the user's own `Auth` for every call, or one per scheme the client can build."""

    def __init__(self, *, override: Auth | None, schemes: Mapping[str, Auth], hints: Mapping[str, str]) -> None:
        self.override = override
        self.schemes = dict(schemes)
        self.hints = dict(hints)

    def select(self, security: Security, what: str) -> Auth | None:
        """The auth for an operation with these requirements; None for a public one.

        Raises `CredentialsError` naming the arguments and environment variables to set when
        the client can meet none of them.
        """
        if not security:
            return None
        if self.override is not None:
            return self.override
        for alternative in security:
            if alternative and all(scheme in self.schemes for scheme in alternative):
                auths = [self.schemes[scheme] for scheme in alternative]
                return auths[0] if len(auths) == 1 else AllOfAuth(auths)
        if () in security:
            return None  # authentication is optional and the client has none
        raise CredentialsError(f"{what} needs credentials: {self.missing(security)}")

    def preferred(self, security: Security) -> Auth | None:
        """The auth the client would use for `security`, or None when it has none (no error)."""
        try:
            return self.select(security, "")
        except CredentialsError:
            return None

    def missing(self, security: Security) -> str:
        """What to pass to meet `security`: each alternative's arguments and environment variables."""
        ways = [
            " and ".join(self.hints.get(scheme, scheme) for scheme in alternative)
            for alternative in security
            if alternative
        ]
        return " or ".join(dict.fromkeys(ways)) or "an `Auth` object"

    def __repr__(self) -> str:
        return f"AuthSelector(override={self.override!r}, schemes={self.schemes!r})"


class TokenCache:
    """An access token and when to stop using it (a little before the server says it expires)."""

    def __init__(self) -> None:
        self.value: str | None = None
        self.refresh_token: str | None = None
        self.renew_at = 0.0

    def valid(self) -> bool:
        return self.value is not None and time.monotonic() < self.renew_at

    def store(self, value: str, expires_in: float | None, refresh_token: str | None) -> None:
        """Keep a token; one without `expires_in` is used until the server refuses it."""
        self.value = value
        self.refresh_token = refresh_token
        if expires_in is None:
            self.renew_at = float("inf")
            return
        margin = min(60.0, expires_in * 0.1)
        self.renew_at = time.monotonic() + max(expires_in - margin, 0.0)

    def discard(self, value: str | None) -> None:
        """Forget `value` (the token a failed call used), unless another call already replaced it."""
        if value is not None and value == self.value:
            self.value = None
            self.renew_at = 0.0

    def __repr__(self) -> str:
        return f"TokenCache(valid={self.valid()})"
