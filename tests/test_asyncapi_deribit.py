"""Deribit's AsyncAPI file: vendored as published, read whole, corrected for the gateway, and the
source of the gateway SDK's channels (the OpenRPC spec has no hand copy in `x-channels`)."""

from __future__ import annotations

import hashlib
import json
import re

import jsonschema

from generator.errors import Diagnostics, Location
from generator.load.asyncapi import load_asyncapi, select_channels
from tests.asyncapi_drift import (
    OPENRPC,
    VENDOR,
    channel_patterns,
    gateway_description,
    payload_schema,
    untyped_fields,
    vendor_examples,
)
from tests.conftest import ROOT

VENDOR_SHA256 = "86518835180135c2518a3b89eb3fd41c59c82a8344a60a3038d810ca2676dd94"
SHARED = ROOT.parent / "shared" / "specs" / "deribit" / "deribit_asyncapi.json"


def _selected():
    documents, api = gateway_description()
    diagnostics = Diagnostics()
    return documents, select_channels(api, channel_patterns(), diagnostics, where=Location("pyproject.toml")), diagnostics


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


def test_the_channel_selection_covers_the_issue_and_the_four_channels_x_channels_had() -> None:
    _, api, diagnostics = _selected()
    addresses = {c.address for c in api.channels}
    wanted = ["user.orders.", "user.trades.", "book.", "trades.", "quote.", "perpetual.", "instrument.state."]
    for prefix in wanted:
        assert any(a.startswith(prefix) for a in addresses), prefix
    assert "platform_state" in addresses
    book_grouped = "book.{instrument_name}.{group}.{depth}.{interval}"
    assert book_grouped in addresses
    had = {"user.portfolio.{currency}", "user.changes.{instrument_name}.{interval}", "ticker.{instrument_name}.{interval}"}
    assert had | {"book.{instrument_name}.{interval}"} <= addresses
    (line,) = diagnostics.summary()
    # One warning, at the first channel left out (line and pointer), naming all of them.
    assert line.startswith(
        "warning: specs/deribit/deribit_asyncapi.json:88: /channels/platform_state.public_methods_state: 21 of 39 channels are not selected: "
    )


def test_the_gateway_spec_has_no_hand_copy_of_the_channels() -> None:
    import yaml

    assert "x-channels" not in yaml.load(OPENRPC.read_text(), Loader=yaml.CSafeLoader)


def test_the_sdk_channels_are_the_selected_vendor_channels_with_the_gateway_types() -> None:
    from generator.config import load_pyproject
    from generator.ir_builder.sdk import build_sdk

    sdk = build_sdk(load_pyproject(ROOT / "pyproject.toml"), Diagnostics())
    (api,) = [a for a in sdk.apis if a.name == "derivatives"]
    assert api.websocket is not None
    _, selected, _ = _selected()
    by_template = {c.template: c for c in api.websocket.channels}
    assert set(by_template) == {c.address for c in selected.channels}
    book = by_template["book.{instrument_name}.{interval}"]
    # Sequencing, which AsyncAPI cannot say, comes from the overlay's `x-sequence`.
    assert (book.name, book.sequence_field, book.previous_field) == ("book", "change_id", "prev_change_id")
    # One model serves the JSON-RPC methods and the channel: the payload refers to the OpenRPC spec's schema.
    assert book.payload.annotation == "BookNotification"
    assert book.source == "specs/deribit/deribit_asyncapi.json#/channels/book.(instrument_name).(interval)"
    assert [(p.name, p.type.annotation) for p in book.params] == [("instrument_name", "str"), ("interval", "Interval")]
    orders = by_template["user.orders.{kind}.{currency}.{interval}"]
    assert orders.private and orders.name == "user_orders_by_kind"
    assert [p.type.annotation for p in orders.params] == ["InstrumentKindFilter", "str", "Interval"]
    assert orders.payload.annotation == "list[ChangedOrder]"
    assert not by_template["quote.{instrument_name}"].private
