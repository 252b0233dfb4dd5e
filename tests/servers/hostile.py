"""A server that answers with whatever bytes a test scripts: for fuzzing the client's error paths.

Unlike the REST and JSON-RPC servers, it speaks no protocol of its own: it reads one HTTP/1.1
request (head and `Content-Length` body), hands it to the current `responder`, writes the bytes
that returns exactly as given (bad status lines, lying `Content-Length`, broken chunking...)
and closes the connection. A responder may also return an iterator of byte strings: each is
written as it comes, so a generator that sleeps between them is a slow server (`drip`). With
`keep_alive=True` the server reads the next request on the same connection instead of closing
(the responses must then frame themselves and not say `Connection: close`).
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType

HOST = "127.0.0.1"


@dataclass(frozen=True)
class RawRequest:
    """The request as received: request line, headers (lower-case names) and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[RawRequest], bytes | Iterator[bytes]]


def drip(data: bytes, *, every: float, step: int = 1, after: int = 0) -> Iterator[bytes]:
    """`data` written `step` bytes at a time, `every` seconds apart, after its first `after` bytes at once (a slow-drip server)."""
    if after:
        yield data[:after]
    for start in range(after, len(data), step):
        time.sleep(every)
        yield data[start : start + step]


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(5)
        owner = self.server.owner
        try:
            while True:
                request = _read_request(conn)
                if request is None:
                    return
                owner.received.append(request)
                answer = owner.responder(request)
                for chunk in [answer] if isinstance(answer, bytes) else answer:
                    conn.sendall(chunk)
                if not owner.keep_alive:
                    break
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__((HOST, 0), _Handler)


def _read_request(conn: socket.socket) -> RawRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = (lines[0].split(" ") + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawRequest(method, path, headers, body[:length])


def _not_scripted(request: RawRequest) -> bytes:
    return b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"


class HostileServer:
    """`with HostileServer() as server:` serves on `server.url` until the block ends; set `responder` per case."""

    __test__ = False

    def __init__(self, *, keep_alive: bool = False) -> None:
        self.responder: Responder = _not_scripted
        self.keep_alive = keep_alive
        self.received: list[RawRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://{HOST}:{self._server.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
