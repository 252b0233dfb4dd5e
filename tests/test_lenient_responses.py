"""Lenient responses by default, strict on request: per response shape, over real sockets.

A response that does not match the spec still returns the typed model (missing fields read as
None, values of another type are kept as received, unknown fields and enum values are kept), and
`model_mismatches()` says what did not match; `strict_response_validation=True` (client, copy
or call) raises `APIResponseValidationError` instead.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from coinbase_sdk import APIResponseValidationError, AsyncClient, Client, Mismatch, _base_client, _lenient
from coinbase_sdk.models import advanced_trade as at
from coinbase_sdk.models import derivatives as drv

from tests.servers.keys import TestKeys
from tests.servers.records import RecordedRequest
from tests.servers.scripted import ScriptedServer, rpc

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OFFICIAL = json.loads((FIXTURES / "official_sdk" / "mocked_responses.json").read_text())
API = json.loads((Path(__file__).resolve().parent.parent / "generated" / "coinbase_sdk" / "api.json").read_text())


def credentials(keys: TestKeys) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}


@pytest.fixture
def payload() -> Iterator[dict[str, Any]]:
    """What the scripted REST server answers next (set by each case)."""
    yield {}


@pytest.fixture
def server(payload: dict[str, Any]) -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda record: (200, payload["body"])) as s:
        yield s


# -- the table: one row per response shape ---------------------------------------------------------


def _create_order(client: Any) -> Any:
    return client.advanced_trade.orders.create_order(
        client_order_id="c1", product_id="BTC-USD", side=at.OrderSide.BUY, order_configuration=at.OrderConfiguration()
    )


def _get_accounts(client: Any) -> Any:
    return client.advanced_trade.accounts.get_accounts()


def _historical_orders(client: Any) -> Any:
    return client.advanced_trade.orders.get_historical_orders()


def _missing_required(result: at.NewOrderResponse) -> None:
    assert isinstance(result, at.NewOrderResponse)
    assert result.success is None and result.model_extra == {"order_id": "1234"}
    assert result.model_mismatches() == (Mismatch(("success",), "missing", None),)


def _wrong_type(result: at.GetAccountsResponse) -> None:
    assert result.has_next == "perhaps"  # kept as received
    assert result.accounts is not None and result.accounts[0].uuid == "a1"
    [mismatch] = result.model_mismatches()
    assert mismatch.path == ("has_next",) and "boolean" in mismatch.problem and mismatch.value == "perhaps"


def _null_not_nullable(result: at.GetAccountsResponse) -> None:
    assert result.has_next is None and "has_next" in result.model_fields_set
    assert result.model_mismatches() == (Mismatch(("has_next",), "null", None),)


def _extra_field(result: at.GetAccountsResponse) -> None:
    assert result.has_next is False and result.model_extra == {"brand_new": {"x": 1}}
    assert result.model_mismatches() == ()


def _unknown_enum(result: at.GetAccountsResponse) -> None:
    assert result.accounts is not None
    platform = result.accounts[0].platform
    assert platform is not None and platform.value == "ACCOUNT_PLATFORM_MARS" and not platform.is_known
    assert result.model_mismatches() == ()


def _nested_missing(result: at.GetHistoricalOrdersResponse) -> None:
    [order] = result.orders
    assert isinstance(order, at.Order) and order.order_id == "o1" and order.product_id is None
    assert Mismatch(("product_id",), "missing", None) in order.model_mismatches()
    assert Mismatch(("orders", 0, "product_id"), "missing", None) in result.model_mismatches()
    assert order.side is at.OrderSide.BUY  # what was there is typed as usual


SHAPES = {
    "missing required": (_create_order, {"order_id": "1234"}, _missing_required, "success: Field required"),
    "wrong type": (_get_accounts, {"accounts": [{"uuid": "a1"}], "has_next": "perhaps"}, _wrong_type, "has_next"),
    "null where not nullable": (_get_accounts, {"accounts": [], "has_next": None}, _null_not_nullable, "has_next"),
    "extra field": (_get_accounts, {"has_next": False, "brand_new": {"x": 1}}, _extra_field, None),
    "unknown enum value": (
        _get_accounts,
        {"has_next": False, "accounts": [{"uuid": "a", "platform": "ACCOUNT_PLATFORM_MARS"}]},
        _unknown_enum,
        None,
    ),
    "nested model missing a field": (
        _historical_orders,
        {"has_next": False, "orders": [{"order_id": "o1", "side": "BUY"}]},
        _nested_missing,
        "orders.0",
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_response_shape_reads_leniently_and_strict_raises(
    shape: str, mode: str, keys: TestKeys, server: ScriptedServer, payload: dict[str, Any]
) -> None:
    call, body, check, strict_error = SHAPES[shape]
    payload["body"] = body
    kwargs = {**credentials(keys), "advanced_trade_base_url": server.url}

    def run(**extra: Any) -> Any:
        if mode == "sync":
            with Client(**kwargs, **extra) as client:
                return call(client)

        async def main() -> Any:
            async with AsyncClient(**kwargs, **extra) as client:
                return await call(client)

        return asyncio.run(main())

    check(run())
    if strict_error is None:  # extra fields and new enum values are not errors, strict or not
        check(run(strict_response_validation=True))
        return
    with pytest.raises(APIResponseValidationError) as raised:
        run(strict_response_validation=True)
    assert strict_error in str(raised.value)


def test_strict_per_call_and_with_options(keys: TestKeys, server: ScriptedServer, payload: dict[str, Any]) -> None:
    payload["body"] = {"order_id": "1234"}
    with Client(**credentials(keys), advanced_trade_base_url=server.url) as client:
        assert _create_order(client).success is None
        with pytest.raises(APIResponseValidationError):
            client.advanced_trade.orders.create_order(
                client_order_id="c1",
                product_id="BTC-USD",
                side=at.OrderSide.BUY,
                order_configuration=at.OrderConfiguration(),
                strict_response_validation=True,
            )
        with pytest.raises(APIResponseValidationError):
            _create_order(client.with_options(strict_response_validation=True))
    with Client(**credentials(keys), advanced_trade_base_url=server.url, strict_response_validation=True) as client:
        lenient = client.advanced_trade.orders.create_order(
            client_order_id="c1",
            product_id="BTC-USD",
            side=at.OrderSide.BUY,
            order_configuration=at.OrderConfiguration(),
            strict_response_validation=False,
        )
        assert lenient.success is None


def test_a_response_of_another_kind_altogether_still_raises(keys: TestKeys, server: ScriptedServer, payload: dict[str, Any]) -> None:
    payload["body"] = ["not", "an", "object"]
    with Client(**credentials(keys), advanced_trade_base_url=server.url) as client, pytest.raises(APIResponseValidationError):
        _get_accounts(client)


def test_a_valid_response_stays_on_the_fast_path(
    keys: TestKeys, server: ScriptedServer, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any) -> Any:
        raise AssertionError("the lenient path ran for a valid response")

    monkeypatch.setattr(_base_client, "validate_leniently", never)
    payload["body"] = {"has_next": True, "cursor": "c", "accounts": [{"uuid": "a1", "platform": "ACCOUNT_PLATFORM_INTX"}]}
    with Client(**credentials(keys), advanced_trade_base_url=server.url) as client:
        result = _get_accounts(client)
    assert result.has_next is True and result.model_mismatches() == ()


def test_each_mismatch_is_logged_once_per_model_and_field(
    keys: TestKeys, server: ScriptedServer, payload: dict[str, Any], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lenient, "_logged", set())
    payload["body"] = {"has_next": False, "orders": [{"order_id": "o1"}, {"order_id": "o2"}]}
    with caplog.at_level(logging.WARNING, logger="coinbase_sdk"), Client(**credentials(keys), advanced_trade_base_url=server.url) as client:
        _historical_orders(client)
        _historical_orders(client)
    lines = [r.getMessage() for r in caplog.records if "Order.product_id" in r.getMessage()]
    assert lines == ["response does not match the spec: Order.product_id: missing (kept leniently; logged once)"]


# -- the gateway: an account summary without available_withdrawal_funds -------------------------


def test_gateway_summary_without_a_required_field_still_reads(keys: TestKeys) -> None:
    summaries = json.loads((FIXTURES / "payloads" / "account_summaries_extended.json").read_text())
    for summary in summaries["summaries"]:
        del summary["available_withdrawal_funds"]

    with ScriptedServer(rpc(lambda method, params: summaries)) as server:
        with Client(**credentials(keys), derivatives_base_url=server.url) as client:
            result = client.derivatives.account_management.get_account_summaries(extended=True)
            assert isinstance(result, drv.AccountSummaries) and len(result.summaries) == len(summaries["summaries"])
            assert all(s.available_withdrawal_funds is None and s.balance > 0 for s in result.summaries)
            assert Mismatch(("summaries", 0, "available_withdrawal_funds"), "missing", None) in result.model_mismatches()
            with pytest.raises(APIResponseValidationError, match="available_withdrawal_funds"):
                client.derivatives.account_management.get_account_summaries(strict_response_validation=True)


# -- the official SDK's own mocked responses ------------------------------------------------------


def _endpoints() -> list[tuple[str, re.Pattern[str], str, str]]:
    out = []
    for key, op in API["apis"]["advanced_trade"]["operations"].items():
        method, path = op["endpoint"].split(" ", 1)
        pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")
        out.append((method, pattern, op["returns"], key))
    return out


def _official_cases() -> list[dict[str, Any]]:
    return [c for c in OFFICIAL if not c["case"].startswith("test_rest_base")]


def test_the_official_sdk_suite_has_107_mocked_rest_responses() -> None:
    assert len(_official_cases()) == 107


def test_every_mocked_response_of_the_official_sdk_reads_leniently(keys: TestKeys) -> None:
    """Each of the official SDK's 107 mocked responses, served from a local server, read as its operation's result."""
    endpoints = _endpoints()
    served: dict[str, Any] = {}

    def answer(record: RecordedRequest) -> tuple[int, Any]:
        return 200, served["body"]

    lenient_ok = strict_ok = 0
    with ScriptedServer(answer) as server, Client(**credentials(keys), advanced_trade_base_url=server.url) as client:
        rest = client.advanced_trade.accounts._api
        for case in _official_cases():
            method, path = case["method"], case["path"]
            # The most literal template wins (`historical/batch` over `historical/{order_id}`).
            matches = sorted((p.pattern.count("[^/]+"), r, k) for m, p, r, k in endpoints if m == method and p.match(path))
            assert matches, f"{case['case']}: no operation for {method} {path}"
            _, returns, key = matches[0]
            model = getattr(at, returns)
            served["body"] = copy.deepcopy(case["response"])
            result = rest.request(method, path, _base_client.RequestOptions(), cast_to=model)
            assert isinstance(result, model), key
            lenient_ok += 1
            try:
                rest.request(method, path, _base_client.RequestOptions(strict=True), cast_to=model)
                strict_ok += 1
            except APIResponseValidationError:
                pass
    assert lenient_ok == 107
    # What strict validation (the SDK's behaviour before lenient responses) lets through.
    assert strict_ok == STRICT_PARSE_COUNT


STRICT_PARSE_COUNT = 41
