"""Limits of a call, with no I/O: deadlines, and bodies decoded within a byte budget.

`Deadline` is a point on the monotonic clock. Each attempt of a call gets one from its `timeout`
(the largest of httpx's connect/read/write/pool values: those bound each network operation, this
bounds the attempt as a whole), cut short by the call's `total_timeout`, which also bounds the
waits between retries.

`BoundedDecoder` undoes `Content-Encoding` incrementally: it inflates at most `DECODE_CHUNK`
bytes at a time and counts them against a `SizeBudget`, so a decompression bomb is refused one
piece past the limit, and memory stays within a small multiple of it. A streamed body
(`_streaming`, and SSE through it) is decoded in the same pieces without a limit on the whole:
what is held at once (a line, an event, a `read()`) is bounded instead.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

__all__ = [
    "ACCEPT_ENCODING",
    "DECODE_CHUNK",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BodyTooLarge",
    "BoundedDecoder",
    "Deadline",
    "SizeBudget",
    "UndecodableBody",
    "attempt_seconds",
    "exact_number",
]

# The largest response body read by default (decoded): far above any page these APIs return.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# What the SDK asks for: exactly the encodings `BoundedDecoder` can decode within a budget.
ACCEPT_ENCODING = "gzip, deflate"
# Largest piece inflated at once: the most a body can pass its limit by.
DECODE_CHUNK = 64 * 1024
# Exponent bound of exact numbers: Python's own bound on integer digits. Past it, `Decimal` holds
# the number but turning it into anything else (an int field: `1e-1000000000000000000 % 1`)
# takes time in proportion to the exponent: a hostile server could stall the client.
MAX_DECIMAL_EXPONENT = 4300


def exact_number(text: str) -> Decimal:
    """A JSON number as `Decimal`, digit for digit (`json.loads(parse_float=...)`); `InvalidOperation` past the exponent bound."""
    value = Decimal(text)
    if abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise InvalidOperation(f"the number {text[:20]}... has an exponent beyond ±{MAX_DECIMAL_EXPONENT}")
    return value


class Deadline:
    """A moment on the monotonic clock by which something must be done (`at` None: no deadline)."""

    __slots__ = ("at", "seconds")

    def __init__(self, at: float | None, seconds: float | None = None) -> None:
        self.at = at
        self.seconds = seconds  # the duration it was made from, for messages

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """The deadline `seconds` from now (None: never)."""
        if seconds is None:
            return cls(None)
        return cls(time.monotonic() + max(seconds, 0.0), seconds)

    def remaining(self) -> float | None:
        """Seconds left (0 when passed), or None without a deadline."""
        return None if self.at is None else max(self.at - time.monotonic(), 0.0)

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def allows(self, delay: float) -> bool:
        """Whether waiting `delay` seconds still leaves time before the deadline."""
        return self.at is None or time.monotonic() + delay < self.at

    def earliest(self, other: Deadline) -> Deadline:
        """Whichever of the two comes first."""
        if other.at is None or (self.at is not None and self.at <= other.at):
            return self
        return other

    def __repr__(self) -> str:
        return "Deadline(never)" if self.at is None else f"Deadline(in {self.remaining():.3f} s)"


def attempt_seconds(timeouts: Mapping[str, float | None] | None) -> float | None:
    """How long one attempt may take, from httpx's per-operation timeouts: the largest; None when any is None (unbounded)."""
    if not timeouts:
        return None
    values = list(timeouts.values())
    if any(value is None for value in values):
        return None
    return max(float(value) for value in values if value is not None)


def capped_timeouts(timeouts: Mapping[str, float | None] | None, remaining: float) -> dict[str, float | None]:
    """httpx's per-operation timeouts, none longer than `remaining` (so connect and pool waits end by the deadline too)."""
    remaining = max(remaining, 0.001)
    capped: dict[str, float | None] = {}
    for name in ("connect", "read", "write", "pool"):
        value = (timeouts or {}).get(name)
        capped[name] = remaining if value is None else min(value, remaining)
    return capped


