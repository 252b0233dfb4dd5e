"""The generated SDK against a real JSON-RPC 2.0 server on 127.0.0.1 (the gateway's protocol)."""

from __future__ import annotations

import json
import time

import pytest
from coinbase_sdk import APIResponseValidationError, AsyncClient, Client, JSONRPCError
from coinbase_sdk.models.derivatives import AccountSummaries

from tests.conftest import FIXTURES
from tests.servers import Fault, JsonRpcServer, TestKeys

SEED = json.loads((FIXTURES / "payloads" / "account_summaries_extended.json").read_text())


def client_for(server: JsonRpcServer, keys: TestKeys) -> Client:
    return Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=server.url, timeout=5)


def test_get_account_summaries_authenticates_then_returns_the_seed_payload(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        result = client.derivatives.account_management.get_account_summaries(extended=True)
    assert isinstance(result, AccountSummaries)
    assert result.model_dump(mode="json", exclude_unset=True, by_alias=True) == SEED
    auth, call = rpc_server.requests[-2], rpc_server.requests[-1]
    assert auth.rpc_method == "public/auth" and auth.rpc_params is not None
    assert auth.rpc_params["grant_type"] == "coinbase_cdp"
    assert call.rpc_method == "private/get_account_summaries" and call.rpc_params == {"extended": True}
    assert call.path == "/api/v2/private/get_account_summaries"
    assert call.bearer_token in rpc_server.issued_tokens


def test_seed_fields_are_typed(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        result = client.derivatives.account_management.get_account_summaries(extended=True)
    btc = result.summaries[0]
    assert btc.currency == "BTC"
    assert btc.limits is not None and btc.limits.non_matching_engine.burst == 1500
    assert result.referrer_id is None and "referrer_id" in result.model_fields_set


def test_unset_optional_params_are_not_sent(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        result = client.derivatives.account_management.get_account_summaries()
    assert rpc_server.requests[-1].rpc_params == {}
    assert result.email is None and len(result.summaries) == 2


def test_access_token_is_cached_across_calls(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        client.derivatives.account_management.get_account_summaries()
        client.derivatives.account_management.get_account_summary(currency="ETH")
    assert rpc_server.auth_calls == 1


def test_access_token_is_renewed_before_it_expires(keys: TestKeys) -> None:
    with JsonRpcServer(keys.public_keys(), token_ttl=1) as server, client_for(server, keys) as client:
        client.derivatives.account_management.get_account_summary(currency="BTC")
        time.sleep(1.0)
        client.derivatives.account_management.get_account_summary(currency="BTC")
    assert server.auth_calls == 2
    assert server.requests[-1].rpc_error_code is None


def test_get_account_summary_returns_one_currency(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        summary = client.derivatives.account_management.get_account_summary(currency="eth", extended=True)
    assert summary.currency == "ETH" and summary.username == "user"


def test_ec_key_works_for_the_gateway_too(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with Client(api_key_name=keys.ec_key_name, api_private_key=keys.ec_private_pem, derivatives_base_url=rpc_server.url) as client:
        client.derivatives.account_management.get_account_summary(currency="BTC")
    assert rpc_server.requests[-1].rpc_error_code is None


def test_json_rpc_error_object_raises_json_rpc_error_whatever_the_status(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client, pytest.raises(JSONRPCError) as raised:
        client.derivatives.account_management.get_account_summary(currency="DOGE")
    assert raised.value.code == -32602
    assert raised.value.status_code == 400
    assert raised.value.request.rpc_method == "private/get_account_summary"
    assert isinstance(raised.value.data, dict) and raised.value.data["param"] == "currency"


def test_token_refused_as_expired_is_renewed_once_and_the_call_sent_again(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with client_for(rpc_server, keys) as client:
        client.derivatives.account_management.get_account_summary(currency="BTC")
        rpc_server.expire_tokens()
        summary = client.derivatives.account_management.get_account_summary(currency="BTC")
    assert summary.currency == "BTC"
    assert rpc_server.auth_calls == 2
    refused, renewal, retried = rpc_server.requests[-3:]
    assert refused.rpc_error_code == 13009 and renewal.rpc_method == "public/auth"
    assert retried.bearer_token == rpc_server.issued_tokens[-1]


def test_token_refused_again_after_renewal_is_raised_as_unauthorized(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    from coinbase_sdk import AuthenticationError
    from coinbase_sdk.errors import UnauthorizedError

    refusal = b'{"jsonrpc": "2.0", "id": 0, "error": {"code": 13009, "message": "unauthorized"}}'
    rpc_server.enqueue(Fault(status=400, body=refusal, rpc_method="private/get_account_summary", times=5))
    with client_for(rpc_server, keys) as client, pytest.raises(UnauthorizedError) as raised:
        client.derivatives.account_management.get_account_summary(currency="BTC")
    assert isinstance(raised.value, AuthenticationError) and isinstance(raised.value, JSONRPCError)
    assert rpc_server.auth_calls == 2  # authenticated once more, then gave up
    assert sum(1 for r in rpc_server.requests if r.rpc_method == "private/get_account_summary") == 2


def test_refused_cdp_jwt_raises_at_public_auth(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with Client(api_key_name="not-a-known-key", api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        with pytest.raises(JSONRPCError) as raised:
            client.derivatives.account_management.get_account_summaries()
    assert raised.value.code == 13004 and raised.value.request.rpc_method == "public/auth"


def test_mismatched_response_id_is_rejected(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    rpc_server.enqueue(
        Fault(status=200, body=b'{"jsonrpc": "2.0", "id": 999999, "result": {"summaries": []}}', rpc_method="private/get_account_summaries")
    )
    with client_for(rpc_server, keys) as client, pytest.raises(APIResponseValidationError, match="does not match the request id"):
        client.derivatives.account_management.get_account_summaries()


def test_non_json_response_is_a_validation_error(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    rpc_server.enqueue(
        Fault(
            status=200, body=b"<html>maintenance</html>", headers={"Content-Type": "text/html"}, rpc_method="private/get_account_summaries"
        )
    )
    with client_for(rpc_server, keys) as client, pytest.raises(APIResponseValidationError, match="not JSON"):
        client.derivatives.account_management.get_account_summaries()


@pytest.mark.anyio
async def test_async_client_calls_both_summary_methods(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    async with AsyncClient(
        api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url
    ) as client:
        summaries = await client.derivatives.account_management.get_account_summaries(extended=True)
        summary = await client.derivatives.account_management.get_account_summary(currency="BTC")
    assert summaries.model_dump(mode="json", exclude_unset=True, by_alias=True) == SEED
    assert summary.currency == "BTC"
    assert rpc_server.auth_calls == 1


@pytest.mark.anyio
async def test_async_concurrent_calls_share_one_token_renewal(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    import asyncio

    async with AsyncClient(
        api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url
    ) as client:
        await asyncio.gather(*(client.derivatives.account_management.get_account_summary(currency="BTC") for _ in range(8)))
    assert rpc_server.auth_calls == 1


@pytest.mark.anyio
async def test_async_json_rpc_error(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    async with AsyncClient(
        api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url
    ) as client:
        with pytest.raises(JSONRPCError) as raised:
            await client.derivatives.account_management.get_account_summary(currency="DOGE")
    assert raised.value.code == -32602
