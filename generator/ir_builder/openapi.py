"""OpenAPI 3.0/3.1 → IR."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from ..errors import Diagnostics, Location, SpecError, join_pointer
from ..ir import Api, Auth, BodyKind, Operation, Param, ParamLocation, ResponseKind, SecurityScheme, TypeRef, Webhook
from ..load.documents import SourceDocument
from ..load.refs import DocumentSet
from ..load.validate import openapi_version
from .asyncapi import ChannelSource, read_channels
from .asyncapi_messages import MessageSocketBuilder
from .naming import pascal_case, python_name, strip_operation_prefix
from .operations import GroupCollector, api_class_name, deprecation_of, idempotency_of, ordered_params, param_name, text
from .pagination import EXTENSION as PAGINATION
from .pagination import pagination_from
from .plugins import PluginRegistry
from .readme import readme_examples
from .schemas import SchemaBundle
from .security import SecurityBuilder
from .types import ANY, BINARY_INPUT, BYTES, FILE_INPUT, list_of, scalar
from .variants import EXTENSION as VARIANTS
from .variants import with_variant_helpers

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
_JSON_TYPES = ("application/json",)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media in _JSON_TYPES or media.endswith("+json")


class OpenApiBuilder:
    """Builds one `Api` from a validated OpenAPI document (overlays already applied)."""

    def __init__(
        self,
        name: str,
        documents: DocumentSet,
        diagnostics: Diagnostics,
        env_prefix: str,
        plugins: PluginRegistry | None = None,
        sockets: ChannelSource | None = None,
    ) -> None:
        self.name = name
        self.documents = documents
        self.doc: SourceDocument = documents.main
        self.diagnostics = diagnostics
        self.env_prefix = env_prefix
        self.bundle = SchemaBundle(documents, diagnostics, nullable_keyword=openapi_version(self.doc) == "3.0")
        self.plugins = plugins if plugins is not None else PluginRegistry((), Path.cwd())
        self.schemes: dict[str, SecurityScheme | None] | None = None
        self.sockets = sockets  # an AsyncAPI document: the API's message-protocol WebSocket client

    # -- entry point ---------------------------------------------------------------------------

    def build(self) -> Api:
        data = self.doc.data
        auth = self._auth()
        self.bundle.register_components(self.doc, "/components/schemas")
        collector = GroupCollector(self.name, diagnostics=self.diagnostics)
        variant_marks: dict[tuple[str, str], tuple[Any, Location]] = {}  # `x-sdkgen-variants` by (HTTP method, path)
        for tag in data.get("tags") or []:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                collector.descriptions[tag["name"]] = text(tag.get("description"))
        paths = data.get("paths") or {}
        if not isinstance(paths, dict):
            raise SpecError(self.doc.location("/paths"), "`paths` must be a mapping")
        for path, item in paths.items():
            item_pointer = join_pointer("/paths", path)
            if not isinstance(item, dict):
                raise SpecError(self.doc.location(item_pointer), "a path item must be a mapping")
            item, item_pointer = self.documents.path_item(item, item_pointer)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    pointer = join_pointer(item_pointer, method)
                    for operation, tag, models in self._operations(path, method, item, item[method], pointer):
                        collector.add(tag, operation, self.doc.location(pointer), models)
                        if VARIANTS in item[method]:
                            mark = item[method][VARIANTS]
                            variant_marks[(operation.http_method, operation.path)] = (
                                mark,
                                self.doc.location(join_pointer(pointer, VARIANTS)),
                            )
        webhooks = self._webhooks(data)
        message_socket = None
        if self.sockets is not None:
            socket_documents, description = read_channels(self.sockets, self.diagnostics)
            builder = MessageSocketBuilder(
                self.bundle, socket_documents, description, self.diagnostics, self.plugins, api_class_name(self.name) + "WebSocket"
            )
            message_socket, _ = builder.build()
        info = data.get("info") or {}
        groups = collector.build({m.name for m in self.bundle.models()} | {api_class_name(self.name)})
        modules = {g.module for g in groups}
        return Api(
            name=self.name,
            class_name=api_class_name(self.name),
            title=text(info.get("title")) or self.name,
            description=text(info.get("description")),
            version=str(info.get("version", "")),
            protocol="openapi",
            source=self.doc.display,
            default_base_url=self._server_url(),
            base_url_param=f"{self.name}_base_url",
            base_url_env=f"{self.env_prefix}_{self.name.upper()}_BASE_URL",
            auth=auth,
            groups=with_variant_helpers(groups, variant_marks, self.bundle, self.bundle.models()),
            models_module=self.name,
            models=self.bundle.models(),
            errors=(),
            readme_examples=readme_examples(self.doc),
            webhooks=webhooks,
            webhooks_module=next(n for n in ("webhooks", "webhook_payloads", "webhooks_") if n not in modules),
            message_socket=message_socket,
        )

    # -- webhooks and callbacks ----------------------------------------------------------------

    def _webhooks(self, data: dict[str, Any]) -> tuple[Webhook, ...]:
        """3.1 `webhooks` and every operation's `callbacks`: the requests the API sends, by name."""
        found: list[Webhook] = []
        raw = data.get("webhooks")
        for name, item in raw.items() if isinstance(raw, dict) else ():
            pointer = join_pointer("/webhooks", name)
            found.extend(self._webhook_item(str(name), "webhook", item, pointer))
        for path, path_item in (data.get("paths") or {}).items():
            if not isinstance(path_item, dict):
                continue
            for method in HTTP_METHODS:
                op = path_item.get(method)
                if not isinstance(op, dict) or not isinstance(op.get("callbacks"), dict):
                    continue
                op_pointer = join_pointer("/paths", path, method)
                op_name = self._operation_name(path, method, op, op_pointer)
                for callback, expressions in op["callbacks"].items():
                    site = join_pointer(op_pointer, "callbacks", callback)
                    if isinstance(expressions, dict) and "$ref" in expressions:
                        expressions = self.documents.resolve(expressions["$ref"], self.doc, site).value
                    for expression, item in expressions.items() if isinstance(expressions, dict) else ():
                        found.extend(self._webhook_item(f"{op_name}.{callback}", "callback", item, join_pointer(site, expression)))
        taken: set[str] = set()
        out = []
        for hook in sorted(found, key=lambda w: (w.kind != "webhook", w.name, w.http_method)):
            function = python_name(hook.name, fallback="webhook")
            while function in taken:
                function += "_"
            taken.add(function)
            out.append(dataclasses.replace(hook, function=function))
        return tuple(out)

    def _webhook_item(self, name: str, kind: Literal["webhook", "callback"], item: Any, pointer: str) -> list[Webhook]:
        if isinstance(item, dict) and "$ref" in item:
            item, pointer = self.documents.path_item(item, pointer)
        if not isinstance(item, dict):
            return []
        out = []
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            site = join_pointer(pointer, method)
            body = op.get("requestBody")
            if isinstance(body, dict) and "$ref" in body:
                body = self.documents.resolve(body["$ref"], self.doc, join_pointer(site, "requestBody")).value
            content = body.get("content") if isinstance(body, dict) else None
            context = pascal_case(f"{name} {method if len([m for m in HTTP_METHODS if m in item]) > 1 else ''} payload")
            payload: TypeRef = ANY
            content_type = ""
            if isinstance(content, dict) and content:
                content_type = next((c for c in content if _is_json(c)), "")
                if content_type:
                    media = content[content_type] if isinstance(content[content_type], dict) else {}
                    schema_site = join_pointer(site, "requestBody", "content", content_type, "schema")
                    payload = self.bundle.type_of(self.bundle.schema(media.get("schema", {}), self.doc, schema_site, context))
                else:
                    self.diagnostics.warn(
                        self.doc.location(join_pointer(site, "requestBody", "content")),
                        f"{kind} {name!r}: its {next(iter(content))!r} body is given to the parser as it came (no JSON schema)",
                        kind="webhook body without a JSON schema",
                    )
            out.append(
                Webhook(
                    name=name,
                    function="",
                    kind=kind,
                    http_method=method.upper(),
                    summary=text(op.get("summary")),
                    description=text(op.get("description")),
                    payload=payload,
                    content_type=content_type,
                    source=f"{self.doc.display}#{site}",
                )
            )
        return out

    # -- operations ----------------------------------------------------------------------------

    def _operations(
        self, path: str, method: str, item: dict[str, Any], op: dict[str, Any], pointer: str
    ) -> list[tuple[Operation, str, set[str]]]:
        """The method of an operation; and when it answers JSON or an event stream, a second one that streams.

        Two methods rather than overloads on a body flag: the spec does not tie the flag to the
        media type, each method has one plain return type, and both keep `with_raw_response`.
        The streaming one sets the body's boolean `stream` field (`x-sdkgen-stream-flag` names
        another) to true and asks for `text/event-stream`; the JSON one leaves it out.
        """
        operation, tag, models = self._operation(path, method, item, op, pointer)
        events = self._event_type(op, pointer, pascal_case(operation.name), models)
        if events is None:
            return [(operation, tag, models)]
        flag_name = op.get("x-sdkgen-stream-flag", "stream")
        flags = [p for p in operation.params if p.location == "body" and p.wire_name == flag_name and p.type.scalar == "boolean"]
        if operation.response_kind == "json" and not flags and events == operation.result:
            # The same schema as JSON and as an event stream, and nothing in the request asks for
            # a stream (API gateways list both for every call): one JSON method.
            self.diagnostics.warn(
                self.doc.location(pointer + "/responses"),
                "its 'text/event-stream' response has the JSON response's schema and no request field asks for it: read as JSON only",
                kind="event stream that repeats the JSON response",
            )
            return [(operation, tag, models)]
        params = tuple(p for p in operation.params if p not in flags)
        terminator = op.get("x-sdkgen-stream-terminator", "[DONE]")
        streaming = dataclasses.replace(
            operation,
            name=operation.name + "_stream",
            params=params,
            result=events,
            response_kind="events",
            response_content_type="text/event-stream",
            stream_flag=flags[0].wire_name if flags else "",
            stream_terminator=str(terminator),
        )
        if operation.response_kind == "events":
            return [(dataclasses.replace(streaming, name=operation.name), tag, models)]
        return [(dataclasses.replace(operation, params=params), tag, models), (streaming, tag, models | set(events.models))]

    def _event_type(self, op: dict[str, Any], pointer: str, context: str, models: set[str]) -> TypeRef | None:
        """What each event of the success response's `text/event-stream` parses into (its `schema`, or `itemSchema` of 3.2), or None."""
        found = self._success_content(op, pointer)
        if found is None:
            return None
        content, site = found
        media_type = next((c for c in content if c.split(";")[0].strip().lower() == "text/event-stream"), None)
        if media_type is None:
            return None
        media = content[media_type] if isinstance(content[media_type], dict) else {}
        schema = media.get("itemSchema", media.get("schema"))
        if schema is None or schema == {"type": "string"}:
            return scalar("string", signature=True)
        kind = self.bundle.type_of(
            self.bundle.schema(schema, self.doc, join_pointer(site, "content", media_type, "schema"), context + "Event")
        )
        models.update(kind.models)
        return kind

    def _success_content(self, op: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str] | None:
        responses = op.get("responses") or {}
        success = sorted(code for code in responses if str(code).startswith("2")) if isinstance(responses, dict) else []
        if not success:
            return None
        site = join_pointer(pointer, "responses", success[0])
        response = responses[success[0]]
        if isinstance(response, dict) and "$ref" in response:
            response = self.documents.resolve(response["$ref"], self.doc, site).value
        content = response.get("content") if isinstance(response, dict) else None
        return (content, site) if isinstance(content, dict) and content else None

    def _operation(self, path: str, method: str, item: dict[str, Any], op: dict[str, Any], pointer: str) -> tuple[Operation, str, set[str]]:
        name = self._operation_name(path, method, op, pointer)
        context = pascal_case(name)
        models: set[str] = set()
        taken: set[str] = set()
        params: list[Param] = []
        for wire, location, required, schema, description, deprecated, site, wire_style in self._parameters(item, op, pointer):
            kind = self._type_at(schema, site, context + pascal_case(wire), models)
            params.append(
                Param(
                    name=param_name(wire, taken, location),
                    wire_name=wire,
                    location=location,
                    type=kind,  # optional: NOT_GIVEN by default; None only where the schema allows null
                    required=required,
                    description=description,
                    deprecated=deprecated,
                    **wire_style,
                )
            )
        body_kind, content_type, body_params, media_types = self._request_body(op, pointer, context, taken, models)
        params.extend(body_params)
        media_type_arg = param_name("content_type", taken, "body") if len(media_types) > 1 else ""
        result, response_kind, response_type = self._result(op, pointer, context, models)
        tags = op.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else "default"
        http_method = method.upper()
        summary = text(op.get("summary"))
        idempotent, idempotency_key = idempotency_of(op, params, http_method in IDEMPOTENT_METHODS, self.doc.location(pointer))
        operation = Operation(
            name=name,
            summary=summary,
            description=text(op.get("description")),
            transport="http",
            http_method=http_method,
            path=path,
            rpc_method="",
            params=ordered_params(params),
            body_kind=body_kind,
            body_content_type=content_type,
            body_media_types=media_types,
            media_type_arg=media_type_arg,
            result=result,
            response_kind=response_kind,
            response_content_type=response_type,
            auth_required=self._auth_required(op, pointer),
            idempotent=idempotent,
            idempotency_key=idempotency_key,
            scopes=self._scopes(op),
            deprecation=deprecation_of(op, f"{http_method} {path}"),
            error_codes=_error_statuses(op),
            source=f"{self.doc.display}#{pointer}",
            security=self._requirements(op, pointer),
            pagination=pagination_from(op.get(PAGINATION), params, self.doc.location(join_pointer(pointer, PAGINATION))),
        )
        return operation, tag, models | set(result.models if result is not None else ())

    def _operation_name(self, path: str, method: str, op: dict[str, Any], pointer: str) -> str:
        override = op.get("x-sdkgen-name")
        if isinstance(override, str) and override:
            return python_name(override, fallback="operation")
        operation_id = op.get("operationId")
        if isinstance(operation_id, str) and operation_id.strip():
            return python_name(strip_operation_prefix(operation_id.strip()), fallback="operation")
        words = [w for w in path.split("/") if w and not w.startswith("{")]
        return python_name(f"{method}_{'_'.join(words[-2:])}", fallback=method)

    def _parameters(
        self, item: dict[str, Any], op: dict[str, Any], pointer: str
    ) -> list[tuple[str, ParamLocation, bool, Any, str, bool, str, dict[str, Any]]]:
        merged: dict[tuple[str, Any], tuple[dict[str, Any], str]] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for base, params in ((item_pointer, item.get("parameters")), (pointer, op.get("parameters"))):
            for index, raw in enumerate(params or []):
                site = join_pointer(base, "parameters", index)
                param = raw
                if isinstance(raw, dict) and "$ref" in raw:
                    param = self.documents.resolve(raw["$ref"], self.doc, site).value
                if (
                    not isinstance(param, dict)
                    or not isinstance(param.get("name"), str)
                    or param.get("in") not in ("path", "query", "header", "cookie")
                ):
                    raise SpecError(self.doc.location(site), "a parameter needs a `name` and `in` (path, query, header or cookie)")
                merged[(param["name"], param["in"])] = (param, site)
        out = []
        for (wire, location), (param, site) in merged.items():
            if location == "header" and wire.lower() in ("authorization", "content-type", "accept"):
                continue  # the runtime owns these headers
            schema = param.get("schema")
            wire_style = param_style(param, location)
            if schema is None and isinstance(param.get("content"), dict) and param["content"]:
                media_type, media = next(iter(param["content"].items()))
                schema = media.get("schema") if isinstance(media, dict) else None
                wire_style["content_type"] = str(media_type)
            required = location == "path" or param.get("required") is True
            out.append(
                (
                    wire,
                    location,
                    required,
                    schema if schema is not None else {},
                    text(param.get("description")),
                    param.get("deprecated") is True,
                    join_pointer(site, "schema"),
                    wire_style,
                )
            )
        return out

    def _request_body(
        self, op: dict[str, Any], pointer: str, context: str, taken: set[str], models: set[str]
    ) -> tuple[BodyKind, str, list[Param], tuple[str, ...]]:
        """The body's kind, its default media type, the params that fill it and the media types a caller may choose."""
        body = op.get("requestBody")
        if body is None:
            return "none", "", [], ()
        site = join_pointer(pointer, "requestBody")
        if isinstance(body, dict) and "$ref" in body:
            body = self.documents.resolve(body["$ref"], self.doc, site).value
        content = body.get("content") if isinstance(body, dict) else None
        if content == {}:  # no media type at all (just-eat): nothing to send
            self.diagnostics.warn(
                self.doc.location(join_pointer(site, "content")),
                "a request body with no media types: the call sends no body",
                kind="request body without media types",
            )
            return "none", "", [], ()
        if not isinstance(content, dict):
            raise SpecError(self.doc.location(site), "a request body needs `content`")
        content_type = preferred_media_type(content)
        kind = body_kind(content_type)
        choices = tuple(c for c in content if c == content_type or _choosable(body_kind(c), kind))
        choices = (content_type, *(c for c in choices if c != content_type))
        for other in content:
            if other not in choices:
                self.diagnostics.warn(
                    self.doc.location(join_pointer(site, "content", other)),
                    f"request body {other!r} is not offered: the SDK sends {content_type!r}",
                    kind="request body media type not offered",
                )
        required = body.get("required") is True
        description = text(body.get("description"))
        media: dict[str, Any] = content[content_type] if isinstance(content[content_type], dict) else {}
        if kind in ("raw", "text"):
            body_type = BINARY_INPUT if kind == "raw" else scalar("string", signature=True)
            param = Param(param_name("body", taken, "body"), "body", "body", body_type, required, description)
            return kind, content_type, [param], _choices(choices, kind)
        schema_site = join_pointer(site, "content", content_type, "schema")
        schema = self.bundle.schema(media.get("schema", {}), self.doc, schema_site, context + "Request")
        target = schema
        if "$ref" in schema:
            target = self.bundle.definition(schema["$ref"].rsplit("/", 1)[1])
        raw_schema = self._resolved(media.get("schema", {}), schema_site)
        properties = target.get("properties")
        if isinstance(properties, dict) and properties and not any(k in target for k in ("anyOf", "oneOf", "allOf")):
            required_fields = set(target.get("required", []))
            encoding: dict[str, Any] = media["encoding"] if isinstance(media.get("encoding"), dict) else {}
            raw_properties: dict[str, Any] = raw_schema["properties"] if isinstance(raw_schema.get("properties"), dict) else {}
            params = []
            for prop, prop_schema in properties.items():
                file = kind == "multipart" and _is_file(prop_schema, raw_properties.get(prop))
                if file == "list":
                    prop_type = list_of(FILE_INPUT)
                elif file:
                    prop_type = FILE_INPUT
                else:
                    prop_type = self.bundle.type_of(prop_schema)
                models.update(prop_type.models)
                is_required = prop in required_fields and required
                part: dict[str, Any] = encoding[prop] if isinstance(encoding.get(prop), dict) else {}
                explode = part.get("explode")
                fixed: tuple[tuple[str, str], ...] = ()
                open_headers: tuple[str, ...] = ()
                if kind == "multipart":
                    fixed, open_headers = self._part_headers(
                        part, join_pointer(site, "content", content_type, "encoding", prop), bool(file)
                    )
                description = text(prop_schema.get("description"))
                if open_headers:  # the caller's to give: say which
                    given = ", ".join(f"`{name}`" for name in open_headers)
                    description = (
                        f"{description} Part headers to give in a `(filename, content, content_type, headers)` tuple: {given}.".strip()
                    )
                params.append(
                    Param(
                        name=param_name(prop, taken, "body"),
                        wire_name=prop,
                        location="body",
                        type=prop_type,
                        required=is_required,
                        description=description,
                        style=str(part.get("style", "form")) if kind == "form" else "",
                        explode=explode if isinstance(explode, bool) else kind == "form",
                        content_type=str(part.get("contentType", "")).split(",")[0].strip() if kind == "multipart" else "",
                        part_headers=fixed,
                    )
                )
            return kind if kind != "json" else "fields", content_type, params, _choices(choices, kind)
        if kind in ("multipart", "form"):
            self.diagnostics.warn(
                self.doc.location(schema_site),
                f"a {content_type!r} body whose schema lists no properties is sent as raw bytes",
                kind="form body without properties",
            )
            param = Param(
                param_name("body", taken, "body"),
                "body",
                "body",
                BINARY_INPUT,
                required,
                description,
            )
            return "raw", content_type, [param], ()
        kind_type = self.bundle.type_of(schema)
        models.update(kind_type.models)
        param = Param(param_name("body", taken, "body"), "body", "body", kind_type, required, description)
        return "json", content_type, [param], ()

    def _part_headers(self, part: dict[str, Any], site: str, file: bool) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        """A multipart part's headers (`encoding.<field>.headers`): those whose schema fixes their value, and the others' names.

        A header whose value the spec leaves open is the caller's to give, in a file part's
        `(filename, content, content_type, headers)`; a part that is not a file has no way to take
        it, so a warning names it. `Content-Type` is the part's content type (the specification
        says to ignore it here) and httpx writes `Content-Disposition`.
        """
        headers = part.get("headers")
        if not isinstance(headers, dict):
            return (), ()
        fixed: list[tuple[str, str]] = []
        left_open: list[str] = []
        for name, header in headers.items():
            header_site = join_pointer(site, "headers", str(name))
            if isinstance(header, dict) and "$ref" in header:
                header = self.documents.resolve(header["$ref"], self.doc, header_site).value
            if str(name).lower() == "content-type" or not isinstance(header, dict):
                continue
            value = _fixed_header_value(self._resolved(header.get("schema", {}), join_pointer(header_site, "schema")))
            if str(name).lower() == "content-disposition" or (value is None and not file):
                why = (
                    "the SDK writes it"
                    if str(name).lower() == "content-disposition"
                    else "no `const`, `default` or single `enum` value fixes it, and only a file part takes headers from the caller"
                )
                self.diagnostics.warn(
                    self.doc.location(header_site), f"part header {name!r} is not sent: {why}", kind="multipart part header not sent"
                )
            elif value is not None:
                fixed.append((str(name), value))
            else:
                left_open.append(str(name))
        return tuple(fixed), tuple(left_open)

    def _resolved(self, schema: Any, site: str) -> dict[str, Any]:
        """A schema with its `$ref` followed (to read keywords normalisation does not keep)."""
        if isinstance(schema, dict) and "$ref" in schema:
            return self._resolved(self.documents.resolve(schema["$ref"], self.doc, site).value, site)
        return schema if isinstance(schema, dict) else {}

    def _result(self, op: dict[str, Any], pointer: str, context: str, models: set[str]) -> tuple[TypeRef | None, ResponseKind, str]:
        """What the success response becomes: its type, how it is read, and its media type.

        JSON parses into the schema's type; `text/*` is a `str`; an event stream (alone) is
        iterated; anything else is `bytes`. JSON is preferred when several are offered.
        """
        found = self._success_content(op, pointer)
        if found is None:
            return None, "none", ""
        content, site = found
        content_type = next((c for c in content if _is_json(c)), None)
        if content_type is None:
            first = next(iter(content))
            media = first.split(";")[0].strip().lower()
            if media == "text/event-stream":
                return None, "events", first  # `_operations` makes it a streaming method
            if media.startswith("text/"):
                return scalar("string", signature=True), "text", first
            return BYTES, "bytes", first
        for other in content:
            if other != content_type and other.split(";")[0].strip().lower() != "text/event-stream":
                self.diagnostics.warn(
                    self.doc.location(join_pointer(site, "content", other)),
                    f"response {other!r} is not read: the SDK reads {content_type!r}",
                    kind="response media type not read",
                )
        media = content[content_type] if isinstance(content[content_type], dict) else {}
        schema = self.bundle.schema(
            media.get("schema", {}), self.doc, join_pointer(site, "content", content_type, "schema"), context + "Response"
        )
        return self.bundle.type_of(schema), "json", content_type

    def _type_at(self, schema: Any, site: str, context: str, models: set[str]) -> TypeRef:
        kind = self.bundle.type_of(self.bundle.schema(schema, self.doc, site, context))
        models.update(kind.models)
        return kind

    # -- security ------------------------------------------------------------------------------

    def _security(self, op: dict[str, Any]) -> list[dict[str, Any]]:
        security = op.get("security", self.doc.data.get("security"))
        return [s for s in security if isinstance(s, dict)] if isinstance(security, list) else []

    def _requirements(self, op: dict[str, Any], pointer: str) -> tuple[tuple[str, ...], ...]:
        """The operation's security requirements as alternatives of scheme keys (`()`: public).

        A requirement that names an undeclared scheme cannot be met: it is left out, with a warning.
        """
        schemes = self.schemes or {}
        out: list[tuple[str, ...]] = []
        for requirement in self._security(op):
            unknown = [key for key in requirement if key not in schemes]
            if unknown:
                self.diagnostics.warn(
                    self.doc.location(join_pointer(pointer, "security")),
                    f"security requirement names {', '.join(map(repr, unknown))}, which `components.securitySchemes` does not declare",
                    kind="undeclared security scheme",
                )
                continue
            out.append(tuple(requirement))
        if not out and self._security(op) and not any(not s for s in self._security(op)):
            return ((),)  # nothing usable: authentication stays optional rather than impossible
        return tuple(dict.fromkeys(out))

    def _auth_required(self, op: dict[str, Any], pointer: str) -> bool:
        requirements = self._requirements(op, pointer)
        return bool(requirements) and () not in requirements

    def _scopes(self, op: dict[str, Any]) -> tuple[str, ...]:
        scopes: list[str] = []
        for requirement in self._security(op):
            for scheme, values in requirement.items():
                scopes.extend(f"{scheme}:{v}" for v in values or [])
        return tuple(scopes)

    def _auth(self) -> Auth:
        """The API's security schemes (`components.securitySchemes`), each with the `Auth` the client builds for it."""
        raw = (self.doc.data.get("components") or {}).get("securitySchemes") or {}
        builder = SecurityBuilder(
            env_prefix=self.env_prefix,
            plugins=self.plugins,
            diagnostics=self.diagnostics,
            api_title=text((self.doc.data.get("info") or {}).get("title")),
        )
        self.schemes = {}
        server_url = self._server_url(warn=False)
        for key, scheme in raw.items() if isinstance(raw, dict) else ():
            pointer = join_pointer("/components/securitySchemes", key)
            if isinstance(scheme, dict) and "$ref" in scheme:
                scheme = self.documents.resolve(scheme["$ref"], self.doc, pointer).value
            if not isinstance(scheme, dict):
                raise SpecError(self.doc.location(pointer), "a security scheme must be a mapping")
            self.schemes[key] = builder.openapi_scheme(str(key), scheme, self.doc.location(pointer), server_url)
        return Auth(
            schemes=tuple(s for s in self.schemes.values() if s is not None),
            security=self._requirements(self.doc.data, ""),
            credentials=tuple(builder.credentials.values()),
        )

    def _server_url(self, *, warn: bool = True) -> str:
        servers = self.doc.data.get("servers")
        if isinstance(servers, list) and servers and isinstance(servers[0], dict):
            url = str(servers[0].get("url", ""))
            for variable, spec in (servers[0].get("variables") or {}).items():
                url = url.replace("{" + variable + "}", str(spec.get("default", "")))
            return url.rstrip("/")
        if warn:
            self.diagnostics.warn(self.doc.location("/servers"), "no server URL: the client needs a base URL", kind="no server URL")
        return ""


