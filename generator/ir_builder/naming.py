"""Naming rules: stable, keyword-safe Python names derived from spec names and their context."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from .module_names import RESERVED_CLASS_NAMES

__all__ = ["AMBIGUOUS_NAMES", "RESERVED_CLASS_NAMES", "RESERVED_MEMBER_NAMES"]  # and the functions below

_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")

# Names pycodestyle (ruff E741-E743) refuses as ambiguous: they read as 1 and 0.
AMBIGUOUS_NAMES = frozenset({"l", "O", "I"})
# Attribute names every generated resource class already has.
RESERVED_MEMBER_NAMES = frozenset({"with_raw_response", "with_streaming_response", "with_options", "ws"})


def ascii_fold(text: str) -> str:
    """Fold accents away (é → e) so names stay ASCII; other characters become separators."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Split a name into words at punctuation and camel-case boundaries."""
    out: list[str] = []
    for chunk in _WORD_SPLIT.split(ascii_fold(text)):
        out.extend(_CAMEL.findall(chunk))
    return out


def snake_case(text: str) -> str:
    """`GetIntxBalances` → `get_intx_balances`; `X-Rate-Limit` → `x_rate_limit`."""
    return "_".join(w.lower() for w in words(text))


def pascal_case(text: str) -> str:
    """`intx_common` → `IntxCommon`; `ApplePay` stays; `HTTPServer` → `HTTPServer`."""
    return "".join(w[:1].upper() + w[1:] for w in words(text))


def safe_identifier(name: str, *, fallback: str, prefix: str = "n") -> str:
    """Make `name` a usable identifier: never empty, never a keyword, never starting with a digit."""
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{prefix}_{name}" if name.islower() or "_" in name else f"{prefix.capitalize()}{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in AMBIGUOUS_NAMES:
        name += "_"
    return name


def python_name(text: str, *, fallback: str) -> str:
    """A snake_case attribute, method or argument name."""
    return safe_identifier(snake_case(text), fallback=fallback)


def shadows_builtin(name: str) -> bool:
    return hasattr(builtins, name)


def class_name(text: str, *, fallback: str = "Model") -> str:
    """A PascalCase class name that does not shadow what generated modules import."""
    name = pascal_case(text) or fallback
    if name[0].isdigit():
        name = "Model" + name
    if name in RESERVED_CLASS_NAMES or keyword.iskeyword(name) or name in AMBIGUOUS_NAMES:
        name += "Model"  # `None`, `True`, `False` are keywords; `O` and `I` read as digits
    return name


_OPERATION_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9]*(Api|API|Service|Controller|Resource)_(?=[A-Za-z])")


def strip_operation_prefix(operation_id: str) -> str:
    """`RetailBrokerageApi_GetIntxBalances` → `GetIntxBalances` (the service prefix is noise)."""
    return _OPERATION_PREFIX.sub("", operation_id)


def schema_class_names(keys: Iterable[str]) -> dict[str, str]:
    """Readable, unique class names for component schema keys.

    Dotted proto names keep their message part (`a.b.Outer.Inner` → `OuterInner`); schemas whose
    short names clash are all qualified by their package segments, nearest first, so which one
    "wins" never depends on order. Anything still equal gets the full dotted path.
    """
    parts: dict[str, tuple[list[str], list[str]]] = {}
    for key in keys:
        segments = [s for s in key.split(".") if s]
        message: list[str] = []
        while segments and segments[-1][:1].isupper():
            message.insert(0, segments.pop())
        if not message:  # not a proto-style name: the whole key is the name
            message, segments = [key.replace(".", "_")], []
        parts[key] = (segments, message)

    def name_for(key: str, depth: int) -> str:
        package, message = parts[key]
        qualifier = package[len(package) - depth :] if depth else []
        return class_name("_".join([*qualifier, *message]) if qualifier else "".join(pascal_case(m) for m in message))

    result: dict[str, str] = {}
    pending = sorted(parts)
    depth = 0
    while pending:
        by_name: dict[str, list[str]] = defaultdict(list)
        for key in pending:
            by_name[name_for(key, depth)].append(key)
        taken = set(result.values())
        pending = []
        for name, clashing in sorted(by_name.items()):
            if len(clashing) == 1 and name not in taken:
                result[clashing[0]] = name
            elif depth > max(len(parts[k][0]) for k in clashing):
                for key in sorted(clashing):
                    result[key] = unique_name(class_name(key), taken | set(result.values()))
            else:
                pending.extend(clashing)
        depth += 1
    return result


def unique_name(candidate: str, taken: set[str] | frozenset[str], suffixes: Iterable[str] = ()) -> str:
    """`candidate`, or the first of candidate+suffix not taken, or a numbered name as a last resort."""
    if candidate not in taken:
        return candidate
    for suffix in suffixes:
        if candidate + suffix not in taken:
            return candidate + suffix
    number = 2
    while f"{candidate}{number}" in taken:
        number += 1
    return f"{candidate}{number}"


def clean_text(value: object) -> str:
    """Spec prose as generated docs take it: stripped, with no trailing spaces on any line."""
    if not isinstance(value, str):
        return ""
    return "\n".join(line.rstrip() for line in value.expandtabs(4).strip().splitlines())
