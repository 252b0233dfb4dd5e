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


def openrpc_check(document: SourceDocument) -> Check:
    """The meta-schema check of an OpenRPC document."""
    version = document.data.get("openrpc")
    if not isinstance(version, str) or not version.startswith("1."):
        raise SpecError(document.location("/openrpc"), "not an OpenRPC 1.x document (missing `openrpc` version)")
    return Check(document, cache_key("openrpc-meta-schema", "1.3", document.data), functools.partial(_openrpc_findings, document))


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
def openrpc_validator() -> jsonschema.Draft7Validator:
    """A draft-07 validator of the vendored OpenRPC meta-schema (see resources/README.md), offline."""
    schema = _resource("openrpc-meta-schema.json")
    tools = Resource.from_contents(_resource("json-schema-tools-meta-schema.json"), default_specification=DRAFT7)
    registry: Registry = Registry().with_resources([("https://meta.json-schema.tools", tools), ("https://meta.json-schema.tools/", tools)])
    return jsonschema.Draft7Validator(schema, registry=registry)


def _openrpc_findings(document: SourceDocument) -> Findings:
    error = jsonschema.exceptions.best_match(openrpc_validator().iter_errors(document.data))
    while error is not None and error.context:  # `oneOf` failures: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    if error is None:
        return Findings(None, ())
    return Findings(
        (_pointer(error.absolute_path), f"invalid OpenRPC: {error.message}", "see the OpenRPC 1.3 specification for this object"), ()
    )
