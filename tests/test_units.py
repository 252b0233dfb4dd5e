"""Unit specifications of loading, overlays, naming and the IR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.config import load_pyproject
from generator.errors import Diagnostics, SpecError
from generator.ir import to_json
from generator.ir_builder.naming import class_name, python_name, schema_class_names, strip_operation_prefix
from generator.ir_builder.sdk import build_sdk
from generator.load.documents import read_document
from generator.load.overlay import apply_overlay
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def flagship():  # type: ignore[no-untyped-def]
    return build_sdk(load_pyproject(ROOT / "pyproject.toml"), Diagnostics())


# -- naming -------------------------------------------------------------------------------------


def test_vendor_prefix_of_operation_ids_is_dropped() -> None:
    assert python_name(strip_operation_prefix("RetailBrokerageApi_GetIntxBalances"), fallback="x") == "get_intx_balances"


def test_keywords_and_leading_digits_become_safe_identifiers() -> None:
    assert python_name("class", fallback="x") == "class_"
    assert python_name("1d", fallback="x") == "n_1d"
    assert python_name("", fallback="param") == "param"
    assert class_name("1abc") == "Model1abc"


def test_names_that_shadow_generated_imports_get_a_suffix() -> None:
    assert class_name("Decimal") == "DecimalModel"
    assert class_name("Field") == "FieldModel"


def test_dotted_proto_names_keep_their_message_part() -> None:
    names = schema_class_names(["coinbase.x.payment_methods.ApplePay.Result", "coinbase.intx_common.GetBalanceSummaryResponse"])
    assert names == {
        "coinbase.x.payment_methods.ApplePay.Result": "ApplePayResult",
        "coinbase.intx_common.GetBalanceSummaryResponse": "GetBalanceSummaryResponse",
    }


def test_clashing_short_names_are_all_qualified_whatever_the_order() -> None:
    keys = ["coinbase.intx_common.Balance", "coinbase.public_api.Balance"]
    assert (
        schema_class_names(keys)
        == schema_class_names(list(reversed(keys)))
        == {
            "coinbase.intx_common.Balance": "IntxCommonBalance",
            "coinbase.public_api.Balance": "PublicApiBalance",
        }
    )


# -- loading and overlays ------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r":3: invalid JSON"):
        read_document(write(tmp_path, "spec.json", '{\n  "openapi": "3.1.0",\n  oops\n}'))


def test_overlay_updates_merge_and_remove_deletes(tmp_path: Path) -> None:
    spec = read_document(write(tmp_path, "spec.yaml", "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      tags: [x]\n      default: ''\n"))
    overlay = read_document(
        write(
            tmp_path,
            "overlay.yaml",
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
            "  - target: $.paths['/a'].get\n    update: {deprecated: true, tags: [y]}\n"
            "  - target: $.paths['/a'].get.default\n    remove: true\n",
        )
    )
    apply_overlay(spec, overlay)
    assert spec.data["paths"]["/a"]["get"] == {"tags": ["x", "y"], "deprecated": True}


def test_overlay_target_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    spec = read_document(write(tmp_path, "spec.yaml", "openapi: 3.1.0\npaths: {}\n"))
    overlay = read_document(
        write(
            tmp_path,
            "overlay.yaml",
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/gone'].get\n    update: {deprecated: true}\n",
        )
    )
    with pytest.raises(SpecError, match=r"overlay\.yaml:4: /actions/0/target: target .* matches nothing"):
        apply_overlay(spec, overlay)


def test_overlay_for_another_file_is_refused(tmp_path: Path) -> None:
    spec = read_document(write(tmp_path, "spec.yaml", "openapi: 3.1.0\npaths: {}\n"))
    overlay = read_document(
        write(
            tmp_path,
            "overlay.yaml",
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nextends: ./other.yaml\nactions:\n  - target: $.paths\n    update: {}\n",
        )
    )
    with pytest.raises(SpecError, match="extends"):
        apply_overlay(spec, overlay)


# -- the flagship IR ----------------------------------------------------------------------------


def test_flagship_has_all_51_rest_operations_and_the_31_gateway_methods(flagship) -> None:  # type: ignore[no-untyped-def]
    counts = {api.name: sum(len(g.operations) for g in api.groups) for api in flagship.apis}
    assert counts == {"advanced_trade": 51, "derivatives": 31}  # 6 account methods + issue 19's 25 trading and market-data methods


def test_every_intx_replacement_resolves_to_an_sdk_call(flagship) -> None:  # type: ignore[no-untyped-def]
    ops = [o for g in flagship.apis[0].groups for o in g.operations if o.deprecation is not None]
    assert ops and all(o.deprecation.replacement.startswith("client.") for o in ops)  # type: ignore[union-attr]


def test_retry_safety_of_post_operations_comes_from_the_overlay(flagship) -> None:  # type: ignore[no-untyped-def]
    ops = {o.name: o for g in flagship.apis[0].groups for o in g.operations}
    assert (ops["create_order"].idempotent, ops["create_order"].idempotency_key) == (False, "client_order_id")
    assert ops["preview_order"].idempotent and ops["cancel_orders"].idempotent
    assert not ops["create_portfolio"].idempotent and not ops["create_portfolio"].idempotency_key
    assert ops["get_intx_balances"].idempotent  # GET


def test_get_intx_balances_is_in_the_perpetuals_group(flagship) -> None:  # type: ignore[no-untyped-def]
    perpetuals = next(g for g in flagship.apis[0].groups if g.name == "perpetuals")
    op = next(o for o in perpetuals.operations if o.name == "get_intx_balances")
    assert (op.http_method, op.path, op.result_annotation) == (
        "GET",
        "/api/v3/brokerage/intx/balances/{portfolio_uuid}",
        "GetBalanceSummaryResponse",
    )
    assert [(p.name, p.location, p.annotation) for p in op.params] == [("portfolio_uuid", "path", "str")]


def test_the_six_intx_operations_are_deprecated_with_sunset_and_replacement(flagship) -> None:  # type: ignore[no-untyped-def]
    ops = [o for g in flagship.apis[0].groups for o in g.operations if "/intx/" in o.path]
    assert len(ops) == 6
    assert all(o.deprecation is not None and o.deprecation.sunset == "2026-09-09" and o.deprecation.replacement for o in ops)
    balances = next(o for o in ops if o.name == "get_intx_balances")
    assert balances.deprecation is not None
    assert (
        balances.deprecation.replacement
        == "client.derivatives.account_management.get_account_summaries() (JSON-RPC private/get_account_summaries)"
    )


def test_gateway_methods_are_grouped_by_tag_and_carry_their_error_codes(flagship) -> None:  # type: ignore[no-untyped-def]
    derivatives = flagship.apis[1]
    assert [(g.name, [o.rpc_method for o in g.operations]) for g in derivatives.groups] == [
        (
            "account_management",
            [
                "private/get_account_summaries",
                "private/get_account_summary",
                "private/get_positions",
                "private/get_position",
                "private/change_margin_model",
            ],
        ),
        ("authentication", ["public/auth"]),
        (
            "market_data",
            [
                "public/get_instruments",
                "public/get_instrument",
                "public/get_order_book",
                "public/ticker",
                "public/get_tradingview_chart_data",
            ],
        ),
        ("session_management", ["public/get_time"]),
        (
            "trading",
            [
                "private/buy",
                "private/sell",
                "private/edit",
                "private/edit_by_label",
                "private/cancel",
                "private/cancel_all",
                "private/cancel_all_by_currency",
                "private/cancel_all_by_instrument",
                "private/cancel_by_label",
                "private/close_position",
                "private/get_open_orders",
                "private/get_open_orders_by_currency",
                "private/get_open_orders_by_instrument",
                "private/get_order_state",
                "private/get_order_history_by_currency",
                "private/get_order_history_by_instrument",
                "private/get_user_trades_by_currency",
                "private/get_user_trades_by_instrument",
                "private/get_user_trades_by_order",
            ],
        ),
    ]
    assert 10028 in derivatives.groups[0].operations[0].error_codes
    too_many = next(e for e in derivatives.errors if e.code == 10028)
    assert (too_many.class_name, too_many.retryable, too_many.category) == ("TooManyRequestsError", True, "rate_limit")
    assert too_many.bases == ("JSONRPCError", "RateLimitError") and too_many.session_closed


def test_public_operations_need_no_auth(flagship) -> None:  # type: ignore[no-untyped-def]
    public = next(g for g in flagship.apis[0].groups if g.name == "public")
    assert public.operations and not any(o.auth_required for o in public.operations)


def test_ir_is_json_serialisable_and_deterministic(flagship) -> None:  # type: ignore[no-untyped-def]
    again = build_sdk(load_pyproject(ROOT / "pyproject.toml"), Diagnostics())
    text = to_json(flagship)
    assert json.loads(text)["package"] == "coinbase_sdk"
    assert text == to_json(again)
