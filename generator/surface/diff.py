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
* Types are ordered the way a type checker orders them: `Any`/`object` hold everything, `bool` <
  `int` < `float`, a `Literal` is its value's type narrowed, containers are covariant
  (`list[int]` < `list[float]`). A change is a widening, a narrowing, or neither, judged the same
  way in both directions: a revert of a widening is a narrowing.
* A model is "input" when it reaches a parameter, "output" when it reaches a result; a model that
  is both (or neither, so we cannot tell) is judged by the stricter rule.
* Additions and deprecations are features (minor); everything else, documentation included, is a
  patch. A documentation change is reported with its text, before and after; a field that changed
  in another way carries its documentation change with it instead of a second entry. Surfaces of
  the older format (`sdkgen-api/1`) record a digest instead of the text: then only the fact that
  the documentation changed is known.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from .extract import LEGACY_FORMATS, Surface, docs_digest

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
    docs_before: str | None = None  # the documentation text, when this change is (or carries) a documentation change
    docs_after: str | None = None

    @property
    def level(self) -> Level:
        if self.breaking:
            return "major"
        return "minor" if self.category in ("added", "deprecated") else "patch"


def _change(
    api: str,
    kind: str,
    subject: str,
    message: str,
    *,
    breaking: bool = False,
    category: Category | None = None,
    docs: tuple[str | None, str | None] = (None, None),
) -> Change:
    chosen: Category = "breaking" if breaking else (category or "changed")
    return Change(api, kind, subject, message, breaking, chosen, docs[0], docs[1])


_DIGEST_ONLY = "documentation changed (an older api.json records a digest, not the text)"


@dataclass(frozen=True)
class _Docs:
    """How to compare the `docs` of two surfaces: text, or format-1 digests on one side or both."""

    old_digest: bool
    new_digest: bool

    @classmethod
    def of(cls, old: Surface, new: Surface) -> _Docs:
        return cls(old.get("format") in LEGACY_FORMATS, new.get("format") in LEGACY_FORMATS)

    def operation(self, api: str, subject: str, old: str, new: str) -> list[Change]:
        """An operation's or channel's documentation change (summary and description)."""
        if self.old_digest == self.new_digest:
            if old == new:
                return []
            if self.old_digest:
                return [_change(api, "operation-docs-changed", subject, _DIGEST_ONLY, category="documentation")]
            return [_change(api, "operation-docs-changed", subject, "documentation changed", category="documentation", docs=(old, new))]
        text, digest = (new, old) if self.old_digest else (old, new)
        if digest in _format1_operation_digests(text):
            return []
        known = (None, new) if self.old_digest else (old, None)
        return [_change(api, "operation-docs-changed", subject, _DIGEST_ONLY, category="documentation", docs=known)]

    def model(self, api: str, subject: str, old: str, new: str) -> list[Change]:
        """A model's or enum's own documentation (its class docstring).

        A format-1 digest covered the class and its fields' docstrings together, which the text
        of the other side cannot rebuild: with one such side, model documentation is not compared
        (the report says so in a note).
        """
        if self.old_digest != self.new_digest or old == new:
            return []
        if self.old_digest:
            return [_change(api, "model-docs-changed", subject, _DIGEST_ONLY, category="documentation")]
        return [_change(api, "model-docs-changed", subject, "documentation changed", category="documentation", docs=(old, new))]

    def notes(self) -> list[str]:
        if self.old_digest and self.new_digest:
            return [
                "Both sides are api.json files of an older format (`sdkgen-api/1`) that record documentation as digests: documentation changes are listed without their text."
            ]
        if self.old_digest or self.new_digest:
            return [
                "One side is an api.json of an older format (`sdkgen-api/1`) that records documentation as digests: "
                "operation documentation changes are listed with the text of the newer side only, and model documentation "
                "is not compared. Compare git revisions (rebuilt with this generator) to see every documentation change."
            ]
        return []


