"""One walk over every schema an API uses: normalise it and name it.

The result is a bundle of named JSON Schemas (`$defs`, keyed by the class names we chose) from
which `models.py` builds the IR's models, and the types of parameters and results (from the one
type mapper, `types.py`) that refer to those class names. Spec dialects (OpenAPI 3.0 `nullable`,
single-`$ref` `allOf` wrappers, misplaced `required`, vendor formats, unions of consts) are
settled here, never in templates. The same bundle is what datamodel-code-generator, the reference
of our models, reads in `tests/test_models_reference.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostics, SpecError, join_pointer
from ..ir import Model, TypeRef
from ..load.documents import SourceDocument, resolve_pointer, split_pointer
from ..load.refs import DocumentSet
from .models import ModelBuilder
from .naming import class_name, clean_text, pascal_case, schema_class_names, unique_name
from .types import ENUM_MEMBERS, TypeMapper

# Formats that map to a richer Python type; every other format is documentation only, so a
# server that sends a slightly different string never breaks parsing.
# `decimal` (set by overlays on money strings) becomes `Decimal`; see `annotation`.
_KEPT_FORMATS = {"date-time": "date-time", "date": "date", "RFC3339 Timestamp": "date-time", "decimal": "decimal"}
# Keys passed to the models stage; everything else (examples, constraints, x-*) is dropped:
# response models must accept what the server sends, not re-validate the server's contract.
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_COMPONENT_PREFIXES = ("/components/schemas/", "/definitions/", "/$defs/")


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
        self._nullable_warned: set[tuple[str, str]] = set()  # (file, pointer) of each `nullable` warned about outside 3.0
        self._named: dict[tuple[str, str], str] = {}  # (file, pointer) → class name
        self._defs: dict[str, dict[str, Any]] = {}
        self._sources: dict[str, str] = {}
        self._raw: dict[str, Any] = {}  # name → the spec's schema, while its normalised form is being built
        self._in_progress: set[str] = set()
        self._taken: set[str] = set()
        self._models: tuple[Model, ...] | None = None
        self.types = TypeMapper(self._is_enum, self._is_nullable)

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
        for key in sorted(container):  # in name order: what a schema sees of one still being built never depends on spec order
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
            self._raw[name] = schema
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

        if isinstance(schema.get("type"), dict):
            # codat's `itemType: {type: {type: string, enum: [...]}}`: a schema placed under a key
            # named `type`, where the schema itself was meant (its users refer to `itemType`).
            inner_site = _Site(site.document, join_pointer(site.pointer, "type"))
            self._diagnostics.warn(
                site.document.location(inner_site.pointer),
                "`type` holds a schema, not a type name: read as that schema",
                kind="a schema under a key named `type` (read as the schema)",
            )
            merged = {**{k: v for k, v in schema.items() if k != "type"}, **schema["type"]}
            return self._normalize(merged, inner_site, context, root=root)

        if "$ref" in schema:
            return self._with_docs(self._ref(schema["$ref"], site, context), schema, site)

        combinator = self._single_ref_wrapper(schema)
        if combinator is not None:
            # `allOf: [{$ref: X}]` with a sibling description: the type is X, the text is ours.
            inner = self._ref(schema[combinator][0]["$ref"], _Site(site.document, join_pointer(site.pointer, combinator, 0)), context)
            return self._nullable(self._with_docs(inner, schema, site), schema, site)

        schema = _consts_as_enum(self._union_beside_properties(_without_requirement_unions(schema)))
        schema = _distribute_all_of(schema)
        schema = self._properties_on_other_type(schema, site)
        is_enum = isinstance(schema.get("enum"), list) and bool(schema["enum"])  # `enum: []` allows nothing: read as its type
        if is_enum and schema.get("type") in ("array", "object"):
            # id4i's `type: array` with the item values as its `enum`: the values describe no array.
            self._diagnostics.warn(
                site.document.location(join_pointer(site.pointer, "enum")),
                f"`enum` on a schema of type {schema['type']!r} (ignored: put it on the items)",
                kind="`enum` on an array or object schema",
            )
            is_enum = False
        is_object = bool(schema.get("properties")) or (
            schema.get("type") == "object" and "additionalProperties" not in schema and not _has_combinator(schema)
        )
        # An inline `allOf` of several parts is a model of its own (the models engine would otherwise
        # name the merge after its parent with a number).
        is_composite = isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1
        # So is a discriminated union: the engine makes it a root model, numbered after its field.
        is_tagged_union = isinstance(schema.get("discriminator"), dict) and _has_combinator(schema)
        if not root and (is_enum or is_object and schema.get("properties") or is_composite or is_tagged_union):
            # Inline objects, composites and enums become named models, named from where they stand.
            # Left to the engine, an enum under a property `Field` took pydantic's `Field`, and one under
            # `self` took `Self` and renamed a component `Self` to `Self1`: every class name must be ours.
            name = self._name_for_context(context)
            self._sources[name] = f"{site.document.display}#{site.pointer}"
            self._taken.add(name)
            # A composite allows null where it is used (below), not inside itself: `anyOf: [allOf, null]`
            # would leave the engine to name the composite.
            inner = {k: v for k, v in schema.items() if k != "nullable"} if is_composite and self._says_nullable(schema, site) else schema
            self._defs[name] = self._normalize(inner, site, name, root=True)
            return self._nullable({"$ref": f"#/$defs/{name}"}, schema, site)

        out: dict[str, Any] = {}
        self._copy_type(schema, site, out)
        if is_enum:
            self._check_default_in_enum(schema, site)
            out["enum"] = self._enum_values(schema, site)
            if isinstance(schema.get(ENUM_MEMBERS), list):
                out[ENUM_MEMBERS] = schema[ENUM_MEMBERS]
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
                        m,
                        _Site(site.document, join_pointer(site.pointer, combinator_key, i)),
                        _variant_context(context, m, i, members),
                        root=False,
                    )
                    for i, m in enumerate(members)
                ]
        if isinstance(out.get("allOf"), list):
            self._settle_all_of(out, site, root=root)
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            out["discriminator"] = self._discriminator(discriminator, site, context)
        if root and "allOf" in out and self._says_nullable(schema, site):
            # A named nullable composite: the composite is a model of its own (`anyOf: [allOf, null]`
            # would leave the engine to name it), and this one is it or null.
            value = self._name_for_context(context + "Value")
            self._sources[value] = f"{site.document.display}#{site.pointer}"
            self._taken.add(value)
            self._defs[value] = out
            out = {"$ref": f"#/$defs/{value}"}
        return self._nullable(self._with_docs(out, schema, site), schema, site)

    # -- pieces of the walk ------------------------------------------------------------------

    def _shape(self, part: dict[str, Any], seen: frozenset[str] = frozenset()) -> str:
        """What an `allOf` part is: "object", "map", "other" (enum, union, scalar, array) or "neutral" (only constraints)."""
        ref = part.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            # A def still being normalised (the part is inside it) is judged by its spec schema.
            target = self._defs.get(name, self._raw.get(name))
            return "object" if not isinstance(target, dict) or name in seen else self._shape(target, seen | {name})
        if part.get("properties"):
            return "object"
        if part.get("type") == "object":
            return "map" if isinstance(part.get("additionalProperties"), dict) else "object"
        if isinstance(part.get("allOf"), list):
            shapes = {self._shape(p, seen) for p in part["allOf"] if isinstance(p, dict)}
            return "other" if "other" in shapes else "object" if "object" in shapes else "map" if "map" in shapes else "neutral"
        if "type" in part or "enum" in part or "const" in part or _has_combinator(part) or "items" in part:
            return "other"
        return "neutral"

    def _object_fields(self, part: dict[str, Any], seen: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[str]] | None:
        """The properties and required names an object part has, through its `$ref`s and `allOf`s (None: unknown)."""
        ref = part.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = self._defs.get(name)  # a def still being built: unknown
            return None if target is None or name in seen else self._object_fields(target, seen | {name})
        properties: dict[str, Any] = {}
        required: list[str] = []
        for inner in part.get("allOf") or []:
            fields = self._object_fields(inner, seen) if isinstance(inner, dict) else None
            if fields is None:
                return None
            properties.update(fields[0])
            required.extend(fields[1])
        if set(part) - {"type", "properties", "required", "allOf", "description", "title", "deprecated"}:
            return None  # a map, a union or anything else beside: not merged here
        properties.update(part.get("properties") or {})
        required.extend(r for r in part.get("required") or [] if isinstance(r, str))
        return properties, required

    def _is_named_union(self, part: dict[str, Any]) -> bool:
        ref = part.get("$ref")
        target = self._defs.get(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else None
        return isinstance(target, dict) and _has_combinator(target) and "allOf" not in target and not target.get("properties")

    def _flatten_conflicting_objects(self, out: dict[str, Any]) -> None:
        """Objects in one `allOf` that give one property different types become one object, the last part's type winning.

        Left to the models engine, each such property got a merged class it named itself after the
        property (GitHub's webhook payloads narrow `fork` to `true` and `owner` to a non-null user).
        The last part is the refinement in every spec seen; JSON Schema's intersection has no
        Python type. Without a conflict, the parts stay bases of the model.
        """
        merged: dict[str, Any] = {}
        required: list[str] = []
        conflict = False
        for part in out["allOf"]:
            fields = self._object_fields(part) if isinstance(part, dict) else None
            if fields is None:
                return
            for name, schema in fields[0].items():
                conflict = conflict or (name in merged and merged[name] != schema)
                merged[name] = schema
            required.extend(fields[1])
        if not conflict:
            return
        del out["allOf"]
        out["type"] = "object"
        out["properties"] = {**merged, **(out.get("properties") or {})}
        if required or out.get("required"):
            out["required"] = list(dict.fromkeys([*required, *(out.get("required") or [])]))

    def _settle_all_of(self, out: dict[str, Any], site: _Site, *, root: bool) -> None:
        """An `allOf` that is not only objects: keep what a model can be, and say what is left to the server.

        Objects combine as a model with several bases; an object and an enum, or a boolean and a
        union, cannot be one Python type (left to the models engine, they became classes it named
        itself). The objects are kept, else the first part; value constraints always are. A named
        model that is `allOf` one enum or union is that type (the engine would write no class).
        """
        # "Or null" means nothing inside an intersection: a nullable part is its schema.
        out["allOf"] = [_not_null(p) for p in out["allOf"]]
        parts = [p for p in out["allOf"] if isinstance(p, dict)]
        # A map (`additionalProperties` only) joins a model as its extra fields, but two maps, or a
        # map and a scalar, make no one type: then it counts as "other".
        shapes = [self._shape(p) for p in parts]
        shapes = [("object" if "object" in shapes else "other") if shape == "map" else shape for shape in shapes]
        if "other" not in shapes:
            self._flatten_conflicting_objects(out)
            return
        if "object" in shapes:
            # A named union beside objects stays: the engine gives each of its members the objects' fields.
            kept = [p for p, shape in zip(parts, shapes, strict=True) if shape != "other" or self._is_named_union(p)]
        else:
            first = shapes.index("other")
            kept = [p for i, (p, shape) in enumerate(zip(parts, shapes, strict=True)) if i == first or shape == "neutral"]
        if len(kept) < len(parts):
            self._diagnostics.warn(
                site.document.location(join_pointer(site.pointer, "allOf")),
                f"`allOf` combines parts no one type can hold; typed as {len(kept)} of its {len(parts)} parts (the server checks the rest)",
                kind="`allOf` of parts no one type can hold",
            )
        if root and "object" not in shapes:
            del out["allOf"]
            for key, value in parts[shapes.index("other")].items():
                out.setdefault(key, value)
        else:
            out["allOf"] = kept

    def _properties_on_other_type(self, schema: dict[str, Any], site: _Site) -> dict[str, Any]:
        """`type: array` with `properties`: a union of that type and an object with those properties.

        JSON Schema ignores `properties` on a value that is not an object, but a spec that writes
        them (a settlements result seen in a real spec) usually means the object: accept both.
        """
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not schema.get("properties") or kind is None or not all(isinstance(k, str) for k in kinds):
            return schema
        others = [k for k in kinds if k not in ("object", "null")]
        if not others:
            return schema  # an object, or `[object, null]`: a model, optional
        if "object" not in kinds:
            self._diagnostics.warn(
                site.document.location(site.pointer),
                f"`properties` on a schema of type {kind!r}: read as that type or an object with those properties",
                kind="`properties` on a schema that is not an object",
            )
        # `type: [object, string]` is a union too: the engine would name the object part itself.
        object_keys = {"properties", "required", "additionalProperties", "patternProperties", "discriminator"}
        docs = {k: v for k, v in schema.items() if k in ("description", "title", "nullable", "deprecated")}
        other = {k: v for k, v in schema.items() if k not in object_keys and k not in docs}
        other["type"] = [*others, "null"] if "null" in kinds else others[0] if len(others) == 1 else others
        obj = {"type": "object", **{k: v for k, v in schema.items() if k in object_keys}}
        return {**docs, "anyOf": [other, obj]}

    @staticmethod
    def _union_beside_properties(schema: dict[str, Any]) -> dict[str, Any]:
        """`{properties: P, anyOf: [A, B]}` → `allOf: [{properties: P}, {anyOf: [A, B]}]`, then distributed.

        The object's own properties are one part of each member (the engine would otherwise name
        `X1`, `X2` itself). A union that only lists required properties was dropped before.
        """
        if not isinstance(schema.get("properties"), dict) or not schema["properties"] or "discriminator" in schema:
            return schema  # a discriminated union keeps its tag: the members carry the properties
        key = next((k for k in ("anyOf", "oneOf") if isinstance(schema.get(k), list) and schema[k]), None)
        if key is None:
            return schema
        docs = {k: v for k, v in schema.items() if k in _ANNOTATION_KEYS}
        union = {key: schema[key]}
        base = {k: v for k, v in schema.items() if k not in docs and k != key}
        return {**docs, "allOf": [base, union]}

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

    def _says_nullable(self, schema: dict[str, Any], site: _Site) -> bool:
        """`nullable: true`: OpenAPI 3.0's "or null". Honoured in any document, since specs converted
        to 3.1 keep it (OpenAI's, 111 times) and mean it; outside 3.0 each place is a warning."""
        if schema.get("nullable") is not True:
            return False
        key = (str(site.document.path), site.pointer)
        if not self._nullable_keyword and key not in self._nullable_warned:
            self._nullable_warned.add(key)
            self._diagnostics.warn(
                site.document.location(join_pointer(site.pointer, "nullable")),
                "`nullable: true` is OpenAPI 3.0's keyword, not this document's: honoured (write `type: [..., \"null\"]`)",
                kind="`nullable: true` outside OpenAPI 3.0 (honoured)",
            )
        return True

    def _nullable(self, out: dict[str, Any], schema: dict[str, Any], site: _Site) -> dict[str, Any]:
        if not self._says_nullable(schema, site):
            return out
        kind = out.get("type")
        if isinstance(kind, str) and "$ref" not in out and not _has_combinator(out):
            out["type"] = [kind, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
            return out
        return {"anyOf": [out, {"type": "null"}]} if out else out

    def _with_docs(self, out: dict[str, Any], schema: dict[str, Any], site: _Site) -> dict[str, Any]:
        description = clean_text(schema.get("description"))
        if description:
            out["description"] = description
        if schema.get("deprecated") is True:
            out["deprecated"] = True
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

    def _enum_values(self, schema: dict[str, Any], site: _Site) -> list[Any]:
        """The enum's values; in a `type: string` enum, numbers are read as the strings they stand for."""
        values = list(schema["enum"])
        if schema.get("type") != "string":
            return values
        booleans = [v for v in values if isinstance(v, bool)]
        if booleans:
            # stackexchange's `{type: string, enum: [true, false]}`: YAML read the words as booleans.
            # The wire takes the strings the spec spelled (`true`), as JSON spells them.
            self._diagnostics.warn(
                site.document.location(join_pointer(site.pointer, "enum")),
                f"a string enum lists booleans ({', '.join(str(v).lower() for v in dict.fromkeys(booleans))}); "
                'they are read as the strings "true" and "false" (quote them in the spec)',
                kind="booleans in a string enum (read as strings)",
            )
            values = list(dict.fromkeys("true" if v is True else "false" if v is False else v for v in values))
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if not numbers:
            return values
        self._diagnostics.warn(
            site.document.location(join_pointer(site.pointer, "enum")),
            f"a string enum lists numbers ({', '.join(map(repr, numbers[:3]))}); they are read as strings",
            kind="numbers in a string enum (read as strings)",
        )
        return list(dict.fromkeys(str(v) if v in numbers else v for v in values))

    def _check_default_in_enum(self, schema: dict[str, Any], site: _Site) -> None:
        # Models take no defaults from the spec (a missing field reads as None), so a default
        # outside the enum harms nothing generated; it is still worth telling the spec's owner.
        default = schema.get("default")
        if "default" not in schema or default is None or default in schema["enum"]:
            return
        location = site.document.location(join_pointer(site.pointer, "default"))
        if isinstance(default, list) and not any(isinstance(v, list) for v in schema["enum"]):
            # OpenAI's `modalities.items: {enum: [text, audio], default: [text, audio]}`: the array's default, one level too deep.
            self._diagnostics.warn(
                location,
                f"default {default!r} is a list, but this schema is one value of the enum {schema['enum']!r}: "
                "a list default belongs on the array schema (ignored)",
                kind="list default on an enum value (ignored)",
            )
            return
        self._diagnostics.warn(
            location,
            f"default {default!r} is not one of the enum values {schema['enum']!r} (ignored)",
            kind="enum default outside its enum (ignored)",
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

    @property
    def documents(self) -> DocumentSet:
        """The spec set the bundle resolves `$ref`s in."""
        return self._documents

    def type_of(self, schema: dict[str, Any]) -> TypeRef:
        """The type of a normalised schema (from `schema`) in a method's signature, from the one type mapper."""
        return self.types.of(schema, signature=True)

    def models(self) -> tuple[Model, ...]:
        """Every named schema as a model of the IR, sorted by name (the order never depends on the walk).

        Built once, when every schema has been walked: the models a discriminated union or an
        `allOf` of a union needs are named then.
        """
        if self._models is None:
            self._models = ModelBuilder(self._defs, self._sources, self._taken, self.types).build()
        return self._models

    def definitions(self) -> dict[str, dict[str, Any]]:
        """The normalised schemas by class name (what the models are built from; the reference models engine reads them too)."""
        return dict(self._defs)

    def definition(self, name: str) -> dict[str, Any]:
        return self._defs[name]

    def _is_enum(self, name: str) -> bool:
        return isinstance(self._defs.get(name, {}).get("enum"), list)

    def _is_nullable(self, name: str) -> bool:
        """Whether every use of a named schema allows null: an enum that lists null, or an object typed `[object, null]`."""
        schema = self._defs.get(name, {})
        kind = schema.get("type")
        if isinstance(schema.get("enum"), list):
            return None in schema["enum"] or (isinstance(kind, list) and "null" in kind)
        return kind == ["object", "null"] and bool(schema.get("properties"))


def _consts_as_enum(schema: dict[str, Any]) -> dict[str, Any]:
    """`oneOf: [{const: 1, title: ROLE}, {const: 2, title: MEMBER}]` (Discord's enums) → an enum of 1 and 2.

    The titles and descriptions name and document the members (`ENUM_MEMBERS`); as an enum, a
    value the spec does not list yet is kept (open enums), where a union of literals refused it.
    """
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        if (
            isinstance(members, list)
            and members
            and "enum" not in schema
            and not schema.get("properties")
            and all(
                isinstance(m, dict)
                and isinstance(m.get("const"), str | int | float | bool)
                and not set(m) - {"const", "title", "description", "type"}
                for m in members
            )
        ):
            rest = {k: v for k, v in schema.items() if k != key}
            notes = [{"title": clean_text(m.get("title")), "description": clean_text(m.get("description"))} for m in members]
            return {**rest, "enum": [m["const"] for m in members], ENUM_MEMBERS: notes}
    return schema


def _has_combinator(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in _COMBINATORS)


def _without_requirement_unions(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop `anyOf`/`oneOf` whose members only say which properties are required.

    `anyOf: [{required: [a]}, {required: [b]}]` ("give a or b") validates values; it adds no type.
    The model keeps both properties optional, and the server checks the rule.
    """
    out = schema
    for key in ("anyOf", "oneOf"):
        members = out.get(key)
        if isinstance(members, list) and members and isinstance(out.get("properties"), dict):
            if all(isinstance(m, dict) and not set(m) - {"required", "description", "title", "not"} for m in members):
                out = {k: v for k, v in out.items() if k != key}
    return out


_ANNOTATION_KEYS = frozenset({"nullable", "description", "title", "readOnly", "writeOnly", "deprecated", "example", "examples"})


def _distribute_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf: [anyOf: [A, B], X]` → `anyOf: [allOf: [A, X], allOf: [B, X]]`.

    Both mean the same; the second gives each combination a place of its own, so it is named after
    its member (`...ResponseAudioDeltaEvent`) instead of being numbered by the models engine.
    """
    parts = schema.get("allOf")
    if isinstance(parts, list) and any(_is_bare_all_of(p) for p in parts):
        # `allOf: [A, {allOf: [B, C]}]` is `allOf: [A, B, C]`: one level, so its unions distribute.
        flat: list[Any] = []
        inner_notes: dict[str, Any] = {}
        for part in parts:
            if _is_bare_all_of(part):
                flat.extend(part["allOf"])
                inner_notes.update((k, v) for k, v in part.items() if k != "allOf")  # `nullable` still applies
            else:
                flat.append(part)
        return _distribute_all_of({**inner_notes, **schema, "allOf": flat})
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict) and "$ref" not in parts[0]:
        # `allOf: [X]` is X: merged, or the engine would name X itself after the property.
        outer = {k: v for k, v in schema.items() if k != "allOf"}
        if not (set(outer) & set(parts[0])) - _ANNOTATION_KEYS:
            return _distribute_all_of({**parts[0], **outer})
    if not isinstance(parts, list) or len(parts) < 2:
        return schema
    # Parts that only annotate (`{nullable: true}`, a lone description: the 3.0 way to make a $ref
    # nullable) constrain nothing: fold them into the schema itself.
    notes = [p for p in parts if isinstance(p, dict) and p and not set(p) - _ANNOTATION_KEYS]
    if notes and len(notes) < len(parts):
        folded = {k: v for k, v in schema.items() if k != "allOf"}
        for note in notes:
            for key, value in note.items():
                folded.setdefault(key, value)
        kept = [p for p in parts if not any(p is n for n in notes)]
        return _distribute_all_of({**folded, "allOf": kept}) if len(kept) > 1 else {**folded, "allOf": kept}
    parts = [_without_requirement_unions(p) if isinstance(p, dict) else p for p in parts]  # "give a or b" is no union of types
    unions = [
        (i, key)
        for i, part in enumerate(parts)
        if isinstance(part, dict)
        for key in ("anyOf", "oneOf")
        if isinstance(part.get(key), list) and part[key]
    ]
    if not unions:
        return schema
    # One union at a time: each combination is a composite of its own, distributed again when it is
    # named, so `allOf: [anyOf, anyOf]` ends as named products. What the union's part says beside
    # the union (`required: [name]`) is one more part of every combination. Left undistributed, the
    # models engine names the combinations itself (`Tree1`, `Tree2`).
    index, key = unions[0]
    union_part = parts[index]
    beside = {k: v for k, v in union_part.items() if k not in (key, "description", "title", "discriminator")}
    others = [part for i, part in enumerate(parts) if i != index] + ([beside] if beside else [])
    rest = {k: v for k, v in schema.items() if k != "allOf"}
    return {**rest, key: [{"allOf": [member, *others]} for member in union_part[key]]}


def _not_null(part: Any) -> Any:
    """`anyOf: [X, {type: null}]` (how a nullable part is normalised) → X."""
    members = part.get("anyOf") if isinstance(part, dict) else None
    if isinstance(members, list) and len(members) == 2 and {"type": "null"} in members and len(part) == 1:
        return next(m for m in members if m != {"type": "null"})
    return part


def _is_bare_all_of(part: Any) -> bool:
    """A part that is only an `allOf` (and notes), whose parts can join its parent's."""
    return isinstance(part, dict) and isinstance(part.get("allOf"), list) and not set(part) - _ANNOTATION_KEYS - {"allOf"}


def _ref_name(member: dict[str, Any]) -> str | None:
    """The component name a composite member starts from (`allOf: [{$ref: .../Name}, ...]`)."""
    parts = member.get("allOf")
    first = parts[0] if isinstance(parts, list) and parts else None
    ref = first.get("$ref") if isinstance(first, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and "/" in ref else None


def _single_value(schema: Any) -> str | None:
    """The one string a schema allows (`const: x`, or `enum: [x]`), if it allows exactly one."""
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("const"), str):
        return str(schema["const"])
    values = schema.get("enum")
    return values[0] if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str) else None


def _variant_context(context: str, member: Any, index: int, siblings: list[Any]) -> str:
    """A name for an inline union member, from what it is rather than where it stands.

    In order: its title; the value of its tag property (`type: {const: message}` → `...Message`);
    for an enum, `Enum`; for an object, the property no sibling has (`...WithValue`); for an array
    or a map, `List`/`Map`. Only a member none of these describe gets a positional `VariantN`.
    """
    if not isinstance(member, dict):
        return f"{context}Variant{index + 1}"
    title = member.get("title")
    if isinstance(title, str) and pascal_case(title):
        return context + pascal_case(title)
    base = _ref_name(member)
    if base and pascal_case(base):
        return context + pascal_case(base)
    properties: dict[str, Any] = member["properties"] if isinstance(member.get("properties"), dict) else {}
    for prop in properties.values():
        tag = _single_value(prop)
        if tag is not None and pascal_case(tag):
            return context + pascal_case(tag)
    if isinstance(member.get("enum"), list):
        return context if context.endswith("Enum") else f"{context}Enum"
    if not properties and _has_combinator(member):
        return context  # a union inside a union is no class: its own members are named from here
    if properties:
        others: set[str] = set()
        for sibling in siblings:
            if sibling is not member and isinstance(sibling, dict) and isinstance(sibling.get("properties"), dict):
                others |= set(sibling["properties"])
        own = [p for p in properties if p not in others and pascal_case(p)]
        required: list[Any] = member["required"] if isinstance(member.get("required"), list) else []
        distinct = [p for p in own if p in required] or own
        if distinct:
            return f"{context}With{pascal_case(distinct[0])}"
    if member.get("type") == "array":
        return f"{context}List"
    if member.get("type") == "object" and isinstance(member.get("additionalProperties"), dict):
        return f"{context}Map"
    return f"{context}Variant{index + 1}"