class BodyTooLarge(Exception):
    """More bytes than the budget allows (`limit`); `size` says how much was seen, for the message."""

    def __init__(self, limit: int, size: str) -> None:
        super().__init__(f"{size} is more than the limit of {limit} bytes")
        self.limit = limit
        self.size = size


class UndecodableBody(Exception):
    """The body's `Content-Encoding` is not one the SDK decodes, or the encoded data is corrupt."""


class SizeBudget:
    """Counts bytes against a limit (None: no limit) and raises `BodyTooLarge` past it."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0

    def add(self, size: int) -> None:
        self.used += size
        if self.limit is not None and self.used > self.limit:
            raise BodyTooLarge(self.limit, f"more than {self.limit} bytes")

    def reset(self) -> None:
        """Start counting again (e.g. at the next event of a stream)."""
        self.used = 0


class _Inflater:
    """One zlib layer (gzip, zlib deflate, or raw deflate), inflated `DECODE_CHUNK` bytes at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        # gzip has its own header; "deflate" is zlib-wrapped per RFC 9110, but raw deflate is common:
        # decide on the first bytes, as browsers and httpx do.
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if name in ("gzip", "x-gzip") else None
        self._head = b""

    def feed(self, data: bytes, *, last: bool = False) -> Iterator[bytes]:
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2 and not last:
                return
            data, head = self._head, self._head
            zlib_wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        inflater = self._inflater
        pending = data
        while True:
            try:
                piece = inflater.decompress(pending, DECODE_CHUNK)
            except zlib.error as exc:
                raise UndecodableBody(f"the {self.name} body is corrupt ({exc})") from exc
            if piece:
                yield piece
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and len(piece) < DECODE_CHUNK):
                return

    def finish(self) -> Iterator[bytes]:
        if self._inflater is None and not self._head:
            return
        if self._inflater is None or not self._inflater.eof:
            yield from self.feed(b"", last=True)


class BoundedDecoder:
    """Decodes a body's `Content-Encoding` (gzip, deflate, identity, stacked) in small pieces within `limit` decoded bytes.

    `feed(raw)` yields decoded pieces of at most `DECODE_CHUNK` bytes; `finish()` yields what is
    left at the end. Both raise `BodyTooLarge` as soon as the decoded bytes pass `limit` (or the
    raw bytes pass it by more than the little compression can add), and `UndecodableBody` for
    an encoding it does not know (br, zstd, compress) or corrupt data.
    """

    def __init__(self, content_encoding: str | None, limit: int | None) -> None:
        names = [name.strip().lower() for name in (content_encoding or "").split(",")]
        names = [name for name in names if name and name != "identity"]
        for name in names:
            if name not in ("gzip", "x-gzip", "deflate"):
                raise UndecodableBody(
                    f"the body's Content-Encoding {name!r} is not one the SDK decodes (it asks for {ACCEPT_ENCODING})"
                )
        self._layers = [_Inflater(name) for name in reversed(names)]  # the last encoding applied is undone first
        self.budget = SizeBudget(limit)
        # Compressed data can be a little larger than what it encodes (stored blocks), never much.
        self.raw_budget = SizeBudget(None if limit is None or not names else limit + limit // 16 + 4096)
        self._stage_budgets = [SizeBudget(limit) for _ in self._layers[:-1]]

    @property
    def encoded(self) -> bool:
        return bool(self._layers)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        if self._layers:
            self.raw_budget.add(len(raw))
        yield from self._through(0, raw, final=False)

    def finish(self) -> Iterator[bytes]:
        yield from self._through(0, b"", final=True)

    def _through(self, layer: int, data: bytes, *, final: bool) -> Iterator[bytes]:
        if layer == len(self._layers):
            if data:
                self.budget.add(len(data))
                yield data
            return
        inflater = self._layers[layer]
        pieces = inflater.feed(data) if data else iter(())
        for piece in pieces:
            if layer < len(self._stage_budgets):
                self._stage_budgets[layer].add(len(piece))
            yield from self._through(layer + 1, piece, final=False)
        if final:
            for piece in inflater.finish():
                yield from self._through(layer + 1, piece, final=False)
            yield from self._through(layer + 1, b"", final=True)
