# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Turning SDK values into what goes on the wire, and wire bytes back into values. No I/O here."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

import pydantic

from ._limits import exact_number
from ._models import ExactInteger
from ._types import NOT_GIVEN

__all__ = [
    "Encoded",
    "check_header_values",
    "decimal_text",
    "dumps_exact",
    "encode_value",
    "expand_path",
    "header_text",
    "loads",
    "path_segment",
    "query_items",
]

_PATH_FIELD = re.compile(r"\{([^{}]*)\}")


def decimal_text(value: Decimal) -> str:
    """A decimal in positional notation with exactly its digits: `0.00000001`, `1000`, `-0.5`, never `1E-8`.

    `str(Decimal)` writes an exponent for small or scaled values (`1E-8`, `1E+3`), which decimal
    patterns and many servers refuse. Negative zero is written `0` (the same number).
    """
    if not value.is_finite():
        raise ValueError(f"{value} cannot be sent: JSON has no NaN or infinity")
    text = format(value, "f")
    return text[1:] if value.is_zero() and text.startswith("-") else text


def encode_value(value: Any, *, decimal_as_number: bool = False) -> Any:
    """Models, enums, decimals and dates as JSON-ready data; `NOT_GIVEN` values in mappings are left out.

    Decimals become positional strings (REST APIs send money as decimal strings), or stay
    `Decimal` for `dumps_exact` to write as JSON numbers (for protocols that send prices as
    numbers). `None` stays `None`: it is sent as `null`.
    """
    if isinstance(value, pydantic.BaseModel):
        # Python mode, then encoded here: pydantic's JSON mode writes a Decimal as `str()` (`1E-8`).
        return encode_value(value.model_dump(by_alias=True, exclude_unset=True), decimal_as_number=decimal_as_number)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        text = decimal_text(value)  # checks finiteness in both modes
        return Decimal(text) if decimal_as_number else text
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        return value.isoformat().removesuffix("+00:00") + "Z"  # UTC as pydantic writes it
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {
            str(k): encode_value(v, decimal_as_number=decimal_as_number) for k, v in value.items() if v is not NOT_GIVEN
        }
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
        return decimal_text(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dumps_with_decimals(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps_with_decimals(v) for v in value) + "]"
    return json.dumps(value, allow_nan=False)


def loads(content: bytes, *, exact_numbers: bool) -> Any:
    """Decode JSON; with `exact_numbers`, numbers keep their digits: fractions become `Decimal` without
    passing through float, whole numbers an `ExactInteger` (an `int` that a `JsonNumber` field reads as `Decimal`)."""
    try:
        if exact_numbers:
            return json.loads(content, parse_float=exact_number, parse_int=ExactInteger)
        return json.loads(content)
    except RecursionError:  # `[[[[...` from a hostile or broken server: a ValueError like any bad JSON
        raise ValueError("JSON nested too deeply") from None


def _query_value(value: Any) -> str:
    value = encode_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def header_text(value: Any) -> str:
    """One header parameter's value as text (decimals positional, booleans `true`/`false`)."""
    return _query_value(value)


def query_items(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query parameters as (name, text) pairs: lists repeat the name; `NOT_GIVEN` and None (a query
    string has no null) are left out."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value is NOT_GIVEN:
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
