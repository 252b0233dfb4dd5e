"""Every auth flow against servers that verify it: CDP keys, OAuth2, and native Deribit grants and HMAC."""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from typing import Any

import pytest
from coinbase_sdk import (
    APIStatusError,
    AsyncClient,
    ClientCredentialsAuth,
    ClientSignatureAuth,
    HmacAuth,
    OAuth2Auth,
)
from coinbase_sdk._deribit_auth import client_signature

from tests.conftest import run_client
from tests.servers import JsonRpcServer, RestServer, TestKeys
from tests.servers.jsonrpc import OAUTH_TEST_TOKEN

SECRET = "test-client-secret"


def summaries(client: Any) -> Any:
    return client.derivatives.account_management.get_account_summaries()


def test_client_signature_matches_deribits_published_test_vector() -> None:
    signature = client_signature("AMANDASECRECT", 1576074319000, "1iqt2wls", "")
    assert signature == "56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1"


def test_oauth2_token_is_a_bearer_token_on_rest(mode: str, rest_server: RestServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        run_client(
            mode,
            lambda c: c.advanced_trade.perpetuals.get_intx_balances("p"),
            oauth_token=OAUTH_TEST_TOKEN,
            advanced_trade_base_url=rest_server.url,
        )
    assert rest_server.requests[-1].extra.get("oauth") is True


def test_oauth2_token_uses_the_coinbase_oauth2_grant_on_the_gateway(mode: str, rpc_server: JsonRpcServer) -> None:
    run_client(mode, summaries, oauth_token=OAUTH_TEST_TOKEN, derivatives_base_url=rpc_server.url)
    auth = rpc_server.requests[0]
    assert auth.rpc_params == {"grant_type": "coinbase_oauth2", "token": OAUTH_TEST_TOKEN}
    assert rpc_server.requests[-1].auth_error is None


def test_oauth2_token_provider_is_asked_for_every_renewal(rpc_server: JsonRpcServer) -> None:
    asked: list[int] = []

    def provider() -> str:
        asked.append(1)
        return OAUTH_TEST_TOKEN

    from coinbase_sdk import Client

    with Client(derivatives_auth=OAuth2Auth(provider), derivatives_base_url=rpc_server.url) as client:
        summaries(client)
        rpc_server.expire_tokens()
        summaries(client)
    assert len(asked) == 2


def test_cdp_key_is_preferred_over_an_oauth_token(mode: str, rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    run_client(
        mode,
        summaries,
        api_key_name=keys.ec_key_name,
        api_private_key=keys.ec_private_pem,
        oauth_token="x",
        derivatives_base_url=rpc_server.url,
    )
    assert rpc_server.requests[0].rpc_params["grant_type"] == "coinbase_cdp"  # type: ignore[index]


def test_client_credentials_grant(mode: str, rpc_server: JsonRpcServer) -> None:
    run_client(mode, summaries, derivatives_auth=ClientCredentialsAuth("test-client", SECRET), derivatives_base_url=rpc_server.url)
    auth = rpc_server.requests[0]
    assert auth.rpc_params == {"grant_type": "client_credentials", "client_id": "test-client", "client_secret": SECRET}
    assert rpc_server.requests[-1].auth_error is None


def test_client_signature_grant_is_verified_by_the_server_and_never_sends_the_secret(mode: str, rpc_server: JsonRpcServer) -> None:
    run_client(mode, summaries, derivatives_auth=ClientSignatureAuth("test-client", SECRET), derivatives_base_url=rpc_server.url)
    auth = rpc_server.requests[0]
    assert auth.rpc_params is not None and auth.rpc_params["grant_type"] == "client_signature"
    assert auth.rpc_error_code is None and rpc_server.requests[-1].auth_error is None
    assert SECRET.encode() not in auth.body


def test_wrong_client_secret_is_refused_as_invalid_credentials(mode: str, rpc_server: JsonRpcServer) -> None:
    from coinbase_sdk.errors import InvalidCredentialsError

    with pytest.raises(InvalidCredentialsError) as raised:
        run_client(mode, summaries, derivatives_auth=ClientSignatureAuth("test-client", "wrong"), derivatives_base_url=rpc_server.url)
    assert raised.value.request.rpc_method == "public/auth"
    assert "wrong" not in str(raised.value)


def test_renewal_uses_the_refresh_token_grant(mode: str, keys: TestKeys) -> None:
    with JsonRpcServer(keys.public_keys(), token_ttl=1) as server:

        def twice(client: Any) -> Any:
            import time

            if mode == "sync":
                summaries(client)
                time.sleep(1.1)
                return summaries(client)

            async def run() -> Any:
                await summaries(client)
                await asyncio.sleep(1.1)
                return await summaries(client)

            return run()

        run_client(mode, twice, derivatives_auth=ClientCredentialsAuth("test-client", SECRET), derivatives_base_url=server.url)
        grants = [r.rpc_params["grant_type"] for r in server.requests if r.rpc_method == "public/auth"]  # type: ignore[index]
    assert grants == ["client_credentials", "refresh_token"]


def test_refused_refresh_token_falls_back_to_the_full_grant(keys: TestKeys) -> None:
    from coinbase_sdk import Client

    with JsonRpcServer(keys.public_keys()) as server:
        with Client(derivatives_auth=ClientCredentialsAuth("test-client", SECRET), derivatives_base_url=server.url) as client:
            summaries(client)
            api = client.derivatives._api
            api.token.refresh_token = "revoked"
            server.expire_tokens()
            summaries(client)
        grants = [r.rpc_params["grant_type"] for r in server.requests if r.rpc_method == "public/auth"]  # type: ignore[index]
    assert grants == ["client_credentials", "refresh_token", "client_credentials"]


def test_hmac_signs_every_private_request_and_the_server_recomputes_it(mode: str, rpc_server: JsonRpcServer) -> None:
    run_client(mode, summaries, derivatives_auth=HmacAuth("test-client", SECRET), derivatives_base_url=rpc_server.url)
    assert rpc_server.auth_calls == 0
    request = rpc_server.requests[-1]
    assert request.headers["authorization"].startswith("deri-hmac-sha256 id=test-client,ts=")
    assert request.auth_error is None and request.extra["hmac_client_id"] == "test-client"


def test_hmac_with_a_wrong_secret_is_refused(mode: str, rpc_server: JsonRpcServer) -> None:
    with pytest.raises(APIStatusError) as raised:
        run_client(mode, summaries, derivatives_auth=HmacAuth("test-client", "wrong"), derivatives_base_url=rpc_server.url)
    assert rpc_server.requests[-1].auth_error == "bad_signature"
    assert getattr(raised.value, "code", None) == 13009


def test_concurrent_threads_share_one_token_renewal(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    from coinbase_sdk import Client

    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        threads = [threading.Thread(target=summaries, args=(client,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert rpc_server.auth_calls == 1
    assert sum(1 for r in rpc_server.requests if r.rpc_method == "private/get_account_summaries") == 8


def test_concurrent_tasks_renew_an_expired_token_once(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    async def main() -> None:
        async with AsyncClient(derivatives_auth=ClientSignatureAuth("test-client", SECRET), derivatives_base_url=rpc_server.url) as client:
            await summaries(client)
            rpc_server.expire_tokens()
            await asyncio.gather(*(summaries(client) for _ in range(8)))

    asyncio.run(main())
    # Eight calls are refused with the expired token; one renewal serves them all.
    assert rpc_server.auth_calls == 2


def test_secrets_never_reach_repr_logs_or_exceptions(
    rpc_server: JsonRpcServer, rest_server: RestServer, keys: TestKeys, caplog: pytest.LogCaptureFixture
) -> None:
    from coinbase_sdk import Client

    caplog.set_level(logging.DEBUG, logger="coinbase_sdk")
    texts: list[str] = []
    with Client(
        api_key_name=keys.ec_key_name,
        api_private_key=keys.ec_private_pem,
        oauth_token="oauth-secret-value",
        derivatives_auth=ClientCredentialsAuth("test-client", SECRET),
        derivatives_base_url=rpc_server.url,
        advanced_trade_base_url=rest_server.url,
    ) as client:
        texts.append(repr(client))
        summaries(client)
        with pytest.raises(APIStatusError) as raised, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client.advanced_trade.perpetuals.get_intx_balances("missing")
        texts += [str(raised.value), repr(raised.value), str(raised.value.request)]
    texts += [record.getMessage() for record in caplog.records]
    joined = "\n".join(texts)
    secrets = [SECRET, "oauth-secret-value", keys.ec_private_pem.splitlines()[1], *rpc_server.issued_tokens]
    secrets += [r.bearer_token for r in rest_server.requests if r.bearer_token]
    assert caplog.records, "the SDK logged nothing at DEBUG"
    for secret in secrets:
        assert secret not in joined


def test_malformed_auth_result_never_carries_the_token_in_the_exception(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    from coinbase_sdk import APIResponseValidationError, Client

    from tests.servers import Fault

    body = b'{"jsonrpc": "2.0", "id": 1, "result": {"access_token": "leaky-token", "token_type": "bearer"}}'
    rpc_server.enqueue(Fault(status=200, body=body, rpc_method="public/auth"))
    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        with pytest.raises(APIResponseValidationError) as raised:
            summaries(client)
    assert "leaky-token" not in repr(raised.value.body) and "leaky-token" not in str(raised.value)
