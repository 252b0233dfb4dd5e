"""The generated SDK against a real REST server on 127.0.0.1 that verifies CDP JWTs."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal

import pytest
from coinbase_sdk import (
    APIConnectionError,
    AsyncClient,
    AuthenticationError,
    Client,
    CredentialsError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from coinbase_sdk.models.advanced_trade import GetBalanceSummaryResponse

from tests.conftest import FIXTURES
from tests.servers import Fault, RestServer, TestKeys

PORTFOLIO = "4f0e7f3c-6c1e-4b1a-9d7e-2f5a1c9b8e7d"


def client_for(server: RestServer, key_name: str, secret: str) -> Client:
    return Client(api_key_name=key_name, api_private_key=secret, advanced_trade_base_url=server.url, timeout=5)


def call_balances(client: Client, portfolio: str = PORTFOLIO) -> GetBalanceSummaryResponse:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.advanced_trade.perpetuals.get_intx_balances(portfolio)


def test_ec_key_signs_es256_jwt_bound_to_method_host_and_path(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        result = call_balances(client)
    record = rest_server.requests[-1]
    assert record.auth_error is None
    assert record.jwt_header is not None and record.jwt_header["alg"] == "ES256"
    assert record.jwt_claims is not None
    assert record.jwt_claims["uri"] == f"GET 127.0.0.1:{rest_server.port}/api/v3/brokerage/intx/balances/{PORTFOLIO}"
    assert result.portfolio_balances is not None and result.portfolio_balances[0].portfolio_uuid == PORTFOLIO


def test_ed25519_base64_key_signs_eddsa_jwt(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ed25519_key_name, keys.ed25519_secret_b64) as client:
        call_balances(client)
    record = rest_server.requests[-1]
    assert record.auth_error is None
    assert record.jwt_header is not None and record.jwt_header["alg"] == "EdDSA"


def test_json_key_file_is_accepted(rest_server: RestServer, keys: TestKeys) -> None:
    with Client(api_private_key=str(keys.cdp_api_key_file), advanced_trade_base_url=rest_server.url) as client:
        call_balances(client)
    assert rest_server.requests[-1].auth_error is None


def test_every_request_gets_a_fresh_jwt(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        call_balances(client)
        call_balances(client)
    first, second = rest_server.requests[-2], rest_server.requests[-1]
    assert first.jwt_header is not None and second.jwt_header is not None
    assert first.jwt_header["nonce"] != second.jwt_header["nonce"]


def test_money_strings_are_exact(rest_server: RestServer, keys: TestKeys) -> None:
    expected = json.loads((FIXTURES / "payloads" / "intx_balances.json").read_text())
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        result = call_balances(client)
    balances = result.portfolio_balances[0].balances  # type: ignore[index]
    assert balances is not None and len(balances) == 20
    sent = [b["quantity"] for b in expected["portfolio_balances"][0]["balances"]]
    assert all(isinstance(b.quantity, Decimal) for b in balances)  # the overlay marks quantities as decimals
    assert [b.quantity for b in balances] == [Decimal(q) for q in sent]
    assert [str(b.quantity) for b in balances] == [str(Decimal(q)) for q in sent]  # digit for digit
    assert sum(Decimal(q) for q in sent) == sum(b.quantity or 0 for b in balances)


def test_unknown_fields_are_kept(rest_server: RestServer, keys: TestKeys) -> None:
    rest_server.enqueue(
        Fault(
            status=200, body=b'{"portfolio_balances": [], "brand_new_field": {"x": 1}}', path=f"/api/v3/brokerage/intx/balances/{PORTFOLIO}"
        )
    )
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        result = call_balances(client)
    assert result.model_extra == {"brand_new_field": {"x": 1}}


def test_deprecated_operation_warns_with_sunset_and_replacement(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        with pytest.warns(DeprecationWarning) as caught:
            client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO)
    message = str(caught[0].message)
    assert "2026-09-09" in message
    assert "client.derivatives.account_management.get_account_summaries()" in message


def test_public_operation_sends_no_credentials(rest_server: RestServer) -> None:
    with Client(advanced_trade_base_url=rest_server.url) as client:
        result = client.advanced_trade.public.get_server_time()
    assert "authorization" not in rest_server.requests[-1].headers
    assert result.iso is not None


def test_private_operation_without_credentials_raises_credentials_error(rest_server: RestServer) -> None:
    with Client(advanced_trade_base_url=rest_server.url) as client, pytest.raises(CredentialsError):
        call_balances(client)
    assert len(rest_server.requests) == 0


def test_path_parameters_cannot_change_the_path(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client:
        call_balances(client, "../../accounts")
    assert rest_server.requests[-1].auth_error is None  # the JWT's uri names the escaped path too
    assert rest_server.requests[-1].path == "/api/v3/brokerage/intx/balances/..%2F..%2Faccounts"


def test_refused_jwt_raises_authentication_error_with_plain_text_body(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, "organizations/x/apiKeys/unknown", keys.ec_private_pem) as client:
        with pytest.raises(AuthenticationError) as raised:
            call_balances(client)
    assert raised.value.status_code == 401
    assert raised.value.body == "Unauthorized"
    assert raised.value.request.method == "GET"


def test_404_raises_not_found_with_parsed_error_body(rest_server: RestServer, keys: TestKeys) -> None:
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client, pytest.raises(NotFoundError) as raised:
        call_balances(client, "missing")
    assert raised.value.error == "NOT_FOUND"
    assert raised.value.error_details


def test_429_raises_rate_limit_error_with_headers(rest_server: RestServer, keys: TestKeys) -> None:
    rest_server.enqueue(Fault(status=429, body=b'{"error": "RATE_LIMITED", "message": "slow down"}', headers={"Retry-After": "90"}))
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client, pytest.raises(RateLimitError) as raised:
        call_balances(client)
    assert raised.value.headers["retry-after"] == "90" and raised.value.retry_after == 90.0
    assert raised.value.message == "HTTP 429: slow down"
    assert raised.value.error == "RATE_LIMITED" and raised.value.error_message == "slow down"


def test_html_error_page_is_kept_raw(rest_server: RestServer, keys: TestKeys, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=502, body=b"<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}, times=3))
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client, pytest.raises(InternalServerError) as raised:
        call_balances(client)
    assert raised.value.body == "<html><body>Bad gateway</body></html>"


def test_dropped_connection_raises_connection_error_once_retries_run_out(
    rest_server: RestServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(drop="before_read", times=3))
    with client_for(rest_server, keys.ec_key_name, keys.ec_private_pem) as client, pytest.raises(APIConnectionError):
        call_balances(client)


def test_unloadable_key_raises_a_clear_credentials_error(keys: TestKeys) -> None:
    with pytest.raises(CredentialsError, match="neither a PEM key nor base64"):
        Client(api_key_name=keys.ec_key_name, api_private_key="not a key!")


def test_repr_never_shows_the_secret(keys: TestKeys) -> None:
    client = Client(api_key_name=keys.ec_key_name, api_private_key=keys.ec_private_pem)
    text = repr(client) + repr(client._config.auth)
    assert "PRIVATE KEY" not in text and keys.ec_private_pem.splitlines()[1] not in text
    client.close()


def test_from_env_reads_credentials_and_base_url(rest_server: RestServer, keys: TestKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COINBASE_API_KEY_NAME", keys.ed25519_key_name)
    monkeypatch.setenv("COINBASE_API_PRIVATE_KEY", keys.ed25519_secret_b64)
    monkeypatch.setenv("COINBASE_ADVANCED_TRADE_BASE_URL", rest_server.url)
    with Client.from_env() as client:
        call_balances(client)
    assert rest_server.requests[-1].auth_error is None


@pytest.mark.anyio
async def test_async_client_gets_balances(rest_server: RestServer, keys: TestKeys) -> None:
    async with AsyncClient(
        api_key_name=keys.ec_key_name, api_private_key=keys.ec_private_pem, advanced_trade_base_url=rest_server.url
    ) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = await client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO)
    assert result.portfolio_balances is not None
    assert rest_server.requests[-1].auth_error is None


@pytest.mark.anyio
async def test_async_client_raises_typed_errors(rest_server: RestServer, keys: TestKeys) -> None:
    async with AsyncClient(
        api_key_name=keys.ec_key_name, api_private_key=keys.ec_private_pem, advanced_trade_base_url=rest_server.url
    ) as client:
        with pytest.raises(NotFoundError), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await client.advanced_trade.perpetuals.get_intx_balances("missing")
