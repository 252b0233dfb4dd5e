"""Validate documents after overlays: OpenAPI with openapi-spec-validator, OpenRPC with its meta-schema."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ..errors import Diagnostics, SpecError, join_pointer
from .cache import cache_key, read_cache, write_cache
from .documents import SourceDocument


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


def _check_operation_ids(document: SourceDocument) -> None:
    """Two operations with one operationId: both places, before the validator says it without either."""
    paths = document.data.get("paths")
    seen: dict[str, str] = {}
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        for method in _HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            operation_id = operation.get("operationId") if isinstance(operation, dict) else None
            if not isinstance(operation_id, str):
                continue
            pointer = join_pointer("/paths", path, method, "operationId")
            if operation_id in seen:
                raise SpecError(
                    document.location(pointer),
                    f"operationId {operation_id!r} is used twice (also at {document.location(seen[operation_id])})",
                    "operationIds must be unique: rename one in an overlay",
                )
            seen[operation_id] = pointer


# Top-level keys of an OpenAPI document: openapi-spec-validator reports a problem of the document's
# structure with a path from one of these. Problems inside a Schema Object's content (a JSON Schema
# keyword misused, a default or example that does not match its schema) come with a path relative to
# that schema instead.
_DOCUMENT_KEYS = frozenset(
    {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}
)


@dataclass(frozen=True)
class Findings:
    """What openapi-spec-validator said about a document, in the form we report it (and cache it)."""

    error: tuple[str, str, str] | None  # (JSON pointer, message, hint): the first structural problem
    warnings: tuple[tuple[str, str], ...]  # (message, kind) of each schema-content slip


def _findings(document: SourceDocument, version: str, schema_only: bool) -> Findings:
    validator_class = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator
    validator = validator_class(document.data, base_uri=document.path.as_uri())
    found = validator_class.schema_validator.iter_errors(document.data) if schema_only else validator.iter_errors()
    errors: list[Any] = []
    failure: Exception | None = None
    try:
        for error in found:  # one by one: it crashes on some wrong types after reporting them
            errors.append(error)
    except Exception as exc:  # noqa: BLE001 - the validator's own failure must not surface as a traceback
        failure = exc
    structural = [e for e in errors if _is_structural(_path_of(e))]
    if structural:
        first = structural[0]
        more = f" (and {len(structural) - 1} more)" if len(structural) > 1 else ""
        message = f"invalid OpenAPI {version}: {first.message}{more}"
        return Findings((_pointer(_path_of(first)), message, "fix the vendor file's problems in an overlay"), ())
    if failure is not None and not errors:
        message = f"openapi-spec-validator could not read the document ({type(failure).__name__}: {str(failure)[:200]})"
        return Findings(("", message, ""), ())
    warnings = []
    for error in errors:
        inside = _pointer(_path_of(error))
        where = f" (at {inside} inside a schema)" if inside else ""
        warnings.append(
            (
                f"schema content does not validate as OpenAPI {version}: {error.message[:200]}{where}",
                f"schema content does not validate as OpenAPI {version} ({error.validator})",
            )
        )
    return Findings(None, tuple(warnings))


@dataclass(frozen=True)
class Check:
    """One validation of one document: its cache key, and the pure function that runs it.

    Running it is the slowest step for a large spec; `background.py` runs it in a child process
    while the IR is built, and the cache (see `cache.py`) answers for an unchanged document.
    """

    document: SourceDocument
    key: str
    run: Callable[[], Findings]


def openapi_check(document: SourceDocument, *, schema_only: bool = False) -> Check:
    """The check of an OpenAPI document (its cheap parts, operationIds and version, run now).

    Real specs often carry schema-content slips (OpenAI's repeats names in `required`, uses 3.0's
    boolean `exclusiveMinimum` in a 3.1 document, gives defaults that do not match their schema).
    None of them changes what can be generated, so they are warnings; the first problem of the
    document's structure is an error; anything the builder then cannot use is still an error with
    its own location.

    `schema_only` runs only its check against the OpenAPI schema, not its semantic checks: for
    documents on which those would recurse forever (see `DocumentSet.collection_loop`).
    """
    _check_operation_ids(document)
    version = openapi_version(document)
    key = cache_key("openapi-spec-validator" + ("/schema" if schema_only else ""), version, document.data)
    return Check(document, key, functools.partial(_findings, document, version, schema_only))


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
    """The meta-schema check of an OpenRPC document (1.0 to 1.4), by the meta-schema of its version.

    Keys an Error Object should not have are reported to `diagnostics` now, and left out of the check.
    """
    series = _openrpc_series(document)
    data = _without_error_extras(document, diagnostics)
    key = cache_key("openrpc-meta-schema/error-extras-dropped", series, data)
    return Check(document, key, functools.partial(_openrpc_findings, document, data, series))


def cached_findings(check: Check) -> Findings | None:
    """The findings the cache holds for `check`, or None."""
    cached = read_cache(check.key)
    return _from_json(cached) if cached is not None else None


def remember(check: Check, findings: Findings) -> None:
    write_cache(check.key, {"error": findings.error, "warnings": findings.warnings})


def report(check: Check, findings: Findings, diagnostics: Diagnostics) -> None:
    """Raise the SpecError of `findings`, or add their warnings."""
    if findings.error is not None:
        pointer, message, hint = findings.error
        raise SpecError(check.document.location(pointer), message, hint)
    for message, kind in findings.warnings:
        diagnostics.warn(check.document.location(), message, kind=kind)


def run_check(check: Check, diagnostics: Diagnostics) -> None:
    """Run `check` here and now (through the cache) and report what it found."""
    findings = cached_findings(check)
    if findings is None:
        findings = check.run()
        remember(check, findings)
    report(check, findings, diagnostics)


def validate_openapi(document: SourceDocument, diagnostics: Diagnostics, *, schema_only: bool = False) -> None:
    """Raise SpecError for the first problem of the document's structure; warn about schema content."""
    run_check(openapi_check(document, schema_only=schema_only), diagnostics)


