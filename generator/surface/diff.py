"""Compare two surfaces and classify every change by what it does to code written against the SDK.

The rules, from the point of view of a user of the Python SDK:

* Something a user can name disappears or is renamed (operation, parameter, model, field, enum
  member, error class): breaking.
* A call that used to work may now fail: a new required parameter, a parameter made required, a
  parameter whose type no longer accepts what it accepted: breaking. Types are compared as sets of
  union members, so `str` → `str | None` widens and `str | None` → `str` narrows.
* A value read from a response may now have a type the user's code does not handle: a response
  field retyped beyond a narrowing, made nullable, or a closed enum (a `Literal`, a plain `Enum`)
  that gains a value: breaking. The SDK's own enums are open (`SDKEnum` keeps unknown values), so
  a new value there is not.
* A model is "input" when it reaches a parameter, "output" when it reaches a result; a model that
  is both (or neither, so we cannot tell) is judged by the stricter rule.
* Additions and deprecations are features (minor); everything else, documentation included, is a
  patch.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .extract import Surface

Level = Literal["major", "minor", "patch"]
Category = Literal["breaking", "added", "deprecated", "changed", "documentation"]
LEVEL_ORDER: dict[str, int] = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@dataclass(frozen=True)
class Change:
    """One change to the surface, in SDK terms."""

    api: str
    kind: str
    subject: str
    message: str
    breaking: bool
    category: Category

    @property
    def level(self) -> Level:
        if self.breaking:
            return "major"
        return "minor" if self.category in ("added", "deprecated") else "patch"


def _change(api: str, kind: str, subject: str, message: str, *, breaking: bool = False, category: Category | None = None) -> Change:
    chosen: Category = "breaking" if breaking else (category or "changed")
    return Change(api, kind, subject, message, breaking, chosen)


def union_members(annotation: str) -> frozenset[str]:
    """The members of a type annotation read as a union (`Literal` values count one by one)."""
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return frozenset({annotation})
    members: set[str] = set()

    def walk(part: ast.expr) -> None:
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
            walk(part.left)
            walk(part.right)
        elif isinstance(part, ast.Subscript) and ast.unparse(part.value) in ("Literal", "typing.Literal"):
            values = part.slice.elts if isinstance(part.slice, ast.Tuple) else [part.slice]
            members.update(f"Literal[{ast.unparse(v)}]" for v in values)
        elif isinstance(part, ast.Subscript) and ast.unparse(part.value) in ("Optional", "typing.Optional"):
            walk(part.slice)
            members.add("None")
        else:
            members.add(ast.unparse(part))

    walk(node)
    return frozenset(members)


def _code(text: str) -> str:
    return f"`{text}`"


def _retyped(
    api: str, kind: str, subject: str, old: str, new: str, *, reads: bool, writes: bool, optionality_changed: bool = False
) -> list[Change]:
    """A type change, judged by whether the user reads the value (output) and/or writes it (input).

    When the value also became required or optional, its `None` came or went with that (and is
    reported there), so only the other members are compared.
    """
    before, after = union_members(old), union_members(new)
    if optionality_changed:
        before, after = before - {"None"}, after - {"None"}
    if before == after:
        return []
    if before - {"None"} == after - {"None"}:
        if "None" in after:
            return [_change(api, f"{kind}-nullable", subject, f"may now be None ({_code(old)} → {_code(new)})", breaking=reads)]
        return [_change(api, f"{kind}-not-nullable", subject, f"no longer accepts None ({_code(old)} → {_code(new)})", breaking=writes)]
    widened, narrowed = after > before, after < before
    breaking = (writes and not widened) or (reads and not narrowed)
    literal_added = sorted(m for m in after - before if m.startswith("Literal["))
    how = f"type {_code(old)} → {_code(new)}"
    if literal_added and reads:
        how += f"; new closed values {', '.join(m[len('Literal[') : -1] for m in literal_added)}"
    return [_change(api, f"{kind}-retyped", subject, how, breaking=breaking)]


def _diff_params(api: str, call: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    if len(removed) == 1 and len(added) == 1:
        was, now = old[removed[0]], new[added[0]]
        if (was["type"], was["in"], was["required"]) == (now["type"], now["in"], now["required"]):
            wire = f" (sent as {_code(now['wire'])})" if was["wire"] != now["wire"] else ""
            changes.append(
                _change(api, "param-renamed", f"{call}({removed[0]})", f"parameter renamed to {_code(added[0])}{wire}", breaking=True)
            )
            removed, added = [], []
    for name in removed:
        changes.append(_change(api, "param-removed", f"{call}({name})", "parameter removed", breaking=True))
    for name in added:
        if new[name]["required"]:
            changes.append(
                _change(api, "param-added", f"{call}({name})", f"new required parameter {_code(new[name]['type'])}", breaking=True)
            )
        else:
            changes.append(
                _change(api, "param-added", f"{call}({name})", f"new optional parameter {_code(new[name]['type'])}", category="added")
            )
    for name in sorted(set(old) & set(new)):
        was, now = old[name], new[name]
        subject = f"{call}({name})"
        if not was["required"] and now["required"]:
            changes.append(_change(api, "param-required", subject, "parameter is now required", breaking=True))
        elif was["required"] and not now["required"]:
            changes.append(_change(api, "param-optional", subject, "parameter is now optional", category="added"))
        optionality = was["required"] != now["required"]
        changes.extend(_retyped(api, "param", subject, was["type"], now["type"], reads=False, writes=True, optionality_changed=optionality))
        if was.get("position") != now.get("position"):
            changes.append(
                _change(api, "param-moved", subject, f"positional place {was.get('position')} → {now.get('position')}", breaking=True)
            )
        if not was.get("deprecated") and now.get("deprecated"):
            changes.append(_change(api, "param-deprecated", subject, "parameter deprecated", category="deprecated"))
        if (was["in"], was["wire"]) != (now["in"], now["wire"]):
            changes.append(
                _change(
                    api,
                    "param-wire-changed",
                    subject,
                    f"sent as {was['in']} {_code(was['wire'])} → {now['in']} {_code(now['wire'])} (transparent to callers)",
                )
            )
    return changes


def _diff_operation(api: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    call = new["call"]
    changes: list[Change] = []
    if old["call"] != new["call"]:
        changes.append(_change(api, "operation-renamed", old["call"], f"renamed to {_code(new['call'])}", breaking=True))
    if old["endpoint"] != new["endpoint"]:
        changes.append(
            _change(api, "operation-endpoint-changed", call, f"now calls {_code(new['endpoint'])} (was {_code(old['endpoint'])})")
        )
    changes.extend(_diff_params(api, call, old["params"], new["params"]))
    changes.extend(_retyped(api, "operation-returns", f"{call}()", old["returns"], new["returns"], reads=True, writes=False))
    if old.get("deprecated") is None and new.get("deprecated") is not None:
        info = new["deprecated"]
        extra = "".join(
            part
            for part in (
                f", sunset {info['sunset']}" if info.get("sunset") else "",
                f"; use {_code(info['replacement'])}" if info.get("replacement") else "",
            )
        )
        changes.append(_change(api, "operation-deprecated", call, f"deprecated{extra}", category="deprecated"))
    elif old.get("deprecated") is not None and new.get("deprecated") is None:
        changes.append(_change(api, "operation-undeprecated", call, "no longer deprecated"))
    if old["idempotent"] != new["idempotent"]:
        now = "idempotent: retried after a timeout" if new["idempotent"] else "no longer idempotent: not retried once sent"
        changes.append(_change(api, "operation-idempotency-changed", call, now))
    gained = sorted(set(new["errors"]) - set(old["errors"]))
    lost = sorted(set(old["errors"]) - set(new["errors"]))
    if gained or lost:
        parts = ([f"may raise {', '.join(gained)}"] if gained else []) + ([f"no longer documents {', '.join(lost)}"] if lost else [])
        changes.append(_change(api, "operation-errors-changed", call, "; ".join(parts)))
    if old["docs"] != new["docs"]:
        changes.append(_change(api, "operation-docs-changed", call, "documentation changed", category="documentation"))
    return changes


def _diff_operations(api: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    removed = {key: old[key] for key in sorted(set(old) - set(new))}
    added = {key: new[key] for key in sorted(set(new) - set(old))}
    # A removed and an added operation on the same endpoint are one operation renamed.
    by_endpoint: dict[str, list[str]] = {}
    for key, op in added.items():
        by_endpoint.setdefault(op["endpoint"], []).append(key)
    for key, op in list(removed.items()):
        candidates = by_endpoint.get(op["endpoint"], [])
        if len(candidates) == 1 and candidates[0] in added:
            changes.extend(_diff_operation(api, op, added.pop(candidates[0])))
            del removed[key]
    for op in removed.values():
        changes.append(_change(api, "operation-removed", op["call"], f"removed (was {_code(op['endpoint'])})", breaking=True))
    for op in added.values():
        changes.append(_change(api, "operation-added", op["call"], f"new operation {_code(op['endpoint'])}", category="added"))
    for key in sorted(set(old) & set(new)):
        changes.extend(_diff_operation(api, old[key], new[key]))
    return changes


def _shape(model: dict[str, Any]) -> Any:
    """A model's structure without its documentation or roles (to recognise a renamed model)."""
    return {k: v for k, v in model.items() if k not in ("docs", "roles")}


