# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Raw responses: `client.<api>.<group>.with_raw_response.<op>(...)` returns an `APIResponse`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from ._encoding import loads
from ._exceptions import RequestInfo

__all__ = ["APIResponse", "async_to_raw_response_wrapper", "raw_response_requested", "to_raw_response_wrapper"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

# Set by the wrappers for the duration of one call; read once when the call starts.
_RAW_RESPONSE: ContextVar[bool] = ContextVar("raw_response", default=False)


def raw_response_requested() -> bool:
    """Whether the call being made was asked for through `with_raw_response`."""
    return _RAW_RESPONSE.get()


class APIResponse(Generic[_T]):
    """The HTTP response of a successful call, before (or besides) parsing.

    `headers` holds the server's headers (rate limits...); `parse()` returns what the method returns.
    """

    def __init__(
        self,
        *,
        http_response: httpx.Response,
        request: RequestInfo,
        parser: Callable[[], _T],
        attempts: int,
        elapsed: float,
    ) -> None:
        self.http_response = http_response
        self.request = request
        self.attempts = attempts
        self.elapsed = elapsed
        self._parser = parser
        self._parsed: tuple[_T] | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        try:
            return self.http_response.text
        except (LookupError, ValueError):  # a charset that does not decode the body
            return self.http_response.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as decoded JSON (`ValueError` when it is not JSON)."""
        return loads(self.http_response.content, exact_numbers=False)

    def parse(self) -> _T:
        """The typed result, parsed once and cached."""
        if self._parsed is None:
            self._parsed = (self._parser(),)
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.request}>"


def to_raw_response_wrapper(func: Callable[_P, _T]) -> Callable[_P, APIResponse[_T]]:
    """Wrap a method so that it returns the `APIResponse` instead of the parsed result."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_T]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[_T]", func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped


def async_to_raw_response_wrapper(func: Callable[_P, Awaitable[_T]]) -> Callable[_P, Awaitable[APIResponse[_T]]]:
    """Wrap an async method so that it returns the `APIResponse` instead of the parsed result."""

    @functools.wraps(func)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_T]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[_T]", await func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped
