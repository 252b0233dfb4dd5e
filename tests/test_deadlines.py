"""`timeout` bounds a whole attempt, `total_timeout` a whole call: a slow server cannot hold a call.

httpx's own timeouts apply to each read, so a server that sends one byte every half second (in
the body, in the headers or in the TLS handshake) never trips them. The SDK's deadline covers
the whole attempt: connect, TLS, headers, body and decompression, sync and async, on a new
connection and on one taken from the pool. Each test runs against a real socket (`tests/servers/hostile.py`).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from coinbase_sdk import APITimeoutError, AsyncClient, Client, ServiceUnavailableError

from tests.conftest import run_client
from tests.servers.hostile import HostileServer, RawRequest, drip
from tests.test_wire_safety import _self_signed, _TimeHandler

SERVER_TIME = json.dumps({"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1", "epochMillis": "1000"}).encode()
MARGIN = 0.75  # seconds past the deadline a call may take to notice it, on a shared machine


def response(body: bytes, *, close: bool = True) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + ("Connection: close\r\n" if close else "") + "\r\n").encode() + body


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def timed(function: Callable[[], Any]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        function()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


def server_time(url: str, mode: str, **client: Any) -> Callable[[], Any]:
    client.setdefault("max_retries", 0)
    return lambda: run_client(mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=url, **client)


def test_a_body_dripping_a_byte_every_half_second_is_cut_at_the_timeout(hostile: HostileServer, mode: str) -> None:
    whole = response(SERVER_TIME)
    hostile.responder = lambda request: drip(whole, every=0.5, after=len(whole) - 20)
    error, elapsed = timed(server_time(hostile.url, mode, timeout=1))
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN
    assert "timeout" in str(error) and error.request_sent


def test_headers_dripping_a_byte_at_a_time_are_cut_at_the_timeout(hostile: HostileServer, mode: str) -> None:
    whole = response(b"{}")
    hostile.responder = lambda request: drip(whole, every=0.3, after=5)
    error, elapsed = timed(server_time(hostile.url, mode, timeout=1))
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN


def test_a_per_call_timeout_bounds_its_attempt(hostile: HostileServer, mode: str) -> None:
    whole = response(SERVER_TIME)
    hostile.responder = lambda request: drip(whole, every=0.3, after=len(whole) - 25)
    call = lambda: run_client(  # noqa: E731
        mode, lambda c: c.advanced_trade.public.get_server_time(timeout=1), advanced_trade_base_url=hostile.url, timeout=30, max_retries=0
    )
    error, elapsed = timed(call)
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN


def test_a_slow_server_on_a_pooled_connection_is_cut_at_the_timeout(mode: str) -> None:
    """The second call reuses the first one's connection: the deadline must reach that socket too."""
    with HostileServer(keep_alive=True) as server:
        answers: list[Any] = [response(SERVER_TIME, close=False)]

        def responder(request: RawRequest) -> Any:
            if answers:
                return answers.pop()
            return drip(response(SERVER_TIME, close=False), every=0.3, after=8)

        server.responder = responder
        options = {"advanced_trade_base_url": server.url, "timeout": 1, "max_retries": 0}

        def twice() -> None:
            if mode == "sync":
                with Client(**options) as client:  # type: ignore[arg-type]
                    client.advanced_trade.public.get_server_time()
                    client.advanced_trade.public.get_server_time()
                return

            async def main() -> None:
                async with AsyncClient(**options) as client:  # type: ignore[arg-type]
                    await client.advanced_trade.public.get_server_time()
                    await client.advanced_trade.public.get_server_time()

            asyncio.run(main())

        error, elapsed = timed(twice)
        assert isinstance(error, APITimeoutError), error
        assert elapsed < 1 + MARGIN + 0.5  # the first call is quick
        assert len(server.received) == 2


def test_a_json_rpc_token_call_dripping_is_cut_at_the_timeout(hostile: HostileServer, mode: str) -> None:
    def responder(request: RawRequest) -> Iterator[bytes]:
        request_id = json.loads(request.body)["id"]
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, "result": {"access_token": "t", "expires_in": 900}}).encode()
        whole = response(body)
        return drip(whole, every=0.5, after=len(whole) - 20)

    hostile.responder = responder
    call = lambda: run_client(  # noqa: E731
        mode,
        lambda c: c.derivatives.authentication.auth(grant_type="client_credentials", client_id="a", client_secret="b"),
        derivatives_base_url=hostile.url,
        timeout=1,
        max_retries=0,
    )
    error, elapsed = timed(call)
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN


def test_an_httpx_timeout_object_bounds_the_attempt_by_its_largest_value(hostile: HostileServer, mode: str) -> None:
    whole = response(SERVER_TIME)
    hostile.responder = lambda request: drip(whole, every=0.3, after=len(whole) - 25)
    error, elapsed = timed(server_time(hostile.url, mode, timeout=httpx.Timeout(1.0, connect=0.5)))
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN


