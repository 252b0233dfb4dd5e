"""`with_streaming_response`: large downloads read as they are iterated, over real sockets (probe spec).

`client.<api>.<group>.with_streaming_response.<op>(...)` is a context manager: entering sends the
request (an error status raises there, its body read within `max_response_bytes`); inside, the
`StreamedResponse` reads the body only as it is iterated (`iter_bytes`, `iter_text`, `iter_lines`,
`write_to_file`), beyond `max_response_bytes`; what it keeps in memory (`read()`, `parse()`, a
line) stays within it. Leaving the block, however it is left, releases the connection.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.probe_sdk import PROBE_SPEC, probe_sdk
from tests.servers.styles import Streamed, StyleServer

MIB = 1024 * 1024
OCTETS = {"Content-Type": "application/octet-stream"}


def payload(size: int) -> bytes:
    """`size` bytes that differ from block to block (a misplaced or repeated piece changes the digest)."""
    block = bytes(range(256)) * 256  # 64 KiB
    return b"".join(i.to_bytes(4, "big") + block[4:] for i in range(size // len(block)))


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return probe_sdk(tmp_path_factory)


@pytest.fixture
def server() -> Iterator[StyleServer]:
    with StyleServer(PROBE_SPEC) as running:
        yield running


@pytest.fixture
def client(sdk: ModuleType, server: StyleServer) -> Iterator[Any]:
    # One connection in the pool, waited for at most 2 s: a connection not released makes the next call fail.
    http = httpx.Client(limits=httpx.Limits(max_connections=1), timeout=httpx.Timeout(10, pool=2))
    with http, sdk.Client(probe_base_url=server.url, max_retries=0, max_response_bytes=MIB, http_client=http) as probe:
        yield probe.probe


def test_a_download_larger_than_max_response_bytes_streams_in_pieces_with_bounded_memory(client: Any, server: StyleServer) -> None:
    body = payload(8 * MIB)
    server.responses["download"] = (200, body, OCTETS)
    digest, total, largest = hashlib.sha256(), 0, 0
    tracemalloc.start()
    try:
        with client.files.with_streaming_response.download() as response:
            assert response.status_code == 200 and response.headers["content-type"] == "application/octet-stream"
            for piece in response.iter_bytes():
                digest.update(piece)
                total += len(piece)
                largest = max(largest, len(piece))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == len(body) and digest.digest() == hashlib.sha256(body).digest()
    assert largest <= 64 * 1024
    assert peak < 2 * MIB, f"{peak} bytes held while streaming an 8 MiB body"


def test_iter_bytes_gives_pieces_of_the_size_asked_for(client: Any, server: StyleServer) -> None:
    body = payload(MIB // 4)
    server.responses["download"] = (200, body, OCTETS)
    with client.files.with_streaming_response.download() as response:
        pieces = list(response.iter_bytes(chunk_size=100_000))
    assert [len(p) for p in pieces] == [100_000, 100_000, len(body) - 200_000]
    assert b"".join(pieces) == body


def test_a_chunk_size_below_one_byte_is_refused(client: Any, server: StyleServer) -> None:
    server.responses["download"] = (200, b"abc", OCTETS)
    with client.files.with_streaming_response.download() as response, pytest.raises(ValueError, match="chunk_size"):
        next(response.iter_bytes(chunk_size=0))  # would yield b"" for ever


def test_write_to_file_writes_the_body_as_it_arrives(client: Any, server: StyleServer, tmp_path: Path) -> None:
    body = payload(3 * MIB)
    server.responses["download"] = (200, body, OCTETS)
    target = tmp_path / "download.bin"
    with client.files.with_streaming_response.download() as response:
        written = response.write_to_file(target)
    assert written == len(body) and target.read_bytes() == body


def test_a_compressed_body_streams_decoded(client: Any, server: StyleServer) -> None:
    body = payload(2 * MIB)
    server.responses["download"] = (200, gzip.compress(body), {**OCTETS, "Content-Encoding": "gzip"})
    with client.files.with_streaming_response.download() as response:
        assert b"".join(response.iter_bytes()) == body


def test_iter_lines_splits_at_every_line_break_across_chunks(client: Any, server: StyleServer) -> None:
    chunks = [b"first\r", b"\nsecond\nth", "ird é\r".encode(), "\u00e9".encode()[:1], "\u00e9".encode()[1:] + b"\n\nlast"]
    server.streams["/files/readme"] = [Streamed(chunks, content_type="text/plain; charset=utf-8")]
    with client.files.with_streaming_response.readme() as response:
        assert list(response.iter_lines()) == ["first", "second", "third é", "é", "", "last"]


def test_iter_text_decodes_characters_split_between_chunks(client: Any, server: StyleServer) -> None:
    text = "héllo wörld"
    data = text.encode()
    server.streams["/files/readme"] = [Streamed([data[:2], data[2:9], data[9:]], content_type="text/plain; charset=utf-8")]
    with client.files.with_streaming_response.readme() as response:
        assert "".join(response.iter_text()) == text


def test_the_connection_goes_back_to_the_pool_once_the_body_is_read(client: Any, server: StyleServer) -> None:
    server.responses["download"] = (200, payload(MIB), OCTETS)
    for _ in range(2):
        with client.files.with_streaming_response.download() as response:
            for _piece in response.iter_bytes():
                pass
        assert response.is_closed
    client.files.download(max_response_bytes=2 * MIB)
    ports = {record.client_port for record in server.requests.snapshot()}
    assert len(ports) == 1, "each call should reuse the one kept-alive connection"


def test_leaving_the_block_before_the_end_releases_the_connection(client: Any, server: StyleServer) -> None:
    answer = Streamed([b"x" * 1024] * 500, content_type="application/octet-stream", delay=0.01)
    server.streams["/files/download"] = [answer]
    with client.files.with_streaming_response.download() as response:
        first = next(response.iter_bytes())
    assert first and response.is_closed
    assert answer.aborted.wait(5), "the server kept writing to a connection the client should have closed"
    server.responses["readme"] = (200, b"next", {"Content-Type": "text/plain"})
    assert client.files.readme() == "next"  # the pool's one connection is free


def test_an_exception_in_the_block_releases_the_connection(client: Any, server: StyleServer) -> None:
    server.streams["/files/download"] = [Streamed([b"x" * 1024] * 500, content_type="application/octet-stream", delay=0.01)]
    with pytest.raises(ValueError, match="stop here"), client.files.with_streaming_response.download() as response:
        next(response.iter_bytes())
        raise ValueError("stop here")
    assert response.is_closed
    server.responses["readme"] = (200, b"next", {"Content-Type": "text/plain"})
    assert client.files.readme() == "next"


def test_an_error_status_raises_on_entering_with_its_body(client: Any, server: StyleServer, sdk: ModuleType) -> None:
    server.responses["download"] = (404, b'{"message": "no such file"}', {"Content-Type": "application/json"})
    with pytest.raises(sdk.NotFoundError, match="no such file") as caught, client.files.with_streaming_response.download():
        pytest.fail("the block must not run for an error status")
    assert caught.value.body == {"message": "no such file"}
    server.responses["readme"] = (200, b"next", {"Content-Type": "text/plain"})
    assert client.files.readme() == "next"  # the error's connection was released too


def test_read_and_parse_hold_the_body_within_max_response_bytes(client: Any, server: StyleServer, sdk: ModuleType) -> None:
    server.responses["download"] = (200, payload(2 * MIB), OCTETS)
    with client.files.with_streaming_response.download() as response, pytest.raises(sdk.ResponseTooLargeError):
        response.read()
    assert response.is_closed
    small = payload(MIB // 2)
    server.responses["download"] = (200, small, OCTETS)
    with client.files.with_streaming_response.download() as response:
        assert response.parse() == small and response.read() == small and response.content == small


def test_parse_gives_the_typed_result(client: Any, server: StyleServer) -> None:
    with client.bodies.with_streaming_response.body_json(name="n") as response:
        echo = response.parse()
    assert type(echo).__name__ == "Echo" and echo.ok is True and response.json() == {"ok": True}


def test_a_line_longer_than_max_response_bytes_raises(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/files/readme"] = [Streamed([b"short\n", b"y" * 5000, b"y" * 5000], content_type="text/plain")]
    with sdk.Client(probe_base_url=server.url, max_response_bytes=4096) as probe:
        with probe.probe.files.with_streaming_response.readme() as response:
            lines = response.iter_lines()
            assert next(lines) == "short"
            with pytest.raises(sdk.ResponseTooLargeError, match="line"):
                next(lines)


def test_total_timeout_bounds_the_streamed_body(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/files/download"] = [Streamed([b"x"] * 100, content_type="application/octet-stream", delay=0.02)]
    with sdk.Client(probe_base_url=server.url, max_retries=0) as probe:
        with probe.probe.files.with_streaming_response.download(total_timeout=0.2) as response:
            with pytest.raises(sdk.APITimeoutError, match="total_timeout"):
                for _piece in response.iter_bytes():
                    pass


def test_a_server_that_stalls_mid_body_times_out_by_the_read_timeout(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/files/download"] = [Streamed([b"x" * 100, b"y" * 100], content_type="application/octet-stream", delay=2)]
    with sdk.Client(probe_base_url=server.url, max_retries=0, timeout=0.3) as probe:
        with probe.probe.files.with_streaming_response.download() as response:
            pieces = response.iter_bytes()
            assert next(pieces) == b"x" * 100
            with pytest.raises(sdk.APITimeoutError):
                next(pieces)


def test_methods_that_stream_events_or_pages_have_no_streaming_form(client: Any) -> None:
    assert hasattr(client.files.with_streaming_response, "download")
    assert not hasattr(client.events.with_streaming_response, "ticks")  # already an iterator of events


def test_the_async_client_streams_a_download(sdk: ModuleType, server: StyleServer, tmp_path: Path) -> None:
    body = payload(4 * MIB)
    server.responses["download"] = (200, body, OCTETS)
    server.streams["/files/readme"] = [Streamed([b"a\r\nb", b"\nc"], content_type="text/plain")]
    target = tmp_path / "download.bin"

    async def run() -> tuple[int, int, list[str]]:
        async with sdk.AsyncClient(probe_base_url=server.url, max_response_bytes=MIB) as probe:
            files = probe.probe.files
            async with files.with_streaming_response.download() as response:
                total = sum([len(piece) async for piece in response.iter_bytes()])
            async with files.with_streaming_response.download() as response:
                written = await response.write_to_file(target)
            async with files.with_streaming_response.readme() as response:
                lines = [line async for line in response.iter_lines()]
            return total, written, lines

    total, written, lines = asyncio.run(run())
    assert total == written == len(body) and target.read_bytes() == body
    assert lines == ["a", "b", "c"]
    assert len({record.client_port for record in server.requests.snapshot()[:2]}) == 1  # the connection was reused


def test_the_async_client_releases_the_connection_and_raises_on_enter(sdk: ModuleType, server: StyleServer) -> None:
    answer = Streamed([b"x" * 1024] * 500, content_type="application/octet-stream", delay=0.01)
    server.streams["/files/download"] = [answer]

    async def run() -> bool:
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=httpx.Timeout(10, pool=2))
        async with http, sdk.AsyncClient(probe_base_url=server.url, http_client=http, max_retries=0) as probe:
            files = probe.probe.files
            async with files.with_streaming_response.download() as response:
                async for _piece in response.iter_bytes():
                    break
            closed = response.is_closed
            server.responses["readme"] = (404, b'{"message": "gone"}', {"Content-Type": "application/json"})
            with pytest.raises(sdk.NotFoundError, match="gone"):
                async with files.with_streaming_response.readme():
                    pytest.fail("the block must not run for an error status")
            server.responses["readme"] = (200, b"next", {"Content-Type": "text/plain"})
            assert await files.readme() == "next"
            return closed

    assert asyncio.run(run())
    assert answer.aborted.wait(5)
