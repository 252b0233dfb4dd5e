"""Auto-pagination from the spec: the `x-sdkgen-pagination` extension of an operation or method.

    x-sdkgen-pagination:
      items: orders          # the result field holding one page's items ("" or absent: the result is the list)
      cursor: cursor         # cursor paging: the parameter that takes the next cursor...
      next_cursor: cursor    # ...and the result field that holds it
      has_more: has_next     # optional: the result field that is false on the last page
      offset: offset         # offset paging: the parameter counting items to skip...
      limit: limit           # ...and the page-size parameter (`count` on some APIs)
      default_limit: 20      # optional: the server's page size when no limit is given

Exactly one of `cursor` (with `next_cursor`) or `offset` is given. Parameters are named as on the
wire; the builder resolves them to the method's Python names, and `resolve_pagination` (once the
models exist) the item type, so the generated method returns a page typed by its items.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import Location, SpecError
from ..ir import Api, Model, Operation, Pagination, Param, TypeRef

EXTENSION = "x-sdkgen-pagination"
_KEYS = frozenset({"items", "cursor", "next_cursor", "has_more", "offset", "limit", "default_limit"})


def pagination_from(value: Any, params: list[Param] | tuple[Param, ...], location: Location) -> Pagination | None:
    """The IR pagination of one operation from its extension (None without one); `SpecError` when it is malformed."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SpecError(location, f"`{EXTENSION}` must be a mapping")
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise SpecError(location, f"`{EXTENSION}` has unknown keys {unknown}; known: {sorted(_KEYS)}")
    for key, text in value.items():
        if key == "default_limit":
            if not isinstance(text, int) or isinstance(text, bool) or text < 1:
                raise SpecError(location, f"`{EXTENSION}.default_limit` must be a positive integer")
        elif not isinstance(text, str):
            raise SpecError(location, f"`{EXTENSION}.{key}` must be a string")
    by_wire = {p.wire_name: p for p in params}

    def param(key: str) -> str:
        wire = value.get(key, "")
        if not wire:
            return ""
        if wire not in by_wire:
            raise SpecError(location, f"`{EXTENSION}.{key}`: the operation has no parameter {wire!r} (has: {sorted(by_wire)})")
        if by_wire[wire].required:
            raise SpecError(location, f"`{EXTENSION}.{key}`: parameter {wire!r} is required; a paging parameter must be optional")
        return by_wire[wire].name

    cursor, offset = param("cursor"), param("offset")
    if bool(cursor) == bool(offset):
        raise SpecError(location, f"`{EXTENSION}` needs exactly one of `cursor` (with `next_cursor`) or `offset`")
    if cursor and not value.get("next_cursor"):
        raise SpecError(location, f"`{EXTENSION}`: cursor paging needs `next_cursor`, the result field with the next cursor")
    return Pagination(
        style="cursor" if cursor else "offset",
        param=cursor or offset,
        items=value.get("items", ""),
        next_cursor=value.get("next_cursor", ""),
        has_more=value.get("has_more", ""),
        limit_param=param("limit"),
        default_limit=value.get("default_limit", 0),
    )


def resolve_pagination(api: Api) -> Api:
    """Each paged operation with the type of its items (from the result model), and the group's imports for it."""
    models = {m.name: m for m in api.models}
    groups = []
    for group in api.groups:
        operations = []
        imports = set(group.model_imports)
        for op in group.operations:
            if op.pagination is not None:
                item = _item_type(op, models)
                op = dataclasses.replace(op, pagination=dataclasses.replace(op.pagination, item=item))
                imports.update(item.models)
            operations.append(op)
        groups.append(dataclasses.replace(group, operations=tuple(operations), model_imports=tuple(sorted(imports))))
    return dataclasses.replace(api, groups=tuple(groups))


def _item_type(op: Operation, models: dict[str, Model]) -> TypeRef:
    assert op.pagination is not None
    where = Location(op.source.split("#", 1)[0], pointer=op.source.split("#", 1)[-1] + f"/{EXTENSION}")
    if op.result is None:
        raise SpecError(where, f"{op.name}: a paged operation needs a result")
    holder = op.result
    for field in (op.pagination.items, op.pagination.next_cursor, op.pagination.has_more):
        if field and (holder.kind != "model" or _field(models, holder.name, field) is None):
            raise SpecError(where, f"{op.name}: the result {holder.annotation} has no field {field!r}")
    listing = _field(models, holder.name, op.pagination.items) if op.pagination.items else holder
    if listing is None or listing.kind != "list" or not listing.args:
        raise SpecError(where, f"{op.name}: the items ({op.pagination.items or 'the result'}) are not a list")
    return listing.args[0]


def _field(models: dict[str, Model], model: str, wire: str) -> TypeRef | None:
    current = models.get(model)
    seen: set[str] = set()
    while current is not None and current.name not in seen:
        seen.add(current.name)
        for field in current.fields:
            if field.wire_name == wire:
                return field.type
        current = models.get(current.bases[0]) if current.bases else None
    return None
