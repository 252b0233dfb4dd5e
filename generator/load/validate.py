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

from ..errors import Diagnostics, SpecError, join_pointer
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


# Top-level keys of an OpenAPI document: openapi-spec-validator reports a problem of the document's
# structure with a path from one of these. Problems inside a Schema Object's content (a JSON Schema
# keyword misused, a default or example that does not match its schema) come with a path relative to
# that schema instead.
_DOCUMENT_KEYS = frozenset(
    {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}
)


def validate_openapi(document: SourceDocument, diagnostics: Diagnostics) -> None:
    """Raise SpecError for the first problem of the document's structure; warn about schema content.

    Real specs often carry schema-content slips (OpenAI's repeats names in `required`, uses 3.0's
    boolean `exclusiveMinimum` in a 3.1 document, gives defaults that do not match their schema).
    None of them changes what can be generated, so they are warnings; anything the builder then
    cannot use is still an error with its own location.
    """
    version = openapi_version(document)
    validator_class = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator
    validator = validator_class(document.data, base_uri=document.path.as_uri())
    errors: list[Any] = []
    failure: Exception | None = None
    try:
        errors.extend(validator.iter_errors())
    except Exception as exc:  # noqa: BLE001 - the validator's own failure must not surface as a traceback
        failure = exc
    structural = [e for e in errors if _path_of(e)[:1] and str(_path_of(e)[0]) in _DOCUMENT_KEYS]
    if structural:
        first = structural[0]
        more = f" (and {len(structural) - 1} more)" if len(structural) > 1 else ""
        raise SpecError(
            document.location(_pointer(_path_of(first))),
            f"invalid OpenAPI {version}: {first.message}{more}",
            "fix the vendor file's problems in an overlay",
        )
    if failure is not None and not errors:
        raise SpecError(
            document.location(), f"openapi-spec-validator could not read the document ({type(failure).__name__}: {str(failure)[:200]})"
        )
    for error in errors:
        inside = _pointer(_path_of(error))
        where = f" (at {inside} inside a schema)" if inside else ""
        diagnostics.warn(
            document.location(),
            f"schema content does not validate as OpenAPI {version}: {error.message[:200]}{where}",
            kind=f"schema content does not validate as OpenAPI {version} ({error.validator})",
        )


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


def validate_openrpc(document: SourceDocument) -> None:
    """Raise SpecError for the most relevant meta-schema violation of an OpenRPC document."""
    version = document.data.get("openrpc")
    if not isinstance(version, str) or not version.startswith("1."):
        raise SpecError(document.location("/openrpc"), "not an OpenRPC 1.x document (missing `openrpc` version)")
    error = jsonschema.exceptions.best_match(openrpc_validator().iter_errors(document.data))
    while error is not None and error.context:  # `oneOf` failures: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    if error is not None:
        raise SpecError(document.location(_pointer(error.absolute_path)), f"invalid OpenRPC: {error.message}")
