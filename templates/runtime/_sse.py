# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Server-sent events (`text/event-stream`) as typed iterators.

`stream`/`astream` send the request like any call (auth, hooks, status errors raised at once) but
keep the response open; `Stream`/`AsyncStream` read it event by event (the WHATWG parsing rules:
`data` lines joined, `id`, `event`, `retry`, comments ignored) and parse each event's data into
the operation's model. A `[DONE]`-style terminator ends the stream. Leaving a `with` block or
breaking out of the loop closes the connection. When the connection drops mid-stream and the
operation is idempotent, the request is sent again with `Last-Event-ID` (up to `max_retries`).

The request is sent as `with_streaming_response` sends it (`_streaming.open_stream`: no redirect, an
error's body read within `max_response_bytes`). `max_response_bytes` bounds each event, not the
stream: an event (or a line) larger than it raises `ResponseTooLargeError`, however long the stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._base_client import RequestOptions, _limit, parse_json, request_error, status_error
from ._exceptions import APIConnectionError, RequestInfo, ResponseTooLargeError
from ._limits import BodyTooLarge, Deadline
from ._streaming import AsyncStreamedResponse, StreamedResponse, async_open_stream, open_stream

if TYPE_CHECKING:
    from ._base_client import AsyncRestApi, RestApi

__all__ = ["AsyncStream", "ServerSentEvent", "Stream", "astream", "stream"]

_T = TypeVar("_T")
_NEVER = Deadline(None)  # a stream lasts as long as it lasts: each attempt's deadline covers its headers only


@dataclass(frozen=True)
class ServerSentEvent:
    """One event as the server sent it: `data` (lines joined by newlines), `event`, `id`, `retry` (ms)."""

    data: str
    event: str = ""
    id: str = ""
    retry: int | None = None


class _Decoder:
    """Turns the lines of an event stream into events (one instance per connection)."""

    def __init__(self, limit: int | None = None) -> None:
        self._data: list[str] = []
        self._event = ""
        self._id = ""
        self._retry: int | None = None
        self.last_id = ""
        self._limit = limit  # the most characters of data one event may hold
        self._size = 0

    def feed(self, line: str) -> ServerSentEvent | None:
        """One line (without its line break); an event when the line ends one."""
        if not line:
            if not self._data and not self._event:
                self._retry = None
                return None
            event = ServerSentEvent("\n".join(self._data), self._event, self._id, self._retry)
            self._data, self._event, self._retry, self._size = [], "", None, 0
            return event
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._size += len(value) + 1
            if self._limit is not None and self._size > self._limit:
                raise BodyTooLarge(self._limit, f"more than {self._limit} characters of data")
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = self.last_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None


class _Common(Generic[_T]):
    def __init__(self, cast_to: type[_T] | Any, info: RequestInfo, terminator: str, limit: int | None) -> None:
        self._cast_to = cast_to
        self._info = info
        self._terminator = terminator
        self._limit = limit
        self.last_event_id = ""

    def _too_large(self, exc: BodyTooLarge, status: int) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"an event of the stream ({exc.size}) is larger than max_response_bytes={exc.limit} (it bounds each event, not the stream)",
            request=self._info,
            status_code=status,
            limit=exc.limit,
        )

    def _parse(self, event: ServerSentEvent, status: int) -> _T:
        if self._cast_to is ServerSentEvent:
            return event  # type: ignore[return-value]
        if self._cast_to is str:
            return event.data  # type: ignore[return-value]
        return parse_json(self._cast_to, event.data, self._info, status)  # type: ignore[no-any-return]


