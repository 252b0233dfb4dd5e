"""Compare the gateway's hand-written `x-channels` (OpenRPC spec) with Deribit's AsyncAPI file.

`x_channel_differences()` lists, one line each, where the hand copy and the vendor file (with the
gateway overlay applied) disagree on what they both describe: the channel's address, its
parameters and their values, whether it is private, how notifications are numbered, and the
fields of the vendor's example payloads that the hand-written payload schema does not type.
`tests/test_asyncapi_deribit.py` pins the list, so a change on either side shows up as a diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from generator.errors import Diagnostics
from generator.load.asyncapi import open_asyncapi, read_asyncapi
from generator.load.asyncapi_model import AsyncApi, Channel
from generator.load.documents import SourceDocument, read_document
from generator.load.refs import DocumentSet

ROOT = Path(__file__).resolve().parent.parent
DERIBIT = ROOT / "specs" / "deribit"
VENDOR = DERIBIT / "deribit_asyncapi.json"
OVERLAY = DERIBIT / "deribit_asyncapi.gateway-overlay.yaml"
CHANNELS = DERIBIT / "deribit_asyncapi.channels.toml"
OPENRPC = DERIBIT / "gateway.openrpc.yaml"


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


def x_channel_differences() -> list[str]:
    """Every disagreement between `x-channels` and the vendor file, one line each, sorted."""
    _, api = gateway_description()
    openrpc = read_document(OPENRPC, root=ROOT)
    documents = DocumentSet(openrpc, display_root=ROOT)
    by_address = {c.address: c for c in api.channels}
    out: list[str] = []
    for entry in openrpc.data.get("x-channels") or []:
        name = entry["name"]
        channel = by_address.get(name)
        if channel is None:
            out.append(f"{name}: not a channel of the vendor file")
            continue
        hand_params = {p["name"]: inline(p.get("schema") or {}, openrpc, documents) for p in entry.get("params") or []}
        vendor_params = {p.name: p for p in channel.parameters}
        for missing in sorted(vendor_params.keys() - hand_params.keys()):
            out.append(f"{name}: parameter {missing!r} only in the vendor file")
        for extra in sorted(hand_params.keys() - vendor_params.keys()):
            out.append(f"{name}: parameter {extra!r} only in x-channels")
        for param in sorted(hand_params.keys() & vendor_params.keys()):
            hand_enum = tuple(str(v) for v in hand_params[param].get("enum") or ())
            if hand_enum != vendor_params[param].enum:
                out.append(f"{name}: parameter {param!r} values: x-channels {list(hand_enum)}, vendor {list(vendor_params[param].enum)}")
        receive = [op for op in api.operations_on(channel.key) if op.action == "receive"]
        vendor_private = any(op.security for op in receive)
        if bool(entry.get("private")) != vendor_private:
            out.append(f"{name}: private in x-channels is {bool(entry.get('private'))}, the overlay says {vendor_private}")
        hand_sequence = entry.get("sequence") or {}
        vendor_sequence = channel.extensions.get("x-sequence") or {}
        if (hand_sequence.get("field"), hand_sequence.get("previous")) != (vendor_sequence.get("field"), vendor_sequence.get("previous")):
            out.append(f"{name}: sequence in x-channels {hand_sequence or None}, x-sequence in the overlay {vendor_sequence or None}")
        hand_payload = inline(entry.get("payload") or {}, openrpc, documents)
        for example in vendor_examples(api, channel):
            try:
                jsonschema.Draft202012Validator(hand_payload).validate(example)
            except jsonschema.ValidationError as exc:
                out.append(f"{name}: a vendor example does not match the x-channels payload: {exc.message}")
            for field in untyped_fields(hand_payload, example):
                line = f"{name}: vendor example field {field!r} is not in the x-channels payload schema"
                if line not in out:
                    out.append(line)
    return sorted(out)
