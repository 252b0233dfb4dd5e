"""The order-flow migration (INTX on Advanced Trade -> the gateway) as data, and the converter that reads it.

`x-order-migration` in `specs/deribit/gateway.openrpc.yaml` maps each `order_configuration` of
Advanced Trade's `create_order` (specs/coinbase/advanced-trade-spec.yaml) to a private/buy or
private/sell call; the `order_migration` plug-in (`plugins/order_migration`), shipped in the SDK as
`coinbase_sdk.derivatives.order_migration`, interprets it. These tests check that the table
covers every variant and every field of the Advanced Trade spec (nothing dropped silently), that
each variant converts (or is refused with a clear error) as the table says, that converted orders
are accepted by the local gateway over HTTP, and that the table's before/after examples run and
agree with the converter.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import coinbase_sdk.models.advanced_trade as at
import pytest
import yaml
from coinbase_sdk import Client
from coinbase_sdk.derivatives.order_migration import GatewayOrder, NoEquivalentError, OrderMigration, order_migration
from coinbase_sdk.models.derivatives import OrderType, OtocoOrder, TimeInForce, Trigger

from generator.cli import main as sdkgen
from tests.conftest import ROOT
from tests.servers import JsonRpcServer, RestServer, TestKeys

SPEC_PATH = ROOT / "specs" / "deribit" / "gateway.openrpc.yaml"
TABLE = yaml.load(SPEC_PATH.read_text(), Loader=yaml.CSafeLoader)["x-order-migration"]  # libyaml: fast
ADVANCED_TRADE = yaml.load((ROOT / "specs" / "coinbase" / "advanced-trade-spec.yaml").read_text(), Loader=yaml.CSafeLoader)
SCHEMAS = ADVANCED_TRADE["components"]["schemas"]
PREFIX = "coinbase.public_api.authed.retail_brokerage_api."
PLAIN = OrderMigration(TABLE)  # plain data out: the plug-in's class on the spec's table
TYPED = order_migration()  # as the SDK ships it: the generated table, typed with the SDK's models


def _ref(schema: dict[str, Any]) -> dict[str, Any]:
    target = (schema.get("allOf") or [schema])[0]["$ref"]
    resolved: dict[str, Any] = SCHEMAS[target.rsplit("/", 1)[1]]
    return resolved


def variant_fields(variant: str) -> set[str]:
    return set(_ref(SCHEMAS[PREFIX + "OrderConfiguration"]["properties"][variant])["properties"])


def convert(configuration: dict[str, Any], *, side: str = "BUY", allow: tuple[str, ...] = (), **extra: Any) -> GatewayOrder:
    return PLAIN.convert(
        client_order_id="cid-1", product_id="BTC-PERP-INTX", side=side, order_configuration=configuration, allow=allow, **extra
    )


# -- the table covers the Advanced Trade spec ----------------------------------------------------


def test_every_order_configuration_of_the_advanced_trade_spec_is_in_the_table() -> None:
    assert set(TABLE["variants"]) == set(SCHEMAS[PREFIX + "OrderConfiguration"]["properties"])


@pytest.mark.parametrize("variant", sorted(TABLE["variants"]))
def test_every_field_of_each_configuration_is_mapped_or_refused_with_a_reason(variant: str) -> None:
    rules = TABLE["variants"][variant]["fields"]
    assert {r["from"] for r in rules} == variant_fields(variant)
    entry = TABLE["variants"][variant]
    for rule in rules:
        assert rule["to"] is not None or rule.get("note") or entry.get("equivalent") == "none", (variant, rule["from"])


def test_every_create_order_field_is_mapped_or_refused_with_a_reason() -> None:
    verb, path = TABLE["source"]["operation"].split(" ")
    schema = ADVANCED_TRADE["paths"][path][verb.lower()]["requestBody"]["content"]["application/json"]["schema"]
    body = set(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]["properties"])
    assert {r["from"] for r in TABLE["fields"]} | {"order_configuration"} == body
    assert all(r["to"] is not None or r["note"] for r in TABLE["fields"])


def test_client_order_id_becomes_a_label_and_the_table_says_why_it_is_no_idempotency_key() -> None:
    rule = next(r for r in TABLE["fields"] if r["from"] == "client_order_id")
    assert rule["to"] == "label" and "not unique" in rule["note"] and "idempotency key" in rule["note"]
    order = convert({"limit_limit_gtc": {"base_size": "0.01", "limit_price": "64000.5"}})
    assert order.arguments["label"] == "cid-1"


# -- each configuration --------------------------------------------------------------------------


def test_market_ioc_is_a_market_order_immediate_or_cancel() -> None:
    order = convert({"market_market_ioc": {"base_size": "0.01"}}, side="SELL")
    assert order.method == "private/sell" and order.python_name == "sell"
    assert order.arguments == {
        "instrument_name": "BTC_USDC-PERPETUAL", "label": "cid-1", "type": "market", "time_in_force": "immediate_or_cancel",
        "amount": Decimal("0.01"),
    }  # fmt: skip


@pytest.mark.parametrize("variant", ["market_market_ioc", "market_market_fok", "sor_limit_ioc", "limit_limit_gtc", "limit_limit_fok"])
def test_a_quote_size_has_no_equivalent(variant: str) -> None:
    with pytest.raises(NoEquivalentError, match=rf"order_configuration\.{variant}\.quote_size .*base currency"):
        convert(
            {
                variant: {"quote_size": "100", "limit_price": "64000"}
                if "limit" in variant
                else {variant: {}}[variant] | {"quote_size": "100"}
            }
        )


def test_market_fok_is_a_market_order_fill_or_kill() -> None:
    assert convert({"market_market_fok": {"base_size": "0.5"}}).arguments["time_in_force"] == "fill_or_kill"


def test_sor_limit_ioc_is_a_limit_order_immediate_or_cancel() -> None:
    args = convert({"sor_limit_ioc": {"base_size": "0.01", "limit_price": "64000.5"}}).arguments
    assert (args["type"], args["time_in_force"], args["price"]) == ("limit", "immediate_or_cancel", Decimal("64000.5"))


def test_limit_gtc_post_only_is_sent_as_post_only_with_reject() -> None:
    args = convert({"limit_limit_gtc": {"base_size": "0.01", "limit_price": "64000.5", "post_only": True}}).arguments
    assert (args["type"], args["time_in_force"]) == ("limit", "good_til_cancelled")
    assert args["post_only"] is True and args["reject_post_only"] is True


def test_limit_fok_is_a_limit_order_fill_or_kill() -> None:
    assert convert({"limit_limit_fok": {"base_size": "1", "limit_price": "64000"}}).arguments["time_in_force"] == "fill_or_kill"


@pytest.mark.parametrize("variant", ["limit_limit_gtd", "stop_limit_stop_limit_gtd", "trigger_bracket_gtd"])
def test_good_till_date_has_no_equivalent_unless_the_caller_accepts_good_til_day(variant: str) -> None:
    values: dict[str, Any] = {"base_size": "0.01", "limit_price": "64000", "end_time": "2026-12-31T00:00:00Z"}
    if variant.startswith("stop"):
        values |= {"stop_price": "63000", "stop_direction": "STOP_DIRECTION_STOP_DOWN"}
    if variant.startswith("trigger"):
        values |= {"stop_trigger_price": "60000"}
    with pytest.raises(NoEquivalentError, match=rf"{variant}\.end_time has no equivalent on the gateway: Good-till-date"):
        convert({variant: values}, side="SELL")
    order = convert({variant: values}, side="SELL", allow=(f"{variant}.end_time",))
    assert order.arguments["time_in_force"] == "good_til_day" and order.dropped == (f"{variant}.end_time",)


@pytest.mark.parametrize(
    ("side", "direction", "order_type"),
    [
        ("BUY", "STOP_DIRECTION_STOP_UP", "stop_limit"),
        ("BUY", "STOP_DIRECTION_STOP_DOWN", "take_limit"),
        ("SELL", "STOP_DIRECTION_STOP_DOWN", "stop_limit"),
        ("SELL", "STOP_DIRECTION_STOP_UP", "take_limit"),
    ],
)
def test_stop_limit_is_a_stop_or_take_order_by_its_direction_triggered_by_the_last_price(
    side: str, direction: str, order_type: str
) -> None:
    values = {"base_size": "0.01", "limit_price": "59000", "stop_price": "59500", "stop_direction": direction}
    args = convert({"stop_limit_stop_limit_gtc": values}, side=side).arguments
    assert (args["type"], args["trigger"], args["time_in_force"]) == (order_type, "last_price", "good_til_cancelled")
    assert (args["price"], args["trigger_price"]) == (Decimal("59000"), Decimal("59500"))


def test_a_stop_limit_without_a_direction_is_refused() -> None:
    with pytest.raises(NoEquivalentError, match="stop_direction None with side BUY maps to no order type"):
        convert({"stop_limit_stop_limit_gtc": {"base_size": "0.01", "limit_price": "59000", "stop_price": "59500"}})


def test_a_trigger_bracket_is_a_limit_order_with_a_linked_stop() -> None:
    args = convert(
        {"trigger_bracket_gtc": {"base_size": "0.01", "limit_price": "70000", "stop_trigger_price": "60000"}}, side="SELL"
    ).arguments
    assert (args["type"], args["price"], args["linked_order_type"]) == ("limit", Decimal("70000"), "one_cancels_other")
    assert args["otoco_config"] == [
        {"direction": "sell", "type": "stop_market", "trigger_price": Decimal("60000"), "trigger": "last_price"}
    ]


@pytest.mark.parametrize("variant", ["twap_limit_gtd", "scaled_limit_gtc"])
def test_twap_and_scaled_orders_have_no_equivalent(variant: str) -> None:
    with pytest.raises(NoEquivalentError, match=rf"order_configuration\.{variant} has no equivalent on the gateway: The gateway has no"):
        convert({variant: {"base_size": "1"}})


def test_an_attached_bracket_becomes_a_take_profit_and_a_stop_loss_on_the_other_side() -> None:
    order = convert(
        {"limit_limit_gtc": {"base_size": "0.01", "limit_price": "64000"}},
        attached_order_configuration={"trigger_bracket_gtc": {"limit_price": "68000", "stop_trigger_price": "62000"}},
    )
    assert order.arguments["linked_order_type"] == "one_triggers_one_cancels_other"
    assert order.arguments["otoco_config"] == [
        {"direction": "sell", "type": "limit", "price": Decimal("68000"), "reduce_only": True},
        {"direction": "sell", "type": "stop_market", "trigger_price": Decimal("62000"), "trigger": "last_price", "reduce_only": True},
    ]


def test_only_a_bracket_can_be_attached() -> None:
    with pytest.raises(
        NoEquivalentError,
        match="attached_order_configuration.limit_limit_gtc has no equivalent on the gateway: only trigger_bracket_gtc can be attached",
    ):
        convert({"market_market_ioc": {"base_size": "1"}}, attached_order_configuration={"limit_limit_gtc": {"limit_price": "1"}})


# -- the request's other fields ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("leverage", "3", "no per-order leverage"),
        ("margin_type", "ISOLATED", "private/change_margin_model"),
        ("preview_id", "b40bbff9", "no order preview"),
        ("retail_portfolio_id", "11111111", "no portfolio argument"),
        ("sor_preference", "SOR_ENABLED", "spot feature"),
    ],
)
def test_fields_without_an_equivalent_are_refused_unless_allowed(name: str, value: str, reason: str) -> None:
    configuration = {"market_market_ioc": {"base_size": "1"}}
    with pytest.raises(NoEquivalentError, match=rf"^{name} has no equivalent on the gateway: .*{re.escape(reason)}"):
        convert(configuration, **{name: value})
    assert convert(configuration, allow=(name,), **{name: value}).dropped == (name,)


def test_spot_products_stay_on_advanced_trade() -> None:
    with pytest.raises(
        NoEquivalentError, match=r"product_id 'BTC-USD' has no equivalent on the gateway: Spot products .*Coinbase Exchange"
    ):
        PLAIN.convert(product_id="BTC-USD", side="BUY", order_configuration={"market_market_ioc": {"base_size": "1"}})


def test_the_symbol_mapping_renames_intx_perpetuals() -> None:
    assert PLAIN.instrument("BTC-PERP-INTX") == "BTC_USDC-PERPETUAL"
    assert PLAIN.instrument("SOL-PERP-INTX") == "SOL_USDC-PERPETUAL"
    assert PLAIN.instrument("ETH_USDC-PERPETUAL") == "ETH_USDC-PERPETUAL"


def test_a_label_longer_than_the_gateway_takes_is_refused() -> None:
    with pytest.raises(NoEquivalentError, match="at most 64 characters"):
        PLAIN.convert(
            client_order_id="x" * 65, product_id="BTC-PERP-INTX", side="BUY", order_configuration={"market_market_ioc": {"base_size": "1"}}
        )


def test_sdk_models_convert_like_plain_data_and_arguments_come_out_typed() -> None:
    order = TYPED.convert(
        client_order_id="cid-2",
        product_id="BTC-PERP-INTX",
        side=at.OrderSide.BUY,
        order_configuration=at.OrderConfiguration(
            limit_limit_gtc=at.LimitLimitGtc(base_size=Decimal("0.010"), limit_price=Decimal("64000.50"))
        ),
        attached_order_configuration=at.OrderConfiguration(
            trigger_bracket_gtc=at.TriggerBracketGtc(limit_price=Decimal("68000"), stop_trigger_price=Decimal("62000"))
        ),
    )
    args = order.arguments
    assert args["type"] is OrderType.LIMIT and args["time_in_force"] is TimeInForce.GOOD_TIL_CANCELLED
    assert str(args["amount"]) == "0.010" and str(args["price"]) == "64000.50"  # digit for digit
    assert all(isinstance(leg, OtocoOrder) for leg in args["otoco_config"])
    assert args["otoco_config"][1].trigger is Trigger.LAST_PRICE


# -- converted orders on the wire ----------------------------------------------------------------

CONVERTIBLE = {
    "market_market_ioc": {"base_size": "0.01"},
    "market_market_fok": {"base_size": "0.01"},
    "sor_limit_ioc": {"base_size": "0.01", "limit_price": "64000"},
    "limit_limit_gtc": {"base_size": "0.01", "limit_price": "64000", "post_only": True},
    "limit_limit_gtd": {"base_size": "0.01", "limit_price": "64000", "end_time": "2026-12-31T00:00:00Z"},
    "limit_limit_fok": {"base_size": "0.01", "limit_price": "64000"},
    "stop_limit_stop_limit_gtc": {"base_size": "0.01", "limit_price": "66000", "stop_price": "65500", "stop_direction": "STOP_DIRECTION_STOP_UP"},
    "stop_limit_stop_limit_gtd": {
        "base_size": "0.01", "limit_price": "66000", "stop_price": "65500", "stop_direction": "STOP_DIRECTION_STOP_UP",
        "end_time": "2026-12-31T00:00:00Z",
    },
    "trigger_bracket_gtc": {"base_size": "0.01", "limit_price": "60000", "stop_trigger_price": "70000"},
    "trigger_bracket_gtd": {"base_size": "0.01", "limit_price": "60000", "stop_trigger_price": "70000", "end_time": "2026-12-31T00:00:00Z"},
}  # fmt: skip


def test_every_configuration_is_either_convertible_or_refused_as_a_whole() -> None:
    refused = {name for name, v in TABLE["variants"].items() if v.get("equivalent") == "none"}
    assert set(CONVERTIBLE) | refused == set(TABLE["variants"]) and not set(CONVERTIBLE) & refused


@pytest.fixture
def gateway_client(keys: TestKeys, rpc_server: JsonRpcServer) -> Iterator[Client]:
    rpc_server.exchange.place("sell", "BTC_USDC-PERPETUAL", "1", "64500")
    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, derivatives_base_url=rpc_server.url) as client:
        yield client


@pytest.mark.parametrize("variant", sorted(CONVERTIBLE))
def test_each_converted_configuration_is_accepted_by_the_gateway(variant: str, gateway_client: Client, rpc_server: JsonRpcServer) -> None:
    order = TYPED.convert(
        client_order_id=f"mig-{variant}",
        product_id="BTC-PERP-INTX",
        side="BUY",
        order_configuration={variant: CONVERTIBLE[variant]},
        allow=(f"{variant}.end_time",),
    )
    placed = order.place(gateway_client.derivatives.trading)
    assert placed.order.label == f"mig-{variant}" and placed.order.amount == 0.01
    assert rpc_server.requests[-1].rpc_method == "private/buy" and rpc_server.requests[-1].rpc_error_code is None


# -- the examples: before and after run, and the converter agrees ---------------------------------


class Recorder:
    """Stands for a client in the examples: records the one call made through it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        recorder = self

        class Path:
            def __init__(self, path: str) -> None:
                self.path = path

            def __getattr__(self, part: str) -> Path:
                return Path(f"{self.path}.{part}")

            def __call__(self, **kwargs: Any) -> None:
                recorder.calls.append((self.path, kwargs))

        return Path(name)


