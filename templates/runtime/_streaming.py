# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Streamed responses: `client.<api>.<group>.with_streaming_response.<op>(...)` for large downloads.

The call is made when its `with` block is entered: the request is sent (retried as usual) and the
response's headers read; an error status raises there, its body read within `max_response_bytes`.
A success is a `StreamedResponse` over the open connection: the body is read only as the block
iterates it (`iter_bytes`, `iter_text`, `iter_lines`, `write_to_file`), so memory stays small
whatever its size, and `max_response_bytes` does not apply; what the response holds in memory
at once (`read()`, `parse()`, `text`, `json()`, a single line) stays within it. Leaving the block,
by the end, `break`, `return` or an exception, releases the connection to the pool (closed when
the body was not read to its end).

Timeouts: the attempt's deadline covers the request up to the response's headers; each read of
the body is bounded by the read timeout; the call's `total_timeout`, when given, bounds the body too.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from os import PathLike
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from ._encoding import loads
from ._exceptions import APIError, APIResponseValidationError, APITimeoutError, RequestInfo, ResponseTooLargeError
from ._limits import BodyTooLarge, BoundedDecoder, Deadline, SizeBudget, UndecodableBody
from ._response import _RAW_RESPONSE
from ._transfer import _STRAY, REDIRECT_STATUSES, async_send, send, stray_error

