"""JSON-RPC over WebSocket: the generated `client.derivatives.ws` against a real local server.

The server (`tests/servers/ws.py`) runs on its own thread; each test drives an `AsyncClient` in
its own event loop. Faults: a connection dropped mid-request, a server that stops answering
(heartbeats included), out-of-order responses, garbage frames, too_many_requests, floods.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from coinbase_sdk import (
    AsyncClient,
    ClientCredentialsAuth,
    ClientSignatureAuth,
    ConnectionLostError,
    CredentialsError,
    FrameTooLargeError,
    HmacAuth,
    OAuth2Auth,
    RateLimitError,
    SubscriptionError,
    SubscriptionOverflowError,
    WebSocketOptions,
)
from coinbase_sdk.models.derivatives import AccountSummaries, BookNotification, Interval, PortfolioNotification, TickerNotification

from tests.conftest import FIXTURES
from tests.servers import TestKeys
from tests.servers.jsonrpc import OAUTH_TEST_TOKEN
from tests.servers.ws import WsServer

SEED = json.loads((FIXTURES / "payloads" / "account_summaries_extended.json").read_text())
BOOK = "book.BTC_USDC-PERPETUAL.100ms"


@pytest.fixture
def ws_server(keys: TestKeys) -> Iterator[WsServer]:
    with WsServer(keys.public_keys()) as server:
        yield server


@pytest.fixture
def ws_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the WebSocket retry and reconnect loops asked for, without waiting for them."""
    import coinbase_sdk._websocket as websocket

    delays: list[float] = []

    async def fast_sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0.01)

    monkeypatch.setattr(websocket, "_async_sleep", fast_sleep)
    return delays


def client_for(server: WsServer, keys: TestKeys | None = None, **kwargs: Any) -> AsyncClient:
    if keys is not None:
        kwargs.setdefault("api_key_name", keys.ed25519_key_name)
        kwargs.setdefault("api_private_key", keys.ed25519_secret_b64)
    return AsyncClient(derivatives_ws_url=server.url, timeout=5, **kwargs)


def run(test: Callable[[], Awaitable[Any]], timeout: float = 60) -> Any:
    async def main() -> Any:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(main())


async def in_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the server (a blocking, thread-safe API) without blocking the client's loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


def book(change_id: int) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "change", "timestamp": 1_700_000_000_000 + change_id, "instrument_name": "BTC_USDC-PERPETUAL"}
    data.update(change_id=change_id, bids=[["change", 100000.5, change_id]], asks=[])
    if change_id > 1:
        data["prev_change_id"] = change_id - 1
    return data


# -- calls ----------------------------------------------------------------------------------------