def validate_openrpc(document: SourceDocument) -> None:
    """Raise SpecError for the most relevant meta-schema violation of an OpenRPC document."""
    run_check(openrpc_check(document), Diagnostics())


def _from_json(data: Any) -> Findings | None:
    """Findings from a cache entry; None when the entry is not what we wrote (then validate again)."""
    try:
        error = data["error"]
        warnings = tuple((str(m), str(k)) for m, k in data["warnings"])
        if error is not None:
            pointer, message, hint = (str(part) for part in error)
            return Findings((pointer, message, hint), warnings)
        return Findings(None, warnings)
    except (KeyError, TypeError, ValueError):
        return None


# Keys under which a path enters schema content (3.0 validates schemas as part of the document, so
# their slips come with a path from the root; these keys tell them apart from structure).
_CONTENT_KEYS = frozenset({"schema", "schemas", "example", "examples", "default", "enum", "pattern", "items", "properties"})


def _is_structural(path: list[Any]) -> bool:
    """A problem of the document's structure (rooted at a top-level key, outside any schema's content)."""
    return bool(path) and str(path[0]) in _DOCUMENT_KEYS and not any(str(token) in _CONTENT_KEYS for token in path[1:])


def _path_of(error: Any) -> list[Any]:
    return list(getattr(error, "absolute_path", ()) or ())


def _resource(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("generator.resources").joinpath(name).read_text(encoding="utf-8"))
    return data


@cache
def openrpc_validator(series: str = "1.3") -> jsonschema.Draft7Validator:
    """A draft-07 validator of the vendored OpenRPC meta-schema of `series` (see resources/README.md), offline."""
    schema = _resource(_OPENRPC_SCHEMAS[series])
    tools = Resource.from_contents(_resource("json-schema-tools-meta-schema.json"), default_specification=DRAFT7)
    registry: Registry = Registry().with_resources([("https://meta.json-schema.tools", tools), ("https://meta.json-schema.tools/", tools)])
    return jsonschema.Draft7Validator(schema, registry=registry)


def _openrpc_findings(document: SourceDocument, data: dict[str, Any], series: str) -> Findings:
    error = jsonschema.exceptions.best_match(openrpc_validator(series).iter_errors(data))
    while error is not None and error.context:  # `oneOf` failures: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    if error is None:
        return Findings(None, ())
    return Findings(
        (_pointer(error.absolute_path), f"invalid OpenRPC: {error.message}", f"see the OpenRPC {series} specification for this object"), ()
    )
