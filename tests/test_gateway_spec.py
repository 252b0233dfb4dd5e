"""The gateway spec's trading and market-data methods, as the generated SDK exposes them (issue 19).

`api.json` lists every method of Coinbase's INTX -> gateway endpoint mapping; retry safety is
explicit per method (placing and editing are never re-sent, cancels and reads are); order state,
direction, order type, time in force and trigger are open enums; prices and amounts are
`float | Decimal`; every example of the spec reads into its method's typed result; and every new
method answers over HTTP from the local gateway and parses.
"""

from __future__ import annotations

import json
import typing
from decimal import Decimal
from typing import Any

import pytest
import yaml
from coinbase_sdk import Client, NotGiven
from coinbase_sdk._models import SDKEnum
from coinbase_sdk.derivatives.market_data import MarketData
from coinbase_sdk.derivatives.session_management import SessionManagement
from coinbase_sdk.derivatives.trading import Trading
from coinbase_sdk.models.derivatives import Direction, OrderState, OrderType, TimeInForce, Trigger
from pydantic import TypeAdapter

from tests.conftest import ROOT
from tests.servers import JsonRpcServer, TestKeys

SPEC = yaml.load((ROOT / "specs" / "deribit" / "gateway.openrpc.yaml").read_text(), Loader=yaml.CSafeLoader)  # libyaml: fast
API = json.loads((ROOT / "generated" / "coinbase_sdk" / "api.json").read_text())["apis"]["derivatives"]["operations"]
# Issue 19's list: the methods of Coinbase's endpoint mapping and the siblings a trader needs.
NEW_METHODS = {
    "private/buy": False, "private/sell": False, "private/edit": False, "private/edit_by_label": False,
    "private/close_position": False,
    "private/cancel": True, "private/cancel_all": True, "private/cancel_all_by_currency": True,
    "private/cancel_all_by_instrument": True, "private/cancel_by_label": True,
    "private/get_open_orders": True, "private/get_open_orders_by_currency": True, "private/get_open_orders_by_instrument": True,
    "private/get_order_state": True, "private/get_order_history_by_currency": True, "private/get_order_history_by_instrument": True,
    "private/get_user_trades_by_currency": True, "private/get_user_trades_by_instrument": True, "private/get_user_trades_by_order": True,
    "public/get_instruments": True, "public/get_instrument": True, "public/get_order_book": True, "public/ticker": True,
    "public/get_tradingview_chart_data": True, "public/get_time": True,
}  # fmt: skip
BY_RPC = {op["endpoint"].removeprefix("rpc "): (key, op) for key, op in API.items()}
GROUPS = {"trading": Trading, "market_data": MarketData, "session_management": SessionManagement}


def test_api_json_lists_every_method_of_the_mapping() -> None:
    assert set(NEW_METHODS) <= set(BY_RPC), sorted(set(NEW_METHODS) - set(BY_RPC))
    assert BY_RPC["private/buy"][0] == "trading.buy" and BY_RPC["public/ticker"][0] == "market_data.ticker"


@pytest.mark.parametrize("method", sorted(NEW_METHODS))
def test_retry_safety_is_what_the_issue_asks(method: str) -> None:
    assert BY_RPC[method][1]["idempotent"] is NEW_METHODS[method]


def test_every_method_of_the_spec_states_its_retry_safety() -> None:
    missing = [m["name"] for m in SPEC["methods"] if not isinstance(m.get("x-idempotent"), bool)]
    assert missing == []


@pytest.mark.parametrize("enum", [OrderState, Direction, OrderType, TimeInForce, Trigger])
def test_order_fields_are_open_enums(enum: type[SDKEnum]) -> None:
    assert issubclass(enum, SDKEnum)
    unknown = enum("a_value_added_later")
    assert unknown.value == "a_value_added_later" and not unknown.is_known


def test_the_gateway_order_types_and_time_in_force_values_are_the_notes() -> None:
    assert {t.value for t in OrderType} == {
        "limit", "market", "stop_market", "stop_limit", "take_limit", "take_market", "market_limit", "trailing_stop",
    }  # fmt: skip
    assert {t.value for t in TimeInForce} == {"good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"}


def test_prices_and_amounts_are_float_or_decimal() -> None:
    hints = typing.get_type_hints(Trading.buy)
    for name in ("amount", "price", "trigger_price", "display_amount"):
        assert set(typing.get_args(hints[name])) - {NotGiven} == {float, Decimal}, name  # optional: NOT_GIVEN by default


def _result_type(method: str) -> Any:
    key, _ = BY_RPC[method]
    group, name = key.split(".")
    return typing.get_type_hints(getattr(GROUPS[group], name))["return"]


