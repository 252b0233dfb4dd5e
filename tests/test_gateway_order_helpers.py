"""Order helpers generated from `x-sdkgen-variants`, checked against Coinbase's official SDK.

coinbase-advanced-py 1.8.4 writes 54 order helpers by hand (`market_order_buy`,
`limit_order_gtc_sell`, `preview_stop_limit_order_gtd`, ...). sdkgen generates their equivalent
from `specs/coinbase/overlay-order-helpers.yaml`, which marks `order_configuration` as a union of
configurations. `tests/fixtures/official_order_bodies.json` holds the official helpers' arguments
and the request bodies they send (captured by `tests/fixtures/capture_official_order_bodies.py` from
the wheel, read-only). Each test calls the generated helper of the same name with the same
arguments, over a real socket against the local Advanced Trade server, and compares the body the
server received with the official one. The last tests run the mechanism on a vendor-free spec.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import coinbase_sdk.models.advanced_trade as at
import pytest
import yaml
from coinbase_sdk import AsyncClient, Client
from coinbase_sdk.advanced_trade.orders import AsyncOrders, Orders

from generator.cli import main as sdkgen
from tests.conftest import ROOT
from tests.servers import RestServer, TestKeys

OFFICIAL = json.loads((ROOT / "tests" / "fixtures" / "official_order_bodies.json").read_text(encoding="utf-8"))
# The one argument of the official helpers that the Advanced Trade spec does not describe (its
# create-order body has no `self_trade_prevention_id`): not captured, so bodies compare whole.
NOT_IN_THE_SPEC = "self_trade_prevention_id"
DECIMALS = {"base_size", "quote_size", "limit_price", "stop_price", "stop_trigger_price", "leverage"}
OVERLAY = yaml.safe_load((ROOT / "specs" / "coinbase" / "overlay-order-helpers.yaml").read_text(encoding="utf-8"))
ADVANCED_TRADE = yaml.load((ROOT / "specs" / "coinbase" / "advanced-trade-spec.yaml").read_text(), Loader=yaml.CSafeLoader)
CONFIGURATIONS = list(
    ADVANCED_TRADE["components"]["schemas"]["coinbase.public_api.authed.retail_brokerage_api.OrderConfiguration"]["properties"]
)


def typed(arguments: dict[str, Any]) -> dict[str, Any]:
    """The official helper's string arguments as the generated signature types them."""
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        if name in DECIMALS:
            out[name] = Decimal(value)
        elif name == "side":
            out[name] = at.OrderSide(value)
        elif name == "stop_direction":
            out[name] = at.StopPriceDirection(value)
        elif name == "margin_type":
            out[name] = at.MarginType(value)
        else:
            out[name] = value
    return out


def sent_body(server: RestServer) -> tuple[str, dict[str, Any]]:
    record = server.requests[-1]
    return record.path, json.loads(record.body)


@pytest.fixture
def client(keys: TestKeys, rest_server: RestServer) -> Any:
    with Client(api_key_name=keys.ed25519_key_name, api_private_key=keys.ed25519_secret_b64, advanced_trade_base_url=rest_server.url) as c:
        yield c


def test_the_fixture_holds_every_official_order_helper() -> None:
    assert len(OFFICIAL) == 54
    assert all(NOT_IN_THE_SPEC not in case["body"] for case in OFFICIAL.values())


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_each_generated_helper_sends_the_official_sdks_body(name: str, client: Client, rest_server: RestServer) -> None:
    case = OFFICIAL[name]
    helper = getattr(client.advanced_trade.orders, name)
    helper(**typed(case["arguments"]))
    path, body = sent_body(rest_server)
    assert path == case["endpoint"]
    assert body == case["body"]


@pytest.mark.parametrize("name", ["market_order_buy", "preview_limit_order_gtd_sell", "trigger_bracket_order_gtc"])
def test_the_async_helpers_send_the_same_bodies(name: str, keys: TestKeys, rest_server: RestServer) -> None:
    case = OFFICIAL[name]

    async def run() -> None:
        credentials = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64}
        async with AsyncClient(advanced_trade_base_url=rest_server.url, **credentials) as client:
            await getattr(client.advanced_trade.orders, name)(**typed(case["arguments"]))

    asyncio.run(run())
    assert sent_body(rest_server) == (case["endpoint"], case["body"])


def test_every_configuration_has_a_create_and_a_preview_helper_per_side() -> None:
    stems = OVERLAY["actions"][0]["update"]["x-sdkgen-variants"]["stems"]
    assert set(stems) == set(CONFIGURATIONS)
    for stem in stems.values():
        for name in (stem, f"{stem}_buy", f"{stem}_sell", f"preview_{stem}", f"preview_{stem}_buy", f"preview_{stem}_sell"):
            assert callable(getattr(Orders, name)) and inspect.iscoroutinefunction(getattr(AsyncOrders, name)), name


