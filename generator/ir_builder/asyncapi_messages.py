"""A message-protocol WebSocket client from an AsyncAPI document, into the IR (`ir.MessageSocket`).

The other subscription protocol, JSON-RPC subscribe calls (`ir.WebSocket` + `asyncapi.py`), is
chosen by an OpenRPC API with `x-websocket`. Here the AsyncAPI document says it all, plus a few
root extensions where AsyncAPI cannot:

- `x-subscription: {field, subscribe, unsubscribe}`: a message the client sends whose payload
  fixes `field` (a `const`) to `subscribe` subscribes its channel, `unsubscribe` leaves it. The
  `const` fields of that payload are sent as they are; its other properties are the subscribe
  method's arguments (required when the payload requires them). Any other message the client
  sends is a typed publish method (`SocketSend`).
- `x-dispatch: {field, errors: {field, value}}`: the envelope field whose `const` in each received
  payload tells the channels apart, and what marks an error message.
- `x-sequence: {field, on-gap}` (root): one counter per connection; `on-gap: resubscribe` gets
  fresh snapshots of the channels that keep a book.
- On a channel: `x-book` (how its events build an order book), `x-keepalive: true` (a channel of
  server heartbeats the client may keep subscribed), `x-sdkgen-name`.
- On a subscribe message: `x-jwt: {field, token}`: the field a fresh token fills for every message,
  made by the plug-in hook that provides `token` (`[tokens.<token>]` in a `plugin.toml`).

A channel that can be subscribed but sends the client nothing is warned about; one the client
receives on without a subscribe message (acknowledgements, errors) is routed but has no method,
unless the document has no `x-subscription` (then the server sends every channel unasked).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import Diagnostics, Location, SpecError, join_pointer
from ..ir import Api, Auth, BookRule, MessageSocket, Param, SocketChannel, SocketSend, SocketServer, TypeRef
from ..load.asyncapi_model import AsyncApi, Message
from ..load.documents import SourceDocument
from ..load.refs import DocumentSet
from .naming import pascal_case, python_name
from .operations import api_class_name, ordered_params, param_name, text
from .plugins import PluginRegistry
from .schemas import SchemaBundle
from .types import union

# Keyword arguments every generated subscribe method takes besides the channel's own.
SUBSCRIBE_OPTIONS = frozenset({"queue_size", "overflow"})
_COMPONENT = re.compile(r"^/components/schemas/[^/]+$")
_BOOK_KEYS = ("events", "product", "levels", "price", "size")


def _literal(value: Any) -> str:
    """A JSON `const` as a Python literal (JSON text, but `True`/`False`/`None`)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