def test_calls_go_over_one_authenticated_connection(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            result = await client.derivatives.ws.account_management.get_account_summaries(extended=True)
            assert isinstance(result, AccountSummaries)
            assert result.model_dump(mode="json", exclude_unset=True, by_alias=True) == SEED
            summary = await client.derivatives.ws.account_management.get_account_summary(currency="eth")
            assert summary.currency == "ETH"

    run(test)
    assert ws_server.methods() == ["public/auth", "private/get_account_summaries", "private/get_account_summary"]
    assert ws_server.connections == 1 and ws_server.auth_calls == 1


@pytest.mark.parametrize(
    "auth",
    [
        ClientCredentialsAuth("test-client", "test-client-secret"),
        ClientSignatureAuth("AMANDA", "AMANDASECRECT"),
        OAuth2Auth(OAUTH_TEST_TOKEN),
    ],
    ids=["client_credentials", "client_signature", "coinbase_oauth2"],
)
def test_every_grant_type_authenticates_the_socket(ws_server: WsServer, auth: Any) -> None:
    async def test() -> None:
        async with client_for(ws_server, derivatives_auth=auth) as client:
            await client.derivatives.ws.account_management.get_account_summary(currency="btc")

    run(test)
    assert ws_server.auth_calls == 1


def test_a_per_request_signature_cannot_authenticate_a_socket(ws_server: WsServer) -> None:
    async def test() -> None:
        async with client_for(ws_server, derivatives_auth=HmacAuth("AMANDA", "AMANDASECRECT")) as client:
            with pytest.raises(CredentialsError, match="grant"):
                await client.derivatives.ws.connect()

    run(test)


def test_public_channels_need_no_credentials_private_calls_do(ws_server: WsServer) -> None:
    async def test() -> None:
        async with client_for(ws_server) as client:
            ticker = await client.derivatives.ws.subscribe.ticker(instrument_name="BTC_USDC-PERPETUAL", interval=Interval.FIELD_100MS)
            assert ticker.channel == "ticker.BTC_USDC-PERPETUAL.100ms"
            await in_thread(
                ws_server.publish, ticker.channel, {"instrument_name": "BTC_USDC-PERPETUAL", "timestamp": 1, "best_bid_price": None}
            )
            first = await anext(ticker)
            assert isinstance(first, TickerNotification) and first.best_bid_price is None
            with pytest.raises(CredentialsError):
                await client.derivatives.ws.account_management.get_account_summaries()

    run(test)
    assert ws_server.auth_calls == 0


def test_concurrent_calls_are_matched_by_id_when_answered_out_of_order(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            ws = client.derivatives.ws
            await ws.connect()
            ws_server.reorder = 4  # hold four requests, answer them last first
            currencies = ["btc", "eth", "eth", "btc"]
            results = await asyncio.gather(*(ws.account_management.get_account_summary(currency=c) for c in currencies))
            assert [r.currency for r in results] == [c.upper() for c in currencies]

    run(test)
    assert ws_server.connections == 1


def test_malformed_and_unmatched_frames_are_logged_and_dropped(
    ws_server: WsServer, keys: TestKeys, caplog: pytest.LogCaptureFixture
) -> None:
    async def test() -> int:
        async with client_for(ws_server, keys) as client:
            ws = client.derivatives.ws
            await ws.connect()
            for frame in ("not json {", "[1, 2]", '{"jsonrpc":"2.0","id":987654,"result":1}', '{"jsonrpc":"2.0","method":"surprise"}',
                          '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"nobody.listens","data":{}}}'):  # fmt: skip
                await in_thread(ws_server.send_raw, frame)
            summary = await ws.account_management.get_account_summary(currency="btc")
            assert summary.currency == "BTC"
            return ws.api.dropped_frames

    with caplog.at_level(logging.DEBUG, logger="coinbase_sdk"):
        assert run(test) == 5
    assert "not JSON" in caplog.text and "matches no pending request" in caplog.text
    assert ws_server.connections == 1


def test_a_frame_over_the_servers_limit_is_refused_before_sending(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            ws = client.derivatives.ws.account_management
            with pytest.raises(FrameTooLargeError) as raised:
                await ws.get_account_summary(currency="x" * 40_000)
            assert raised.value.limit == 32768 and raised.value.size > 32768
            assert (await ws.get_account_summary(currency="btc")).currency == "BTC"  # the connection is fine

    run(test)
    assert ws_server.methods("private/get_account_summary") == ["private/get_account_summary"]


def test_raw_responses_and_extra_headers_are_http_only(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            group = client.derivatives.ws.account_management
            with pytest.raises(Exception, match="HTTP-only"):
                await group.with_raw_response.get_account_summary(currency="btc")
            with pytest.raises(Exception, match="HTTP-only"):
                await group.get_account_summary(currency="btc", extra_headers={"X-A": "b"})

    run(test)


# -- subscriptions --------------------------------------------------------------------------------


def test_user_portfolio_notifications_arrive_typed_and_in_order(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> list[float]:
        async with client_for(ws_server, keys) as client:
            async with await client.derivatives.ws.subscribe.user_portfolio(currency="btc") as portfolio:
                for i in range(5):
                    await in_thread(ws_server.publish, "user.portfolio.btc", {"currency": "BTC", "balance": 300 + i, "equity": 301.5})
                seen = []
                async for update in portfolio:
                    assert isinstance(update, PortfolioNotification)
                    seen.append(float(update.balance or 0))
                    if len(seen) == 5:
                        break
            assert not ws_server.subscribed("user.portfolio.btc")  # unsubscribed on exit
            return seen

    assert run(test) == [300, 301, 302, 303, 304]
    assert ws_server.methods()[:2] == ["public/auth", "private/subscribe"]
    assert ws_server.count("private/unsubscribe") == 1


def test_a_refused_channel_raises_subscription_error(ws_server: WsServer) -> None:
    async def test() -> None:
        async with client_for(ws_server) as client:
            with pytest.raises(SubscriptionError) as raised:
                await client.derivatives.ws.api.subscribe("unknown.channel", dict, private=False)
            assert raised.value.channel == "unknown.channel"

    run(test)


# -- liveness and reconnects --------------------------------------------------------------------------


def test_heartbeats_are_requested_on_connect_and_test_requests_answered(ws_server: WsServer, keys: TestKeys) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys, websocket_options=WebSocketOptions(heartbeat_interval=1)) as client:
            await client.derivatives.ws.connect()
            await in_thread(ws_server.wait_for, lambda: ws_server.count("public/test") >= 1, 5)

    run(test)
    assert ws_server.methods()[:2] == ["public/auth", "public/set_heartbeat"]
    assert ws_server.requests[1][2] == {"interval": 1}
    assert ws_server.test_requests_sent >= 1


def test_a_silent_server_is_replaced_pending_calls_fail_typed_and_channels_come_back(
    ws_server: WsServer, keys: TestKeys, ws_sleeps: list[float]
) -> None:
    options = WebSocketOptions(heartbeat_interval=1, heartbeat_timeout=1.5)

    async def test() -> None:
        async with client_for(ws_server, keys, websocket_options=options) as client:
            ws = client.derivatives.ws
            portfolio = await ws.subscribe.user_portfolio(currency="btc")
            ws_server.mute()  # the socket stays open; nothing comes back, not even heartbeats
            with pytest.raises(ConnectionLostError) as raised:
                await ws.account_management.get_account_summaries(max_retries=0)
            assert raised.value.request_sent is True
            assert "may or may not have been executed" in str(raised.value)
            await in_thread(ws_server.wait_for, lambda: ws_server.subscribed("user.portfolio.btc"), 10)
            await in_thread(ws_server.publish, "user.portfolio.btc", {"currency": "BTC", "balance": 1})
            assert (await anext(portfolio)).balance == 1
            assert ws.api.reconnects == 1

    run(test)
    assert ws_server.connections == 2 and ws_server.auth_calls == 2
    assert ws_server.count("public/set_heartbeat") == 2 and ws_server.count("private/subscribe") == 2
    assert ws_sleeps and 0.375 <= ws_sleeps[0] <= 0.5  # the reconnect backed off, with jitter


def test_a_connection_dropped_mid_request(ws_server: WsServer, keys: TestKeys, ws_sleeps: list[float]) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            group = client.derivatives.ws.account_management
            # idempotent: sent again on a new connection
            ws_server.drop_on.add("private/get_account_summaries")
            assert len((await group.get_account_summaries()).summaries) == 2
            # idempotent without retries: the typed error says it may have run
            ws_server.drop_on.add("private/get_account_summaries")
            with pytest.raises(ConnectionLostError) as raised:
                await group.get_account_summaries(max_retries=0)
            assert raised.value.request_sent
            # not idempotent: never sent twice
            ws_server.drop_on.add("private/change_margin_model")
            with pytest.raises(ConnectionLostError):
                await group.change_margin_model(margin_model="cross_pm")

    run(test)
    assert ws_server.count("private/get_account_summaries") == 3
    assert ws_server.count("private/change_margin_model") == 1


def test_every_pending_request_is_resolved_when_the_connection_drops(ws_server: WsServer, keys: TestKeys, ws_sleeps: list[float]) -> None:
    async def test() -> list[Any]:
        async with client_for(ws_server, keys) as client:
            group = client.derivatives.ws.account_management
            await client.derivatives.ws.connect()
            ws_server.reorder = 100  # hold everything: the ten calls stay pending
            calls = [group.get_account_summary(currency="btc") for _ in range(5)] + [
                group.change_margin_model(margin_model="cross_pm") for _ in range(5)
            ]
            tasks = [asyncio.ensure_future(c) for c in calls]
            await in_thread(ws_server.wait_for, lambda: len(ws_server.methods()) >= 11, 5)
            ws_server.reorder = 0
            await in_thread(ws_server.drop_all)
            return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)

    outcomes = run(test)
    assert [getattr(o, "currency", None) for o in outcomes[:5]] == ["BTC"] * 5  # idempotent: retried, answered
    assert all(isinstance(o, ConnectionLostError) and o.request_sent for o in outcomes[5:])  # may have run: raised
    assert ws_server.count("private/change_margin_model") == 5


def test_no_notification_is_lost_or_duplicated_when_the_server_replays_after_a_reconnect(
    ws_server: WsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import coinbase_sdk._websocket as websocket

    gate = asyncio.Event()

    async def gated_sleep(delay: float) -> None:
        await gate.wait()  # reconnect only once the test has published while the client was away

    monkeypatch.setattr(websocket, "_async_sleep", gated_sleep)

    async def test() -> tuple[list[int], Any]:
        async with client_for(ws_server) as client:
            sub = await client.derivatives.ws.subscribe.book(instrument_name="BTC_USDC-PERPETUAL", interval=Interval.FIELD_100MS)
            seen: list[int] = []
            for change_id in range(1, 51):
                await in_thread(ws_server.publish, BOOK, book(change_id))
            while len(seen) < 50:
                seen.append((await anext(sub)).change_id)
            await in_thread(ws_server.drop_all)
            await in_thread(ws_server.wait_for, lambda: not ws_server.subscribed(BOOK), 5)
            for change_id in range(51, 71):  # missed while disconnected
                assert await in_thread(ws_server.publish, BOOK, book(change_id)) == 0
            ws_server.replay_from[BOOK] = 40  # on resubscribe: 40..70, of which 40..50 were seen
            gate.set()
            await in_thread(ws_server.wait_for, lambda: ws_server.subscribed(BOOK), 10)
            for change_id in range(71, 81):
                await in_thread(ws_server.publish, BOOK, book(change_id))
            while len(seen) < 80:
                item = await asyncio.wait_for(anext(sub), 5)
                assert isinstance(item, BookNotification)
                seen.append(item.change_id)
            return seen, sub

    seen, sub = run(test)
    assert seen == list(range(1, 81))
    assert sub.duplicates == 11 and sub.gaps == 0 and sub.dropped == 0


def test_too_many_requests_ends_the_session_and_the_client_waits_then_reconnects(
    ws_server: WsServer, keys: TestKeys, ws_sleeps: list[float]
) -> None:
    async def test() -> None:
        async with client_for(ws_server, keys) as client:
            ws_server.too_many_on.add("private/get_account_summary")
            summary = await client.derivatives.ws.account_management.get_account_summary(currency="btc")
            assert summary.currency == "BTC"
            ws_server.too_many_on.add("private/get_account_summary")
            with pytest.raises(RateLimitError) as raised:
                await client.derivatives.ws.account_management.get_account_summary(currency="btc", max_retries=0)
            assert raised.value.code == 10028 and raised.value.session_closed

    run(test)
    assert ws_server.connections == 2 and ws_server.auth_calls == 2  # the second 10028 is raised: no retry allowed
    assert len(ws_sleeps) == 1 and 0.375 <= ws_sleeps[0] <= 0.5  # the policy's backoff before the retry


def test_the_connection_authenticates_again_before_the_token_expires(keys: TestKeys) -> None:
    with WsServer(keys.public_keys(), token_ttl=1) as server:

        async def test() -> None:
            async with client_for(server, keys) as client:
                await client.derivatives.ws.connect()
                await in_thread(server.wait_for, lambda: server.auth_calls >= 2, 5)
                assert (await client.derivatives.ws.account_management.get_account_summary(currency="btc")).currency == "BTC"

        run(test)
        assert server.connections == 1
        assert [p.get("grant_type") for _, m, p in server.requests if m == "public/auth"][:2] == ["coinbase_cdp", "coinbase_cdp"]


def test_native_refresh_tokens_renew_the_socket_session(keys: TestKeys) -> None:
    with WsServer(keys.public_keys(), token_ttl=1) as server:

        async def test() -> None:
            async with client_for(server, derivatives_auth=ClientSignatureAuth("AMANDA", "AMANDASECRECT")) as client:
                await client.derivatives.ws.connect()
                await in_thread(server.wait_for, lambda: server.auth_calls >= 2, 5)

        run(test)
        grants = [p.get("grant_type") for _, m, p in server.requests if m == "public/auth"]
        assert grants[:2] == ["client_signature", "refresh_token"]


# -- floods and memory ------------------------------------------------------------------------------


def _small_book(i: int) -> str:
    return (
        f'{{"type":"change","timestamp":{i},"instrument_name":"BTC_USDC-PERPETUAL","change_id":{i + 1},'
        f'"bids":[["change",100000.5,{i}]],"asks":[]}}'
    )


def test_memory_stays_flat_over_30000_notifications(ws_server: WsServer) -> None:
    # 25,000 notifications measured after a warm-up of 5,000: anything kept per notification (a dict,
    # a model, an id in a set: 60 bytes and more) grows past the bound, which leaves room for the
    # queue's 1,000 buffered items coming and going.
    total = 30_000

    async def test() -> tuple[int, int, int]:
        async with client_for(ws_server) as client:
            sub = await client.derivatives.ws.subscribe.book(
                instrument_name="BTC_USDC-PERPETUAL", interval=Interval.FIELD_100MS, queue_size=1000
            )
            flood = asyncio.ensure_future(in_thread(ws_server.flood, BOOK, total, _small_book))
            count = 0
            tracemalloc.start()
            try:
                async for item in sub:
                    count += 1
                    if count == 5_000:
                        baseline = tracemalloc.get_traced_memory()[0]
                    if item.change_id == total:
                        break
                after = tracemalloc.get_traced_memory()[0]
            finally:
                tracemalloc.stop()
            await flood
            return count + sub.dropped, after - baseline, sub.dropped

    delivered, growth, dropped = run(test, timeout=240)
    assert delivered == total  # each notification was either consumed or counted as dropped
    assert growth < 512 * 1024, f"memory grew by {growth} bytes over {total} notifications"


def test_a_slow_consumer_gets_a_bounded_queue_drop_oldest_or_error(ws_server: WsServer) -> None:
    async def test() -> tuple[int, int, int]:
        async with client_for(ws_server) as client:
            channels = client.derivatives.ws.subscribe
            dropping = await channels.book(instrument_name="BTC_USDC-PERPETUAL", interval=Interval.FIELD_100MS, queue_size=10)
            strict = await channels.book(
                instrument_name="BTC_USDC-PERPETUAL", interval=Interval.FIELD_100MS, queue_size=10, overflow="error"
            )
            await in_thread(ws_server.flood, BOOK, 100, _small_book)
            await in_thread(ws_server.publish, BOOK, book(101))  # a marker, after the flood (its prev_change_id 100: no gap)
            while dropping.received < 101:  # the reader has queued everything
                await asyncio.sleep(0.01)
            kept = []
            async for item in dropping:
                kept.append(item.change_id)
                if item.change_id == 101:
                    break
            with pytest.raises(SubscriptionOverflowError):
                await anext(strict)
            return len(kept), dropping.dropped, dropping.received

    kept, dropped, received = run(test)
    assert kept == 10 and dropped == 91 and received == 101
