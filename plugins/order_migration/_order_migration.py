"""Convert an order request of one API into another API's order call, by a migration table.

sdkgen plug-in (`plugins/order_migration`), copied unchanged into SDKs whose spec has a migration
table that names it (`x-order-migration: {plugin: order_migration}`). The table is data: it maps
the request's fields, each configuration of its union field (`order_configuration`: order type,
time in force, field mapping, linked orders) and the product ids. This module only interprets it.
The generated `<api>/order_migration.py` binds it to the API's table and typed models.

What the table says has no equivalent raises `NoEquivalentError`, naming the field and why; a
caller accepts losing or approximating a field with `allow=`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

EXTENSION = "x-order-migration"
# Gateway arguments that are amounts or prices: sent as `Decimal`, digit for digit.
_NUMBERS = frozenset({"amount", "contracts", "price", "trigger_price", "trigger_offset", "display_amount"})


class MigrationTableError(ValueError):
    """The `x-order-migration` table is not usable (names the key and what is wrong)."""


class NoEquivalentError(ValueError):
    """A part of the request has no equivalent on the gateway; `field` names it, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(
            f"{field} has no equivalent on the gateway: {reason}"
            if reason
            else f"{field} has no equivalent on the gateway"
        )
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class GatewayOrder:
    """The gateway call a `create_order` request becomes."""

    method: str  # the JSON-RPC method, e.g. private/buy
    arguments: dict[str, Any]  # keyword arguments of the generated method
    dropped: tuple[str, ...] = ()  # request fields the caller allowed to drop or approximate

    @property
    def python_name(self) -> str:
        """The generated method's name (`private/buy` -> `buy`)."""
        return self.method.rpartition("/")[2]

    def place(self, group: Any) -> Any:
        """Call the method on a generated group (`client.derivatives.trading`, or its async or WebSocket twin)."""
        return getattr(group, self.python_name)(**self.arguments)


def _plain(value: Any) -> Any:
    """A request value as plain data: models dumped (set fields only), enums as their values."""
    if hasattr(value, "model_dump"):
        return {k: _plain(v) for k, v in value.model_dump(exclude_unset=True, by_alias=True).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{where} must be a decimal number, not {value!r}")
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where} must be a decimal number, not {value!r}") from None


