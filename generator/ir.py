"""The intermediate representation: plain, frozen, JSON-serialisable dataclasses.

It is the only thing templates see and what API diffs compare, so every decision (names, types,
order, messages) is made before it is built, in `generator.ir_builder`. Templates only format it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

Transport = Literal["http", "jsonrpc"]
ParamLocation = Literal["path", "query", "header", "cookie", "body", "rpc"]
# `fields`: a JSON object from its properties; `json`: any JSON value; `multipart`/`form`: an object's
# properties as multipart/form-data or x-www-form-urlencoded; `raw`: bytes, a file or an iterator; `text`: a str.
BodyKind = Literal["none", "fields", "json", "raw", "text", "multipart", "form"]
# How a success response is read: parsed JSON, text, bytes, or an event stream iterated event by event.
ResponseKind = Literal["none", "json", "text", "bytes", "events"]
SchemeKind = Literal["http_basic", "http_bearer", "api_key", "oauth2", "open_id_connect", "plugin"]


@dataclass(frozen=True)
class Credential:
    """A client constructor argument that carries a secret or an identity (and its environment variable)."""

    name: str
    env_var: str
    description: str
    secret: bool


@dataclass(frozen=True)
class AuthSetup:
    """One way the client builds a scheme's `Auth` from its constructor arguments.

    It applies when every `required` argument is given; `auth_class` (a runtime or plug-in class)
    is called with the `arguments` in order and the keyword `options` (name, Python literal) the
    spec fixes. `hint` tells a user what to pass, in error messages and docs.
    """

    auth_class: str
    arguments: tuple[str, ...]
    required: tuple[str, ...]
    hint: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme of an API (OpenAPI `securitySchemes`, or a grant of an OpenRPC `x-auth` method)."""

    key: str
    kind: SchemeKind
    summary: str  # how a request is authenticated, for the README
    setups: tuple[AuthSetup, ...]
    plugin: str = ""


@dataclass(frozen=True)
class Auth:
    """How an API authenticates requests.

    `security` is what its operations need unless they say otherwise (alternatives, each the
    schemes it needs together); `token_method` is the JSON-RPC method that exchanges a grant of
    one of the schemes for an access token (`x-auth`), or empty.
    """

    schemes: tuple[SecurityScheme, ...] = ()
    security: tuple[tuple[str, ...], ...] = ()
    token_method: str = ""
    credentials: tuple[Credential, ...] = ()
    plugins: tuple[str, ...] = ()  # plug-ins the spec selects as a whole (their classes are exported)


TypeKind = Literal["any", "scalar", "list", "map", "union", "literal", "model", "enum"]
Scalar = Literal["", "string", "integer", "number", "boolean", "null", "bytes"]
ModelKind = Literal["object", "enum", "root"]
JsonScalar = str | int | float | bool


