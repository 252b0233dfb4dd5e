"""The OpenRPC root extension `x-order-migration` → the IR's `OrderMigration`.

The extension is a migration table: how a request of another API's order-placing operation (its
body field whose value is one of several configurations: `union-field`) becomes a call of this
API. The migration page renders the IR built here; the plug-in the table names (`plugin`)
interprets the same table at run time (`table_json`). Everything a template shows is decided here:
which call sends each side, the order type of each configuration (fixed, or chosen by a field's
value and the side), what has no equivalent, and the typed arguments of the target method.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from ..errors import Location, SpecError, join_pointer
from ..ir import Api, Group, MigrationEndpoint, MigrationExample, MigrationLeg, MigrationRule, MigrationVariant, OrderMigration
from ..load.documents import SourceDocument
from .operations import text
from .plugins import PluginRegistry

EXTENSION = "x-order-migration"
_REQUIRED = ("source", "methods", "symbols", "fields", "variants")


def _shown(value: Any) -> str:
    """A table value as the page shows it: JSON for lists and mappings, plain text otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


class _Reader:
    def __init__(self, doc: SourceDocument) -> None:
        self.doc = doc

    def fail(self, pointer: str, problem: str, hint: str = "") -> SpecError:
        return SpecError(self.doc.location(pointer), problem, hint)

    def mapping(self, value: Any, pointer: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(pointer, "must be a mapping")
        return value

    def items(self, value: Any, pointer: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(pointer, "must be a list")
        return value

    def rule(self, raw: Any, pointer: str) -> MigrationRule:
        entry = self.mapping(raw, pointer)
        source = entry.get("from", entry.get("operation"))
        if not isinstance(source, str) or not source:
            raise self.fail(pointer, "a rule needs `from` (or `operation`): the source field, pattern or operation")
        approximation = tuple((str(k), _shown(v)) for k, v in self.mapping(entry.get("allow-as") or {}, f"{pointer}/allow-as").items())
        return MigrationRule(
            source=source,
            target=_shown(entry.get("to")),
            note=text(entry.get("note")),
            official=entry.get("official") is True,
            approximation=approximation,
            example=" → ".join(_shown(v) or "none" for v in entry["example"]) if isinstance(entry.get("example"), list) else "",
        )

    def legs(self, raw: Any, pointer: str) -> tuple[MigrationLeg, ...]:
        legs = []
        for index, leg in enumerate(self.items(raw, pointer)):
            entry = self.mapping(leg, join_pointer(pointer, index))
            arguments = tuple((str(k), _shown(v)) for k, v in entry.items() if k != "name")
            legs.append(MigrationLeg(name=str(entry.get("name") or f"leg {index + 1}"), arguments=arguments))
        return tuple(legs)

    def variant(self, name: str, raw: Any, pointer: str) -> MigrationVariant:
        entry = self.mapping(raw, pointer)
        equivalent = entry.get("equivalent") != "none"
        type_by: list[tuple[str, str, str]] = []
        type_field = ""
        if "type-by" in entry:
            by = self.mapping(entry["type-by"], f"{pointer}/type-by")
            type_field = str(by.get("field") or "")
            if not type_field:
                raise self.fail(f"{pointer}/type-by", "`type-by` needs `field`: the configuration field whose value picks the type")
            for side, table in by.items():
                if side != "field":
                    for value, order_type in self.mapping(table, f"{pointer}/type-by/{side}").items():
                        type_by.append((str(side), str(value), str(order_type)))
        elif equivalent and "type" not in entry:
            raise self.fail(pointer, f"configuration {name!r} needs `type`, `type-by` or `equivalent: none`")
        fields = tuple(
            self.rule(r, join_pointer(f"{pointer}/fields", i)) for i, r in enumerate(self.items(entry.get("fields"), f"{pointer}/fields"))
        )
        return MigrationVariant(
            name=name,
            equivalent=equivalent,
            order_type=_shown(entry.get("type")) if equivalent else "",
            order_type_by=tuple(type_by),
            order_type_field=type_field,
            time_in_force=_shown(entry.get("time-in-force")),
            fixed=tuple((str(k), _shown(v)) for k, v in self.mapping(entry.get("set") or {}, f"{pointer}/set").items()),
            fields=fields,
            legs=self.legs(entry.get("legs"), f"{pointer}/legs"),
            note=text(entry.get("note")),
            official=entry.get("official") is True,
        )


def build_order_migration(doc: SourceDocument, api_name: str, groups: tuple[Group, ...], plugins: PluginRegistry) -> OrderMigration | None:
    """The root `x-order-migration` of an OpenRPC document as IR (None when absent); errors point into the table."""
    raw = doc.data.get(EXTENSION)
    if raw is None:
        return None
    root = f"/{EXTENSION}"
    reader = _Reader(doc)
    table = reader.mapping(raw, root)
    for key in _REQUIRED:
        if key not in table:
            raise reader.fail(root, f"`{EXTENSION}` needs `{key}`")
    source = reader.mapping(table["source"], f"{root}/source")
    union_field = source.get("union-field")
    if not isinstance(union_field, str) or not union_field:
        raise reader.fail(f"{root}/source", "`source` needs `union-field`: the body field whose value is one of the configurations")
    calls = {op.rpc_method: (group, op) for group in groups for op in group.operations}
    methods = []
    for side, method in reader.mapping(table["methods"], f"{root}/methods").items():
        if method not in calls:
            raise reader.fail(f"{root}/methods/{side}", f"{method!r} is not a method of this API")
        group, op = calls[method]
        methods.append((str(side), str(method), f"client.{api_name}.{group.name}.{op.name}"))
    if not methods:
        raise reader.fail(f"{root}/methods", "`methods` must name the target method of at least one side")
    variants = tuple(
        reader.variant(str(name), entry, f"{root}/variants/{name}")
        for name, entry in reader.mapping(table["variants"], f"{root}/variants").items()
    )
    attached = reader.mapping(table.get("attached") or {}, f"{root}/attached")
    known = {v.name for v in variants}
    for index, name in enumerate(reader.items(attached.get("variants"), f"{root}/attached/variants")):
        if name not in known:
            raise reader.fail(join_pointer(f"{root}/attached/variants", index), f"{name!r} is not one of the table's variants")
    endpoints = []
    for index, raw_endpoint in enumerate(reader.items(table.get("endpoints"), f"{root}/endpoints")):
        pointer = join_pointer(f"{root}/endpoints", index)
        entry = reader.mapping(raw_endpoint, pointer)
        targets = reader.items(entry.get("to"), f"{pointer}/to")
        if not isinstance(entry.get("from"), str) or not all(isinstance(t, str) for t in targets):
            raise reader.fail(pointer, "an endpoint needs `from` (the source endpoint) and `to` (a list of methods of this API)")
        missing = [t for t in targets if t not in calls]
        if missing:
            raise reader.fail(f"{pointer}/to", f"{missing[0]!r} is not a method of this API")
        shown = tuple((t, f"client.{api_name}.{calls[t][0].name}.{calls[t][1].name}") for t in targets)
        endpoints.append(MigrationEndpoint(str(entry["from"]), shown, text(entry.get("note")), entry.get("official") is True))
    examples = []
    for index, raw_example in enumerate(reader.items(table.get("examples"), f"{root}/examples")):
        pointer = join_pointer(f"{root}/examples", index)
        example = reader.mapping(raw_example, pointer)
        if not all(isinstance(example.get(k), str) and example.get(k) for k in ("name", "before", "after")):
            raise reader.fail(pointer, "an example needs `name`, `before` and `after` (code)")
        examples.append(MigrationExample(str(example["name"]), text(example.get("summary")), str(example["before"]), str(example["after"])))
    plugin = table.get("plugin") or ""
    clash = next((g.module for g in groups if g.module == "order_migration"), None)
    if plugin and clash:
        raise reader.fail(
            f"{root}/plugin",
            f"the group module {clash!r} would clash with the converter module `{api_name}.order_migration`",
            "rename the tag in an overlay",
        )
    if plugin:
        plugins.plugin(str(plugin), doc.location(f"{root}/plugin"), api=api_name)
    target = calls[methods[0][1]][1]
    enums = tuple(sorted((p.name, p.type.name) for p in target.params if p.type.kind == "enum"))
    leg_model = next(
        (p.type.args[0].name for p in target.params if p.type.kind == "list" and p.type.args and p.type.args[0].kind == "model"), ""
    )
    return OrderMigration(
        summary=text(table.get("summary")),
        description=text(table.get("description")),
        source_api=str(source.get("api") or ""),
        source_operation=str(source.get("operation") or ""),
        source_call=str(source.get("call") or ""),
        union_field=union_field,
        methods=tuple(methods),
        symbols=tuple(
            reader.rule(r, join_pointer(f"{root}/symbols", i)) for i, r in enumerate(reader.items(table["symbols"], f"{root}/symbols"))
        ),
        fields=tuple(
            reader.rule(r, join_pointer(f"{root}/fields", i)) for i, r in enumerate(reader.items(table["fields"], f"{root}/fields"))
        ),
        variants=variants,
        attached_variants=tuple(str(v) for v in attached.get("variants") or ()),
        attached_fixed=tuple((str(k), _shown(v)) for k, v in reader.mapping(attached.get("set") or {}, f"{root}/attached/set").items()),
        attached_legs=reader.legs(attached.get("legs"), f"{root}/attached/legs"),
        attached_note=text(attached.get("note")),
        endpoints=tuple(endpoints),
        examples=tuple(examples),
        plugin=str(plugin),
        table_json=json.dumps(table, sort_keys=True, ensure_ascii=False, indent=2),
        argument_enums=enums,
        leg_model=leg_model,
    )


def with_migration_sources(apis: list[Api]) -> list[Api]:
    """Each migration's source operation resolved across the SDK's APIs, so the converter takes its typed arguments.

    A source API outside the SDK leaves the converter untyped (`**request`); a source API in the
    SDK without the named operation is an error.
    """
    by_name = {api.name: api for api in apis}
    result = []
    for api in apis:
        migration = api.order_migration
        source = by_name.get(migration.source_api) if migration is not None else None
        if migration is None or source is None:
            result.append(api)
            continue
        where = Location(api.source, f"/{EXTENSION}/source/operation")
        operation = next(
            (op for group in source.groups for op in group.operations if f"{op.http_method} {op.path}" == migration.source_operation), None
        )
        if operation is None:
            raise SpecError(where, f"{migration.source_operation!r} is not an operation of the API {source.name!r}")
        own = {name for _, name in migration.argument_enums} | ({migration.leg_model} if migration.leg_model else set())
        models = sorted({name for p in operation.params for name in p.type.models})
        clash = sorted(own & set(models)) or sorted({"allow"} & {p.name for p in operation.params})
        if clash:
            raise SpecError(where, f"the converter cannot take the source operation's arguments: {', '.join(clash)} would be named twice")
        lines = sorted(
            {
                f"from {module} import {name}"
                for p in operation.params
                for module, _, name in (i.partition(":") for i in p.type.imports)
                if not module.startswith("_")
            }
        )
        migration = dataclasses.replace(
            migration,
            source_params=operation.params,
            source_models_module=source.models_module,
            source_models=tuple(models),
            source_import_lines=tuple(lines),
        )
        result.append(dataclasses.replace(api, order_migration=migration))
    return result
