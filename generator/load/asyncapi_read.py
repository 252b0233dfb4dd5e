"""Walk a validated AsyncAPI 2.6 or 3.0 document once and describe it (`asyncapi_model`).

The two versions differ in shape, not in meaning, so one `_Reader` holds what they share
(following `$ref`s, merging traits, messages, schemas, servers, parameters, security) and
`_V2`/`_V3` only walk their own layout:

- AsyncAPI 2: a channel is keyed by its address and holds at most a `publish` and a `subscribe`
  operation, each with one message or a `oneOf` of messages. A channel's messages are those of its
  operations. Traits override the object they apply to.
- AsyncAPI 3: channels (with an `address` apart from their key, and their `messages`), and
  top-level `operations` with an `action`, one `channel` `$ref`, optional `messages` (else all of
  the channel's) and a `reply`. The object overrides its traits.

The checks the JSON Schemas cannot make are errors here, with the file, line and pointer of the
offending node.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..errors import Diagnostics, Location, SpecError, join_pointer
from .asyncapi_model import (
    AsyncApi,
    Channel,
    CorrelationId,
    Describes,
    Message,
    Operation,
    Parameter,
    Reply,
    Schema,
    SecurityScheme,
    Server,
    client_action,
)
from .documents import SourceDocument, split_pointer
from .refs import DocumentSet

_HOLE = re.compile(r"\{([^{}]*)\}")
_MAX_REF_HOPS = 64

# Schema formats that are JSON Schema (or a dialect of it the models stage reads). Anything else
# (Avro, RAML, Protobuf) stays in the description untyped, with a warning.
_JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
)


class _Node:
    """A value of the document set with where it is: (value, document, pointer)."""

    __slots__ = ("doc", "pointer", "ref", "value")

    def __init__(self, value: Any, doc: SourceDocument, pointer: str, ref: str = "") -> None:
        self.value = value
        self.doc = doc
        self.pointer = pointer
        self.ref = ref  # the first `$ref` followed to get here ("" when the value was inline)

    def location(self) -> Location:
        return self.doc.location(self.pointer)

    def child(self, *tokens: str | int) -> _Node:
        value: Any = self.value
        for token in tokens:
            if isinstance(value, list) and isinstance(token, int) and token < len(value):
                value = value[token]
            else:
                value = value.get(str(token)) if isinstance(value, dict) else None
        return _Node(value, self.doc, join_pointer(self.pointer, *tokens))

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    def text(self, key: str) -> str:
        value = self.get(key)
        return value if isinstance(value, str) else ""


def _extensions(value: Any) -> dict[str, Any]:
    """The `x-` keys of an object: what AsyncAPI cannot say, kept for later stages."""
    return {k: v for k, v in value.items() if k.startswith("x-")} if isinstance(value, dict) else {}


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: `patch` wins; `null` removes a key; objects merge recursively."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


class _Reader:
    """What both versions share. `read()` is implemented by `_V2` and `_V3`."""

    def __init__(self, documents: DocumentSet, version: str, diagnostics: Diagnostics, describes: Describes) -> None:
        self.documents = documents
        self.main = documents.main
        self.data: dict[str, Any] = documents.main.data
        self.version = version
        self.diagnostics = diagnostics
        self.describes = describes
        self.root = _Node(self.data, self.main, "")
        self.default_content_type = self.root.text("defaultContentType")
        self.messages: dict[str, Message] = {}  # key → message, in the order first met
        self.schemes = self.root.child("components").child("securitySchemes") if isinstance(self.data.get("components"), dict) else None

    # -- references --------------------------------------------------------------------------

    def deref(self, node: _Node) -> _Node:
        """Follow `$ref`s until a value that is not one (each hop checked by the DocumentSet)."""
        first = ""
        for _ in range(_MAX_REF_HOPS):
            value = node.value
            if not (isinstance(value, dict) and "$ref" in value):
                return _Node(value, node.doc, node.pointer, first)
            target = self.documents.resolve(value["$ref"], node.doc, node.pointer)
            first = first or value["$ref"]
            node = _Node(target.value, target.document, target.pointer)
        raise SpecError(node.location(), f"more than {_MAX_REF_HOPS} `$ref`s in a row", "refer to the object itself")

    def key_of(self, node: _Node) -> str:
        """A stable key for an object: its pointer, prefixed by its file when not the main document."""
        return node.pointer if node.doc is self.main else f"{node.doc.display}#{node.pointer}"

    def warn(self, node: _Node | Location, message: str, kind: str) -> None:
        self.diagnostics.warn(node if isinstance(node, Location) else node.location(), message, kind=kind)

    # -- pieces shared by both versions ------------------------------------------------------

    def with_traits(self, node: _Node, *, object_wins: bool) -> _Node:
        """The object with its `traits` merged in (RFC 7386), in order. AsyncAPI 2: a trait
        overrides the object; AsyncAPI 3: the object overrides its traits."""
        traits = node.get("traits")
        if not isinstance(traits, list) or not traits:
            return node
        own = {k: v for k, v in node.value.items() if k != "traits"}
        merged: Any = {} if object_wins else own
        for index in range(len(traits)):
            trait = self.deref(node.child("traits", index))
            if isinstance(trait.value, dict):
                merged = _merge_patch(merged, trait.value)
        if object_wins:
            merged = _merge_patch(merged, own)
        return _Node(merged, node.doc, node.pointer, node.ref)

    def tags(self, node: _Node) -> tuple[str, ...]:
        names: list[str] = []
        tags = node.get("tags")
        for index in range(len(tags) if isinstance(tags, list) else 0):
            tag = self.deref(node.child("tags", index))
            name = tag.get("name")
            if isinstance(name, str):
                if name in names:
                    self.warn(tag, f"tag {name!r} is listed twice", kind="duplicate tag")
                else:
                    names.append(name)
        return tuple(names)

    def bindings(self, node: _Node) -> dict[str, Any]:
        if node.get("bindings") is None:
            return {}
        bindings = self.deref(node.child("bindings"))
        if not isinstance(bindings.value, dict):
            return {}
        out: dict[str, Any] = {}
        for protocol in bindings.value:
            binding = self.deref(bindings.child(protocol))
            out[protocol] = binding.value
        return out

    def schema(self, node: _Node, schema_format: str) -> Schema:
        """A payload or headers schema (following a `$ref` to where it is defined)."""
        resolved = self.deref(node)
        name = ""
        tokens = split_pointer(resolved.pointer)
        if len(tokens) == 3 and tokens[:2] == ["components", "schemas"]:
            name = tokens[2]
        json_schema = schema_format.replace(" ", "").lower().startswith(_JSON_SCHEMA_FORMATS)
        return Schema(resolved.location(), resolved.ref or node.ref, name, schema_format, json_schema, resolved.value)

    def default_schema_format(self) -> str:
        return f"application/vnd.aai.asyncapi+json;version={self.version}"

    def correlation_id(self, node: _Node) -> CorrelationId | None:
        if node.get("correlationId") is None:
            return None
        correlation = self.deref(node.child("correlationId"))
        expr = correlation.text("location")
        if not (expr.startswith("$message.header#") or expr.startswith("$message.payload#")):
            raise SpecError(
                correlation.child("location").location(),
                f"correlation id location {expr!r} is not a runtime expression",
                "write `$message.header#/<pointer>` or `$message.payload#/<pointer>`",
            )
        return CorrelationId(expr, correlation.text("description"), correlation.location())

    def message(self, slot: _Node, fallback_name: str) -> str:
        """Describe the message at `slot` (once per object) and return its key."""
        resolved = self.deref(slot)
        key = self.key_of(resolved)
        if key in self.messages:
            return key
        merged = self.with_traits(resolved, object_wins=self.version.startswith("3."))
        tokens = split_pointer(resolved.pointer)
        component = tokens[2] if len(tokens) == 3 and tokens[:2] == ["components", "messages"] else ""
        message_id = merged.text("messageId")
        name = merged.text("name") or component or message_id or fallback_name
        payload: Schema | None = None
        if merged.get("payload") is not None:
            payload_node = self.deref(merged.child("payload"))
            schema_format = merged.text("schemaFormat") or self.default_schema_format()
            if isinstance(payload_node.value, dict) and "schemaFormat" in payload_node.value and self.version.startswith("3."):
                schema_format = str(payload_node.value.get("schemaFormat"))
                payload_node = payload_node.child("schema")
            payload = self.schema(payload_node, schema_format)
            if not payload.json_schema:
                self.warn(
                    payload.location,
                    f"the payload of message {name!r} is in schema format {schema_format!r}, which sdkgen does not read: it stays untyped",
                    kind="payload schema format not read",
                )
        headers: Schema | None = None
        if merged.get("headers") is not None:
            headers_node = self.deref(merged.child("headers"))
            headers_format = self.default_schema_format()
            if isinstance(headers_node.value, dict) and "schemaFormat" in headers_node.value and self.version.startswith("3."):
                headers_format = str(headers_node.value.get("schemaFormat"))
                headers_node = headers_node.child("schema")
            headers = self.schema(headers_node, headers_format)
        examples = merged.get("examples")
        self.messages[key] = Message(
            key=key,
            name=name,
            message_id=message_id,
            title=merged.text("title"),
            summary=merged.text("summary"),
            description=merged.text("description"),
            content_type=merged.text("contentType") or self.default_content_type,
            payload=payload,
            headers=headers,
            correlation_id=self.correlation_id(merged),
            bindings=self.bindings(merged),
            examples=tuple(examples) if isinstance(examples, list) else (),
            tags=self.tags(merged),
            location=resolved.location(),
            extensions=_extensions(merged.value),
        )
        return key

    def parameters(self, channel: _Node, address: str | None, label: str) -> tuple[Parameter, ...]:
        """A channel's parameters, checked against the `{holes}` of its address."""
        declared = channel.get("parameters")
        params: list[Parameter] = []
        if isinstance(declared, dict):
            block = self.deref(channel.child("parameters"))
            for name in declared:
                params.append(self.parameter(self.deref(block.child(name)), name))
        holes = _HOLE.findall(address or "")
        names = {p.name for p in params}
        for hole in holes:
            if hole not in names:
                raise SpecError(
                    channel.location(),
                    f"channel {label!r}: the address has {{{hole}}} but no parameter {hole!r} is declared",
                    "declare it under the channel's `parameters`",
                )
        for param in params:
            if address is not None and param.name not in holes:
                hint = f" (the address writes ({param.name}); AsyncAPI writes {{{param.name}}})" if f"({param.name})" in address else ""
                self.warn(
                    param.location,
                    f"channel {label!r}: parameter {param.name!r} does not appear in the address {address!r}{hint}",
                    kind="parameter not in the channel address",
                )
        return tuple(params)

    def parameter(self, node: _Node, name: str) -> Parameter:
        """A parameter or server variable. AsyncAPI 2 parameters carry a `schema`; AsyncAPI 3
        parameters and all server variables carry `enum`/`default`/`examples` of a string."""
        schema: dict[str, Any]
        if isinstance(node.get("schema"), dict):
            schema = dict(self.deref(node.child("schema")).value)
        else:
            schema = {"type": "string"}
            for key in ("enum", "default", "examples", "description"):
                if node.get(key) is not None:
                    schema[key] = node.get(key)
        enum = schema.get("enum")
        default = schema.get("default")
        examples = schema.get("examples")
        return Parameter(
            name=name,
            description=node.text("description") or str(schema.get("description") or ""),
            schema=schema,
            enum=tuple(str(v) for v in enum) if isinstance(enum, list) else (),
            default=None if default is None else str(default),
            examples=tuple(str(v) for v in examples) if isinstance(examples, list) else (),
            location_expr=node.text("location"),
            location=node.location(),
        )

    def security_scheme(self, node: _Node, key: str, scopes: tuple[str, ...]) -> SecurityScheme:
        details = (
            {k: v for k, v in node.value.items() if k not in ("type", "description", "scopes")} if isinstance(node.value, dict) else {}
        )
        return SecurityScheme(key, node.text("type"), node.text("description"), scopes, details, node.location())

    def security(self, owner: _Node) -> tuple[SecurityScheme, ...]:
        """A server's or operation's security: AsyncAPI 2 names schemes of components (with
        scopes); AsyncAPI 3 lists Security Scheme objects (usually `$ref`s to components)."""
        requirements = owner.get("security")
        if not isinstance(requirements, list):
            return ()
        out: list[SecurityScheme] = []
        for index in range(len(requirements)):
            item = owner.child("security", index)
            if self.version.startswith("2."):
                for scheme_name, scopes in (item.value or {}).items():
                    if self.schemes is None or not isinstance(self.schemes.value, dict) or scheme_name not in self.schemes.value:
                        raise SpecError(
                            item.location(),
                            f"security scheme {scheme_name!r} is not declared in components/securitySchemes",
                            "declare it there, under the same name",
                        )
                    scheme = self.deref(self.schemes.child(scheme_name))
                    out.append(self.security_scheme(scheme, scheme_name, tuple(str(s) for s in scopes or ())))
            else:
                scheme = self.deref(item)
                tokens = split_pointer(scheme.pointer)
                key = tokens[2] if len(tokens) == 3 and tokens[:2] == ["components", "securitySchemes"] else f"{owner.pointer}#{index}"
                scopes = scheme.get("scopes")
                out.append(self.security_scheme(scheme, key, tuple(str(s) for s in scopes) if isinstance(scopes, list) else ()))
        return tuple(out)

    def servers(self) -> tuple[Server, ...]:
        servers = self.data.get("servers")
        if not isinstance(servers, dict):
            return ()
        block = self.deref(self.root.child("servers"))
        out = []
        for key in servers:
            node = self.deref(block.child(key))
            protocol = node.text("protocol")
            if self.version.startswith("2."):
                url = node.text("url")
                host, _, rest = url.split("://", 1)[-1].partition("/")
                pathname = "/" + rest if rest else ""
                texts = [url]
            else:
                host, pathname = node.text("host"), node.text("pathname")
                url = f"{protocol}://{host}{pathname}"
                texts = [host, pathname]
            variables: list[Parameter] = []
            if isinstance(node.get("variables"), dict):
                var_block = self.deref(node.child("variables"))
                variables = [self.parameter(self.deref(var_block.child(name)), name) for name in node.get("variables")]
            declared = {v.name for v in variables}
            for hole in (h for text in texts for h in _HOLE.findall(text)):
                if hole not in declared:
                    raise SpecError(
                        node.location(), f"server {key!r}: {{{hole}}} has no server variable", "declare it under the server's `variables`"
                    )
            out.append(
                Server(
                    key=key,
                    url=url,
                    host=host,
                    pathname=pathname,
                    protocol=protocol,
                    protocol_version=node.text("protocolVersion"),
                    title=node.text("title"),
                    summary=node.text("summary"),
                    description=node.text("description"),
                    variables=tuple(variables),
                    security=self.security(node),
                    bindings=self.bindings(node),
                    location=node.location(),
                    extensions=_extensions(node.value),
                )
            )
        return tuple(out)

    def component_messages(self, used: set[str]) -> None:
        """Describe component messages that no channel or operation uses (kept, with a warning)."""
        components = self.data.get("components")
        if not isinstance(components, dict) or not isinstance(components.get("messages"), dict):
            return
        block = self.root.child("components", "messages")
        for name in components["messages"]:
            key = self.message(block.child(name), name)
            if key not in used:
                self.warn(
                    self.messages[key].location,
                    f"message {self.messages[key].name!r} is on no channel: no client method sends or receives it",
                    kind="message on no channel",
                )

    def describe(self, servers: tuple[Server, ...], channels: list[Channel], operations: list[Operation]) -> AsyncApi:
        info = self.root.child("info") if isinstance(self.data.get("info"), dict) else _Node({}, self.main, "/info")
        for channel in channels:
            ops = [op for op in operations if op.channel == channel.key]
            replies = [op.reply for op in operations if op.reply is not None and op.reply.channel == channel.key]
            if not ops and not replies:
                self.warn(
                    Location(channel.location.file, channel.location.pointer, channel.location.line),
                    f"channel {channel.key!r} has no operation: the client neither sends nor receives on it",
                    kind="channel with no operation",
                )
                continue
            used = {m for op in ops for m in op.messages} | {m for reply in replies for m in reply.messages}
            for key in channel.messages:
                if key not in used:
                    self.warn(
                        self.messages[key].location,
                        f"message {self.messages[key].name!r} of channel {channel.key!r} is used by none of its operations",
                        kind="channel message used by no operation",
                    )
        return AsyncApi(
            asyncapi_version=self.version,
            describes=self.describes,
            title=info.text("title"),
            version=info.text("version"),
            description=info.text("description"),
            default_content_type=self.default_content_type,
            servers=servers,
            channels=tuple(channels),
            operations=tuple(operations),
            messages=tuple(self.messages.values()),
            source=self.main.display,
            extensions={k: v for k, v in self.data.items() if k.startswith("x-")},
        )

    def check_servers(self, node: _Node, names: list[str], servers: tuple[Server, ...], label: str) -> None:
        known = {s.key for s in servers}
        for name in names:
            if name not in known:
                raise SpecError(node.location(), f"{label} names server {name!r}, which is not declared", "declare it under `servers`")