class MessageSocketBuilder:
    """Builds an API's `MessageSocket` from one AsyncAPI description, typed by the API's bundle."""

    def __init__(
        self,
        bundle: SchemaBundle,
        documents: DocumentSet,
        api: AsyncApi,
        diagnostics: Diagnostics,
        plugins: PluginRegistry,
        class_name: str,
    ) -> None:
        self.bundle = bundle
        self.documents = documents
        self.api = api
        self.diagnostics = diagnostics
        self.plugins = plugins
        self.class_name = class_name
        self.by_display: dict[str, SourceDocument] = {d.display: d for d in [*documents.documents, *bundle.documents.documents]}
        self.main = documents.main
        self.token_hook = ""

    def _where(self, *parts: str | int) -> Location:
        return Location(self.main.display, join_pointer("", *parts))

    def _extension(self, name: str) -> dict[str, Any]:
        value = self.api.extensions.get(name) or {}
        if not isinstance(value, dict):
            raise SpecError(self._where(name), f"`{name}` must be a mapping")
        return value

    def build(self) -> tuple[MessageSocket, set[str]]:
        subscription = self._extension("x-subscription")
        dispatch = self._extension("x-dispatch")
        sequence = self._extension("x-sequence")
        if subscription and not isinstance(subscription.get("field"), str):
            raise SpecError(self._where("x-subscription"), "`x-subscription` needs `field` (and the values `subscribe`, `unsubscribe`)")
        if dispatch and not isinstance(dispatch.get("field"), str):
            raise SpecError(self._where("x-dispatch"), "`x-dispatch` needs `field`: the message field that names the channel")
        kind_field = subscription.get("field", "")
        subscribe_value = str(subscription.get("subscribe", "subscribe"))
        unsubscribe_value = str(subscription.get("unsubscribe", "unsubscribe"))
        dispatch_field = dispatch.get("field") or self._dispatch_field()
        errors = dispatch.get("errors") or {}
        on_gap = str(sequence.get("on-gap", "count"))
        if on_gap not in ("count", "resubscribe"):
            raise SpecError(self._where("x-sequence", "on-gap"), "`on-gap` is `count` (the default) or `resubscribe`")
        channels: list[SocketChannel] = []
        sends: list[SocketSend] = []
        models: set[str] = set()
        taken: dict[str, str] = {}
        sent_names: dict[str, str] = {}  # send_<name>() → the message it sends
        for spec_channel in self.api.channels:
            operations = self.api.operations_on(spec_channel.key)
            sent = [self.api.message(k) for op in operations if op.action == "send" for k in op.messages]
            received = [self.api.message(k) for op in operations if op.action == "receive" for k in op.messages]
            private = any(op.security for op in operations if op.action == "send")
            subscribe = [m for m in sent if kind_field and self._consts(m).get(kind_field) == subscribe_value]
            unsubscribe = [m for m in sent if kind_field and self._consts(m).get(kind_field) == unsubscribe_value]
            context = pascal_case(python_name(str(spec_channel.extensions.get("x-sdkgen-name") or spec_channel.key), fallback="channel"))
            for message in sent:
                if message in subscribe or message in unsubscribe:
                    continue
                payload = self._payload([message], context + pascal_case(message.name or "Message"))
                send_name = python_name(
                    str(message.extensions.get("x-sdkgen-name") or message.name or message.key.rsplit("/", 1)[-1]), fallback="message"
                )
                if send_name in sent_names:
                    raise SpecError(
                        message.location,
                        f"message {message.name or message.key!r} would be sent with send_{send_name}(), like {sent_names[send_name]!r}",
                        "name one of them with `x-sdkgen-name` on the message (in an overlay)",
                    )
                sent_names[send_name] = message.key
                sends.append(
                    SocketSend(
                        name=send_name,
                        channel=spec_channel.address or spec_channel.key,
                        summary=text(message.summary or message.title),
                        payload=payload,
                    )
                )
                models |= set(payload.models)
            if not subscribe and not kind_field and received:
                # No subscription messages (`x-subscription`): the server sends the channel's messages unasked.
                channel = self._channel(spec_channel, None, None, received, False, dispatch_field, context)
            elif not subscribe:
                continue  # sent only (its publish methods), routed only (acknowledgements, errors), or unused (the reader warned)
            elif not received:
                self.diagnostics.warn(
                    spec_channel.location,
                    f"channel {spec_channel.address or spec_channel.key!r} can be subscribed but sends nothing the client receives",
                    kind="channel the client cannot receive on",
                )
                continue
            else:
                channel = self._channel(
                    spec_channel, subscribe[0], unsubscribe[0] if unsubscribe else None, received, private, dispatch_field, context
                )
            if channel.name in taken:
                raise SpecError(
                    spec_channel.location,
                    f"channel {channel.address!r} would be named {channel.name}(), like {taken[channel.name]!r}",
                    "name one of them with `x-sdkgen-name` on the channel (in an overlay)",
                )
            taken[channel.name] = channel.address
            channels.append(channel)
            models |= set(channel.payload.models) | {m for p in channel.params for m in p.type.models}
        servers = tuple(
            SocketServer(python_name(server.key, fallback="server"), server.key, server.url, text(server.title) or server.key)
            for server in self.api.servers
        )
        socket = MessageSocket(
            class_name=self.class_name,
            title=text(self.api.title),
            servers=servers,
            dispatch_field=dispatch_field,
            error_field=str(errors.get("field", "")),
            error_value=str(errors.get("value", "")),
            sequence_field=str(sequence.get("field", "")),
            on_gap=on_gap,
            token_hook=self.token_hook,
            channels=tuple(channels),
            sends=tuple(sends),
            model_imports=tuple(sorted(models)),
            source=self.main.display,
        )
        return socket, models

    # -- one channel ---------------------------------------------------------------------------------

    def _channel(
        self,
        spec: Any,
        subscribe: Message | None,
        unsubscribe: Message | None,
        received: list[Message],
        private: bool,
        dispatch_field: str,
        context: str,
    ) -> SocketChannel:
        name = python_name(str(spec.extensions.get("x-sdkgen-name") or spec.address or spec.key), fallback="channel")
        consts = self._consts(subscribe) if subscribe else {}
        properties, required = self._properties(subscribe) if subscribe else ({}, set())
        token = (subscribe.extensions.get("x-jwt") if subscribe else None) or {}
        token_field = ""
        if token:
            if not isinstance(token, dict) or not isinstance(token.get("field"), str) or not isinstance(token.get("token"), str):
                raise SpecError(spec.location, "`x-jwt` needs `field` (the message field) and `token` (the plug-in token that fills it)")
            token_field = token["field"]
            where = subscribe.location if subscribe else spec.location
            self._select_token(token["token"], Location(where.file, join_pointer(where.pointer, "x-jwt")))
        taken = set(SUBSCRIBE_OPTIONS)
        params: list[Param] = []
        for wire, (schema, document, pointer) in properties.items():
            if wire in consts or wire == token_field:
                continue
            kind = self.bundle.type_of(self.bundle.schema(schema, document, pointer, context + pascal_case(wire)))
            description = text(schema.get("description")) if isinstance(schema, dict) else ""
            params.append(Param(param_name(wire, taken, "channel"), wire, "body", kind, wire in required, description))
        dispatch_values = [self._consts(m).get(dispatch_field) for m in received] if dispatch_field else []
        for message, value in zip(received, dispatch_values, strict=False):
            if not isinstance(value, str):  # the client routes by text: a message without a string `const` there is never delivered
                self.diagnostics.warn(
                    message.location,
                    f"message {message.name!r} of channel {spec.address or spec.key!r} has no string `const` for the dispatch field "
                    f"{dispatch_field!r} (found {json.dumps(value)}): the client cannot route it to the channel",
                    kind="received message the client cannot route",
                )
        book = spec.extensions.get("x-book")
        summary, description = text(spec.summary or spec.title), text(spec.description)
        return SocketChannel(
            name=name,
            address=spec.address or spec.key,
            summary=summary,
            description=description,
            subscribe=tuple((k, _literal(v)) for k, v in consts.items()),
            unsubscribe=tuple((k, _literal(v)) for k, v in self._consts(unsubscribe).items()) if unsubscribe else (),
            params=ordered_params(params),
            token_field=token_field,
            private=private and bool(token) and token.get("required") is True,
            dispatch=tuple(dict.fromkeys(str(v) for v in dispatch_values if isinstance(v, str))),
            payload=self._payload(received, context + "Message"),
            servers=spec.servers,
            book=self._book(book, spec.location) if book is not None else None,
            keepalive=spec.extensions.get("x-keepalive") is True,
            source=f"{spec.location.file}#{spec.location.pointer}",
        )

    def _dispatch_field(self) -> str:
        """Without `x-dispatch`: the one `const` field every received message has, with values that tell the channels apart."""
        per_channel: dict[str, list[dict[str, Any]]] = {}
        for channel in self.api.channels:
            keys = [k for op in self.api.operations_on(channel.key) if op.action == "receive" for k in op.messages]
            if keys:
                per_channel[channel.key] = [self._consts(self.api.message(k)) for k in keys]
        if len(per_channel) <= 1:
            return ""  # one channel: every message is its
        every = [consts for group in per_channel.values() for consts in group]
        for candidate in every[0]:
            if all(isinstance(consts.get(candidate), str) for consts in every):  # routed by text
                values = [json.dumps(consts[candidate]) for consts in every]
                if len(values) == len(set(values)):
                    return candidate
        raise SpecError(
            self._where("channels"),
            "the client receives on several channels, and no `const` field of the messages tells them apart",
            "name the envelope field that does with `x-dispatch: {field: ...}` at the root",
        )

    def _select_token(self, name: str, where: Location) -> None:
        hook = self.plugins.token(name, where)
        if self.token_hook and self.token_hook != hook:
            raise SpecError(where, f"one socket takes one token hook; {hook!r} differs from {self.token_hook!r}")
        self.token_hook = hook

    def _book(self, raw: Any, where: Location) -> BookRule:
        at = Location(where.file, join_pointer(where.pointer, "x-book"))
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in _BOOK_KEYS):
            raise SpecError(at, f"`x-book` needs {', '.join(_BOOK_KEYS)} (field names), `side`, `snapshot` and `update`")
        side, snapshot, update = raw.get("side") or {}, raw.get("snapshot") or {}, raw.get("update") or {}
        if not (isinstance(side, dict) and isinstance(snapshot, dict) and isinstance(update, dict)):
            raise SpecError(at, "`side`, `snapshot` and `update` are mappings (`{field, bid, ask}`, `{field, value}`)")
        return BookRule(
            events=raw["events"],
            product=raw["product"],
            kind=str(snapshot.get("field", "type")),
            snapshot=str(snapshot.get("value", "snapshot")),
            update=str(update.get("value", "update")),
            levels=raw["levels"],
            side=str(side.get("field", "side")),
            bid=str(side.get("bid", "bid")),
            ask=str(side.get("ask", "ask")),
            price=raw["price"],
            size=raw["size"],
            remove_when=str(raw.get("remove-when-size", "0")),
        )

    # -- payload schemas -----------------------------------------------------------------------------

    def _payload(self, messages: list[Message], name: str) -> TypeRef:
        types: list[TypeRef] = []
        for message in messages:
            schema = message.payload
            if schema is None or not schema.json_schema:
                types.append(self.bundle.type_of({}))
                continue
            document = self.by_display.get(schema.location.file)
            if document is None:
                raise SpecError(schema.location, f"the payload's file {schema.location.file} was not loaded")
            pointer = schema.location.pointer
            # A component is referred to, so it is the one model of that file and pointer (shared with the API).
            value: Any = {"$ref": "#" + pointer} if _COMPONENT.match(pointer) else schema.value
            types.append(self.bundle.type_of(self.bundle.schema(value, document, pointer, name)))
        unique = list({t.annotation: t for t in types}.values())
        return unique[0] if len(unique) == 1 else union(unique)

    def _flatten(self, schema: Any, document: SourceDocument, pointer: str, out: list[tuple[dict[str, Any], SourceDocument, str]]) -> None:
        """Every schema object `schema` is made of (through `$ref` and `allOf`), in order."""
        if not isinstance(schema, dict):
            return
        if isinstance(schema.get("$ref"), str):
            target = self.documents.resolve(schema["$ref"], document, pointer)
            self._flatten(target.value, target.document, target.pointer, out)
        out.append((schema, document, pointer))
        for index, part in enumerate(schema.get("allOf") or []):
            self._flatten(part, document, join_pointer(pointer, "allOf", index), out)

    def _parts(self, message: Message) -> list[tuple[dict[str, Any], SourceDocument, str]]:
        out: list[tuple[dict[str, Any], SourceDocument, str]] = []
        schema = message.payload
        if schema is not None and schema.json_schema:
            document = self.by_display.get(schema.location.file, self.main)
            self._flatten(schema.value, document, schema.location.pointer, out)
        return out

    def _consts(self, message: Message) -> dict[str, Any]:
        """The payload's properties fixed by `const` (the last word wins, as `allOf` narrows)."""
        consts: dict[str, Any] = {}
        for part, _, _ in self._parts(message):
            for name, prop in (part.get("properties") or {}).items():
                if isinstance(prop, dict) and "const" in prop:
                    consts[name] = prop["const"]
        return consts

    def _properties(self, message: Message) -> tuple[dict[str, tuple[Any, SourceDocument, str]], set[str]]:
        """The payload's properties (the first full definition of each) and the required ones."""
        properties: dict[str, tuple[Any, SourceDocument, str]] = {}
        required: set[str] = set()
        for part, document, pointer in self._parts(message):
            required |= {r for r in part.get("required") or [] if isinstance(r, str)}
            for name, prop in (part.get("properties") or {}).items():
                if name not in properties and isinstance(prop, dict) and ("type" in prop or "$ref" in prop):
                    properties[name] = (prop, document, join_pointer(pointer, "properties", name))
        return properties, required


