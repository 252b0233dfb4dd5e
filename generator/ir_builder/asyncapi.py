"""An API's subscription channels from an AsyncAPI document, into the IR (`ir.Channel`).

The document is read by `generator.load.asyncapi` (overlays, `$ref`s, the official JSON Schema,
the rules it cannot check), narrowed to the channels the config selects (`channels` globs), and
every channel the client receives messages on becomes one typed subscribe method:

- its address (`book.{instrument_name}.{interval}`) is the template the runtime fills, each hole a
  required argument typed from the parameter (`enum` → the API's own enum model when one lists the
  same values, else a model named for the channel; otherwise `str`);
- its payload type comes from the messages the client receives, through the API's own
  `SchemaBundle`: a payload that is (or refers to) a schema of the API's spec at the same file and
  pointer is the same model (`gateway.openrpc.yaml#/components/schemas/BookNotification` serves the
  JSON-RPC method and the channel); several messages are a union;
- it is private when an operation that receives on it requires security;
- `x-sequence: {field, previous}` on the channel names the payload fields that number its
  notifications (what AsyncAPI cannot say), `x-sdkgen-name` its Python name.

A channel the client only sends on (no `receive` operation) has nothing to subscribe to: a warning
names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Diagnostics, Location, SpecError, join_pointer
from ..ir import Channel, Param, TypeRef
from ..load.asyncapi import open_asyncapi, read_asyncapi, select_channels
from ..load.asyncapi_model import AsyncApi, Message, Parameter
from ..load.asyncapi_model import Channel as SpecChannel
from ..load.documents import SourceDocument
from ..load.refs import DocumentSet
from .naming import pascal_case, python_name
from .operations import ordered_params, param_name, text
from .schemas import SchemaBundle
from .types import union

_HOLE = re.compile(r"\{([^{}]*)\}")
_COMPONENT = re.compile(r"^/components/schemas/[^/]+$")


@dataclass(frozen=True)
class ChannelSource:
    """Where an API's channels are described: an AsyncAPI document, its overlays, the selection."""

    path: Path
    overlays: tuple[Path, ...]
    patterns: tuple[str, ...]
    where: Location  # the config entry that names them (for a pattern that matches nothing)
    root: Path  # the project root: files are named relative to it


def read_channels(source: ChannelSource, diagnostics: Diagnostics) -> tuple[DocumentSet, AsyncApi]:
    """Read, correct, check and describe the document, keeping the selected channels."""
    documents = open_asyncapi(source.path, diagnostics, overlays=source.overlays, root=source.root)
    if not source.patterns:
        return documents, read_asyncapi(documents, diagnostics)
    # What the reader says about a channel the SDK does not offer is noise: the selection's one
    # warning names those channels. The rest is passed on.
    said = Diagnostics()
    whole = read_asyncapi(documents, said)
    api = select_channels(whole, source.patterns, diagnostics, where=source.where)
    kept = {c.key for c in api.channels}
    left_out = [c.location.pointer + "/" for c in whole.channels if c.key not in kept]
    for item in said.items:
        if item.location.file != documents.main.display or not (item.location.pointer + "/").startswith(tuple(left_out)):
            diagnostics.items.append(item)
    return documents, api