def _format1_operation_digests(text: str) -> set[str]:
    """The digests format 1 could have recorded for an operation whose documentation text is `text`."""
    summary, sep, description = text.partition("\n\n")
    pairs = {(text, ""), ("", text)} | ({(summary, description)} if sep else set())
    return {docs_digest(s, d + tail) for s, d in pairs for tail in ("", "\n")}


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


_TOP = frozenset({"Any", "typing.Any", "object"})
# PEP 484's numeric promotions: an `int` is accepted where a `float` is expected.
_WIDER_SCALAR = {"bool": "int", "int": "float", "float": "complex"}
_GENERIC_NAMES = {
    "List": "list",
    "typing.List": "list",
    "Dict": "dict",
    "typing.Dict": "dict",
    "Set": "set",
    "typing.Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "typing.Sequence": "Sequence",
    "collections.abc.Sequence": "Sequence",
    "typing.Mapping": "Mapping",
    "collections.abc.Mapping": "Mapping",
}
_GENERIC_SUPERTYPES = {"list": {"Sequence"}, "tuple": {"Sequence"}, "dict": {"Mapping"}}


@dataclass(frozen=True)
class _Member:
    """One member of a union: a name with its type arguments (each a union), or a `Literal` value."""

    name: str
    args: tuple[frozenset[_Member], ...] = ()
    literal: str = ""  # the value's repr, for name == "Literal"
    literal_type: str = ""


