# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Auto-pagination: a paged method returns its first page, which iterates over every item of every page.

    page = client.api.group.list_things(limit=100)   # one request: the first page
    page.items, page.response, page.raw_response      # this page: its items, its parsed result, its HTTP response
    for thing in page: ...                            # every item, the next pages fetched lazily
    page.has_next_page(); page.next_page()            # by hand
    async for thing in client.api.group.list_things(): ...    # async: the same, without awaiting first

How a method pages is in the spec (`Paging`, from `x-sdkgen-pagination`): a cursor parameter fed
from a result field, or an offset advanced by the items read; a has-more field or an empty (or
short) page ends it. The iterator keeps its place: when fetching a page fails, the error is raised
and iterating again retries that page, so no item is skipped or repeated.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

import pydantic

from ._response import _RAW_RESPONSE, APIResponse, raw_response_requested
from ._types import NotGiven

__all__ = ["AsyncPage", "AsyncPager", "Paging", "SyncPage", "async_paginated", "paginated"]

_I = TypeVar("_I")
_R = TypeVar("_R")
_P = ParamSpec("_P")


@dataclass(frozen=True)
class Paging:
    """How one method pages (generated from the spec). Fields are wire names, parameters Python names."""

    style: str  # "cursor" or "offset"
    param: str  # the cursor parameter, or the offset parameter
    items: str = ""  # the result field holding a page's items ("": the result is the list)
    next_cursor: str = ""  # cursor: the result field with the next page's cursor
    has_more: str = ""  # the result field that is false on the last page
    limit_param: str = ""  # the page-size parameter: a page shorter than it is the last
    default_limit: int = 0  # the server's page size when the limit is not given (0: unknown)


def _field(result: Any, wire: str) -> Any:
    if isinstance(result, Mapping):
        return result.get(wire)
    if isinstance(result, pydantic.BaseModel):
        for name, info in type(result).model_fields.items():
            if (info.alias or name) == wire:
                return getattr(result, name)
        return (result.model_extra or {}).get(wire)
    return None


def _items(paging: Paging, result: Any) -> list[Any]:
    value = _field(result, paging.items) if paging.items else result
    return list(value) if isinstance(value, (list, tuple)) else []  # missing (read leniently as None): no items


def _given(value: Any) -> bool:
    return value is not None and not isinstance(value, NotGiven)


def _next_arguments(paging: Paging, arguments: dict[str, Any], result: Any, items: list[Any]) -> dict[str, Any] | None:
    """The keyword arguments of the next page's call, or None when this page is the last."""
    if paging.has_more and _field(result, paging.has_more) is False:
        return None
    if paging.style == "cursor":
        cursor = _field(result, paging.next_cursor)
        if not _given(cursor) or cursor == "" or cursor == arguments.get(paging.param):
            return None  # no cursor, or the same one again (a server that would loop us forever)
        return {**arguments, paging.param: cursor}
    if not items:
        return None
    limit = arguments.get(paging.limit_param) if paging.limit_param else None
    if not isinstance(limit, int):
        limit = paging.default_limit or None
    if limit is not None and len(items) < limit:
        return None
    start = arguments.get(paging.param)
    return {**arguments, paging.param: (start if isinstance(start, int) else 0) + len(items)}


def _raw_supported(args: tuple[Any, ...]) -> bool:
    # A transport without HTTP responses says so (`raw_responses = False`); pages then have no `raw_response`.
    api = getattr(args[0], "_api", None) if args else None
    return bool(getattr(api, "raw_responses", True))


class _Page(Generic[_I, _R]):
    def __init__(
        self,
        fetch: Callable[..., Any],
        args: tuple[Any, ...],
        arguments: dict[str, Any],
        paging: Paging,
        response: _R,
        raw_response: APIResponse[Any] | None,
    ) -> None:
        self._fetch = fetch
        self._args = args
        self._arguments = arguments
        self._paging = paging
        self.response = response
        """This page's parsed result, typed as the method's result."""
        self.raw_response = raw_response
        """This page's `APIResponse` (status, headers); None over a transport without HTTP responses."""
        self.items: list[_I] = _items(paging, response)
        """This page's items."""
        self._next = _next_arguments(paging, arguments, response, self.items)

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self._next is not None

    def __getattr__(self, name: str) -> Any:
        # The result's own fields (`page.cursor`, `page.has_next`...) read through the page.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.response, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self.items)} items, next page: {self.has_next_page()}>"


class SyncPage(_Page[_I, _R]):
    """One page of a paged method: `items`, `response`, `raw_response`; iterating it yields every item of every page."""

    def next_page(self) -> SyncPage[_I, _R] | None:
        """The next page (one request), or None after the last."""
        if self._next is None:
            return None
        return _fetch_sync(self._fetch, self._args, self._next, self._paging)

    def iter_pages(self) -> Iterator[SyncPage[_I, _R]]:
        """This page and the ones after it, each fetched when reached."""
        page: SyncPage[_I, _R] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[_I]:
        return _SyncItems(self)


class _SyncItems(Iterator[_I]):
    """Every item from a page on; a failed fetch leaves it in place, so the next `next()` retries that page."""

    def __init__(self, page: SyncPage[_I, Any]) -> None:
        self._page = page
        self._index = 0

    def __next__(self) -> _I:
        while self._index >= len(self._page.items):
            following = self._page.next_page()  # may raise: nothing has moved
            if following is None:
                raise StopIteration
            self._page, self._index = following, 0
        self._index += 1
        return self._page.items[self._index - 1]


