"""The public surface of a generated SDK: what a user's code can call, pass, read and import.

It is read from the IR, which the generated code is rendered from one to one: operations with
their parameters, results and errors, channels, and the models with their fields, each with its
type as the code spells it (`TypeRef.annotation`) and its documentation text.

The surface is plain JSON (`<package>/api.json`), stable (sorted keys) and diff-friendly, so a
spec change shows up as a readable diff next to the code diff, and `sdkgen diff` can compare it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..ir import Api, Channel, Model, Operation, Param, Sdk, SocketChannel, SocketSend, VariantHelper, Webhook
from ..ir_builder.module_names import HTTP_ERROR_CLASSES
from .json_text import dumps_indented

# Version 2: every `docs` is the documentation text itself (version 1 had a 12-character hash),
# and every model field has its own `docs`.
FORMAT = "sdkgen-api/2"
SURFACE_FILE = "api.json"  # where a generated package keeps its surface
# Format 1 recorded `docs` as a 12-character digest (`docs_digest`); it can still be compared.
LEGACY_FORMATS = ("sdkgen-api/1",)

Surface = dict[str, Any]


def docs_digest(*texts: str) -> str:
    """The `sdkgen-api/1` fingerprint of documentation text, to compare against an older `api.json`."""
    return hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:12]


def docs_text(*parts: str) -> str:
    """Documentation as a user reads it: the non-empty parts, a blank line apart."""
    return "\n\n".join(part for part in parts if part)


def http_error_class(status: int) -> str:
    if status in HTTP_ERROR_CLASSES:
        return HTTP_ERROR_CLASSES[status]
    return "InternalServerError" if status >= 500 else "APIStatusError"


def wire_style(style: str, explode: bool, allow_reserved: bool, content_type: str) -> str:
    """A parameter's serialization in one word: `form`, `form+explode`, `deepObject+explode+allowReserved`, `content:application/json`."""
    if content_type:
        return f"content:{content_type}"
    return style + ("+explode" if explode else "") + ("+allowReserved" if allow_reserved else "")