@dataclass(frozen=True)
class TypeRef:
    """One node of the type tree: what a value of a field, parameter or result may be.

    `kind` says which node it is: `scalar` (`scalar` + `format`: `date-time`, `date`, `decimal`),
    `list` (`args[0]` is the item), `map` (`args[0]` is the value), `union` (`args` are the members,
    `discriminator` the tag property, if any), `literal` (`values`), `model`/`enum` (a class `name`
    of the API's models) or `any`. `nullable` adds `None`. The type mapper of the IR builder
    (`generator/ir_builder/types.py`) fills in what templates print: `annotation` (the Python type),
    `imports` (`module:Name` pairs the annotation needs; module `_models` is the SDK's runtime) and
    `models` (the model classes it names).
    """

    kind: TypeKind
    annotation: str
    scalar: Scalar = ""
    format: str = ""
    name: str = ""
    args: tuple[TypeRef, ...] = ()
    values: tuple[JsonScalar, ...] = ()
    discriminator: str = ""
    nullable: bool = False
    imports: tuple[str, ...] = ()
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class Param:
    """One argument of a generated method; `type` is the spec's (nullable only where the schema allows null).

    An optional one defaults to `NOT_GIVEN` (not sent); `None` is accepted only when `type` is nullable.
    """

    name: str
    wire_name: str
    location: ParamLocation
    type: TypeRef
    required: bool
    description: str
    deprecated: bool = False
    # How an OpenAPI parameter goes on the wire (empty for other params): `style` (`form`, `simple`,
    # `label`, `matrix`, `spaceDelimited`, `pipeDelimited`, `deepObject`), `explode`, `allowReserved`;
    # `content_type` is the media type of a `content`-typed parameter (its value is sent encoded as that).
    style: str = ""
    explode: bool = False
    allow_reserved: bool = False
    content_type: str = ""
    # A multipart part's fixed headers (its `encoding` object's `headers` whose schema fixes a value), in spec order.
    part_headers: tuple[tuple[str, str], ...] = ()

    @property
    def annotation(self) -> str:
        return self.type.annotation

    @property
    def styled(self) -> bool:
        """Whether the value needs the style serializer (`_params`) rather than the plain query/path/header encoding.

        The plain encoding is exactly the default style for scalars (and, in the query, `form`
        exploded lists of scalars); everything else goes through the serializer.
        """
        if not self.style:
            return False
        if self.location == "cookie" or self.allow_reserved or self.content_type:
            return True
        scalar = self.type.kind in ("scalar", "literal", "enum")
        if self.location == "query" and self.style == "form" and (self.explode or scalar):
            items = self.type.args[0].kind if self.type.kind == "list" and self.type.args else ""
            return not (scalar or items in ("scalar", "literal", "enum"))
        return not (scalar and self.style == "simple")


@dataclass(frozen=True)
class FieldMapping:
    """Where a field of a deprecated operation's result lives in its replacement's result."""

    source: str
    target: str
    official: bool
    note: str


@dataclass(frozen=True)
class Deprecation:
    """Why and until when an operation is deprecated, and what replaces it.

    `replacement` is what a user should call (a Python expression, resolved across APIs);
    `replacement_target` is the spec's own `api:method-or-operation` pointer.
    """

    message: str
    sunset: str
    replacement: str
    replacement_target: str = ""
    official: bool = False
    note: str = ""
    field_mappings: tuple[FieldMapping, ...] = ()


@dataclass(frozen=True)
class VariantHelper:
    """A method that calls an operation with one configuration of its union body field (`x-sdkgen-variants`).

    `params` are the operation's other arguments (without `split_param` when it is fixed to
    `split_value`, a Python expression); `fields` the configuration's fields, flattened (their
    wire names are the configuration model's keys).
    """

    name: str
    variant: str  # the configuration's wire name
    summary: str
    union_param: str
    union_class: str
    member_attribute: str
    member_class: str
    params: tuple[Param, ...]
    fields: tuple[Param, ...]
    split_param: str = ""
    split_value: str = ""


@dataclass(frozen=True)
class Pagination:
    """How an operation pages (the spec's `x-sdkgen-pagination`): its method returns a page that iterates across pages.

    `style` `cursor`: `param` takes the result's `next_cursor` field; `offset`: `param` counts the
    items already read (`limit_param` is the page size). `items` is the result field holding a
    page's items ("" when the result is the list); `has_more`, if set, the field that is false on
    the last page; a page shorter than the limit (given, or the server's `default_limit`) is the
    last too. `param`/`limit_param` are Python names, the fields wire names; `item` is one
    item's type (filled in once the models exist).
    """

    style: Literal["cursor", "offset"]
    param: str
    items: str = ""
    next_cursor: str = ""
    has_more: str = ""
    limit_param: str = ""
    default_limit: int = 0  # the server's page size when `limit_param` is not given (0: unknown)
    item: TypeRef | None = None

    @property
    def item_class(self) -> str:
        """What the generated page is typed by: the item's class, or `object` when its type is not one class."""
        item = self.item
        if item is None or item.nullable:
            return "object"
        if item.kind in ("model", "enum") or item.annotation in ("str", "int", "float", "bool"):
            return item.annotation
        return "object"