def preferred_media_type(content: dict[str, Any]) -> str:
    """The media type a request body is sent as by default: JSON, then multipart, form, text, the first listed."""
    for test in (_is_json, _is_multipart, _is_form, lambda c: c.lower().startswith("text/")):
        found = next((c for c in content if test(c)), None)
        if found is not None:
            return found
    return next(iter(content))


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


def _is_form(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def body_kind(content_type: str) -> BodyKind:
    """How a request body of this media type is built (`json`: JSON, its fields when it is an object)."""
    if _is_json(content_type):
        return "json"
    if _is_multipart(content_type):
        return "multipart"
    if _is_form(content_type):
        return "form"
    if content_type.lower().startswith("text/"):
        return "text"
    return "raw"


def _choosable(other: BodyKind, kind: BodyKind) -> bool:
    """Whether a body of kind `kind` can be sent as `other` from the same arguments."""
    objects = ("json", "multipart", "form")
    return (other in objects and kind in objects) or other == kind


def _choices(choices: tuple[str, ...], kind: BodyKind) -> tuple[str, ...]:
    return choices if len(choices) > 1 else ()


def _fixed_header_value(schema: dict[str, Any]) -> str | None:
    """The value a header's schema fixes (`const`, a single `enum` value, else `default`) as `simple`-style text, or None.

    A value with a line break or another control character would end the part's header: it is
    not a value (None).
    """
    if "const" in schema:
        value = schema["const"]
    elif isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        value = schema["enum"][0]
    elif "default" in schema:
        value = schema["default"]
    else:
        return None
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, (dict, list)) or item is None for item in items):
        return None
    text = ",".join(("true" if item else "false") if isinstance(item, bool) else str(item) for item in items)
    return None if any(ord(c) < 32 or ord(c) == 127 for c in text) else text