@pytest.mark.parametrize(
    ("method", "example"),
    [(m["name"], e) for m in SPEC["methods"] if m["name"] in NEW_METHODS for e in m.get("examples", [])],
    ids=lambda v: v if isinstance(v, str) else v["name"],
)
def test_each_example_reads_into_the_typed_result(method: str, example: dict[str, Any]) -> None:
    result = TypeAdapter(_result_type(method)).validate_python(example["result"]["value"])
    assert result is not None


def test_every_new_method_answers_from_the_local_gateway_and_parses(keys: TestKeys, rpc_server: JsonRpcServer) -> None:
    btc = "BTC_USDC-PERPETUAL"
    rpc_server.exchange.place("sell", btc, "0.05", "64250.5")
    rpc_server.exchange.place("buy", btc, "0.05", "64000")
    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        trading, market = client.derivatives.trading, client.derivatives.market_data
        bought = trading.buy(instrument_name=btc, amount=0.01, type=OrderType.MARKET, label="all-1")
        resting = trading.sell(instrument_name=btc, amount=0.002, price=70000, label="all-2")
        trading.edit(order_id=resting.order.order_id, price=69999.5)
        trading.edit_by_label(label="all-2", instrument_name=btc, amount=0.003)
        stop = trading.sell(instrument_name=btc, amount=0.001, type=OrderType.STOP_MARKET, trigger_price=60000, trigger=Trigger.LAST_PRICE)
        assert stop.order.order_state is OrderState.UNTRIGGERED
        assert len(trading.get_open_orders()) == 2
        assert len(trading.get_open_orders_by_currency(currency="USDC")) == 2
        assert len(trading.get_open_orders_by_instrument(instrument_name=btc)) == 2
        assert trading.get_order_state(order_id=bought.order.order_id).order_state is OrderState.FILLED
        assert [o.order_id for o in trading.get_order_history_by_currency(currency="USDC")] == [bought.order.order_id]
        assert [o.order_id for o in trading.get_order_history_by_instrument(instrument_name=btc)] == [bought.order.order_id]
        assert len(trading.get_user_trades_by_currency(currency="USDC").trades) == 1
        assert len(trading.get_user_trades_by_instrument(instrument_name=btc).trades) == 1
        assert len(trading.get_user_trades_by_order(order_id=bought.order.order_id)) == 1
        assert trading.cancel(order_id=stop.order.order_id).order_state is OrderState.CANCELLED
        assert trading.cancel_all_by_instrument(instrument_name=btc).root == 1
        assert trading.cancel_all_by_currency(currency="USDC").root == 0
        assert trading.cancel_by_label(label="nothing").root == 0
        assert trading.cancel_all(detailed=True).root == []
        closed = trading.close_position(instrument_name=btc, type="market")
        assert closed.order.reduce_only is True and closed.order.direction is Direction.SELL
        assert [i.instrument_name for i in market.get_instruments(currency="USDC")] == [btc, "ETH_USDC-PERPETUAL"]
        assert market.get_instrument(instrument_name=btc).contract_size == 0.001
        book = market.get_order_book(instrument_name=btc, depth=1)
        assert book.best_bid_price == 64000 and book.asks[0][0] == 64250.5
        assert market.ticker(instrument_name=btc).last_price == 64000
        candles = market.get_tradingview_chart_data(instrument_name=btc, start_timestamp=0, end_timestamp=2**53, resolution="1D")
        assert candles.status == "ok" and candles.close == [64000]
        assert client.derivatives.session_management.get_time() > 1_700_000_000_000
    called = {r.rpc_method for r in rpc_server.requests}
    assert set(NEW_METHODS) <= called, sorted(set(NEW_METHODS) - called)


def test_a_detailed_mass_cancel_reads_as_reports(keys: TestKeys, rpc_server: JsonRpcServer) -> None:
    from coinbase_sdk.models.derivatives import CancelReport, Order, OrderState

    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        trading = client.derivatives.trading
        trading.buy(instrument_name="BTC_USDC-PERPETUAL", amount=0.001, price=60000)
        trading.buy(instrument_name="ETH_USDC-PERPETUAL", amount=0.01, price=3000)
        reports = trading.cancel_all(detailed=True).root
    assert isinstance(reports, list) and all(isinstance(r, CancelReport) for r in reports)
    assert [(r.currency, r.type, len(r.cancelled_orders or [])) for r in reports] == [("USDC", "limit", 2)]
    cancelled = reports[0].cancelled_orders or []
    assert all(isinstance(o, Order) for o in cancelled)  # typed, not plain objects
    assert sorted(o.instrument_name for o in cancelled) == ["BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL"]
    assert all(o.order_state == OrderState.CANCELLED for o in cancelled)
