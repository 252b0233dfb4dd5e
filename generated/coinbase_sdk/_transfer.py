"""One HTTP attempt, bounded: a deadline over all of it, a size limit on the decoded body, no redirects.

`send` (sync) and `async_send` do the same thing:
- the attempt's deadline is the request's `timeout` (the largest of httpx's values), cut short by
  the call's `total_timeout`; httpx's per-operation timeouts are capped to what is left, and the
  whole attempt (connect, headers, body, decompression) ends there: sync through `SocketDeadline`,
  async through `asyncio.timeout`. Past it: `APITimeoutError`;
- the body is read raw and decoded by `BoundedDecoder`, so `max_response_bytes` counts decoded
  bytes while they inflate: `ResponseTooLargeError`;
- the request is sent with `follow_redirects=False`, whatever the client's setting: a redirect
  (301, 302, 303, 307, 308) is a `RedirectError`, never followed, since following would re-send
  credentials to wherever `Location` points (an API answers at its base URL);
- userinfo in the URL is sent as Basic auth (as httpx would) but taken out of the URL first, so
  no httpx log line or exception shows it. (The SDK asks for `ACCEPT_ENCODING` in its headers:
  the encodings the decoder knows.)

`typed_failures` is the net under every call: any exception of httpx, json, decimal, zlib or
pydantic that escapes becomes an `APIError` subclass, with the original as `__cause__`.
"""

from __future__ import annotations

import base64
import decimal
import functools
import inspect
import json
import zlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

import httpx
import pydantic

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    RedirectError,
    RequestInfo,
    ResponseTooLargeError,
)
from ._limits import BodyTooLarge, BoundedDecoder, Deadline, UndecodableBody, attempt_seconds, capped_timeouts
from ._redact import redact_text, strip_query
from ._watchdog import SocketDeadline

__all__ = ["REDIRECT_STATUSES", "async_send", "send", "stray_error", "typed_failures"]

_F = TypeVar("_F", bound=Callable[..., Any])
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Transport failures after which the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# What a library may raise inside a call that is not the caller's mistake.
_STRAY = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.CookieConflict,
    httpx.StreamError,
    json.JSONDecodeError,
    decimal.DecimalException,
    zlib.error,
    pydantic.ValidationError,
    RecursionError,
    OverflowError,
)


# -- one attempt ----------------------------------------------------------------------------------


