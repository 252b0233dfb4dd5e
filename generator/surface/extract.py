"""Extract the public surface of a generated SDK: what a user's code can call, pass, read and import.

Operations come from the IR (their signatures are rendered from it one to one). Models come from
the generated model source itself, parsed with `ast`, because the models engine decides their
final field types: the surface then describes the code users import, not our guess of it.

The surface is plain JSON (`<package>/api.json`), stable (sorted keys) and diff-friendly, so a
spec change shows up as a readable diff next to the code diff, and `sdkgen diff` can compare it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from typing import Any

from ..build.module_names import ENUM_BASES, HTTP_ERROR_CLASSES, OPEN_ENUM_BASES
from ..errors import SdkgenError
from ..ir import Api, Channel, Operation, Sdk

FORMAT = "sdkgen-api/1"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPEN_ENUM_BASES = OPEN_ENUM_BASES
_ENUM_BASES = ENUM_BASES

Surface = dict[str, Any]


def docs_digest(*texts: str) -> str:
    """A short fingerprint of documentation text: a docs-only change shows as a changed digest."""
    return hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:12]


def http_error_class(status: int) -> str:
    if status in HTTP_ERROR_CLASSES:
        return HTTP_ERROR_CLASSES[status]
    return "InternalServerError" if status >= 500 else "APIStatusError"


def _operation(api: Api, group: str, op: Operation) -> dict[str, Any]:
    params: dict[str, Any] = {}
    position = 0
    for param in op.params:
        entry: dict[str, Any] = {
            "type": param.annotation,
            "required": param.required,
            "in": param.location,
            "wire": param.wire_name,
        }
        if param.location == "path":  # the signature takes path parameters positionally
            entry["position"] = position
            position += 1
        if param.deprecated:
            entry["deprecated"] = True
        params[param.name] = entry
    if op.transport == "jsonrpc":
        by_code: dict[int, list[str]] = {}
        for error in api.errors:
            by_code.setdefault(error.code, []).append(error.class_name)
        errors = sorted({name for code in op.error_codes for name in by_code.get(code, [])})
        endpoint = f"rpc {op.rpc_method}"
    else:
        errors = sorted({http_error_class(status) for status in op.error_codes})
        endpoint = f"{op.http_method} {op.path}"
    entry = {
        "call": f"client.{api.name}.{group}.{op.name}",
        "endpoint": endpoint,
        "params": params,
        "returns": op.result_annotation,
        "errors": errors,
        "idempotent": op.idempotent,
        "docs": docs_digest(op.summary, op.description),
    }
    if op.deprecation is not None:
        entry["deprecated"] = {
            "message": op.deprecation.message,
            "sunset": op.deprecation.sunset,
            "replacement": op.deprecation.replacement,
        }
    return entry


def _channel(api: Api, channel: Channel) -> dict[str, Any]:
    """A subscription channel, described like an operation: what `client.<api>.ws.subscribe.<name>()` takes and yields."""
    params = {p.name: {"type": p.annotation, "required": p.required, "in": "channel", "wire": p.wire_name} for p in channel.params}
    return {
        "call": f"client.{api.name}.ws.subscribe.{channel.name}",
        "endpoint": f"channel {channel.template}" + (" (private)" if channel.private else ""),
        "params": params,
        "returns": channel.payload_annotation,
        "errors": [],
        "idempotent": True,
        "docs": docs_digest(channel.summary, channel.description),
    }


def _field_default(value: ast.expr | None) -> tuple[bool, str]:
    """(required, alias) of a field from its assigned value (`= None`, `= Field(...)`, nothing)."""
    if value is None:
        return True, ""
    if isinstance(value, ast.Call) and ast.unparse(value.func) in ("Field", "pydantic.Field"):
        keywords = {k.arg: k.value for k in value.keywords if k.arg}
        alias_node = keywords.get("alias")
        alias = alias_node.value if isinstance(alias_node, ast.Constant) and isinstance(alias_node.value, str) else ""
        has_default = "default" in keywords or "default_factory" in keywords
        if value.args:
            first = value.args[0]
            has_default = not (isinstance(first, ast.Constant) and first.value is Ellipsis)
        return not has_default, alias
    return False, ""


def _class_docs(node: ast.ClassDef) -> str:
    """Every docstring of a class (its own and its fields'), for the docs digest."""
    parts = [ast.get_docstring(node, clean=True) or ""]
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            parts.append(stmt.value.value.strip())
    return "\n".join(parts)


def models_of(source: str) -> dict[str, Any]:
    """The models, enums and aliases of one generated models module, with inherited fields flattened."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:  # the models stage wrote invalid Python: a generator bug, never the user's
        raise SdkgenError(f"the generated models module does not parse (line {exc.lineno}: {exc.msg}); please report this") from None
    classes: dict[str, Any] = {}
    own_bases: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [ast.unparse(b) for b in node.bases]
        docs = docs_digest(_class_docs(node))
        if any(b in _ENUM_BASES for b in bases):
            values = [
                stmt.value.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and not isinstance(stmt.value.value, bool)
            ]
            classes[node.name] = {"kind": "enum", "open": bool(_OPEN_ENUM_BASES & set(bases)), "values": values, "docs": docs}
            continue
        root = next((b for b in bases if b.startswith("RootModel[")), None)
        if root is not None:
            classes[node.name] = {"kind": "alias", "type": root[len("RootModel[") : -1], "docs": docs}
            continue
        fields: dict[str, Any] = {}
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name) or stmt.target.id == "model_config":
                continue
            annotation = stmt.annotation
            value = stmt.value
            if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Annotated":
                elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
                annotation = elements[0]
                field_call = next((e for e in elements[1:] if isinstance(e, ast.Call)), None)
                if value is None and field_call is not None:
                    value = field_call if not field_call.args else value
            required, alias = _field_default(value)
            entry: dict[str, Any] = {"type": ast.unparse(annotation), "required": required}
            if alias:
                entry["alias"] = alias
            fields[stmt.target.id] = entry
        own_bases[node.name] = [b for b in bases if b != "SDKModel"]
        classes[node.name] = {"kind": "model", "fields": fields, "docs": docs}
    for name in own_bases:  # bases precede subclasses in the module, so one pass in order flattens
        inherited: dict[str, Any] = {}
        for base in own_bases[name]:
            base_entry = classes.get(base)
            if base_entry is not None and base_entry["kind"] == "model":
                inherited.update(base_entry["fields"])
        classes[name]["fields"] = {**inherited, **classes[name]["fields"]}
    return classes


def referenced_names(annotation: str, names: set[str] | dict[str, Any]) -> set[str]:
    """The model names an annotation mentions."""
    return {word for word in _IDENTIFIER.findall(annotation) if word in names}


def _closure(start: set[str], models: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in models:
            continue
        seen.add(name)
        entry = models[name]
        types = [f["type"] for f in entry["fields"].values()] if entry["kind"] == "model" else [entry.get("type", "")]
        for annotation in types:
            todo.extend(referenced_names(annotation, models) - seen)
    return seen


def _mark_roles(models: dict[str, Any], operations: dict[str, Any]) -> None:
    """Tag each model with the roles it plays: `input` (sent), `output` (received), both or neither."""
    inputs = _closure({n for op in operations.values() for p in op["params"].values() for n in referenced_names(p["type"], models)}, models)
    outputs = _closure({n for op in operations.values() for n in referenced_names(op["returns"], models)}, models)
    for name, entry in models.items():
        entry["roles"] = [role for role, members in (("input", inputs), ("output", outputs)) if name in members]


def api_surface(api: Api, model_source: str) -> dict[str, Any]:
    """The surface of one API."""
    operations = {f"{group.module}.{op.name}": _operation(api, group.module, op) for group in api.groups for op in group.operations}
    channels = {channel.name: _channel(api, channel) for channel in (api.websocket.channels if api.websocket else ())}
    models = models_of(model_source)
    _mark_roles(models, {**operations, **{f"ws.subscribe.{name}": c for name, c in channels.items()}})
    errors = {str(e.code) if not e.match_message else f"{e.code} {e.message}": e.class_name for e in api.errors}
    return {
        "protocol": api.protocol,
        "client": f"client.{api.name}",
        "operations": operations,
        "channels": channels,
        "models": models,
        "errors": errors,
    }


def build_surface(sdk: Sdk, model_sources: dict[str, str]) -> Surface:
    """The whole SDK's surface; `model_sources` maps API name → its generated models module."""
    return {
        "format": FORMAT,
        "package": sdk.package,
        "distribution": sdk.distribution,
        "version": sdk.version,
        "apis": {api.name: api_surface(api, model_sources[api.name]) for api in sdk.apis},
    }


def surface_json(surface: Surface) -> str:
    """Stable JSON text of a surface (sorted keys, two-space indent, trailing newline)."""
    return json.dumps(surface, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