def asyncapi_only_api(
    name: str, documents: DocumentSet, api: AsyncApi, diagnostics: Diagnostics, plugins: PluginRegistry, env_prefix: str
) -> Api:
    """An API described by an AsyncAPI document alone: no HTTP operations, a WebSocket client (`client.<name>.ws()`)."""
    bundle = SchemaBundle(documents, diagnostics, nullable_keyword=False)
    if isinstance((documents.main.data.get("components") or {}).get("schemas"), dict):
        bundle.register_components(documents.main, "/components/schemas")
    class_name = api_class_name(name)
    socket, _ = MessageSocketBuilder(bundle, documents, api, diagnostics, plugins, class_name + "WebSocket").build()
    info = documents.main.data.get("info") or {}
    return Api(
        name=name,
        class_name=class_name,
        title=text(api.title) or name,
        description=text(api.description),
        version=str(info.get("version", "")) if isinstance(info, dict) else "",
        protocol="openapi",  # the client reaches it through the REST plumbing (credentials, options); it has no operations
        source=documents.main.display,
        default_base_url="",
        base_url_param=f"{name}_base_url",
        base_url_env=f"{env_prefix}_{name.upper()}_BASE_URL",
        auth=Auth(),
        groups=(),
        models_module=name,
        models=bundle.models(),
        errors=(),
        message_socket=socket,
    )
