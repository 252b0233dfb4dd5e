"""Retries and typed errors of the JSON-RPC client, against the gateway look-alike on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from coinbase_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    InvalidRequestError,
    JSONRPCError,
    RateLimitError,
    ServiceUnavailableError,
)
from coinbase_sdk import errors as sdk_errors

from tests.conftest import run_client
from tests.servers import Fault, JsonRpcServer, TestKeys

SUMMARY = "private/get_account_summary"
CHANGE_MARGIN = "private/change_margin_model"

# The codes the gateway documents as "wait and send the same request again".
RETRYABLE = {
    10028: "TooManyRequestsError",
    10040: "RetryError",
    10047: "MatchingEngineQueueFullError",
    10066: "TooManyConcurrentRequestsError",
    11051: "SystemMaintenanceError",
    13028: "TemporarilyUnavailableError",
}


def rpc_error(code: int, message: str) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": 0, "error": {"code": code, "message": message}, "usIn": 1, "usOut": 2, "usDiff": 1}).encode()


def cdp(server: JsonRpcServer, keys: TestKeys, **extra: Any) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "derivatives_base_url": server.url, **extra}


def summary(client: Any) -> Any:
    return client.derivatives.account_management.get_account_summary(currency="BTC")


def change_margin(client: Any) -> Any:
    return client.derivatives.account_management.change_margin_model(margin_model="cross_pm", dry_run=True)


def sent(server: JsonRpcServer, method: str) -> int:
    return sum(1 for r in server.requests if r.rpc_method == method)


@pytest.mark.parametrize("code", sorted(RETRYABLE))
def test_each_retryable_code_is_retried_then_succeeds(
    mode: str, code: int, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(code, "x"), rpc_method=SUMMARY))
    assert run_client(mode, summary, **cdp(rpc_server, keys)).currency == "BTC"
    assert sent(rpc_server, SUMMARY) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("code", sorted(RETRYABLE))
def test_each_retryable_code_raises_its_own_class_when_retries_run_out(
    mode: str, code: int, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(code, "x"), rpc_method=SUMMARY, times=10))
    with pytest.raises(JSONRPCError) as raised:
        run_client(mode, summary, **cdp(rpc_server, keys))
    assert type(raised.value).__name__ == RETRYABLE[code] and raised.value.code == code
    assert sent(rpc_server, SUMMARY) == 3


def test_retryable_codes_are_retried_even_for_a_non_idempotent_method(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(10047, "matching_engine_queue_full"), rpc_method=CHANGE_MARGIN))
    result = run_client(mode, change_margin, **cdp(rpc_server, keys))
    assert {change.currency for change in result} == {"btc", "eth"}
    assert sent(rpc_server, CHANGE_MARGIN) == 2


def test_too_many_requests_authenticates_again_before_retrying(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(10028, "too_many_requests"), rpc_method=SUMMARY))
    run_client(mode, summary, **cdp(rpc_server, keys))
    assert rpc_server.auth_calls == 2  # the gateway ends the session with 10028
    assert [r.rpc_method for r in rpc_server.requests] == ["public/auth", SUMMARY, "public/auth", SUMMARY]


def test_not_retryable_code_is_raised_at_once_with_its_class_and_base(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(10009, "not_enough_funds"), rpc_method=SUMMARY))
    with pytest.raises(sdk_errors.NotEnoughFundsError) as raised:
        run_client(mode, summary, **cdp(rpc_server, keys))
    assert raised.value.code == 10009 and raised.value.request.rpc_method == SUMMARY
    assert sent(rpc_server, SUMMARY) == 1 and sleeps == []


def test_semantic_bases_catch_json_rpc_errors(mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]) -> None:
    rpc_server.enqueue(Fault(status=400, body=rpc_error(10028, "too_many_requests"), rpc_method=SUMMARY, times=10))
    with pytest.raises(RateLimitError):
        run_client(mode, summary, **cdp(rpc_server, keys))


def test_invalid_params_from_the_server_is_an_invalid_request_error(mode: str, rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        run_client(mode, lambda c: c.derivatives.account_management.get_account_summary(currency="DOGE"), **cdp(rpc_server, keys))
    assert isinstance(raised.value, sdk_errors.InvalidParamsError) and raised.value.code == -32602


def test_shared_code_is_told_apart_by_message() -> None:
    table = sdk_errors.ERROR_TABLES["derivatives"]
    assert table[(13907, "too_many_open_block_rfqs")] is sdk_errors.TooManyOpenBlockRfqsError
    assert table[(13907, "not_fully_filled")] is sdk_errors.NotFullyFilledError


def test_generated_classes_derive_from_their_category_base() -> None:
    assert issubclass(sdk_errors.TooManyRequestsError, RateLimitError) and sdk_errors.TooManyRequestsError.session_closed
    assert issubclass(sdk_errors.SystemMaintenanceError, ServiceUnavailableError) and sdk_errors.SystemMaintenanceError.retryable
    assert issubclass(sdk_errors.UnauthorizedError, sdk_errors.AuthenticationError)
    assert issubclass(sdk_errors.OrderNotFoundError, sdk_errors.NotFoundError)
    assert issubclass(sdk_errors.RpcNotFoundError, sdk_errors.NotFoundError)  # 13020 not_found: renamed, not shadowing
    assert not sdk_errors.NotEnoughFundsError.retryable


def test_dropped_connection_after_a_non_idempotent_call_was_read_is_not_repeated(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(drop="after_read", rpc_method=CHANGE_MARGIN))
    with pytest.raises(APIConnectionError):
        run_client(mode, change_margin, **cdp(rpc_server, keys))
    assert sent(rpc_server, CHANGE_MARGIN) == 1


def test_dropped_connection_after_a_read_call_was_read_is_retried(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rpc_server.enqueue(Fault(drop="after_read", rpc_method=SUMMARY))
    assert run_client(mode, summary, **cdp(rpc_server, keys)).currency == "BTC"
    assert sent(rpc_server, SUMMARY) == 2


def test_gateway_html_error_page_is_kept_raw(mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]) -> None:
    rpc_server.enqueue(Fault(status=503, body=b"<html>maintenance</html>", headers={"Content-Type": "text/html"}, rpc_method=SUMMARY))
    assert run_client(mode, summary, **cdp(rpc_server, keys)).currency == "BTC"
    rpc_server.enqueue(
        Fault(status=503, body=b"<html>maintenance</html>", headers={"Content-Type": "text/html"}, rpc_method=SUMMARY, times=5)
    )
    with pytest.raises(ServiceUnavailableError) as raised:
        run_client(mode, summary, **cdp(rpc_server, keys))
    assert raised.value.body == "<html>maintenance</html>"


def test_mismatched_id_is_a_validation_error_and_not_retried(
    mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]
) -> None:
    body = b'{"jsonrpc": "2.0", "id": 424242, "result": {"currency": "BTC"}}'
    rpc_server.enqueue(Fault(status=200, body=body, rpc_method=SUMMARY))
    with pytest.raises(APIResponseValidationError, match="does not match the request id"):
        run_client(mode, summary, **cdp(rpc_server, keys))
    assert sent(rpc_server, SUMMARY) == 1


def test_malformed_json_is_a_validation_error(mode: str, rpc_server: JsonRpcServer, keys: TestKeys, sleeps: list[float]) -> None:
    rpc_server.enqueue(Fault(status=200, body=b'{"jsonrpc": "2.0", "id": ', rpc_method=SUMMARY))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        run_client(mode, summary, **cdp(rpc_server, keys))


def test_expired_token_is_renewed_and_the_call_succeeds(mode: str, rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    def twice(client: Any) -> Any:
        if mode == "sync":
            summary(client)
            rpc_server.expire_tokens()
            return summary(client)

        async def run() -> Any:
            await summary(client)
            rpc_server.expire_tokens()
            return await summary(client)

        return run()

    assert run_client(mode, twice, **cdp(rpc_server, keys)).currency == "BTC"
    assert rpc_server.auth_calls == 2
