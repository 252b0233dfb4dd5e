"""A test server that reads requests the way the OpenAPI specification says a server must.

It is given an OpenAPI document; each request is matched to its operation, and every parameter is
deserialized by its `style`/`explode` (and `content`) from the raw request line and headers, with
its own code: not the SDK's runtime. Request bodies are decoded by their content type (JSON,
form, multipart with its parts' headers, bytes, text). What it read is recorded in
``record.extra["params"]`` and ``record.extra["body"]``, so a test compares what it passed to the
SDK with what a server understood.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, unquote_plus

import yaml

from tests.servers.base import BaseRequestHandler, TestServer
from tests.servers.records import RecordedRequest

_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    return kind if isinstance(kind, str) else next(k for k in kind if k != "null")


def _typed(schema: dict[str, Any], text: str) -> Any:
    kind = _schema_type(schema)
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return {"true": True, "false": False}[text]
    return text


def _pairs_to_object(schema: dict[str, Any], items: list[str]) -> dict[str, Any]:
    if len(items) % 2:
        raise ValueError(f"an object needs name,value pairs: {items}")
    props = schema.get("properties", {})
    return {items[i]: _typed(props.get(items[i], {}), items[i + 1]) for i in range(0, len(items), 2)}


def _assignments_to_object(schema: dict[str, Any], items: list[str]) -> dict[str, Any]:
    props = schema.get("properties", {})
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"an exploded object member needs name=value: {item!r}")
        out[unquote(key)] = _typed(props.get(unquote(key), {}), unquote(value))
    return out


def _from_parts(schema: dict[str, Any], parts: list[str], explode: bool) -> Any:
    """A value from its already split, still percent-encoded parts (simple/label/form-not-exploded)."""
    kind = _schema_type(schema)
    if kind == "array":
        return [_typed(schema.get("items", {}), unquote(p)) for p in parts]
    if kind == "object":
        if explode:
            return _assignments_to_object(schema, parts)
        return _pairs_to_object(schema, [unquote(p) for p in parts])
    if len(parts) != 1:
        raise ValueError(f"a primitive has one part: {parts}")
    return _typed(schema, unquote(parts[0]))


def read_path_value(param: dict[str, Any], segment: str) -> Any:
    style = param.get("style", "simple")
    explode = param.get("explode", False)
    schema = param.get("schema", {})
    name = param["name"]
    if "content" in param:
        return json.loads(unquote(segment))
    if style == "simple":
        return _from_parts(schema, segment.split(","), explode)
    if style == "label":
        if not segment.startswith("."):
            raise ValueError(f"a label value starts with '.': {segment!r}")
        return _from_parts(schema, segment[1:].split("." if explode else ","), explode)
    if style == "matrix":
        if not segment.startswith(";"):
            raise ValueError(f"a matrix value starts with ';': {segment!r}")
        items = segment[1:].split(";")
        kind = _schema_type(schema)
        if explode and kind == "object":
            return _assignments_to_object(schema, items)
        if explode and kind == "array":
            values = []
            for item in items:
                key, _, value = item.partition("=")
                if key != name:
                    raise ValueError(f"matrix item {item!r} is not {name}=")
                values.append(value)
            return _from_parts(schema, values, False)
        key, _, value = items[0].partition("=")
        if key != name or len(items) != 1:
            raise ValueError(f"matrix value {segment!r} is not ;{name}=...")
        return _from_parts(schema, value.split(","), False)
    raise ValueError(f"unknown path style {style}")


def read_query_value(param: dict[str, Any], pairs: list[tuple[str, str]]) -> Any:
    """One query parameter from the raw (still encoded) `name=value` pairs of the query string."""
    name = param["name"]
    style = param.get("style", "form")
    explode = param.get("explode", style == "form")
    schema = param.get("schema", {})
    kind = _schema_type(schema)
    mine = [v for k, v in pairs if unquote(k) == name]
    if "content" in param:
        return json.loads(unquote(mine[0])) if mine else None
    if style == "deepObject":
        props = (schema.get("properties") or {}) if kind == "object" else {}
        found = {}
        for key, value in pairs:
            match = re.fullmatch(re.escape(name) + r"\[([^\]]*)\]", unquote(key))
            if match:
                found[match.group(1)] = _typed(props.get(match.group(1), {}), unquote(value))
        return found or None
    if kind == "object" and explode:  # form exploded: each member is a parameter of its own
        props = schema.get("properties", {})
        found = {unquote(k): _typed(props[unquote(k)], unquote(v)) for k, v in pairs if unquote(k) in props}
        return found or None
    if not mine:
        return None
    if kind == "array" and explode:
        return [_typed(schema.get("items", {}), unquote(v)) for v in mine]
    if len(mine) != 1:
        raise ValueError(f"{name} appears {len(mine)} times")
    raw = mine[0]
    if kind in ("array", "object"):
        delimiter = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "|"}[style]
        if style == "pipeDelimited":
            raw = raw.replace("%7C", "|").replace("%7c", "|")
        return _from_parts(schema, raw.split(delimiter), False)
    return _typed(schema, unquote(raw))


def read_header_value(param: dict[str, Any], text: str) -> Any:
    schema = param.get("schema", {})
    if "content" in param:
        return json.loads(text)
    return _from_parts(schema, text.split(","), param.get("explode", False))


def read_cookie_value(param: dict[str, Any], cookies: list[tuple[str, str]]) -> Any:
    schema = param.get("schema", {})
    kind = _schema_type(schema)
    mine = [v for k, v in cookies if k == param["name"]]
    if not mine:
        return None
    if kind == "array" and param.get("explode", True):
        return [_typed(schema.get("items", {}), unquote(v)) for v in mine]
    return _from_parts(schema, mine[0].split(","), False) if kind in ("array", "object") else _typed(schema, unquote(mine[0]))


def read_body(content_type: str, body: bytes) -> Any:
    """The request body as a server reads it, by media type."""
    media = content_type.split(";")[0].strip().lower()
    if not body and not media:
        return None
    if media == "application/json" or media.endswith("+json"):
        return {"json": json.loads(body)}
    if media == "application/x-www-form-urlencoded":
        pairs = [tuple(p.split("=", 1)) for p in body.decode("ascii").split("&") if p]
        return {"form": [(unquote_plus(k), unquote_plus(v)) for k, v in pairs], "raw": body.decode("ascii")}
    if media == "multipart/form-data":
        if "boundary=" not in content_type:
            raise ValueError("multipart/form-data without a boundary")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        parts = []
        for part in message.iter_parts():
            parts.append(
                {
                    "name": part.get_param("name", header="content-disposition"),
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type() if part.get("content-type") else None,
                    "headers": {k.lower(): str(v) for k, v in part.items()},
                    "content": part.get_payload(decode=True),
                }
            )
        return {"multipart": parts}
    if media.startswith("text/"):
        return {"text": body.decode("utf-8")}
    return {"bytes": body, "content_type": media}


class _Route:
    def __init__(self, method: str, template: str, operation: dict[str, Any], parameters: list[dict[str, Any]]) -> None:
        self.method = method
        self.template = template
        self.operation = operation
        self.parameters = parameters
        self.names = re.findall(r"\{([^}]*)\}", template)
        self.pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "([^/]*)", re.escape(template)) + "$")


class StyleServer(TestServer):
    """Serves an OpenAPI document's operations: reads each request by the spec, answers `{"ok": true}`.

    `responses` maps an operationId to (status, body, headers) to answer instead.
    """

    handler_class: ClassVar[type[BaseRequestHandler]]

    def __init__(self, spec: Path) -> None:
        super().__init__()
        document = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # libyaml: OpenAI's takes 10 s in Python
        self.routes: list[_Route] = []
        for template, item in (document.get("paths") or {}).items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self.routes.append(_Route(method.upper(), template, operation, list(operation.get("parameters") or [])))
        self.responses: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        # path → streamed answers, one per request in order: its chunks (each written and flushed,
        # `delay` seconds apart) and whether the connection then drops without ending the body.
        self.streams: dict[str, list[Streamed]] = {}

    def last(self) -> RecordedRequest:
        return self.requests.snapshot()[-1]


@dataclass
class Streamed:
    """A chunked answer written piece by piece (an event stream); `dropped`: the connection breaks after the chunks."""

    chunks: list[bytes]
    content_type: str = "text/event-stream"
    delay: float = 0.0
    dropped: bool = False
    aborted: threading.Event = field(default_factory=threading.Event)  # set when the client went away mid-stream


class _StyleHandler(BaseRequestHandler):
    def _dispatch(self) -> None:
        server = self.owner
        assert isinstance(server, StyleServer)
        path = self.path.split("?")[0]
        queue = server.streams.get(path)
        if not queue:
            super()._dispatch()
            return
        answer = queue.pop(0)
        record = self._new_record()
        record.body = self._read_body()
        record.status = 200
        server.requests.append(record)
        self.send_response(200)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in answer.chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
                if answer.delay:
                    time.sleep(answer.delay)
            if answer.dropped:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            answer.aborted.set()

    def handle_request(self, record: RecordedRequest) -> tuple[int, bytes, dict[str, str]]:
        server = self.owner
        assert isinstance(server, StyleServer)
        for route in server.routes:
            match = route.pattern.match(record.path)
            if route.method == record.method and match:
                break
        else:
            return 404, b'{"error": "no route"}', {"Content-Type": "application/json"}
        segments = dict(zip(route.names, match.groups(), strict=True))
        pairs = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in record.raw_query.split("&") if p]
        cookies = [tuple(c.strip().split("=", 1)) for c in record.headers.get("cookie", "").split(";") if "=" in c]
        params: dict[str, Any] = {}
        for param in route.parameters:
            where = param["in"]
            if where == "path":
                params[param["name"]] = read_path_value(param, segments[param["name"]])
            elif where == "query":
                params[param["name"]] = read_query_value(param, pairs)  # type: ignore[arg-type]
            elif where == "header":
                text = record.headers.get(param["name"].lower())
                params[param["name"]] = None if text is None else read_header_value(param, text)
            elif where == "cookie":
                params[param["name"]] = read_cookie_value(param, cookies)  # type: ignore[arg-type]
        record.extra["params"] = params
        record.extra["body"] = read_body(record.headers.get("content-type", ""), record.body)
        record.extra["operation"] = route.operation.get("operationId")
        if record.extra["operation"] in server.responses:
            return server.responses[record.extra["operation"]]
        return 200, b'{"ok": true}', {"Content-Type": "application/json"}


StyleServer.handler_class = _StyleHandler
