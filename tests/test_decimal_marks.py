"""Specifications of the decimal marks: specs/coinbase/overlay-decimals.yaml.

The overlay adds `format: decimal` to every money, price, fee, balance and size field of the vendored
Advanced Trade spec, so that the SDK types them as `decimal.Decimal`. These tests read the overlay as
sdkgen applies it: after specs/coinbase/overlay.yaml, to the vendor file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonpath
import pytest

from generator.errors import Diagnostics
from generator.load.documents import SourceDocument, read_document
from generator.load.overlay import apply_overlay
from generator.load.validate import validate_openapi
from tests.conftest import ROOT

SPEC = ROOT / "specs/coinbase/advanced-trade-spec.yaml"
CORRECTIONS = ROOT / "specs/coinbase/overlay.yaml"
DECIMALS = ROOT / "specs/coinbase/overlay-decimals.yaml"

RB = "coinbase.public_api.authed.retail_brokerage_api."

# The naming rule of the overlay's header comment: a property name with one of these words as a
# snake_case part names a money amount, price, fee, balance, size, margin, rate or leverage.
# A name with an `id`/`uuid` part is an identifier and never matches.
_WORDS = (
    "size|price|amount|value|balance|fee|fees|commission|margin|pnl|rate|leverage|total|subtotal"
    "|notional|quantity|qty|hold|collateral|loan|borrow|interest|debt|buffer|percentage|pct|increment"
    "|volume|vol|aop|bid|ask|spread|mid_market|threshold|contribution|contracts|slippage|weight|limit"
    "|power|loss|cap|diff|ratio|low|high|open|close"
)
AMOUNT_NAME = re.compile(rf"^(?!(?:.*_)?(?:id|ids|uuid|uuids)(?:_|$))(?:.*_)?(?:{_WORDS})(?:_.*)?$|^last$")

# Properties whose names match AMOUNT_NAME but that are not decimal amounts, so stay unmarked.
# Keys are (component schema, property); parameters are named "<path> <method> <parameter>".
NOT_AMOUNTS: dict[tuple[str, str], str] = {
    ("coinbase.payments.common.payment_methods.EmailAddress", "value"): "an email address",
    ("coinbase.payments.common.payment_methods.PhoneNumber", "value"): "a phone number",
    ("coinbase.payments.common.payment_methods.FirstDataToken", "value"): "a card token",
    ("coinbase.payments.common.payment_methods.VaultToken", "value"): "a card token",
    ("coinbase.payments.common.payment_methods.WorldpayParams", "token_value"): "a card token",
    (RB + "DeribitProductDetails", "price_index"): "the name of a price index",
    # Documented with a percent sign (example '9.43%'), which Decimal cannot parse.
    (RB + "Product", "price_percentage_change_24h"): "a percentage with a '%' suffix",
    (RB + "Product", "volume_percentage_change_24h"): "a percentage with a '%' suffix",
}


def _load(*overlays: Path) -> SourceDocument:
    document = read_document(SPEC, root=ROOT)
    for overlay in overlays:
        apply_overlay(document, read_document(overlay, root=ROOT))
    return document


@pytest.fixture(scope="module")
def corrected() -> SourceDocument:
    """The vendor spec with overlay.yaml only: what the decimal overlay is applied to."""
    return _load(CORRECTIONS)


@pytest.fixture(scope="module")
def marked() -> SourceDocument:
    return _load(CORRECTIONS, DECIMALS)


def _nodes(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping of the document, with its JSON Pointer."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from _nodes(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{pointer}/{index}")


def _named_schemas(data: dict[str, Any]) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
    """(owner, name) and schema of every component schema property, every parameter, and every
    property of an inline request body schema."""
    for schema_name, schema in data["components"]["schemas"].items():
        for name, prop in (schema.get("properties") or {}).items():
            yield (schema_name, name), prop
    for path, item in data["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                if "schema" in parameter:
                    yield (f"{path} {method}", parameter["name"]), parameter["schema"]
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                for name, prop in (media.get("schema", {}).get("properties") or {}).items():
                    yield (f"{path} {method} body", name), prop


def _is_plain_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and "enum" not in schema and schema.get("format") in (None, "decimal")


def _resolve(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref`, or an `allOf` around a single `$ref`, to the component schema."""
    while True:
        if "$ref" in schema:
            ref = schema["$ref"]
        elif len(schema.get("allOf", [])) == 1 and "$ref" in schema["allOf"][0]:
            ref = schema["allOf"][0]["$ref"]
        else:
            return schema
        schema = data["components"]["schemas"][ref.removeprefix("#/components/schemas/")]


