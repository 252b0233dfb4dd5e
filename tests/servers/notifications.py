"""A JSON-RPC 2.0 server over HTTP that tells requests from notifications (tests/test_real_shapes.py).

A request (with `id`) gets `{"result": {"scopes": [...]}}`; a notification (no `id`) gets
`204 No Content` and no JSON-RPC response, as JSON-RPC 2.0 says a server must answer it. The method
`refuse` is answered with HTTP 503 (a notification can still fail at the HTTP layer).
"""

from __future__ import annotations

import json

from tests.servers.base import BaseRequestHandler, TestServer
from tests.servers.records import RecordedRequest


class _Handler(BaseRequestHandler):
    def handle_request(self, record: RecordedRequest) -> tuple[int, bytes, dict[str, str]]:
        envelope = json.loads(record.body)
        if envelope.get("method") == "refuse":
            return 503, b"busy", {"Content-Type": "text/plain"}
        if "id" not in envelope:
            return 204, b"", {}
        answer = {"jsonrpc": "2.0", "id": envelope["id"], "result": {"scopes": ["eip155:1"]}}
        return 200, json.dumps(answer).encode(), {"Content-Type": "application/json"}


class NotificationServer(TestServer):
    """Records every envelope; `requests[i].body` is what the client sent."""

    handler_class = _Handler
