"""Responses are bounded by default, counted on decompressed bytes while they inflate.

A decompression bomb (a small gzip or deflate body that inflates to hundreds of MiB) is refused
once its decoded size passes `max_response_bytes` (32 MiB unless set; `None` disables it), and
memory stays within a small multiple of the limit, because the body is inflated in 64 KiB
pieces and counted as it goes. Peak memory is measured with tracemalloc around a real call.
The same limit bounds WebSocket frames; `BoundedDecoder` is the primitive an event stream uses.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from coinbase_sdk import APIConnectionError, APIResponseValidationError, ResponseTooLargeError
from coinbase_sdk._limits import DEFAULT_MAX_RESPONSE_BYTES, BodyTooLarge, BoundedDecoder, SizeBudget, UndecodableBody

from tests.bombs import zeros_bomb
from tests.conftest import run_client
from tests.servers import TestKeys
from tests.servers.hostile import HostileServer
from tests.servers.ws import WsServer

MiB = 1024 * 1024


_BOMBS: dict[tuple[int, str], bytes] = {}


def bomb(size: int, encoding: str) -> bytes:
    if (size, encoding) not in _BOMBS:
        _BOMBS[(size, encoding)] = zeros_bomb(size, encoding)  # building a 1 GiB bomb takes no 1 GiB
    return _BOMBS[(size, encoding)]


def answer(body: bytes, encoding: str) -> Any:
    header = "deflate" if encoding == "raw-deflate" else encoding
    data = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: {header}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    return lambda request: data


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def peak_of(call: Any) -> tuple[BaseException | None, int]:
    """Run `call`; return what it raised and the peak of traced memory above the start, in bytes."""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        try:
            call()
        except Exception as exc:
            error: BaseException | None = exc
        else:
            error = None
        return error, tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def server_time(url: str, mode: str, **client: Any) -> Any:
    return lambda: run_client(
        mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=url, max_retries=0, **client
    )


def test_the_default_limit_is_documented_and_sane() -> None:
    assert DEFAULT_MAX_RESPONSE_BYTES == 32 * MiB


def test_a_gzip_bomb_is_refused_by_default_within_a_small_multiple_of_the_limit(hostile: HostileServer, mode: str) -> None:
    """384 MiB of zeros in ~380 KiB of gzip: today's code inflated all of it (+817 MB)."""
    body = bomb(384 * MiB, "gzip")
    assert len(body) < 400 * 1024
    hostile.responder = answer(body, "gzip")
    error, peak = peak_of(server_time(hostile.url, mode, timeout=30))
    assert isinstance(error, ResponseTooLargeError), error
    assert error.limit == DEFAULT_MAX_RESPONSE_BYTES
    assert peak < 2 * DEFAULT_MAX_RESPONSE_BYTES, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_a_1_gib_bomb_keeps_memory_within_a_small_multiple_of_the_limit(hostile: HostileServer, mode: str, encoding: str) -> None:
    """1 GiB in ~1 MiB; with a 1 MiB limit today's code still peaked +154 MB (a whole chunk inflated before the check)."""
    hostile.responder = answer(bomb(1024 * MiB, encoding), encoding)
    error, peak = peak_of(server_time(hostile.url, mode, timeout=30, max_response_bytes=MiB))
    assert isinstance(error, ResponseTooLargeError), error
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB"


def test_none_disables_the_limit(hostile: HostileServer, mode: str) -> None:
    body = json.dumps({"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1", "epochMillis": "1000", "pad": " " * (40 * MiB)}).encode()
    hostile.responder = answer(gzip.compress(body, 1), "gzip")
    result = server_time(hostile.url, mode, timeout=30, max_response_bytes=None)()
    assert result.epochSeconds == "1"


