"""Request bodies go out as their media type says (probe spec, real sockets, a server that parses them).

JSON, multipart/form-data (file parts from bytes, a file or a `(filename, content, content_type)`
tuple; scalar, array and object parts; the `encoding` object's part content types),
x-www-form-urlencoded with the style rules, binary uploads streamed from bytes, a file or an
iterator, text, and a choice among several media types.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.probe_sdk import PROBE_SPEC, probe_sdk
from tests.servers.faults import Fault
from tests.servers.styles import StyleServer


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return probe_sdk(tmp_path_factory)


@pytest.fixture(scope="module")
def server() -> Iterator[StyleServer]:
    with StyleServer(PROBE_SPEC) as running:
        yield running


@pytest.fixture
def bodies(sdk: ModuleType, server: StyleServer) -> Iterator[Any]:
    with sdk.Client(probe_base_url=server.url, max_retries=2) as client:
        yield client.probe.bodies


def parts(server: StyleServer) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for part in server.last().extra["body"]["multipart"]:
        out.setdefault(part["name"], []).append(part)
    return out


def test_a_json_body_is_its_fields(bodies: Any, server: StyleServer) -> None:
    bodies.body_json(name="n", tags=["a"], filter={"R": 1, "G": 2})
    assert server.last().extra["body"] == {"json": {"name": "n", "tags": ["a"], "filter": {"R": 1, "G": 2}}}


def test_multipart_sends_each_field_as_a_part_with_a_boundary(bodies: Any, server: StyleServer, tmp_path: Path) -> None:
    upload = tmp_path / "report.csv"
    upload.write_bytes(b"a,b\n1,2\n")
    with upload.open("rb") as handle:
        bodies.body_multipart(
            file=handle,
            purpose="batch",
            attachments=[b"\x00\x01", ("notes.txt", b"hello", "text/plain")],
            count=3,
            tags=["x", "y"],
            meta={"R": 1, "G": 2},
            note="# Title",
        )
    record = server.last()
    assert record.headers["content-type"].startswith("multipart/form-data; boundary=")
    got = parts(server)
    assert got["file"][0]["filename"] == "report.csv" and got["file"][0]["content"] == b"a,b\n1,2\n"
    assert got["file"][0]["content_type"] == "image/png"  # the `encoding` object's part content type
    assert [p["content"] for p in got["attachments"]] == [b"\x00\x01", b"hello"]
    assert got["attachments"][1]["filename"] == "notes.txt" and got["attachments"][1]["content_type"] == "text/plain"
    assert got["attachments"][0]["content_type"] == "application/octet-stream"
    assert got["purpose"][0]["content"] == b"batch" and got["purpose"][0]["filename"] is None
    assert got["count"][0]["content"] == b"3"
    assert [p["content"] for p in got["tags"]] == [b"x", b"y"]  # an array: one part per item
    assert got["meta"][0]["content"] == b'{"R":1,"G":2}' and got["meta"][0]["content_type"] == "application/json"
    assert got["note"][0]["content_type"] == "text/markdown"


def test_a_multipart_file_object_is_never_sent_twice(bodies: Any, server: StyleServer) -> None:
    server.enqueue(Fault(path="/bodies/multipart", status=503))
    with pytest.raises(Exception) as caught:
        bodies.body_multipart(file=io.BytesIO(b"data"), purpose="batch")
    assert getattr(caught.value, "status_code", None) == 503
    assert [r.path for r in server.requests.snapshot()].count("/bodies/multipart") >= 1


def test_a_form_body_follows_the_encoding_styles(bodies: Any, server: StyleServer) -> None:
    bodies.body_form(name="a b", tags=["x", "y"], filter={"R": 1, "G": 2}, size=4)
    body = server.last().extra["body"]
    assert server.last().headers["content-type"] == "application/x-www-form-urlencoded"
    assert body["raw"] == "name=a%20b&tags=x%2Cy&filter[R]=1&filter[G]=2&size=4"
    assert body["form"] == [("name", "a b"), ("tags", "x,y"), ("filter[R]", "1"), ("filter[G]", "2"), ("size", "4")]


@pytest.mark.parametrize(
    ("media_type", "check"),
    [
        ("application/json", lambda body: body["json"] == {"name": "n", "size": 2}),
        ("application/x-www-form-urlencoded", lambda body: body["form"] == [("name", "n"), ("size", "2")]),
        ("multipart/form-data", lambda body: [(p["name"], p["content"]) for p in body["multipart"]] == [("name", b"n"), ("size", b"2")]),
    ],
)
def test_an_operation_with_several_media_types_lets_the_caller_choose(
    bodies: Any, server: StyleServer, media_type: str, check: Any
) -> None:
    bodies.body_choice(name="n", size=2, content_type=media_type)
    assert server.last().headers["content-type"].startswith(media_type)
    assert check(server.last().extra["body"])


def test_json_is_the_default_of_several_media_types(bodies: Any, server: StyleServer) -> None:
    bodies.body_choice(name="n")
    assert server.last().extra["body"] == {"json": {"name": "n"}}


def test_a_binary_body_is_sent_from_bytes(bodies: Any, server: StyleServer) -> None:
    bodies.body_binary(body=b"\x00\xff" * 10)
    assert server.last().extra["body"] == {"bytes": b"\x00\xff" * 10, "content_type": "application/octet-stream"}


def test_a_binary_body_is_streamed_from_a_file_in_blocks(bodies: Any, server: StyleServer, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 1024)  # 256 KiB: several blocks
    reads: list[int] = []

    class Counting(io.FileIO):
        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            return super().read(size)

    with Counting(big, "rb") as handle:
        bodies.body_binary(body=handle)
    record = server.last()
    assert record.extra["body"]["bytes"] == big.read_bytes()
    assert record.headers.get("transfer-encoding") == "chunked"
    assert reads and all(0 < size <= 64 * 1024 for size in reads)  # never read whole


def test_a_binary_body_is_streamed_from_an_iterator_and_not_retried(bodies: Any, server: StyleServer) -> None:
    def blocks() -> Iterator[bytes]:
        yield b"one-"
        yield b"two"

    bodies.body_binary(body=blocks())
    assert server.last().extra["body"]["bytes"] == b"one-two"
    server.enqueue(Fault(path="/bodies/binary", status=503))
    before = len(server.requests.snapshot())
    with pytest.raises(Exception, match="503"):
        bodies.body_binary(body=iter([b"x"]))
    assert len(server.requests.snapshot()) == before + 1  # an iterator cannot be sent again


def test_a_binary_body_with_several_image_types_takes_the_chosen_one(bodies: Any, server: StyleServer) -> None:
    bodies.body_image(body=b"\xff\xd8", content_type="image/jpeg")
    assert server.last().extra["body"] == {"bytes": b"\xff\xd8", "content_type": "image/jpeg"}
    bodies.body_image(body=b"\x89PNG")
    assert server.last().extra["body"]["content_type"] == "image/png"


def test_a_text_body_is_utf8(bodies: Any, server: StyleServer) -> None:
    bodies.body_text(body="héllo")
    assert server.last().headers["content-type"] == "text/plain; charset=utf-8"
    assert server.last().extra["body"] == {"text": "héllo"}


def test_the_async_client_streams_uploads_from_async_iterators(sdk: ModuleType, server: StyleServer) -> None:
    async def blocks() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    async def call() -> None:
        async with sdk.AsyncClient(probe_base_url=server.url, max_retries=0) as client:
            await client.probe.bodies.body_binary(body=blocks())
            assert server.last().extra["body"]["bytes"] == b"ab"
            await client.probe.bodies.body_binary(body=io.BytesIO(b"file"))
            assert server.last().extra["body"]["bytes"] == b"file"
            await client.probe.bodies.body_multipart(file=("a.bin", b"z", None), purpose="batch")
            assert parts(server)["file"][0]["filename"] == "a.bin"

    asyncio.run(call())


def test_media_types_are_in_api_json(sdk: ModuleType) -> None:
    import json
    from importlib.resources import files

    surface = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    operation = surface["apis"]["probe"]["operations"]["bodies.body_choice"]
    assert operation["request"] == ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]


def test_the_encoding_objects_part_headers_are_sent_with_their_parts(bodies: Any, server: StyleServer) -> None:
    bodies.body_multipart(file=b"\x89PNG", purpose="batch", note="# Title", count=1)
    got = parts(server)
    assert got["file"][0]["headers"]["x-part-purpose"] == "upload"  # `const` in the header's schema
    assert got["note"][0]["headers"]["x-note-version"] == "2"  # `default`
    assert got["note"][0]["content_type"] == "text/markdown" and got["file"][0]["content_type"] == "image/png"
    assert "x-part-purpose" not in got["count"][0]["headers"]  # only the part the encoding names


def test_a_file_tuple_adds_the_part_headers_the_caller_gives(bodies: Any, server: StyleServer) -> None:
    bodies.body_multipart(file=("a.png", b"\x89PNG", "image/png", {"X-Checksum": "abc123"}), purpose="batch")
    file = parts(server)["file"][0]
    assert (file["filename"], file["content"], file["content_type"]) == ("a.png", b"\x89PNG", "image/png")
    assert file["headers"]["x-checksum"] == "abc123" and file["headers"]["x-part-purpose"] == "upload"


def test_part_headers_are_in_api_json(sdk: ModuleType) -> None:
    import json
    from importlib.resources import files

    surface = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    params = surface["apis"]["probe"]["operations"]["bodies.body_multipart"]["params"]
    assert params["file"]["style"] == "part:image/png; X-Part-Purpose: upload"
    assert params["note"]["style"] == "part:text/markdown; X-Note-Version: 2"


def test_a_part_header_left_to_the_caller_is_named_in_the_docs(bodies: Any) -> None:
    assert "Part headers to give in a `(filename, content, content_type, headers)` tuple: `X-Checksum`." in (
        bodies.body_multipart.__doc__ or ""
    )
