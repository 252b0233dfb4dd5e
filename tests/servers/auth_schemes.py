"""A REST server that checks every standard OpenAPI security scheme, for SDKs generated from `tests/fixtures/specs/security/`.

Each route needs one scheme and answers `{"scheme": ..., "ok": true}` when its credentials are
right, 401 otherwise (with `auth_error` recorded):

* ``GET /basic``: ``Authorization: Basic base64(USERNAME:PASSWORD)``.
* ``GET /bearer``: ``Authorization: Bearer BEARER_TOKEN``.
* ``GET /key-header``: header ``X-API-Key: API_KEY``; ``/key-query``: ``?api_key=API_KEY``;
  ``/key-cookie``: cookie ``session=API_KEY``.
* ``GET /openid``: ``Authorization: Bearer OPENID_TOKEN``.
* ``GET /oauth``: ``Authorization: Bearer <a token this server issued and that has not expired>``
  (or ``OAUTH_TOKEN``, a token obtained elsewhere).
* ``GET /both``: the API key header *and* the bearer token (a requirement naming two schemes).
* ``GET /public``: no authentication.
* ``POST /oauth/token``: OAuth2 token endpoint (RFC 6749): ``client_credentials`` with the client
  authenticated by HTTP basic (or ``client_id``/``client_secret`` form fields), and
  ``refresh_token``. Tokens live ``token_ttl`` seconds; a refresh token is issued when
  ``issue_refresh_tokens``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from typing import ClassVar
from urllib.parse import parse_qs

from tests.servers.base import BaseRequestHandler, TestServer
from tests.servers.records import RecordedRequest

USERNAME = "alice"
PASSWORD = "s3cret:with:colons"
BEARER_TOKEN = "bearer-test-token"
API_KEY = "api-key-test-value"
OPENID_TOKEN = "openid-test-token"
OAUTH_TOKEN = "oauth-token-from-elsewhere"
CLIENT_ID = "client-id"
CLIENT_SECRET = "client secret/with+symbols"

Response = tuple[int, bytes, dict[str, str]]
_JSON = {"Content-Type": "application/json"}


def _ok(scheme: str) -> Response:
    return 200, json.dumps({"scheme": scheme, "ok": True}).encode(), dict(_JSON)


def _refused(record: RecordedRequest, reason: str) -> Response:
    record.auth_error = reason
    return 401, json.dumps({"error": "unauthorized", "message": reason}).encode(), dict(_JSON)


class _Handler(BaseRequestHandler):
    owner: AuthSchemesServer

    def handle_request(self, record: RecordedRequest) -> Response:
        if record.method == "POST" and record.path == "/oauth/token":
            return self.owner.token(record)
        check = {
            "/basic": self._basic,
            "/bearer": lambda r: self._bearer(r, BEARER_TOKEN),
            "/openid": lambda r: self._bearer(r, OPENID_TOKEN),
            "/key-header": lambda r: r.headers.get("x-api-key") == API_KEY,
            "/key-query": lambda r: r.query.get("api_key") == [API_KEY],
            "/key-cookie": lambda r: f"session={API_KEY}" in [c.strip() for c in r.headers.get("cookie", "").split(";")],
            "/oauth": self._oauth,
            "/both": lambda r: r.headers.get("x-api-key") == API_KEY and self._bearer(r, BEARER_TOKEN),
            "/public": lambda r: True,
        }.get(record.path)
        if check is None:
            return 404, b'{"message": "no such route"}', dict(_JSON)
        if not check(record):
            return _refused(record, f"{record.path}: missing or wrong credentials")
        return _ok(record.path.strip("/"))

    def _basic(self, record: RecordedRequest) -> bool:
        scheme, _, value = record.headers.get("authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(value).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        return scheme == "Basic" and decoded == f"{USERNAME}:{PASSWORD}"

    def _bearer(self, record: RecordedRequest, token: str) -> bool:
        scheme, _, value = record.headers.get("authorization", "").partition(" ")
        record.bearer_token = value or None
        return scheme == "Bearer" and value == token

    def _oauth(self, record: RecordedRequest) -> bool:
        scheme, _, value = record.headers.get("authorization", "").partition(" ")
        record.bearer_token = value or None
        return scheme == "Bearer" and (value == OAUTH_TOKEN or self.owner.token_valid(value))


class AuthSchemesServer(TestServer):
    """``url`` is ``http://127.0.0.1:PORT``; ``token_url`` its OAuth2 token endpoint."""

    handler_class: ClassVar[type[BaseRequestHandler]] = _Handler

    def __init__(self, *, token_ttl: float = 300, issue_refresh_tokens: bool = False) -> None:
        super().__init__()
        self.token_ttl = token_ttl
        self.issue_refresh_tokens = issue_refresh_tokens
        self.tokens: dict[str, float] = {}  # access token → expiry (monotonic)
        self.refresh_tokens: set[str] = set()
        self.grants: list[str] = []
        self._lock = threading.Lock()

    def __enter__(self) -> AuthSchemesServer:
        self.start()
        return self

    @property
    def token_url(self) -> str:
        return self.origin + "/oauth/token"

    def reset(self, *, token_ttl: float = 300, issue_refresh_tokens: bool = False) -> AuthSchemesServer:
        """Forget every token, grant and request; set how the next tokens are issued."""
        with self._lock:
            self.token_ttl, self.issue_refresh_tokens = token_ttl, issue_refresh_tokens
            self.tokens.clear()
            self.refresh_tokens.clear()
            self.grants.clear()
        self.requests.clear()
        return self

    def token_valid(self, token: str) -> bool:
        with self._lock:
            return time.monotonic() < self.tokens.get(token, 0.0)

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def token(self, record: RecordedRequest) -> Response:
        """The token endpoint: check the client, then issue an access token (and maybe a refresh token)."""
        form = {k: v[0] for k, v in parse_qs(record.body.decode(), keep_blank_values=True).items()}
        scheme, _, value = record.headers.get("authorization", "").partition(" ")
        client = (form.get("client_id"), form.get("client_secret"))
        if scheme == "Basic":
            from urllib.parse import unquote

            user, _, password = base64.b64decode(value).decode().partition(":")
            client = (unquote(user), unquote(password))
        grant = form.get("grant_type", "")
        with self._lock:
            self.grants.append(grant)
            if client != (CLIENT_ID, CLIENT_SECRET):
                record.auth_error = "invalid_client"
                return 401, b'{"error": "invalid_client", "error_description": "unknown client"}', dict(_JSON)
            if grant == "refresh_token":
                if form.get("refresh_token") not in self.refresh_tokens:
                    return 400, b'{"error": "invalid_grant"}', dict(_JSON)
                self.refresh_tokens.discard(form["refresh_token"])
            elif grant != "client_credentials":
                return 400, b'{"error": "unsupported_grant_type"}', dict(_JSON)
            token = "issued-" + secrets.token_hex(8)
            self.tokens[token] = time.monotonic() + self.token_ttl
            body: dict[str, object] = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}
            if self.issue_refresh_tokens:
                refresh = "refresh-" + secrets.token_hex(8)
                self.refresh_tokens.add(refresh)
                body["refresh_token"] = refresh
        return 200, json.dumps(body).encode(), {**_JSON, "Cache-Control": "no-store"}
