"""Validate documents after overlays.

OpenAPI is checked in two parts (docs/ARCHITECTURE.md, "Load"):

* **Structure**, on the critical path of every generation: the document against the OpenAPI 3.0
  or 3.1 schema with jsonschema-rs (GitHub's 13 MB spec: about 30 ms; jsonschema, 17 s). For 3.1,
  every Schema Object is checked against the OpenAPI 3.1 dialect in the same pass (the
  `$dynamicAnchor: meta` of the dialect, as OpenAPI's own `schema-base` does). A problem of the
  document's structure is an error; a slip inside a Schema Object's content is a warning, since
  models take no constraint from the spec. Then one walk over the operations: operationIds used
  twice (an error), path template variables without a parameter, path parameters outside the
  template and parameters given twice (warnings). Every finding has its JSON Pointer from the
  document root; the line is looked up only when it is printed.
* **Semantics** (openapi-spec-validator: defaults against their schemas, `required` names that no
  `allOf` part defines, duplicate tag names): nothing generation needs, and seconds of CPU on a
  large spec (13.5 s on GitHub's). It runs only in `sdkgen check` (`make check-generated`,
  `make test`, CI), in a child process beside the build, and its answer is cached by content.
  Its findings get their pointer from where the library's walk found them.

OpenRPC goes through the OpenRPC meta-schema with jsonschema draft 7 (55 ms on the flagship).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from ..errors import Diagnostics, SdkgenError, SpecError, join_pointer
from .cache import cache_key, read_cache, write_cache
from .documents import SourceDocument
from .refs import DocumentSet


def _pointer(path: Any) -> str:
    return join_pointer("", *path)


def openapi_version(document: SourceDocument) -> str:
    """ "3.0" or "3.1", or a SpecError for anything else."""
    version = document.data.get("openapi")
    if not isinstance(version, str):
        swagger = " (Swagger 2.0 is not supported; convert it to OpenAPI 3)" if "swagger" in document.data else ""
        raise SpecError(document.location("/openapi"), f"not an OpenAPI 3 document: no `openapi` version{swagger}")
    if version.startswith("3.0"):
        return "3.0"
    if version.startswith("3.1"):
        return "3.1"
    raise SpecError(document.location("/openapi"), f"unsupported OpenAPI version {version!r}", "sdkgen reads OpenAPI 3.0 and 3.1")


_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_TEMPLATE_VARIABLE = re.compile(r"\{([^{}]+)\}")

# Stable kinds of the validation warnings (the printer groups warnings by kind).
KIND_TEMPLATE_WITHOUT_PARAMETER = "path template variable without a path parameter"
KIND_PARAMETER_NOT_IN_TEMPLATE = "path parameter not in the path template (not sent)"
KIND_DUPLICATE_PARAMETER = "parameter declared twice"
KIND_DEFAULT = "default does not match its schema"
KIND_REQUIRED_UNDEFINED = "`required` names a property no `allOf` part defines"
KIND_DUPLICATE_TAG = "tag name used twice"
KIND_SEMANTIC_OTHER = "openapi-spec-validator finding"
KIND_SEMANTIC_STOPPED = "openapi-spec-validator stopped"


def content_kind(version: str, keyword: str) -> str:
    """The kind of a Schema Object slip the OpenAPI schema finds (`keyword`: the failing JSON Schema keyword)."""
    return f"schema content does not validate as OpenAPI {version} ({keyword})"


@dataclass(frozen=True)
class Findings:
    """What a check found, in the form it is reported (and cached): pointers from the document root."""

    error: tuple[str, str, str] | None  # (JSON pointer, message, hint): the first problem of the document's structure
    warnings: tuple[tuple[str, str, str], ...]  # (JSON pointer, message, kind) of each warning


# -- structure: jsonschema-rs against the OpenAPI schema ------------------------------------------

# Top-level keys of an OpenAPI document: a problem of the document's structure has a path from one
# of these. Under these keys a path enters Schema Object content (or an example or default):
# problems there are warnings.
_DOCUMENT_KEYS = frozenset(
    {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}
)
_CONTENT_KEYS = frozenset({"schema", "schemas", "example", "examples", "default", "enum", "pattern", "items", "properties"})
_BASE_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def _is_structural(path: list[Any]) -> bool:
    """A problem of the document's structure (rooted at a top-level key, outside any schema's content)."""
    return bool(path) and str(path[0]) in _DOCUMENT_KEYS and not any(str(token) in _CONTENT_KEYS for token in path[1:])


def _json_resource(package: str, name: str) -> dict[str, Any]:
    """A JSON file shipped in `package`, found without importing the package (openapi-spec-validator's
    `__init__` alone imports a tenth of a second of modules generation does not use)."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not folders:
        raise SdkgenError(f"the installed package {package!r} is missing (see requirements.lock)")
    data: dict[str, Any] = json.loads(Path(folders[0], name).read_text(encoding="utf-8"))
    return data


