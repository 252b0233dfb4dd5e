"""The test servers enforce what they claim (plain httpx, JWTs signed with PyJWT)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.servers import Fault, JsonRpcServer, RestServer, TestKeys, load_test_keys

PAYLOADS = Path(__file__).resolve().parent / "fixtures" / "payloads"
PORTFOLIO = "0b4a8f2e-61d3-4c5e-9a7b-2f1e3d4c5b6a"
BALANCES = f"/api/v3/brokerage/intx/balances/{PORTFOLIO}"


@pytest.fixture(scope="module")
def keys() -> TestKeys:
    return load_test_keys()


@pytest.fixture
def rest(keys: TestKeys) -> Iterator[RestServer]:
    with RestServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def rpc(keys: TestKeys) -> Iterator[JsonRpcServer]:
    with JsonRpcServer(keys.public_keys()) as server:
        yield server


def cdp_jwt(
    keys: TestKeys,
    uri: str | None,
    *,
    ed25519: bool = False,
    kid: str | None = None,
    nbf: int | None = None,
    lifetime: int = 120,
) -> str:
    """Sign a CDP JWT the way Coinbase's own SDK does."""
    name = keys.ed25519_key_name if ed25519 else keys.ec_key_name
    now = int(time.time()) if nbf is None else nbf
    claims: dict[str, Any] = {"sub": name, "iss": "cdp", "nbf": now, "exp": now + lifetime}
    if uri is not None:
        claims["uri"] = uri
    key = keys.ed25519_private_key if ed25519 else keys.ec_private_key
    headers = {"kid": kid or name, "nonce": secrets.token_hex(16)}
    return jwt.encode(claims, key, algorithm="EdDSA" if ed25519 else "ES256", headers=headers)


def rpc_call(client: httpx.Client, url: str, method: str, params: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}
    return client.post(url, json=body, headers=headers)


# -- REST ----------------------------------------------------------------------------


