"""Deadlines for blocking (sync) HTTP attempts: a watchdog thread shuts the socket down when time is up.

httpx's sync timeouts apply to each read, so a server that sends one byte at a time never trips
them; and a blocked `recv` can only be interrupted from another thread. `SocketDeadline` learns
the socket of its request through httpcore's documented `trace` extension (when the TCP
connection is made, and at `http11.send_request_headers`, for a pooled connection) and registers with one process-wide watchdog thread; when the deadline
passes first, the watchdog shuts the socket down, the blocked read returns, and the caller sees
that its deadline expired. The socket is remembered as its descriptor and inode, and checked
again before the shutdown, so a descriptor closed and reused meanwhile is never touched. A
request sent through a transport without httpcore sockets (a mock, HTTP/2) is still bounded
between chunks by the caller, and each network operation by httpx's own (capped) timeouts.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import httpx

from ._limits import Deadline

__all__ = ["SocketDeadline"]

_HEADERS_SENT = "http11.send_request_headers.started"
_CONNECTED = "connection.connect_tcp.complete"


class SocketDeadline:
    """Cuts the connection of one sync request at `deadline`: `arm(request)` before sending, `disarm()` when done."""

    __slots__ = ("_lock", "_socket", "armed", "deadline", "fired")  # _socket: (descriptor, inode)

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.armed = False
        self.fired = False
        self._socket: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def arm(self, request: httpx.Request) -> None:
        """Watch `request`: trace its connection's socket and schedule the cut."""
        if self.deadline.at is None:
            return
        previous: Callable[[str, dict[str, Any]], Any] | None = request.extensions.get("trace")

        def trace(name: str, info: dict[str, Any]) -> None:
            if name == _HEADERS_SENT:
                self._attach(_connection_socket())
            elif name == _CONNECTED:
                extra = getattr(info.get("return_value"), "get_extra_info", None)
                self._attach(extra("socket") if extra is not None else None)
            if previous is not None:
                previous(name, info)

        request.extensions["trace"] = trace
        self.armed = True
        _WATCHDOG.schedule(self)

    def disarm(self) -> None:
        """The attempt is over: never cut its socket (it may go back to the pool)."""
        with self._lock:
            if self.armed:
                self.armed = False
                self._socket = None
                _WATCHDOG.cancelled()

    def _attach(self, sock: object) -> None:
        if not isinstance(sock, socket.socket):
            return
        try:
            descriptor = sock.fileno()
            identity = (descriptor, os.fstat(descriptor).st_ino)
        except (OSError, ValueError):
            return
        with self._lock:
            self._socket = identity
        if self.deadline.expired():
            self.fire()

    def fire(self) -> None:
        """The deadline passed: shut the socket down, so a blocked read returns at once."""
        with self._lock:
            if not self.armed:
                return
            self.fired = True
            if self._socket is None:
                return
            descriptor, inode = self._socket
            try:
                duplicate = os.dup(descriptor)  # pins the socket while it is checked and shut down
            except OSError:
                return
            try:
                if os.fstat(duplicate).st_ino == inode:
                    # Shut down through the duplicate: the same connection, without touching the TLS object the reader uses.
                    with socket.socket(fileno=duplicate) as shared:
                        duplicate = -1
                        shared.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            finally:
                if duplicate >= 0:
                    os.close(duplicate)


def _connection_socket() -> object:
    """The socket of the httpcore connection sending the request (called from inside its trace hook)."""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(6):
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        stream = getattr(owner, "_network_stream", None)
        if stream is not None and hasattr(stream, "get_extra_info"):
            return stream.get_extra_info("socket")
        frame = frame.f_back
    return None


class _Watchdog:
    """One daemon thread that fires `SocketDeadline`s in deadline order (started on first use)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, SocketDeadline]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def schedule(self, guard: SocketDeadline) -> None:
        assert guard.deadline.at is not None
        with self._condition:
            entry = (guard.deadline.at, next(self._order), guard)
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sdk-deadline-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0] is entry:
                self._condition.notify()

    def cancelled(self) -> None:
        """One guard was disarmed: drop disarmed entries once they are most of the heap."""
        with self._condition:
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if entry[2].armed]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        import time

        while True:
            with self._condition:
                while not self._heap:
                    self._condition.wait()
                at, _, guard = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if guard.armed:
                guard.fire()


_WATCHDOG = _Watchdog()
