# sdkgen runtime: copied unchanged into every SDK that has an API key scheme.
"""An API key in a header, a query parameter or a cookie, as the spec's `apiKey` scheme says."""

from __future__ import annotations

from typing import Literal

import httpx

from ._auth import Auth
from ._encoding import check_header_values

__all__ = ["ApiKeyAuth", "ApiKeyLocation"]

ApiKeyLocation = Literal["header", "query", "cookie"]


class ApiKeyAuth(Auth):
    """An API key sent with every request that needs it: as header `name`, query parameter `name` or cookie `name`."""

    def __init__(self, key: str, *, name: str, location: ApiKeyLocation = "header") -> None:
        if location not in ("header", "query", "cookie"):
            raise ValueError(f"an API key goes in a header, the query or a cookie, not {location!r}")
        check_header_values({name: key})  # a key with a line break would split the request
        self.name = name
        self.location = location
        self._key = key

    def sign(self, request: httpx.Request) -> None:
        if self.location == "header":
            request.headers[self.name] = self._key
        elif self.location == "query":
            request.url = request.url.copy_merge_params({self.name: self._key})
        else:
            cookie = f"{self.name}={self._key}"
            existing = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{existing}; {cookie}" if existing else cookie

    def __repr__(self) -> str:
        return f"ApiKeyAuth(name={self.name!r}, location={self.location!r}, key=<redacted>)"
