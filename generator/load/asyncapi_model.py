"""One version-independent description of an AsyncAPI document (2.6 or 3.0), seen from the client.

`generator.load.asyncapi.read_asyncapi` builds it. Everything is resolved: `$ref`s are followed
(the description says where each object really is), traits are merged, and the direction of every
operation is given from the side of the SDK's user, the client: `send` is a message the client
writes to the socket, `receive` one it reads. AsyncAPI 2's `publish`/`subscribe` and 3's
`send`/`receive` (which speak for the application the document describes) are turned into that
in one place (`client_action`).

Objects refer to each other by key (a channel's `key`, a message's `key`), and the description
holds each object once, in document order. Schemas are kept as the document has them (a nested
`$ref` stays a `$ref`, relative to `Schema.location.file`), with the location that names them, so
a later stage can share one model between an AsyncAPI payload and an OpenAPI/OpenRPC schema at the
same place.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import Location

Action = Literal["send", "receive"]
Describes = Literal["server", "client"]


def client_action(version: str, spec_action: str, describes: Describes) -> Action:
    """The client's side of an operation, from what the document says.

    AsyncAPI 2 names operations for the user of the described application: `publish` means
    "others publish to it" (the application receives), `subscribe` "others subscribe to it" (it
    sends). AsyncAPI 3 says what the described application itself does (`send`, `receive`).
    An API's document describes the server (`describes="server"`, the default): the client does
    the opposite of the application. A document written for the client (`describes="client"`)
    already speaks for it.
    """
    if version.startswith("2."):
        application_sends = spec_action == "subscribe"
    else:
        application_sends = spec_action == "send"
    if describes == "client":
        return "send" if application_sends else "receive"
    return "receive" if application_sends else "send"


@dataclass(frozen=True)
class Schema:
    """A payload or headers schema: its JSON value and where it is.

    `location` is the schema object itself, after following the `$ref` that led to it (`ref`, or
    "" when the schema is written inline). `name` is its component name when it is one
    (`#/components/schemas/LightMeasured` → `LightMeasured`). `format` is the AsyncAPI
    `schemaFormat`; `json_schema` is False for formats the reader does not interpret (Avro,
    RAML, Protobuf): such a schema stays in the description untyped, with a warning.
    """

    location: Location
    ref: str
    name: str
    format: str
    json_schema: bool
    value: Any


@dataclass(frozen=True)
class Parameter:
    """A channel address parameter (`{streetlightId}`) or a server variable (`{port}`).

    `schema` is the JSON Schema the value follows: AsyncAPI 2's `schema`, or for AsyncAPI 3 (and
    server variables) a string schema made of `enum`, `default` and `examples`. `location_expr`
    is the runtime expression where the value also appears in a message (`$message.payload#/id`).
    """

    name: str
    description: str
    schema: dict[str, Any]
    enum: tuple[str, ...]
    default: str | None
    examples: tuple[str, ...]
    location_expr: str
    location: Location


@dataclass(frozen=True)
class CorrelationId:
    """Where a message carries the id that pairs it with another (`$message.header#/correlationId`)."""

    location_expr: str
    description: str
    location: Location


@dataclass(frozen=True)
class Message:
    """One message: its payload and headers schemas, and what identifies it.

    `key` is unique in the description: the JSON Pointer of the message object (after `$ref`s),
    prefixed by its file when that is not the main document. `name` is a machine name (the
    message's `name`, else its component or map key, else AsyncAPI 2's `messageId`).
    """

    key: str
    name: str
    message_id: str
    title: str
    summary: str
    description: str
    content_type: str
    payload: Schema | None
    headers: Schema | None
    correlation_id: CorrelationId | None
    bindings: dict[str, Any]
    examples: tuple[Any, ...]
    tags: tuple[str, ...]
    location: Location
    extensions: dict[str, Any] = field(default_factory=dict)  # its `x-` keys, as written


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme a server or operation requires (type `httpApiKey`, `http`, `oauth2`, ...)."""

    key: str
    type: str
    description: str
    scopes: tuple[str, ...]
    details: dict[str, Any]
    location: Location


@dataclass(frozen=True)
class Server:
    """A server: where the client connects. `url` is `protocol://host[/pathname]` (AsyncAPI 3) or
    the document's `url` (AsyncAPI 2), with `{variable}` holes left in."""

    key: str
    url: str
    host: str
    pathname: str
    protocol: str
    protocol_version: str
    title: str
    summary: str
    description: str
    variables: tuple[Parameter, ...]
    security: tuple[SecurityScheme, ...]
    bindings: dict[str, Any]
    location: Location
    extensions: dict[str, Any] = field(default_factory=dict)  # its `x-` keys, as written


@dataclass(frozen=True)
class Channel:
    """A channel: an address (with `{parameter}` holes) and the messages that may flow on it.

    `key` is the channel's id (AsyncAPI 3's key in `channels`; AsyncAPI 2's channel name, which is
    also its address). `address` is None when the document leaves it open (AsyncAPI 3 allows a
    dynamic or unknown address). `servers` lists server keys; empty means every server.
    """

    key: str
    address: str | None
    title: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    messages: tuple[str, ...]
    servers: tuple[str, ...]
    bindings: dict[str, Any]
    tags: tuple[str, ...]
    location: Location
    extensions: dict[str, Any] = field(default_factory=dict)  # its `x-` keys, as written


@dataclass(frozen=True)
class Reply:
    """What answers an operation (AsyncAPI 3 `reply`): on which channel or address, with which messages.

    `address_expr` is a runtime expression (`$message.header#/replyTo`) or a fixed address.
    """

    channel: str | None
    address_expr: str
    address_description: str
    messages: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class Operation:
    """One thing the client does on a channel: `send` a message, or `receive` one.

    `spec_action` is what the document wrote (`publish`/`subscribe` in AsyncAPI 2, `send`/`receive`
    in 3), kept for messages to the user; `action` is always the client's side.
    """

    key: str
    action: Action
    spec_action: str
    channel: str
    messages: tuple[str, ...]
    reply: Reply | None
    title: str
    summary: str
    description: str
    security: tuple[SecurityScheme, ...]
    bindings: dict[str, Any]
    tags: tuple[str, ...]
    location: Location
    extensions: dict[str, Any] = field(default_factory=dict)  # its `x-` keys, as written


@dataclass(frozen=True)
class AsyncApi:
    """A whole AsyncAPI document, version-independent, seen from the client."""

    asyncapi_version: str
    describes: Describes
    title: str
    version: str
    description: str
    default_content_type: str
    servers: tuple[Server, ...]
    channels: tuple[Channel, ...]
    operations: tuple[Operation, ...]
    messages: tuple[Message, ...]
    source: str
    extensions: dict[str, Any] = field(default_factory=dict)

    def channel(self, key: str) -> Channel:
        """The channel with this key (KeyError when there is none)."""
        for channel in self.channels:
            if channel.key == key:
                return channel
        raise KeyError(key)

    def message(self, key: str) -> Message:
        """The message with this key (KeyError when there is none)."""
        for message in self.messages:
            if message.key == key:
                return message
        raise KeyError(key)

    def operations_on(self, channel_key: str) -> tuple[Operation, ...]:
        """The operations performed on a channel, in document order."""
        return tuple(op for op in self.operations if op.channel == channel_key)

    def to_json(self) -> str:
        """Stable JSON (sorted keys), for snapshots and debugging."""
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
