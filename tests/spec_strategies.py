"""Hypothesis strategies for random but valid OpenAPI 3.1 and OpenRPC 1.3 documents with hostile content.

Names are Python keywords, builtins, dunders, names that differ only in case or punctuation,
non-ASCII or empty. Texts (descriptions, summaries, titles, defaults, error messages) carry
`SENTINEL`, wrapped in attempts to break out of every kind of literal the templates write:
docstrings, string literals, comments, Jinja, TOML and Markdown. Schemas nest deeply, recurse
(directly and through each other) and hold huge enums whose values are not identifiers.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Planted in spec text. It contains `-`, which no identifier can, so finding it in generated code
# outside a string literal or a comment means spec text became code.
SENTINEL = "ZZ-PWN-ZZ"
PAYLOAD = f'__import__("os").system("{SENTINEL}")'

HOSTILE_TEXTS = [
    f'"""\n{PAYLOAD}\n"""',
    f"'''\n{PAYLOAD}\n'''",
    f'\\"""; {PAYLOAD}; """',
    f'"); {PAYLOAD}; print("',
    f"'); {PAYLOAD}; print('",
    f"\\\n{PAYLOAD}",
    f"{{{{ {PAYLOAD} }}}}",
    f"{{% if True %}}{PAYLOAD}{{% endif %}}",
    f"{{# {PAYLOAD} #}}",
    f"a\x00b {PAYLOAD}\x00",
    f"\r{PAYLOAD}\r\n# {PAYLOAD}",
    f"line\u2028{PAYLOAD}\u2029\x0c\x0b{PAYLOAD}",
    f"ends with a backslash {SENTINEL}\\",
    f'ends with a quote {SENTINEL}"',
    f"{SENTINEL} | table | `code` <script>{PAYLOAD}</script> ]]> -->",
    f'" = 1\n[tool.evil]\nx = "{SENTINEL}',
    f"f'{{{PAYLOAD}}}' %s %(x)s {{0}} {{x.__class__}}",
    f"\t  \n\n  {SENTINEL}  \n\n",
    "",
    "   ",
    f"naïve café 日本語 Ω ß {SENTINEL} \U0001f600",
    f"\u202e{PAYLOAD}\u202c \u2066isolate\u2069 zero\u200bwidth \ufeff\U000e0041\x85\x1b[2J",  # Trojan Source
]

HOSTILE_NAMES = [
    # keywords and soft keywords
    "class", "def", "None", "True", "False", "import", "from", "lambda", "match", "case", "type", "_", "async", "await",
    # builtins and names generated code uses
    "str", "int", "list", "dict", "id", "print", "object", "self", "cls", "super", "bytes", "float", "bool", "type_",
    "Decimal", "Field", "BaseModel", "SDKModel", "Any", "Literal", "Optional", "Mapping", "Timeout", "deprecated",
    "cached_property", "annotations", "httpx", "pydantic", "Client", "AsyncClient", "APIError", "errors", "models",
    "extra_headers", "timeout", "max_retries", "with_raw_response", "with_options", "from_env", "close",
    "model_config", "model_fields", "model_dump", "schema", "json", "copy", "validate", "construct", "fields",
    # dunders
    "__init__", "__class__", "__dict__", "__import__", "__builtins__", "__all__", "__name__",
    # case and punctuation twins
    "foo", "Foo", "FOO", "foo_bar", "foo-bar", "foo.bar", "foo bar", "FooBar", "fooBar", "foo__bar", "_foo", "__foo",
    # digits, empty, non-ASCII, symbols
    "1abc", "123", "", " ", "café", "cafe", "日本", "Ω", "ß", "ñame", "-", "$", "a/b", "../x", "{x}", "%", "\u00e9t\u00e9",
]  # fmt: skip

# Component keys must match ^[a-zA-Z0-9._-]+$ (OpenAPI 3.1).
COMPONENT_NAMES = [
    "class", "None", "str", "list", "__init__", "Foo", "foo", "FOO", "foo-bar", "foo_bar", "foo.bar", "1abc", "Decimal",
    "BaseModel", "Field", "SDKModel", "Model", "Any", "Client", "APIError", "a.b.Outer.Inner", "c.d.Outer.Inner",
    "Self", "Optional", "model_config", "Enum", "datetime", "Widget", "widget", "Item", "_", "-", "x.Y",
]  # fmt: skip

FORMATS = [None, None, None, "date-time", "date", "uuid", "decimal", "int64", "byte", "binary", "uri", "RFC3339 Timestamp", "made-up"]

hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXTS), st.text(max_size=40))
# API titles name the client attribute (`client.<name>`): names the client class already uses too.
title = st.one_of(
    hostile_text, st.sampled_from(["from env", "close", "Models", "timeout", "max retries", "http client", "config", "Client"])
)
hostile_name = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(min_size=0, max_size=12))
# OpenRPC names must not be empty (meta-schema).
rpc_name = hostile_name.filter(bool)
enum_value = st.one_of(
    st.sampled_from(["", " ", "1", "01", "a-b", "a b", "class", "None", "True", "é", "A", "a", "_", "__init__", "mro", PAYLOAD, "💥"]),
    st.text(max_size=10),
)


def _unique_names(names: st.SearchStrategy[str], min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(names, min_size=min_size, max_size=max_size, unique=True)


@st.composite
def schemas(
    draw: st.DrawFn, refs: list[str], depth: int = 0, ref_prefix: str = "#/components/schemas/", *, alias: bool = True
) -> dict[str, Any]:
    """A JSON Schema: scalars, objects, arrays, enums, unions; `$ref`s to `refs` make recursion and cycles.

    `alias=False` (component schemas) leaves out a bare `$ref`, which could close a `$ref` cycle
    that never reaches a schema: an invalid spec (tests/fixtures/broken/ref_cycle.yaml).
    """
    choices = ["string", "integer", "number", "boolean", "enum", "huge_enum", "int_enum"]
    if refs and alias:
        choices += ["ref", "ref"]
    if depth < 6:
        choices += ["object", "object", "array", "union", "nullable", "map"]
    kind = draw(st.sampled_from(choices))
    schema: dict[str, Any]
    if kind == "string":
        schema = {"type": "string"}
        fmt = draw(st.sampled_from(FORMATS))
        if fmt:
            schema["format"] = fmt
        if draw(st.booleans()) and fmt is None:
            schema["default"] = draw(hostile_text)
    elif kind in ("integer", "number", "boolean"):
        schema = {"type": kind}
    elif kind == "enum":
        values = draw(st.lists(enum_value, min_size=1, max_size=8, unique=True))
        schema = {"type": "string", "enum": values}
        if draw(st.booleans()):
            schema["default"] = draw(st.sampled_from(values))
    elif kind == "huge_enum":
        size = draw(st.integers(200, 1500))
        schema = {"type": "string", "enum": [f"v{i}" if i % 3 else f"{i}-{i}" for i in range(size)] + ["class", "", "V1", "v-1"]}
    elif kind == "int_enum":
        schema = {"type": "integer", "enum": draw(st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=6, unique=True))}
    elif kind == "ref":
        schema = {"$ref": ref_prefix + draw(st.sampled_from(refs))}
    elif kind in ("object", "map"):
        props = draw(_unique_names(hostile_name, 0, 6))
        schema = {"type": "object"}
        if kind == "map":
            schema["additionalProperties"] = draw(schemas(refs, depth + 1, ref_prefix))
        else:
            schema["properties"] = {p: draw(schemas(refs, depth + 1, ref_prefix)) for p in props}
            if props and draw(st.booleans()):
                schema["required"] = draw(st.lists(st.sampled_from(props), min_size=1, unique=True))
    elif kind == "array":
        schema = {"type": "array", "items": draw(schemas(refs, depth + 1, ref_prefix))}
    elif kind == "union":
        keyword = draw(st.sampled_from(["oneOf", "anyOf", "allOf"]))
        schema = {keyword: draw(st.lists(schemas(refs, depth + 1, ref_prefix), min_size=1, max_size=3))}
    else:  # nullable
        inner = draw(schemas(refs, depth + 1, ref_prefix))
        schema = {"anyOf": [inner, {"type": "null"}]}
    if draw(st.integers(0, 3)) == 0:
        schema["description"] = draw(hostile_text)
    if draw(st.integers(0, 5)) == 0:
        schema["title"] = draw(hostile_text)
    return schema


@st.composite
def deep_schema(draw: st.DrawFn) -> dict[str, Any]:
    """An object nested 20-40 levels deep (inline objects all the way down)."""
    levels = draw(st.integers(20, 40))
    schema: dict[str, Any] = {"type": "string", "description": draw(hostile_text)}
    for level in range(levels):
        name = draw(st.sampled_from(["inner", "class", "inner", "__dict__", f"level{level}"]))
        schema = {"type": "object", "properties": {name: schema}}
    return schema


@st.composite
def components(draw: st.DrawFn, ref_prefix: str) -> dict[str, Any]:
    names = draw(_unique_names(st.sampled_from(COMPONENT_NAMES), 1, 8))
    out = {name: draw(schemas(names, 0, ref_prefix, alias=False)) for name in names}
    if draw(st.booleans()):
        out[f"Deep{len(out)}"] = draw(deep_schema())
    if len(names) >= 2 and draw(st.booleans()):  # mutual recursion through properties, for sure
        a, b = names[0], names[1]
        out[a] = {"type": "object", "properties": {"b": {"$ref": ref_prefix + b}, "self": {"$ref": ref_prefix + a}}}
        out[b] = {"type": "object", "properties": {"a": {"type": "array", "items": {"$ref": ref_prefix + a}}}}
    return out


PATH_PARAM_NAMES = ["id", "class", "self", "from", "x-y", "X_Y", "id.__class__", "0", "café", "a b", "path", "timeout", "__dict__"]


@st.composite
def openapi_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid OpenAPI 3.1 document with hostile names and texts."""
    schemas_ = draw(components("#/components/schemas/"))
    refs = sorted(schemas_)
    paths: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 4))):
        path_params = draw(st.lists(st.sampled_from(PATH_PARAM_NAMES), max_size=2, unique=True))
        path = f"/r{index}/" + "/".join("{" + p + "}" for p in path_params) + draw(st.sampled_from(["", "/x"]))
        item: dict[str, Any] = {}
        for method in draw(st.lists(st.sampled_from(["get", "post", "put", "delete", "patch"]), min_size=1, max_size=3, unique=True)):
            parameters: list[dict[str, Any]] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}, "description": draw(hostile_text)}
                for p in path_params
            ]
            for name in draw(_unique_names(hostile_name, 0, 5)):
                where = draw(st.sampled_from(["query", "header", "query"]))
                if where == "header" and (not name or not name.isascii() or not name.replace("-", "").isalnum()):
                    where = "query"
                if where == "header" and name.lower() in ("accept", "content-type", "authorization"):
                    continue
                parameters.append(
                    {
                        "name": name,
                        "in": where,
                        "required": draw(st.booleans()),
                        "schema": draw(schemas(refs, 3)),
                        "description": draw(hostile_text),
                    }
                )
            op: dict[str, Any] = {"parameters": parameters, "responses": {}}
            if draw(st.integers(0, 4)):
                op["operationId"] = draw(hostile_name) + f"_{index}{method}"
            if draw(st.booleans()):
                op["tags"] = [draw(hostile_name)]
            for key in ("summary", "description"):
                if draw(st.booleans()):
                    op[key] = draw(hostile_text)
            if method in ("post", "put", "patch") and draw(st.booleans()):
                op["requestBody"] = {
                    "required": draw(st.booleans()),
                    "content": {"application/json": {"schema": draw(schemas(refs))}},
                }
            if draw(st.integers(0, 3)):
                op["responses"]["200"] = {
                    "description": draw(hostile_text),
                    "content": {"application/json": {"schema": draw(schemas(refs))}},
                }
            else:
                op["responses"]["204"] = {"description": draw(hostile_text)}
            if draw(st.integers(0, 5)) == 0:
                op["deprecated"] = True
                op["x-sunset"] = draw(hostile_text)
            item[method] = op
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": draw(title), "version": draw(hostile_text), "description": draw(hostile_text)},
        "servers": [{"url": "https://api.example.com/v1", "description": draw(hostile_text)}],
        "tags": [{"name": draw(hostile_name), "description": draw(hostile_text)}],
        "paths": paths,
        "components": {"schemas": schemas_},
    }


