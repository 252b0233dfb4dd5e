# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Parameter serialization by OpenAPI style (`style`, `explode`, `allowReserved`, `content`).

The generator decides each parameter's style; these functions only execute it, by the shape of
the value at hand: a scalar, a list (array) or a mapping/model (object). Query and path results
are already percent-encoded; header results are plain text. Examples (from the style tables of
the OpenAPI specification, `id` = 5, [3, 4, 5] or {"role": "admin", "firstName": "Alex"}):

    form            id=5   id=3&id=4&id=5 (explode) / id=3,4,5   role=admin&firstName=Alex / id=role,admin,firstName,Alex
    spaceDelimited  id=3%204%205         pipeDelimited  id=3|4|5          deepObject  id[role]=admin&id[firstName]=Alex
    simple          5      3,4,5         role=admin,firstName=Alex (explode) / role,admin,firstName,Alex
    label           .5     .3.4.5 (explode) / .3,4,5     matrix  ;id=5  ;id=3;id=4;id=5 (explode) / ;id=3,4,5
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ._encoding import Encoded, encode_value
from ._types import NOT_GIVEN

__all__ = [
    "content",
    "cookie_header",
    "deep_object",
    "delimited",
    "form",
    "header",
    "label",
    "matrix",
    "query_string",
    "simple",
]

Pairs = list[tuple[str, str]]
# RFC 3986 reserved characters `allowReserved` lets through, except those that would end or split a
# query value (`#`, `&`, `=`, `+`): sent raw, they would change what the server reads.
_RESERVED = ":/?[]@!$'()*,;"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _shape(value: Any) -> Any:
    """JSON-ready data: models and mappings become dicts (None members dropped), enums their values.

    An argument left at `NOT_GIVEN` is not sent, like None (a query, header or cookie has no null).
    """
    return None if value is NOT_GIVEN else encode_value(value)


def _quote(text: str, allow_reserved: bool = False) -> str:
    return quote(text, safe=_RESERVED if allow_reserved else "")


def _flat(value: Any) -> list[str]:
    """An object's members as alternating names and values; an array's items; a scalar alone."""
    if isinstance(value, dict):
        return [part for key, item in value.items() for part in (str(key), _text(item))]
    if isinstance(value, list):
        return [_text(item) for item in value]
    return [_text(value)]


# -- query -----------------------------------------------------------------------------------------


def form(name: str, value: Any, *, explode: bool = True, allow_reserved: bool = False) -> Pairs:
    """`style: form` (the query default; also cookies and form bodies), as percent-encoded `name=value` pairs."""
    data = _shape(value)
    if data is None:
        return []
    key = _quote(name)
    if isinstance(data, dict) and explode:
        return [(_quote(k), _quote(_text(v), allow_reserved)) for k, v in data.items()]
    if isinstance(data, list) and explode:
        return [(key, _quote(_text(item), allow_reserved)) for item in data]
    return [(key, ",".join(_quote(part, allow_reserved) for part in _flat(data)))]


def delimited(name: str, value: Any, delimiter: str, *, explode: bool = False, allow_reserved: bool = False) -> Pairs:
    """`style: spaceDelimited` (delimiter " ") or `pipeDelimited` ("|"): exploded, the same as `form`."""
    data = _shape(value)
    if data is None:
        return []
    if explode or not isinstance(data, (list, dict)):
        return form(name, data, explode=explode, allow_reserved=allow_reserved)
    separator = "%20" if delimiter == " " else delimiter
    return [(_quote(name), separator.join(_quote(part, allow_reserved) for part in _flat(data)))]


def deep_object(name: str, value: Any, *, allow_reserved: bool = False) -> Pairs:
    """`style: deepObject`: `name[member]=value`; nested objects nest the brackets, arrays repeat the key."""
    out: Pairs = []

    def walk(key: str, data: Any) -> None:
        if isinstance(data, dict):
            for member, item in data.items():
                walk(f"{key}[{_quote(str(member))}]", item)
        elif isinstance(data, list):
            for item in data:
                walk(key, item)
        elif data is not None:
            out.append((key, _quote(_text(data), allow_reserved)))

    walk(_quote(name), _shape(value))
    return out


def content(name: str, value: Any, media_type: str) -> Pairs:
    """A `content`-typed query parameter: the value serialized as its media type (JSON), then percent-encoded."""
    if value is None or value is NOT_GIVEN:
        return []
    return [(_quote(name), _quote(_serialize(value, media_type)))]


def _serialize(value: Any, media_type: str) -> str:
    data = _shape(value)
    if media_type.split(";")[0].strip().lower().endswith("json"):
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return _text(data)


def query_string(*parts: Pairs) -> str:
    """Join serialized parameters into a query string (without the `?`)."""
    return "&".join(f"{key}={value}" for pairs in parts for key, value in pairs)


# -- path ------------------------------------------------------------------------------------------


def _path_text(text: str) -> str:
    encoded = _quote(text)
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def _simple(value: Any, explode: bool, media_type: str, escape: Callable[[str], str]) -> str:
    if media_type:
        return escape(_serialize(value, media_type))
    data = _shape(value)
    if isinstance(data, dict) and explode:
        return ",".join(f"{escape(str(k))}={escape(_text(v))}" for k, v in data.items())
    return ",".join(escape(part) for part in _flat(data))


def simple(name: str, value: Any, *, explode: bool = False, media_type: str = "") -> Encoded:
    """`style: simple` (the path default): `3,4,5`; objects `role,admin,…`, exploded `role=admin,…`.

    A value that would be empty is refused: the request would go to another path.
    """
    text = _simple(value, explode, media_type, _path_text)
    if not text:
        raise ValueError(f"path parameter {name!r} is empty: the request would go to another path")
    return Encoded(text)


def label(name: str, value: Any, *, explode: bool = False) -> Encoded:
    """`style: label` (RFC 6570, as the OpenAPI 3.1.1 tables): `.5`, `.3,4,5` / exploded `.3.4.5`; objects `.role,admin` / `.role=admin`."""
    data = _shape(value)
    if isinstance(data, dict) and explode:
        return Encoded("".join(f".{_quote(str(k))}={_quote(_text(v))}" for k, v in data.items()))
    return Encoded("." + ("." if explode else ",").join(_quote(part) for part in _flat(data)))


def matrix(name: str, value: Any, *, explode: bool = False) -> Encoded:
    """`style: matrix`: `;id=5`, `;id=3,4,5` / exploded `;id=3;id=4;id=5`; objects `;id=role,admin` / `;role=admin`."""
    data = _shape(value)
    key = _quote(name)
    if isinstance(data, dict) and explode:
        return Encoded("".join(f";{_quote(str(k))}={_quote(_text(v))}" for k, v in data.items()))
    if isinstance(data, list) and explode:
        return Encoded("".join(f";{key}={_quote(_text(item))}" for item in data))
    text = ",".join(_quote(part) for part in _flat(data))
    return Encoded(f";{key}={text}" if text else f";{key}")


# -- header ----------------------------------------------------------------------------------------


def header(name: str, value: Any, *, explode: bool = False, media_type: str = "") -> str:
    """A header parameter (`style: simple`), as plain text: `3,4,5`, `role,admin` / exploded `role=admin`."""
    return _simple(value, explode, media_type, str)


# -- cookie ----------------------------------------------------------------------------------------


def cookie_header(*parts: Pairs) -> dict[str, str]:
    """A `Cookie` header from `form`-serialized cookie parameters (`{}` when there are none)."""
    pairs = [f"{key}={value}" for pair in parts for key, value in pair]
    return {"Cookie": "; ".join(pairs)} if pairs else {}