def namespace(client: Any) -> dict[str, Any]:
    names = {
        n: getattr(at, n)
        for n in ("OrderSide", "OrderConfiguration", "LimitLimitGtc", "MarketMarketIoc", "StopLimitStopLimitGtc", "StopPriceDirection")
    }
    return {"client": client, "Decimal": Decimal, "OrderType": OrderType, "TimeInForce": TimeInForce, "Trigger": Trigger, **names}


PAGE = (ROOT / "generated" / "docs" / "migration.md").read_text(encoding="utf-8")
PAGE_EXAMPLE = re.compile(
    r"^#### (?P<title>[^\n]+)\n\nBefore:\n\n```python\n(?P<before>.*?)```\n\nAfter:\n\n```python\n(?P<after>.*?)```",
    re.S | re.M,
)
PAGE_EXAMPLES = [m.groupdict() for m in PAGE_EXAMPLE.finditer(PAGE)]


def test_the_migration_page_shows_every_example_of_the_table() -> None:
    assert [e["title"] for e in PAGE_EXAMPLES] == [e["summary"] for e in TABLE["examples"]]
    assert [(e["before"], e["after"]) for e in PAGE_EXAMPLES] == [(e["before"], e["after"]) for e in TABLE["examples"]]


def test_the_migration_page_is_rendered_from_the_table() -> None:
    section = PAGE[PAGE.index("## Orders: " + TABLE["summary"]) :]
    for name, variant in TABLE["variants"].items():
        assert f"#### `{name}`" + (": no equivalent" if variant.get("equivalent") == "none" else "") in section
        for rule in variant["fields"]:
            assert f"| `{rule['from']}` |" in section or f"`{rule['from']}`" in section
    for rule in TABLE["fields"]:
        assert f"| `{rule['from']}` | " + (f"`{rule['to']}`" if rule["to"] else "no equivalent") in section
    assert "exact_numbers=True" in section and "no idempotency key" in section
    assert "order_migration.convert_order(" in section


