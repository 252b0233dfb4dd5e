"""An in-process httpx transport that answers like ``bench/server.py``, without a socket or another process.

Every client of a section (raw httpx, openapi-python-client, the SDK) is given the same transport
through its public constructor (``httpx.Client(transport=...)``; openapi-python-client's
``httpx_args``; the SDK's ``http_client=``), so all of them run the same httpx request/response
machinery and only the network is gone: what is left of a call is the client's own work. The
responses are built once; per request the transport only picks one and, for JSON-RPC, copies the
request's ``id`` into the envelope (a byte search, no JSON parse), which every row pays alike.
"""

from __future__ import annotations

import json
import re

import httpx

from bench.server import BALANCES_PREFIX, DRIFTED_SUFFIX, PAYLOADS, PLACEHOLDER, RPC_PREFIX, TOKEN, drifted

BASE_URL = "http://bench.invalid"  # never resolved: the transport answers
_ID = re.compile(rb'"id"\s*:\s*(\d+|"[^"]*")')
_HEADERS = [(b"content-type", b"application/json")]


def _envelope(result: str) -> tuple[bytes, bytes]:
    """The JSON-RPC success envelope around ``result``, split where the request id goes."""
    head = b'{"jsonrpc":"2.0","id":'
    tail = f',"result":{result},"usIn":0,"usOut":0,"usDiff":0,"testnet":false}}'.encode()
    return head, tail


class FixtureTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves the INTX balances (GET), ``public/auth`` and ``private/get_account_summaries`` (POST); 404 otherwise."""

    def __init__(self, portfolio_uuid: str) -> None:
        self.balances_path = f"{BALANCES_PREFIX}{portfolio_uuid}"
        self.balances = (PAYLOADS / "intx_balances.json").read_bytes().replace(PLACEHOLDER, portfolio_uuid.encode())
        self.drifted_path = self.balances_path + DRIFTED_SUFFIX
        self.drifted = drifted(
            (PAYLOADS / "intx_balances.json").read_bytes().replace(PLACEHOLDER, (portfolio_uuid + DRIFTED_SUFFIX).encode())
        )
        summaries = (PAYLOADS / "account_summaries_extended.json").read_text().strip()
        self.rpc = {
            f"{RPC_PREFIX}public/auth": _envelope(json.dumps(TOKEN)),
            f"{RPC_PREFIX}private/get_account_summaries": _envelope(summaries),
        }

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == self.balances_path:
            body = self.balances
        elif request.method == "GET" and path == self.drifted_path:
            body = self.drifted
        elif request.method == "POST" and path in self.rpc:
            head, tail = self.rpc[path]
            found = _ID.search(request.content)
            body = head + (found.group(1) if found else b"null") + tail
        else:
            return httpx.Response(404, headers=_HEADERS, stream=httpx.ByteStream(b'{"error":"NOT_FOUND"}'), request=request)
        # A stream, as a real transport returns: the client still reads the body itself.
        headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body), request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a sync request (its body is already in memory: every client here sends bytes)."""
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer an async request."""
        await request.aread()
        return self._answer(request)
