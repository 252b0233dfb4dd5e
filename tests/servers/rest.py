"""A Coinbase Advanced Trade look-alike REST server for end-to-end SDK tests.

Routes:

* ``GET /api/v3/brokerage/time`` — public, ``{"iso", "epochSeconds", "epochMillis"}``.
* ``GET /api/v3/brokerage/intx/balances/{portfolio_uuid}`` — the
  ``intx_balances.json`` fixture with the uuid filled in; ``missing`` → 404.
* ``POST /api/v3/brokerage/orders`` — a successful create-order answer echoing the
  body's ``client_order_id`` and ``product_id``.
* ``POST /api/v3/brokerage/orders/preview`` — an empty preview (zero totals, no errors).
* ``POST /api/v3/brokerage/portfolios`` — a created portfolio with the body's ``name``.
* anything else → 404 ``error_not_found.json`` (after authentication).

Every non-public route needs ``Authorization: Bearer <CDP JWT>`` whose ``uri``
claim is ``f"{METHOD} 127.0.0.1:{port}{path}"`` (raw request path, no query), or the
OAuth2 test token ``OAUTH_TEST_TOKEN``. The balances route sends ``x-ratelimit-*`` headers.
Failures answer 401 ``text/plain`` ``Unauthorized`` and record ``auth_error``.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

from tests.servers import cdp_jwt
from tests.servers.base import HOST, BaseRequestHandler, TestServer
from tests.servers.keys import PublicKey
from tests.servers.records import RecordedRequest

PAYLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "payloads"
PORTFOLIO_PLACEHOLDER = b"__PORTFOLIO_UUID__"
OAUTH_TEST_TOKEN = "test-oauth-token"
RATE_LIMIT_HEADERS = {"x-ratelimit-limit": "30", "x-ratelimit-remaining": "29", "x-ratelimit-reset": "1"}
PUBLIC_PATHS = frozenset({"/api/v3/brokerage/time"})
_BALANCES = re.compile(r"^/api/v3/brokerage/intx/balances/([^/]+)$")
_JSON = {"Content-Type": "application/json"}

Response = tuple[int, bytes, dict[str, str]]


def expected_uri(method: str, port: int, path: str) -> str:
    """The ``uri`` claim the server demands: ``"GET 127.0.0.1:PORT/api/v3/..."``."""
    return f"{method.upper()} {HOST}:{port}{path}"


class _RestHandler(BaseRequestHandler):
    owner: RestServer

    def inspect_for_fault(self, record: RecordedRequest) -> None:
        if record.path not in PUBLIC_PATHS:
            self._authenticate(record)

    def handle_request(self, record: RecordedRequest) -> Response:
        if record.path not in PUBLIC_PATHS and not self._authenticate(record):
            return 401, b"Unauthorized", {"Content-Type": "text/plain"}
        if record.method == "GET" and record.path == "/api/v3/brokerage/time":
            return self._time()
        match = _BALANCES.match(record.path)
        if record.method == "GET" and match:
            return self._balances(unquote(match.group(1)))
        if record.method == "POST" and record.path == "/api/v3/brokerage/orders":
            body = json.loads(record.body)
            order = {
                "order_id": f"order-{len(self.owner.requests)}",
                "client_order_id": body.get("client_order_id"),
                "product_id": body.get("product_id"),
            }
            return 200, json.dumps({"success": True, "success_response": order}).encode(), dict(_JSON)
        if record.method == "POST" and record.path == "/api/v3/brokerage/orders/preview":
            zero = {k: "0" for k in ("order_total", "commission_total", "quote_size", "base_size", "best_bid", "best_ask")}
            return 200, json.dumps({**zero, "errs": [], "warning": [], "is_max": False}).encode(), dict(_JSON)
        if record.method == "POST" and record.path == "/api/v3/brokerage/portfolios":
            portfolio = {
                "name": json.loads(record.body).get("name"),
                "uuid": "5a1c9b8e-0000-4000-8000-000000000001",
                "type": "DEFAULT",
                "deleted": False,
            }
            return 200, json.dumps({"portfolio": portfolio}).encode(), dict(_JSON)
        return 404, self.owner.payload("error_not_found.json"), dict(_JSON)

    def _authenticate(self, record: RecordedRequest) -> bool:
        """Verify the bearer JWT; record token, decoded parts and failure reason."""
        auth = record.headers.get("authorization")
        if auth is None:
            record.auth_error, record.auth_error_detail = "missing_authorization", "no Authorization header"
            return False
        scheme, _, token = auth.partition(" ")
        if scheme != "Bearer" or not token:
            record.auth_error, record.auth_error_detail = "not_bearer", f"Authorization is not 'Bearer <jwt>': {auth!r}"
            return False
        record.bearer_token = token
        if token == OAUTH_TEST_TOKEN:  # a Coinbase OAuth2 access token, not a JWT
            record.extra["oauth"] = True
            record.auth_error = record.auth_error_detail = None
            return True
        peeked = cdp_jwt.peek(token)
        record.jwt_header, record.jwt_claims = peeked.header, peeked.claims
        try:
            cdp_jwt.verify_cdp_jwt(token, self.owner.keys, expected_uri=expected_uri(record.method, self.owner.port, record.path))
        except cdp_jwt.AuthError as exc:
            record.auth_error, record.auth_error_detail = exc.code, exc.detail
            return False
        record.auth_error = record.auth_error_detail = None
        return True

    def _time(self) -> Response:
        now = time.time()
        iso = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = {"iso": iso, "epochSeconds": str(int(now)), "epochMillis": str(int(now * 1000))}
        return 200, json.dumps(body).encode(), dict(_JSON)

    def _balances(self, portfolio_uuid: str) -> Response:
        if portfolio_uuid == "missing":
            return 404, self.owner.payload("error_not_found.json"), dict(_JSON)
        escaped = json.dumps(portfolio_uuid)[1:-1].encode()
        body = self.owner.payload("intx_balances.json").replace(PORTFOLIO_PLACEHOLDER, escaped)
        return 200, body, {**_JSON, **RATE_LIMIT_HEADERS}


class RestServer(TestServer):
    """Coinbase Advanced Trade REST look-alike; ``url`` is ``http://127.0.0.1:PORT``."""

    handler_class: ClassVar[type[BaseRequestHandler]] = _RestHandler

    def __init__(self, key_names: dict[str, PublicKey]) -> None:
        super().__init__()
        self.keys = dict(key_names)
        self._payloads: dict[str, bytes] = {}

    def payload(self, name: str) -> bytes:
        """Raw bytes of a fixture in ``tests/fixtures/payloads`` (cached)."""
        if name not in self._payloads:
            self._payloads[name] = (PAYLOADS / name).read_bytes()
        return self._payloads[name]

    def __enter__(self) -> RestServer:
        self.start()
        return self
