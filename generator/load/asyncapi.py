"""Read AsyncAPI 2.6 and 3.0 documents into one description (`asyncapi_model.AsyncApi`).

Steps: read the document and apply its overlays; resolve every `$ref` (`DocumentSet.check_all`),
so a bad one is reported with its place; validate against the official AsyncAPI JSON Schema of
its version (vendored from npm `@asyncapi/specs`, offline: see `generator/resources/README.md`);
then walk it once with the reader of its version (`asyncapi_read.py`), which also checks what
the JSON Schemas cannot (the rules `@asyncapi/specs` lists as "custom validations": parameters of
a channel address, servers and security schemes that exist, unique operation and message ids,
an operation's messages belonging to its channel).

Nothing is dropped silently: every channel, operation and message of the document is in the
description, and what the client cannot use (a channel no operation uses, a message on no
channel, a payload in a schema format sdkgen does not read) is a warning naming it.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostics, Location, SpecError, join_pointer
from .asyncapi_model import AsyncApi, Describes
from .asyncapi_read import read_description
from .cache import cache_key
from .documents import SourceDocument, read_document
from .overlay import apply_overlay
from .refs import DocumentSet

if TYPE_CHECKING:
    import jsonschema  # imported where used: 0.1 s of start-up that an SDK without AsyncAPI need not pay
from .validate import Check, Findings, run_check

# AsyncAPI version → the vendored JSON Schema that validates it.
SCHEMAS = {"2.6.0": "asyncapi-2.6.0-schema.json", "3.0.0": "asyncapi-3.0.0-schema.json"}

# Keys under which a validation path enters a schema's content: a slip there is a warning (models
# take no constraints from it); anything else is a problem of the document's structure.
_CONTENT_KEYS = frozenset({"payload", "headers", "schema", "schemas", "examples", "example", "default", "enum"})


def asyncapi_version(document: SourceDocument) -> str:
    """The document's AsyncAPI version ("2.6.0" or "3.0.0"), or a SpecError."""
    version = document.data.get("asyncapi")
    if not isinstance(version, str):
        raise SpecError(
            document.location("/asyncapi"),
            "not an AsyncAPI document: no `asyncapi` version",
            "an AsyncAPI document starts with `asyncapi: 3.0.0`",
        )
    if version not in SCHEMAS:
        supported = " and ".join(sorted(SCHEMAS))
        raise SpecError(
            document.location("/asyncapi"),
            f"unsupported AsyncAPI version {version!r}",
            f"sdkgen reads AsyncAPI {supported}; convert the document (`asyncapi convert` of the AsyncAPI CLI)",
        )
    return version


@cache
def asyncapi_validator(version: str) -> jsonschema.Draft7Validator:
    """A draft-07 validator of the vendored AsyncAPI JSON Schema of `version` (offline: every
    `$ref` in it points inside the file, by its `$id`s)."""
    import jsonschema

    text = resources.files("generator.resources").joinpath(SCHEMAS[version]).read_text(encoding="utf-8")
    return jsonschema.Draft7Validator(json.loads(text))


@cache
def _fast_validator(version: str) -> Any:
    """The same schema compiled by jsonschema-rs: a valid document (the usual case) is known in
    milliseconds; only an invalid one goes through `jsonschema` for its located, best-matched errors."""
    import jsonschema_rs

    text = resources.files("generator.resources").joinpath(SCHEMAS[version]).read_text(encoding="utf-8")
    return jsonschema_rs.Draft7Validator(json.loads(text), validate_formats=False)


def _is_structural(path: Sequence[Any]) -> bool:
    return not any(str(token) in _CONTENT_KEYS for token in path)


def _findings(document: SourceDocument, version: str) -> Findings:
    if _fast_validator(version).is_valid(document.data):
        return Findings(None, ())
    import jsonschema

    errors = list(asyncapi_validator(version).iter_errors(document.data))
    structural = [e for e in errors if _is_structural(list(e.absolute_path))]
    if structural:
        error = jsonschema.exceptions.best_match(structural)
        while error is not None and error.context:  # `oneOf`/`anyOf` failures: the branch that came closest
            error = jsonschema.exceptions.best_match(error.context)
        assert error is not None
        more = f" (and {len(structural) - 1} more)" if len(structural) > 1 else ""
        return Findings(
            (join_pointer("", *error.absolute_path), f"invalid AsyncAPI {version}: {error.message[:300]}{more}", _hint(version)), ()
        )
    warnings = tuple(
        (
            join_pointer("", *e.absolute_path),
            f"schema content does not validate as AsyncAPI {version}: {e.message[:200]}",
            f"schema content does not validate as AsyncAPI {version} ({e.validator})",
        )
        for e in errors
    )
    return Findings(None, warnings)