@cache
def openapi_schema(version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 or 3.1 schema, as openapi-spec-validator ships it."""
    return _json_resource("openapi_spec_validator", f"resources/schemas/v{version}/schema.json")


@cache
def structure_validator(version: str, deep: bool = True) -> Any:
    """A jsonschema-rs validator of OpenAPI `version` documents, offline.

    `deep` (3.1 only): Schema Objects are validated against the OpenAPI 3.1 base dialect (JSON
    Schema 2020-12 plus the OpenAPI vocabulary) by binding the schema's `$dynamicAnchor: meta` to
    it; the OpenAPI schema alone accepts any object or boolean there.
    """
    schema = openapi_schema(version)
    if version == "3.0" or not deep:
        return jsonschema_rs.validator_for(schema)
    dialect = _json_resource("openapi_schema_validator", "schemas/oas3.1/metaschema.json")
    vocabulary = _json_resource("openapi_schema_validator", "schemas/oas3.1/vocabularies/base")
    registry = jsonschema_rs.Registry([(schema["$id"], schema), (dialect["$id"], dialect), (vocabulary["$id"], vocabulary)])
    deep_schema = {
        "$id": "urn:sdkgen:openapi-3.1-with-base-dialect",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": schema["$id"],
        "$defs": {"schema": {"$dynamicAnchor": "meta", "$ref": dialect["$id"]}},
    }
    return jsonschema_rs.validator_for(deep_schema, registry=registry)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _message(error: Any) -> str:
    """jsonschema's wording (Python reprs) for the common keywords; jsonschema-rs's own otherwise."""
    kind = error.kind
    name = kind.name
    if name == "type":
        types = kind.as_dict().get("types") or []
        return f"{_short(error.instance)} is not of type {', '.join(repr(t) for t in types)}"
    if name == "required":
        return f"{kind.as_dict().get('property')!r} is a required property"
    if name == "enum":
        return f"{_short(error.instance)} is not one of {_short(kind.as_dict().get('options'))}"
    if name == "uniqueItems":
        return f"{_short(error.instance)} has non-unique elements"
    if name == "const":
        return f"{_short(kind.as_dict().get('expected_value'))} was expected"
    return str(error.message)


def _is_reference_branch(errors: list[Any]) -> bool:
    """A `oneOf` branch that failed only because the value is not a Reference Object."""
    return all(e.kind.name == "required" and e.kind.as_dict().get("property") == "$ref" for e in errors)


def _leaves(error: Any) -> list[Any]:
    """What a failed `oneOf`/`anyOf` comes down to: the errors of its most telling branch, followed
    down (as jsonschema's `best_match` does): branches that fail only for not being a Reference
    Object are passed over, and of the rest the one whose errors reach deepest wins. All of that
    branch's errors are kept, so a structural problem beside a schema slip is never hidden by it."""
    branches = getattr(error.kind, "context", None)
    if not branches:
        return [error]
    candidates = [branch for branch in branches if branch and not _is_reference_branch(branch)]
    if not candidates:
        return [error]
    branch = max(candidates, key=lambda errors: max(len(e.instance_path) for e in errors))
    return [leaf for member in branch for leaf in _leaves(member)]


def _python_errors(document: SourceDocument, version: str) -> Iterator[tuple[list[Any], str, str]]:
    """jsonschema (pure Python) for a document jsonschema-rs cannot read: YAML made a value that is
    not JSON (an unquoted date). Slow on large specs, but only such documents take this way."""
    import jsonschema  # imported only when needed: a tenth of a second of start-up

    schema = openapi_schema(version)
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in validator.iter_errors(document.data):
        best = jsonschema.exceptions.best_match([error])
        yield list(best.absolute_path), best.message, str(best.validator)


def _rs_errors(document: SourceDocument, version: str) -> Iterator[tuple[list[Any], str, str]]:
    deep = version == "3.1" and document.data.get("jsonSchemaDialect", _BASE_DIALECT) == _BASE_DIALECT
    for error in structure_validator(version, deep).iter_errors(document.data):
        for leaf in _leaves(error):
            yield list(leaf.instance_path), _message(leaf), leaf.kind.name


def structure_findings(document: SourceDocument, version: str) -> Findings:
    """The OpenAPI schema's verdict on `document`: its first structural problem, and its content slips."""
    try:
        errors = list(_rs_errors(document, version))
    except ValueError:  # "Unsupported type": a YAML value that is not JSON
        errors = list(_python_errors(document, version))
    structural = [e for e in errors if _is_structural(e[0])]
    if structural:
        path, message, _ = structural[0]
        more = f" (and {len(structural) - 1} more)" if len(structural) > 1 else ""
        return Findings((_pointer(path), f"invalid OpenAPI {version}: {message}{more}", "fix the vendor file's problems in an overlay"), ())
    warnings = tuple(
        (_pointer(path), f"schema content does not validate as OpenAPI {version}: {message[:200]}", content_kind(version, keyword))
        for path, message, keyword in errors
    )
    return Findings(None, warnings)


# -- operations: what the schema cannot say ----------------------------------------------------------


def _parameters(documents: DocumentSet, document: SourceDocument, owner: Any, pointer: str) -> list[tuple[str, str, str]]:
    """(name, in, pointer) of each parameter of a path item or operation, `$ref`s followed."""
    found = []
    parameters = owner.get("parameters") if isinstance(owner, dict) else None
    for index, parameter in enumerate(parameters if isinstance(parameters, list) else ()):
        site = join_pointer(pointer, "parameters", index)
        if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
            parameter = documents.resolve(parameter["$ref"], document, site).value
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str) and isinstance(parameter.get("in"), str):
            found.append((parameter["name"], parameter["in"], site))
    return found


def operation_findings(documents: DocumentSet) -> Findings:
    """OperationIds used twice (an error, with both places); path parameters that do not match the
    path template, and parameters declared twice (warnings). One walk over `paths`."""
    document = documents.main
    paths = document.data.get("paths")
    seen: dict[str, str] = {}
    warnings: list[tuple[str, str, str]] = []
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        if not isinstance(item, dict):
            continue
        item_pointer = join_pointer("/paths", path)
        shared = _parameters(documents, document, item, item_pointer)
        template = set(_TEMPLATE_VARIABLE.findall(path))
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            pointer = join_pointer(item_pointer, method)
            operation_id = operation.get("operationId")
            if isinstance(operation_id, str):
                id_pointer = join_pointer(pointer, "operationId")
                if operation_id in seen:
                    first = document.location(seen[operation_id])
                    message = f"operationId {operation_id!r} is used twice (also at {first})"
                    return Findings((id_pointer, message, "operationIds must be unique: rename one in an overlay"), ())
                seen[operation_id] = id_pointer
            own = _parameters(documents, document, operation, pointer)
            declared: dict[tuple[str, str], str] = {}
            for name, where, site in own:
                if (name, where) in declared:
                    warnings.append((site, f"{where} parameter {name!r} is declared twice in one list", KIND_DUPLICATE_PARAMETER))
                declared.setdefault((name, where), site)
            for name, where, site in shared:
                declared.setdefault((name, where), site)
            for name in sorted(template - {name for name, where in declared if where == "path"}):
                message = f"`{{{name}}}` in {path!r} has no path parameter: the SDK cannot fill it"
                warnings.append((pointer, message, KIND_TEMPLATE_WITHOUT_PARAMETER))
            for (name, where), site in declared.items():
                if where == "path" and name not in template:
                    warnings.append((site, f"path parameter {name!r} is not in the path template {path!r}", KIND_PARAMETER_NOT_IN_TEMPLATE))
        firsts: set[tuple[str, str]] = set()
        for name, where, site in shared:  # a path item's own list
            if (name, where) in firsts:
                warnings.append((site, f"{where} parameter {name!r} is declared twice in one list", KIND_DUPLICATE_PARAMETER))
            firsts.add((name, where))
    return Findings(None, tuple(dict.fromkeys(warnings)))


# -- semantics: openapi-spec-validator, in `sdkgen check` only ----------------------------------------


def _tagged(error: Any, parts: tuple[Any, ...]) -> Any:
    if getattr(error, "sdkgen_parts", None) is None:
        error.sdkgen_parts = parts
    return error


@cache
def _semantic_validator_class(version: str) -> type[Any]:
    """openapi-spec-validator's validator for `version`, with two changes: each finding is tagged
    with where the walk was (the library reports none), and the checks the structure pass already
    made (the meta-schema, each schema's dialect, operationIds, path parameters) are not repeated.
    Components are walked before paths, so a shared schema is reported at its own place."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation import keywords
    from openapi_spec_validator.validation.exceptions import ExtraParametersError

    base = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator
    schema_class = base.keyword_validators["schema"]
    value_class = base.keyword_validators["default"]

    class Schema(schema_class):  # type: ignore[valid-type,misc]
        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> None:
            return None  # the structure pass validated every schema against the dialect

        def __call__(self, schema: Any, require_properties: bool = True, meta_checked: bool = False) -> Iterator[Any]:
            for error in super().__call__(schema, require_properties, meta_checked):
                suffix = ("required",) if isinstance(error, ExtraParametersError) else ()
                yield _tagged(error, (*schema.parts, *suffix))

    class Value(value_class):  # type: ignore[valid-type,misc]
        def __call__(self, schema: Any, value: Any) -> Iterator[Any]:
            for error in super().__call__(schema, value):
                error.sdkgen_kind = KIND_DEFAULT
                yield _tagged(error, (*schema.parts, "default", *error.absolute_path))

    class Operation(keywords.OperationValidator):
        def __call__(self, url: str, name: str, operation: Any, path_parameters: Any) -> Iterator[Any]:
            if "responses" in operation:  # operationIds and path parameters: the structure pass checked them
                yield from self.responses_validator(operation / "responses")
            if "parameters" in operation:
                for parameter in operation / "parameters":
                    yield from self.parameters_validator.parameter_validator(parameter)

    class PathItem(keywords.PathValidator):
        def __call__(self, url: str, path_item: Any) -> Iterator[Any]:
            if "parameters" in path_item:
                for parameter in path_item / "parameters":
                    yield from self.parameters_validator.parameter_validator(parameter)
            for field_name, operation in path_item.items():
                if field_name in self.OPERATIONS:
                    yield from self.operation_validator(url, field_name, operation, None)

    class Tags(keywords.TagsValidator):
        def __call__(self, tags: Any) -> Iterator[Any]:
            error: Any
            for error in super().__call__(tags):
                error.sdkgen_kind = KIND_DUPLICATE_TAG
                yield _tagged(error, tuple(tags.parts))

    class Root(keywords.RootValidator):
        def __call__(self, spec: Any) -> Iterator[Any]:
            if "tags" in spec:
                tags: Any = self.registry["tags"]
                yield from tags(spec / "tags")
            if "components" in spec:
                yield from self.components_validator(spec / "components")
            if "paths" in spec:
                yield from self.paths_validator(spec / "paths")

    overrides = {"schema": Schema, "default": Value, "operation": Operation, "path": PathItem, "tags": Tags, "__root__": Root}
    return type(f"Semantic{base.__name__}", (base,), {"keyword_validators": {**base.keyword_validators, **overrides}})


def _semantic_message(error: Any) -> tuple[str, str]:
    kind = getattr(error, "sdkgen_kind", None)
    message = str(getattr(error, "message", error))[:200]
    if kind == KIND_DEFAULT:
        return f"default does not match its schema: {message}", kind
    if type(error).__name__ == "ExtraParametersError":
        return message, KIND_REQUIRED_UNDEFINED
    return message, kind or KIND_SEMANTIC_OTHER


def semantic_findings(documents: DocumentSet, version: str) -> Findings:
    """openapi-spec-validator's semantic checks of the main document, as warnings with pointers.

    Its walk gathers the properties of each `allOf` member by following `$ref`, composition and
    `items` with no memory of where it has been, so it recurses until the stack runs out on a
    (valid) schema whose member reaches itself that way; `DocumentSet.collection_loop()` finds
    that case first, and then these checks are skipped with a warning that says so.
    """
    document = documents.main
    if documents.collection_loop():
        return Findings(
            None, (("", "openapi-spec-validator's semantic checks skipped: an `allOf` member reaches itself", KIND_SEMANTIC_STOPPED),)
        )
    validator = _semantic_validator_class(version)(document.data, base_uri=document.path.as_uri())
    warnings: list[tuple[str, str, str]] = []
    try:
        for error in validator.root_validator(validator.schema_path):  # one by one: it may crash after reporting
            located_document, pointer = documents.canonical(document, _pointer(getattr(error, "sdkgen_parts", None) or ()))
            message, kind = _semantic_message(error)
            if located_document is not document:
                message = f"{message} (in {located_document.display}#{pointer})"
                pointer = ""
            warnings.append((pointer, message, kind))
    except Exception as exc:  # noqa: BLE001 - the library's own failure must not surface as a traceback
        warnings.append(("", f"openapi-spec-validator stopped: {type(exc).__name__}: {str(exc)[:200]}", KIND_SEMANTIC_STOPPED))
    return Findings(None, tuple(dict.fromkeys(warnings)))


# -- checks, the cache, reporting ----------------------------------------------------------------------


@dataclass
class Check:
    """One validation of one document: what it found at once (`now`), and the slow part, if any:
    the pure function that runs it and its cache key (`background.py` runs it beside the build,
    in `sdkgen check` only). The key hashes the whole document, so it is made only when asked for."""

    document: SourceDocument
    key_source: str | Callable[[], str]  # "" when there is no slow part
    run: Callable[[], Findings]
    now: Findings = Findings(None, ())

    @functools.cached_property
    def key(self) -> str:
        return self.key_source() if callable(self.key_source) else self.key_source


def openapi_check(document: SourceDocument, documents: DocumentSet | None = None) -> Check:
    """The check of an OpenAPI document: structure and operations run now; semantics are its slow part."""
    documents = documents or DocumentSet(document)
    version = openapi_version(document)
    structure = structure_findings(document, version)
    operations = operation_findings(documents) if structure.error is None else Findings(None, ())
    now = Findings(structure.error or operations.error, structure.warnings + operations.warnings)
    key = functools.partial(cache_key, "openapi-spec-validator/semantic", version, document.data) if now.error is None else ""
    return Check(document, key, functools.partial(semantic_findings, documents, version), now)


# OpenRPC versions and the meta-schema that validates each (see resources/README.md).
_OPENRPC_SCHEMAS = {"1.4": "openrpc-1.4-meta-schema.json", "1.3": "openrpc-meta-schema.json"}
_ERROR_OBJECT_KEYS = frozenset({"code", "message", "data"})


def _openrpc_series(document: SourceDocument) -> str:
    """ "1.4" for 1.4.x documents, "1.3" for every earlier 1.x (its meta-schema lists 1.0.0-rc0 … 1.3.2)."""
    version = document.data.get("openrpc")
    if not isinstance(version, str) or not version.startswith("1."):
        raise SpecError(document.location("/openrpc"), "not an OpenRPC 1.x document (missing `openrpc` version)")
    minor = version.split(".")[1] if version.count(".") >= 1 else ""
    if minor.isdigit() and int(minor) > 4:
        raise SpecError(
            document.location("/openrpc"),
            f"OpenRPC {version} is newer than sdkgen reads (1.0 to 1.4)",
            "check whether the document uses anything new; if not, declare `openrpc: 1.4.1`",
        )
    return "1.4" if minor == "4" else "1.3"


def _error_objects(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every inline Error Object of an OpenRPC document, with its pointer."""
    found: list[tuple[str, dict[str, Any]]] = []
    for index, method in enumerate(data.get("methods") or []):
        errors = method.get("errors") if isinstance(method, dict) else None
        for position, error in enumerate(errors if isinstance(errors, list) else []):
            if isinstance(error, dict) and "$ref" not in error:
                found.append((join_pointer("/methods", index, "errors", position), error))
    components = data.get("components")
    errors = components.get("errors") if isinstance(components, dict) else None
    for name, error in (errors if isinstance(errors, dict) else {}).items():
        if isinstance(error, dict):
            found.append((join_pointer("/components/errors", name), error))
    return found


def _without_error_extras(document: SourceDocument, diagnostics: Diagnostics | None) -> dict[str, Any]:
    """The document to validate: keys beside `code`, `message` and `data` of an Error Object dropped.

    The meta-schema allows nothing else there, but published documents carry more (Starknet's
    wallet API: `description`). Nothing generated reads them, so each is a warning, not a
    refusal. `x-` keys are specification extensions, dropped without a word. The document itself
    is left as it is.
    """
    data: dict[str, Any] = document.data
    extras = [(pointer, error, [k for k in error if k not in _ERROR_OBJECT_KEYS]) for pointer, error in _error_objects(data)]
    extras = [(pointer, error, keys) for pointer, error, keys in extras if keys]
    if not extras:
        return data
    copy = dict(data)
    copy["methods"] = [dict(m) if isinstance(m, dict) else m for m in data.get("methods") or []]
    if isinstance(copy.get("components"), dict):
        copy["components"] = dict(copy["components"])
        if isinstance(copy["components"].get("errors"), dict):
            copy["components"]["errors"] = dict(copy["components"]["errors"])
    for pointer, error, keys in extras:
        tokens = pointer.split("/")[1:]
        trimmed = {k: v for k, v in error.items() if k not in keys}
        if tokens[0] == "methods":
            method = copy["methods"][int(tokens[1])]
            method["errors"] = list(method["errors"])
            method["errors"][int(tokens[3])] = trimmed
        else:
            copy["components"]["errors"][_error_name(pointer)] = trimmed
        named = [k for k in keys if not k.startswith("x-")]
        if named and diagnostics is not None:
            diagnostics.warn(
                document.location(pointer),
                f"error object has {', '.join(repr(k) for k in named)}, which OpenRPC does not define (ignored)",
                kind="OpenRPC error object with keys beside code, message and data (ignored)",
            )
    return copy


def _error_name(pointer: str) -> str:
    return pointer.removeprefix("/components/errors/").replace("~1", "/").replace("~0", "~")


def openrpc_check(document: SourceDocument, diagnostics: Diagnostics | None = None) -> Check:
    """The meta-schema check of an OpenRPC document (1.0 to 1.4), by the meta-schema of its version
    (fast: it runs now).

    Keys an Error Object should not have are reported to `diagnostics` now, and left out of the check.
    """
    series = _openrpc_series(document)
    data = _without_error_extras(document, diagnostics)
    return Check(document, "", _no_findings, _openrpc_findings(document, data, series))


def _no_findings() -> Findings:
    return Findings(None, ())


def cached_findings(check: Check) -> Findings | None:
    """The findings the cache holds for the slow part of `check`, or None."""
    cached = read_cache(check.key) if check.key_source else None
    return _from_json(cached) if cached is not None else None


def remember(check: Check, findings: Findings) -> None:
    if check.key_source:
        write_cache(check.key, {"error": findings.error, "warnings": findings.warnings})


def report(check: Check, findings: Findings, diagnostics: Diagnostics) -> None:
    """Raise the SpecError of `findings`, or add their warnings."""
    if findings.error is not None:
        pointer, message, hint = findings.error
        raise SpecError(check.document.location(pointer), message, hint)
    for pointer, message, kind in findings.warnings:
        diagnostics.warn(check.document.location(pointer), message, kind=kind, fallback=True)


def run_check(check: Check, diagnostics: Diagnostics, *, semantic: bool = True) -> None:
    """Report what `check` found at once, then (with `semantic`) its slow part, through the cache."""
    report(check, check.now, diagnostics)
    if not semantic or not check.key_source:
        return
    findings = cached_findings(check)
    if findings is None:
        findings = check.run()
        remember(check, findings)
    report(check, findings, diagnostics)


def validate_openapi(document: SourceDocument, diagnostics: Diagnostics, *, semantic: bool = True) -> None:
    """Raise SpecError for the first problem of the document's structure; warn about the rest."""
    run_check(openapi_check(document), diagnostics, semantic=semantic)


def validate_openrpc(document: SourceDocument) -> None:
    """Raise SpecError for the most relevant meta-schema violation of an OpenRPC document."""
    run_check(openrpc_check(document), Diagnostics())


def _from_json(data: Any) -> Findings | None:
    """Findings from a cache entry; None when the entry is not what we wrote (then validate again)."""
    try:
        error = data["error"]
        warnings = tuple((str(p), str(m), str(k)) for p, m, k in data["warnings"])
        if error is not None:
            pointer, message, hint = (str(part) for part in error)
            return Findings((pointer, message, hint), warnings)
        return Findings(None, warnings)
    except (KeyError, TypeError, ValueError):
        return None


def _resource(name: str) -> dict[str, Any]:
    return _json_resource("generator.resources", name)


@cache
def openrpc_validator(series: str = "1.3") -> Any:
    """A draft-07 validator of the vendored OpenRPC meta-schema of `series` (see resources/README.md), offline."""
    import jsonschema  # imported only for OpenRPC documents
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schema = _resource(_OPENRPC_SCHEMAS[series])
    tools = Resource.from_contents(_resource("json-schema-tools-meta-schema.json"), default_specification=DRAFT7)
    registry: Registry = Registry().with_resources([("https://meta.json-schema.tools", tools), ("https://meta.json-schema.tools/", tools)])
    return jsonschema.Draft7Validator(schema, registry=registry)


@cache
def fast_openrpc_validator(series: str = "1.3") -> Any:
    """The same meta-schema as `openrpc_validator`, with jsonschema-rs (format keywords not asserted, as there)."""
    tools = _resource("json-schema-tools-meta-schema.json")
    registry = jsonschema_rs.Registry([("https://meta.json-schema.tools", tools), ("https://meta.json-schema.tools/", tools)])
    return jsonschema_rs.Draft7Validator(_resource(_OPENRPC_SCHEMAS[series]), registry=registry, validate_formats=False)


def _openrpc_findings(document: SourceDocument, data: dict[str, Any], series: str) -> Findings:
    # A valid document (nearly every run) is confirmed by jsonschema-rs in milliseconds, where
    # jsonschema's walk was 0.1 s of the flagship's 1.2 s of CPU. Anything else, and a document
    # jsonschema-rs cannot read (a YAML value that is not JSON), goes to jsonschema, which
    # words the error: the message stays exactly what it was.
    try:
        if fast_openrpc_validator(series).is_valid(data):
            return Findings(None, ())
    except (ValueError, TypeError, OverflowError):
        pass
    import jsonschema

    error = jsonschema.exceptions.best_match(openrpc_validator(series).iter_errors(data))
    while error is not None and error.context:  # `oneOf` failures: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    if error is None:
        return Findings(None, ())
    return Findings(
        (_pointer(error.absolute_path), f"invalid OpenRPC: {error.message}", f"see the OpenRPC {series} specification for this object"), ()
    )