__all__ = [
    "AsyncStreamedResponse",
    "AsyncStreamedResponseContext",
    "StreamedResponse",
    "StreamedResponseContext",
    "async_open_stream",
    "async_to_streamed_response_wrapper",
    "open_stream",
    "stream_requested",
    "to_streamed_response_wrapper",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")

# Set (with the raw-response flag) by the wrappers for the duration of one call.
_STREAM_RESPONSE: ContextVar[bool] = ContextVar("stream_response", default=False)


def stream_requested() -> bool:
    """Whether the call being made was asked for through `with_streaming_response` (read only when a raw response is)."""
    return _STREAM_RESPONSE.get()


# -- opening: the request and the response's headers ----------------------------------------------


def _needs_body(response: httpx.Response) -> bool:
    """An error or a redirect: read (bounded) and closed at once, to become the exception it is."""
    return response.status_code >= 400 or response.status_code in REDIRECT_STATUSES


def open_stream(
    client: httpx.Client, request: httpx.Request, limit: int | None, info: RequestInfo, total: Deadline
) -> httpx.Response:
    """Send `request` and return its response with the body unread (an error's body is read, within `limit`)."""
    return send(client, request, limit, info, total, read_body=_needs_body)


async def async_open_stream(
    client: httpx.AsyncClient, request: httpx.Request, limit: int | None, info: RequestInfo, total: Deadline
) -> httpx.Response:
    """`open_stream` for an `httpx.AsyncClient`."""
    return await async_send(client, request, limit, info, total, read_body=_needs_body)


def _check_chunk_size(chunk_size: int | None) -> None:
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive number of bytes, not {chunk_size!r}")


# -- the response -----------------------------------------------------------------------------------


class _Lines:
    """Splits text into lines at `\\n`, `\\r\\n` or `\\r` (only those), across the pieces it is fed."""

    _BREAK = re.compile(r"\r\n|\r|\n")

    def __init__(self, limit: int | None) -> None:
        self._pending = ""  # the line being read: never holds a line break
        self._cr = False  # the last piece ended with `\\r`: a `\\n` starting the next one belongs to it
        self._limit = limit

    def feed(self, text: str) -> list[str]:
        if self._cr and text.startswith("\n"):
            text = text[1:]
        self._cr = text.endswith("\r")
        if not text:
            return []
        lines = self._BREAK.split(self._pending + text)
        self._pending = lines.pop()
        if self._limit is not None and len(self._pending) > self._limit:
            raise BodyTooLarge(self._limit, f"a line of more than {self._limit} characters")
        return lines

    def finish(self) -> list[str]:
        rest, self._pending = self._pending, ""
        return [rest] if rest else []


class _Common(Generic[_T]):
    """What the sync and async streamed responses share: the headers, the bounds, the errors."""

    def __init__(
        self,
        http_response: httpx.Response,
        request: RequestInfo,
        parser: Callable[[], _T],
        *,
        attempts: int,
        elapsed: float,
        limit: int | None,
        total: Deadline,
    ) -> None:
        self.http_response = http_response
        self.request = request
        self.attempts = attempts
        self.elapsed = elapsed  # seconds until the headers were in
        self._parser = parser
        self._limit = limit
        self._total = total
        self._parsed: tuple[_T] | None = None
        self._decoder: BoundedDecoder | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def _start(self) -> BoundedDecoder:
        if self._decoder is not None or self.http_response.is_stream_consumed:
            raise RuntimeError("the body of a streamed response can be read once (read() keeps it)")
        self._decoder = BoundedDecoder(self.http_response.headers.get("content-encoding"), None)
        return self._decoder

    def _check_deadline(self) -> None:
        if self._total.expired():
            raise APITimeoutError(
                f"the call's total_timeout of {self._total.seconds:g} s ran out while the body was read",
                request=self.request,
                request_sent=True,
            )

    def _failure(self, exc: BaseException) -> APIError:
        if isinstance(exc, BodyTooLarge):
            return ResponseTooLargeError(
                f"the response has {exc.size}, more than max_response_bytes={exc.limit} allows"
                if exc.size.startswith("a line")
                else f"the response body ({exc.size}) is larger than max_response_bytes={exc.limit}; iter_bytes() reads a body of any size in pieces",
                request=self.request,
                status_code=self.status_code,
                limit=exc.limit,
            )
        if isinstance(exc, UndecodableBody):
            return APIResponseValidationError(
                f"the response could not be read (DecodingError: {exc})",
                request=self.request,
                status_code=self.status_code,
            )
        return stray_error(exc, self.request)

    def _encoding(self) -> str:
        return self.http_response.charset_encoding or "utf-8"

    def _text_decoder(self) -> codecs.IncrementalDecoder:
        try:
            return codecs.getincrementaldecoder(self._encoding())(errors="replace")
        except LookupError:  # a charset Python does not know
            return codecs.getincrementaldecoder("utf-8")(errors="replace")

    def _kept(self) -> bool:
        return hasattr(self.http_response, "_content")

    def _keep(self, body: bytes) -> None:
        self.http_response._content = body  # what `Response.read()` sets: `.content`/`.text` and the parser see it

    @property
    def content(self) -> bytes:
        """The body, once `read()` has read it."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body as text, once `read()` has read it."""
        return self.http_response.content.decode(self._encoding(), "replace")

    def json(self) -> Any:
        """The body as decoded JSON, once `read()` has read it (`ValueError` when it is not JSON)."""
        return loads(self.http_response.content, exact_numbers=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.request}>"


class StreamedResponse(_Common[_T]):
    """A successful response whose body is read as it is iterated (from `with_streaming_response`)."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body, decoded (gzip, deflate), in pieces as they arrive (of `chunk_size` bytes, but the last, when given)."""
        _check_chunk_size(chunk_size)
        decoder = self._start()
        pending = b""
        try:
            for raw in self.http_response.iter_raw():
                for piece in decoder.feed(raw):
                    self._check_deadline()
                    if chunk_size is None:
                        yield piece
                        continue
                    pending += piece
                    while len(pending) >= chunk_size:
                        yield pending[:chunk_size]
                        pending = pending[chunk_size:]
            for piece in decoder.finish():
                if chunk_size is None:
                    yield piece
                else:
                    pending += piece
        except APIError:
            raise
        except (*_STRAY, BodyTooLarge, UndecodableBody) as exc:
            raise self._failure(exc) from exc
        while chunk_size is not None and pending:
            yield pending[:chunk_size]
            pending = pending[chunk_size:]

    def iter_text(self) -> Iterator[str]:
        """The body as text (the response's charset, else UTF-8), in pieces as they arrive."""
        decoder = self._text_decoder()
        for piece in self.iter_bytes():
            text = decoder.decode(piece)
            if text:
                yield text
        if rest := decoder.decode(b"", final=True):
            yield rest

    def iter_lines(self) -> Iterator[str]:
        """The body's lines, without their line breaks; a line longer than `max_response_bytes` raises."""
        lines = _Lines(self._limit)
        try:
            for text in self.iter_text():
                yield from lines.feed(text)
        except BodyTooLarge as exc:
            raise self._failure(exc) from exc
        yield from lines.finish()

    def write_to_file(self, path: str | PathLike[str]) -> int:
        """Write the body to `path` as it arrives; returns the number of bytes written."""
        written = 0
        with open(path, "wb") as file:
            for piece in self.iter_bytes():
                file.write(piece)
                written += len(piece)
        return written

    stream_to_file = write_to_file  # the name other SDKs give it

    def read(self) -> bytes:
        """The whole body (within `max_response_bytes`), kept: `content`, `text`, `json()` and `parse()` use it."""
        if not self._kept():
            budget = SizeBudget(self._limit)
            pieces: list[bytes] = []
            try:
                for piece in self.iter_bytes():
                    budget.add(len(piece))
                    pieces.append(piece)
            except BodyTooLarge as exc:
                self.close()
                raise self._failure(exc) from exc
            self._keep(b"".join(pieces))
        return self.http_response.content

    def parse(self) -> _T:
        """The typed result (what the method returns without `with_streaming_response`), read and parsed once."""
        if self._parsed is None:
            self.read()
            self._parsed = (self._parser(),)
        return self._parsed[0]

    def close(self) -> None:
        """Release the connection (closed, when the body was not read to its end)."""
        self.http_response.close()


class AsyncStreamedResponse(_Common[_T]):
    """A successful response of the async client whose body is read as it is iterated."""

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body, decoded (gzip, deflate), in pieces as they arrive (of `chunk_size` bytes, but the last, when given)."""
        _check_chunk_size(chunk_size)
        decoder = self._start()
        pending = b""
        try:
            async for raw in self.http_response.aiter_raw():
                for piece in decoder.feed(raw):
                    self._check_deadline()
                    if chunk_size is None:
                        yield piece
                        continue
                    pending += piece
                    while len(pending) >= chunk_size:
                        yield pending[:chunk_size]
                        pending = pending[chunk_size:]
            for piece in decoder.finish():
                if chunk_size is None:
                    yield piece
                else:
                    pending += piece
        except APIError:
            raise
        except (*_STRAY, BodyTooLarge, UndecodableBody) as exc:
            raise self._failure(exc) from exc
        while chunk_size is not None and pending:
            yield pending[:chunk_size]
            pending = pending[chunk_size:]

    async def iter_text(self) -> AsyncIterator[str]:
        """The body as text (the response's charset, else UTF-8), in pieces as they arrive."""
        decoder = self._text_decoder()
        async for piece in self.iter_bytes():
            text = decoder.decode(piece)
            if text:
                yield text
        if rest := decoder.decode(b"", final=True):
            yield rest

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body's lines, without their line breaks; a line longer than `max_response_bytes` raises."""
        lines = _Lines(self._limit)
        try:
            async for text in self.iter_text():
                for line in lines.feed(text):
                    yield line
        except BodyTooLarge as exc:
            raise self._failure(exc) from exc
        for line in lines.finish():
            yield line

    async def write_to_file(self, path: str | PathLike[str]) -> int:
        """Write the body to `path` as it arrives; returns the number of bytes written."""
        written = 0
        with open(path, "wb") as file:  # noqa: ASYNC230 - local disk writes of network-paced pieces
            async for piece in self.iter_bytes():
                file.write(piece)
                written += len(piece)
        return written

    stream_to_file = write_to_file

    async def read(self) -> bytes:
        """The whole body (within `max_response_bytes`), kept: `content`, `text`, `json()` and `parse()` use it."""
        if not self._kept():
            budget = SizeBudget(self._limit)
            pieces: list[bytes] = []
            try:
                async for piece in self.iter_bytes():
                    budget.add(len(piece))
                    pieces.append(piece)
            except BodyTooLarge as exc:
                await self.close()
                raise self._failure(exc) from exc
            self._keep(b"".join(pieces))
        return self.http_response.content

    async def parse(self) -> _T:
        """The typed result (what the method returns without `with_streaming_response`), read and parsed once."""
        if self._parsed is None:
            await self.read()
            self._parsed = (self._parser(),)
        return self._parsed[0]

    async def close(self) -> None:
        """Release the connection (closed, when the body was not read to its end)."""
        await self.http_response.aclose()


# -- the wrappers -----------------------------------------------------------------------------------


class StreamedResponseContext(Generic[_T]):
    """`with ... as response:` makes the call on entry and releases its connection on exit."""

    def __init__(self, call: Callable[[], StreamedResponse[_T]]) -> None:
        self._call = call
        self._response: StreamedResponse[_T] | None = None

    def __enter__(self) -> StreamedResponse[_T]:
        self._response = self._call()
        return self._response

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncStreamedResponseContext(Generic[_T]):
    """`async with ... as response:` makes the call on entry and releases its connection on exit."""

    def __init__(self, call: Callable[[], Awaitable[AsyncStreamedResponse[_T]]]) -> None:
        self._call = call
        self._response: AsyncStreamedResponse[_T] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[_T]:
        self._response = await self._call()
        return self._response

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            await self._response.close()


def to_streamed_response_wrapper(func: Callable[_P, _T]) -> Callable[_P, StreamedResponseContext[_T]]:
    """Wrap a method so that it returns a context manager of its `StreamedResponse`."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> StreamedResponseContext[_T]:
        def call() -> StreamedResponse[_T]:
            raw, stream = _RAW_RESPONSE.set(True), _STREAM_RESPONSE.set(True)
            try:
                return cast("StreamedResponse[_T]", func(*args, **kwargs))
            finally:
                _STREAM_RESPONSE.reset(stream)
                _RAW_RESPONSE.reset(raw)

        return StreamedResponseContext(call)

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[_P, Awaitable[_T]],
) -> Callable[_P, AsyncStreamedResponseContext[_T]]:
    """Wrap an async method so that it returns an async context manager of its `AsyncStreamedResponse`."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> AsyncStreamedResponseContext[_T]:
        async def call() -> AsyncStreamedResponse[_T]:
            raw, stream = _RAW_RESPONSE.set(True), _STREAM_RESPONSE.set(True)
            try:
                return cast("AsyncStreamedResponse[_T]", await func(*args, **kwargs))
            finally:
                _STREAM_RESPONSE.reset(stream)
                _RAW_RESPONSE.reset(raw)

        return AsyncStreamedResponseContext(call)

    return wrapped
