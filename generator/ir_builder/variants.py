"""`x-sdkgen-variants`: one typed helper method per configuration of a request body's union field.

An operation marks a body field whose value is an object of alternatives (each property one
configuration, exactly one set per request, like an `order_configuration`):

    x-sdkgen-variants:
      field: order_configuration        # the body field (wire name)
      name: "{variant}"                 # the helpers' names; {variant} is the stem below
      stems: {market_market_ioc: market_order}   # per configuration (default: its property name)
      split: side                       # optional: a body field with an enum; one more helper per value,
                                        # named `<name>_<value>` (lowercase), with the field fixed
      only: [market_market_ioc]         # optional: these configurations only (default: every one)

Each helper takes the operation's other arguments plus the configuration's fields, flattened
(typed and documented from the configuration's schema), builds the union value (only the fields
given) and calls the operation. Nothing here names a vendor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import Location, SpecError
from ..ir import Group, Model, Operation, Param, VariantHelper
from .naming import python_name
from .operations import param_name, text
from .schemas import SchemaBundle
from .types import nullable

EXTENSION = "x-sdkgen-variants"
_KEYS = {"field", "name", "stems", "split", "only"}


def _class_of(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) and ref.startswith("#/$defs/") else ""


def variant_helpers(
    op: Operation, mark: Any, where: Location, bundle: SchemaBundle, models: dict[str, Model]
) -> tuple[tuple[VariantHelper, ...], set[str]]:
    """The helpers an operation's mark asks for, and the model classes they name."""
    if not isinstance(mark, dict) or not isinstance(mark.get("field"), str):
        raise SpecError(where, f"`{EXTENSION}` must be a mapping with `field`: the body field whose value is one of several configurations")
    unknown = sorted(set(mark) - _KEYS)
    if unknown:
        raise SpecError(where, f"`{EXTENSION}` has unknown keys: {', '.join(unknown)}", f"known keys: {', '.join(sorted(_KEYS))}")
    union = next((p for p in op.params if p.location == "body" and p.wire_name == mark["field"]), None)
    if union is None or union.type.kind != "model":
        raise SpecError(where, f"`{EXTENSION}.field`: {mark['field']!r} is not an object-typed body field of {op.name}")
    union_class = union.type.name
    union_model = models[union_class]
    definition = bundle.definition(union_class)
    properties = definition.get("properties") or {}
    stems = mark.get("stems") or {}
    only = mark.get("only")
    if not isinstance(stems, dict) or (only is not None and not isinstance(only, list)):
        raise SpecError(where, f"`{EXTENSION}`: `stems` must be a mapping and `only` a list")
    for variant in [*stems, *(only or [])]:
        if variant not in properties:
            raise SpecError(
                where, f"`{EXTENSION}`: {variant!r} is not a configuration of {union_class}", f"its configurations: {', '.join(properties)}"
            )
    pattern = mark.get("name", "{variant}")
    if not isinstance(pattern, str) or "{variant}" not in pattern:
        raise SpecError(where, f"`{EXTENSION}.name` must be a string with `{{variant}}`")
    split_param: Param | None = None
    split_values: list[tuple[str, str]] = []  # (suffix, Python expression)
    if mark.get("split") is not None:
        split_param = next((p for p in op.params if p.location == "body" and p.wire_name == mark["split"]), None)
        enum = models.get(split_param.type.name) if split_param is not None else None
        if split_param is None or enum is None or enum.kind != "enum":
            raise SpecError(where, f"`{EXTENSION}.split`: {mark['split']!r} is not an enum-typed body field of {op.name}")
        split_values = [(python_name(str(m.value).lower(), fallback="value"), f"{enum.name}.{m.name}") for m in enum.members]
    names: set[str] = set()
    helpers: list[VariantHelper] = []
    used: set[str] = set()
    for field in union_model.fields:
        if only is not None and field.wire_name not in only:
            continue
        member = properties.get(field.wire_name) or {}
        member_class = _class_of(member)
        if member_class not in models or models[member_class].kind != "object":
            raise SpecError(
                where, f"`{EXTENSION}`: configuration {field.wire_name!r} of {union_class} is not an object, so it has no fields to flatten"
            )
        member_schema = bundle.definition(member_class)
        member_props = member_schema.get("properties") or {}
        required = set(member_schema.get("required") or [])
        taken = {p.name for p in op.params if p is not union} | {"self"}
        fields: tuple[Param, ...] = ()
        for model_field in models[member_class].fields:
            kind = bundle.type_of(member_props.get(model_field.wire_name) or {})
            is_required = model_field.wire_name in required
            name = param_name(model_field.wire_name, taken, "body")
            description = model_field.description or text((member_props.get(model_field.wire_name) or {}).get("description"))
            param = Param(name, model_field.wire_name, "body", kind if is_required else nullable(kind), is_required, description)
            fields += (param,)
        stem = stems.get(field.wire_name, field.wire_name)
        base = python_name(pattern.replace("{variant}", str(stem)), fallback="variant")
        without_union = tuple(p for p in op.params if p is not union)
        summary = text(member.get("description")) or models[member_class].description
        for suffix, fixed in [("", ""), *split_values]:
            name = f"{base}_{suffix}" if suffix else base
            if name in names or name == op.name:
                raise SpecError(where, f"`{EXTENSION}`: two helpers would be named {name!r}", "give the configurations distinct `stems`")
            names.add(name)
            helpers.append(
                VariantHelper(
                    name=name,
                    variant=field.wire_name,
                    summary=summary,
                    union_param=union.name,
                    union_class=union_class,
                    member_attribute=field.name,
                    member_class=member_class,
                    params=tuple(p for p in without_union if not fixed or p is not split_param),
                    fields=fields,
                    split_param=split_param.name if split_param is not None and fixed else "",
                    split_value=fixed,
                )
            )
        used.update({union_class, member_class})
        if split_param is not None and split_values:
            used.add(split_param.type.name)
    return tuple(helpers), used


def with_variant_helpers(
    groups: tuple[Group, ...], marks: dict[tuple[str, str], tuple[Any, Location]], bundle: SchemaBundle, models: tuple[Model, ...]
) -> tuple[Group, ...]:
    """The groups, with the helpers of every marked operation (keyed by HTTP method and path)."""
    if not marks:
        return groups
    by_name = {m.name: m for m in models}
    result = []
    for group in groups:
        operations = []
        imports = set(group.model_imports)
        members = {op.name for op in group.operations}
        for op in group.operations:
            mark = marks.get((op.http_method, op.path))
            if mark is not None:
                helpers, used = variant_helpers(op, mark[0], mark[1], bundle, by_name)
                clash = next((h.name for h in helpers if h.name in members), None)
                if clash is not None:
                    raise SpecError(mark[1], f"`{EXTENSION}`: the helper {clash!r} would hide the operation of that name in {group.name}")
                members.update(h.name for h in helpers)
                imports |= used
                for helper in helpers:
                    for param in (*helper.params, *helper.fields):
                        imports.update(param.type.models)
                op = dataclasses.replace(op, variants=helpers)
            operations.append(op)
        result.append(dataclasses.replace(group, operations=tuple(operations), model_imports=tuple(sorted(imports))))
    return tuple(result)
