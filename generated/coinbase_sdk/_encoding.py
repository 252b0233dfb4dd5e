# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Turning SDK values into what goes on the wire, and wire bytes back into values. No I/O here."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

import pydantic

from ._limits import exact_number

__all__ = [
    "Encoded",
    "check_header_values",
    "dumps_exact",
    "encode_value",
    "expand_path",
    "loads",
    "path_segment",
    "query_items",
]

_PATH_FIELD = re.compile(r"\{([^{}]*)\}")


def encode_value(value: Any, *, decimal_as_number: bool = False) -> Any:
    """Models, enums, decimals and dates as JSON-ready data; None values in mappings are dropped.

    Decimals become strings (REST APIs send money as decimal strings), or stay `Decimal` for
    `dumps_exact` to write as JSON numbers (for protocols that send prices as numbers).
    """
    if isinstance(value, pydantic.BaseModel):
        if decimal_as_number:  # numbers-as-decimals protocols: a model's decimals are numbers too (nested prices)
            return encode_value(value.model_dump(by_alias=True, exclude_unset=True), decimal_as_number=True)
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent: JSON has no NaN or infinity")
        return value if decimal_as_number else str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): encode_value(v, decimal_as_number=decimal_as_number) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [encode_value(v, decimal_as_number=decimal_as_number) for v in value]
    return value


def _has_decimal(value: Any) -> bool:
    if isinstance(value, Decimal):
        return True
    if isinstance(value, dict):
        return any(_has_decimal(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_decimal(v) for v in value)
    return False


def dumps_exact(value: Any) -> str:
    """Compact JSON in which a `Decimal` is written as a number with exactly its digits."""
    if not _has_decimal(value):  # the common case: the standard encoder in one call
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    return _dumps_with_decimals(value)


def _dumps_with_decimals(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dumps_with_decimals(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps_with_decimals(v) for v in value) + "]"
    return json.dumps(value, allow_nan=False)


def loads(content: bytes, *, exact_numbers: bool) -> Any:
    """Decode JSON; with `exact_numbers`, non-integral numbers become `Decimal` without passing through float."""
    try:
        return json.loads(content, parse_float=exact_number) if exact_numbers else json.loads(content)
    except RecursionError:  # `[[[[...` from a hostile or broken server: a ValueError like any bad JSON
        raise ValueError("JSON nested too deeply") from None


def _query_value(value: Any) -> str:
    value = encode_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_items(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query parameters as (name, text) pairs: lists repeat the name, None is left out."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        out.extend((key, _query_value(v)) for v in values)
    return out


class Encoded(str):
    """Text already encoded for its place in the URL (a path parameter serialized by its OpenAPI style)."""

    __slots__ = ()


def path_segment(name: str, value: Any) -> str:
    """One path parameter as exactly one path segment: `/`, `?`, `#` and `%` are escaped, and `.` or
    `..` (which a URL parser would resolve, moving the request to another path) become `%2E`s."""
    if isinstance(value, Encoded):
        return str(value)
    text = str(encode_value(value))
    if not text:
        raise ValueError(f"path parameter {name!r} is empty: the request would go to another path")
    segment = quote(text, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def expand_path(template: str, params: Mapping[str, Any]) -> str:
    """Fill the `{name}` fields of a path template (by name only: no format-string attribute or index lookups)."""

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise ValueError(f"path parameter {name!r} of {template!r} has no value")
        return path_segment(name, params[name])

    return _PATH_FIELD.sub(field, template)


_HEADER_BREAK = re.compile("[\r\n\0]")


def check_header_values(headers: Mapping[str, str]) -> None:
    """Refuse header names or values that would split the request (CR, LF, NUL)."""
    for name, value in headers.items():
        if _HEADER_BREAK.search(name) or _HEADER_BREAK.search(value):
            raise ValueError(f"header {name!r} contains a line break or NUL")