def _is_file(schema: dict[str, Any], raw: Any) -> bool | str:
    """Whether a multipart property is a file part (`format: binary`, or 3.1 `contentMediaType`); "list" for an array of them."""
    for candidate in (schema, raw if isinstance(raw, dict) else {}):
        if candidate.get("type") == "array" and isinstance(candidate.get("items"), dict):
            if _is_file(candidate["items"], None) is True:
                return "list"
        if candidate.get("format") in ("binary", "byte") or "contentMediaType" in candidate or "contentEncoding" in candidate:
            return candidate.get("format") != "byte"
    return False


# The styles each location allows (OpenAPI 3.1, "Style Values"), the first being the default.
PARAM_STYLES: dict[str, tuple[str, ...]] = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}


def param_style(param: dict[str, Any], location: str) -> dict[str, Any]:
    """A parameter's `style`, `explode` and `allowReserved`, with the spec's defaults filled in.

    The schema check has already refused a style the location does not allow.
    """
    style = param.get("style", PARAM_STYLES[location][0])
    explode = param.get("explode")
    return {
        "style": style,
        "explode": explode if isinstance(explode, bool) else style == "form",
        "allow_reserved": location == "query" and param.get("allowReserved") is True,
    }


def _error_statuses(op: dict[str, Any]) -> tuple[int, ...]:
    """The HTTP error statuses (4xx, 5xx) an operation documents; `default` and ranges name no class."""
    responses = op.get("responses")
    codes = (
        {int(str(code)) for code in responses if str(code).isdigit() and int(str(code)) >= 400} if isinstance(responses, dict) else set()
    )
    return tuple(sorted(codes))