def _hint(version: str) -> str:
    return f"see the AsyncAPI {version} specification for this object; correct a vendor file with an overlay"


def asyncapi_check(document: SourceDocument) -> Check:
    """The JSON Schema check of an AsyncAPI document (cached by content, like the other checks)."""
    version = asyncapi_version(document)
    return Check(document, cache_key("asyncapi-specs-6.11.1", version, document.data), functools.partial(_findings, document, version))


def validate_asyncapi(document: SourceDocument, diagnostics: Diagnostics) -> None:
    """Raise SpecError for the first problem of the document's structure; warn about schema content."""
    run_check(asyncapi_check(document), diagnostics)


def load_asyncapi(
    path: Path,
    diagnostics: Diagnostics,
    *,
    overlays: Sequence[Path] = (),
    root: Path | None = None,
    describes: Describes = "server",
) -> AsyncApi:
    """Read, correct (overlays), check and describe one AsyncAPI document.

    `describes` says whose side the document takes: "server" (an API's document, the default:
    the SDK is the other side) or "client".
    """
    return read_asyncapi(open_asyncapi(path, diagnostics, overlays=overlays, root=root), diagnostics, describes=describes)


def open_asyncapi(path: Path, diagnostics: Diagnostics, *, overlays: Sequence[Path] = (), root: Path | None = None) -> DocumentSet:
    """Read one AsyncAPI document, apply its overlays, check every `$ref` and validate it.

    The document set is what nested `$ref`s of the description's schemas resolve against
    (`Schema.location.file` names the document that holds each schema).
    """
    document = read_document(path, root=root)
    for overlay_path in overlays:
        apply_overlay(document, read_document(overlay_path, root=root))
    documents = DocumentSet(document, display_root=root)
    asyncapi_version(document)
    documents.check_all()
    validate_asyncapi(document, diagnostics)
    return documents


def read_asyncapi(documents: DocumentSet, diagnostics: Diagnostics, *, describes: Describes = "server") -> AsyncApi:
    """Describe an already loaded and validated AsyncAPI document set."""
    return read_description(documents, asyncapi_version(documents.main), diagnostics, describes)


def select_channels(api: AsyncApi, patterns: Sequence[str], diagnostics: Diagnostics, *, where: Location) -> AsyncApi:
    """Keep the channels whose address or key matches one of the glob `patterns` (`user.orders.*`),
    with their operations and the messages they use.

    A pattern that matches nothing is an error at `where` (a vendor update that renamed a channel
    must not silently drop it); the channels left out are named in one warning, placed at the first
    of them.
    """
    if not patterns:
        raise SpecError(where, "the channel selection is empty", "list channel addresses or patterns, e.g. `user.orders.*`")
    kept: list[str] = []
    for pattern in patterns:
        matched = [c.key for c in api.channels if _matches(pattern, c.key) or (c.address is not None and _matches(pattern, c.address))]
        if not matched:
            raise SpecError(
                where, f"channel pattern {pattern!r} matches no channel of {api.source}", "check the address against the document"
            )
        kept.extend(key for key in matched if key not in kept)
    channels = tuple(c for c in api.channels if c.key in kept)
    left_out = [c for c in api.channels if c.key not in kept]
    if left_out:
        # One warning for all of them, placed at the first one (line and pointer); the text names each.
        shown = ", ".join(c.key for c in left_out)
        diagnostics.warn(
            left_out[0].location, f"{len(left_out)} of {len(api.channels)} channels are not selected: {shown}", kind="channels not selected"
        )
    operations = tuple(op for op in api.operations if op.channel in kept)
    used: set[str] = {m for c in channels for m in c.messages}
    for op in operations:
        used.update(op.messages)
        if op.reply is not None:
            used.update(op.reply.messages)
    messages = tuple(m for m in api.messages if m.key in used)
    return replace(api, channels=channels, operations=operations, messages=messages)


def _matches(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern)
