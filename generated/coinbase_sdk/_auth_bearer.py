# sdkgen runtime: copied unchanged into every SDK that has a bearer, OAuth2 or OpenID Connect scheme.
"""`Authorization: Bearer <token>`: an HTTP bearer token, an OAuth2 access token or an OpenID Connect token."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ._auth import Auth
from ._exceptions import CredentialsError

__all__ = ["BearerAuth"]


class BearerAuth(Auth):
    """A bearer token on every request that needs one.

    `token` is the token itself, or a callable returning the current one (asked for every
    request), so an application that obtains and refreshes tokens itself (any OAuth2 flow,
    OpenID Connect) can plug in.
    """

    def __init__(self, token: str | Callable[[], str]) -> None:
        self._token = token

    def current_token(self) -> str:
        token = self._token() if callable(self._token) else self._token
        if not token:
            raise CredentialsError("the token provider returned no token")
        return token

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.current_token()}"
