"""Shared machinery of the test servers: threaded HTTP/1.1 server, recording, faults."""

from __future__ import annotations

import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from tests.servers.faults import Fault, FaultQueue
from tests.servers.records import RecordedRequest, RequestLog

HOST = "127.0.0.1"


class _HttpServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its owner and its open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: TestServer, handler: type[BaseHTTPRequestHandler]) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.stopping = threading.Event()
        super().__init__((HOST, 0), handler)


class TestServer:
    """A test HTTP server on 127.0.0.1:<random port>, run in a daemon thread.

    Use as a context manager: it serves from ``__enter__`` until ``__exit__``.
    ``requests`` records every request; ``enqueue`` scripts faults.
    """

    __test__ = False  # not a pytest test class
    handler_class: ClassVar[type[BaseRequestHandler]]
    url_path: ClassVar[str] = ""

    def __init__(self) -> None:
        self.requests = RequestLog()
        self.faults = FaultQueue()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        """Bind and start serving (idempotent error if already started)."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._httpd = _HttpServer(self, self.handler_class)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection."""
        httpd = self._httpd
        if httpd is None:
            return
        httpd.stopping.set()
        httpd.shutdown()
        with httpd.connections_lock:
            for conn in list(httpd.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> TestServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` with no path."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL clients should be given."""
        return self.origin + self.url_path

    # -- faults ----------------------------------------------------------------
    def enqueue(self, fault: Fault) -> None:
        """Script a fault for the next matching request(s)."""
        self.faults.enqueue(fault)


class BaseRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: records requests, applies faults, then ``handle_request``."""

    protocol_version = "HTTP/1.1"
    timeout = 30
    # TCP_NODELAY: the head and the body are two writes; with Nagle's algorithm the body waited for the
    # client's delayed ACK, 40 ms on every request of a kept-alive connection (minutes over the suite).
    disable_nagle_algorithm = True
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet."""

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch()

    # -- hooks for subclasses ---------------------------------------------------
    def handle_request(self, record: RecordedRequest) -> tuple[int, bytes, dict[str, str]]:
        """Answer a request normally: return (status, body, headers)."""
        raise NotImplementedError

    def peek_rpc_method(self, record: RecordedRequest) -> str | None:
        """The JSON-RPC method named by the body, if any (for ``rpc_method`` faults)."""
        return None

    def inspect_for_fault(self, record: RecordedRequest) -> None:
        """Fill the record (auth outcome, RPC fields) for a request a fault answers."""

    # -- plumbing ------------------------------------------------------------------
    @property
    def owner(self) -> TestServer:
        """The :class:`TestServer` this handler serves."""
        return self.server.owner

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _new_record(self) -> RecordedRequest:
        parts = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return RecordedRequest(
            method=self.command,
            path=parts.path,
            raw_query=parts.query,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            client_port=int(self.client_address[1]),
        )

    def _dispatch(self) -> None:
        record = self._new_record()
        fault = self.owner.faults.take(record.method, record.path)
        if fault is not None and fault.drop == "before_read":
            self._drop(record, fault)
            return
        record.body = self._read_body()
        if fault is None:
            rpc_method = self.peek_rpc_method(record)
            if rpc_method is not None:
                fault = self.owner.faults.take(record.method, record.path, rpc_method)
        if fault is not None:
            self.inspect_for_fault(record)
            if fault.drop == "after_read":
                self._drop(record, fault)
            else:
                self._answer_fault(record, fault)
            return
        try:
            status, body, headers = self.handle_request(record)
        except Exception as exc:  # a bug in the test server: make it loud, not a hang
            record.extra["exception"] = traceback.format_exc()
            status, body = 500, f"test server error: {exc!r}".encode()
            headers = {"Content-Type": "text/plain; charset=utf-8"}
        record.status = status
        self.owner.requests.append(record)
        self.send_bytes(status, body, headers)

    def _drop(self, record: RecordedRequest, fault: Fault) -> None:
        record.fault = fault
        self.owner.requests.append(record)
        if fault.delay:
            self.server.stopping.wait(fault.delay)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer_fault(self, record: RecordedRequest, fault: Fault) -> None:
        record.fault = fault
        record.status = fault.status
        self.owner.requests.append(record)
        if fault.delay and self.server.stopping.wait(fault.delay):
            self.close_connection = True  # stopped while delaying: answer nothing
            return
        headers = dict(fault.headers)
        if fault.body and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        self.send_bytes(fault.status, fault.body, headers)

    def send_bytes(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Send a complete response with Content-Length (keeps the connection alive)."""
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (for servers started as separate processes)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
