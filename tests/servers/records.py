"""What the test servers record about each request they receive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from tests.servers.faults import Fault


@dataclass
class RecordedRequest:
    """One request as the server saw it, appended before the answer is sent.

    ``query`` maps each query parameter to all its values (``parse_qs``, blanks
    kept); ``headers`` has lower-case names (repeated headers joined by ", ").
    ``bearer_token`` is the raw ``Authorization: Bearer`` value; ``jwt_header`` and
    ``jwt_claims`` are the decoded (unverified) parts of a CDP JWT when one was sent
    (REST: the bearer token; JSON-RPC: ``public/auth`` params.token).
    ``client_port`` is the peer's port: equal ports mean one kept-alive connection.
    ``auth_error`` is a stable code saying why authentication failed (None if it
    passed or was not attempted) and ``auth_error_detail`` a human explanation.
    """

    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    client_port: int = 0
    bearer_token: str | None = None
    jwt_header: dict[str, Any] | None = None
    jwt_claims: dict[str, Any] | None = None
    auth_error: str | None = None
    auth_error_detail: str | None = None
    status: int | None = None
    fault: Fault | None = None
    rpc_id: Any = None
    rpc_method: str | None = None
    rpc_params: dict[str, Any] | None = None
    rpc_error_code: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RequestLog:
    """A thread-safe, append-only list of :class:`RecordedRequest` (clearable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        """Record a request."""
        with self._lock:
            self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the records so far."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget all records."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | list[RecordedRequest]:
        with self._lock:
            return self._items[index]

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __repr__(self) -> str:
        return f"RequestLog({self.snapshot()!r})"
