"""OpenRPC 1.x → IR (JSON-RPC 2.0 methods; conventions the standard lacks in `x-` extensions)."""

from __future__ import annotations

import builtins
import dataclasses
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import Diagnostics, SpecError, join_pointer
from ..ir import Api, Auth, Channel, ErrorCode, Operation, Param, TypeRef, WebSocket
from ..load.documents import SourceDocument
from ..load.refs import DocumentSet
from .asyncapi import ChannelBuilder, ChannelSource, read_channels
from .module_names import RUNTIME_EXCEPTION_NAMES
from .naming import class_name, pascal_case, python_name, unique_name
from .operations import GroupCollector, api_class_name, deprecation_of, idempotency_of, ordered_params, param_name, text
from .order_migration import build_order_migration
from .pagination import EXTENSION as PAGINATION
from .pagination import pagination_from
from .plugins import PluginRegistry
from .readme import readme_examples
from .schemas import SchemaBundle
from .security import SecurityBuilder

_SCOPE_PREFIX = re.compile(r"^(public|private)/")
_PLACEHOLDER = re.compile(r"<[^>]*>")
_CHANNEL_HOLE = re.compile(r"\{([^{}]*)\}")
_TRANSPORTS = frozenset({"http", "websocket"})
# Members of the generated WebSocket class, which groups must not shadow.
_WEBSOCKET_MEMBERS = frozenset({"api", "connect", "close", "subscribe"})
# Keyword arguments every generated subscribe method takes besides the channel's parameters.
_SUBSCRIBE_OPTIONS = frozenset({"self", "queue_size", "overflow"})
# x-category → the semantic base class of the runtime (besides JSONRPCError).
CATEGORY_BASES = {
    "authentication": "AuthenticationError",
    "permission": "PermissionDeniedError",
    "rate_limit": "RateLimitError",
    "not_found": "NotFoundError",
    "invalid_request": "InvalidRequestError",
    "conflict": "ConflictError",
    "server": "InternalServerError",
    "unavailable": "ServiceUnavailableError",
}
_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if name.endswith(("Error", "Exception")))