def _params(parameters: tuple[Param, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    position = 0
    for param in parameters:
        entry: dict[str, Any] = {
            "type": param.type.annotation,
            "required": param.required,
            "in": param.location,
            "wire": param.wire_name,
        }
        if param.location == "path":  # the signature takes path parameters positionally
            entry["position"] = position
            position += 1
        if param.deprecated:
            entry["deprecated"] = True
        if param.style:  # how it is serialized: a changed style is a change on the wire
            entry["style"] = wire_style(param.style, param.explode, param.allow_reserved, param.content_type)
        elif param.location == "body" and (param.content_type or param.part_headers):  # a multipart part's `encoding`
            entry["style"] = "; ".join([f"part:{param.content_type or 'default'}", *(f"{k}: {v}" for k, v in param.part_headers)])
        params[param.name] = entry
    return params


def _errors(api: Api, op: Operation) -> list[str]:
    if op.transport == "jsonrpc":
        by_code: dict[int, list[str]] = {}
        for error in api.errors:
            by_code.setdefault(error.code, []).append(error.class_name)
        return sorted({name for code in op.error_codes for name in by_code.get(code, [])})
    return sorted({http_error_class(status) for status in op.error_codes})


def _endpoint(op: Operation) -> str:
    return f"rpc {op.rpc_method}" if op.transport == "jsonrpc" else f"{op.http_method} {op.path}"


def _operation(api: Api, group: str, op: Operation) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "call": f"client.{api.name}.{group}.{op.name}",
        "endpoint": _endpoint(op),
        "params": _params(op.params),
        "returns": op.result_annotation,
        "errors": _errors(api, op),
        "idempotent": op.idempotent,
        "docs": docs_text(op.summary, op.description),
    }
    # Whether the call returns a page that iterates across pages (null: the result itself). Always
    # present, so a surface without the key (written before it existed) reads as "not recorded".
    paging = op.pagination
    entry["pages"] = {"style": paging.style, "item": paging.item.annotation if paging.item is not None else ""} if paging else None
    if op.body_content_type:  # the request body's media types, the default first
        entry["request"] = list(op.body_media_types or (op.body_content_type,))
    if op.response_content_type:  # the success response's media type (what `Accept` asks for and how it is read)
        entry["response"] = op.response_content_type
    if op.deprecation is not None:
        entry["deprecated"] = {
            "message": op.deprecation.message,
            "sunset": op.deprecation.sunset,
            "replacement": op.deprecation.replacement,
        }
    return entry


def _helper(api: Api, group: str, op: Operation, helper: VariantHelper) -> dict[str, Any]:
    """A variant helper (`x-sdkgen-variants`): a method of its own, calling `op` with one configuration."""
    return {
        "call": f"client.{api.name}.{group}.{helper.name}",
        "endpoint": _endpoint(op),
        "params": _params((*helper.params, *helper.fields)),
        "returns": op.result_annotation,
        "errors": _errors(api, op),
        "idempotent": op.idempotent,
        "docs": docs_text(helper.summary),
        "calls": f"client.{api.name}.{group}.{op.name}",
        "variant": helper.variant,
    }


def _channel(api: Api, channel: Channel) -> dict[str, Any]:
    """A subscription channel, described like an operation: what `client.<api>.ws.subscribe.<name>()` takes and yields."""
    params = {p.name: {"type": p.type.annotation, "required": p.required, "in": "channel", "wire": p.wire_name} for p in channel.params}
    return {
        "call": f"client.{api.name}.ws.subscribe.{channel.name}",
        "endpoint": f"channel {channel.template}" + (" (private)" if channel.private else ""),
        "params": params,
        "returns": channel.payload.annotation,
        "errors": [],
        "idempotent": True,
        "docs": docs_text(channel.summary, channel.description),
    }


def _socket_channel(api: Api, channel: SocketChannel) -> dict[str, Any]:
    """A channel subscribed by message, described like an operation: what `client.<api>.ws().subscribe_<name>()` takes and yields."""
    params = {p.name: {"type": p.type.annotation, "required": p.required, "in": "message", "wire": p.wire_name} for p in channel.params}
    return {
        "call": f"client.{api.name}.ws().subscribe_{channel.name}",
        "endpoint": f"channel {channel.address}" + (" (private)" if channel.private else ""),
        "params": params,
        "returns": channel.payload.annotation,
        "errors": [],
        "idempotent": True,
        "docs": docs_text(channel.summary, channel.description),
    }


def _socket_send(api: Api, send: SocketSend) -> dict[str, Any]:
    """A message the client publishes: what `client.<api>.ws().send_<name>(message)` takes."""
    return {
        "call": f"client.{api.name}.ws().send_{send.name}",
        "endpoint": f"send on {send.channel}",
        "params": {"message": {"type": send.payload.annotation, "required": True, "in": "message", "wire": ""}},
        "returns": "None",
        "errors": [],
        "idempotent": False,
        "docs": docs_text(send.summary, ""),
    }


def _webhook(api: Api, hook: Webhook) -> dict[str, Any]:
    """A webhook or callback, described like an operation: what `parse_webhook(name, body)` returns."""
    return {
        "call": f"{api.name}.{api.webhooks_module}.parse_webhook({hook.name!r})",
        "endpoint": f"{hook.kind} {hook.http_method} {hook.name}",
        "params": {},
        "returns": hook.payload.annotation,
        "errors": [],
        "idempotent": True,
        "docs": docs_text(hook.summary, hook.description),
    }


def _fields(model: Model, by_name: dict[str, Model], seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A model's fields, inherited ones first (a field the model declares again replaces its base's)."""
    fields: dict[str, Any] = {}
    for base in model.bases:
        if base in by_name and base not in seen:
            fields.update(_fields(by_name[base], by_name, seen | {model.name}))
    for field in model.fields:
        entry: dict[str, Any] = {"type": field.type.annotation, "required": field.required, "docs": field.description}
        if field.name != field.wire_name:
            entry["alias"] = field.wire_name
        if field.deprecated:
            entry["deprecated"] = True
        fields[field.name] = entry
    return fields


def _model(model: Model, by_name: dict[str, Model]) -> dict[str, Any]:
    if model.kind == "enum":
        values = [m.value for m in model.members if not isinstance(m.value, bool)]
        return {"kind": "enum", "open": True, "values": values, "docs": model.description}
    if model.kind == "root":
        return {"kind": "alias", "type": model.root.annotation if model.root is not None else "Any", "docs": model.description}
    return {"kind": "model", "fields": _fields(model, by_name), "docs": model.description}


def _values_of(model: Model, by_name: dict[str, Model], seen: frozenset[str] = frozenset()) -> set[str]:
    """The models a value of `model` holds: in its fields (inherited ones too) or its root."""
    if model.root is not None:
        return set(model.root.models)
    names = {name for field in model.fields for name in field.type.models}
    for base in model.bases:
        if base in by_name and base not in seen:
            names |= _values_of(by_name[base], by_name, seen | {model.name})
    return names


def _closure(start: set[str], by_name: dict[str, Model]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        todo.extend(_values_of(by_name[name], by_name) - seen)
    return seen


def api_surface(api: Api) -> dict[str, Any]:
    """The surface of one API."""
    operations = {f"{group.module}.{op.name}": _operation(api, group.module, op) for group in api.groups for op in group.operations}
    helpers = {
        f"{group.module}.{helper.name}": _helper(api, group.module, op, helper)
        for group in api.groups
        for op in group.operations
        for helper in op.variants
    }
    channels = {channel.name: _channel(api, channel) for channel in (api.websocket.channels if api.websocket else ())}
    socket = api.message_socket
    channels.update({channel.name: _socket_channel(api, channel) for channel in (socket.channels if socket else ())})
    channels.update({f"send_{send.name}": _socket_send(api, send) for send in (socket.sends if socket else ())})
    # Webhooks and callbacks are described like operations the API calls: added, removed or retyped alike.
    operations.update({f"{api.webhooks_module}:{hook.name}": _webhook(api, hook) for hook in api.webhooks})
    by_name = {m.name: m for m in api.models}
    # A model is `input` when it reaches a parameter, `output` when it reaches a result.
    calls = [(op.params, op.result) for group in api.groups for op in group.operations]
    calls += [((*h.params, *h.fields), op.result) for group in api.groups for op in group.operations for h in op.variants]
    calls += [(channel.params, channel.payload) for channel in (api.websocket.channels if api.websocket else ())]
    calls += [(channel.params, channel.payload) for channel in (socket.channels if socket else ())]
    calls += [((), hook.payload) for hook in api.webhooks]
    sent = {name for send in (socket.sends if socket else ()) for name in send.payload.models}  # what the client publishes
    inputs = _closure({name for params, _ in calls for p in params for name in p.type.models} | sent, by_name)
    outputs = _closure({name for _, result in calls if result is not None for name in result.models}, by_name)
    models: dict[str, Any] = {}
    for model in api.models:
        entry = _model(model, by_name)
        entry["roles"] = [role for role, members in (("input", inputs), ("output", outputs)) if model.name in members]
        models[model.name] = entry
    errors = {str(e.code) if not e.match_message else f"{e.code} {e.message}": e.class_name for e in api.errors}
    return {
        "protocol": api.protocol,
        "client": f"client.{api.name}",
        "operations": operations,
        "helpers": helpers,
        "channels": channels,
        "models": models,
        "errors": errors,
    }


def build_surface(sdk: Sdk) -> Surface:
    """The whole SDK's surface."""
    return {
        "format": FORMAT,
        "package": sdk.package,
        "distribution": sdk.distribution,
        "version": sdk.version,
        "apis": {api.name: api_surface(api) for api in sdk.apis},
    }


def surface_json(surface: Surface) -> str:
    """Stable JSON text of a surface (sorted keys, two-space indent, trailing newline)."""
    return dumps_indented(surface, end="\n")  # = json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + "\n", faster
