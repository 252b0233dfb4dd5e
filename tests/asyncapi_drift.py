"""Deribit's AsyncAPI file as the gateway's SDK reads it: the overlay applied, the channels the
config selects, and helpers to compare the typed payloads with the vendor's example payloads.

The gateway's channels come from this file (no hand copy in `x-channels` any more), so there is
nothing to drift: `tests/test_asyncapi_deribit.py` checks the vendor's examples against the types.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from generator.errors import Diagnostics
from generator.load.asyncapi import open_asyncapi, read_asyncapi
from generator.load.asyncapi_model import AsyncApi, Channel
from generator.load.documents import SourceDocument
from generator.load.refs import DocumentSet

ROOT = Path(__file__).resolve().parent.parent
DERIBIT = ROOT / "specs" / "deribit"
VENDOR = DERIBIT / "deribit_asyncapi.json"
OVERLAY = DERIBIT / "deribit_asyncapi.gateway-overlay.yaml"
OPENRPC = DERIBIT / "gateway.openrpc.yaml"


def channel_patterns() -> list[str]:
    """The gateway's channel selection, as `[tool.sdkgen]` gives it (the `derivatives` API's `channels`)."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["sdkgen"]
    (api,) = [a for a in table["apis"] if a.get("name") == "derivatives"]
    return list(api["channels"])


def gateway_documents(diagnostics: Diagnostics | None = None) -> DocumentSet:
    """Deribit's file with the gateway overlay applied, checked and validated."""
    return open_asyncapi(VENDOR, diagnostics or Diagnostics(), overlays=[OVERLAY], root=ROOT)


def gateway_description(diagnostics: Diagnostics | None = None) -> tuple[DocumentSet, AsyncApi]:
    """Deribit's file with the gateway overlay, read as the SDK would (and its document set)."""
    diagnostics = diagnostics or Diagnostics()
    documents = gateway_documents(diagnostics)
    return documents, read_asyncapi(documents, diagnostics)


def inline(value: Any, document: SourceDocument, documents: DocumentSet, depth: int = 0) -> Any:
    """`value` with every `$ref` replaced by what it points at (the schemas here are not recursive)."""
    if depth > 50:
        raise RecursionError("schema nests too deep to inline")
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            target = documents.resolve(value["$ref"], document, "")
            return inline(target.value, target.document, documents, depth + 1)
        return {k: inline(v, document, documents, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [inline(v, document, documents, depth + 1) for v in value]
    return value


def payload_schema(documents: DocumentSet, api: AsyncApi, channel: Channel) -> dict[str, Any] | None:
    """The inlined payload schema of the notifications the client receives on `channel`."""
    by_display = {d.display: d for d in documents.documents}
    for operation in api.operations_on(channel.key):
        if operation.action != "receive":
            continue
        for key in operation.messages:
            payload = api.message(key).payload
            if payload is not None:
                return dict(inline(payload.value, by_display[payload.location.file], documents))
    return None


def vendor_examples(api: AsyncApi, channel: Channel) -> list[Any]:
    """The example payloads the vendor file gives for the channel's notifications."""
    examples: list[Any] = []
    for key in channel.messages:
        message = api.message(key)
        examples.extend(e["payload"] for e in message.examples if isinstance(e, dict) and "payload" in e and e["payload"])
    return [e for e in examples if e != {"jsonrpc": "2.0"} and not (isinstance(e, dict) and "method" in e and "jsonrpc" in e)]


def untyped_fields(schema: dict[str, Any], example: Any, prefix: str = "") -> list[str]:
    """Fields of `example` that `schema` does not name (objects with `properties`, and arrays of
    them, recursively; a map, `additionalProperties` alone, names no fields)."""
    if isinstance(example, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        found: list[str] = []
        for item in example:
            found.extend(f for f in untyped_fields(items, item, f"{prefix}[]") if f not in found)
        return found
    if not isinstance(example, dict):
        return []
    properties = schema.get("properties") or {}
    found = []
    for name, value in example.items():
        if name not in properties:
            found.append(f"{prefix}{name}")
        elif (
            isinstance(value, (dict, list))
            and isinstance(properties[name], dict)
            and ("properties" in properties[name] or "items" in properties[name])
        ):
            found.extend(untyped_fields(properties[name], value, f"{prefix}{name}."))
    return found