class OpenRpcBuilder:
    """Builds one `Api` from a validated OpenRPC document."""

    def __init__(
        self,
        name: str,
        documents: DocumentSet,
        diagnostics: Diagnostics,
        env_prefix: str,
        plugins: PluginRegistry | None = None,
        channels: ChannelSource | None = None,
    ) -> None:
        self.name = name
        self.documents = documents
        self.doc: SourceDocument = documents.main
        self.diagnostics = diagnostics
        self.env_prefix = env_prefix
        self.bundle = SchemaBundle(documents, diagnostics, nullable_keyword=False, exact_numbers=True)
        self.plugins = plugins if plugins is not None else PluginRegistry((), Path.cwd())
        self.auth = Auth()
        self.channel_source = channels  # the channels' AsyncAPI document, when the config names one

    def _deref(self, node: Any, pointer: str) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.documents.resolve(node["$ref"], self.doc, pointer).value
        return node

    def build(self) -> Api:
        data = self.doc.data
        self.auth = self._auth()
        if isinstance((data.get("components") or {}).get("schemas"), dict):
            self.bundle.register_components(self.doc, "/components/schemas")
        errors = self._errors()
        collector = GroupCollector(self.name, diagnostics=self.diagnostics)
        roles = self._websocket_roles()
        for index, raw in enumerate(data.get("methods") or []):
            pointer = join_pointer("/methods", index)
            method = self._deref(raw, pointer)
            if self._transports(method, pointer, roles):
                operation, tag, models = self._method(method, pointer)
                collector.add(tag, operation, self.doc.location(pointer), models)
        websocket = self._websocket(roles)
        groups = collector.build({m.name for m in self.bundle.models()} | {api_class_name(self.name)})
        if websocket is not None:
            for group in groups:
                if group.name in _WEBSOCKET_MEMBERS:
                    raise SpecError(
                        self.doc.location("/x-websocket"),
                        f"group {group.name!r} would hide `client.{self.name}.ws.{group.name}`",
                        "rename the tag in an overlay",
                    )
        info = data.get("info") or {}
        servers = data.get("servers") or []
        server = servers[0] if servers and isinstance(servers[0], dict) else {}
        base_url = str(server.get("url", "")).rstrip("/")
        return Api(
            name=self.name,
            class_name=api_class_name(self.name),
            title=text(info.get("title")) or self.name,
            description=text(info.get("description")),
            version=str(info.get("version", "")),
            protocol="openrpc",
            source=self.doc.display,
            default_base_url=base_url,
            base_url_param=f"{self.name}_base_url",
            base_url_env=f"{self.env_prefix}_{self.name.upper()}_BASE_URL",
            auth=self.auth,
            groups=groups,
            models_module=self.name,
            models=self.bundle.models(),
            errors=errors,
            rpc_method_in_path=server.get("x-method-in-path") is True,
            websocket=websocket,
            order_migration=build_order_migration(self.doc, self.name, groups, self.plugins),
            readme_examples=readme_examples(self.doc),
        )

    def _method(self, method: Any, pointer: str) -> tuple[Operation, str, set[str]]:
        if not isinstance(method, dict) or not isinstance(method.get("name"), str):
            raise SpecError(self.doc.location(pointer), "a method needs a `name`")
        rpc_name: str = method["name"]
        override = method.get("x-sdkgen-name")
        name = python_name(override if isinstance(override, str) and override else _SCOPE_PREFIX.sub("", rpc_name), fallback="call")
        context = pascal_case(name)
        params, models = self._params(method.get("params"), pointer, context, set())
        # OpenRPC: a method without `result` "MUST only be used as a notification": sent without `id`,
        # and the server answers nothing (MetaMask's `wallet_notify`, Starknet's subscription events).
        notification = "result" not in method
        result: TypeRef | None = None
        if not notification:
            result_descriptor = self._deref(method.get("result"), join_pointer(pointer, "result"))
            if not isinstance(result_descriptor, dict):
                raise SpecError(
                    self.doc.location(join_pointer(pointer, "result")), f"the `result` of {rpc_name!r} is not a Content Descriptor"
                )
            result_schema = self.bundle.schema(
                result_descriptor.get("schema", {}), self.doc, join_pointer(pointer, "result", "schema"), context + "Result"
            )
            result = self.bundle.type_of(result_schema)
        elif "x-websocket" in self.doc.data:
            raise SpecError(
                self.doc.location(pointer),
                f"method {rpc_name!r} has no `result` (a notification) in a document with `x-websocket`",
                "notifications are sent over HTTP only; give the method a `result` or leave `x-websocket` out",
            )
        tags = method.get("tags") or []
        tag = "default"
        if tags:
            first = self._deref(tags[0], join_pointer(pointer, "tags", 0))
            if isinstance(first, dict) and isinstance(first.get("name"), str):
                tag = first["name"]
        codes = []
        for index, raw in enumerate(method.get("errors") or []):
            error = self._deref(raw, join_pointer(pointer, "errors", index))
            if isinstance(error, dict) and isinstance(error.get("code"), int):
                codes.append(error["code"])
        auth_required = method.get("x-auth-required")
        scopes = method.get("x-scopes")
        # A common JSON-RPC convention: `get_*` methods read, so sending one twice is harmless.
        reads = _SCOPE_PREFIX.sub("", rpc_name).startswith("get") or rpc_name == self.auth.token_method
        idempotent, idempotency_key = idempotency_of(method, params, reads, self.doc.location(pointer))
        operation = Operation(
            name=name,
            summary=text(method.get("summary")),
            description=text(method.get("description")),
            transport="jsonrpc",
            http_method="POST",
            path="",
            rpc_method=rpc_name,
            params=ordered_params(params),
            body_kind="none",
            body_content_type="",
            result=result,
            auth_required=auth_required if isinstance(auth_required, bool) else rpc_name.startswith("private/"),
            idempotent=idempotent,
            idempotency_key=idempotency_key,
            scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
            deprecation=deprecation_of(method, rpc_name),
            error_codes=tuple(sorted(set(codes))),
            source=f"{self.doc.display}#{pointer}",
            params_by_position=method.get("paramStructure") == "by-position",
            notification=notification,
            pagination=pagination_from(method.get(PAGINATION), params, self.doc.location(join_pointer(pointer, PAGINATION))),
        )
        if operation.auth_required:
            operation = dataclasses.replace(operation, security=self.auth.security)
        return operation, tag, models | set(result.models if result is not None else ())

    def _params(self, raw_params: Any, pointer: str, context: str, taken: set[str]) -> tuple[list[Param], set[str]]:
        """The `params` of a method or channel as IR parameters, and the models they name."""
        models: set[str] = set()
        params: list[Param] = []
        for index, raw in enumerate(raw_params if isinstance(raw_params, list) else []):
            site = join_pointer(pointer, "params", index)
            descriptor = self._deref(raw, site)
            if not isinstance(descriptor, dict) or not isinstance(descriptor.get("name"), str):
                raise SpecError(self.doc.location(site), "a param needs a `name`")
            schema = self.bundle.schema(
                descriptor.get("schema", {}), self.doc, join_pointer(site, "schema"), context + pascal_case(descriptor["name"])
            )
            kind = self.bundle.type_of(schema)
            models.update(kind.models)
            required = descriptor.get("required") is True
            params.append(
                Param(
                    param_name(descriptor["name"], taken, "param"),
                    descriptor["name"],
                    "rpc",
                    kind,  # optional: NOT_GIVEN by default; None only where the schema allows null
                    required,
                    text(descriptor.get("description") or descriptor.get("summary")),
                    descriptor.get("deprecated") is True,
                )
            )
        return params, models

    # -- WebSocket (x-websocket, x-transports, x-channels) ------------------------------------

    def _websocket_roles(self) -> dict[str, str]:
        """Method name → the role `x-websocket` gives it (subscribe, heartbeat...); the runtime sends those."""
        ws = self.doc.data.get("x-websocket")
        if ws is None:
            return {}
        if not isinstance(ws, dict):
            raise SpecError(self.doc.location("/x-websocket"), "`x-websocket` must be a mapping")
        roles: dict[str, str] = {}
        for key, role in (("subscribe", "public"), ("subscribe", "private"), ("unsubscribe", "public"), ("unsubscribe", "private"),
                          ("heartbeat", "method"), ("heartbeat", "answer")):  # fmt: skip
            value = ws.get(key, {}).get(role) if isinstance(ws.get(key), dict) else None
            if not isinstance(value, str) or not value:
                raise SpecError(self.doc.location(join_pointer("/x-websocket", key)), f"`x-websocket` needs `{key}.{role}`: a method name")
            roles[value] = f"{key}.{role}"
        names = {m.get("name") for m in (self._deref(raw, "/methods") for raw in self.doc.data.get("methods") or []) if isinstance(m, dict)}
        for method, role in roles.items():
            if method not in names:
                raise SpecError(
                    self.doc.location("/x-websocket"), f"`x-websocket` {role} names {method!r}, which is not a method of the spec"
                )
        return roles

    def _transports(self, method: Any, pointer: str, roles: dict[str, str]) -> bool:
        """Check `x-transports`; whether the method is generated (the runtime's own methods are not)."""
        name = method.get("name") if isinstance(method, dict) else None
        raw = method.get("x-transports", ["http", "websocket"]) if isinstance(method, dict) else []
        site = self.doc.location(join_pointer(pointer, "x-transports"))
        if not isinstance(raw, list) or not raw or not set(raw) <= _TRANSPORTS:
            raise SpecError(site, "`x-transports` must be a non-empty list of: http, websocket")
        if name in roles:
            return False
        if "http" not in raw:
            raise SpecError(
                site, f"method {name!r} is WebSocket-only", "only the methods `x-websocket` names (subscribe, heartbeat...) can be"
            )
        if roles and "websocket" not in raw:
            raise SpecError(
                site,
                f"method {name!r} is HTTP-only, but the API has `x-websocket`",
                "the WebSocket client serves every generated method; add `websocket` to `x-transports`",
            )
        return True

    def _websocket(self, roles: dict[str, str]) -> WebSocket | None:
        ws = self.doc.data.get("x-websocket")
        if not roles or not isinstance(ws, dict):
            return None
        servers = self.doc.data.get("servers") or []
        url = ws.get("url") or (servers[0].get("x-websocket-url") if servers and isinstance(servers[0], dict) else None)
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise SpecError(self.doc.location("/x-websocket"), "`x-websocket` needs a `url` (ws:// or wss://)")
        max_frame, reauth = ws.get("max-frame-bytes", 0), ws.get("reauthenticate-after", 0)
        for key, value in (("max-frame-bytes", max_frame), ("reauthenticate-after", reauth)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SpecError(self.doc.location(join_pointer("/x-websocket", key)), f"`{key}` must be a number of 0 or more (0: none)")
        by_role = {role: method for method, role in roles.items()}
        heartbeat = ws["heartbeat"]
        channels: list[Channel] = []
        models: set[str] = set()
        taken: dict[str, str] = {}
        raw_channels = self.doc.data.get("x-channels") or []
        if self.channel_source is not None:
            if raw_channels:
                raise SpecError(
                    self.doc.location("/x-channels"),
                    "the channels come from the AsyncAPI document the config names, and `x-channels` lists channels too",
                    "describe each channel once: remove `x-channels` (sequencing goes in `x-sequence` on the AsyncAPI channel)",
                )
            documents, description = read_channels(self.channel_source, self.diagnostics)
            channels, models = ChannelBuilder(self.bundle, documents, description, self.diagnostics, _SUBSCRIBE_OPTIONS).build()
        if not isinstance(raw_channels, list):
            raise SpecError(self.doc.location("/x-channels"), "`x-channels` must be a list")
        for index, raw in enumerate(raw_channels):
            pointer = join_pointer("/x-channels", index)
            channel, channel_models = self._channel(raw, pointer)
            if channel.name in taken:
                raise SpecError(
                    self.doc.location(pointer),
                    f"channel {channel.template!r} would be named {channel.name}(), like {taken[channel.name]!r}",
                    "name one of them with `x-sdkgen-name`",
                )
            taken[channel.name] = channel.template
            channels.append(channel)
            models |= channel_models
        return WebSocket(
            url=url.rstrip("/"),
            url_param=f"{self.name}_ws_url",
            url_env=f"{self.env_prefix}_{self.name.upper()}_WS_URL",
            max_frame_bytes=int(max_frame),
            reauthenticate_after=float(reauth),
            subscribe_public=by_role["subscribe.public"],
            subscribe_private=by_role["subscribe.private"],
            unsubscribe_public=by_role["unsubscribe.public"],
            unsubscribe_private=by_role["unsubscribe.private"],
            heartbeat_method=by_role["heartbeat.method"],
            heartbeat_notification=str(heartbeat.get("notification") or "heartbeat"),
            test_request=str(heartbeat.get("test-request") or "test_request"),
            test_method=by_role["heartbeat.answer"],
            notification_method=str(ws.get("notification-method") or "subscription"),
            channels=tuple(channels),
            model_imports=tuple(sorted(models)),
        )

    def _channel(self, raw: Any, pointer: str) -> tuple[Channel, set[str]]:
        location = self.doc.location(pointer)
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise SpecError(location, "a channel needs a `name` (the channel template, e.g. `user.portfolio.{currency}`)")
        template: str = raw["name"]
        override = raw.get("x-sdkgen-name")
        fixed = [part for part in template.split(".") if not _CHANNEL_HOLE.search(part)]
        name = python_name(override if isinstance(override, str) and override else "_".join(fixed), fallback="channel")
        context = pascal_case(name)
        params, models = self._params(raw.get("params"), pointer, context, set(_SUBSCRIBE_OPTIONS))
        holes = _CHANNEL_HOLE.findall(template)
        declared = {p.wire_name for p in params}
        for hole in holes:
            if hole not in declared:
                raise SpecError(location, f"channel {template!r} has `{{{hole}}}`, which is not one of its `params`")
        for param in params:
            if param.wire_name not in holes:
                raise SpecError(location, f"channel param {param.wire_name!r} does not appear in the channel name {template!r}")
            if not param.required:
                raise SpecError(location, f"channel param {param.wire_name!r} must be `required: true`: the name needs every part")
        payload = raw.get("payload")
        if not isinstance(payload, dict):
            raise SpecError(location, f"channel {template!r} needs a `payload` schema")
        payload_type = self.bundle.type_of(
            self.bundle.schema(payload, self.doc, join_pointer(pointer, "payload"), context + "Notification")
        )
        sequence = raw.get("sequence") or {}
        if not isinstance(sequence, dict) or not all(isinstance(sequence.get(k, ""), str) for k in ("field", "previous")):
            raise SpecError(
                self.doc.location(join_pointer(pointer, "sequence")), "`sequence` must map `field` (and `previous`) to payload field names"
            )
        if sequence.get("previous") and not sequence.get("field"):
            raise SpecError(self.doc.location(join_pointer(pointer, "sequence")), "`sequence.previous` needs `sequence.field`")
        channel = Channel(
            example_args=self._example_args(raw.get("params"), params, pointer),
            name=name,
            template=template,
            summary=text(raw.get("summary")),
            description=text(raw.get("description")),
            private=raw.get("private") is True,
            params=ordered_params(params),
            payload=payload_type,
            sequence_field=str(sequence.get("field", "")),
            previous_field=str(sequence.get("previous", "")),
            source=f"{self.doc.display}#{pointer}",
            resubscribe_on_gap=sequence.get("on-gap") == "resubscribe" and bool(sequence.get("previous")),
        )
        return channel, models | set(payload_type.models)

    def _example_args(self, raw_params: Any, params: list[Param], pointer: str) -> str:
        """`name=value` for each param, from its schema's first example (or enum value); `...` when none."""
        by_wire = {p.wire_name: p for p in params}
        out: list[str] = []
        for index, raw in enumerate(raw_params if isinstance(raw_params, list) else []):
            site = join_pointer(pointer, "params", index)
            descriptor = self._deref(raw, site)
            schema = self._deref(descriptor.get("schema", {}), join_pointer(site, "schema"))
            values = [*(schema.get("examples") or []), *(schema.get("enum") or [])] if isinstance(schema, dict) else []
            param = by_wire[descriptor["name"]]
            if not values or not isinstance(values[0], (str, int, float, bool)):
                out.append(f"{param.name}=...")
            elif param.type.kind in ("enum", "model") and not param.type.nullable:
                out.append(f"{param.name}={param.type.name}({values[0]!r})")
            else:
                out.append(f"{param.name}={values[0]!r}")
        return ", ".join(out)

    def _errors(self) -> tuple[ErrorCode, ...]:
        errors = (self.doc.data.get("components") or {}).get("errors") or {}
        # The meta-schema allows no `x-` keys on error objects, so their metadata sits in a
        # root map keyed like components/errors.
        extensions = self.doc.data.get("x-error-extensions") or {}
        out: list[ErrorCode] = []
        taken: set[str] = set()
        # Errors listed twice (same code and message) count once: a message is matched only when it tells errors apart.
        code_counts = Counter(
            code for code, _ in {(e.get("code"), str(e.get("message", ""))) for e in errors.values() if isinstance(e, dict)}
        )
        first_with: dict[tuple[int, str], str] = {}  # (code, message) → the error key that has it
        for key, error in sorted(errors.items(), key=lambda kv: (kv[1].get("code", 0) if isinstance(kv[1], dict) else 0, kv[0])):
            pointer = join_pointer("/components/errors", key)
            if not isinstance(error, dict) or not isinstance(error.get("code"), int):
                raise SpecError(self.doc.location(pointer), "an error needs an integer `code`")
            message = str(error.get("message", ""))
            if (error["code"], message) in first_with:
                # A response carries only the code and the message: the two cannot be told apart.
                self.diagnostics.warn(
                    self.doc.location(pointer),
                    f"error {key!r} has the same code and message as {first_with[error['code'], message]!r}: "
                    "it raises that error's class (no class of its own)",
                    kind="duplicate JSON-RPC error",
                )
                continue
            first_with[error["code"], message] = key
            extra: dict[str, Any] = extensions[key] if isinstance(extensions.get(key), dict) else {}
            base = class_name(_PLACEHOLDER.sub("", message) or key)
            if not base.endswith("Error"):
                base += "Error"
            if base in RUNTIME_EXCEPTION_NAMES or base in _BUILTIN_NAMES:
                base = "Rpc" + base  # `NotFoundError` is the SDK's base class; 13020 becomes `RpcNotFoundError`
            category = str(extra.get("x-category", "other"))
            if category != "other" and category not in CATEGORY_BASES:
                raise SpecError(
                    self.doc.location(join_pointer("/x-error-extensions", key, "x-category")),
                    f"unknown error category {category!r}",
                    f"use one of: {', '.join(sorted(CATEGORY_BASES))}, other",
                )
            out.append(
                ErrorCode(
                    code=error["code"],
                    class_name=unique_name(base, taken, (f"{abs(error['code'])}",)),
                    message=message,
                    description=text(extra.get("x-description")),
                    category=category,
                    retryable=extra.get("x-retryable") is True,
                    session_closed=extra.get("x-session-closed") is True,
                    bases=("JSONRPCError",) + ((CATEGORY_BASES[category],) if category in CATEGORY_BASES else ()),
                    match_message=code_counts[error["code"]] > 1,
                )
            )
            taken.add(out[-1].class_name)
        return tuple(out)

    def _auth(self) -> Auth:
        """`x-auth`: the token method, and per grant type the plug-in `Auth` that gives it (first: preferred)."""
        auth = self.doc.data.get("x-auth")
        if auth is None:
            return Auth()
        if not isinstance(auth, dict):
            raise SpecError(self.doc.location("/x-auth"), "`x-auth` must be a mapping")
        grants = auth.get("grant-types") or []
        plugins = auth.get("plugins") or []
        if not isinstance(grants, list) or not all(isinstance(g, str) for g in grants):
            raise SpecError(self.doc.location("/x-auth/grant-types"), "`grant-types` must be a list of grant type names")
        if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
            raise SpecError(self.doc.location("/x-auth/plugins"), "`plugins` must be a list of plug-in names")
        builder = SecurityBuilder(
            env_prefix=self.env_prefix,
            plugins=self.plugins,
            diagnostics=self.diagnostics,
            api_title=text((self.doc.data.get("info") or {}).get("title")),
        )
        schemes = []
        for index, grant in enumerate(grants):
            plugin_auth = self.plugins.grant(grant, self.doc.location(join_pointer("/x-auth/grant-types", index)))
            schemes.append(builder.plugin_scheme(grant, plugin_auth))
        for index, name in enumerate(plugins):
            self.plugins.plugin(name, self.doc.location(join_pointer("/x-auth/plugins", index)), api=self.name)
        return Auth(
            schemes=tuple(schemes),
            security=tuple((s.key,) for s in schemes),
            token_method=str(auth.get("method", "public/auth")),
            credentials=tuple(builder.credentials.values()),
            plugins=tuple(plugins),
        )
