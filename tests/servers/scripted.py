"""A server that answers each request from a Python function: for tests that script odd payloads.

``ScriptedServer(answer)``: ``answer(record)`` returns ``(status, payload)``; a payload that is not
``bytes`` is sent as JSON. Every request is recorded (``server.requests``), faults apply as on the
other servers. Authentication is not checked: these tests are about what comes back.

``rpc(results)`` makes an ``answer`` for JSON-RPC: ``results(method, params)`` returns the
``result`` (or raises ``RpcFailure`` for an error object); ``public/auth`` answers a token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.servers.base import BaseRequestHandler, TestServer
from tests.servers.records import RecordedRequest

Answer = Callable[[RecordedRequest], tuple[int, Any]]


class RpcFailure(Exception):
    """Raised by a scripted JSON-RPC `results` function: answered as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class _ScriptedHandler(BaseRequestHandler):
    owner: ScriptedServer

    def peek_rpc_method(self, record: RecordedRequest) -> str | None:
        try:
            body = json.loads(record.body or b"null")
        except ValueError:
            return None
        return body.get("method") if isinstance(body, dict) else None

    def handle_request(self, record: RecordedRequest) -> tuple[int, bytes, dict[str, str]]:
        status, payload = self.owner.answer(record)
        if isinstance(payload, bytes):
            return status, payload, {"Content-Type": "application/json"}
        return status, json.dumps(payload).encode(), {"Content-Type": "application/json"}


class ScriptedServer(TestServer):
    handler_class = _ScriptedHandler

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer


def rpc(results: Callable[[str, Any], Any]) -> Answer:
    """An `answer` for JSON-RPC 2.0 over HTTP from `results(method, params)`."""

    def answer(record: RecordedRequest) -> tuple[int, Any]:
        request = json.loads(record.body)
        method, params = request["method"], request.get("params")
        if method == "public/auth":
            result: Any = {"access_token": "scripted-token", "expires_in": 900, "refresh_token": "r", "scope": "", "token_type": "bearer"}
        else:
            try:
                result = results(method, params)
            except RpcFailure as failure:
                error = {"code": failure.code, "message": failure.message}
                return failure.status, {"jsonrpc": "2.0", "id": request["id"], "error": error}
        return 200, {"jsonrpc": "2.0", "id": request["id"], "result": result}

    return answer