@dataclass(frozen=True)
class Operation:
    """One method of a resource group: an HTTP endpoint or a JSON-RPC method."""

    name: str
    summary: str
    description: str
    transport: Transport
    http_method: str
    path: str
    rpc_method: str
    params: tuple[Param, ...]
    body_kind: BodyKind
    body_content_type: str
    result: TypeRef | None  # None: the call returns nothing
    auth_required: bool
    idempotent: bool
    idempotency_key: str
    scopes: tuple[str, ...]
    deprecation: Deprecation | None
    error_codes: tuple[int, ...]  # JSON-RPC error codes, or the HTTP error statuses the spec documents
    source: str
    params_by_position: bool = False  # OpenRPC `paramStructure: by-position`: params go as an array
    # The request body media types a caller may choose (`body_content_type` first, the default), and
    # the argument that chooses (empty when there is no choice).
    body_media_types: tuple[str, ...] = ()
    media_type_arg: str = ""
    # The success response's media type and how it is read; for an event stream, `result` is each
    # event's type, `stream_flag` the body field sent as true, `stream_terminator` the data that ends it.
    response_kind: ResponseKind = "json"
    response_content_type: str = ""
    stream_flag: str = ""
    stream_terminator: str = ""
    # The security requirements (alternatives of scheme keys; `()` public, an empty alternative: optional).
    security: tuple[tuple[str, ...], ...] = ()
    variants: tuple[VariantHelper, ...] = ()  # helpers per configuration of a union body field (`x-sdkgen-variants`)
    # A JSON-RPC notification (an OpenRPC method without `result`): sent without `id`, answered with nothing.
    notification: bool = False
    pagination: Pagination | None = None  # the spec's `x-sdkgen-pagination`: the method returns pages

    @property
    def not_null_params(self) -> tuple[str, ...]:
        """Wire names of the optional parameters whose schema does not allow null (None for them is refused)."""
        return tuple(p.wire_name for p in self.params if not p.required and not p.type.nullable)

    @property
    def result_annotation(self) -> str:
        """The return type of the generated method."""
        return self.result.annotation if self.result is not None else "None"

    @property
    def result_model(self) -> str:
        """What the response is parsed into (`cast_to`), or "" when there is nothing to parse.

        A union (`A | B`, `A | None`) is a `UnionType` object at run time, not a `type[...]`: it is
        passed as `_cast("type[A | B]", A | B)` (group modules import `typing.cast as _cast`), so the
        call's result is typed `A | B` under mypy --strict.
        """
        if self.result is None:
            return ""
        if self.result.kind == "union" or self.result.nullable:
            return f'_cast("type[{self.result.annotation}]", {self.result.annotation})'
        return self.result.annotation


@dataclass(frozen=True)
class Group:
    """A resource group (an OpenAPI tag or OpenRPC tag): `client.<api>.<group>`."""

    name: str
    class_name: str
    title: str
    description: str
    module: str
    operations: tuple[Operation, ...]
    model_imports: tuple[str, ...]

    @property
    def uploads(self) -> tuple[str, ...]:
        """The upload types (`_multipart`) the group's signatures name."""
        names = {i.split(":")[1] for op in self.operations for p in op.params for i in p.type.imports if i.startswith("_multipart:")}
        return tuple(sorted(names))

    @property
    def bodies(self) -> bool:
        """Whether a method builds its body with `_multipart` (anything but JSON, or a choice of media types)."""
        return any(op.body_kind in ("raw", "text", "multipart", "form") or op.media_type_arg for op in self.operations)

    @property
    def events(self) -> bool:
        """Whether a method returns an event stream (`_sse`)."""
        return any(op.response_kind == "events" for op in self.operations)

    @property
    def param_styles(self) -> bool:
        """Whether a method sends a parameter through the style serializer (`_params`)."""
        return any(p.styled for op in self.operations for p in op.params)


@dataclass(frozen=True)
class ModelField:
    """One field of a model: its Python name, its name on the wire and its type.

    `type` is the declared type (nullable when the field may be missing or null). A field that is
    not `required` defaults to None: a missing field reads as None.
    """

    name: str
    wire_name: str
    type: TypeRef
    required: bool
    description: str
    deprecated: bool = False


@dataclass(frozen=True)
class EnumMember:
    """One value of an enum, the name of its member and what the spec says about the value."""

    name: str
    value: JsonScalar
    description: str = ""