RPC_METHOD_NAMES = [
    "public/auth",
    "private/class",
    "public/__init__",
    "get-thing",
    "getThing",
    "get_thing",
    "日本",
    "private/self",
    "x",
    "None",
]


@st.composite
def openrpc_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid OpenRPC 1.3 document with hostile names and texts, and an error table."""
    schemas_ = draw(components("#/components/schemas/"))
    refs = sorted(schemas_)
    methods = []
    for index, name in enumerate(
        draw(st.lists(st.one_of(st.sampled_from(RPC_METHOD_NAMES), rpc_name), min_size=1, max_size=5, unique=True))
    ):
        params = [
            {"name": p, "schema": draw(schemas(refs, 3)), "required": draw(st.booleans()), "description": draw(hostile_text)}
            for p in draw(_unique_names(rpc_name, 0, 5))
        ]
        method: dict[str, Any] = {
            "name": name,
            "params": params,
            "result": {"name": draw(rpc_name), "schema": draw(schemas(refs)), "description": draw(hostile_text)},
            "x-sdkgen-name": f"{draw(hostile_name)}_{index}",
        }
        if draw(st.booleans()):
            method["tags"] = [{"name": draw(rpc_name)}]
        for key in ("summary", "description"):
            if draw(st.booleans()):
                method[key] = draw(hostile_text)
        method["x-auth-required"] = draw(st.booleans())
        methods.append(method)
    error_keys = draw(_unique_names(st.sampled_from(COMPONENT_NAMES), 0, 6))
    codes = draw(st.lists(st.integers(-32768, 20000), min_size=len(error_keys), max_size=len(error_keys)))
    errors = {key: {"code": code, "message": draw(hostile_text)} for key, code in zip(error_keys, codes, strict=True)}
    categories = [
        "authentication",
        "permission",
        "rate_limit",
        "not_found",
        "invalid_request",
        "conflict",
        "server",
        "unavailable",
        "other",
    ]
    extensions = {
        key: {"x-category": draw(st.sampled_from(categories)), "x-description": draw(hostile_text), "x-retryable": draw(st.booleans())}
        for key in error_keys
        if draw(st.booleans())
    }
    document: dict[str, Any] = {
        "openrpc": "1.3.2",
        "info": {
            "title": draw(title) + draw(st.sampled_from([" rpc", " rpc", " rpc", ""])),
            "version": draw(hostile_text),
            "description": draw(hostile_text),
        },
        "servers": [{"name": "main", "url": "https://rpc.example.com/api/v2"}],
        "methods": methods,
        "components": {"schemas": schemas_, "errors": errors},
    }
    if extensions:
        document["x-error-extensions"] = extensions
    return document
