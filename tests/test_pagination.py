"""Auto-pagination from `x-sdkgen-pagination`: pages across a local server, sync and async, with a failure mid-way.

The fixture API (tests/fixtures/specs/paging_and_nulls.yaml) pages `GET /notes` by cursor with a
has-more flag and `GET /archive` by offset and limit; the server holds 8 notes, 3 per page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.paging_sdk import NOTES, NotesServer, generate_sdk

ALL_IDS = [n["id"] for n in NOTES]


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The fixture API's SDK, generated once for this module."""
    yield from generate_sdk(tmp_path_factory.mktemp("notes"))


@pytest.fixture
def server() -> Any:
    with NotesServer() as s:
        yield s


def ids(items: Any) -> list[str]:
    return [item.id for item in items]


def test_iterating_the_first_page_yields_every_item_of_every_page(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        page = client.notes.notes.list_notes()
        assert isinstance(page, sdk.SyncPage) and ids(page.items) == ["n0", "n1", "n2"]
        assert len(server.requests) == 1  # the first page only, until iterated
        assert ids(page) == ALL_IDS
    assert [r.query.get("cursor") for r in server.requests] == [None, ["c3"], ["c6"]]


def test_a_page_exposes_its_response_its_raw_response_and_the_next_page(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        page = client.notes.notes.list_notes(limit=4)
        assert page.response.has_more is True and page.response.next_cursor == "c4"
        assert page.next_cursor == "c4"  # the result's fields read through the page
        assert page.raw_response is not None and page.raw_response.status_code == 200
        assert page.raw_response.request.method == "GET"
        assert page.has_next_page()
        second = page.next_page()
        assert second is not None and ids(second.items) == ["n4", "n5", "n6", "n7"] and not second.has_next_page()
        assert second.next_page() is None
        assert [ids(p.items) for p in page.iter_pages()] == [["n0", "n1", "n2", "n3"], ["n4", "n5", "n6", "n7"]]
        assert server.requests[-1].query["limit"] == ["4"]  # the other arguments are kept


def test_with_raw_response_returns_the_first_page_raw(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        raw = client.notes.notes.with_raw_response.list_notes()
        assert raw.status_code == 200
        page = raw.parse()
        assert ids(page) == ALL_IDS


def test_offset_paging_advances_by_the_items_read_and_stops_on_a_short_page(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        assert ids(client.notes.notes.list_archive(limit=3)) == ALL_IDS
    assert [r.query.get("offset") for r in server.requests] == [None, ["3"], ["6"]]  # 6: 2 items < 3, the last


def test_offset_paging_without_a_limit_stops_on_an_empty_page(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        assert ids(client.notes.notes.list_archive()) == ALL_IDS
    assert [r.query.get("offset") for r in server.requests] == [None, ["3"], ["6"], ["8"]]


def test_a_failed_page_raises_a_typed_error_and_iterating_again_skips_nothing(sdk: ModuleType, server: NotesServer) -> None:
    server.fail_once.add("c3")
    seen: list[str] = []
    with sdk.Client(notes_base_url=server.url, max_retries=0) as client:
        items = iter(client.notes.notes.list_notes())
        with pytest.raises(sdk.InternalServerError) as raised:
            for item in items:
                seen.append(item.id)
        assert raised.value.status_code == 500 and seen == ["n0", "n1", "n2"]
        seen.extend(item.id for item in items)  # the same iterator: it asks for page 2 again
    assert seen == ALL_IDS


def test_async_for_iterates_every_page_and_resumes_after_a_failure(sdk: ModuleType, server: NotesServer) -> None:
    server.fail_once.add("offset=6")

    async def main() -> tuple[list[str], list[str], Any]:
        async with sdk.AsyncClient(notes_base_url=server.url, max_retries=0) as client:
            everything = [note.id async for note in client.notes.notes.list_notes()]
            first = await client.notes.notes.list_archive(limit=3)
            assert isinstance(first, sdk.AsyncPage) and ids(first.items) == ["n0", "n1", "n2"]
            items = first.__aiter__()
            seen: list[str] = []
            with pytest.raises(sdk.InternalServerError):
                while True:
                    seen.append((await items.__anext__()).id)
            async for note in items:
                seen.append(note.id)
            second = await first.next_page()
            return everything, seen, second

    everything, seen, second = asyncio.run(main())
    assert everything == ALL_IDS and seen == ALL_IDS
    assert second is not None and ids(second.items) == ["n3", "n4", "n5"]


def test_a_server_that_repeats_its_cursor_ends_the_iteration(sdk: ModuleType) -> None:
    from tests.servers.scripted import ScriptedServer

    with ScriptedServer(lambda r: (200, {"notes": [{"id": "x"}], "has_more": True, "next_cursor": "same"})) as server:
        with sdk.Client(notes_base_url=server.url) as client:
            assert ids(client.notes.notes.list_notes()) == ["x", "x"]  # page 1, then page "same" repeats it: stop