class Stream(_Common[_T]):
    """The events of one streaming call, each parsed into `_T`; iterate it, ideally in a `with` block."""

    def __init__(
        self,
        response: httpx.Response,
        cast_to: Any,
        info: RequestInfo,
        terminator: str,
        reconnect: Any = None,
        *,
        limit: int | None = None,
    ) -> None:
        super().__init__(cast_to, info, terminator, limit)
        self.response = response
        self._reconnect = reconnect  # (last_event_id, error) -> a new response, or None when not idempotent

    def _lines(self) -> Iterator[str]:
        body: StreamedResponse[None] = StreamedResponse(
            self.response, self._info, lambda: None, attempts=1, elapsed=0.0, limit=self._limit, total=Deadline(None)
        )
        return body.iter_lines()

    def __iter__(self) -> Iterator[_T]:
        try:
            while True:
                decoder = _Decoder(self._limit)
                decoder.last_id = self.last_event_id
                try:
                    for line in self._lines():
                        event = decoder.feed(line)
                        if event is None:
                            continue
                        self.last_event_id = decoder.last_id
                        if self._terminator and event.data == self._terminator:
                            return
                        yield self._parse(event, self.response.status_code)
                    return
                except BodyTooLarge as exc:
                    raise self._too_large(exc, self.response.status_code) from None
                except APIConnectionError as exc:
                    self.response.close()
                    if self._reconnect is None:
                        raise
                    self.response = self._reconnect(self.last_event_id, exc)
        finally:
            self.response.close()

    def close(self) -> None:
        """Close the connection (the rest of the stream is not read)."""
        self.response.close()

    def __enter__(self) -> Stream[_T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStream(_Common[_T]):
    """The events of one streaming call of the async client, each parsed into `_T`."""

    def __init__(
        self,
        response: httpx.Response,
        cast_to: Any,
        info: RequestInfo,
        terminator: str,
        reconnect: Any = None,
        *,
        limit: int | None = None,
    ) -> None:
        super().__init__(cast_to, info, terminator, limit)
        self.response = response
        self._reconnect = reconnect

    def _lines(self) -> AsyncIterator[str]:
        body: AsyncStreamedResponse[None] = AsyncStreamedResponse(
            self.response, self._info, lambda: None, attempts=1, elapsed=0.0, limit=self._limit, total=Deadline(None)
        )
        return body.iter_lines()

    async def __aiter__(self) -> AsyncIterator[_T]:
        try:
            while True:
                decoder = _Decoder(self._limit)
                decoder.last_id = self.last_event_id
                try:
                    async for line in self._lines():
                        event = decoder.feed(line)
                        if event is None:
                            continue
                        self.last_event_id = decoder.last_id
                        if self._terminator and event.data == self._terminator:
                            return
                        yield self._parse(event, self.response.status_code)
                    return
                except BodyTooLarge as exc:
                    raise self._too_large(exc, self.response.status_code) from None
                except APIConnectionError as exc:
                    await self.response.aclose()
                    if self._reconnect is None:
                        raise
                    self.response = await self._reconnect(self.last_event_id, exc)
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _with_last_id(options: RequestOptions, last_event_id: str) -> RequestOptions:
    import dataclasses

    headers = {**(options.headers or {}), "Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    return dataclasses.replace(options, headers=headers)


def _retries(api: RestApi | AsyncRestApi, options: RequestOptions) -> int:
    if not options.idempotent or options.streamed:
        return 0
    return api.policy.max_retries if options.max_retries is None else options.max_retries


def _open(api: RestApi, method: str, path: str, options: RequestOptions) -> tuple[httpx.Response, RequestInfo]:
    auth = api.auth.select(options.security, f"{method} {path}")
    if auth is not None:
        auth.prepare(api.client)
    request, info = api.build(api.client, method, path, options, auth)
    try:
        response = open_stream(
            api.client, request, _limit(api.max_response_bytes, options.max_response_bytes), info, _NEVER
        )
    except httpx.RequestError as exc:
        raise request_error(exc, info) from exc
    try:
        _check(api, response, info)
    except BaseException:
        response.close()
        raise
    return response, info


def _check(api: RestApi | AsyncRestApi, response: httpx.Response, info: RequestInfo) -> None:
    """Run the response hooks; raise the error of an error status (its body is read already)."""
    for hook in api.config.response_hooks:
        hook(response)
    if response.status_code >= 400:
        raise status_error(response, info)


def stream(
    api: RestApi, method: str, path: str, options: RequestOptions, *, cast_to: Any, terminator: str = "[DONE]"
) -> Stream[Any]:
    """Send a request whose answer is an event stream; the events parse into `cast_to`."""
    first = _with_last_id(options, "")
    response, info = _open(api, method, path, first)
    left = _retries(api, options)

    def reconnect(last_event_id: str, error: APIConnectionError) -> httpx.Response:
        nonlocal left
        if left <= 0:
            raise error
        left -= 1
        time.sleep(api.policy.initial_delay)
        return _open(api, method, path, _with_last_id(options, last_event_id))[0]

    limit = _limit(api.max_response_bytes, options.max_response_bytes)
    return Stream(response, cast_to, info, terminator, reconnect if left > 0 else None, limit=limit)


async def _aopen(
    api: AsyncRestApi, method: str, path: str, options: RequestOptions
) -> tuple[httpx.Response, RequestInfo]:
    auth = api.auth.select(options.security, f"{method} {path}")
    if auth is not None:
        await auth.aprepare(api.client)
    request, info = api.build(api.client, method, path, options, auth)
    limit = _limit(api.max_response_bytes, options.max_response_bytes)
    try:
        response = await async_open_stream(api.client, request, limit, info, _NEVER)
    except httpx.RequestError as exc:
        raise request_error(exc, info) from exc
    try:
        _check(api, response, info)
    except BaseException:
        await response.aclose()
        raise
    return response, info


async def astream(
    api: AsyncRestApi, method: str, path: str, options: RequestOptions, *, cast_to: Any, terminator: str = "[DONE]"
) -> AsyncStream[Any]:
    """Send a request whose answer is an event stream (async client); the events parse into `cast_to`."""
    response, info = await _aopen(api, method, path, _with_last_id(options, ""))
    left = _retries(api, options)

    async def reconnect(last_event_id: str, error: APIConnectionError) -> httpx.Response:
        nonlocal left
        if left <= 0:
            raise error
        left -= 1
        await asyncio.sleep(api.policy.initial_delay)
        return (await _aopen(api, method, path, _with_last_id(options, last_event_id)))[0]

    limit = _limit(api.max_response_bytes, options.max_response_bytes)
    return AsyncStream(response, cast_to, info, terminator, reconnect if left > 0 else None, limit=limit)