class _V2(_Reader):
    """AsyncAPI 2.6: operations live in channels; `publish`/`subscribe` name the user's side."""

    def read(self) -> AsyncApi:
        servers = self.servers()
        channels: list[Channel] = []
        operations: list[Operation] = []
        operation_ids: dict[str, Location] = {}
        message_ids: dict[str, str] = {}
        block = self.deref(self.root.child("channels")) if isinstance(self.data.get("channels"), dict) else None
        for name in self.data.get("channels") or {}:
            assert block is not None
            slot = block.child(name)
            item = self.deref(slot)
            if "?" in name or "#" in name:
                raise SpecError(
                    slot.location(), f"channel {name!r} has a query or fragment in its name", "put query parameters in bindings"
                )
            names = item.get("servers") if isinstance(item.get("servers"), list) else []
            self.check_servers(item, names, servers, f"channel {name!r}")
            parameters = self.parameters(item, name, name)
            channel_messages: list[str] = []
            for spec_action in ("publish", "subscribe"):
                if item.get(spec_action) is None:
                    continue
                op = self.with_traits(self.deref(item.child(spec_action)), object_wins=False)
                keys = self.operation_messages(op, name, spec_action, message_ids)
                channel_messages.extend(k for k in keys if k not in channel_messages)
                operation_id = op.text("operationId")
                if operation_id:
                    if operation_id in operation_ids:
                        raise SpecError(
                            op.location(),
                            f"operationId {operation_id!r} is used twice (also at {operation_ids[operation_id]})",
                            "operationIds must be unique: rename one in an overlay",
                        )
                    operation_ids[operation_id] = op.location()
                operations.append(
                    Operation(
                        key=operation_id or f"{spec_action} {name}",
                        action=client_action(self.version, spec_action, self.describes),
                        spec_action=spec_action,
                        channel=name,
                        messages=tuple(keys),
                        reply=None,
                        title="",
                        summary=op.text("summary"),
                        description=op.text("description"),
                        security=self.security(op),
                        bindings=self.bindings(op),
                        tags=self.tags(op),
                        location=op.location(),
                        extensions=_extensions(op.value),
                    )
                )
            channels.append(
                Channel(
                    key=name,
                    address=name,
                    title="",
                    summary="",
                    description=item.text("description"),
                    parameters=parameters,
                    messages=tuple(channel_messages),
                    servers=tuple(names),
                    bindings=self.bindings(item),
                    tags=(),
                    location=item.location(),
                    extensions=_extensions(item.value),
                )
            )
        used = {k for c in channels for k in c.messages}
        self.component_messages(used)
        return self.describe(servers, channels, operations)

    def operation_messages(self, op: _Node, channel: str, spec_action: str, message_ids: dict[str, str]) -> list[str]:
        """The message of an AsyncAPI 2 operation, or each member of its `oneOf`."""
        if op.get("message") is None:
            self.warn(op, f"the {spec_action} operation of channel {channel!r} has no message", kind="operation with no message")
            return []
        message = self.deref(op.child("message"))
        slots = [message.child("oneOf", i) for i in range(len(message.value["oneOf"]))] if "oneOf" in (message.value or {}) else [message]
        keys = []
        for index, slot in enumerate(slots):
            key = self.message(slot, f"{spec_action}_{channel}" + (f"_{index + 1}" if len(slots) > 1 else ""))
            described = self.messages[key]
            if described.message_id:
                other = message_ids.setdefault(described.message_id, key)
                if other != key:
                    raise SpecError(
                        described.location,
                        f"messageId {described.message_id!r} is used twice (also at {self.messages[other].location})",
                        "messageIds must be unique",
                    )
            keys.append(key)
        return keys


