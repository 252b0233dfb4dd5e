"""Deribit's AsyncAPI file: vendored as published, read whole, corrected for the gateway, and
checked against the hand-written `x-channels` of the gateway's OpenRPC spec."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib

import jsonschema
import pytest

from generator.errors import Diagnostics, Location
from generator.load.asyncapi import load_asyncapi, select_channels
from tests.asyncapi_drift import (
    CHANNELS,
    OPENRPC,
    VENDOR,
    gateway_description,
    payload_schema,
    untyped_fields,
    vendor_examples,
    x_channel_differences,
)
from tests.conftest import ROOT

VENDOR_SHA256 = "86518835180135c2518a3b89eb3fd41c59c82a8344a60a3038d810ca2676dd94"
SHARED = ROOT.parent / "shared" / "specs" / "deribit" / "deribit_asyncapi.json"


def _selected():
    documents, api = gateway_description()
    diagnostics = Diagnostics()
    patterns = tomllib.loads(CHANNELS.read_text())["channels"]
    return documents, select_channels(api, patterns, diagnostics, where=Location(CHANNELS.name)), diagnostics


def test_the_vendor_file_is_kept_byte_for_byte() -> None:
    assert hashlib.sha256(VENDOR.read_bytes()).hexdigest() == VENDOR_SHA256
    if SHARED.exists():
        assert VENDOR.read_bytes() == SHARED.read_bytes()


def test_the_vendor_file_is_read_whole_and_what_a_client_cannot_use_is_named() -> None:
    diagnostics = Diagnostics()
    api = load_asyncapi(VENDOR, diagnostics, root=ROOT)
    data = json.loads(VENDOR.read_text())
    assert [c.key for c in api.channels] == list(data["channels"])
    assert len(api.channels) == 39
    assert [op.key for op in api.operations] == list(data["operations"])
    assert len(api.messages) == 78  # a subscribe request and a notification per channel
    assert {c.address for c in api.channels} == {c["address"] for c in data["channels"].values()}
    by_kind: dict[str, int] = {}
    for item in diagnostics.items:
        by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
    # 18 channels have no operation in the vendor file; its parameters are written `(name)`.
    assert by_kind["channel with no operation"] == 18
    assert by_kind["parameter not in the channel address"] == 57
    assert "AsyncAPI writes {instrument_name}" in "\n".join(d.message for d in diagnostics.items)


def test_the_vendor_file_describes_the_server_so_its_notifications_are_received() -> None:
    api = load_asyncapi(VENDOR, Diagnostics(), root=ROOT)
    (ticker,) = [op for op in api.operations if op.key == "send_subscribe_ticker"]
    assert (ticker.spec_action, ticker.action) == ("send", "receive")
    assert api.message(ticker.messages[0]).name == "ticker_subscription_notification_data"


def test_the_gateway_overlay_gives_every_selected_channel_a_typed_notification() -> None:
    documents, api, _ = _selected()
    assert len(api.channels) == 18
    for channel in api.channels:
        assert channel.address is not None and "(" not in channel.address
        assert set(re.findall(r"\{(\w+)\}", channel.address)) == {p.name for p in channel.parameters}
        receive = [op for op in api.operations_on(channel.key) if op.action == "receive"]
        assert receive, channel.address
        schema = payload_schema(documents, api, channel)
        assert schema and schema.get("type") in ("object", "array"), channel.address
        private = channel.address.startswith("user.")
        assert all(bool(op.security) == private for op in receive), channel.address
        assert channel.servers == (("gateway",) if private else ())
    assert [s.url for s in api.servers] == ["wss://drb.coinbase.com/ws/api/v2", "wss://streams.drb.coinbase.com/ws/api/v2"]
    for channel in api.channels:
        for param in channel.parameters:
            if param.name == "instrument_name":
                assert param.examples == ("BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL")


def test_every_vendor_example_of_a_selected_channel_matches_its_typed_payload() -> None:
    documents, api, _ = _selected()
    checked = 0
    for channel in api.channels:
        schema = payload_schema(documents, api, channel)
        assert schema is not None
        payloads = [api.message(k).payload for k in channel.messages]
        shared = any(p is not None and "gateway.openrpc.yaml" in p.ref + json.dumps(p.value) for p in payloads)
        for example in vendor_examples(api, channel):
            jsonschema.Draft202012Validator(schema).validate(example)
            checked += 1
            if not shared:  # the schemas the overlay writes name every field of the vendor's examples
                assert untyped_fields(schema, example) == [], channel.address
    assert checked >= 18


def test_the_channel_selection_covers_the_issue_and_todays_x_channels() -> None:
    _, api, diagnostics = _selected()
    addresses = {c.address for c in api.channels}
    wanted = ["user.orders.", "user.trades.", "book.", "trades.", "quote.", "perpetual.", "instrument.state."]
    for prefix in wanted:
        assert any(a.startswith(prefix) for a in addresses), prefix
    assert "platform_state" in addresses
    book_grouped = "book.{instrument_name}.{group}.{depth}.{interval}"
    assert book_grouped in addresses
    import yaml

    hand = yaml.safe_load(OPENRPC.read_text())
    assert {c["name"] for c in hand["x-channels"]} <= addresses
    (line,) = diagnostics.summary()
    assert line.startswith("warning: specs/deribit/deribit_asyncapi.json: 21 of 39 channels are not selected: ")


# What the hand copy says differently from the vendor file today, each for a reason:
# - the gateway takes currencies lower-case (`btc`), so x-channels does not repeat Deribit's
#   upper-case enum;
# - x-channels' ChangedOrder/ChangedTrade type the fields the SDK's users need; the rest of the
#   vendor's example fields are kept by the open models (`extra="allow"`), untyped.
KNOWN_DIFFERENCES = [
    *(
        f"user.changes.{{instrument_name}}.{{interval}}: vendor example field {field!r} is not in the x-channels payload schema"
        for field in (
            "orders.[]api",
            "orders.[]is_liquidation",
            "orders.[]is_rebalance",
            "orders.[]max_show",
            "orders.[]replaced",
            "orders.[]web",
            "trades.[]matching_id",
            "trades.[]order_type",
            "trades.[]post_only",
            "trades.[]reduce_only",
            "trades.[]tick_direction",
        )
    ),
    "user.portfolio.{currency}: parameter 'currency' values: x-channels [], vendor ['BTC', 'ETH', 'USDC', 'USDT', 'any']",
]


def test_the_hand_copy_in_x_channels_matches_the_vendor_file_where_they_overlap() -> None:
    differences = x_channel_differences()
    assert differences == sorted(KNOWN_DIFFERENCES), "\n".join(
        ["x-channels and deribit_asyncapi.json now differ in:"]
        + [f"+ {d}" for d in differences if d not in KNOWN_DIFFERENCES]
        + [f"- {d}" for d in KNOWN_DIFFERENCES if d not in differences]
    )


def test_the_drift_check_notices_a_changed_hand_copy(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import tests.asyncapi_drift as drift

    text = OPENRPC.read_text()
    changed = text.replace("sequence: {field: change_id, previous: prev_change_id}", "sequence: {field: change_id}")
    assert changed != text
    (tmp_path / OPENRPC.name).write_text(changed)
    monkeypatch.setattr(drift, "OPENRPC", tmp_path / OPENRPC.name)
    differences = drift.x_channel_differences()
    assert any(d.startswith("book.{instrument_name}.{interval}: sequence in x-channels") for d in differences)