@pytest.mark.parametrize("example", PAGE_EXAMPLES, ids=lambda e: e["title"])
def test_each_example_after_is_what_the_converter_makes_of_before(example: dict[str, Any]) -> None:
    before, after = Recorder(), Recorder()
    exec(example["before"], namespace(before))  # noqa: S102 - the page's own example code
    exec(example["after"], namespace(after))  # noqa: S102
    [(source, request)] = before.calls
    [(target, arguments)] = after.calls
    assert source == TABLE["source"]["call"].removeprefix("client.")
    order = TYPED.convert(**request)
    assert target == f"derivatives.trading.{order.python_name}"
    assert order.arguments == arguments


@pytest.mark.parametrize("example", PAGE_EXAMPLES, ids=lambda e: e["title"])
def test_each_example_of_the_page_runs_against_the_local_servers(
    example: dict[str, Any], keys: TestKeys, rpc_server: JsonRpcServer, rest_server: RestServer
) -> None:
    credentials = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64}
    with Client(advanced_trade_base_url=rest_server.url, derivatives_base_url=rpc_server.url, **credentials) as client:
        exec(example["before"], namespace(client))  # noqa: S102
        exec(example["after"], namespace(client))  # noqa: S102
    assert rest_server.requests[-1].path == "/api/v3/brokerage/orders" and rest_server.requests[-1].status == 200
    assert rpc_server.requests[-1].rpc_method in ("private/buy", "private/sell") and rpc_server.requests[-1].rpc_error_code is None