def _follow(data: dict[str, Any], schema: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        schema = _resolve(data, schema)["properties"][name]
    return schema


# -- the overlay as a whole ----------------------------------------------------------------------


def test_the_decimal_overlay_applies_after_the_corrections_and_the_result_validates() -> None:
    document = _load(CORRECTIONS, DECIMALS)
    diagnostics = Diagnostics()
    validate_openapi(document, diagnostics)
    assert [d for d in diagnostics.items if "does not validate" in d.message] == []


def test_the_vendor_file_marks_nothing_itself(corrected: SourceDocument) -> None:
    assert [pointer for pointer, node in _nodes(corrected.data) if node.get("format") == "decimal"] == []


def test_each_target_selects_every_name_it_lists(corrected: SourceDocument) -> None:
    """The applier fails a target that selects nothing, but a union (`['a', 'b']`) that names a
    missing member still selects the others. So each target must select one node per combination of
    the names its unions list (its filters select one parameter each)."""
    env = jsonpath.JSONPathEnvironment(strict=True)
    union = re.compile(r"\[\s*'[^']*'(?:\s*,\s*'[^']*')*\s*\]")
    actions = read_document(DECIMALS, root=ROOT).data["actions"]
    short = []
    for action in actions:
        expected = math.prod(group.count("'") // 2 for group in union.findall(action["target"]))
        selected = len(list(env.finditer(action["target"], corrected.data)))
        if selected != expected:
            short.append(f"{action['target']}: selects {selected} of {expected}")
    assert short == []


def test_every_action_marks_decimal_and_does_nothing_else() -> None:
    actions = read_document(DECIMALS, root=ROOT).data["actions"]

    assert {repr(action.get("update")) for action in actions} == {repr({"format": "decimal"})}
    assert not any(action.get("remove") for action in actions)


# -- what is marked ------------------------------------------------------------------------------


def test_every_marked_node_is_a_plain_string_schema(marked: SourceDocument) -> None:
    """Not a number, not an enum, not a `$ref`/`allOf` wrapper (whose target is marked instead)."""
    marks = [(pointer, node) for pointer, node in _nodes(marked.data) if node.get("format") == "decimal"]

    assert marks
    assert [pointer for pointer, node in marks if not _is_plain_string(node) or {"$ref", "allOf", "anyOf", "oneOf"} & node.keys()] == []


def test_every_string_named_like_an_amount_is_marked_unless_allow_listed(marked: SourceDocument) -> None:
    unmarked = [
        owner_and_name
        for owner_and_name, schema in _named_schemas(marked.data)
        if _is_plain_string(schema)
        and AMOUNT_NAME.match(owner_and_name[1])
        and schema.get("format") != "decimal"
        and owner_and_name not in NOT_AMOUNTS
    ]

    assert unmarked == []


def test_the_allow_list_names_existing_unmarked_strings_that_match_the_rule(marked: SourceDocument) -> None:
    strings = {owner_and_name: schema for owner_and_name, schema in _named_schemas(marked.data) if _is_plain_string(schema)}

    stale = [key for key in NOT_AMOUNTS if key not in strings or strings[key].get("format") == "decimal" or not AMOUNT_NAME.match(key[1])]

    assert stale == []


def test_the_naming_rule_matches_amount_words_as_whole_parts_only() -> None:
    assert all(AMOUNT_NAME.match(name) for name in ["size", "base_size", "limit_price", "available_balance", "last", "mid_market"])
    assert not any(
        AMOUNT_NAME.match(name) for name in ["hold_id_to_replace", "balance_uuid", "account_holder", "pricing_tier", "last_four", "mid"]
    )


# -- well-known fields ---------------------------------------------------------------------------


def test_intx_balance_figures_are_decimals(marked: SourceDocument) -> None:
    balance = marked.data["components"]["schemas"]["coinbase.intx_common.Balance"]["properties"]
    figures = ["quantity", "hold", "transfer_hold", "collateral_value", "max_withdraw_amount", "loan", "pledged_quantity"]

    assert {name: balance[name].get("format") for name in figures} == dict.fromkeys(figures, "decimal")
    assert "format" not in marked.data["components"]["schemas"]["coinbase.intx_common.Asset"]["properties"]["asset_name"]


def test_create_order_sizes_and_prices_in_the_order_configuration_are_decimals(marked: SourceDocument) -> None:
    data = marked.data
    body = data["paths"]["/api/v3/brokerage/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    limit = _follow(data, body, "order_configuration", "limit_limit_gtc")
    market = _follow(data, body, "order_configuration", "market_market_ioc")

    assert _follow(data, limit, "base_size")["format"] == "decimal"
    assert _follow(data, limit, "limit_price")["format"] == "decimal"
    assert _follow(data, market, "quote_size")["format"] == "decimal"
    assert _follow(data, body, "leverage")["format"] == "decimal"
    assert "format" not in _follow(data, body, "client_order_id")


def test_account_available_balance_is_marked_at_its_amount_value(marked: SourceDocument) -> None:
    data = marked.data
    account = data["components"]["schemas"][RB + "Account"]

    assert "format" not in account["properties"]["available_balance"]
    assert _follow(data, account, "available_balance", "value")["format"] == "decimal"
    assert "format" not in _follow(data, account, "available_balance", "currency")


def test_the_product_book_price_increment_parameter_is_a_decimal(marked: SourceDocument) -> None:
    for path in ["/api/v3/brokerage/product_book", "/api/v3/brokerage/market/product_book"]:
        parameters = {p["name"]: p["schema"] for p in marked.data["paths"][path]["get"]["parameters"]}

        assert parameters["aggregation_price_increment"] == {"type": "string", "format": "decimal"}
        assert "format" not in parameters["product_id"]


def test_counts_durations_and_timestamps_sent_as_strings_stay_strings(marked: SourceDocument) -> None:
    schemas = marked.data["components"]["schemas"]

    assert "format" not in schemas[RB + "Order"]["properties"]["number_of_fills"]
    assert "format" not in schemas[RB + "TwapLimitGtd"]["properties"]["number_buckets"]
    assert "format" not in schemas[RB + "TwapLimitGtd"]["properties"]["bucket_duration"]
    assert "format" not in schemas[RB + "Candle"]["properties"]["start"]