@pytest.mark.parametrize("ed25519", [False, True], ids=["ES256", "EdDSA"])
def test_valid_jwt_gets_balances(rest: RestServer, keys: TestKeys, ed25519: bool) -> None:
    token = cdp_jwt(keys, f"GET 127.0.0.1:{rest.port}{BALANCES}", ed25519=ed25519)
    with httpx.Client(base_url=rest.url) as client:
        response = client.get(BALANCES, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    portfolio = response.json()["portfolio_balances"][0]
    assert portfolio["portfolio_uuid"] == PORTFOLIO
    assert len(portfolio["balances"]) == 20
    assert '"quantity": "0.000000012345678901"' in response.text
    recorded = rest.requests[-1]
    assert recorded.auth_error is None and recorded.status == 200
    assert recorded.jwt_header is not None and recorded.jwt_header["alg"] == ("EdDSA" if ed25519 else "ES256")
    assert recorded.jwt_claims is not None and recorded.jwt_claims["sub"] == recorded.jwt_header["kid"]


def test_keep_alive_and_query_recorded(rest: RestServer, keys: TestKeys) -> None:
    with httpx.Client(base_url=rest.url) as client:
        for _ in range(3):
            token = cdp_jwt(keys, f"GET 127.0.0.1:{rest.port}{BALANCES}")
            response = client.get(BALANCES, params={"a": "1"}, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
        assert client.get("/api/v3/brokerage/time").json()["epochSeconds"].isdigit()
    assert len(rest.requests) == 4
    assert rest.requests[0].query == {"a": ["1"]}
    assert len({r.client_port for r in rest.requests}) == 1  # one kept-alive connection
    assert rest.requests[-1].auth_error is None  # public path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda k, port: cdp_jwt(k, f"GET 127.0.0.1:{port}/api/v3/brokerage/other"), "uri_mismatch"),
        (lambda k, port: cdp_jwt(k, f"GET api.coinbase.com{BALANCES}"), "uri_mismatch"),
        (lambda k, port: cdp_jwt(k, None), "missing_uri"),
        (lambda k, port: cdp_jwt(k, f"GET 127.0.0.1:{port}{BALANCES}", nbf=int(time.time()) - 200), "expired"),
        (lambda k, port: cdp_jwt(k, f"GET 127.0.0.1:{port}{BALANCES}", kid="organizations/x/apiKeys/y"), "unknown_kid"),
        (lambda k, port: cdp_jwt(k, f"GET 127.0.0.1:{port}{BALANCES}", lifetime=600), "bad_lifetime"),
        (lambda k, port: cdp_jwt(k, f"GET 127.0.0.1:{port}{BALANCES}", kid=k.ed25519_key_name), "alg_key_mismatch"),
    ],
    ids=["wrong-path", "wrong-host", "no-uri", "expired", "wrong-kid", "too-long", "alg-vs-key"],
)
def test_bad_jwt_gets_plain_text_401(rest: RestServer, keys: TestKeys, make: Any, reason: str) -> None:
    token = make(keys, rest.port)
    response = httpx.get(rest.url + BALANCES, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "text/plain"
    assert response.text == "Unauthorized"
    assert rest.requests[-1].auth_error == reason, rest.requests[-1].auth_error_detail


def test_missing_auth_and_not_found(rest: RestServer, keys: TestKeys) -> None:
    assert httpx.get(rest.url + BALANCES).status_code == 401
    assert rest.requests[-1].auth_error == "missing_authorization"
    missing = "/api/v3/brokerage/intx/balances/missing"
    token = cdp_jwt(keys, f"GET 127.0.0.1:{rest.port}{missing}")
    response = httpx.get(rest.url + missing, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"


# -- faults --------------------------------------------------------------------------


def test_drop_before_read_is_a_transport_error(rest: RestServer) -> None:
    rest.enqueue(Fault(drop="before_read", path="/api/v3/brokerage/time"))
    with httpx.Client(base_url=rest.url) as client:
        with pytest.raises(httpx.TransportError):
            client.get("/api/v3/brokerage/time")
        assert client.get("/api/v3/brokerage/time").status_code == 200  # fault used up
    assert rest.requests[0].fault is not None and rest.requests[1].fault is None


def test_scripted_429_with_retry_after(rest: RestServer) -> None:
    body = b'{"error":"RATE_LIMIT_EXCEEDED"}'
    rest.enqueue(Fault(status=429, body=body, headers={"Retry-After": "2"}, times=2, method="GET"))
    with httpx.Client(base_url=rest.url) as client:
        for _ in range(2):
            response = client.get("/api/v3/brokerage/time")
            assert response.status_code == 429
            assert response.headers["retry-after"] == "2"
            assert response.content == body
        assert client.get("/api/v3/brokerage/time").status_code == 200
    assert rest.faults.pending() == 0


def test_rpc_method_fault_and_delay(rpc: JsonRpcServer) -> None:
    rpc.enqueue(Fault(status=503, body=b"busy", headers={"Content-Type": "text/plain"}, delay=0.2, rpc_method="public/auth"))
    with httpx.Client() as client:
        started = time.monotonic()
        response = rpc_call(client, rpc.url, "public/auth", {"grant_type": "coinbase_oauth2", "token": "test-oauth-token"})
        assert response.status_code == 503 and time.monotonic() - started >= 0.2
        with pytest.raises(httpx.ReadTimeout):
            rpc.enqueue(Fault(delay=1.0))
            client.post(rpc.url, json={}, timeout=0.2)


# -- JSON-RPC ------------------------------------------------------------------------


def test_auth_then_private_call_round_trip(rpc: JsonRpcServer, keys: TestKeys) -> None:
    with httpx.Client() as client:
        auth = rpc_call(
            client,
            rpc.url + "/public/auth",
            "public/auth",
            {"grant_type": "coinbase_cdp", "token": cdp_jwt(keys, None, ed25519=True)},
        )
        assert auth.status_code == 200, auth.text
        result = auth.json()["result"]
        assert result["token_type"] == "bearer" and result["expires_in"] == 900
        assert {"usIn", "usOut", "usDiff"} <= auth.json().keys() and auth.json()["testnet"] is False
        response = rpc_call(client, rpc.url, "private/get_account_summaries", {}, result["access_token"])
    assert response.status_code == 200, response.text
    assert response.json()["id"] == 7
    assert list(response.json()["result"]) == ["summaries"]
    assert rpc.auth_calls == 1
    assert rpc.requests[0].jwt_header is not None and rpc.requests[0].jwt_header["alg"] == "EdDSA"


def test_bad_cdp_jwt_is_invalid_credentials(rpc: JsonRpcServer, keys: TestKeys) -> None:
    token = cdp_jwt(keys, None, kid="nobody")
    response = httpx.post(
        rpc.url,
        json={
            "jsonrpc": "2.0",
            "id": "a",
            "method": "public/auth",
            "params": {"grant_type": "coinbase_cdp", "token": token},
        },
    )
    assert response.status_code == 400
    assert response.json()["id"] == "a"
    assert response.json()["error"]["code"] == 13004
    assert rpc.requests[-1].auth_error == "unknown_kid"


def test_expired_token_is_13009_with_http_400(rpc: JsonRpcServer) -> None:
    with httpx.Client() as client:
        token = rpc_call(client, rpc.url, "public/auth", {"grant_type": "coinbase_oauth2", "token": "test-oauth-token"}).json()["result"][
            "access_token"
        ]
        rpc.expire_tokens()
        response = rpc_call(client, rpc.url, "private/get_account_summary", {"currency": "BTC"}, token)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 13009
        assert response.json()["error"]["message"] == "unauthorized"
        assert rpc.requests[-1].auth_error == "token_expired"
        assert rpc_call(client, rpc.url, "private/get_account_summary", {"currency": "BTC"}).json()["error"]["code"] == 13009


def test_extended_payload_keeps_its_digits(rpc: JsonRpcServer) -> None:
    raw = (PAYLOADS / "account_summaries_extended.json").read_text()
    with httpx.Client() as client:
        token = rpc_call(client, rpc.url, "public/auth", {"grant_type": "coinbase_oauth2", "token": "test-oauth-token"}).json()["result"][
            "access_token"
        ]
        response = rpc_call(client, rpc.url, "private/get_account_summaries", {"extended": True}, token)
        assert response.status_code == 200
        assert raw.strip() in response.text
        assert response.text.count("0.00035000000000000005") == raw.count("0.00035000000000000005") == 2
        one = rpc_call(client, rpc.url, "private/get_account_summary", {"currency": "btc", "extended": True}, token)
        assert "0.00035000000000000005" in one.text and "0.1009872222854525" in one.text
        assert one.json()["result"]["email"] == "user@example.com"
    assert json.loads(response.text)["result"]["summaries"][0]["currency"] == "BTC"


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        (b"{not json", "", -32700),
        (b'{"jsonrpc":"2.0","id":1}', "", -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"public/auth","params":{}}', "/private/get_account_summaries", -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"public/nope","params":{}}', "", -32601),
        (b'{"jsonrpc":"2.0","id":1,"method":"public/auth","params":{"grant_type":1}}', "", -32602),
    ],
    ids=["parse", "no-method", "path-mismatch", "unknown", "bad-param"],
)
def test_protocol_errors(rpc: JsonRpcServer, body: bytes, path: str, code: int) -> None:
    response = httpx.post(rpc.url + path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["id"] == (None if code == -32700 else 1)


def test_param_type_checks(rpc: JsonRpcServer) -> None:
    with httpx.Client() as client:
        token = rpc_call(client, rpc.url, "public/auth", {"grant_type": "coinbase_oauth2", "token": "test-oauth-token"}).json()["result"][
            "access_token"
        ]
        wrong = rpc_call(client, rpc.url, "private/get_account_summaries", {"extended": "true"}, token).json()["error"]
        assert wrong == {
            "code": -32602,
            "message": "Invalid params",
            "data": {"param": "extended", "reason": "must be a boolean"},
        }
        currency = rpc_call(client, rpc.url, "private/get_account_summary", {"currency": "DOGE"}, token).json()["error"]
        assert currency["data"] == {"param": "currency", "reason": "wrong currency"}
