"""Drift check: a hand-written OpenRPC spec against a vendor's OpenAPI description of the same JSON-RPC API.

Some vendors describe their JSON-RPC methods in OpenAPI, one path per method (`GET /private/buy`),
the params as query parameters and the result as the `result` member of the 200 response's JSON
body. This tool compares each method of the OpenRPC spec with the operation at `/<method name>`:

- params: names, required-ness, types and enum values (and, for object and array params, their
  fields and items, recursively);
- results: type and enum values, and the fields of objects (through `allOf`, arrays and nested
  objects), recursively.

Each difference has a key, e.g. `params.amount.required`, `params.otoco_config.type`,
`result.order.order_type.enum`, `result.trades[].reduce_only.type`, `result` (the vendor describes
no result), or `method` (the vendor has no such method). Deliberate differences are explained
where they live, in an `x-drift` map of key → reason: on the method (keys as above), on a param's
or the result's content descriptor (keys relative to it: `enum`, `required`, `type`), or on a schema
(keys relative to it: `order_type.enum`, `max_show`), which then explains that difference for every
method that uses the schema. A key ending in `.*` explains every difference below it (for a
vendor schema that is broken as a whole). The check fails on a difference no reason explains, and
on a reason that explains nothing anywhere (so the maps stay true when either side changes). `null` in type lists is ignored (the SDK reads null and missing alike), and so are
defaults, descriptions and validation keywords.

Nothing here knows a vendor: the two documents and the result member's name are arguments.

    python -m tools.drift SPEC.openrpc.yaml VENDOR.openapi.json [--result-member result] [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Location, SpecError
from generator.load.documents import SourceDocument, read_document, split_pointer

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# JSON Schema keywords that say what a value is; everything else (descriptions, defaults,
# examples, validation limits) is not compared.
_UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class Difference:
    """One way a method differs from the vendor's description of it."""

    method: str
    key: str
    detail: str


@dataclass
class Reasons:
    """One `x-drift` map: where it is, and the keys it explains (relative to the node that holds it)."""

    location: Location
    table: dict[str, str]
    bad: list[str]
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Scope:
    """An `x-drift` map met while comparing: it explains the differences under `prefix`."""

    prefix: str
    reasons: Reasons


@dataclass
class MethodReport:
    """The comparison of one method: what differs, and what no reason explains."""

    method: str
    location: Location
    differences: list[Difference] = field(default_factory=list)
    unexplained: list[Difference] = field(default_factory=list)
    compared: int = 0


@dataclass
class DriftReport:
    """The comparison of a whole spec."""

    methods: list[MethodReport]
    reasons: list[Reasons]

    @property
    def stale(self) -> list[tuple[Location, str]]:
        """`x-drift` keys that explain no difference of any method."""
        return [(r.location, key) for r in self.reasons for key in sorted(r.table) if key not in r.used]

    @property
    def bad_reasons(self) -> list[tuple[Location, str]]:
        return [(r.location, key) for r in self.reasons for key in r.bad]

    @property
    def failed(self) -> bool:
        return any(m.unexplained for m in self.methods) or bool(self.stale) or bool(self.bad_reasons)

    def lines(self, *, verbose: bool = False) -> Iterator[str]:
        """The report as text: every problem with its location, then a summary."""
        for method in self.methods:
            for difference in method.unexplained:
                yield f"{method.location}: {method.method}: {difference.key}: {difference.detail}"
            if verbose:
                for difference in method.differences:
                    if difference not in method.unexplained:
                        yield f"  explained: {method.method}: {difference.key}: {difference.detail}"
        for location, key in self.stale:
            yield f"{location}: `x-drift` explains {key!r}, but no method differs from the vendor there"
        for location, key in self.bad_reasons:
            yield f"{location}: `x-drift` {key!r} needs a reason (a non-empty string)"
        differences = sum(len(m.differences) for m in self.methods)
        unexplained = sum(len(m.unexplained) for m in self.methods)
        compared = sum(m.compared for m in self.methods)
        yield (
            f"drift: {len(self.methods)} methods, {compared} params and result fields compared; "
            f"{differences} differences, {differences - unexplained} explained by `x-drift`, {unexplained} unexplained; "
            f"{len(self.stale)} stale and {len(self.bad_reasons)} empty reasons"
        )
        if self.failed:
            yield "fix the spec, or give each deliberate difference a reason in an `x-drift` map (key: reason)"


