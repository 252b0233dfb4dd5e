"""Named schemas (normalised and named by `SchemaBundle`) → the IR's models.

Each named schema becomes one class, of one of three kinds:

* `object`: a pydantic model with typed fields. An `allOf` of objects is a model whose bases are
  the parts (a base that another base already extends is left out, so the order of classes is
  always valid), with the properties and `required` names it adds as its own fields.
* `enum`: an open enum of the values' kind (`SDKEnum` for strings, `SDKIntEnum` for integers,
  `SDKValueEnum` for anything else). A `null` among the values makes every use of it nullable.
* `root`: a root model holding one value of any other type (a union, a list, a map, a scalar).

Two shapes are rewritten so that a class can hold them, and every class they need is named here:
properties beside a discriminated union join each member (`Pet` + `Cat` → `PetCat`, a model with
base `Cat` and the properties), and so do the other parts of an `allOf` that includes a named
union (`Event: allOf [Source, ...]` → `EventCard | EventBank`). A discriminated union whose members
are all models is tagged: each member's tag property becomes a `Literal` of its tag values, and
the union is decided by the tag alone, as pydantic does it.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..ir import EnumMember, JsonScalar, Model, ModelField, TypeRef
from .naming import ascii_fold, unique_name
from .types import ENUM_MEMBERS, TypeMapper, literal, named, names_in, nullable, union, without_null

_NON_WORD = re.compile(r"\W")
_CAMEL_1 = re.compile(r"([^_])([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
# Attributes every pydantic model has: a field with one of these names would replace it. Spelled
# out rather than read from `dir(BaseModel)`, which imported pydantic into every generation (a tenth
# of a small spec's start-up); tests/test_incremental_startup.py holds it to the pinned pydantic.
# Names starting with `_` are not listed: a field's Python name never does (`field_` is put before).
MODEL_ATTRIBUTES = frozenset(
    (
        "construct copy dict from_orm json model_computed_fields model_config model_construct model_copy model_dump "
        "model_dump_json model_extra model_fields model_fields_set model_json_schema model_parametrized_name "
        "model_post_init model_rebuild model_validate model_validate_json model_validate_strings parse_file parse_obj "
        "parse_raw schema schema_json update_forward_refs validate"
    ).split()
)
_UNION_KEYS = ("anyOf", "oneOf")


def _union_key(schema: dict[str, Any]) -> str | None:
    return next((k for k in _UNION_KEYS if isinstance(schema.get(k), list) and schema[k]), None)


def _ref_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def field_name(wire: str, taken: set[str], forbidden: set[str]) -> str:
    """A Python attribute for a property: the wire name when it is a plain identifier, else a sanitised one.

    Names pydantic reserves (`_private`, `model_dump`, `schema`), keywords and names the class body
    uses for its types (a field `str` beside a field of type `str`) get a suffix; the wire name
    stays the alias.
    """
    name = wire
    if not (name.isascii() and name.isidentifier()):
        name = _NON_WORD.sub("_", ascii_fold(name)) or "_"
    if name[0].isdigit():
        name = f"field_{name}"
    if name.startswith("_"):
        name = f"field{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in MODEL_ATTRIBUTES or name in forbidden:
        name += "_"
    candidate, number = name, 1
    while candidate in taken or candidate in forbidden or candidate in MODEL_ATTRIBUTES:
        candidate = f"{name}_{number}"
        number += 1
    taken.add(candidate)
    return candidate


def member_name(value: JsonScalar, taken: set[str], title: str = "") -> str:
    """The name of an enum member: its title, else the value, in upper snake case (`100ms` → `FIELD_100MS`), or its kind and value."""
    if title and _NON_WORD.sub("", ascii_fold(title)):
        value = title
    if isinstance(value, bool):
        name = f"BOOLEAN_{str(value).upper()}"
    elif isinstance(value, int):
        name = f"INTEGER_{value}".replace("-", "MINUS_")
    elif isinstance(value, float):
        name = "NUMBER_" + _NON_WORD.sub("_", repr(value).replace("-", "MINUS_"))
    else:
        name = _NON_WORD.sub("_", ascii_fold(value)) or "EMPTY"
        if name[0].isdigit():
            name = f"field_{name}"
        if name.startswith("_"):
            name = f"field{name}"
        name = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).upper()
    if name == "MRO" or keyword.iskeyword(name):
        name += "_"
    candidate, number = name, 1
    while candidate in taken:
        candidate = f"{name}_{number}"
        number += 1
    taken.add(candidate)
    return candidate


@dataclass
class _Object:
    """An object model while it is being built."""

    name: str
    description: str
    source: str
    bases: list[str] = field(default_factory=list)
    # wire name → (type without the optional `None`, required, description, deprecated)
    own: dict[str, tuple[TypeRef, bool, str, bool]] = field(default_factory=dict)
    deprecated: bool = False


class ModelBuilder:
    """Builds every model of one API from the bundle's named schemas."""

    def __init__(self, defs: dict[str, dict[str, Any]], sources: dict[str, str], taken: set[str], mapper: TypeMapper) -> None:
        self._defs = defs
        self._sources = sources
        self._taken = taken
        self._types = mapper
        self._objects: dict[str, _Object] = {}
        self._roots: dict[str, TypeRef] = {}
        self._enums: dict[str, Model] = {}
        self._extra_sources: dict[str, str] = {}
        self._pending_required: dict[str, list[str]] = {}  # composite → required names it inherits
        self._member_tags: dict[str, str] = {}  # a combination (`PetCat`) → the member the discriminator maps (`Cat`)
        self._tags: set[tuple[str, str]] = set()  # (model, property) made a tag `Literal` here

    # -- kinds ------------------------------------------------------------------------------------

    def _kind(self, schema: dict[str, Any]) -> str:
        if isinstance(schema.get("enum"), list):
            return "enum"
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return "composite"
        union_key = _union_key(schema)
        if union_key and isinstance(schema.get("properties"), dict) and schema["properties"]:
            return "beside"  # properties beside a (discriminated) union
        if isinstance(schema.get("properties"), dict) and schema["properties"]:
            return "object"
        if schema.get("type") in ("object", ["object", "null"]) and "additionalProperties" not in schema and not union_key:
            return "object"
        return "root"

    def build(self) -> tuple[Model, ...]:
        kinds = {name: self._kind(schema) for name, schema in self._defs.items()}
        for name in sorted(kinds):
            schema = self._defs[name]
            if kinds[name] == "enum":
                self._enums[name] = self._enum(name, schema)
            elif kinds[name] == "object" or kinds[name] == "composite" and not self._union_parts(schema):
                self._objects[name] = _Object(name, _text(schema.get("description")), self._sources.get(name, ""))
        for name in sorted(kinds):  # fields need every object known (a composite's bases)
            schema = self._defs[name]
            if kinds[name] == "object":
                self._fill_object(self._objects[name], schema)
            elif kinds[name] == "composite" and name in self._objects:
                self._fill_composite(name, schema)
            elif kinds[name] == "composite":
                self._combine_composite(name, schema)
            elif kinds[name] == "beside":
                self._spread_over_union(name, schema)
            elif kinds[name] == "root":
                self._roots[name] = self._types.of(schema)
        for name in sorted(self._roots):
            self._roots[name] = self._tagged(self._roots[name], self._defs.get(name, {}))
        return tuple(sorted(self._finish(), key=lambda m: m.name))

    # -- enums --------------------------------------------------------------------------------------

    def _enum(self, name: str, schema: dict[str, Any]) -> Model:
        notes = schema.get(ENUM_MEMBERS)
        notes = notes if isinstance(notes, list) and len(notes) == len(schema["enum"]) else [{}] * len(schema["enum"])
        by_value: dict[tuple[type, JsonScalar], dict[str, str]] = {}
        for value, note in zip(schema["enum"], notes, strict=True):
            if isinstance(value, str | int | bool) or isinstance(value, float) and math.isfinite(value):
                by_value.setdefault((type(value), value), note)
        taken: set[str] = set()
        unique = list(by_value)
        members = tuple(
            EnumMember(member_name(v, taken, by_value[key].get("title", "")), v, by_value[key].get("description", ""))
            for key in unique
            for v in (key[1],)
        )
        if all(isinstance(v, str) for _, v in unique):
            base = "SDKEnum"
        elif all(isinstance(v, int) and not isinstance(v, bool) for _, v in unique):
            base = "SDKIntEnum"
        else:
            base = "SDKValueEnum"
        return Model(
            name=name,
            kind="enum",
            description=_text(schema.get("description")),
            source=self._sources.get(name, ""),
            enum_base=base,
            members=members,
            deprecated=schema.get("deprecated") is True,
            imports=(f"_models:{base}",),
        )

    # -- objects ------------------------------------------------------------------------------------

    def _fill_object(self, model: _Object, schema: dict[str, Any]) -> None:
        model.deprecated = schema.get("deprecated") is True
        required = {r for r in schema.get("required") or [] if isinstance(r, str)}
        for wire, sub in (schema.get("properties") or {}).items():
            sub_schema = sub if isinstance(sub, dict) else {}
            model.own[wire] = (
                self._types.of(sub_schema),
                wire in required,
                _text(sub_schema.get("description")),
                sub_schema.get("deprecated") is True,
            )

    def _union_parts(self, schema: dict[str, Any]) -> list[str]:
        """The named unions among the parts of an `allOf`."""
        return [t for t in map(_ref_name, schema["allOf"]) if t is not None and self._is_union(t)]

    def _combine_composite(self, name: str, schema: dict[str, Any]) -> None:
        """`allOf: [Source, {created}]` where Source is `Card | Bank`: `EventCard | EventBank`, each with the other parts."""
        extra = _Object(name, "", self._sources.get(name, ""))
        self._fill_composite_into(extra, schema)
        self._roots[name] = self._combine(name, self._union_parts(schema)[0], extra, extra.bases)

    def _fill_composite(self, name: str, schema: dict[str, Any]) -> None:
        self._fill_composite_into(self._objects[name], schema)

    def _fill_composite_into(self, model: _Object, schema: dict[str, Any]) -> None:
        name = model.name
        required: list[str] = []
        for part in schema["allOf"]:
            target = _ref_name(part)
            if target is not None:
                if target in self._objects:
                    model.bases.append(target)
            elif isinstance(part, dict):
                required.extend(r for r in part.get("required") or [] if isinstance(r, str))
        self._fill_object(model, {k: v for k, v in schema.items() if k != "allOf"})
        required.extend(r for r in schema.get("required") or [] if isinstance(r, str))
        for wire in dict.fromkeys(required):
            if wire in model.own:
                kind, _, description, deprecated = model.own[wire]
                model.own[wire] = (kind, True, description, deprecated)
        model.bases = list(dict.fromkeys(model.bases))
        self._pending_required[name] = [w for w in dict.fromkeys(required) if w not in model.own]

    def _combine(self, name: str, union_name: str, extra: _Object, bases: list[str]) -> TypeRef:
        members = self._types.of(self._defs[union_name])
        parts: list[TypeRef] = []
        for member in members.args if members.kind == "union" else (members,):
            if member.kind == "model" and member.name in self._objects:
                combo = self._claim(name + member.name, name)
                self._objects[combo] = _Object(combo, "", extra.source, [member.name, *bases], dict(extra.own), extra.deprecated)
                self._pending_required[combo] = self._pending_required.get(name, [])
                parts.append(named(combo, enum=False))
            elif member.kind != "model":
                parts.append(member)
        return union(parts, members.discriminator)

    def _spread_over_union(self, name: str, schema: dict[str, Any]) -> None:
        """`{properties: P, oneOf: [Cat, Hound], discriminator}` → `PetCat | PetHound`, each a `Cat`/`Hound` with P."""
        key = _union_key(schema)
        assert key is not None
        extra = _Object(name, "", self._sources.get(name, ""))
        self._fill_object(extra, {k: v for k, v in schema.items() if k not in _UNION_KEYS and k != "discriminator"})
        members = [self._types.of(m) for m in schema[key]]
        parts: list[TypeRef] = []
        for member in members:
            if member.kind == "model" and member.name in self._objects:
                combo = self._claim(name + member.name, name)
                self._objects[combo] = _Object(combo, "", extra.source, [member.name], dict(extra.own), extra.deprecated)
                self._member_tags[combo] = member.name  # the mapping names the member; its tag values are the combination's
                parts.append(named(combo, enum=False))
            else:
                parts.append(member)
        tag = schema.get("discriminator", {}).get("propertyName", "") if isinstance(schema.get("discriminator"), dict) else ""
        self._roots[name] = union(parts, tag if isinstance(tag, str) else "")

    def _claim(self, candidate: str, origin: str) -> str:
        name = unique_name(candidate, self._taken, ("Model",))
        self._taken.add(name)
        self._extra_sources[name] = self._sources.get(origin, "")
        return name

    def _is_union(self, name: str) -> bool:
        schema = self._defs.get(name, {})
        return _union_key(schema) is not None and self._kind(schema) == "root"

    # -- discriminated unions -------------------------------------------------------------------------

    def _tagged(self, root: TypeRef, schema: dict[str, Any]) -> TypeRef:
        """A discriminated union of models keeps its tag: each member's tag property is a `Literal` of its values."""
        if root.kind != "union" or not root.discriminator:
            return root
        tag = root.discriminator
        plain = union(root.args)  # the same union, decided by trying each member (pydantic's smart mode)
        if root.nullable or not all(m.kind == "model" and m.name in self._objects for m in root.args):
            return nullable(plain) if root.nullable else plain
        mapping = schema.get("discriminator", {}).get("mapping") if isinstance(schema.get("discriminator"), dict) else None
        by_member: dict[str, list[JsonScalar]] = {}
        for value, ref in (mapping if isinstance(mapping, dict) else {}).items():
            by_member.setdefault(ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "", []).append(value)
        chosen: dict[str, list[JsonScalar]] = {}
        for member in root.args:
            mapped = self._member_tags.get(member.name, member.name)
            values = by_member.get(mapped) or by_member.get(member.name)
            if not values:
                current = self._field_type(member.name, tag)
                if current is not None and current.kind == "literal":
                    values = list(current.values)
                elif current is not None and current.kind == "enum" and current.name in self._enums:
                    # The member's tag property lists its values (OpenAI's `WebSearchTool`: `enum:
                    # [web_search, web_search_2025_08_26]`, no mapping): each is a tag of this member.
                    values = [m.value for m in self._enums[current.name].members]
                else:
                    values = [mapped]  # OpenAPI's implicit mapping: the schema's name
            chosen[member.name] = values
        every = [(type(v), v) for values in chosen.values() for v in values]
        if len(every) != len(set(every)):
            return plain  # two members share a tag value: the tag cannot decide
        if any(self._inherited_tag(name, tag, values) is False for name, values in chosen.items()):
            return plain  # a base types the tag as an enum without these values: no override can narrow it
        for name, values in chosen.items():
            self._set_tag(name, tag, values)
        return root

    def _inherited_tag(self, name: str, tag: str, values: list[JsonScalar]) -> TypeRef | bool:
        """The tag's type when a base types it as an enum: a `Literal` of that enum's members.

        Spotify's `EpisodeObject` extends `EpisodeBase`, whose `type` is the enum `EpisodeBaseType`:
        `type: Literal["episode"]` would override it with an incompatible type (mypy --strict), while
        `Literal[EpisodeBaseType.EPISODE]` narrows it, and pydantic reads "episode" into it the same.
        True: no base types the tag as an enum (plain values do); False: some value is not a member.
        """
        model = self._objects[name]
        if tag in model.own and (name, tag) not in self._tags:  # its own property (a tag set here is replaced)
            return True
        inherited = next((t for t in (self._field_type(b, tag) for b in model.bases) if t is not None), None)
        enum = self._enums.get(inherited.name) if inherited is not None and inherited.kind == "enum" else None
        if enum is None:
            return True
        members = {(type(m.value), m.value): m.name for m in enum.members}
        if not all((type(v), v) in members for v in values):
            return False
        unique = [v for _, v in dict.fromkeys((type(v), v) for v in values)]
        spelled = ", ".join(f"{enum.name}.{members[(type(v), v)]}" for v in unique)
        return TypeRef(
            kind="literal", annotation=f"Literal[{spelled}]", values=tuple(unique), imports=("typing:Literal",), models=(enum.name,)
        )

    def _field_type(self, name: str, wire: str) -> TypeRef | None:
        model = self._objects.get(name)
        if model is None:
            return None
        if wire in model.own:
            return without_null(model.own[wire][0])
        for base in reversed(model.bases):
            found = self._field_type(base, wire)
            if found is not None:
                return found
        return None

    def _set_tag(self, name: str, tag: str, values: list[JsonScalar]) -> None:
        model = self._objects[name]
        _, _, description, deprecated = model.own.get(tag, (None, True, "", False))
        current = model.own.get(tag)
        if current is not None and current[0].kind == "literal" and (name, tag) in self._tags:
            values = [*current[0].values, *values]  # a member of two tagged unions takes both unions' values
        narrowed = self._inherited_tag(name, tag, values) if current is None or (name, tag) in self._tags else True
        model.own[tag] = (narrowed if isinstance(narrowed, TypeRef) else literal(values), True, description, deprecated)
        self._tags.add((name, tag))

    # -- the models -----------------------------------------------------------------------------------

    def _ancestors(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        model = self._objects.get(name)
        if model is None or name in seen:
            return set()
        out: set[str] = set()
        for base in model.bases:
            out |= {base} | self._ancestors(base, seen | {name})
        return out

    def _finish(self) -> list[Model]:
        out: list[Model] = list(self._enums.values())
        pending = self._pending_required
        for name, model in self._objects.items():
            # A base that another base already extends adds nothing, and would make the order of bases invalid.
            bases = [b for b in model.bases if b != name and not any(b in self._ancestors(o) for o in model.bases if o != b)]
            bases = [b for b in bases if name not in self._ancestors(b)]  # no cycles of inheritance
            own = dict(model.own)
            for wire in pending.get(name, []):
                inherited = next((t for t in (self._field_type(b, wire) for b in bases) if t is not None), None)
                if inherited is not None:
                    own[wire] = (inherited, True, "", False)
            out.append(self._object_model(model, bases, own))
        for name, root in self._roots.items():
            out.append(
                Model(
                    name=name,
                    kind="root",
                    description=_text(self._defs.get(name, {}).get("description")),
                    source=self._sources.get(name, self._extra_sources.get(name, "")),
                    root=root,
                    deprecated=self._defs.get(name, {}).get("deprecated") is True,
                    refs=root.models,
                    imports=tuple(sorted({*root.imports, "pydantic:RootModel", *(("pydantic:Field",) if _tag_of(root) else ())})),
                )
            )
        return out

    @staticmethod
    def _fields(own: dict[str, tuple[TypeRef, bool, str, bool]], forbidden: set[str]) -> list[ModelField]:
        taken: set[str] = set()
        fields: list[ModelField] = []
        for wire, (kind, required, description, deprecated) in own.items():
            declared = kind if required else nullable(kind)
            fields.append(ModelField(field_name(wire, taken, forbidden), wire, declared, required, description, deprecated))
        return fields

    def _object_model(self, model: _Object, bases: list[str], own: dict[str, tuple[TypeRef, bool, str, bool]]) -> Model:
        uses: set[str] = set()
        for kind, required, _, _ in own.values():
            uses |= names_in(kind if required else nullable(kind))
        fields = self._fields(own, uses)
        needs_field = any(f.name != f.wire_name or f.deprecated for f in fields)
        if needs_field and any(f.name == "Field" for f in fields):
            # A field named `Field` would hide pydantic's `Field` from the fields after it.
            fields = self._fields(own, uses | {"Field"})
        imports = {i for f in fields for i in f.type.imports} | ({"pydantic:Field"} if needs_field else set())
        if not bases:
            imports.add("_models:SDKModel")
        refs = {m for f in fields for m in f.type.models} | set(bases)
        return Model(
            name=model.name,
            kind="object",
            description=model.description,
            source=model.source or self._extra_sources.get(model.name, ""),
            fields=tuple(fields),
            bases=tuple(bases),
            deprecated=model.deprecated,
            refs=tuple(sorted(refs - {model.name})),
            imports=tuple(sorted(imports)),
        )


def _tag_of(root: TypeRef) -> str:
    return root.discriminator if root.kind == "union" else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
