"""`x-websocket`, `x-transports` and `x-channels`: what the builder accepts and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_pyproject
from generator.errors import Diagnostics
from generator.ir_builder.sdk import build_sdk
from tests.conftest import ROOT
from tests.test_bad_input import run_sdkgen

BASE = """openrpc: 1.3.2
info: {title: Chan, version: "1"}
x-websocket:
  url: wss://example.test/ws
  max-frame-bytes: 1024
  subscribe: {public: public/subscribe, private: private/subscribe}
  unsubscribe: {public: public/unsubscribe, private: private/unsubscribe}
  heartbeat: {method: public/set_heartbeat, answer: public/test}
methods:
%(methods)s
x-channels:
  - name: %(channel)s
    params:
      - {name: currency, required: true, schema: {type: string, examples: [btc]}}
    payload: {type: object, properties: {balance: {type: number}}}
"""
ROLE_METHODS = "".join(
    f"  - {{name: {m}, params: [], result: {{name: r, schema: {{}}}}, x-transports: [websocket]}}\n"
    for m in ("public/subscribe", "private/subscribe", "public/unsubscribe", "private/unsubscribe", "public/set_heartbeat", "public/test")
)
PING = "  - {name: public/ping, params: [], result: {name: r, schema: {type: string}}%s}\n"


def ir(tmp_path: Path, methods: str, channel: str = "user.portfolio.{currency}") -> tuple[int, str]:
    spec = tmp_path / "chan.openrpc.yaml"
    spec.write_text(BASE % {"methods": ROLE_METHODS + methods, "channel": channel})
    done = run_sdkgen("ir", "--openrpc", str(spec), "--output", str(tmp_path / "out"), "--package", "chan")
    return done.returncode, done.stdout + done.stderr


def test_channels_become_typed_subscribe_methods_and_role_methods_are_not_generated(tmp_path: Path) -> None:
    code, out = ir(tmp_path, PING % "")
    assert code == 0, out
    assert '"template": "user.portfolio.{currency}"' in out and '"name": "user_portfolio"' in out
    assert '"example_args": "currency=\'btc\'"' in out
    assert '"rpc_method": "public/ping"' in out and '"rpc_method": "public/subscribe"' not in out


@pytest.mark.parametrize(
    ("methods", "channel", "message"),
    [
        (PING % ", x-transports: [websocket]", "user.portfolio.{currency}", "is WebSocket-only"),
        (PING % ", x-transports: [http]", "user.portfolio.{currency}", "is HTTP-only, but the API has `x-websocket`"),
        (PING % "", "user.portfolio.{currency}.{depth}", "has `{depth}`, which is not one of its `params`"),
        (PING % "", "user.portfolio", "does not appear in the channel name"),
    ],
    ids=["websocket-only-method", "http-only-method", "undeclared-hole", "unused-param"],
)
def test_bad_websocket_descriptions_are_errors_with_a_location(tmp_path: Path, methods: str, channel: str, message: str) -> None:
    code, out = ir(tmp_path, methods, channel)
    assert code != 0 and message in out and "chan.openrpc.yaml" in out


def test_the_flagship_describes_the_four_channels_a_derivatives_trader_needs_first() -> None:
    sdk = build_sdk(load_pyproject(ROOT / "pyproject.toml"), Diagnostics())
    ws = next(api for api in sdk.apis if api.name == "derivatives").websocket
    assert ws is not None and ws.max_frame_bytes == 32768
    templates = [c.template for c in ws.channels]
    # From Deribit's AsyncAPI file (selected in pyproject.toml): the four x-channels used to list, and more.
    for template in [
        "user.portfolio.{currency}",
        "user.changes.{instrument_name}.{interval}",
        "ticker.{instrument_name}.{interval}",
        "book.{instrument_name}.{interval}",
        "user.orders.{instrument_name}.raw",
        "user.trades.{instrument_name}.{interval}",
    ]:
        assert template in templates
    book = ws.channels[templates.index("book.{instrument_name}.{interval}")]
    assert (book.sequence_field, book.previous_field, book.private) == ("change_id", "prev_change_id", False)
