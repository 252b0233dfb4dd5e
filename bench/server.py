"""A minimal keep-alive HTTP/1.1 server for the benchmark: fixed payloads, no JWT verification.

Routes (everything else is a JSON 404):

* ``GET /api/v3/brokerage/intx/balances/{uuid}``: ``tests/fixtures/payloads/intx_balances.json``
  with the uuid filled in.
* ``POST /api/v2/public/auth``: a token that lives an hour.
* ``POST /api/v2/private/get_account_summaries``: ``account_summaries_extended.json`` in a JSON-RPC
  envelope that echoes the request's ``id``.

Run it as ``python -m bench.server``: it prints its port on the first line of stdout and serves
until stdin closes. The benchmark runs it in a child process so that the server's work does not
compete for the client's GIL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "payloads"
BALANCES_PREFIX = "/api/v3/brokerage/intx/balances/"
RPC_PREFIX = "/api/v2/"
PLACEHOLDER = b"__PORTFOLIO_UUID__"
TOKEN = {
    "access_token": "bench-token",
    "expires_in": 3600,
    "refresh_token": "bench-refresh",
    "scope": "session:default",
    "token_type": "bearer",
}


# A portfolio uuid ending so gets balances with one value of another type (the first `quantity` an
# object): the SDK's lenient path (issue 15) instead of pydantic-core's fast path.
DRIFTED_SUFFIX = "-drifted"


def drifted(balances: bytes) -> bytes:
    """The balances with one value that does not match the spec (read leniently by the SDK)."""
    return balances.replace(b'"quantity": "0.000000012345678901"', b'"quantity": {"value": "0.000000012345678901"}', 1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection per client for the whole run
    disable_nagle_algorithm = True  # headers and body go out as two writes
    balances = (PAYLOADS / "intx_balances.json").read_bytes()
    summaries = (PAYLOADS / "account_summaries_extended.json").read_text().strip()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: one log line per request would dominate the measurement."""

    def do_GET(self) -> None:
        """Serve the INTX balances of any portfolio uuid."""
        if self.path.startswith(BALANCES_PREFIX):
            uuid = self.path[len(BALANCES_PREFIX) :].encode()
            body = self.balances.replace(PLACEHOLDER, uuid)
            self._reply(200, drifted(body) if self.path.endswith(DRIFTED_SUFFIX) else body)
        else:
            self._reply(404, b'{"error":"NOT_FOUND"}')

    def do_POST(self) -> None:
        """Answer ``public/auth`` and ``private/get_account_summaries`` in a JSON-RPC envelope."""
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        method = self.path[len(RPC_PREFIX) :] if self.path.startswith(RPC_PREFIX) else ""
        if method == "public/auth":
            result = json.dumps(TOKEN)
        elif method == "private/get_account_summaries":
            result = self.summaries
        else:
            self._reply(404, b'{"error":"NOT_FOUND"}')
            return
        envelope = (
            f'{{"jsonrpc":"2.0","id":{json.dumps(request.get("id"))},"result":{result},"usIn":0,"usOut":0,"usDiff":0,"testnet":false}}'
        )
        self._reply(200, envelope.encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    """Serve on an ephemeral port of 127.0.0.1 until stdin reaches EOF."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the parent closes our stdin (or dies) to stop us
    server.shutdown()


def _pin(server_pid: int) -> None:
    """On Linux with two or more CPUs, keep the server and the benchmark on different CPUs (less jitter)."""
    if hasattr(os, "sched_setaffinity") and len(cpus := sorted(os.sched_getaffinity(0))) >= 2:
        os.sched_setaffinity(0, {cpus[0]})
        os.sched_setaffinity(server_pid, {cpus[1]})


@contextmanager
def serve() -> Iterator[str]:
    """Run the server in a child process; yield its base URL, ``http://127.0.0.1:PORT``."""
    root = Path(__file__).resolve().parent.parent
    child = subprocess.Popen([sys.executable, "-m", "bench.server"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        _pin(child.pid)
        assert child.stdout is not None
        port = child.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError("the benchmark server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    main()