def _diff_fields(api: str, name: str, old: dict[str, Any], new: dict[str, Any], reads: bool, writes: bool) -> list[Change]:
    changes: list[Change] = []
    for field in sorted(set(old) - set(new)):
        changes.append(_change(api, "field-removed", f"{name}.{field}", "field removed", breaking=True))
    for field in sorted(set(new) - set(old)):
        entry = new[field]
        required = entry["required"]
        what = f"new {'required' if required else 'optional'} field {_code(entry['type'])}"
        changes.append(_change(api, "field-added", f"{name}.{field}", what, breaking=required and writes, category="added"))
    for field in sorted(set(old) & set(new)):
        was, now = old[field], new[field]
        subject = f"{name}.{field}"
        if not was["required"] and now["required"]:
            changes.append(_change(api, "field-required", subject, "field is now required", breaking=writes))
        elif was["required"] and not now["required"]:
            changes.append(_change(api, "field-optional", subject, "field is now optional (has a default)"))
        optionality = was["required"] != now["required"]
        changes.extend(
            _retyped(api, "field", subject, was["type"], now["type"], reads=reads, writes=writes, optionality_changed=optionality)
        )
        if was.get("alias", "") != now.get("alias", ""):
            changes.append(
                _change(
                    api, "field-wire-changed", subject, f"wire name {_code(was.get('alias') or field)} → {_code(now.get('alias') or field)}"
                )
            )
    return changes


