"""The one type mapper: a normalised schema (from `SchemaBundle`) → a node of the IR's type tree.

Parameters, results, channel payloads and model fields all get their types here, so the Python
spelling of a type (`TypeRef.annotation`), what it needs imported and the models it names are
decided once. Templates print `annotation`; nothing parses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..ir import JsonScalar, Scalar, TypeRef

# Formats with a Python type of their own; every other format is documentation (see schemas.py).
_STRING_FORMATS = {"date-time": ("AwareDatetime", "pydantic:AwareDatetime"), "date": ("date", "datetime:date")}
_SCALARS: dict[str, tuple[Scalar, str]] = {
    "string": ("string", "str"),
    "integer": ("integer", "int"),
    "number": ("number", "float"),
    "boolean": ("boolean", "bool"),
    "null": ("null", "None"),
}
# Beside `enum` in a normalised schema: each value's title and description, when the spec gave the
# enum as a union of consts (`SchemaBundle`).
ENUM_MEMBERS = "x-sdkgen-enum-members"
RUNTIME = "_models"  # the SDK's runtime module of model bases and number types, as an import module

ANY = TypeRef(kind="any", annotation="Any", imports=("typing:Any",))
NONE = TypeRef(kind="scalar", annotation="None", scalar="null")
BYTES = TypeRef(kind="scalar", annotation="bytes", scalar="bytes")
# What an upload accepts (runtime `_multipart`): a file part, and a binary body (streamed, never read whole).
FILE_INPUT = TypeRef(kind="scalar", annotation="FileInput", scalar="bytes", format="binary", imports=("_multipart:FileInput",))
BINARY_INPUT = TypeRef(kind="scalar", annotation="BinaryInput", scalar="bytes", format="binary", imports=("_multipart:BinaryInput",))


def _merged(parts: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({item for part in parts for item in part}))


def scalar(kind: str, fmt: str = "", *, signature: bool = False) -> TypeRef:
    """A JSON scalar type, with the formats that have a Python type of their own.

    A format is spelled for where it stands: in a method's signature as what a caller passes
    (`Decimal`, or `float | Decimal` for a JSON number; a date or date-time as the `str` the wire
    takes), in a model as what parsing gives (`DecimalString`, which also reads "" as None;
    `JsonNumber`; `AwareDatetime`, `date`).
    """
    tag, plain = _SCALARS[kind]
    if tag == "string" and fmt in _STRING_FORMATS and not signature:
        annotation, need = _STRING_FORMATS[fmt]
        return TypeRef(kind="scalar", annotation=annotation, scalar=tag, format=fmt, imports=(need,))
    if fmt == "decimal" and tag in ("string", "number"):
        if signature:
            annotation = "Decimal" if tag == "string" else "float | Decimal"
            return TypeRef(kind="scalar", annotation=annotation, scalar=tag, format=fmt, imports=("decimal:Decimal",))
        runtime_type = "DecimalString" if tag == "string" else "JsonNumber"
        return TypeRef(kind="scalar", annotation=runtime_type, scalar=tag, format=fmt, imports=(f"{RUNTIME}:{runtime_type}",))
    return TypeRef(kind="scalar", annotation=plain, scalar=tag)


def list_of(item: TypeRef) -> TypeRef:
    return TypeRef(kind="list", annotation=f"list[{item.annotation}]", args=(item,), imports=item.imports, models=item.models)


def map_of(value: TypeRef) -> TypeRef:
    return TypeRef(kind="map", annotation=f"dict[str, {value.annotation}]", args=(value,), imports=value.imports, models=value.models)


def literal(values: Iterable[JsonScalar]) -> TypeRef:
    pairs = dict.fromkeys((type(v), v) for v in values)  # 1 and True are equal, not the same literal
    unique = tuple(v for _, v in pairs)
    # `repr` spells every value as a safe Python literal (ruff then prefers double quotes in code).
    return TypeRef(kind="literal", annotation=f"Literal[{', '.join(map(repr, unique))}]", values=unique, imports=("typing:Literal",))


def named(name: str, *, enum: bool) -> TypeRef:
    return TypeRef(kind="enum" if enum else "model", annotation=name, name=name, models=(name,))


def nullable(value: TypeRef) -> TypeRef:
    """`value` or None (`Any` and `None` already allow None)."""
    if value.nullable or value.kind == "any" or value.annotation == "None":
        return value
    return TypeRef(
        kind=value.kind,
        annotation=f"{value.annotation} | None",
        scalar=value.scalar,
        format=value.format,
        name=value.name,
        args=value.args,
        values=value.values,
        discriminator=value.discriminator,
        nullable=True,
        imports=value.imports,
        models=value.models,
    )


def without_null(value: TypeRef) -> TypeRef:
    """The same type without its `None`."""
    if not value.nullable:
        return value
    return TypeRef(
        kind=value.kind,
        annotation=value.annotation.removesuffix(" | None"),
        scalar=value.scalar,
        format=value.format,
        name=value.name,
        args=value.args,
        values=value.values,
        discriminator=value.discriminator,
        imports=value.imports,
        models=value.models,
    )


def union(members: Iterable[TypeRef], discriminator: str = "") -> TypeRef:
    """The union of `members`: nested unions flattened, repeats dropped, `None` last (as `nullable`)."""
    flat: list[TypeRef] = []
    seen: set[str] = set()
    null = False
    for member in members:
        null = null or member.nullable or member.annotation == "None"
        parts = member.args if member.kind == "union" else (without_null(member),)
        for part in parts:
            if part.annotation != "None" and part.annotation not in seen:
                seen.add(part.annotation)
                flat.append(part)
    if any(part.kind == "any" for part in flat):
        return ANY
    if not flat:
        return NONE
    if len(flat) == 1:
        return nullable(flat[0]) if null else flat[0]
    text = " | ".join(part.annotation for part in flat)
    out = TypeRef(
        kind="union",
        annotation=text,
        args=tuple(flat),
        discriminator=discriminator,
        imports=_merged(p.imports for p in flat),
        models=_merged(p.models for p in flat),
    )
    return nullable(out) if null else out


class TypeMapper:
    """Maps normalised schemas to types; `is_enum(name)` tells an enum class from a model class."""

    def __init__(self, is_enum: Callable[[str], bool], is_nullable: Callable[[str], bool] = lambda name: False) -> None:
        self._is_enum = is_enum
        self._is_nullable = is_nullable

    def of(self, schema: Any, *, signature: bool = False) -> TypeRef:
        """The type of a normalised schema: in a model, or (`signature`) in a method's parameters and result."""
        if not isinstance(schema, dict) or not schema:
            return ANY
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = named(name, enum=self._is_enum(name))
            return nullable(target) if self._is_nullable(name) else target
        for key in ("anyOf", "oneOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                discriminator = schema.get("discriminator")
                tag = discriminator.get("propertyName", "") if isinstance(discriminator, dict) else ""
                return union([self.of(m, signature=signature) for m in members], tag if isinstance(tag, str) else "")
        parts = schema.get("allOf")
        if isinstance(parts, list) and parts:
            # Named when several (`SchemaBundle`); one part is that part.
            return self.of(parts[0], signature=signature) if len(parts) == 1 else ANY
        const = schema.get("const")
        if isinstance(const, str | int | bool) and "const" in schema:  # `Literal` holds no floats (PEP 586)
            return literal([const])
        if isinstance(const, float):
            return scalar("number")
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
        if not kinds:
            return ANY
        return union([self._of_type(k, schema, signature) for k in dict.fromkeys(kinds)])

    def _of_type(self, kind: str, schema: dict[str, Any], signature: bool) -> TypeRef:
        if kind == "array":
            items = schema.get("items")
            return list_of(self.of(items, signature=signature) if isinstance(items, dict) else ANY)
        if kind == "object":
            value = schema.get("additionalProperties")
            return map_of(self.of(value, signature=signature) if isinstance(value, dict) else ANY)
        if kind in _SCALARS:
            fmt = schema.get("format")
            return scalar(kind, fmt if isinstance(fmt, str) else "", signature=signature)
        return ANY


def names_in(value: TypeRef) -> set[str]:
    """Every name an annotation of `value` uses (builtins, imported names, model classes)."""
    names: set[str] = {item.split(":", 1)[1] for item in value.imports} | set(value.models)
    stack = [value]
    while stack:
        node = stack.pop()
        stack.extend(node.args)
        if node.kind == "scalar":
            names.update(without_null(node).annotation.split(" | "))
        elif node.kind == "list":
            names.add("list")
        elif node.kind == "map":
            names |= {"dict", "str"}
        if node.nullable:
            names.add("None")
    return names
