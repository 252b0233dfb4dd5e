"""The gateway's order book channel (`book.{instrument_name}.{interval}`, sequenced by `change_id`
and `prev_change_id`, `on-gap: resubscribe` in the AsyncAPI overlay) kept as a book across a gap.

The server (`tests/servers/ws.py`) holds the true book, sends a snapshot on every subscribe and a
change per update; the test makes it skip changes. The client subscribes again after the gap, drops
the changes that arrive before the fresh snapshot, and the book the consumer keeps from the items
equals the server's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from coinbase_sdk import AsyncClient
from coinbase_sdk.models.derivatives import BookNotification, Interval

from tests.servers import TestKeys
from tests.servers.ws import WsServer

BTC = "BTC_USDC-PERPETUAL"
BOOK = f"book.{BTC}.100ms"


class TrueBook:
    """The server's book: price -> amount per side, and the last change_id."""

    def __init__(self) -> None:
        self.sides: dict[str, dict[Decimal, Decimal]] = {"bids": {Decimal("100"): Decimal("1")}, "asks": {Decimal("101"): Decimal("2")}}
        self.change_id = 1

    def snapshot(self) -> dict[str, Any]:
        levels = {side: [["new", float(p), float(a)] for p, a in sorted(book.items())] for side, book in self.sides.items()}
        return {"type": "snapshot", "timestamp": 1, "instrument_name": BTC, "change_id": self.change_id, **levels}

    def change(self, side: str, price: str, amount: str) -> dict[str, Any]:
        book = self.sides[side]
        p, a = Decimal(price), Decimal(amount)
        action = "delete" if a == 0 else ("change" if p in book else "new")
        if a == 0:
            book.pop(p, None)
        else:
            book[p] = a
        previous, self.change_id = self.change_id, self.change_id + 1
        other = "asks" if side == "bids" else "bids"
        return {
            "type": "change",
            "timestamp": 1,
            "instrument_name": BTC,
            "change_id": self.change_id,
            "prev_change_id": previous,
            side: [[action, float(p), float(a)]],
            other: [],
        }


def apply(book: dict[str, dict[Decimal, Decimal]], item: BookNotification) -> None:
    """What a consumer does with the items: a snapshot replaces the book, a change edits it."""
    data = item.model_dump(mode="json")
    if data.get("type") == "snapshot":
        book["bids"], book["asks"] = {}, {}
    for side in ("bids", "asks"):
        for action, price, amount in data.get(side) or []:
            if action == "delete":
                book[side].pop(Decimal(str(price)), None)
            else:
                book[side][Decimal(str(price))] = Decimal(str(amount))


@pytest.fixture
def server(keys: TestKeys) -> Iterator[tuple[WsServer, TrueBook]]:
    truth = TrueBook()
    with WsServer(keys.public_keys()) as ws:
        ws.snapshots[BOOK] = truth.snapshot
        yield ws, truth


def test_a_gap_in_change_ids_resubscribes_and_the_book_stays_consistent(server: tuple[WsServer, TrueBook]) -> None:
    ws, truth = server

    async def test() -> tuple[dict[str, dict[Decimal, Decimal]], Any]:
        async with AsyncClient(derivatives_ws_url=ws.url, timeout=5) as client:
            sub = await client.derivatives.ws.subscribe.book(instrument_name=BTC, interval=Interval.FIELD_100MS)
            book: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
            apply(book, await asyncio.wait_for(anext(sub), 5))  # the snapshot sent on subscribe
            for price, amount in (("99", "3"), ("100", "1.5")):
                await asyncio.to_thread(ws.publish, BOOK, truth.change("bids", price, amount))
            truth.change("asks", "101", "0")  # lost on the way: the client never sees it
            truth.change("asks", "102", "4")
            await asyncio.to_thread(ws.publish, BOOK, truth.change("bids", "98", "7"))  # prev_change_id: a gap
            await asyncio.to_thread(ws.wait_for, lambda: ws.count("public/subscribe") == 2, 5)
            # The snapshot answers the second subscribe; a change after it continues from there.
            await asyncio.to_thread(ws.publish, BOOK, truth.change("asks", "103", "1"))
            while True:
                item = await asyncio.wait_for(anext(sub), 5)
                apply(book, item)
                if item.change_id == truth.change_id:
                    return book, sub

    book, sub = asyncio.run(asyncio.wait_for(test(), 30))
    assert book == truth.sides
    assert (sub.gaps, sub.resubscribed) == (1, 1)
    assert ws.methods() == ["public/subscribe", "public/unsubscribe", "public/subscribe"]