class AsyncPage(_Page[_I, _R]):
    """One page of a paged async method; `async for` over it yields every item of every page."""

    async def next_page(self) -> AsyncPage[_I, _R] | None:
        """The next page (one request), or None after the last."""
        if self._next is None:
            return None
        return await _fetch_async(self._fetch, self._args, self._next, self._paging)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[_I, _R]]:
        """This page and the ones after it, each fetched when reached."""
        page: AsyncPage[_I, _R] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    def __aiter__(self) -> AsyncIterator[_I]:
        return _AsyncItems(self)


class _AsyncItems(AsyncIterator[_I]):
    def __init__(
        self, page: AsyncPage[_I, Any] | None, first: Callable[[], Awaitable[AsyncPage[_I, Any]]] | None = None
    ) -> None:
        self._page = page
        self._first = first
        self._index = 0

    async def __anext__(self) -> _I:
        if self._page is None:
            assert self._first is not None
            self._page = await self._first()  # may raise: the next `__anext__` asks again
        while self._index >= len(self._page.items):
            following = await self._page.next_page()
            if following is None:
                raise StopAsyncIteration
            self._page, self._index = following, 0
        self._index += 1
        return self._page.items[self._index - 1]


class AsyncPager(Generic[_I, _R]):
    """What a paged async method returns: `await` it for the first page, or `async for` over every item."""

    def __init__(
        self, fetch: Callable[..., Any], args: tuple[Any, ...], arguments: dict[str, Any], paging: Paging
    ) -> None:
        self._fetch = fetch
        self._args = args
        self._arguments = arguments
        self._paging = paging

    def _first(self) -> Awaitable[AsyncPage[_I, _R]]:
        return _fetch_async(self._fetch, self._args, self._arguments, self._paging)

    def __await__(self) -> Generator[Any, None, AsyncPage[_I, _R]]:
        return self._first().__await__()

    def __aiter__(self) -> AsyncIterator[_I]:
        return _AsyncItems(None, self._first)


def _fetch_sync(
    fetch: Callable[..., Any], args: tuple[Any, ...], arguments: dict[str, Any], paging: Paging
) -> SyncPage[Any, Any]:
    if not _raw_supported(args):
        return SyncPage(fetch, args, arguments, paging, fetch(*args, **arguments), None)
    token = _RAW_RESPONSE.set(True)
    try:
        raw = fetch(*args, **arguments)
    finally:
        _RAW_RESPONSE.reset(token)
    return SyncPage(fetch, args, arguments, paging, raw.parse(), raw)


async def _fetch_async(
    fetch: Callable[..., Any], args: tuple[Any, ...], arguments: dict[str, Any], paging: Paging
) -> AsyncPage[Any, Any]:
    if not _raw_supported(args):
        return AsyncPage(fetch, args, arguments, paging, await fetch(*args, **arguments), None)
    token = _RAW_RESPONSE.set(True)
    try:
        raw = await fetch(*args, **arguments)
    finally:
        _RAW_RESPONSE.reset(token)
    return AsyncPage(fetch, args, arguments, paging, raw.parse(), raw)


def _raw_of_page(raw: APIResponse[Any], page: Callable[[], Any]) -> APIResponse[Any]:
    # `with_raw_response` on a paged method: the first page's HTTP response, whose `parse()` is the page.
    wrapped = copy.copy(raw)
    wrapped._parser = page
    wrapped._parsed = None
    return wrapped


def paginated(item: type[_I], paging: Paging) -> Callable[[Callable[_P, _R]], Callable[_P, SyncPage[_I, _R]]]:
    """Make a generated method return its first page (a `SyncPage` of `item`s) instead of one result."""

    def decorate(fetch: Callable[_P, _R]) -> Callable[_P, SyncPage[_I, _R]]:
        @functools.wraps(fetch)
        def method(*args: _P.args, **kwargs: _P.kwargs) -> SyncPage[_I, _R]:
            if raw_response_requested():  # `with_raw_response.<method>(...)`
                raw: Any = fetch(*args, **kwargs)
                result: Any = _raw_of_page(raw, lambda: SyncPage(fetch, args, dict(kwargs), paging, raw.parse(), raw))
                return result  # type: ignore[no-any-return]
            return _fetch_sync(fetch, args, dict(kwargs), paging)

        return method

    return decorate


def async_paginated(
    item: type[_I], paging: Paging
) -> Callable[[Callable[_P, Awaitable[_R]]], Callable[_P, AsyncPager[_I, _R]]]:
    """Make a generated async method return an `AsyncPager` of `item`s instead of one result."""

    def decorate(fetch: Callable[_P, Awaitable[_R]]) -> Callable[_P, AsyncPager[_I, _R]]:
        @functools.wraps(fetch)
        def method(*args: _P.args, **kwargs: _P.kwargs) -> AsyncPager[_I, _R]:
            if raw_response_requested():  # `with_raw_response.<method>(...)`: awaited by the wrapper
                return _raw_first_page(fetch, args, dict(kwargs), paging)  # type: ignore[return-value]
            return AsyncPager(fetch, args, dict(kwargs), paging)

        return method

    return decorate


async def _raw_first_page(
    fetch: Callable[..., Awaitable[Any]], args: tuple[Any, ...], arguments: dict[str, Any], paging: Paging
) -> APIResponse[Any]:
    raw: Any = await fetch(*args, **arguments)
    return _raw_of_page(raw, lambda: AsyncPage(fetch, args, arguments, paging, raw.parse(), raw))
