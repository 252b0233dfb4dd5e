"""One walk over every schema an API uses: normalise it for the models stage and name it.

The result is a bundle of named JSON Schemas (`$defs`, keyed by the class names we chose) that
datamodel-code-generator turns into pydantic models, plus Python annotations for parameters and
results that refer to those class names. Spec dialects (OpenAPI 3.0 `nullable`, single-`$ref`
`allOf` wrappers, misplaced `required`, vendor formats) are settled here, never in templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostics, SpecError, join_pointer
from ..ir import ModelSchema
from ..load.documents import SourceDocument, resolve_pointer, split_pointer
from ..load.refs import DocumentSet
from .naming import class_name, pascal_case, schema_class_names, unique_name

# Formats that map to a richer Python type; every other format is documentation only, so a
# server that sends a slightly different string never breaks parsing.
# `decimal` (set by overlays on money strings) becomes `Decimal`; see `annotation`.
_KEPT_FORMATS = {"date-time": "date-time", "date": "date", "RFC3339 Timestamp": "date-time", "decimal": "decimal"}
# Keys passed to the models stage; everything else (examples, constraints, x-*) is dropped:
# response models must accept what the server sends, not re-validate the server's contract.
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
_COMPONENT_PREFIXES = ("/components/schemas/", "/definitions/", "/$defs/")


@dataclass
class Annotation:
    """A Python type expression and the model classes it names."""

    text: str
    models: set[str] = field(default_factory=set)


@dataclass
class _Site:
    document: SourceDocument
    pointer: str


class SchemaBundle:
    """Named schemas of one API, in the form the models stage reads."""

    def __init__(self, documents: DocumentSet, diagnostics: Diagnostics, *, nullable_keyword: bool, exact_numbers: bool = False) -> None:
        self._documents = documents
        # JSON-RPC results: every JSON number may be read as an exact `Decimal` (a client option),
        # so numbers are marked `format: decimal` and typed `float | Decimal`.
        self._exact_numbers = exact_numbers
        self._diagnostics = diagnostics
        self._nullable_keyword = nullable_keyword  # OpenAPI 3.0 spells null as `nullable: true`
        self._named: dict[tuple[str, str], str] = {}  # (file, pointer) → class name
        self._defs: dict[str, dict[str, Any]] = {}
        self._sources: dict[str, str] = {}
        self._in_progress: set[str] = set()
        self._taken: set[str] = set()

    # -- naming -------------------------------------------------------------------------------

    def register_components(self, document: SourceDocument, base: str) -> None:
        """Name every schema under `base` (e.g. `/components/schemas`) up front, then walk them."""
        container = document.data
        for token in split_pointer(base):
            container = container.get(token, {}) if isinstance(container, dict) else {}
        if not isinstance(container, dict):
            raise SpecError(document.location(base), "expected a mapping of schemas")
        names = schema_class_names(container)
        for key in sorted(container):
            name = unique_name(names[key], self._taken, ("Model", "Schema"))
            self._claim(document, join_pointer(base, key), name)
        for key in container:
            self._define(document, join_pointer(base, key))

    def _claim(self, document: SourceDocument, pointer: str, name: str) -> str:
        self._named[(str(document.path), pointer)] = name
        self._taken.add(name)
        self._sources[name] = f"{document.display}#{pointer}"
        return name

    def _name_for_context(self, context: str) -> str:
        return unique_name(class_name(context), self._taken, ("Model", "Schema", "Object"))

    def _define(self, document: SourceDocument, pointer: str) -> str:
        name = self._named[(str(document.path), pointer)]
        if name not in self._defs and name not in self._in_progress:
            self._in_progress.add(name)
            schema = resolve_pointer(document.data, pointer)
            self._defs[name] = self._normalize(schema, _Site(document, pointer), name, root=True)
            self._in_progress.discard(name)
        return name

    # -- the walk ----------------------------------------------------------------------------

    def schema(self, schema: Any, document: SourceDocument, pointer: str, context: str) -> dict[str, Any]:
        """Normalise a schema found at an operation site; inline objects and enums get `context` as name."""
        return self._normalize(schema, _Site(document, pointer), context, root=False)

    def _ref(self, ref: Any, site: _Site, context: str) -> dict[str, Any]:
        target = self._documents.resolve(ref, site.document, site.pointer)
        key = (str(target.document.path), target.pointer)
        if key not in self._named:
            if target.pointer.startswith(_COMPONENT_PREFIXES) and target.pointer.count("/") == 3:
                base = target.pointer.rsplit("/", 1)[0]
                self.register_components(target.document, base)
            else:
                tokens = split_pointer(target.pointer)[-1:] or [target.document.path.stem]
                self._claim(target.document, target.pointer, self._name_for_context("_".join(tokens)))
        name = self._named[key]
        self._define(target.document, target.pointer)
        return {"$ref": f"#/$defs/{name}"}

    def _normalize(self, schema: Any, site: _Site, context: str, *, root: bool) -> dict[str, Any]:
        if schema is True or schema == {}:
            return {}
        if schema is False:
            return {"not": {}}
        if not isinstance(schema, dict):
            raise SpecError(site.document.location(site.pointer), f"a schema must be an object, found {type(schema).__name__}")

        if "$ref" in schema:
            return self._with_docs(self._ref(schema["$ref"], site, context), schema, site)

        combinator = self._single_ref_wrapper(schema)
        if combinator is not None:
            # `allOf: [{$ref: X}]` with a sibling description: the type is X, the text is ours.
            inner = self._ref(schema[combinator][0]["$ref"], _Site(site.document, join_pointer(site.pointer, combinator, 0)), context)
            return self._nullable(self._with_docs(inner, schema, site), schema)

        is_enum = isinstance(schema.get("enum"), list)
        is_object = bool(schema.get("properties")) or (
            schema.get("type") == "object" and "additionalProperties" not in schema and not _has_combinator(schema)
        )
        if not root and (is_enum and schema.get("type", "string") in ("string", "integer") or is_object and schema.get("properties")):
            # Inline objects and string and integer enums become named models, named from where they
            # stand (left to the engine, an enum under a property `Field` took pydantic's `Field`).
            name = self._name_for_context(context)
            self._sources[name] = f"{site.document.display}#{site.pointer}"
            self._taken.add(name)
            self._defs[name] = self._normalize(schema, site, name, root=True)
            return self._nullable({"$ref": f"#/$defs/{name}"}, schema)

        out: dict[str, Any] = {}
        self._copy_type(schema, site, out)
        if is_enum:
            self._check_default_in_enum(schema, site)
            out["enum"] = list(schema["enum"])
        if "const" in schema:
            out["const"] = schema["const"]
        if isinstance(schema.get("properties"), dict):
            props: dict[str, Any] = {}
            for prop, sub in schema["properties"].items():
                sub_site = _Site(site.document, join_pointer(site.pointer, "properties", prop))
                self._drop_misplaced_required(sub, sub_site)
                props[prop] = self._normalize(sub, sub_site, context + pascal_case(prop), root=False)
            out["properties"] = props
        required = schema.get("required")
        if isinstance(required, list) and all(isinstance(r, str) for r in required) and required:
            out["required"] = list(dict.fromkeys(required))
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            out["additionalProperties"] = self._normalize(
                additional, _Site(site.document, join_pointer(site.pointer, "additionalProperties")), context + "Value", root=False
            )
        elif isinstance(additional, bool) and not additional:
            pass  # closed objects would reject new server fields; models stay open
        if "items" in schema:
            items = schema["items"]
            if isinstance(items, list):  # draft-4 tuple form
                out["prefixItems"] = [
                    self._normalize(s, _Site(site.document, join_pointer(site.pointer, "items", i)), f"{context}Item{i}", root=False)
                    for i, s in enumerate(items)
                ]
            else:
                out["items"] = self._normalize(
                    items, _Site(site.document, join_pointer(site.pointer, "items")), context + "Item", root=False
                )
        for combinator_key in _COMBINATORS:
            members = schema.get(combinator_key)
            if isinstance(members, list) and members:
                out[combinator_key] = [
                    self._normalize(
                        m, _Site(site.document, join_pointer(site.pointer, combinator_key, i)), _variant_context(context, m, i), root=False
                    )
                    for i, m in enumerate(members)
                ]
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            out["discriminator"] = self._discriminator(discriminator, site, context)
        return self._nullable(self._with_docs(out, schema, site), schema)

    # -- pieces of the walk ------------------------------------------------------------------

    @staticmethod
    def _single_ref_wrapper(schema: dict[str, Any]) -> str | None:
        for key in ("allOf", "anyOf", "oneOf"):
            members = schema.get(key)
            if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict) and set(members[0]) == {"$ref"}:
                others = set(schema) - {
                    key,
                    "description",
                    "title",
                    "nullable",
                    "readOnly",
                    "writeOnly",
                    "deprecated",
                    "default",
                    "example",
                    "examples",
                }
                if not {k for k in others if not k.startswith("x-")}:
                    return key
        return None

    def _copy_type(self, schema: dict[str, Any], site: _Site, out: dict[str, Any]) -> None:
        kind = schema.get("type")
        if isinstance(kind, str) or (isinstance(kind, list) and all(isinstance(k, str) for k in kind)):
            out["type"] = kind
        elif kind is not None:
            raise SpecError(
                site.document.location(join_pointer(site.pointer, "type")), f"`type` must be a string or a list of strings, found {kind!r}"
            )
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _KEPT_FORMATS:
            out["format"] = _KEPT_FORMATS[fmt]
        copied = out.get("type")
        kinds = copied if isinstance(copied, list) else [copied]
        if self._exact_numbers and "number" in kinds and "enum" not in schema:
            out["format"] = "decimal"

    def _nullable(self, out: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        if not (self._nullable_keyword and schema.get("nullable") is True):
            return out
        kind = out.get("type")
        if isinstance(kind, str) and "$ref" not in out and not _has_combinator(out):
            out["type"] = [kind, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
            return out
        return {"anyOf": [out, {"type": "null"}]} if out else out

    def _with_docs(self, out: dict[str, Any], schema: dict[str, Any], site: _Site) -> dict[str, Any]:
        description = schema.get("description")
        if isinstance(description, str) and description.strip():
            out["description"] = description.strip()
        return out

    def _drop_misplaced_required(self, schema: Any, site: _Site) -> None:
        if (
            isinstance(schema, dict)
            and "required" in schema
            and not isinstance(schema.get("properties"), dict)
            and schema.get("type") != "object"
        ):
            self._diagnostics.warn(
                site.document.location(join_pointer(site.pointer, "required")),
                "`required` inside a property schema is ignored (it belongs on the parent object)",
                kind="misplaced `required` inside a property schema (ignored)",
            )

    def _check_default_in_enum(self, schema: dict[str, Any], site: _Site) -> None:
        if "default" in schema and schema["default"] not in schema["enum"] and schema["default"] is not None:
            raise SpecError(
                site.document.location(join_pointer(site.pointer, "default")),
                f"default {schema['default']!r} is not one of the enum values {schema['enum']!r}",
                "correct or remove the default in an overlay",
            )

    def _discriminator(self, discriminator: dict[str, Any], site: _Site, context: str) -> dict[str, Any]:
        out: dict[str, Any] = {"propertyName": discriminator["propertyName"]}
        mapping = discriminator.get("mapping")
        if isinstance(mapping, dict):
            out["mapping"] = {
                value: self._ref(ref, _Site(site.document, join_pointer(site.pointer, "discriminator", "mapping", value)), context)["$ref"]
                for value, ref in mapping.items()
            }
        return out

    # -- results -----------------------------------------------------------------------------

    def models(self) -> tuple[ModelSchema, ...]:
        """Every named schema, sorted by name (the order never depends on the walk)."""
        return tuple(ModelSchema(name, self._defs[name], self._sources.get(name, "")) for name in sorted(self._defs))

    def kind_of(self, name: str) -> str:
        """ "enum", "object" or "other" for a named schema (decides how a parameter is encoded)."""
        schema = self._defs.get(name, {})
        if "enum" in schema:
            return "enum"
        return "object" if "properties" in schema or schema.get("type") == "object" else "other"

    def definition(self, name: str) -> dict[str, Any]:
        return self._defs[name]

    def annotation(self, schema: dict[str, Any]) -> Annotation:
        """The Python type of a normalised schema, as the models stage will spell it."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return Annotation(name, {name})
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return _union([self.annotation(m) for m in schema[key]])
        if "allOf" in schema:
            members = schema["allOf"]
            return self.annotation(members[0]) if len(members) == 1 else Annotation("dict[str, Any]")
        if "const" in schema and isinstance(schema["const"], str):
            return Annotation("str")
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind else []
        if not kinds:
            return Annotation("Any")
        return _union([self._annotation_of_type(k, schema) for k in kinds])

    def _annotation_of_type(self, kind: str, schema: dict[str, Any]) -> Annotation:
        if kind == "array":
            item = self.annotation(schema.get("items", {}))
            return Annotation(f"list[{item.text}]", item.models)
        if kind == "object":
            value = schema.get("additionalProperties")
            if isinstance(value, dict) and value:
                inner = self.annotation(value)
                return Annotation(f"dict[str, {inner.text}]", inner.models)
            return Annotation("dict[str, Any]")
        if schema.get("format") == "decimal" and kind in ("string", "number"):
            return Annotation("Decimal" if kind == "string" else "float | Decimal")
        return Annotation(_PRIMITIVES.get(kind, "Any"))


def _has_combinator(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in _COMBINATORS)


def _variant_context(context: str, member: Any, index: int) -> str:
    if isinstance(member, dict):
        title = member.get("title")
        if isinstance(title, str) and title.strip():
            return context + pascal_case(title)
        for prop in (member.get("properties") or {}).values():
            if isinstance(prop, dict) and isinstance(prop.get("const"), str):
                return context + pascal_case(prop["const"])
    return f"{context}Variant{index + 1}"


def _union(parts: list[Annotation]) -> Annotation:
    texts: list[str] = []
    models: set[str] = set()
    for part in parts:
        models |= part.models
        for text in part.text.split(" | ") if "[" not in part.text else [part.text]:
            if text not in texts:
                texts.append(text)
    if "Any" in texts:
        return Annotation("Any", models)
    if "None" in texts:  # `X | None` reads best with None last
        texts = [t for t in texts if t != "None"] + ["None"]
    return Annotation(" | ".join(texts), models)
