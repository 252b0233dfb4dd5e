"""Indented JSON text, byte for byte as `json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)` writes it.

The standard library only uses its C encoder without `indent`; with one, every chunk of text is
yielded up through one Python generator per level of nesting, which made `api.json` of a large
spec (GitHub's: 1.1 million values, seven levels deep) 0.4 s of generation, and `json` keeps every
chunk until the end. This writer appends each chunk once to a list that it joins every few
thousand chunks, and takes strings through the same C escaping as `json`. A value it does not know (anything `json` would need `default=` for, or a key `json`
would refuse) is handed to `json.dumps`, so errors and corner cases stay the standard library's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function when available, as `json` uses it
from typing import Any

_INFINITY = float("inf")


class _Unusual(Exception):
    """A value or key this writer leaves to `json.dumps`."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float(key)
    raise _Unusual


def dumps_indented(value: Any, indent: int = 2, end: str = "") -> str:
    """`json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False) + end`, faster on large trees."""
    done: list[str] = []  # the text so far, in pieces of a few thousand tokens
    chunks: list[str] = []
    append = chunks.append
    step = " " * indent

    def settle() -> None:
        # Every value's escaped text is a new small string: joined every few thousand, they never
        # pile up (all of GitHub's at once were 60 MB, most of the generation's peak memory above the spec).
        if len(chunks) > 4096:
            done.append("".join(chunks))
            chunks.clear()

    def emit(item: Any, level: int) -> None:
        if isinstance(item, str):
            append(encode_basestring(item))
        elif item is None:
            append("null")
        elif item is True:
            append("true")
        elif item is False:
            append("false")
        elif isinstance(item, int):
            append(int.__repr__(item))
        elif isinstance(item, float):
            append(_float(item))
        elif isinstance(item, dict):
            if not item:
                append("{}")
                return
            inner = "\n" + step * (level + 1)
            separator = "," + inner
            append("{")
            first = True
            for key, member in sorted(item.items()):
                append(inner if first else separator)
                first = False
                append(encode_basestring(key if type(key) is str else _key(key)))
                append(": ")
                if type(member) is str:  # most values: no call
                    append(encode_basestring(member))
                else:
                    emit(member, level + 1)
            append("\n" + step * level + "}")
            settle()
        elif isinstance(item, list | tuple):
            if not item:
                append("[]")
                return
            inner = "\n" + step * (level + 1)
            separator = "," + inner
            append("[")
            first = True
            for member in item:
                append(inner if first else separator)
                first = False
                if type(member) is str:
                    append(encode_basestring(member))
                else:
                    emit(member, level + 1)
            append("\n" + step * level + "]")
            settle()
        else:
            raise _Unusual

    try:
        emit(value, 0)
    except _Unusual:
        return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False) + end
    done.append("".join(chunks) + end)  # not `+ end` after the join: no second copy of the whole text
    return "".join(done)