class _Resolver:
    """Follows local `$ref`s of one document; a `$ref` that leads nowhere resolves to a marker."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def chain(self, node: Any) -> tuple[Any, list[str]]:
        """The node a `$ref` chain ends at, and the JSON Pointers of the nodes it passed through."""
        seen: list[str] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#"):
                return {_UNRESOLVED: ref}, seen
            seen.append(ref[1:])
            target: Any = self.data
            try:
                for token in split_pointer(ref[1:]):
                    target = target[int(token)] if isinstance(target, list) else target[token]
            except (KeyError, IndexError, ValueError, TypeError):
                return {_UNRESOLVED: ref}, seen
            node = target
        return node, seen

    def resolve(self, node: Any) -> Any:
        return self.chain(node)[0]


class _Comparison:
    def __init__(self, method: str, ours: _Resolver, theirs: _Resolver, reasons_at: Any) -> None:
        self.method = method
        self.ours = ours
        self.theirs = theirs
        self.reasons_at = reasons_at  # (node, pointer) -> Reasons | None
        self.differences: list[Difference] = []
        self.scopes: list[Scope] = []
        self.compared = 0
        self._visited: set[tuple[int, int]] = set()

    def differ(self, key: str, detail: str) -> None:
        self.differences.append(Difference(self.method, key, detail))

    def _scope(self, node: Any, pointer: str, prefix: str) -> None:
        reasons = self.reasons_at(node, pointer)
        if reasons is not None:
            self.scopes.append(Scope(prefix, reasons))

    def _ours(self, raw: Any, pointer: str, prefix: str) -> Any:
        """Resolve one of our nodes, noting the `x-drift` maps on it and on every `$ref` target on the way."""
        self._scope(raw, pointer, prefix)
        node, hops = self.ours.chain(raw)
        for hop in hops:
            target = self.ours.resolve({"$ref": "#" + hop})
            self._scope(target, hop, prefix)
        return node

    # -- schemas ---------------------------------------------------------------------------------

    def _flatten(self, resolver: _Resolver, schema: Any, *, key: str = "", pointer: str = "") -> dict[str, Any]:
        """The schema with `$ref`s followed and `allOf` parts merged (properties and types)."""
        schema = self._ours(schema, pointer, key) if resolver is self.ours else resolver.resolve(schema)
        if not isinstance(schema, dict):
            return {}
        parts = schema.get("allOf")
        if not isinstance(parts, list):
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties") or {})
        for index, part in enumerate(parts):
            flat = self._flatten(resolver, part, key=key, pointer=f"{pointer}/allOf/{index}" if pointer else "")
            properties.update(flat.get("properties") or {})
            for name in ("type", "enum", "items"):
                if name in flat and name not in merged:
                    merged[name] = flat[name]
        if properties:
            merged["properties"] = properties
        return merged

    def _types(self, resolver: _Resolver, schema: dict[str, Any]) -> set[str]:
        if _UNRESOLVED in schema:
            return {f"{_UNRESOLVED} {schema[_UNRESOLVED]}"}
        kind = schema.get("type")
        if isinstance(kind, str):
            types = {kind}
        elif isinstance(kind, list):
            types = {str(t) for t in kind}
        else:
            types = set()
            for member in (schema.get("anyOf") or []) + (schema.get("oneOf") or []):
                types |= self._types(resolver, resolver.resolve(member) if isinstance(resolver.resolve(member), dict) else {})
            if not types:
                if "properties" in schema:
                    types = {"object"}
                elif "items" in schema:
                    types = {"array"}
        types.discard("null")
        return types

    @staticmethod
    def _enum(schema: dict[str, Any]) -> set[str] | None:
        values = schema.get("enum")
        return {str(v) for v in values if v is not None} if isinstance(values, list) else None

    def schema(self, ours_raw: Any, theirs_raw: Any, key: str, pointer: str = "") -> None:
        """Compare two schemas: type, enum, and (for objects and arrays) their fields and items."""
        ours = self._flatten(self.ours, ours_raw, key=key, pointer=pointer)
        theirs = self._flatten(self.theirs, theirs_raw)
        marker = (id(ours), id(theirs))
        if marker in self._visited:
            return
        self._visited.add(marker)
        self.compared += 1
        ours_types, their_types = self._types(self.ours, ours), self._types(self.theirs, theirs)
        if ours_types != their_types:
            self.differ(f"{key}.type", f"ours is {_show(ours_types) or 'untyped'}, the vendor's is {_show(their_types) or 'untyped'}")
            return
        ours_enum, their_enum = self._enum(ours), self._enum(theirs)
        if ours_enum != their_enum:
            if ours_enum is None or their_enum is None:
                mine = "an open value" if ours_enum is None else f"the enum {_show(ours_enum)}"
                vendor = "is open" if their_enum is None else f"lists {_show(their_enum)}"
                self.differ(f"{key}.enum", f"ours is {mine}, the vendor's {vendor}")
            else:
                added, missing = ours_enum - their_enum, their_enum - ours_enum
                parts = ([f"ours adds {_show(added)}"] if added else []) + ([f"ours lacks {_show(missing)}"] if missing else [])
                self.differ(f"{key}.enum", "; ".join(parts))
        if "object" in ours_types:
            self._properties(ours, theirs, key)
        if "array" in ours_types:
            ours_items, their_items = ours.get("items"), theirs.get("items")
            if isinstance(ours_items, dict) and isinstance(their_items, dict):
                self.schema(ours_items, their_items, f"{key}[]")

    def _properties(self, ours: dict[str, Any], theirs: dict[str, Any], key: str) -> None:
        mine: dict[str, Any] = ours.get("properties") or {}
        vendor: dict[str, Any] = theirs.get("properties") or {}
        for name in sorted(set(mine) | set(vendor)):
            if name not in vendor:
                self.differ(f"{key}.{name}", "a field of ours only")
            elif name not in mine:
                self.differ(f"{key}.{name}", "a field of the vendor's only")
            else:
                self.schema(mine[name], vendor[name], f"{key}.{name}")

    # -- params ----------------------------------------------------------------------------------

    def params(self, ours: list[Any], theirs: list[Any], pointer: str) -> None:
        mine: dict[str, Any] = {}
        for index, raw in enumerate(ours):
            name = self.ours.resolve(raw).get("name") if isinstance(self.ours.resolve(raw), dict) else None
            if isinstance(name, str):
                mine[name] = self._ours(raw, f"{pointer}/params/{index}", f"params.{name}")
        vendor = {
            p["name"]: p
            for p in (self.theirs.resolve(raw) for raw in theirs)
            if isinstance(p, dict) and "name" in p and p.get("in", "query") in ("query", "path")
        }
        for name in sorted(set(mine) | set(vendor)):
            key = f"params.{name}"
            if name not in vendor:
                self.differ(key, "a param of ours only")
                continue
            if name not in mine:
                self.differ(key, "a param of the vendor's only" + (" (required there)" if vendor[name].get("required") else ""))
                continue
            ours_required, their_required = mine[name].get("required") is True, vendor[name].get("required") is True
            if ours_required != their_required:
                mine_text, their_text = ("required" if ours_required else "optional"), ("required" if their_required else "optional")
                self.differ(f"{key}.required", f"ours is {mine_text}, the vendor's {their_text}")
            self.schema(mine[name].get("schema", {}), vendor[name].get("schema", {}), key)


def _show(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _vendor_operation(vendor: dict[str, Any], name: str) -> dict[str, Any] | None:
    item = (vendor.get("paths") or {}).get("/" + name)
    if not isinstance(item, dict):
        return None
    for verb in HTTP_METHODS:
        if isinstance(item.get(verb), dict):
            operation: dict[str, Any] = item[verb]
            return operation
    return None


def _vendor_result(resolver: _Resolver, operation: dict[str, Any], member: str) -> Any:
    """The schema of the `member` field of the 200 (or first 2xx) JSON response, or None."""
    responses = operation.get("responses") or {}
    for status in ["200", *sorted(s for s in responses if str(s).startswith("2"))]:
        response = resolver.resolve(responses.get(status))
        if not isinstance(response, dict):
            continue
        body = resolver.resolve(((response.get("content") or {}).get("application/json") or {}).get("schema"))
        if isinstance(body, dict):
            result = (body.get("properties") or {}).get(member)
            if result is not None:
                return result
        return None
    return None


def compare(spec: SourceDocument, vendor: SourceDocument, *, result_member: str = "result") -> DriftReport:
    """Compare every method of `spec` (OpenRPC) with `vendor` (OpenAPI, one path per method)."""
    ours, theirs = _Resolver(spec.data), _Resolver(vendor.data)
    methods = spec.data.get("methods")
    if not isinstance(methods, list):
        raise SpecError(spec.location("/methods"), "an OpenRPC document needs a `methods` list")
    found: dict[int, Reasons] = {}

    def reasons_at(node: Any, pointer: str) -> Reasons | None:
        """The `x-drift` map of a node (one `Reasons` per map, however many places refer to it)."""
        table = node.get("x-drift") if isinstance(node, dict) else None
        if table is None:
            return None
        if id(table) not in found:
            where = f"{pointer}/x-drift" if pointer else ""
            if not isinstance(table, dict):
                raise SpecError(spec.location(where), "`x-drift` must map difference keys to reasons")
            bad = [str(k) for k, v in table.items() if not isinstance(v, str) or not v.strip()]
            found[id(table)] = Reasons(spec.location(where), {str(k): str(v) for k, v in table.items()}, bad)
        return found[id(table)]

    reports: list[MethodReport] = []
    for index, raw in enumerate(methods):
        pointer = f"/methods/{index}"
        method = ours.resolve(raw)
        if not isinstance(method, dict) or not isinstance(method.get("name"), str):
            raise SpecError(spec.location(pointer), "a method needs a `name`")
        name: str = method["name"]
        comparison = _Comparison(name, ours, theirs, reasons_at)
        comparison._scope(method, pointer, "")
        operation = _vendor_operation(vendor.data, name)
        if operation is None:
            comparison.differ("method", f"the vendor has no `/{name}`")
        else:
            comparison.params(method.get("params") or [], operation.get("parameters") or [], pointer)
            result = comparison._ours(method.get("result"), f"{pointer}/result", "result")
            ours_result = result.get("schema") if isinstance(result, dict) else None
            their_result = _vendor_result(theirs, operation, result_member)
            if their_result is None:
                comparison.differ("result", f"the vendor describes no `{result_member}` for `/{name}`")
            elif ours_result is not None:
                comparison.schema(ours_result, their_result, "result", f"{pointer}/result/schema")
        report = MethodReport(name, spec.location(pointer), comparison.differences, compared=comparison.compared)
        for difference in report.differences:
            if not _explain(difference.key, comparison.scopes):
                report.unexplained.append(difference)
        reports.append(report)
    return DriftReport(reports, list(found.values()))


def _explain(key: str, scopes: list[Scope]) -> bool:
    """Whether a reason explains the difference `key`; marks the reasons that do as used."""
    explained = False
    for scope in scopes:
        relative = _relative(key, scope.prefix)
        if relative is None:
            continue
        for candidate in scope.reasons.table:
            if candidate in scope.reasons.bad:
                continue
            if candidate == relative or (candidate.endswith(".*") and _relative(relative, candidate[:-2]) is not None):
                scope.reasons.used.add(candidate)
                explained = True
    return explained


def _relative(key: str, prefix: str) -> str | None:
    """`key` relative to `prefix` (`result.order.price.type` under `result.order` is `price.type`), or None."""
    if not prefix:
        return key
    if key == prefix:
        return ""
    if key.startswith(prefix + "."):
        return key[len(prefix) + 1 :]
    if key.startswith(prefix + "[]"):
        return key[len(prefix) :]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.drift", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("spec", type=Path, help="the hand-written OpenRPC document")
    parser.add_argument("vendor", type=Path, help="the vendor's OpenAPI document (one path per JSON-RPC method)")
    parser.add_argument("--result-member", default="result", help="the response body's field that holds the result (default: result)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the differences `x-drift` explains")
    args = parser.parse_args(argv)
    try:
        spec, vendor = read_document(args.spec), read_document(args.vendor)
        report = compare(spec, vendor, result_member=args.result_member)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report.lines(verbose=args.verbose):
        print(line, file=sys.stderr if report.failed else sys.stdout)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