class _Attempt:
    """What `send` and `async_send` share: the deadline, the body's budget, the errors."""

    __slots__ = ("body", "deadline", "decoder", "head_status", "info", "limit", "response", "total")

    def __init__(self, request: httpx.Request, info: RequestInfo, limit: int | None, total: Deadline) -> None:
        self.info = info
        self.limit = limit
        self.total = total
        timeouts = request.extensions.get("timeout")
        own = Deadline.after(attempt_seconds(timeouts))
        self.deadline = own.earliest(total)
        remaining = self.deadline.remaining()
        if remaining is not None:
            if remaining <= 0:
                raise self.timeout(sent=False)
            request.extensions["timeout"] = capped_timeouts(timeouts, remaining)
        _move_userinfo(request)
        self.body: list[bytes] = []
        self.decoder: BoundedDecoder | None = None
        self.response: httpx.Response | None = None
        self.head_status: int | None = None  # the status line's code, seen before httpx builds a Response

    def heard(self, name: str, info: dict[str, Any]) -> None:
        """httpcore's `trace` extension: note the status as soon as the headers are in."""
        if name == _HEADERS_RECEIVED:
            head = info.get("return_value")
            if isinstance(head, tuple) and len(head) > 1 and isinstance(head[1], int):
                self.head_status = head[1]

    def listen(self, request: httpx.Request) -> None:
        request.extensions["trace"] = _chain(self.heard, request.extensions.get("trace"))

    def async_listen(self, request: httpx.Request) -> None:
        previous = request.extensions.get("trace")

        async def trace(name: str, info: dict[str, Any]) -> None:
            self.heard(name, info)
            if previous is not None:
                await previous(name, info)

        request.extensions["trace"] = trace

    def timeout(self, *, sent: bool = True) -> APITimeoutError:
        if self.deadline is self.total and self.total.at is not None:
            text = f"the call's total_timeout of {self.total.seconds:g} s ran out"
        else:
            text = f"the attempt took longer than its timeout of {self.deadline.seconds:g} s"
        outcome = "; it may or may not have been executed" if sent else "; it was not sent"
        return APITimeoutError(text + outcome, request=self.info, request_sent=sent)

    def start(self, response: httpx.Response) -> None:
        """Headers are in: refuse a redirect or a declared oversize body, else get ready to decode."""
        self.response = response
        if response.status_code in REDIRECT_STATUSES:
            raise _redirect_error(response, self.info)
        limit = self.limit
        decoder = BoundedDecoder(response.headers.get("content-encoding"), limit)
        declared = response.headers.get("content-length", "")
        raw_limit = decoder.raw_budget.limit if decoder.encoded else limit
        if raw_limit is not None and declared.isdigit() and int(declared) > raw_limit:
            raise self.too_large(f"Content-Length {declared}")
        self.decoder = decoder

    def take(self, raw: bytes) -> None:
        assert self.decoder is not None
        for piece in self.decoder.feed(raw):
            self.body.append(piece)
            if self.deadline.expired():
                raise self.timeout()

    def finish(self) -> httpx.Response:
        assert self.decoder is not None and self.response is not None
        self.body.extend(self.decoder.finish())
        response = self.response
        response._content = b"".join(self.body)  # what `Response.read()` sets: the body, decoded and complete
        self.body = []
        return response

    def too_large(self, size: str) -> ResponseTooLargeError:
        assert self.response is not None and self.limit is not None
        return ResponseTooLargeError(
            f"the response body ({size}) is larger than max_response_bytes={self.limit}",
            request=self.info,
            status_code=self.response.status_code,
            limit=self.limit,
        )

    def failure(self, exc: BaseException) -> APIError:
        """The APIError for what went wrong while sending or reading."""
        if isinstance(exc, BodyTooLarge):
            return self.too_large(exc.size)
        if isinstance(exc, UndecodableBody):
            status = self.response.status_code if self.response is not None else None
            return APIResponseValidationError(
                f"the response could not be read (DecodingError: {exc})", request=self.info, status_code=status
            )
        if isinstance(exc, (httpx.InvalidURL, httpx.RemoteProtocolError)) and self.head_status in REDIRECT_STATUSES:
            # httpx builds the redirect request even when it will not follow it, and fails on a malformed Location.
            return RedirectError(
                f"HTTP {self.head_status} redirect to a malformed Location ({redact_text(str(exc))}): the SDK never follows redirects; check the base URL",
                request=self.info,
                status_code=self.head_status,
                location=None,
            )
        if self.deadline.expired() and isinstance(exc, (httpx.TransportError, TimeoutError)):
            return self.timeout(sent=not isinstance(exc, _NOT_SENT))
        return stray_error(exc, self.info)


_HEADERS_RECEIVED = "http11.receive_response_headers.complete"


def _chain(
    first: Callable[[str, dict[str, Any]], None], then: Callable[[str, dict[str, Any]], Any] | None
) -> Callable[[str, dict[str, Any]], None]:
    if then is None:
        return first

    def trace(name: str, info: dict[str, Any]) -> None:
        first(name, info)
        then(name, info)

    return trace


def _move_userinfo(request: httpx.Request) -> None:
    """Send the URL's userinfo as Basic auth, as httpx would, and take it out of the URL that gets logged."""
    url = request.url
    if not url.userinfo:
        return
    credentials = f"{url.username}:{url.password}".encode()
    request.headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    request.url = url.copy_with(username=None, password=None)


