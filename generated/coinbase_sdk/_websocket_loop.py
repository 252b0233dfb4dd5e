# sdkgen runtime: copied unchanged into every SDK with a WebSocket API.
"""An event loop on a background thread, which the sync WebSocket clients run their async clients on,
and `SyncStream`: an async subscription read from synchronous code (iterator, `get`, or callback)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["LoopThread", "SyncStream"]

_T = TypeVar("_T")
_ENDED = object()  # the subscription ended
logger = logging.getLogger(__name__.rsplit(".", 1)[0])


class LoopThread:
    """An event loop on a daemon thread; `run` waits for a coroutine from any other thread."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def main() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()
                    loop.close()

                self._thread = threading.Thread(target=main, name=self._name, daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def submit(self, coroutine: Awaitable[_T]) -> concurrent.futures.Future[_T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._start())  # type: ignore[arg-type]

    def run(self, coroutine: Awaitable[_T], timeout: float | None = None) -> _T:
        if self._thread is not None and threading.current_thread() is self._thread:
            raise RuntimeError("a sync WebSocket call from its own loop thread (a callback?) would wait forever")
        future = self.submit(coroutine)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout} s") from None

    def stop(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            if threading.current_thread() is not thread:
                thread.join(10)

    @property
    def running(self) -> bool:
        return self._loop is not None


class SyncStream(Generic[_T]):
    """The items of an async subscription for synchronous code: `for item in stream`, `get(timeout)`,
    or a callback on a thread of its own (a slow callback never holds up the socket's reader; an
    exception it raises is logged and the next item comes). `close()` (or `with`) ends it."""

    def __init__(self, loop: LoopThread, source: AsyncIterator[_T], name: str, timeout: float) -> None:
        self._loop_thread = loop
        self._source = source
        self._name = name
        self._timeout = timeout  # seconds to wait for the loop thread when closing
        self._callback_thread: threading.Thread | None = None

    async def _aclose(self) -> None:
        """What ends the subscription on the loop (an unsubscribe)."""

    def get(self, timeout: float | None = None) -> _T:
        """The next item; `StopIteration` when the subscription ended, `TimeoutError` after `timeout` seconds."""
        item = self._loop_thread.run(self._next(), timeout)
        if item is _ENDED:
            raise StopIteration
        return item  # type: ignore[return-value]

    async def _next(self) -> _T | object:
        try:
            return await anext(self._source)
        except StopAsyncIteration:  # a coroutine cannot raise StopIteration
            return _ENDED

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        return self.get()

    def _call_back(self, callback: Callable[[_T], object]) -> None:
        def deliver() -> None:
            while True:
                try:
                    item = self.get()
                except StopIteration:
                    return
                except Exception as exc:  # the subscription ended with an error (overflow, lost for good)
                    logger.warning("%s: the subscription ended: %s", self._name, exc)
                    return
                try:
                    callback(item)
                except Exception:
                    logger.exception("%s: the callback raised; it gets the next item", self._name)

        self._callback_thread = threading.Thread(target=deliver, name=f"ws-callback {self._name}", daemon=True)
        self._callback_thread.start()

    def close(self) -> None:
        """Unsubscribe and end the iteration (and the callback's thread)."""
        if self._loop_thread.running:
            self._loop_thread.run(self._aclose(), self._timeout)
        thread = self._callback_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self._timeout)