def test_each_endpoint_of_the_table_is_an_advanced_trade_endpoint_and_on_the_page() -> None:
    section = PAGE[PAGE.index("### Endpoints") :]
    for endpoint in TABLE["endpoints"]:
        verb, path = endpoint["from"].split(" ")
        assert verb.lower() in ADVANCED_TRADE["paths"][path], endpoint["from"]
        row = next(line for line in section.splitlines() if line.startswith(f"| `{endpoint['from']}` |"))
        assert all(f"`{method}`" in row for method in endpoint["to"]) and (endpoint["to"] or "no equivalent" in row)


def test_a_migration_table_naming_a_method_the_api_lacks_is_an_error_that_points_at_it(tmp_path: Path) -> None:
    spec = yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    spec["x-order-migration"]["endpoints"][0]["to"] = ["private/buy", "private/purchase"]
    broken = tmp_path / "gateway.yaml"
    broken.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        code = sdkgen(["generate", "--openrpc", str(broken), "--output", str(tmp_path / "out"), "--package", "gw_sdk"])
    assert code != 0
    assert "'private/purchase' is not a method of this API" in errors.getvalue()
    assert "/x-order-migration/endpoints/0/to" in errors.getvalue()


def test_the_sdk_converter_takes_create_orders_typed_arguments_and_places_the_order(
    gateway_client: Client, rpc_server: JsonRpcServer
) -> None:
    import inspect

    from coinbase_sdk.derivatives.order_migration import convert_order

    from_create_order = inspect.signature(Client(api_key_name="k", api_private_key=None).advanced_trade.orders.create_order).parameters
    params = inspect.signature(convert_order).parameters
    assert [p for p in params if p != "allow"] == [
        p
        for p in from_create_order
        if p
        not in (
            "extra_headers",
            "extra_query",
            "extra_body",
            "timeout",
            "total_timeout",
            "max_retries",
            "max_response_bytes",
            "strict_response_validation",
        )
    ]
    assert params["side"].annotation == "OrderSide" and params["order_configuration"].annotation == "OrderConfiguration"
    order = convert_order(
        client_order_id="typed-1",
        product_id="BTC-PERP-INTX",
        side=at.OrderSide.BUY,
        order_configuration=at.OrderConfiguration(
            limit_limit_fok=at.LimitLimitFok(base_size=Decimal("0.01"), limit_price=Decimal("64600"))
        ),
        leverage=Decimal("3"),
        allow=["leverage"],
    )
    assert order.dropped == ("leverage",) and order.arguments["time_in_force"] is TimeInForce.FILL_OR_KILL
    placed = order.place(gateway_client.derivatives.trading)
    assert placed.order.label == "typed-1" and rpc_server.requests[-1].rpc_method == "private/buy"