def _redirect_error(response: httpx.Response, info: RequestInfo) -> RedirectError:
    location = response.headers.get("location")
    target: str | None = None
    if location is not None:
        try:
            target = strip_query(str(response.request.url.join(location)))
        except (httpx.InvalidURL, ValueError):
            target = None
    where = f"to {target}" if target else "without a usable Location"
    return RedirectError(
        f"HTTP {response.status_code} redirect {where}: the SDK never follows redirects (credentials would go along); check the base URL",
        request=info,
        status_code=response.status_code,
        location=target,
        headers=response.headers,
    )


def send(
    client: httpx.Client,
    request: httpx.Request,
    limit: int | None,
    info: RequestInfo,
    total: Deadline,
    *,
    read_body: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """Send `request` and read its decoded body, within the attempt's deadline and `limit` bytes.

    With `read_body`, a response it refuses comes back with its body unread (a streamed download:
    the caller reads and closes it); the deadline then covers the request up to the headers.
    """
    attempt = _Attempt(request, info, limit, total)
    attempt.listen(request)
    guard = SocketDeadline(attempt.deadline)
    guard.arm(request)
    try:
        response = client.send(request, stream=True, follow_redirects=False)
        if read_body is not None and not read_body(response):
            return response
        try:
            attempt.start(response)
            for raw in response.iter_raw():
                attempt.take(raw)
            if guard.fired and attempt.deadline.expired():
                raise attempt.timeout()
            return attempt.finish()
        finally:
            guard.disarm()
            response.close()
    except APIError:
        raise
    except (*_STRAY, BodyTooLarge, UndecodableBody) as exc:
        raise attempt.failure(exc) from exc
    finally:
        guard.disarm()


async def async_send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    limit: int | None,
    info: RequestInfo,
    total: Deadline,
    *,
    read_body: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """`send` for an `httpx.AsyncClient`: the deadline cancels the attempt wherever it is."""
    import asyncio

    attempt = _Attempt(request, info, limit, total)
    attempt.async_listen(request)
    try:
        async with asyncio.timeout(attempt.deadline.remaining()):
            response = await client.send(request, stream=True, follow_redirects=False)
            if read_body is not None and not read_body(response):
                return response
            try:
                attempt.start(response)
                async for raw in response.aiter_raw():
                    attempt.take(raw)
                return attempt.finish()
            finally:
                await response.aclose()
    except APIError:
        raise
    except TimeoutError as exc:  # asyncio.timeout: the deadline cancelled the attempt
        raise attempt.timeout() from exc
    except (*_STRAY, BodyTooLarge, UndecodableBody) as exc:
        raise attempt.failure(exc) from exc


# -- the net under every call ----------------------------------------------------------------------


def stray_error(exc: BaseException, info: RequestInfo) -> APIError:
    """The `APIError` for an exception a library raised inside a call (chain it with `from exc`)."""
    detail = redact_text(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"timed out ({type(exc).__name__})", request=info, request_sent=not isinstance(exc, _NOT_SENT)
        )
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(
            f"connection failed ({detail})", request=info, request_sent=not isinstance(exc, _NOT_SENT)
        )
    if isinstance(exc, httpx.InvalidURL):
        return APIConnectionError(f"the request URL is not valid ({detail})", request=info, request_sent=False)
    return APIResponseValidationError(f"the response could not be read ({detail})", request=info)


def _call_info(self: Any, args: tuple[Any, ...]) -> RequestInfo:
    """Which call failed, from a REST `request(method, path, ...)` or an RPC `call(method, params, ...)`."""
    base = str(getattr(self, "base_url", getattr(self, "url", "")))
    if len(args) >= 2 and isinstance(args[1], str):
        return RequestInfo(str(args[0]), base + args[1])
    return RequestInfo("POST", base, str(args[0]) if args else None)


def typed_failures(method: _F) -> _F:
    """Decorate a call (`request`/`call`, sync or async): a stray library exception leaves it as an `APIError`."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except _STRAY as exc:
                raise stray_error(exc, _call_info(self, args)) from exc

        return cast(_F, async_wrapper)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except _STRAY as exc:
            raise stray_error(exc, _call_info(self, args)) from exc

    return cast(_F, wrapper)
