"""Scripted faults shared by the test servers.

A :class:`Fault` replaces the normal answer of the next request(s) that match its
optional predicate (HTTP method, exact path, JSON-RPC method).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

DropMode = Literal[None, "before_read", "after_read"]


@dataclass(frozen=True)
class Fault:
    """A scripted answer for the next ``times`` matching requests.

    ``status``/``body``/``headers`` are sent as given (plus ``Content-Length``; a
    non-empty body without a ``content-type`` header gets ``application/json``).
    ``delay`` seconds are slept first. ``drop`` closes the connection without any
    answer, before or after the request body was read.

    Predicates: ``method`` (HTTP method, case-insensitive), ``path`` (exact path, no
    query) and ``rpc_method`` (JSON-RPC ``method`` of the body). ``None`` matches
    anything. Faults without ``rpc_method`` are matched before the body is read;
    faults with one only after, so ``rpc_method`` cannot be combined with
    ``drop="before_read"``.
    """

    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: DropMode = None
    times: int = 1
    method: str | None = None
    path: str | None = None
    rpc_method: str | None = None

    def __post_init__(self) -> None:
        if self.times < 1:
            raise ValueError("times must be >= 1")
        if self.drop not in (None, "before_read", "after_read"):
            raise ValueError(f"bad drop mode {self.drop!r}")
        if self.rpc_method is not None and self.drop == "before_read":
            raise ValueError("rpc_method needs the body, so it cannot drop before_read")
        if self.delay < 0:
            raise ValueError("delay must be >= 0")

    def matches(self, method: str, path: str, rpc_method: str | None) -> bool:
        """Whether this fault applies to a request (``rpc_method`` None = not known yet)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and self.path != path:
            return False
        if self.rpc_method is not None and self.rpc_method != rpc_method:
            return False
        return True


@dataclass
class _Entry:
    fault: Fault
    remaining: int


class FaultQueue:
    """Thread-safe FIFO of faults with their remaining use counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def enqueue(self, fault: Fault) -> None:
        """Append a fault; it answers its next ``fault.times`` matching requests."""
        with self._lock:
            self._entries.append(_Entry(fault, fault.times))

    def take(self, method: str, path: str, rpc_method: str | None = None) -> Fault | None:
        """Consume one use of the first matching fault.

        With ``rpc_method=None`` only faults without an ``rpc_method`` predicate are
        considered (the body has not been read yet).
        """
        with self._lock:
            for index, entry in enumerate(self._entries):
                fault = entry.fault
                if rpc_method is None and fault.rpc_method is not None:
                    continue
                if not fault.matches(method, path, rpc_method):
                    continue
                entry.remaining -= 1
                if entry.remaining == 0:
                    del self._entries[index]
                return fault
        return None

    def pending(self) -> int:
        """Total remaining uses of all queued faults."""
        with self._lock:
            return sum(entry.remaining for entry in self._entries)

    def clear(self) -> None:
        """Forget all queued faults."""
        with self._lock:
            self._entries.clear()
