"""JSON that keeps numbers exactly as written (for payloads whose digits matter)."""

from __future__ import annotations

import json
from typing import Any


class RawNumber(str):
    """A JSON number kept as its source text (``0.00035000000000000005`` stays so)."""


def loads_raw(text: str) -> Any:
    """Parse JSON, turning every number into a :class:`RawNumber`."""
    return json.loads(text, parse_float=RawNumber, parse_int=RawNumber)


def dumps_raw(value: Any) -> str:
    """Compact JSON; :class:`RawNumber` values are written verbatim."""
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps_raw(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps_raw(v) for v in value) + "]"
    return json.dumps(value)
