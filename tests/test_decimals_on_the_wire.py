"""Exact decimals on the wire: positional notation everywhere a `Decimal` is sent, never an exponent.

Path, query, header and JSON body (REST: strings) and JSON-RPC params (JSON numbers), over real
sockets, for a table of values (`str(Decimal)` would send `1E-8`, `1E+3`, `-0`).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from coinbase_sdk import APIError, Client
from coinbase_sdk._base_client import RequestOptions
from coinbase_sdk._encoding import decimal_text, encode_value
from coinbase_sdk.models import advanced_trade as at

from tests.servers.keys import TestKeys
from tests.servers.rawjson import loads_raw
from tests.servers.scripted import ScriptedServer, rpc

TABLE = [
    ("0.00000001", "0.00000001"),
    ("1E-8", "0.00000001"),
    ("1E-18", "0.000000000000000001"),
    ("1E+3", "1000"),
    ("1000", "1000"),
    ("-0", "0"),
    ("-0.0", "0.0"),
    ("-0.5", "-0.5"),
    ("1.50", "1.50"),
    ("0E-8", "0.00000000"),
    ("1234567890123456789012345678", "1234567890123456789012345678"),
    ("0.1234567890123456789012345678", "0.1234567890123456789012345678"),
    ("12345678901234.56789012345678", "12345678901234.56789012345678"),
    ("-9.999999999999999999999999999E+27", "-9999999999999999999999999999"),
    ("6.4251E+4", "64251"),
]


def credentials(keys: TestKeys) -> dict[str, Any]:
    return {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}


@pytest.mark.parametrize(("value", "text"), TABLE)
def test_decimal_text_is_positional(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text
    assert Decimal(text) == Decimal(value)  # the same number


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_decimal_that_is_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="NaN or infinity"):
        encode_value(Decimal(value))


def test_every_rest_location_sends_positional_decimals(keys: TestKeys) -> None:
    with ScriptedServer(lambda record: (200, {})) as server, Client(**credentials(keys), advanced_trade_base_url=server.url) as client:
        rest = client.advanced_trade.accounts._api
        for value, text in TABLE:
            d = Decimal(value)
            rest.request(
                "POST",
                "/echo/{v}",
                RequestOptions(
                    path_params={"v": d},
                    query={"q": d, "qs": [d, d]},
                    headers={"X-Size": d},
                    json_body={
                        "b": d,
                        "nested": [{"n": d}],
                        "model": at.OrderConfiguration.model_validate({"market_market_ioc": {"base_size": d}}),
                    },
                ),
                cast_to=dict,
            )
            record = server.requests[-1]
            assert unquote(record.path) == f"/echo/{text}", value
            assert record.query == {"q": [text], "qs": [text, text]}, value
            assert record.headers["x-size"] == text, value
            body = json.loads(record.body)
            assert body == {"b": text, "nested": [{"n": text}], "model": {"market_market_ioc": {"base_size": text}}}, value


def test_edit_order_sends_a_tiny_size_positionally(keys: TestKeys) -> None:
    """The issue's case: `edit_order` sent `"size": "1E-8"`."""
    with (
        ScriptedServer(lambda record: (200, {"success": True})) as server,
        Client(**credentials(keys), advanced_trade_base_url=server.url) as client,
    ):
        client.advanced_trade.orders.edit_order(order_id="o1", size=Decimal("0.00000001"), price=Decimal("6.4251E+4"))
        body = json.loads(server.requests[-1].body)
    assert body["size"] == "0.00000001" and body["price"] == "64251"


def test_json_rpc_params_are_positional_json_numbers(keys: TestKeys) -> None:
    seen: list[Any] = []

    def results(method: str, params: Any) -> Any:
        seen.append(params)
        return {"order": {"order_id": "1"}, "trades": []}  # read leniently: only the request matters here

    with ScriptedServer(rpc(results)) as server, Client(**credentials(keys), derivatives_base_url=server.url) as client:
        for value, text in TABLE:
            try:
                client.derivatives.trading.buy(instrument_name="BTC-PERPETUAL", amount=Decimal(value), price=Decimal(value))
            except APIError:  # only the request matters here
                pass
            raw = [r for r in server.requests if b'"private/buy"' in r.body][-1].body.decode()
            params = loads_raw(raw)["params"]
            assert str(params["amount"]) == text and str(params["price"]) == text, (value, raw)
            assert re.search(r"\d[eE][+-]?\d", raw) is None, raw  # no exponent anywhere