@dataclass
class OrderMigration:
    """The conversion table of one spec (its `x-order-migration`), and how to type the arguments."""

    table: Mapping[str, Any]
    enums: Mapping[str, type[Enum]] = field(default_factory=dict)  # gateway argument -> its enum class
    leg_model: Any = None  # the class of one `otoco_config` entry, when typed

    def __post_init__(self) -> None:
        for key in ("source", "methods", "symbols", "fields", "variants"):
            if key not in self.table:
                raise MigrationTableError(f"`{EXTENSION}` needs `{key}`")
        for name, variant in self.variants.items():
            if not isinstance(variant, Mapping):
                raise MigrationTableError(f"`{EXTENSION}.variants.{name}` must be a mapping")
            if variant.get("equivalent") != "none" and "type" not in variant and "type-by" not in variant:
                raise MigrationTableError(
                    f"`{EXTENSION}.variants.{name}` needs `type`, `type-by` or `equivalent: none`"
                )

    # -- the table -------------------------------------------------------------------------------

    @property
    def union_field(self) -> str:
        return str(self.table["source"]["union-field"])

    @property
    def variants(self) -> Mapping[str, Any]:
        variants: Mapping[str, Any] = self.table["variants"]
        return variants

    def instrument(self, product_id: str) -> str:
        """The gateway instrument of a product id, by the symbol table; NoEquivalentError if it does not trade there."""
        for rule in self.table["symbols"]:
            match = re.fullmatch(rule["pattern"], product_id)
            if match is None:
                continue
            if rule.get("to") is None:
                raise NoEquivalentError(f"product_id {product_id!r}", " ".join(str(rule.get("note", "")).split()))
            target = str(rule["to"])
            for name, part in match.groupdict().items():
                target = target.replace("{" + name + "}", part)
            return target
        raise NoEquivalentError(f"product_id {product_id!r}", "it matches no symbol of the migration table")

    # -- conversion ------------------------------------------------------------------------------

    def convert(self, *, allow: Collection[str] = (), **request: Any) -> GatewayOrder:
        """The gateway call for one `create_order` request (its keyword arguments, as models or plain data).

        `allow` lists request fields (`leverage`, `margin_type`, `limit_limit_gtd.end_time`, ...)
        the caller accepts to lose or have approximated; any other field without an equivalent
        raises `NoEquivalentError`.
        """
        body = {k: _plain(v) for k, v in request.items() if v is not None}
        allowed = set(allow)
        dropped: list[str] = []
        side = str(body.get("side", "")).upper()
        method = self.table["methods"].get(side)
        if method is None:
            raise ValueError(f"side must be one of {', '.join(self.table['methods'])}, not {body.get('side')!r}")
        arguments: dict[str, Any] = {}
        for rule in self.table["fields"]:
            name = rule["from"]
            if name not in body or name in (self.union_field, "side"):
                continue
            target = rule.get("to")
            if target is None:
                if name not in allowed:
                    raise NoEquivalentError(name, " ".join(str(rule.get("note", "")).split()))
                dropped.append(name)
            elif target == "instrument_name":
                arguments["instrument_name"] = self.instrument(str(body[name]))
            elif target == "label":
                label = str(body[name])
                if len(label) > 64:
                    raise NoEquivalentError(
                        name, f"the gateway's label holds at most 64 characters ({len(label)} given)"
                    )
                arguments["label"] = label
        unknown = sorted(set(body) - {rule["from"] for rule in self.table["fields"]} - {self.union_field, "side"})
        if unknown:
            raise ValueError(f"unknown create_order fields: {', '.join(unknown)}")
        if "product_id" not in body:
            raise ValueError("product_id is required")
        configuration = body.get(self.union_field)
        name, values = self._variant_of(configuration)
        self._apply_variant(name, values, side, arguments, allowed, dropped, f"{self.union_field}.{name}")
        attached = body.get("attached_order_configuration")
        if attached is not None:
            self._attach(attached, side, arguments)
        return GatewayOrder(method=str(method), arguments=self._typed(arguments), dropped=tuple(dropped))

    def _variant_of(self, configuration: Any) -> tuple[str, dict[str, Any]]:
        if not isinstance(configuration, Mapping):
            raise ValueError(f"{self.union_field} is required: a mapping with one of {', '.join(self.variants)}")
        present = [k for k, v in configuration.items() if v is not None]
        if len(present) != 1:
            raise ValueError(
                f"{self.union_field} must set exactly one of {', '.join(self.variants)} (it sets {', '.join(present) or 'none'})"
            )
        name = present[0]
        if name not in self.variants:
            raise NoEquivalentError(
                f"{self.union_field}.{name}", "the migration table does not know this configuration"
            )
        values = configuration[name]
        return name, dict(values) if isinstance(values, Mapping) else {}

    def _apply_variant(
        self,
        name: str,
        values: dict[str, Any],
        side: str,
        arguments: dict[str, Any],
        allowed: set[str],
        dropped: list[str],
        where: str,
    ) -> None:
        variant = self.variants[name]
        if variant.get("equivalent") == "none":
            raise NoEquivalentError(where, " ".join(str(variant.get("note", "")).split()))
        if "type-by" in variant:
            by = variant["type-by"]
            key = values.get(by["field"])
            order_type = (by.get(side) or {}).get(key)
            if order_type is None:
                raise NoEquivalentError(
                    f"{where}.{by['field']}", f"{by['field']} {key!r} with side {side} maps to no order type"
                )
            arguments["type"] = order_type
        else:
            arguments["type"] = variant["type"]
        if variant.get("time-in-force") is not None:
            arguments["time_in_force"] = variant["time-in-force"]
        arguments.update(variant.get("set") or {})
        rules = {rule["from"]: rule for rule in variant.get("fields") or []}
        unknown = sorted(set(values) - set(rules))
        if unknown:
            raise NoEquivalentError(f"{where}.{unknown[0]}", "the migration table does not map this field")
        for field_name, value in values.items():
            if value is None:
                continue
            rule = rules[field_name]
            target = rule.get("to")
            path = f"{name}.{field_name}"
            if target is None:
                if path not in allowed:
                    raise NoEquivalentError(f"{where}.{field_name}", " ".join(str(rule.get("note", "")).split()))
                dropped.append(path)
                arguments.update(rule.get("allow-as") or {})
            elif target in ("type", "otoco_config"):
                continue  # used by type-by / the legs
            else:
                arguments[target] = _number(value, f"{where}.{field_name}") if target in _NUMBERS else value
                for extra, source in (rule.get("also") or {}).items():
                    arguments[extra] = values.get(source)
        if "time_in_force" not in arguments:
            raise NoEquivalentError(f"{where}", "no time in force: the table maps none for this configuration")
        legs = variant.get("legs")
        if legs:
            arguments["otoco_config"] = [self._leg(leg, values, side, where) for leg in legs]

    def _leg(self, leg: Mapping[str, Any], values: Mapping[str, Any], side: str, where: str) -> dict[str, Any]:
        opposite = {"BUY": "sell", "SELL": "buy"}[side]
        entry: dict[str, Any] = {}
        for key, spec in leg.items():
            if key == "name":
                continue
            if key == "direction":
                entry["direction"] = side.lower() if spec == "same" else opposite
            elif isinstance(spec, str) and key in _NUMBERS:
                if values.get(spec) is None:
                    raise ValueError(f"{where}.{spec} is required (the {leg.get('name', 'linked')} order's {key})")
                entry[key] = _number(values[spec], f"{where}.{spec}")
            else:
                entry[key] = spec
        return entry

    def _attach(self, attached: Any, side: str, arguments: dict[str, Any]) -> None:
        rule = self.table.get("attached")
        where = "attached_order_configuration"
        if not isinstance(rule, Mapping):
            raise NoEquivalentError(where, "the migration table maps no attached orders")
        name, values = self._variant_of(attached)
        if name not in rule.get("variants", []):
            raise NoEquivalentError(f"{where}.{name}", f"only {', '.join(rule.get('variants', []))} can be attached")
        if "linked_order_type" in arguments:
            raise NoEquivalentError(where, "the order is already a linked order")
        arguments.update(rule.get("set") or {})
        arguments["otoco_config"] = [self._leg(leg, values, side, f"{where}.{name}") for leg in rule["legs"]]

    def _typed(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Enum arguments as the target API's enums, linked orders as its models (when known)."""
        typed = dict(arguments)
        for name, enum in self.enums.items():
            if isinstance(typed.get(name), str):
                typed[name] = enum(typed[name])
        if self.leg_model is not None and "otoco_config" in typed:
            typed["otoco_config"] = [self.leg_model(**leg) for leg in typed["otoco_config"]]
        return typed