class _V3(_Reader):
    """AsyncAPI 3.0: channels and operations are apart; `send`/`receive` are the application's side."""

    def read(self) -> AsyncApi:
        servers = self.servers()
        channels: list[Channel] = []
        # pointer of each channel message slot and of its resolved object → message key
        self.channel_slots: dict[str, dict[str, str]] = {}
        block = self.deref(self.root.child("channels")) if isinstance(self.data.get("channels"), dict) else None
        for key in self.data.get("channels") or {}:
            assert block is not None
            channels.append(self.channel(block.child(key), key, servers))
        by_key = {c.key: c for c in channels}
        operations: list[Operation] = []
        op_block = self.deref(self.root.child("operations")) if isinstance(self.data.get("operations"), dict) else None
        for key in self.data.get("operations") or {}:
            assert op_block is not None
            operations.append(self.operation(op_block.child(key), key, by_key))
        used = {k for c in channels for k in c.messages}
        self.component_messages(used)
        return self.describe(servers, channels, operations)

    def channel(self, slot: _Node, key: str, servers: tuple[Server, ...]) -> Channel:
        node = self.deref(slot)
        address = node.get("address")
        if address is not None and not isinstance(address, str):
            raise SpecError(node.child("address").location(), f"channel {key!r}: the address must be a string or null")
        names: list[str] = []
        refs = node.get("servers")
        for index in range(len(refs) if isinstance(refs, list) else 0):
            ref_node = node.child("servers", index)
            server = self.deref(ref_node)
            tokens = split_pointer(server.pointer)
            if server.doc is not self.main or len(tokens) != 2 or tokens[0] != "servers":
                raise SpecError(ref_node.location(), f"channel {key!r}: a server must be a `$ref` to one under the root `servers`")
            names.append(tokens[1])
        self.check_servers(node, names, servers, f"channel {key!r}")
        slots: dict[str, str] = {}
        keys: list[str] = []
        declared = node.get("messages")
        if isinstance(declared, dict):
            messages = self.deref(node.child("messages"))
            for name in declared:
                message_slot = messages.child(name)
                message_key = self.message(message_slot, name)
                slots[message_slot.pointer] = message_key
                slots[message_key] = message_key
                if message_key not in keys:
                    keys.append(message_key)
        self.channel_slots[key] = slots
        return Channel(
            key=key,
            address=address,
            title=node.text("title"),
            summary=node.text("summary"),
            description=node.text("description"),
            parameters=self.parameters(node, address, key),
            messages=tuple(keys),
            servers=tuple(names),
            bindings=self.bindings(node),
            tags=self.tags(node),
            location=node.location(),
            extensions=_extensions(node.value),
        )

    def channel_ref(self, holder: _Node, channels: dict[str, Channel], label: str) -> str:
        """The key of the root channel a `channel: {$ref}` names."""
        ref = holder.get("channel")
        if not (isinstance(ref, dict) and isinstance(ref.get("$ref"), str)):
            raise SpecError(holder.location(), f"{label}: `channel` must be a `$ref` to a channel")
        target = self.deref(holder.child("channel"))
        tokens = split_pointer(target.pointer)
        if target.doc is not self.main or len(tokens) != 2 or tokens[0] != "channels" or tokens[1] not in channels:
            raise SpecError(
                holder.child("channel").location(),
                f"{label}: `channel` must point to a channel of the root `channels` (found {ref['$ref']!r})",
                "operations and replies name channels under `#/channels/<key>`",
            )
        return tokens[1]

    def message_refs(self, holder: _Node, channel: str, label: str) -> tuple[str, ...]:
        """The keys of the messages an operation or reply lists: each must be one of its channel's."""
        refs = holder.get("messages")
        if refs is None:
            return self.message_refs_all(channel)  # no list: all of the channel's
        slots = self.channel_slots[channel]
        keys: list[str] = []
        for index in range(len(refs)):
            slot = holder.child("messages", index)
            ref = slot.get("$ref")
            if not isinstance(ref, str):
                raise SpecError(slot.location(), f"{label}: each message must be a `$ref` to a message of channel {channel!r}")
            target = self.documents.resolve(ref, slot.doc, slot.pointer)
            resolved = self.deref(_Node(target.value, target.document, target.pointer))
            key = slots.get(target.pointer) if target.document is self.main else None
            key = key or slots.get(self.key_of(resolved))
            if key is None:
                raise SpecError(
                    slot.location(),
                    f"{label}: message {ref!r} is not one of channel {channel!r}'s messages",
                    f"an operation's messages are a subset of its channel's: refer to `#/channels/{channel}/messages/<name>`",
                )
            if key not in keys:
                keys.append(key)
        return tuple(keys)

    def operation(self, slot: _Node, key: str, channels: dict[str, Channel]) -> Operation:
        node = self.with_traits(self.deref(slot), object_wins=True)
        label = f"operation {key!r}"
        spec_action = node.text("action")
        channel = self.channel_ref(node, channels, label)
        messages = self.message_refs(node, channel, label)
        reply: Reply | None = None
        if node.get("reply") is not None:
            reply = self.reply(self.deref(node.child("reply")), channels, label, channel)
        return Operation(
            key=key,
            action=client_action(self.version, spec_action, self.describes),
            spec_action=spec_action,
            channel=channel,
            messages=messages,
            reply=reply,
            title=node.text("title"),
            summary=node.text("summary"),
            description=node.text("description"),
            security=self.security(node),
            bindings=self.bindings(node),
            tags=self.tags(node),
            location=node.location(),
            extensions=_extensions(node.value),
        )

    def reply(self, node: _Node, channels: dict[str, Channel], label: str, operation_channel: str) -> Reply:
        channel: str | None = None
        if node.get("channel") is not None:
            channel = self.channel_ref(node, channels, f"{label} reply")
        address_expr = address_description = ""
        if node.get("address") is not None:
            address = self.deref(node.child("address"))
            address_expr, address_description = address.text("location"), address.text("description")
        messages: tuple[str, ...] = ()
        if node.get("messages") is not None:
            if channel is None:
                raise SpecError(
                    node.location(), f"{label}: a reply that lists messages needs a `channel`", "add `channel: {$ref: '#/channels/<key>'}`"
                )
            messages = self.message_refs(node, channel, f"{label} reply")
        elif channel is not None:
            messages = self.message_refs_all(channel)
        return Reply(channel, address_expr, address_description, messages, node.location())

    def message_refs_all(self, channel: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.channel_slots[channel].values()))


def read_description(documents: DocumentSet, version: str, diagnostics: Diagnostics, describes: Describes) -> AsyncApi:
    """Describe a loaded, validated document of `version` ("2.6.0" or "3.0.0")."""
    reader = _V2 if version.startswith("2.") else _V3
    return reader(documents, version, diagnostics, describes).read()