def test_a_body_in_an_encoding_the_sdk_does_not_decode_is_a_typed_error(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(b"\x1b\x00\x00", "br")
    error, _ = peak_of(server_time(hostile.url, mode))
    assert isinstance(error, APIResponseValidationError) and "br" in str(error)


def test_the_sdk_asks_only_for_the_encodings_it_decodes(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(gzip.compress(b'{"iso": "x", "epochSeconds": "1", "epochMillis": "1"}'), "gzip")
    server_time(hostile.url, mode)()
    assert hostile.received[-1].headers["accept-encoding"] == "gzip, deflate"


# -- WebSocket frames -------------------------------------------------------------------------------


def test_websocket_frames_are_bounded_by_max_response_bytes(keys: TestKeys) -> None:
    from coinbase_sdk import AsyncClient

    async def main() -> None:
        async with AsyncClient(
            derivatives_ws_url=server.url,
            api_key_name=keys.ed25519_key_name,
            api_private_key=keys.ed25519_secret_b64,
            max_response_bytes=300,
            max_retries=0,
        ) as client:
            with pytest.raises(APIConnectionError):  # the summaries frame is over 300 bytes: the socket is closed (1009)
                await client.derivatives.ws.account_management.get_account_summaries(extended=True)

    with WsServer(keys.public_keys()) as server:
        asyncio.run(asyncio.wait_for(main(), 30))


# -- the primitive ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
@pytest.mark.parametrize("piece", [1, 7, 4096, 10**9])
def test_bounded_decoder_inflates_in_small_pieces_whatever_the_input_chunks(encoding: str, piece: int) -> None:
    text = json.dumps([{"n": i, "s": "x" * (i % 50)} for i in range(20_000)]).encode()
    packed = _pack(text, encoding)
    decoder = BoundedDecoder("deflate" if encoding == "raw-deflate" else encoding, limit=len(text))
    out: list[bytes] = []
    for start in range(0, len(packed), piece):
        out.extend(decoder.feed(packed[start : start + piece]))
    out.extend(decoder.finish())
    assert b"".join(out) == text
    assert max(len(part) for part in out) <= 64 * 1024
    assert decoder.budget.used == len(text)


def _pack(data: bytes, encoding: str) -> bytes:
    wbits = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "raw-deflate": -zlib.MAX_WBITS}[encoding]
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def test_bounded_decoder_stops_one_piece_past_the_limit() -> None:
    decoder = BoundedDecoder("gzip", limit=100_000)
    seen = 0
    with pytest.raises(BodyTooLarge):
        for part in decoder.feed(bomb(64 * MiB, "gzip")):
            seen += len(part)
    assert seen <= 100_000


def test_bounded_decoder_undoes_stacked_encodings_in_reverse_order() -> None:
    inner = _pack(b"hello" * 1000, "deflate")
    decoder = BoundedDecoder("deflate, gzip", limit=None)
    out = b"".join(decoder.feed(gzip.compress(inner))) + b"".join(decoder.finish())
    assert out == b"hello" * 1000


def test_bounded_decoder_refuses_what_it_cannot_decode() -> None:
    with pytest.raises(UndecodableBody, match="br"):
        BoundedDecoder("br", limit=None)
    decoder = BoundedDecoder("gzip", limit=None)
    with pytest.raises(UndecodableBody):
        list(decoder.feed(b"not gzip at all"))


def test_identity_and_unknown_case_are_passed_through() -> None:
    decoder = BoundedDecoder(" Identity ", limit=4)
    assert b"".join(decoder.feed(b"abcd")) == b"abcd"
    with pytest.raises(BodyTooLarge):
        list(decoder.feed(b"e"))


def test_a_size_budget_bounds_each_event_of_a_stream() -> None:
    """What an SSE reader does: the limit applies to each event, reset between them."""
    budget = SizeBudget(10)
    for _ in range(100):
        budget.add(6)
        budget.add(4)
        budget.reset()
    budget.add(10)
    with pytest.raises(BodyTooLarge):
        budget.add(1)
    assert SizeBudget(None).add(10**12) is None
