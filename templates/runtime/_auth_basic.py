# sdkgen runtime: copied unchanged into every SDK that has an HTTP basic scheme.
"""HTTP basic authentication: `Authorization: Basic base64(username:password)`."""

from __future__ import annotations

import base64

import httpx

from ._auth import Auth

__all__ = ["BasicAuth"]


class BasicAuth(Auth):
    """A user name and password, sent with every request that needs them (use HTTPS)."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self._header = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = self._header

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=<redacted>)"
