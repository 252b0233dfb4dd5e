"""The gateway's channels (from Deribit's AsyncAPI file) in the SDK's surface: `api.json` records
each channel, its parameters and its payload model, and `sdkgen diff` judges changes to them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.config import load_pyproject
from generator.surface.diff import diff_surfaces
from generator.surface.sources import surface_of_config
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def surface() -> dict[str, Any]:
    return surface_of_config(load_pyproject(ROOT / "pyproject.toml"))


def test_every_selected_channel_is_in_api_json_with_its_parameters_and_payload_model(surface: dict[str, Any]) -> None:
    committed = json.loads((ROOT / "generated" / "coinbase_sdk" / "api.json").read_text())
    assert committed["apis"]["derivatives"]["channels"] == surface["apis"]["derivatives"]["channels"]
    channels = surface["apis"]["derivatives"]["channels"]
    assert len(channels) == 18
    orders = channels["user_orders_by_kind"]
    assert orders["endpoint"] == "channel user.orders.{kind}.{currency}.{interval} (private)"
    assert {name: p["type"] for name, p in orders["params"].items()} == {
        "kind": "InstrumentKindFilter",
        "currency": "str",
        "interval": "Interval",
    }
    assert orders["returns"] == "list[ChangedOrder]"
    models = surface["apis"]["derivatives"]["models"]
    for channel in channels.values():
        payload = channel["returns"].removeprefix("list[").removesuffix("]")
        assert payload in models, channel["call"]


def test_a_field_removed_from_a_channel_payload_is_breaking(surface: dict[str, Any]) -> None:
    fewer = copy.deepcopy(surface)
    del fewer["apis"]["derivatives"]["models"]["QuoteNotification"]["fields"]["best_bid_price"]
    (change,) = diff_surfaces(surface, fewer)
    assert (change.kind, change.breaking) == ("field-removed", True)
    assert "QuoteNotification.best_bid_price" in change.subject


def test_a_channel_parameter_whose_type_narrows_is_a_change(surface: dict[str, Any]) -> None:
    changed = copy.deepcopy(surface)
    changed["apis"]["derivatives"]["channels"]["quote"]["params"]["instrument_name"]["type"] = "Literal['BTC_USDC-PERPETUAL']"
    changes = diff_surfaces(surface, changed)
    assert changes and any(c.breaking for c in changes)


def test_the_advanced_trade_channels_are_in_api_json_with_their_message_models(surface: dict[str, Any]) -> None:
    committed = json.loads((ROOT / "generated" / "coinbase_sdk" / "api.json").read_text())
    channels = surface["apis"]["advanced_trade"]["channels"]
    assert committed["apis"]["advanced_trade"]["channels"] == channels
    assert sorted(channels) == sorted(
        ["heartbeats", "candles", "status", "ticker", "ticker_batch", "level2", "market_trades", "user", "futures_balance_summary"]
    )
    assert channels["user"]["endpoint"] == "channel user (private)"
    assert channels["level2"]["call"] == "client.advanced_trade.ws().subscribe_level2"
    assert channels["level2"]["params"]["product_ids"] == {"type": "list[str]", "required": True, "in": "message", "wire": "product_ids"}
    assert channels["level2"]["returns"] == "Level2Message"
    models = surface["apis"]["advanced_trade"]["models"]
    assert all(channel["returns"] in models and "output" in models[channel["returns"]]["roles"] for channel in channels.values())


def test_a_field_removed_from_an_advanced_trade_message_is_breaking(surface: dict[str, Any]) -> None:
    fewer = copy.deepcopy(surface)
    del fewer["apis"]["advanced_trade"]["models"]["Level2Update"]["fields"]["new_quantity"]
    (change,) = diff_surfaces(surface, fewer)
    assert (change.kind, change.breaking) == ("field-removed", True)
