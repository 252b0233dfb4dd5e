"""Server-sent events: typed iterators over real sockets (probe spec; tests/servers/styles.py streams the events).

An operation answering only `text/event-stream` returns a `Stream` of its event model; one answering
JSON or a stream (a `stream` body flag) gets two methods: `complete()` and `complete_stream()`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from tests.probe_sdk import PROBE_SPEC, probe_sdk
from tests.servers.styles import Streamed, StyleServer


def event(data: object, *, id: str = "", name: str = "") -> bytes:
    lines = ([f"id: {id}"] if id else []) + ([f"event: {name}"] if name else [])
    text = data if isinstance(data, str) else json.dumps(data)
    lines += [f"data: {line}" for line in text.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return probe_sdk(tmp_path_factory)


@pytest.fixture
def server() -> Iterator[StyleServer]:
    with StyleServer(PROBE_SPEC) as running:
        yield running


@pytest.fixture
def client(sdk: ModuleType, server: StyleServer) -> Iterator[Any]:
    with sdk.Client(probe_base_url=server.url, max_retries=2) as probe:
        yield probe.probe


def test_a_stream_flag_operation_has_a_json_method_and_a_streaming_one(client: Any, server: StyleServer) -> None:
    server.responses["complete"] = (200, b'{"id": "c1", "text": "hello"}', {"Content-Type": "application/json"})
    assert client.events.complete(prompt="hi").text == "hello"
    assert server.last().extra["body"] == {"json": {"prompt": "hi"}}  # the JSON method leaves the flag out
    chunks = [event({"id": "c1", "delta": "hel"}), b": keep-alive\n\n", event({"id": "c1", "delta": "lo"}), event("[DONE]")]
    server.streams["/events/complete"] = [Streamed(chunks)]
    with client.events.complete_stream(prompt="hi") as stream:
        deltas = [chunk.delta for chunk in stream]
    assert deltas == ["hel", "lo"]
    record = server.last()
    assert json.loads(record.body) == {"prompt": "hi", "stream": True}
    assert record.headers["accept"] == "text/event-stream"


def test_events_parse_into_the_spec_model_across_chunk_boundaries(client: Any, server: StyleServer) -> None:
    whole = event({"seq": 1, "price": "10.5"}, id="1") + event({"seq": 2, "price": "11"}, id="2", name="tick")
    server.streams["/events/ticks"] = [Streamed([whole[:7], whole[7:30], whole[30:]])]
    ticks = list(client.events.ticks(symbol="BTC"))
    assert [(t.seq, t.price) for t in ticks] == [(1, Decimal("10.5")), (2, Decimal("11"))]
    assert type(ticks[0]).__name__ == "Tick"


def test_multiline_data_is_joined_with_newlines(sdk: ModuleType) -> None:
    from probe_sdk._sse import _Decoder

    decoder = _Decoder()
    out = [decoder.feed(line) for line in ["data: a", "data:b", "id: 7", "retry: 10", ""]]
    assert out[-1] is not None and (out[-1].data, out[-1].id, out[-1].retry) == ("a\nb", "7", 10)


def test_breaking_out_of_the_loop_closes_the_connection(client: Any, server: StyleServer) -> None:
    answer = Streamed([event({"seq": n}) for n in range(200)], delay=0.01)
    server.streams["/events/ticks"] = [answer]
    for tick in client.events.ticks(symbol="BTC"):
        if tick.seq == 2:
            break
    assert answer.aborted.wait(5), "the server kept writing to a connection the client should have closed"


def test_an_idempotent_stream_resumes_after_a_drop_with_last_event_id(client: Any, server: StyleServer) -> None:
    server.streams["/events/ticks"] = [
        Streamed([event({"seq": 1}, id="1"), event({"seq": 2}, id="2")], dropped=True),
        Streamed([event({"seq": 3}, id="3")]),
    ]
    assert [t.seq for t in client.events.ticks(symbol="BTC")] == [1, 2, 3]
    first, second = server.requests.snapshot()[-2:]
    assert "last-event-id" not in first.headers and second.headers["last-event-id"] == "2"


def test_a_non_idempotent_stream_is_not_sent_again_after_a_drop(client: Any, server: StyleServer, sdk: ModuleType) -> None:
    server.streams["/events/complete"] = [Streamed([event({"id": "c", "delta": "x"})], dropped=True)]
    seen = []
    with pytest.raises(sdk.APIConnectionError):
        for chunk in client.events.complete_stream(prompt="hi"):
            seen.append(chunk.delta)
    assert seen == ["x"] and len(server.requests.snapshot()) == 1


def test_an_error_status_raises_when_the_call_is_made(client: Any, server: StyleServer, sdk: ModuleType) -> None:
    server.responses["ticks"] = (429, b'{"message": "slow down"}', {"Content-Type": "application/json"})
    with pytest.raises(sdk.RateLimitError, match="slow down"):
        client.events.ticks(symbol="BTC")


def test_the_async_client_iterates_events(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/events/complete"] = [Streamed([event({"id": "a", "delta": "x"}), event({"id": "a", "delta": "y"}), event("[DONE]")])]

    async def call() -> list[str]:
        async with sdk.AsyncClient(probe_base_url=server.url) as probe:
            async with await probe.probe.events.complete_stream(prompt="hi") as stream:
                return [chunk.delta async for chunk in stream]

    assert asyncio.run(call()) == ["x", "y"]


def test_text_and_binary_responses(client: Any, server: StyleServer) -> None:
    server.responses["readme"] = (200, "héllo".encode(), {"Content-Type": "text/plain; charset=utf-8"})
    server.responses["download"] = (200, b"\x00\x01\x02", {"Content-Type": "application/octet-stream"})
    assert client.files.readme() == "héllo"
    assert client.files.download() == b"\x00\x01\x02"


def test_a_text_or_binary_operation_asks_for_its_media_type(client: Any, server: StyleServer) -> None:
    server.responses["download"] = (200, b"\x00", {"Content-Type": "application/octet-stream"})
    client.files.download()
    assert server.last().headers["accept"] == "application/octet-stream"


def test_a_stream_of_small_events_may_outgrow_max_response_bytes(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/events/ticks"] = [Streamed([event({"seq": n, "price": "1.5"}) for n in range(300)])]  # ~10 KB in all
    with sdk.Client(probe_base_url=server.url, max_response_bytes=1024) as probe:
        assert [t.seq for t in probe.probe.events.ticks(symbol="BTC")] == list(range(300))


def test_an_event_larger_than_max_response_bytes_fails_clearly(sdk: ModuleType, server: StyleServer) -> None:
    big = event({"seq": 2, "price": "9" * 3000})
    server.streams["/events/ticks"] = [Streamed([event({"seq": 1}), big[:1000], big[1000:], event({"seq": 3})])]
    seen = []
    with sdk.Client(probe_base_url=server.url, max_response_bytes=1024) as probe:
        with pytest.raises(sdk.ResponseTooLargeError, match=r"an event of the stream .* max_response_bytes=1024") as caught:
            for tick in probe.probe.events.ticks(symbol="BTC"):
                seen.append(tick.seq)
    assert seen == [1] and caught.value.limit == 1024


def test_an_event_of_many_data_lines_is_bounded_as_a_whole(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/events/ticks"] = [Streamed([b"data: 12345678\n" * 200 + b"\n"])]  # 200 short lines, one event
    with sdk.Client(probe_base_url=server.url, max_response_bytes=1024) as probe:
        with pytest.raises(sdk.ResponseTooLargeError, match="an event"):
            list(probe.probe.events.ticks(symbol="BTC"))


def test_a_line_that_never_ends_is_bounded(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/events/ticks"] = [Streamed([b"data: " + b"9" * 700] * 10)]  # no line break, ever
    with sdk.Client(probe_base_url=server.url, max_response_bytes=1024) as probe:
        with pytest.raises(sdk.ResponseTooLargeError, match="a line"):
            list(probe.probe.events.ticks(symbol="BTC"))


def test_the_async_client_bounds_each_event(sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/events/ticks"] = [Streamed([event({"seq": n}) for n in range(100)] + [event({"seq": 100, "price": "9" * 3000})])]

    async def call() -> list[int]:
        seen: list[int] = []
        async with sdk.AsyncClient(probe_base_url=server.url, max_response_bytes=1024) as probe:
            with pytest.raises(sdk.ResponseTooLargeError, match="an event"):
                async for tick in await probe.probe.events.ticks(symbol="BTC"):
                    seen.append(tick.seq)
        return seen

    assert asyncio.run(call()) == list(range(100))