class ChannelBuilder:
    """Turns the channels of one AsyncAPI description into IR channels, typed by the API's bundle."""

    def __init__(
        self, bundle: SchemaBundle, documents: DocumentSet, api: AsyncApi, diagnostics: Diagnostics, reserved: frozenset[str]
    ) -> None:
        self.bundle = bundle
        self.api = api
        self.diagnostics = diagnostics
        self.reserved = reserved  # keyword arguments every subscribe method takes
        # A file the API's spec set also holds is read there (its overlays applied, its models named).
        self.by_display: dict[str, SourceDocument] = {d.display: d for d in [*documents.documents, *bundle.documents.documents]}
        self.main = documents.main

    def build(self) -> tuple[list[Channel], set[str]]:
        channels: list[Channel] = []
        models: set[str] = set()
        taken: dict[str, str] = {}
        for spec_channel in self.api.channels:
            receiving = [op for op in self.api.operations_on(spec_channel.key) if op.action == "receive"]
            if not receiving:
                self.diagnostics.warn(
                    spec_channel.location,
                    f"channel {spec_channel.address or spec_channel.key!r} has no operation by which the client receives: no subscribe method",
                    kind="channel the client cannot receive on",
                )
                continue
            message_keys = list(dict.fromkeys(key for op in receiving for key in op.messages))
            channel, channel_models = self._channel(
                spec_channel, [self.api.message(k) for k in message_keys], any(op.security for op in receiving)
            )
            if channel.name in taken:
                raise SpecError(
                    spec_channel.location,
                    f"channel {channel.template!r} would be named {channel.name}(), like {taken[channel.name]!r}",
                    "name one of them with `x-sdkgen-name` on the channel (in an overlay)",
                )
            taken[channel.name] = channel.template
            channels.append(channel)
            models |= channel_models
        return channels, models

    def _channel(self, spec: SpecChannel, messages: list[Message], private: bool) -> tuple[Channel, set[str]]:
        template = spec.address if spec.address is not None else spec.key
        override = spec.extensions.get("x-sdkgen-name")
        fixed = [part for part in template.split(".") if not _HOLE.search(part)]
        name = python_name(override if isinstance(override, str) and override else "_".join(fixed) or template, fallback="channel")
        context = pascal_case(name)
        by_name = {p.name: p for p in spec.parameters}
        taken = set(self.reserved)
        params: list[Param] = []
        models: set[str] = set()
        for hole in dict.fromkeys(_HOLE.findall(template)):
            param, param_models = self._param(by_name[hole], context, taken)  # the reader checked every hole has one
            params.append(param)
            models |= param_models
        payload = self._payload(messages, context)
        sequence = spec.extensions.get("x-sequence") or {}
        if not isinstance(sequence, dict) or not all(isinstance(sequence.get(k, ""), str) for k in ("field", "previous")):
            raise SpecError(
                Location(spec.location.file, join_pointer(spec.location.pointer, "x-sequence")),
                "`x-sequence` must map `field` (and `previous`) to payload field names",
            )
        if sequence.get("previous") and not sequence.get("field"):
            raise SpecError(Location(spec.location.file, join_pointer(spec.location.pointer, "x-sequence")), "`previous` needs `field`")
        on_gap = sequence.get("on-gap", "count")
        if on_gap not in ("count", "resubscribe") or (on_gap == "resubscribe" and not sequence.get("previous")):
            raise SpecError(
                Location(spec.location.file, join_pointer(spec.location.pointer, "x-sequence", "on-gap")),
                "`on-gap` is `count` (the default) or `resubscribe`, which needs `previous` (how a gap is seen)",
            )
        summary, description = text(spec.summary or spec.title), text(spec.description)
        if summary and description.startswith(summary):  # vendors repeat the summary as the description's first line
            description = description[len(summary) :].strip()
        channel = Channel(
            name=name,
            template=template,
            summary=summary,
            description=description,
            private=private,
            params=ordered_params(params),
            payload=payload,
            sequence_field=str(sequence.get("field", "")),
            previous_field=str(sequence.get("previous", "")),
            example_args=", ".join(
                self._example(spec_param, param) for spec_param, param in zip((by_name[p.wire_name] for p in params), params, strict=True)
            ),
            source=f"{spec.location.file}#{spec.location.pointer}",
            resubscribe_on_gap=on_gap == "resubscribe",
        )
        return channel, models | set(payload.models)

    def _param(self, spec: Parameter, context: str, taken: set[str]) -> tuple[Param, set[str]]:
        kind = self._shared_enum(spec.enum)
        if kind is None:
            document = self.by_display.get(spec.location.file, self.main)
            # An enum is named for the parameter (`Kind`), so the next channel with the same values shares it.
            named_for = pascal_case(spec.name) if spec.enum else context + pascal_case(spec.name)
            kind = self.bundle.type_of(self.bundle.schema(spec.schema, document, spec.location.pointer, named_for))
        return Param(param_name(spec.name, taken, "channel"), spec.name, "path", kind, True, text(spec.description)), set(kind.models)

    def _shared_enum(self, values: tuple[str, ...]) -> TypeRef | None:
        """The API's one string enum model that lists exactly these values, if there is one."""
        if not values:
            return None
        matches = [
            name
            for name, schema in sorted(self.bundle.definitions().items())
            if isinstance(schema.get("enum"), list) and schema.get("type") == "string" and set(schema["enum"]) == set(values)
        ]
        return self.bundle.type_of({"$ref": f"#/$defs/{matches[0]}"}) if len(matches) == 1 else None

    def _payload(self, messages: list[Message], context: str) -> TypeRef:
        types: list[TypeRef] = []
        for message in messages:
            schema = message.payload
            if schema is None or not schema.json_schema:
                types.append(self.bundle.type_of({}))  # the reader warned about a format it does not read
                continue
            document = self.by_display.get(schema.location.file)
            if document is None:
                raise SpecError(schema.location, f"the payload's file {schema.location.file} was not loaded")
            pointer = schema.location.pointer
            # A component is referred to, so it is the one model of that file and pointer (shared with the API).
            value: Any = {"$ref": "#" + pointer} if _COMPONENT.match(pointer) else schema.value
            suffix = "Notification" if len(messages) == 1 else pascal_case(message.name or "Message")
            types.append(self.bundle.type_of(self.bundle.schema(value, document, pointer, context + suffix)))
        unique = list({t.annotation: t for t in types}.values())
        return unique[0] if len(unique) == 1 else union(unique)

    @staticmethod
    def _example(spec: Parameter, param: Param) -> str:
        values = [*spec.examples, *spec.enum]
        if not values:
            return f"{param.name}=..."
        if param.type.kind in ("enum", "model") and not param.type.nullable:
            return f"{param.name}={param.type.name}({values[0]!r})"
        return f"{param.name}={values[0]!r}"
