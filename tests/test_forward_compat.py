"""Forward compatibility, exact numbers, raw responses and logging, over real sockets."""

from __future__ import annotations

import json
import logging
import warnings
from decimal import Decimal
from typing import Any

import pytest
from coinbase_sdk import APIResponse
from coinbase_sdk.models.advanced_trade import ExtendedTimestamp, OrderSide, OrderType

from tests.conftest import FIXTURES, run_client
from tests.servers import Fault, JsonRpcServer, RestServer, TestKeys

TIME = "/api/v3/brokerage/time"
SUMMARY = "private/get_account_summary"


def cdp(server: JsonRpcServer, keys: TestKeys, **extra: Any) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "derivatives_base_url": server.url, **extra}


def test_unknown_enum_value_is_kept_not_rejected() -> None:
    kind = OrderType("ICEBERG")
    assert kind == "ICEBERG" and isinstance(kind, OrderType) and not kind.is_known
    assert OrderType("ICEBERG") is kind
    assert OrderSide.BUY.is_known and list(OrderSide) == [OrderSide.BUY, OrderSide.SELL]


def test_unknown_enum_value_in_a_response_parses() -> None:
    from coinbase_sdk.models.advanced_trade import Fill

    fill = Fill.model_validate_json(b'{"side": "SHORT", "price": "101.5"}')
    assert fill.side == "SHORT" and isinstance(fill.side, OrderSide) and not fill.side.is_known
    assert fill.model_dump(mode="json", exclude_unset=True)["side"] == "SHORT"  # and it round-trips


def test_null_and_missing_are_told_apart(mode: str, rest_server: RestServer) -> None:
    rest_server.enqueue(Fault(status=200, body=b'{"iso": null, "surprise": [1, 2]}', path=TIME))
    result = run_client(mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=rest_server.url)
    assert result.iso is None and result.epochSeconds is None
    assert "iso" in result.model_fields_set and "epochSeconds" not in result.model_fields_set
    assert result.surprise == [1, 2] and result.model_extra == {"surprise": [1, 2]}


def test_blank_decimal_string_reads_as_none() -> None:
    from coinbase_sdk.models.advanced_trade import IntxAmount

    assert IntxAmount.model_validate({"value": "", "currency": "USD"}).value is None
    assert IntxAmount.model_validate({"value": "0.10", "currency": "USD"}).value == Decimal("0.10")
    assert IntxAmount.model_validate_json(b'{"value": "", "currency": "USD"}').value is None
    assert IntxAmount.model_validate_json(b'{"value": null}').value is None


def test_a_decimal_string_that_is_not_a_number_is_refused_as_a_decimal() -> None:
    from coinbase_sdk.models.advanced_trade import IntxAmount
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as raised:
        IntxAmount.model_validate_json(b'{"value": "ten"}')
    assert raised.value.errors()[0]["type"] == "decimal_parsing"  # the first error names the decimal, not the "" branch


def test_gateway_numbers_are_floats_by_default(rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    result = run_client("sync", lambda c: c.derivatives.account_management.get_account_summaries(extended=True), **cdp(rpc_server, keys))
    assert isinstance(result.summaries[0].balance, float)


def test_exact_numbers_reads_gateway_numbers_as_decimal_digit_for_digit(mode: str, rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    raw = (FIXTURES / "payloads" / "account_summaries_extended.json").read_text()
    texts = json.loads(raw, parse_float=str)["summaries"]
    result = run_client(
        mode, lambda c: c.derivatives.account_management.get_account_summaries(extended=True), **cdp(rpc_server, keys, exact_numbers=True)
    )
    checked = 0
    for summary, text in zip(result.summaries, texts, strict=True):
        for field in ("balance", "equity", "available_funds", "maintenance_margin"):
            value = getattr(summary, field)
            if isinstance(text[field], str):  # a non-integral number in the payload
                assert isinstance(value, Decimal) and str(value) == text[field]
                checked += 1
    assert checked >= 4  # the seed has fractional balances; the check above really ran


def test_decimal_params_are_sent_to_the_gateway_as_exact_json_numbers() -> None:
    from coinbase_sdk import NOT_GIVEN
    from coinbase_sdk._encoding import dumps_exact, encode_value

    body = dumps_exact(
        encode_value({"amount": Decimal("0.30000000000000001"), "skip": NOT_GIVEN, "none": None, "n": 2}, decimal_as_number=True)
    )
    assert body == '{"amount":0.30000000000000001,"none":null,"n":2}'


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_raw_response_exposes_status_headers_body_and_parse(mode: str, rest_server: RestServer, keys: TestKeys) -> None:
    def call(client: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return client.advanced_trade.perpetuals.with_raw_response.get_intx_balances("p")

    raw = run_client(
        mode, call, api_key_name=keys.ec_key_name, api_private_key=keys.ec_private_pem, advanced_trade_base_url=rest_server.url
    )
    assert isinstance(raw, APIResponse) and raw.status_code == 200
    assert raw.headers["x-ratelimit-remaining"] == "29" and raw.headers["x-ratelimit-limit"] == "30"
    assert raw.json()["portfolio_balances"][0]["portfolio_uuid"] == "p"
    parsed = raw.parse()
    assert parsed.portfolio_balances[0].portfolio_uuid == "p" and raw.parse() is parsed
    assert raw.request.method == "GET" and raw.attempts == 1


def test_raw_response_of_a_json_rpc_call_carries_server_timing(mode: str, rpc_server: JsonRpcServer, keys: TestKeys) -> None:
    raw = run_client(
        mode, lambda c: c.derivatives.account_management.with_raw_response.get_account_summary(currency="BTC"), **cdp(rpc_server, keys)
    )
    assert raw.us_in is not None and raw.us_out is not None and raw.us_diff == raw.us_out - raw.us_in
    assert raw.parse().currency == "BTC"
    assert rpc_server.auth_calls == 1  # the token call inside is not turned into a raw response


def test_raw_response_counts_attempts(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=503, body=b"{}", path=TIME))
    raw = run_client(mode, lambda c: c.advanced_trade.public.with_raw_response.get_server_time(), advanced_trade_base_url=rest_server.url)
    assert raw.attempts == 2 and isinstance(raw.parse(), ExtendedTimestamp)


def test_logging_records_method_url_status_attempt_and_latency(
    rest_server: RestServer, caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    caplog.set_level(logging.DEBUG, logger="coinbase_sdk")
    rest_server.enqueue(Fault(status=503, body=b"{}", path=TIME))
    run_client("sync", lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=rest_server.url)
    lines = [r.getMessage() for r in caplog.records if r.name == "coinbase_sdk"]
    assert any(f"GET {rest_server.url}{TIME} -> 503 (attempt 1," in line and " ms)" in line for line in lines)
    assert any(line.startswith(f"retrying GET {rest_server.url}{TIME} in ") for line in lines)
    assert any("-> 200 (attempt 2," in line for line in lines)
