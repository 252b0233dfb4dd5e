# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Request bodies other than JSON: multipart/form-data, form-urlencoded, binary uploads and text.

The generator decides the media type and, for each field, its part content type (the `encoding`
object) or its form style; these functions only build what httpx sends. Uploads are never read
whole: a file object or an iterator is streamed in blocks.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, TypeAlias, cast

from ._encoding import encode_value
from ._params import deep_object, delimited, form, query_string
from ._types import NOT_GIVEN, NotGiven

__all__ = ["BinaryInput", "Field", "FileInput", "async_binary", "binary", "fields_body", "text"]

#: A file part: its bytes, an open binary file, `(filename, content, content_type)` or `(filename, content, content_type, headers)`.
FileInput: TypeAlias = (
    bytes
    | IO[bytes]
    | tuple[str | None, bytes | IO[bytes], str | None]
    | tuple[str | None, bytes | IO[bytes], str | None, Mapping[str, str]]
)
#: A binary body: bytes, an open binary file, or an iterator of byte blocks (streamed, never read whole).
BinaryInput: TypeAlias = bytes | IO[bytes] | Iterable[bytes] | AsyncIterable[bytes]

_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Field:
    """One property of an object body, with how its media type encodes it.

    `content_type`: the part's content type in a multipart body (`encoding.contentType`; empty:
    the OpenAPI default for its value: text/plain for scalars, application/json for objects,
    application/octet-stream for files); `headers` are the part's fixed headers (`encoding.headers`
    values the spec fixes; a file tuple's own headers are added to them). `style`/`explode`
    serialize it in a form-urlencoded body.
    """

    name: str
    value: Any
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    style: str = "form"
    explode: bool = True


def _is_file(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray)) or hasattr(value, "read") or isinstance(value, tuple)


def _file_part(item: Field, value: Any) -> tuple[str | None, Any, str | None, dict[str, str]]:
    given: Mapping[str, str] = {}
    if isinstance(value, tuple):
        if len(value) not in (3, 4):
            raise ValueError(f"file part {item.name!r}: a tuple is (filename, content, content_type[, headers])")
        filename, content, content_type = value[:3]
        given = value[3] if len(value) == 4 else {}
    else:
        filename = (
            os.path.basename(str(getattr(value, "name", ""))) or item.name if hasattr(value, "read") else item.name
        )
        content, content_type = value, None
    return filename, content, content_type or item.content_type or "application/octet-stream", {**item.headers, **given}


def _value_part(item: Field, value: Any) -> tuple[None, bytes, str | None, dict[str, str]]:
    data = encode_value(value)
    media = item.content_type
    if isinstance(data, (dict, list)) or media.endswith("json"):
        return (
            None,
            json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
            media or "application/json",
            dict(item.headers),
        )
    text_value = ("true" if data else "false") if isinstance(data, bool) else str(data)
    return None, text_value.encode(), media or None, dict(item.headers)


def _multipart(fields: Iterable[Field]) -> list[tuple[str, Any]]:
    parts: list[tuple[str, Any]] = []
    for item in fields:
        if item.value is None or item.value is NOT_GIVEN:  # a part has no null: both leave it out
            continue
        values = item.value if isinstance(item.value, list) else [item.value]  # an array: one part per item
        for value in values:
            if _is_file(value) and not item.content_type.endswith("json"):
                parts.append((item.name, _file_part(item, value)))
            else:
                parts.append((item.name, _value_part(item, value)))
    return parts


def fields_body(media_type: str, *fields: Field) -> dict[str, Any]:
    """The `RequestOptions` keywords that send an object body's fields as `media_type`."""
    media = media_type.split(";")[0].strip().lower()
    if media == "multipart/form-data":
        parts = _multipart(fields)
        if not parts:  # httpx writes a multipart body only when there is a part: an empty form is its closing line
            return {"content": b"--sdkgen-empty--\r\n", "content_type": "multipart/form-data; boundary=sdkgen-empty"}
        # A file object is read as it is sent: the request cannot be sent again.
        return {"files": parts, "streamed": any(hasattr(part[1], "read") for _, part in parts)}
    if media == "application/x-www-form-urlencoded":
        pairs = [_form_field(f) for f in fields if f.value is not None and f.value is not NOT_GIVEN]
        # In a form body the server decodes each value before it splits it: the delimiters are encoded too.
        encoded = [[(key, value.replace(",", "%2C").replace("|", "%7C")) for key, value in pair] for pair in pairs]
        return {"content": query_string(*encoded).encode("ascii"), "content_type": media_type}
    return {"json_body": {f.name: f.value for f in fields if f.value is not NOT_GIVEN}}  # None is JSON null


def _form_field(item: Field) -> list[tuple[str, str]]:
    if item.style == "deepObject":
        return deep_object(item.name, item.value)
    if item.style in ("spaceDelimited", "pipeDelimited"):
        return delimited(item.name, item.value, " " if item.style == "spaceDelimited" else "|", explode=item.explode)
    return form(item.name, item.value, explode=item.explode)


def text(value: str | NotGiven | None, media_type: str) -> dict[str, Any]:
    """A text body (`text/plain`, `text/csv`...), UTF-8."""
    if value is None or isinstance(value, NotGiven):  # an optional body left out: nothing is sent
        return {}
    charset = "" if "charset=" in media_type else "; charset=utf-8"
    return {"content": value.encode("utf-8"), "content_type": media_type + charset}


def _blocks(file: IO[bytes]) -> Iterator[bytes]:
    while block := file.read(_BLOCK):
        yield block


async def _async_blocks(source: IO[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    for block in _blocks(source) if hasattr(source, "read") else source:  # type: ignore[arg-type]
        yield block


def binary(value: BinaryInput | NotGiven | None, media_type: str) -> dict[str, Any]:
    """A binary body for the sync client: bytes as they are, a file or an iterator streamed in blocks."""
    if value is None or isinstance(value, NotGiven):  # an optional body left out: nothing is sent
        return {}
    if isinstance(value, (bytes, bytearray)):
        return {"content": bytes(value), "content_type": media_type}
    if isinstance(value, AsyncIterable):
        raise TypeError("an async iterator is an upload for the async client")
    content = _blocks(cast("IO[bytes]", value)) if hasattr(value, "read") else value
    return {"content": content, "content_type": media_type, "streamed": True}


def async_binary(value: BinaryInput | NotGiven | None, media_type: str) -> dict[str, Any]:
    """A binary body for the async client: bytes, a file or a (sync or async) iterator, streamed."""
    if value is None or isinstance(value, NotGiven):  # an optional body left out: nothing is sent
        return {}
    if isinstance(value, (bytes, bytearray)):
        return {"content": bytes(value), "content_type": media_type}
    content = value if isinstance(value, AsyncIterable) else _async_blocks(value)
    return {"content": content, "content_type": media_type, "streamed": True}
