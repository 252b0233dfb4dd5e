"""Redirects are never followed, whatever `httpx` client the SDK is given: a 3xx is a `RedirectError`.

An API answers at its base URL; a redirect means the base URL is wrong (or the server is not
the API), and following one would re-send credentials (a JWT, an OAuth token, a JSON-RPC
grant with its `client_secret`) to wherever the `Location` points. Each request is sent with
`follow_redirects=False`, so `http_client=httpx.Client(follow_redirects=True)` changes nothing;
the error names the status and the target (without credentials or query) so the base URL can
be fixed. A malformed `Location` is the same typed error, not an httpx exception.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from coinbase_sdk import APIStatusError, AsyncClient, Client, ClientCredentialsAuth, OAuth2Auth, RedirectError

from tests.servers.hostile import HostileServer, RawRequest

SECRET = "oauth-redirect-secret"
CLIENT_SECRET = "grant-client-secret"
SERVER_TIME = json.dumps({"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1", "epochMillis": "1000"}).encode()


@pytest.fixture
def origin() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[HostileServer]:
    """Another origin (another port): where a redirect points."""
    with HostileServer() as server:
        server.responder = lambda request: (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (len(SERVER_TIME), SERVER_TIME)
        )
        yield server


def redirect(status: int, location: str) -> Any:
    data = f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
    return lambda request: data


def call(mode: str, target: Any, follow: bool, **options: Any) -> Any:
    """Call `target(client)` with a user-supplied httpx client that follows redirects (`follow`)."""
    options.setdefault("max_retries", 0)
    if mode == "sync":
        with httpx.Client(follow_redirects=follow, timeout=5) as http, Client(http_client=http, **options) as client:
            return target(client)

    async def main() -> Any:
        async with httpx.AsyncClient(follow_redirects=follow, timeout=5) as http, AsyncClient(http_client=http, **options) as client:
            return await target(client)

    return asyncio.run(main())


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_rest_call_with_credentials_never_follows_a_redirect_to_another_origin(
    origin: HostileServer, elsewhere: HostileServer, mode: str, status: int
) -> None:
    origin.responder = redirect(status, elsewhere.url + "/api/v3/brokerage/accounts?token=abc")
    with pytest.raises(RedirectError) as raised:
        call(
            mode,
            lambda c: c.advanced_trade.accounts.get_accounts(),
            True,
            advanced_trade_base_url=origin.url,
            advanced_trade_auth=OAuth2Auth(SECRET),
        )
    assert elsewhere.received == []
    error = raised.value
    assert isinstance(error, APIStatusError) and error.status_code == status
    assert error.location == elsewhere.url + "/api/v3/brokerage/accounts"  # no query: it may carry a token
    assert "base URL" in str(error)


def test_a_json_rpc_token_call_never_follows_a_307(origin: HostileServer, elsewhere: HostileServer, mode: str) -> None:
    """The issue's case: a 307 on public/auth re-sent the grant, client_secret included, to the other origin."""
    origin.responder = redirect(307, elsewhere.url + "/api/v2/public/auth")
    with pytest.raises(RedirectError):
        call(
            mode,
            lambda c: c.derivatives.account_management.get_account_summaries(),
            True,
            derivatives_base_url=origin.url,
            derivatives_auth=ClientCredentialsAuth("client-id", CLIENT_SECRET),
        )
    assert elsewhere.received == []
    assert [json.loads(r.body)["method"] for r in origin.received] == ["public/auth"]


def test_a_json_rpc_call_never_follows_even_a_same_origin_redirect(origin: HostileServer, mode: str) -> None:
    origin.responder = redirect(308, origin.url + "/api/v2/elsewhere")
    with pytest.raises(RedirectError) as raised:
        call(
            mode,
            lambda c: c.derivatives.authentication.auth(grant_type="client_credentials", client_id="a", client_secret="b"),
            True,
            derivatives_base_url=origin.url,
        )
    assert len(origin.received) == 1
    assert raised.value.status_code == 308


def test_the_default_client_raises_a_redirect_error_too(origin: HostileServer, mode: str) -> None:
    origin.responder = redirect(302, "/somewhere/else")
    with pytest.raises(RedirectError) as raised:
        call(mode, lambda c: c.advanced_trade.public.get_server_time(), False, advanced_trade_base_url=origin.url)
    assert raised.value.location == origin.url + "/somewhere/else"  # resolved against the request


@pytest.mark.parametrize("location", ["data:application/json,{}", "http://[::1", "http://exa mple.com/", "http://host:99999/"])
def test_a_malformed_location_is_a_redirect_error(origin: HostileServer, mode: str, location: str) -> None:
    """httpx builds the redirect request before deciding not to follow it, and raised `httpx.InvalidURL`."""
    origin.responder = redirect(302, location)
    with pytest.raises(RedirectError) as raised:
        call(mode, lambda c: c.advanced_trade.public.get_server_time(), False, advanced_trade_base_url=origin.url)
    assert raised.value.status_code == 302


def test_the_location_shown_never_carries_userinfo(origin: HostileServer, mode: str) -> None:
    origin.responder = redirect(301, "http://alice:hunter2@127.0.0.1:1/x")
    with pytest.raises(RedirectError) as raised:
        call(mode, lambda c: c.advanced_trade.public.get_server_time(), True, advanced_trade_base_url=origin.url)
    assert "hunter2" not in f"{raised.value} {raised.value!r} {raised.value.location}"


def test_a_304_is_not_a_redirect(origin: HostileServer, mode: str) -> None:
    """Only 301/302/303/307/308 are redirects; other 3xx answers go on as before (here: no body to parse)."""
    origin.responder = lambda request: b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n"
    with pytest.raises(Exception) as raised:
        call(mode, lambda c: c.advanced_trade.public.get_server_time(), False, advanced_trade_base_url=origin.url)
    assert not isinstance(raised.value, RedirectError)


def test_redirect_requests_are_never_sent(origin: HostileServer, elsewhere: HostileServer, mode: str) -> None:
    def responder(request: RawRequest) -> bytes:
        return redirect(307, elsewhere.url + "/")(request)  # type: ignore[no-any-return]

    origin.responder = responder
    for _ in range(3):
        with pytest.raises(RedirectError):
            call(mode, lambda c: c.advanced_trade.public.get_server_time(), True, advanced_trade_base_url=origin.url, max_retries=3)
    assert len(origin.received) == 3 and elsewhere.received == []  # never retried, never followed