def test_total_timeout_bounds_all_retries_together(hostile: HostileServer, mode: str) -> None:
    """503 with `Retry-After: 1`, forever: the call ends at `total_timeout`, not after max_retries sleeps."""
    busy = b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    hostile.responder = lambda request: busy
    error, elapsed = timed(server_time(hostile.url, mode, timeout=5, max_retries=10, total_timeout=2.5))
    assert isinstance(error, ServiceUnavailableError), error
    assert elapsed < 2.5 + MARGIN
    assert 2 <= len(hostile.received) <= 3  # the next sleep would pass the deadline, so it is not slept
    assert error.attempts == len(hostile.received)


def test_total_timeout_cuts_an_attempt_in_flight(hostile: HostileServer, mode: str) -> None:
    whole = response(SERVER_TIME)
    hostile.responder = lambda request: drip(whole, every=0.3, after=len(whole) - 25)
    error, elapsed = timed(server_time(hostile.url, mode, timeout=30, total_timeout=1))
    assert isinstance(error, APITimeoutError), error
    assert "total_timeout" in str(error)
    assert elapsed < 1 + MARGIN


def test_a_prompt_server_is_not_affected_by_the_deadline(hostile: HostileServer, mode: str) -> None:
    hostile.responder = lambda request: response(SERVER_TIME)
    for _ in range(3):
        error, elapsed = timed(server_time(hostile.url, mode, timeout=1, total_timeout=2))
        assert error is None, error


def test_total_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="total_timeout"):
        Client(total_timeout=0)


# -- the TLS handshake ------------------------------------------------------------------------------


class _SlowRelay:
    """A TCP relay on 127.0.0.1 that passes the server's bytes to the client one every `every` seconds."""

    def __init__(self, target: tuple[str, int], every: float) -> None:
        self.target, self.every = target, every
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.every), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, every: float) -> None:
        try:
            while not self.stopped.is_set():
                data = source.recv(1 if every else 65536)
                if not data:
                    return
                if every:
                    time.sleep(every)
                sink.sendall(data)
        except OSError:
            return
        finally:
            for sock in (source, sink):
                sock.close()

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


def test_a_tls_handshake_dripping_is_cut_at_the_timeout(tls_server: tuple[str, Path], mode: str) -> None:
    """Already right before (Python's ssl bounds a whole handshake by the socket timeout): kept so."""
    url, cert = tls_server
    relay = _SlowRelay(("127.0.0.1", int(url.rsplit(":", 1)[1])), every=0.2)
    context = ssl.create_default_context(cafile=str(cert))
    options = {"advanced_trade_base_url": f"https://127.0.0.1:{relay.port}", "max_retries": 0}

    def call() -> None:
        if mode == "sync":
            with httpx.Client(verify=context, timeout=1) as http, Client(http_client=http, **options) as client:  # type: ignore[arg-type]
                client.advanced_trade.public.get_server_time()
            return

        async def main() -> None:
            async with httpx.AsyncClient(verify=context, timeout=1) as http, AsyncClient(http_client=http, **options) as client:  # type: ignore[arg-type]
                await client.advanced_trade.public.get_server_time()

        asyncio.run(main())

    try:
        error, elapsed = timed(call)
    finally:
        relay.close()
    assert isinstance(error, APITimeoutError), error
    assert elapsed < 1 + MARGIN


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A prompt HTTPS server with a self-signed certificate (its URL and the certificate to trust)."""
    cert, key = _self_signed(tmp_path)
    httpd = HTTPServer(("127.0.0.1", 0), _TimeHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


# -- the watchdog -----------------------------------------------------------------------------------


def test_the_watchdog_shuts_down_the_socket_it_watches() -> None:
    from coinbase_sdk._limits import Deadline
    from coinbase_sdk._watchdog import SocketDeadline

    mine, peer = socket.socketpair()
    with mine, peer:
        guard = SocketDeadline(Deadline.after(60))
        guard.armed = True
        guard._attach(mine)
        guard.fire()
        assert guard.fired and mine.recv(1) == b""  # shut down: a blocked read would return at once


def test_the_watchdog_never_touches_a_descriptor_reused_by_another_socket() -> None:
    from coinbase_sdk._limits import Deadline
    from coinbase_sdk._watchdog import SocketDeadline

    first, first_peer = socket.socketpair()
    guard = SocketDeadline(Deadline.after(60))
    guard.armed = True
    guard._attach(first)
    number = first.fileno()
    first.close()
    second, second_peer = socket.socketpair()  # the lowest free descriptor: the one just closed
    with second, second_peer, first_peer:
        assert second.fileno() == number
        guard.fire()
        second_peer.sendall(b"x")
        assert second.recv(1) == b"x"  # still connected