@dataclass(frozen=True)
class Model:
    """One generated model class, named by the IR.

    `kind` is `object` (a pydantic model: `fields`, and `bases` among the API's models), `enum` (an
    open enum: `enum_base` and `members`) or `root` (a root model holding one value of type `root`).
    `refs` are the models its definition names (bases, field and root types), for import and
    module planning; `imports` what its definition needs besides them (`module:Name`).
    """

    name: str
    kind: ModelKind
    description: str
    source: str
    fields: tuple[ModelField, ...] = ()
    bases: tuple[str, ...] = ()
    root: TypeRef | None = None
    enum_base: str = ""
    members: tuple[EnumMember, ...] = ()
    deprecated: bool = False
    refs: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class ErrorCode:
    """A JSON-RPC error code declared by a spec, and the exception class it becomes.

    `bases` are the runtime classes it derives from (from its category); `match_message` is set
    when the spec gives several errors one code, so the message picks the class.
    """

    code: int
    class_name: str
    message: str
    description: str
    category: str
    retryable: bool
    session_closed: bool
    bases: tuple[str, ...]
    match_message: bool


@dataclass(frozen=True)
class Channel:
    """A subscription channel (`x-channels`): one typed subscribe method of the WebSocket client.

    `template` is the channel name with `{param}` holes (`user.portfolio.{currency}`), filled in
    from the `params` of the same wire names. `example_args` are keyword arguments for the docs,
    from each param's first example (`currency='btc'`). `sequence_field`/`previous_field` name the payload
    fields that number notifications (book: `change_id`/`prev_change_id`), or are empty.
    `resubscribe_on_gap`: a gap makes the kept state invalid (a book of changes), so the client
    resubscribes for a fresh snapshot and drops the changes until it arrives.
    """

    name: str
    template: str
    summary: str
    description: str
    private: bool
    params: tuple[Param, ...]
    payload: TypeRef
    sequence_field: str
    previous_field: str
    example_args: str
    source: str
    resubscribe_on_gap: bool = False

    @property
    def payload_annotation(self) -> str:
        return self.payload.annotation


@dataclass(frozen=True)
class WebSocket:
    """How an API is reached over WebSocket (`x-websocket`), and its channels.

    The `*_method` fields name the JSON-RPC methods the runtime sends for each role; those
    methods are not generated as plain methods. Every generated method of the API is also
    served over the socket (the builder checks `x-transports`).
    """

    url: str
    url_param: str
    url_env: str
    max_frame_bytes: int
    reauthenticate_after: float
    subscribe_public: str
    subscribe_private: str
    unsubscribe_public: str
    unsubscribe_private: str
    heartbeat_method: str
    heartbeat_notification: str
    test_request: str
    test_method: str
    notification_method: str
    channels: tuple[Channel, ...]
    model_imports: tuple[str, ...]


@dataclass(frozen=True)
class BookRule:
    """How a channel's events build an order book (AsyncAPI `x-book`): the field names and values."""

    events: str
    product: str
    kind: str
    snapshot: str
    update: str
    levels: str
    side: str
    bid: str
    ask: str
    price: str
    size: str
    remove_when: str


@dataclass(frozen=True)
class SocketChannel:
    """A channel subscribed by a message the client sends (AsyncAPI: a `send` of its subscribe message).

    `subscribe`/`unsubscribe` are the fixed fields of those messages (their `const`s, as Python
    literals), `params` the others (the method's arguments), `token_field` the field a fresh token
    fills (`x-jwt`), `dispatch` the values of the socket's dispatch field on the channel's
    messages, `payload` their type.
    """

    name: str
    address: str
    summary: str
    description: str
    subscribe: tuple[tuple[str, str], ...]
    unsubscribe: tuple[tuple[str, str], ...]
    params: tuple[Param, ...]
    token_field: str
    private: bool
    dispatch: tuple[str, ...]
    payload: TypeRef
    servers: tuple[str, ...]
    book: BookRule | None
    keepalive: bool
    source: str


@dataclass(frozen=True)
class SocketSend:
    """A message the client publishes (an AsyncAPI `send` that is not a subscription): one typed method."""

    name: str
    channel: str
    summary: str
    payload: TypeRef


@dataclass(frozen=True)
class SocketServer:
    name: str  # Python name (`market_data`)
    key: str  # the AsyncAPI server key
    url: str
    title: str