def _diff_model(api: str, name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    roles = set(old.get("roles", [])) | set(new.get("roles", []))
    # A model whose role we cannot tell is judged as both input and output.
    reads = "output" in roles or not roles
    writes = "input" in roles or not roles
    subject = f"models.{api}.{name}"
    changes: list[Change] = []
    if old["kind"] != new["kind"]:
        return [_change(api, "model-kind-changed", subject, f"{old['kind']} → {new['kind']}", breaking=True)]
    if new["kind"] == "model":
        changes.extend(_diff_fields(api, subject, old["fields"], new["fields"], reads, writes))
    elif new["kind"] == "alias":
        changes.extend(_retyped(api, "alias", subject, old["type"], new["type"], reads=reads, writes=writes))
    else:
        for value in [v for v in old["values"] if v not in new["values"]]:
            changes.append(_change(api, "enum-value-removed", subject, f"value {value!r} removed", breaking=True))
        added = [v for v in new["values"] if v not in old["values"]]
        closed_read = reads and not new["open"]
        for value in added:
            how = (
                "closed enum: code matching every value misses it"
                if closed_read
                else "open enum: older clients keep it as an unknown member"
            )
            changes.append(
                _change(api, "enum-value-added", subject, f"new value {value!r} ({how})", breaking=closed_read, category="added")
            )
        if old["open"] and not new["open"]:
            changes.append(_change(api, "enum-closed", subject, "enum no longer accepts unknown values", breaking=reads))
    if old["docs"] != new["docs"]:
        changes.append(_change(api, "model-docs-changed", subject, "documentation changed", category="documentation"))
    return changes


def _diff_models(api: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    for name in list(removed):
        twins = [a for a in added if _shape(new[a]) == _shape(old[name])]
        if len(twins) == 1:
            changes.append(
                _change(api, "model-renamed", f"models.{api}.{name}", f"renamed to {_code(twins[0])} (same fields)", breaking=True)
            )
            removed.remove(name)
            added.remove(twins[0])
    for name in removed:
        changes.append(_change(api, "model-removed", f"models.{api}.{name}", f"{old[name]['kind']} removed", breaking=True))
    for name in added:
        changes.append(_change(api, "model-added", f"models.{api}.{name}", f"new {new[name]['kind']}", category="added"))
    for name in sorted(set(old) & set(new)):
        changes.extend(_diff_model(api, name, old[name], new[name]))
    return changes


def _diff_errors(api: str, old: dict[str, str], new: dict[str, str]) -> list[Change]:
    changes: list[Change] = []
    new_classes = set(new.values())
    for key in sorted(set(old) | set(new), key=lambda k: (len(k), k)):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if was is None and now is not None:
            changes.append(_change(api, "error-added", f"errors.{now}", f"new error class for code {key}", category="added"))
        elif now is None and was is not None:
            gone = was not in new_classes
            changes.append(_change(api, "error-removed", f"errors.{was}", f"code {key} no longer documented", breaking=gone))
        elif was is not None and now is not None:
            gone = was not in new_classes
            changes.append(_change(api, "error-renamed", f"errors.{was}", f"code {key} now raises {_code(now)}", breaking=gone))
    return changes


def diff_surfaces(old: Surface, new: Surface) -> list[Change]:
    """Every change from `old` to `new`, ordered by API, then as the report lists them."""
    changes: list[Change] = []
    old_apis, new_apis = old.get("apis", {}), new.get("apis", {})
    for name in sorted(set(old_apis) - set(new_apis)):
        changes.append(_change(name, "api-removed", f"client.{name}", "API removed", breaking=True))
    for name in sorted(set(new_apis) - set(old_apis)):
        count = len(new_apis[name]["operations"])
        changes.append(_change(name, "api-added", f"client.{name}", f"new API with {count} operations", category="added"))
    for name in sorted(set(old_apis) & set(new_apis)):
        was, now = old_apis[name], new_apis[name]
        changes.extend(_diff_operations(name, was["operations"], now["operations"]))
        changes.extend(_diff_operations(name, was.get("channels", {}), now.get("channels", {})))
        changes.extend(_diff_models(name, was["models"], now["models"]))
        changes.extend(_diff_errors(name, was["errors"], now["errors"]))
    return changes


def proposed_level(changes: Iterable[Change]) -> str:
    """`major`, `minor`, `patch`, or `none` when nothing changed."""
    return max((c.level for c in changes), key=LEVEL_ORDER.__getitem__, default="none")