def _members(node: ast.expr) -> frozenset[_Member]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left) | _members(node.right)
    if isinstance(node, ast.Constant) and node.value is None:
        return frozenset({_Member("None")})
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference
        try:
            return _members(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return frozenset({_Member(node.value)})
    if isinstance(node, ast.Subscript):
        origin = ast.unparse(node.value)
        parts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin in ("Optional", "typing.Optional"):
            return _members(parts[0]) | {_Member("None")}
        if origin in ("Union", "typing.Union"):
            return frozenset().union(*(_members(p) for p in parts))
        if origin in ("Annotated", "typing.Annotated"):
            return _members(parts[0])
        if origin in ("Literal", "typing.Literal"):
            found: set[_Member] = set()
            for part in parts:
                try:
                    value = ast.literal_eval(part)
                except ValueError:
                    value = ast.unparse(part)
                found.add(_Member("Literal", literal=repr(value), literal_type=type(value).__name__))
            return frozenset(found)
        return frozenset({_Member(_GENERIC_NAMES.get(origin, origin), tuple(_members(p) for p in parts))})
    name = ast.unparse(node)
    return frozenset({_Member("None" if name == "NoneType" else _GENERIC_NAMES.get(name, name))})


def parse_type(annotation: str) -> frozenset[_Member]:
    """An annotation as the set of its union members."""
    try:
        return _members(ast.parse(annotation, mode="eval").body)
    except SyntaxError:
        return frozenset({_Member(annotation)})


def _member_within(member: _Member, other: _Member) -> bool:
    if other.name in _TOP or member == other:
        return True
    if member.name == "Literal":
        if other.name == "Literal":
            return (member.literal, member.literal_type) == (other.literal, other.literal_type)
        return _member_within(_Member(member.literal_type), other)
    if not member.args and not other.args:
        name: str | None = member.name
        while name is not None:
            if name == other.name:
                return True
            name = _WIDER_SCALAR.get(name)
        return False
    if other.name != member.name and other.name not in _GENERIC_SUPERTYPES.get(member.name, set()):
        return False
    if not other.args:  # a bare `list` holds any `list[...]`
        return True
    if not member.args or len(member.args) != len(other.args):
        return False
    return all(type_within(a, b) for a, b in zip(member.args, other.args, strict=True))


def type_within(inner: frozenset[_Member], outer: frozenset[_Member]) -> bool:
    """Whether every value of `inner` is a value of `outer` (read covariantly, as a type checker would)."""
    return all(any(_member_within(member, candidate) for candidate in outer) for member in inner)


def _code(text: str) -> str:
    return f"`{text}`"


def _retyped(
    api: str, kind: str, subject: str, old: str, new: str, *, reads: bool, writes: bool, optionality_changed: bool = False
) -> list[Change]:
    """A type change, judged by whether the user reads the value (output) and/or writes it (input).

    When the value also became required or optional, its `None` came or went with that (and is
    reported there), so only the other members are compared.
    """
    none = _Member("None")
    before, after = parse_type(old), parse_type(new)
    if optionality_changed:
        before, after = before - {none}, after - {none}
    widened, narrowed = type_within(before, after), type_within(after, before)
    if widened and narrowed:  # the same type spelled differently (`Optional[int]`, `int | None`)
        return []
    rest_before, rest_after = before - {none}, after - {none}
    if rest_before and type_within(rest_before, rest_after) and type_within(rest_after, rest_before):
        if none in after:
            return [_change(api, f"{kind}-nullable", subject, f"may now be None ({_code(old)} → {_code(new)})", breaking=reads)]
        return [_change(api, f"{kind}-not-nullable", subject, f"no longer accepts None ({_code(old)} → {_code(new)})", breaking=writes)]
    breaking = (writes and not widened) or (reads and not narrowed)
    literal_added = sorted(m for m in union_members(new) - union_members(old) if m.startswith("Literal["))
    how = f"type {_code(old)} → {_code(new)}" + (" (widened)" if widened else " (narrowed)" if narrowed else "")
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
        if was.get("style", "") != now.get("style", "") and was.get("style") and now.get("style"):
            changes.append(
                _change(
                    api,
                    "param-style-changed",
                    subject,
                    f"serialized as {_code(was['style'])} → {_code(now['style'])} (transparent to callers)",
                )
            )
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


def _diff_operation(api: str, old: dict[str, Any], new: dict[str, Any], docs: _Docs) -> list[Change]:
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
    if old.get("request", []) != new.get("request", []) and old.get("request") and new.get("request"):
        now = f"sends {_code(', '.join(new['request']))} (was {_code(', '.join(old['request']))})"
        changes.append(_change(api, "operation-media-type-changed", call, now, breaking=new["request"][0] != old["request"][0]))
    if "pages" in old and "pages" in new and old["pages"] != new["pages"]:  # an older api.json does not record it
        was_paged: dict[str, str] = old.get("pages") or {}
        now_paged: dict[str, str] = new.get("pages") or {}
        if was_paged and now_paged:
            now = f"pages of {_code(now_paged['item'])} by {now_paged['style']} (was of {_code(was_paged['item'])} by {was_paged['style']})"
            changes.append(_change(api, "operation-paging-changed", call, now, breaking=was_paged["item"] != now_paged["item"]))
        else:  # the call returns a page instead of the result, or the other way round
            now = (
                f"returns a page of {_code(now_paged['item'])}"
                if now_paged
                else f"returns the result itself, no longer a page of {_code(was_paged['item'])}"
            )
            changes.append(_change(api, "operation-paging-changed", call, now, breaking=True))
    if old.get("response") != new.get("response") and old.get("response") and new.get("response"):
        # How the body is read follows the media type; a change of the result's type is reported (and judged) as a retyping.
        now = f"answers {_code(new['response'])} (was {_code(old['response'])})"
        changes.append(_change(api, "operation-response-media-type-changed", call, now))
    if old["idempotent"] != new["idempotent"]:
        now = "idempotent: retried after a timeout" if new["idempotent"] else "no longer idempotent: not retried once sent"
        changes.append(_change(api, "operation-idempotency-changed", call, now))
    gained = sorted(set(new["errors"]) - set(old["errors"]))
    lost = sorted(set(old["errors"]) - set(new["errors"]))
    if gained or lost:
        parts = ([f"may raise {', '.join(gained)}"] if gained else []) + ([f"no longer documents {', '.join(lost)}"] if lost else [])
        changes.append(_change(api, "operation-errors-changed", call, "; ".join(parts)))
    changes.extend(docs.operation(api, call, old.get("docs", ""), new.get("docs", "")))
    return changes


def _diff_operations(api: str, old: dict[str, Any], new: dict[str, Any], docs: _Docs) -> list[Change]:
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
            changes.extend(_diff_operation(api, op, added.pop(candidates[0]), docs))
            del removed[key]
    for op in removed.values():
        changes.append(_change(api, "operation-removed", op["call"], f"removed (was {_code(op['endpoint'])})", breaking=True))
    for op in added.values():
        changes.append(_change(api, "operation-added", op["call"], f"new operation {_code(op['endpoint'])}", category="added"))
    for key in sorted(set(old) & set(new)):
        changes.extend(_diff_operation(api, old[key], new[key], docs))
    return changes


def _shape(model: dict[str, Any]) -> Any:
    """A model's structure without its documentation or roles (to recognise a renamed model)."""
    shape = {k: v for k, v in model.items() if k not in ("docs", "roles")}
    if isinstance(shape.get("fields"), dict):
        shape["fields"] = {name: {k: v for k, v in field.items() if k != "docs"} for name, field in shape["fields"].items()}
    return shape


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
        if "docs" in was and "docs" in now and was["docs"] != now["docs"]:
            own = [c for c in changes if c.subject == subject]
            if own:  # the field changed anyway: its entry carries the documentation change, no second entry
                changes[changes.index(own[0])] = replace(own[0], docs_before=was["docs"], docs_after=now["docs"])
            else:
                changes.append(
                    _change(
                        api,
                        "field-docs-changed",
                        subject,
                        "documentation changed",
                        category="documentation",
                        docs=(was["docs"], now["docs"]),
                    )
                )
    return changes


def _diff_model(api: str, name: str, old: dict[str, Any], new: dict[str, Any], docs: _Docs) -> list[Change]:
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
    changes.extend(docs.model(api, subject, old.get("docs", ""), new.get("docs", "")))
    return changes


def _diff_models(api: str, old: dict[str, Any], new: dict[str, Any], docs: _Docs) -> list[Change]:
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
        changes.extend(_diff_model(api, name, old[name], new[name], docs))
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
    docs = _Docs.of(old, new)
    old_apis, new_apis = old.get("apis", {}), new.get("apis", {})
    for name in sorted(set(old_apis) - set(new_apis)):
        changes.append(_change(name, "api-removed", f"client.{name}", "API removed", breaking=True))
    for name in sorted(set(new_apis) - set(old_apis)):
        count = len(new_apis[name]["operations"])
        changes.append(_change(name, "api-added", f"client.{name}", f"new API with {count} operations", category="added"))
    for name in sorted(set(old_apis) & set(new_apis)):
        was, now = old_apis[name], new_apis[name]
        changes.extend(_diff_operations(name, was["operations"], now["operations"], docs))
        changes.extend(_diff_operations(name, was.get("helpers", {}), now.get("helpers", {}), docs))
        changes.extend(_diff_operations(name, was.get("channels", {}), now.get("channels", {}), docs))
        changes.extend(_diff_models(name, was["models"], now["models"], docs))
        changes.extend(_diff_errors(name, was["errors"], now["errors"]))
    return changes


def diff_notes(old: Surface, new: Surface) -> list[str]:
    """What a report of `diff_surfaces(old, new)` should say about the comparison itself."""
    return _Docs.of(old, new).notes()


def proposed_level(changes: Iterable[Change]) -> str:
    """`major`, `minor`, `patch`, or `none` when nothing changed."""
    return max((c.level for c in changes), key=LEVEL_ORDER.__getitem__, default="none")