@dataclass(frozen=True)
class MessageSocket:
    """An API's WebSocket client from an AsyncAPI document whose subscriptions are messages.

    The socket-wide rules: `dispatch_field` routes a received message to its channel,
    `error_field`/`error_value` mark an error message, `sequence_field` numbers messages per
    connection (`on_gap`: `count` or `resubscribe`). `token_hook` is the plug-in function
    (`module:function`) that makes a fresh token per message, or empty.
    """

    class_name: str
    title: str
    servers: tuple[SocketServer, ...]
    dispatch_field: str
    error_field: str
    error_value: str
    sequence_field: str
    on_gap: str
    token_hook: str
    channels: tuple[SocketChannel, ...]
    sends: tuple[SocketSend, ...]
    model_imports: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ReadmeExample:
    """An example that opens an API's part of the README (`info.x-sdkgen-readme`)."""

    title: str
    text: str
    code: str  # Python; `{package}` is the package's name


@dataclass(frozen=True)
class MigrationRule:
    """One row of a migration table: a source field, product pattern or operation, and where it goes (`""`: nowhere)."""

    source: str
    target: str
    note: str
    official: bool
    approximation: tuple[tuple[str, str], ...] = ()  # what the caller gets by allowing the field to go (argument, value)
    example: str = ""  # a source value and what it becomes (`BTC-PERP-INTX → BTC_USDC-PERPETUAL`)


@dataclass(frozen=True)
class MigrationLeg:
    """A linked order a configuration becomes (one entry of the target's linked-order argument)."""

    name: str
    arguments: tuple[tuple[str, str], ...]  # argument → value as shown (`=field` takes the configuration's field)


@dataclass(frozen=True)
class MigrationVariant:
    """How one configuration of the source's union field becomes a target call, or why it cannot."""

    name: str
    equivalent: bool
    order_type: str  # the target's order type, or "" when `order_type_by` decides
    order_type_by: tuple[tuple[str, str, str], ...]  # (side, value of `order_type_field`, order type)
    order_type_field: str
    time_in_force: str  # "" when the configuration's own fields decide (or nothing maps)
    fixed: tuple[tuple[str, str], ...]  # arguments always sent
    fields: tuple[MigrationRule, ...]
    legs: tuple[MigrationLeg, ...]
    note: str
    official: bool


@dataclass(frozen=True)
class MigrationEndpoint:
    """An endpoint of the source API and the methods of this API that replace it (none: no equivalent)."""

    source: str
    calls: tuple[tuple[str, str], ...]  # (method, the call that sends it)
    note: str
    official: bool


@dataclass(frozen=True)
class MigrationExample:
    """Code before and after the migration (run by the tests)."""

    name: str
    summary: str
    before: str
    after: str


@dataclass(frozen=True)
class OrderMigration:
    """An order-flow migration between two APIs, as data (OpenRPC root `x-order-migration`).

    The migration page renders it; the converter plug-in it selects interprets `table_json`.
    """

    summary: str
    description: str
    source_api: str  # the API migrated from (its name in the SDK, when it is one of its APIs)
    source_operation: str
    source_call: str
    union_field: str
    methods: tuple[tuple[str, str, str], ...]  # (side, target method, the call that sends it)
    symbols: tuple[MigrationRule, ...]
    fields: tuple[MigrationRule, ...]
    variants: tuple[MigrationVariant, ...]
    attached_variants: tuple[str, ...]
    attached_fixed: tuple[tuple[str, str], ...]
    attached_legs: tuple[MigrationLeg, ...]
    attached_note: str
    endpoints: tuple[MigrationEndpoint, ...]
    examples: tuple[MigrationExample, ...]
    plugin: str  # the plug-in that converts requests ("" when none)
    table_json: str  # the table, canonical JSON, for the plug-in
    argument_enums: tuple[tuple[str, str], ...]  # target argument → its enum class (models of this API)
    leg_model: str  # the model of one linked order, or ""
    # The source operation's arguments, when its API is in the same SDK (then `convert_order` is typed like it).
    source_params: tuple[Param, ...] = ()
    source_models_module: str = ""
    source_models: tuple[str, ...] = ()  # the source API's model classes those arguments name
    source_import_lines: tuple[str, ...] = ()  # other imports their annotations need