def test_a_helper_flattens_its_configurations_fields_typed_and_documented() -> None:
    signature = inspect.signature(Orders.stop_limit_order_gtd_sell)
    assert "side" not in signature.parameters and "order_configuration" not in signature.parameters
    assert {"base_size", "limit_price", "stop_price", "end_time", "stop_direction"} <= set(signature.parameters)
    assert signature.parameters["limit_price"].annotation == "Decimal | None"
    assert signature.parameters["stop_direction"].annotation == "StopPriceDirection | None"
    doc = inspect.getdoc(Orders.stop_limit_order_gtd_sell) or ""
    assert "side=OrderSide.SELL" in doc and "stop_limit_stop_limit_gtd.stop_price" in doc


def test_only_the_fields_given_are_sent(client: Client, rest_server: RestServer) -> None:
    client.advanced_trade.orders.market_order_buy(client_order_id="c1", product_id="BTC-USD", quote_size=Decimal("10.00"))
    assert sent_body(rest_server)[1] == {
        "client_order_id": "c1",
        "product_id": "BTC-USD",
        "side": "BUY",
        "order_configuration": {"market_market_ioc": {"quote_size": "10.00"}},
    }


def test_configurations_the_official_sdk_has_no_helper_for_get_one_too(client: Client, rest_server: RestServer) -> None:
    client.advanced_trade.orders.twap_order_gtd_sell(
        client_order_id="c2",
        product_id="BTC-USD",
        base_size=Decimal("1"),
        limit_price=Decimal("64000"),
        start_time="2026-12-01T00:00:00Z",
        end_time="2026-12-02T00:00:00Z",
        number_buckets="24",
    )
    body = sent_body(rest_server)[1]
    assert body["side"] == "SELL" and set(body["order_configuration"]) == {"twap_limit_gtd"}
    assert body["order_configuration"]["twap_limit_gtd"]["limit_price"] == "64000"


# -- the mechanism, on a spec that is not Coinbase's -----------------------------------------------

SHOP = ROOT / "tests" / "fixtures" / "specs" / "variants_shop.yaml"


def generate_shop(tmp_path: Path, spec: Path = SHOP) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stderr(out):
        code = sdkgen(["generate", "--openapi", str(spec), "--output", str(tmp_path / "out"), "--package", "shop_sdk"])
    return code, out.getvalue()


class Recording(BaseHTTPRequestHandler):
    bodies: list[Any] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        Recording.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        payload = b'{"id": "s1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


def test_any_spec_gets_helpers_per_configuration_and_per_split_value(tmp_path: Path) -> None:
    code, errors = generate_shop(tmp_path)
    assert code == 0, errors
    program = """
import inspect, sys
from shop_sdk import Client
from shop_sdk.models.shop import Speed
with Client(shop_base_url=sys.argv[1]) as client:
    shipments = client.shop.shipments
    names = sorted(n for n in dir(shipments) if n.startswith("ship_"))
    print(names)
    print(list(inspect.signature(shipments.ship_pickup_point_express).parameters)[:3])
    shipments.ship_home(order_id="o1", speed=Speed.STANDARD, street="Main St 1")
    shipments.ship_home_express(order_id="o2", street="Main St 2", floor=3)
    shipments.ship_pickup_point_standard(order_id="o3", point_id="p9", body_order_id="inner")
"""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recording.bodies = []
    try:
        env = {**os.environ, "PYTHONPATH": str(tmp_path / "out")}
        done = subprocess.run(
            [sys.executable, "-c", program, f"http://127.0.0.1:{server.server_address[1]}"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    names, first_params = done.stdout.splitlines()
    assert names == str(sorted(f"ship_{stem}{suffix}" for stem in ("home", "pickup_point") for suffix in ("", "_express", "_standard")))
    assert first_params == "['order_id', 'point_id', 'body_order_id']"  # a field named like an argument gets a prefix
    assert Recording.bodies == [
        {"order_id": "o1", "speed": "standard", "delivery": {"home_delivery": {"street": "Main St 1"}}},
        {"order_id": "o2", "speed": "express", "delivery": {"home_delivery": {"street": "Main St 2", "floor": 3}}},
        {"order_id": "o3", "speed": "standard", "delivery": {"pickup_point": {"point_id": "p9", "order_id": "inner"}}},
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"field": "order_id"}, "'order_id' is not an object-typed body field of create_shipment"),
        ({"split": "order_id"}, "'order_id' is not an enum-typed body field"),
        ({"stems": {"drone": "fly"}}, "'drone' is not a configuration of Delivery"),
        ({"name": "ship"}, "must be a string with `{variant}`"),
        ({"colour": "red"}, "unknown keys: colour"),
        ({"stems": {"home_delivery": "pickup_point"}}, "two helpers would be named 'ship_pickup_point'"),
    ],
)
def test_a_wrong_mark_is_an_error_that_points_at_it(change: dict[str, Any], message: str, tmp_path: Path) -> None:
    spec = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    spec["paths"]["/shipments"]["post"]["x-sdkgen-variants"].update(change)
    broken = tmp_path / "shop.yaml"
    broken.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    code, errors = generate_shop(tmp_path, broken)
    assert code != 0 and message in errors and "/paths/~1shipments/post/x-sdkgen-variants" in errors
