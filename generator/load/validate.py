"""Validate documents after overlays: OpenAPI with openapi-spec-validator, OpenRPC with its meta-schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ..errors import SpecError, join_pointer
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


def validate_openapi(document: SourceDocument, *, schema_only: bool = False) -> None:
    """Raise SpecError for the first problem openapi-spec-validator finds (and say how many more).

    `schema_only` runs only its check against the OpenAPI schema, not its semantic checks: for
    documents on which those would recurse forever (see `DocumentSet.collection_loop`).
    """
    _check_operation_ids(document)
    validator_class = OpenAPIV30SpecValidator if openapi_version(document) == "3.0" else OpenAPIV31SpecValidator
    validator = validator_class(document.data, base_uri=document.path.as_uri())
    found = validator_class.schema_validator.iter_errors(document.data) if schema_only else validator.iter_errors()
    errors: list[Any] = []
    try:
        for error in found:
            errors.append(error)
    except Exception as exc:  # noqa: BLE001 - the validator's own failure must not surface as a traceback
        if not errors:  # it crashes on some wrong types after reporting them: report those
            raise SpecError(
                document.location(), f"openapi-spec-validator could not read the document ({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
    if errors:
        first = errors[0]
        pointer = _pointer(getattr(first, "absolute_path", ()) or ())
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SpecError(
            document.location(pointer),
            f"invalid OpenAPI {openapi_version(document)}: {first.message}{more}",
            "fix the vendor file's problems in an overlay",
        )


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


def validate_openrpc(document: SourceDocument) -> None:
    """Raise SpecError for the most relevant meta-schema violation of an OpenRPC document."""
    version = document.data.get("openrpc")
    if not isinstance(version, str) or not version.startswith("1."):
        raise SpecError(document.location("/openrpc"), "not an OpenRPC 1.x document (missing `openrpc` version)")
    error = jsonschema.exceptions.best_match(openrpc_validator().iter_errors(document.data))
    while error is not None and error.context:  # `oneOf` failures: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    if error is not None:
        raise SpecError(
            document.location(_pointer(error.absolute_path)),
            f"invalid OpenRPC: {error.message}",
            "see the OpenRPC 1.3 specification for this object",
        )