@dataclass(frozen=True)
class Webhook:
    """A request the API sends to its users (3.1 `webhooks`, or an operation's `callbacks`), parsed by name.

    `name` is the spec's key (`order.created`; for a callback `operation.callback`), `function`
    the Python name of its parse function, `payload` what its JSON body parses into.
    """

    name: str
    function: str
    kind: Literal["webhook", "callback"]
    http_method: str
    summary: str
    description: str
    payload: TypeRef
    content_type: str
    source: str


@dataclass(frozen=True)
class Api:
    """One API of the SDK, reached as `client.<name>`."""

    name: str
    class_name: str
    title: str
    description: str
    version: str
    protocol: Literal["openapi", "openrpc"]
    source: str
    default_base_url: str
    base_url_param: str
    base_url_env: str
    auth: Auth
    groups: tuple[Group, ...]
    models_module: str
    models: tuple[Model, ...]
    errors: tuple[ErrorCode, ...]
    rpc_method_in_path: bool = False  # JSON-RPC over HTTP posts to `<base>/<method>` (`x-method-in-path`), not `<base>`
    websocket: WebSocket | None = None
    order_migration: OrderMigration | None = None  # OpenRPC root `x-order-migration`
    readme_examples: tuple[ReadmeExample, ...] = ()  # `info.x-sdkgen-readme`
    webhooks: tuple[Webhook, ...] = ()
    webhooks_module: str = "webhooks"  # `<package>/<api>/<webhooks_module>.py` (apart from the group modules)
    message_socket: MessageSocket | None = None  # a message-protocol WebSocket client (AsyncAPI)

    @property
    def webhook_models(self) -> tuple[str, ...]:
        return tuple(sorted({m for w in self.webhooks for m in w.payload.models}))


@dataclass(frozen=True)
class RuntimeModule:
    """A runtime module the SDK needs, copied unchanged: from `templates/runtime/`, or from a plug-in's folder.

    `source` is the file to copy, relative to `templates/runtime/` (origin `runtime`) or to the
    project root (origin: the plug-in's name). `exports` are the names the package re-exports.
    """

    name: str
    origin: str
    source: str
    exports: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthClass:
    """An `Auth` class users can construct themselves (`<api>_auth=`), for the README."""

    signature: str
    description: str


@dataclass(frozen=True)
class Runtime:
    """Which parts of the runtime the SDK needs, decided from what its APIs use."""

    modules: tuple[RuntimeModule, ...]
    jsonrpc: bool
    websocket: bool
    dependencies: tuple[str, ...]
    ws_dependencies: tuple[str, ...]
    auth_classes: tuple[AuthClass, ...]
    plugins: tuple[str, ...]
    plugin_docs: tuple[str, ...]  # Markdown the plug-ins add to the README
    exports: tuple[str, ...]  # every name the package re-exports from the runtime, sorted
    auth_imports: tuple[tuple[str, tuple[str, ...]], ...]  # module (without `.py`) → the scheme classes `_client.py` imports from it


@dataclass(frozen=True)
class Project:
    """Packaging metadata of the generated distribution (`[tool.sdkgen]` or the command line)."""

    license: str
    authors: tuple[tuple[str, str], ...]  # (name, email), either may be empty
    urls: tuple[tuple[str, str], ...]
    python: str


@dataclass(frozen=True)
class Sdk:
    """The whole SDK: one package, one Client and AsyncClient, several APIs."""

    package: str
    distribution: str
    version: str
    title: str
    description: str
    env_prefix: str
    credentials: tuple[Credential, ...]
    apis: tuple[Api, ...]
    generator_version: str
    runtime: Runtime
    project: Project

    @property
    def has_rest_groups(self) -> bool:
        """Whether any API has REST operation groups (they offer `with_streaming_response`)."""
        return any(api.protocol == "openapi" and api.groups for api in self.apis)


def to_json(value: Any) -> str:
    """Serialise IR to stable JSON (sorted keys, two-space indent, trailing newline)."""
    return json.dumps(dataclasses.asdict(value), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
