"""Webhooks and callbacks: their payload models, a typed parser by name, their place in api.json and the docs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.probe_sdk import probe_sdk

ONLY_WEBHOOKS = """\
openapi: 3.1.0
info: {title: Hooks, version: 1.0.0}
servers: [{url: 'https://hooks.example.com'}]
webhooks:
  invoice.paid:
    post:
      summary: An invoice was paid.
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [id], properties: {id: {type: string}}}
      responses: {'200': {description: ok}}
  ping:
    post:
      requestBody:
        content:
          text/plain:
            schema: {type: string}
      responses: {'200': {description: ok}}
"""


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return probe_sdk(tmp_path_factory)


def test_a_webhook_body_parses_into_its_payload_model(sdk: ModuleType) -> None:
    from probe_sdk.probe.webhooks import parse_webhook

    order = parse_webhook("order.created", b'{"id": "o-1", "status": "filled", "total": "10.50"}')
    assert type(order).__name__ == "Order" and order.id == "o-1" and order.total == Decimal("10.50")


def test_an_inline_webhook_payload_gets_a_model_named_for_the_webhook(sdk: ModuleType) -> None:
    from probe_sdk.probe.webhooks import parse_webhook

    deleted = parse_webhook("order.deleted", '{"id": "o-2"}')
    assert type(deleted).__name__ == "OrderDeletedPayload" and deleted.id == "o-2"


def test_a_callback_is_parsed_by_operation_and_callback_name(sdk: ModuleType) -> None:
    from probe_sdk.probe.webhooks import WEBHOOKS, parse_webhook

    assert "body_json.onFilled" in WEBHOOKS
    assert parse_webhook("body_json.onFilled", b'{"id": "o-3", "status": "open"}').status == "open"


def test_a_body_that_does_not_match_raises_a_validation_error(sdk: ModuleType) -> None:
    from probe_sdk import APIResponseValidationError
    from probe_sdk.probe.webhooks import parse_webhook

    with pytest.raises(APIResponseValidationError, match="order.created"):
        parse_webhook("order.created", b'{"status": "open"}')


def test_webhooks_are_in_api_json(sdk: ModuleType) -> None:
    from importlib.resources import files

    surface = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    entry = surface["apis"]["probe"]["operations"]["webhooks:order.created"]
    assert entry["endpoint"] == "webhook POST order.created" and entry["returns"] == "Order"
    assert "output" in surface["apis"]["probe"]["models"]["OrderDeletedPayload"]["roles"]


def test_a_spec_with_only_webhooks_generates_an_sdk_that_parses_them(tmp_path: Path) -> None:
    spec = tmp_path / "hooks.yaml"
    spec.write_text(ONLY_WEBHOOKS, encoding="utf-8")
    result = generate(
        from_arguments(package="hooks_sdk", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
    )
    package = tmp_path / "out" / "hooks_sdk"
    assert "parse_webhook('invoice.paid'" in (tmp_path / "out" / "README.md").read_text(encoding="utf-8").replace('"', "'")
    assert "`invoice.paid`" in (tmp_path / "out" / "docs" / "hooks.md").read_text(encoding="utf-8")
    source = (package / "hooks" / "webhooks.py").read_text(encoding="utf-8")
    assert 'def parse_webhook(name: Literal["invoice.paid"], body: bytes | str) -> InvoicePaidPayload' in source
    # The text/plain webhook has no JSON schema: it is kept, with a warning naming it, and given back as it came.
    assert any("webhook 'ping'" in d.message for d in result.diagnostics.items)
    assert '"ping"' in source
