"""No secret is ever printed: not in error texts, reprs, chained causes or log lines (DEBUG, every logger).

A base URL may carry credentials (`http://user:password@host`: httpx sends them as Basic auth);
they are redacted wherever a URL is shown. The test runs a fault matrix against real sockets,
sync and async, REST and JSON-RPC, with every kind of secret configured at once, and greps
everything a user could see for each secret.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from coinbase_sdk import APIError, AsyncClient, Client, ClientCredentialsAuth, OAuth2Auth

from tests.servers.base import free_port
from tests.servers.hostile import HostileServer, RawRequest, drip

USER = "sdk-user-N4ME"
PASSWORD = "sdk-pass-S3CR3T"
TOKEN = "oauth-token-T0K3N"
CLIENT_SECRET = "client-secret-C5EC"
SECRETS = [USER, PASSWORD, TOKEN, CLIENT_SECRET, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()]
OK_TIME = json.dumps({"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1", "epochMillis": "1000"}).encode()


def http(status: int, body: bytes = b"", *headers: str) -> bytes:
    head = f"HTTP/1.1 {status} X\r\n" + "".join(h + "\r\n" for h in headers)
    return (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def rpc(request: RawRequest, **fields: Any) -> bytes:
    request_id = json.loads(request.body).get("id")
    return http(200, json.dumps({"jsonrpc": "2.0", "id": request_id, **fields}).encode(), "Content-Type: application/json")


def auth_then(answer: Any) -> Any:
    """JSON-RPC: a good `public/auth`, then `answer` for the private call."""

    def responder(request: RawRequest) -> Any:
        if request.path.endswith("/public/auth"):
            return rpc(request, result={"access_token": "acc", "expires_in": 900})
        return answer(request)

    return responder


FAULTS: dict[str, Any] = {
    "ok": lambda r: http(200, OK_TIME, "Content-Type: application/json"),
    "500 text": lambda r: http(500, b"upstream failed for http://someone:else@x/", "Content-Type: text/plain"),
    "429 then retry": lambda r: http(429, b"{}", "Retry-After: 0"),
    "302 elsewhere": lambda r: http(302, b"", "Location: http://127.0.0.1:1/moved"),
    "302 data url": lambda r: http(302, b"", "Location: data:application/json,{}"),
    "bad json": lambda r: http(200, b"{nope", "Content-Type: application/json"),
    "bad gzip": lambda r: http(200, b"nope", "Content-Encoding: gzip"),
    "too large": lambda r: http(200, gzip.compress(bytes(10_000_000)), "Content-Encoding: gzip"),
    "drip": lambda r: drip(http(200, OK_TIME), every=0.3, after=10),
    "truncated": lambda r: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{",
    "garbage": lambda r: b"\x00\x01garbage\r\n\r\n",
    "rpc error": auth_then(lambda r: rpc(r, error={"code": 13009, "message": "unauthorized"})),
    "rpc id true": auth_then(lambda r: rpc(r, result={}, id=True)),
    "rpc huge number": auth_then(
        lambda r: http(200, b'{"jsonrpc":"2.0","id":%d,"result":1e1000000000000000000}' % json.loads(r.body)["id"])
    ),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def with_userinfo(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@")


def run(mode: str, base: str, api: str) -> tuple[APIError | None, str]:
    options: dict[str, Any] = {
        "advanced_trade_base_url": base,
        "derivatives_base_url": base,
        "advanced_trade_auth": OAuth2Auth(TOKEN),
        "derivatives_auth": ClientCredentialsAuth("client-id", CLIENT_SECRET),
        "timeout": 1,
        "max_retries": 1,
        "max_response_bytes": 1_000_000,
        "exact_numbers": True,
    }

    def target(client: Any) -> Any:
        if api == "rest":
            return client.advanced_trade.accounts.get_accounts()
        return client.derivatives.account_management.get_account_summaries()

    shown: list[str] = []
    try:
        if mode == "sync":
            with Client(**options) as client:
                shown += [repr(client), repr(client.advanced_trade), repr(client._config)]
                target(client)
        else:

            async def main() -> None:
                async with AsyncClient(**options) as client:
                    shown.extend([repr(client), repr(client.derivatives.ws)])
                    await target(client)

            asyncio.run(main())
    except APIError as exc:
        return exc, "\n".join(shown)
    return None, "\n".join(shown)


def everything_shown(error: BaseException | None) -> str:
    texts: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        texts += [str(seen), repr(seen), repr(getattr(seen, "request", None)), str(getattr(seen, "request", None))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(texts)


@pytest.mark.parametrize("api", ["rest", "jsonrpc"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_no_secret_in_errors_reprs_or_logs(
    hostile: HostileServer, mode: str, fault: str, api: str, caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    """`sleeps`: the retry still happens (and logs), without waiting out its back-off."""
    hostile.responder = FAULTS[fault]
    caplog.set_level(logging.DEBUG)
    error, reprs = run(mode, with_userinfo(hostile.url), api)
    logs = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert logs, "nothing was logged: the grep would prove nothing"
    if fault != "ok":
        assert error is not None
    shown = everything_shown(error) + "\n" + reprs + "\n" + logs
    for secret in SECRETS:
        assert secret not in shown, f"{secret!r} leaked in {fault}/{api}"


def test_no_secret_when_the_server_cannot_be_reached(mode: str, caplog: pytest.LogCaptureFixture, sleeps: list[float]) -> None:
    caplog.set_level(logging.DEBUG)
    error, reprs = run(mode, with_userinfo(f"http://127.0.0.1:{free_port()}"), "rest")
    assert error is not None
    shown = everything_shown(error) + reprs + "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        assert secret not in shown


def test_userinfo_still_authenticates_the_request(hostile: HostileServer, mode: str) -> None:
    """Redacted when shown, still sent: as Basic auth, as httpx does with a URL's userinfo."""
    from tests.conftest import run_client

    hostile.responder = FAULTS["ok"]
    result = run_client(mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=with_userinfo(hostile.url))
    assert result.epochSeconds == "1"
    authorization = hostile.received[-1].headers.get("authorization", "")
    assert authorization == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
