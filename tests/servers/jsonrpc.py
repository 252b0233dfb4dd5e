"""A Deribit-style JSON-RPC 2.0 over HTTP server mimicking Coinbase's derivatives gateway.

``POST /api/v2`` or ``POST /api/v2/<method>`` (the path's method must equal the
body's). Results are HTTP 200, errors HTTP 400, both in the Deribit envelope with
``usIn``/``usOut``/``usDiff``/``testnet``. Methods: ``public/auth`` (grant types
``coinbase_cdp``, ``coinbase_oauth2``, ``refresh_token``, and Deribit's native
``client_credentials`` and ``client_signature``, checked against ``DERIBIT_CLIENTS``),
``private/get_account_summaries``, ``private/get_account_summary``,
``private/get_positions``, ``private/get_position``, ``private/change_margin_model``, and
the trading and market-data methods of the matching engine (``tests/servers/matching.py``:
``exchange``, which a test may share with the WebSocket server). Requests are parsed with
``parse_float=Decimal`` and results written with exact digits. ``lose_response_to`` names
methods whose next call is carried out and then answered with nothing: the connection closes,
as when a response is lost on the way back. Private methods need ``Authorization: Bearer <access_token>`` from ``public/auth``, or
Deribit's per-request ``Authorization: deri-hmac-sha256 id=,ts=,sig=,nonce=``, whose
signature the server recomputes over ts, nonce, method, path with query, and body.
Parameters are checked strictly: unknown names, ``null`` values and wrong types
are ``-32602``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from tests.servers import cdp_jwt
from tests.servers.base import BaseRequestHandler, TestServer
from tests.servers.keys import PublicKey
from tests.servers.matching import Exchange, GatewayError
from tests.servers.rawjson import dumps_raw, loads_raw
from tests.servers.records import RecordedRequest

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"
SCOPE = "session:default rat#view wallet:accounts:read"
OAUTH_TEST_TOKEN = "test-oauth-token"
# Native Deribit API keys the server knows: client id -> client secret.
DERIBIT_CLIENTS = {"AMANDA": "AMANDASECRECT", "test-client": "test-client-secret"}
SIGNATURE_WINDOW_MS = 60_000
PREFIX = "/api/v2"

Response = tuple[int, bytes, dict[str, str]]
ParamSpec = dict[str, tuple[type, bool]]  # name -> (type, required)


class RpcError(Exception):
    """A JSON-RPC error answer (HTTP 400)."""

    def __init__(self, code: int, message: str, data: Any = None, http_status: int = 400) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.data, self.http_status = code, message, data, http_status


def invalid_params(param: str, reason: str) -> RpcError:
    """``-32602 Invalid params`` with ``data {"param", "reason"}``."""
    return RpcError(-32602, "Invalid params", {"param": param, "reason": reason})


def check_params(params: dict[str, Any], spec: ParamSpec) -> None:
    """Reject unknown names, missing required ones, nulls and wrong JSON types."""
    for name in params:
        if name not in spec:
            raise invalid_params(name, "unexpected parameter")
    for name, (kind, required) in spec.items():
        if name not in params:
            if required:
                raise invalid_params(name, "required")
            continue
        value = params[name]
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if not ok:
            expected = {bool: "a boolean", int: "an integer", str: "a string"}[kind]
            raise invalid_params(name, f"must be {expected}")


def _now_us() -> int:
    return time.time_ns() // 1000


class _RpcHandler(BaseRequestHandler):
    owner: JsonRpcServer
    _lose_response = False

    # -- fault hooks -------------------------------------------------------------
    def peek_rpc_method(self, record: RecordedRequest) -> str | None:
        try:
            request = json.loads(record.body)
        except ValueError:
            return None
        method = request.get("method") if isinstance(request, dict) else None
        return method if isinstance(method, str) else None

    def inspect_for_fault(self, record: RecordedRequest) -> None:
        try:
            request = json.loads(record.body)
        except ValueError:
            return
        if isinstance(request, dict):
            record.rpc_id, method = request.get("id"), request.get("method")
            record.rpc_method = method if isinstance(method, str) else None
            params = request.get("params")
            record.rpc_params = params if isinstance(params, dict) else None
        self._bearer(record)

    # -- normal path -------------------------------------------------------------
    def handle_request(self, record: RecordedRequest) -> Response:
        us_in = _now_us()
        try:
            rpc_id, method, params = self._parse(record)
            handler = METHODS.get(method)
            if handler is None and not self.owner.exchange.handles(method):
                raise RpcError(-32601, "method_not_found")
            if method.startswith("private/"):
                self._require_session(record)
            if handler is not None:
                raw_result = handler(self, record, params)
            else:
                try:
                    raw_result = self.owner.exchange.call_json(method, params, "user" if method.startswith("private/") else None)
                except GatewayError as exc:
                    raise RpcError(exc.code, exc.message, exc.data) from None
            self._lose_response = self.owner.take_lost_response(method)
        except RpcError as exc:
            record.rpc_error_code = exc.code
            error: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if exc.data is not None:
                error["data"] = exc.data
            # record.rpc_id is set once the request's id is known to be valid; else null
            return exc.http_status, _envelope(record.rpc_id, "error", json.dumps(error), us_in), _json()
        return 200, _envelope(rpc_id, "result", raw_result, us_in), _json()

    def _parse(self, record: RecordedRequest) -> tuple[Any, str, dict[str, Any]]:
        if record.path in (PREFIX, PREFIX + "/"):
            path_method = None
        elif record.path.startswith(PREFIX + "/"):
            path_method = record.path[len(PREFIX) + 1 :]
        else:
            raise RpcError(-32600, "Invalid Request", {"reason": f"unknown path {record.path}"}, 404)
        if record.method != "POST":
            raise RpcError(-32600, "Invalid Request", {"reason": "only POST is served"})
        try:
            request = json.loads(record.body, parse_float=Decimal)
        except ValueError as exc:
            raise RpcError(-32700, "Parse error", {"reason": str(exc)}) from exc
        if not isinstance(request, dict):
            raise RpcError(-32600, "Invalid Request", {"reason": "body must be one JSON object"})
        rpc_id = request.get("id")
        if isinstance(rpc_id, bool) or not isinstance(rpc_id, (int, str)):
            raise RpcError(-32600, "Invalid Request", {"reason": "id must be an integer or string"})
        record.rpc_id = rpc_id
        method = request.get("method")
        if request.get("jsonrpc") != "2.0" or not isinstance(method, str):
            raise RpcError(-32600, "Invalid Request", {"reason": "jsonrpc '2.0' and method required"})
        record.rpc_method = method
        if path_method is not None and path_method != method:
            reason = f"path names {path_method!r} but body names {method!r}"
            raise RpcError(-32600, "Invalid Request", {"reason": reason})
        params = request.get("params", {})
        if not isinstance(params, dict):
            raise invalid_params("params", "must be an object")
        record.rpc_params = params
        return rpc_id, method, params

    def send_bytes(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Send the answer, unless the method's response is to be lost: then close the connection unanswered."""
        if self._lose_response:
            self._lose_response = False
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        super().send_bytes(status, body, headers)

    def _bearer(self, record: RecordedRequest) -> str | None:
        auth = record.headers.get("authorization")
        if auth is None:
            return None
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token:
            record.bearer_token = token
            return token
        return None

    def _require_session(self, record: RecordedRequest) -> None:
        auth = record.headers.get("authorization", "")
        if auth.startswith("deri-hmac-sha256 "):
            reason = self._check_hmac(record, auth)
            if reason is not None:
                record.auth_error = reason
                raise RpcError(13009, "unauthorized", {"reason": reason})
            return
        token = self._bearer(record)
        reason: str | None
        if token is None:
            reason = "not_bearer" if "authorization" in record.headers else "missing_authorization"
        else:
            reason = self.owner.check_token(token)
        if reason is not None:
            record.auth_error = reason
            raise RpcError(13009, "unauthorized", {"reason": reason})

    def _check_hmac(self, record: RecordedRequest, header: str) -> str | None:
        """Recompute Deribit's request signature: HMAC(secret, ts \\n nonce \\n METHOD \\n URI \\n body \\n)."""
        fields = dict(part.split("=", 1) for part in header.removeprefix("deri-hmac-sha256 ").split(",") if "=" in part)
        secret = DERIBIT_CLIENTS.get(fields.get("id", ""))
        if secret is None:
            return "unknown_client"
        try:
            timestamp = int(fields["ts"])
        except (KeyError, ValueError):
            return "bad_timestamp"
        if abs(time.time() * 1000 - timestamp) > SIGNATURE_WINDOW_MS:
            return "stale_timestamp"
        uri = record.path + (f"?{record.raw_query}" if record.raw_query else "")
        data = f"{record.method}\n{uri}\n{record.body.decode()}\n"
        expected = deribit_signature(secret, timestamp, fields.get("nonce", ""), data)
        if not hmac.compare_digest(expected, fields.get("sig", "")):
            return "bad_signature"
        record.extra["hmac_client_id"] = fields["id"]
        return None

    # -- methods -------------------------------------------------------------------
    def public_auth(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        self.owner.count_auth_call()
        grant = params.get("grant_type")
        if not isinstance(grant, str):
            raise invalid_params("grant_type", "required" if grant is None else "must be a string")
        if grant in ("coinbase_cdp", "coinbase_oauth2"):
            check_params(params, {"grant_type": (str, True), "token": (str, True), "scope": (str, False)})
        elif grant == "client_credentials":
            check_params(params, {"grant_type": (str, True), "client_id": (str, True), "client_secret": (str, True), "scope": (str, False)})
        elif grant == "client_signature":
            spec: ParamSpec = {
                "grant_type": (str, True),
                "client_id": (str, True),
                "timestamp": (int, True),
                "nonce": (str, True),
                "data": (str, False),
                "signature": (str, True),
                "scope": (str, False),
            }
            check_params(params, spec)
        elif grant == "refresh_token":
            check_params(params, {"grant_type": (str, True), "refresh_token": (str, True), "scope": (str, False)})
        else:
            raise invalid_params("grant_type", f"unsupported grant_type {grant!r}")
        reason: str | None = None
        if grant == "coinbase_cdp":
            peeked = cdp_jwt.peek(params["token"])
            record.jwt_header, record.jwt_claims = peeked.header, peeked.claims
            try:
                cdp_jwt.verify_cdp_jwt(params["token"], self.owner.keys, expected_uri=None)
            except cdp_jwt.AuthError as exc:
                reason, record.auth_error_detail = exc.code, exc.detail
        elif grant == "coinbase_oauth2":
            if params["token"] != OAUTH_TEST_TOKEN:
                reason = "bad_oauth_token"
        elif grant == "client_credentials":
            if DERIBIT_CLIENTS.get(params["client_id"]) != params["client_secret"]:
                reason = "bad_client_credentials"
        elif grant == "client_signature":
            reason = self._check_client_signature(params)
        elif not self.owner.use_refresh_token(params["refresh_token"]):
            reason = "unknown_refresh_token"
        if reason is not None:
            record.auth_error = reason
            raise RpcError(13004, "invalid_credentials", {"reason": reason})
        return json.dumps(self.owner.issue_token())

    def _check_client_signature(self, params: dict[str, Any]) -> str | None:
        secret = DERIBIT_CLIENTS.get(params["client_id"])
        if secret is None:
            return "unknown_client"
        if abs(time.time() * 1000 - params["timestamp"]) > SIGNATURE_WINDOW_MS:
            return "stale_timestamp"
        expected = deribit_signature(secret, params["timestamp"], params["nonce"], params.get("data", ""))
        return None if hmac.compare_digest(expected, params["signature"]) else "bad_signature"

    def get_positions(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        check_params(params, {"currency": (str, False), "kind": (str, False), "subaccount_id": (int, False)})
        return self.owner.result_of("get_positions.json")

    def get_position(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        check_params(params, {"instrument_name": (str, True)})
        return self.owner.result_of("get_position.json")

    def change_margin_model(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        check_params(params, {"margin_model": (str, True), "user_id": (int, False), "dry_run": (bool, False)})
        return self.owner.result_of("change_margin_model.json")

    def get_account_summaries(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        spec: ParamSpec = {"subaccount_id": (int, False), "extended": (bool, False), "include_isolated": (bool, False)}
        check_params(params, spec)
        if params.get("extended"):
            return self.owner.extended_raw
        return dumps_raw({"summaries": self.owner.extended["summaries"]})

    def get_account_summary(self, record: RecordedRequest, params: dict[str, Any]) -> str:
        check_params(params, {"currency": (str, True), "subaccount_id": (int, False), "extended": (bool, False)})
        wanted = params["currency"].lower()
        for summary in self.owner.extended["summaries"]:
            if str(summary["currency"]).lower() == wanted:
                result = dict(summary)
                if params.get("extended"):
                    result.update({k: v for k, v in self.owner.extended.items() if k != "summaries"})
                return dumps_raw(result)
        raise invalid_params("currency", "wrong currency")


Method = Callable[[_RpcHandler, RecordedRequest, dict[str, Any]], str]
METHODS: dict[str, Method] = {
    "public/auth": _RpcHandler.public_auth,
    "private/get_account_summaries": _RpcHandler.get_account_summaries,
    "private/get_account_summary": _RpcHandler.get_account_summary,
    "private/get_positions": _RpcHandler.get_positions,
    "private/get_position": _RpcHandler.get_position,
    "private/change_margin_model": _RpcHandler.change_margin_model,
}


def deribit_signature(secret: str, timestamp: int, nonce: str, data: str) -> str:
    """Deribit's HMAC-SHA256 hex of ``ts + "\\n" + nonce + "\\n" + data`` (server side, written independently)."""
    return hmac.new(secret.encode(), f"{timestamp}\n{nonce}\n{data}".encode(), hashlib.sha256).hexdigest()


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def _envelope(rpc_id: Any, member: str, raw: str, us_in: int) -> bytes:
    """Build the response text around ``raw`` so its numbers keep their digits."""
    us_out = _now_us()
    return (
        f'{{"jsonrpc":"2.0","id":{json.dumps(rpc_id)},"{member}":{raw.strip()},'
        f'"usIn":{us_in},"usOut":{us_out},"usDiff":{us_out - us_in},"testnet":false}}'
    ).encode()


class JsonRpcServer(TestServer):
    """Coinbase derivatives gateway look-alike; ``url`` is ``http://127.0.0.1:PORT/api/v2``."""

    handler_class: ClassVar[type[BaseRequestHandler]] = _RpcHandler
    url_path: ClassVar[str] = PREFIX

    def __init__(self, key_names: dict[str, PublicKey], token_ttl: int = 900, *, exchange: Exchange | None = None) -> None:
        super().__init__()
        self.keys = dict(key_names)
        self.exchange = exchange if exchange is not None else Exchange()
        self.lose_response_to: Counter[str] = Counter()
        self.token_ttl = token_ttl
        self.extended_raw = (PAYLOADS / "account_summaries_extended.json").read_text()
        self.extended: dict[str, Any] = loads_raw(self.extended_raw)
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._refresh_tokens: set[str] = set()
        self._auth_calls = 0

    def __enter__(self) -> JsonRpcServer:
        self.start()
        return self

    @property
    def auth_calls(self) -> int:
        """How many ``public/auth`` requests were handled (successful or not)."""
        with self._lock:
            return self._auth_calls

    @property
    def issued_tokens(self) -> list[str]:
        """Access tokens issued so far, oldest first."""
        with self._lock:
            return list(self._tokens)

    def result_of(self, name: str) -> str:
        """The ``result`` member of a saved JSON-RPC response in ``tests/fixtures/payloads``, digits intact."""
        return dumps_raw(loads_raw((PAYLOADS / name).read_text())["result"])

    def take_lost_response(self, method: str) -> bool:
        """Whether this call's response is to be lost (uses up one of ``lose_response_to[method]``)."""
        with self._lock:
            if self.lose_response_to[method] > 0:
                self.lose_response_to[method] -= 1
                return True
            return False

    def count_auth_call(self) -> None:
        """Count one ``public/auth`` call."""
        with self._lock:
            self._auth_calls += 1

    def issue_token(self) -> dict[str, Any]:
        """Create an access/refresh token pair and return the ``public/auth`` result."""
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access] = time.time() + self.token_ttl
            self._refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "expires_in": self.token_ttl,
            "refresh_token": refresh,
            "scope": SCOPE,
            "token_type": "bearer",
        }

    def use_refresh_token(self, token: str) -> bool:
        """Consume a refresh token; False if unknown or already used."""
        with self._lock:
            if token not in self._refresh_tokens:
                return False
            self._refresh_tokens.discard(token)
            return True

    def check_token(self, token: str) -> str | None:
        """None if ``token`` is a live access token, else ``unknown_token``/``token_expired``."""
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown_token"
        return "token_expired" if time.time() >= expiry else None

    def expire_tokens(self) -> None:
        """Make every issued access token expired (for renewal tests)."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0
