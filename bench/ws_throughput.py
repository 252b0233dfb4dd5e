"""WebSocket notification throughput: the SDK's typed subscription against raw `websockets` + `json.loads`.

    .venv/bin/python -m bench.ws_throughput [--notifications 50000] [--rounds 3] [--rows advanced-trade] [--profile]

(or `bench/.venv/bin/python -m bench.ws_throughput`). A `websockets` server in a child process
(pinned to another CPU when there are two) answers `public/auth` and `*/subscribe`, then sends
`--notifications` `user.portfolio.btc` notifications (Deribit's AsyncAPI example payload, 40
fields) as fast as the socket takes them. Each round times, in the same run against the same
server, from the subscribe request to the last notification:

- raw: `websockets` client + `json.loads` of every frame (no models, no routing);
- raw + model: the same, plus `PortfolioNotification.model_validate(data)`;
- SDK: `AsyncClient(...).derivatives.ws.subscribe.user_portfolio(currency="btc")`, iterated
  (routing by channel, bounded queue, parsing into `PortfolioNotification`);
- the same two ends for the Advanced Trade feed: `--notifications` `ticker` messages (the envelope
  of Coinbase's example, numbered by `sequence_num`) after a `{"type": "subscribe"}`, raw against
  `client.advanced_trade.ws().subscribe_ticker(...)` (the message-protocol runtime: routing by the
  envelope's `channel`, the per-connection sequence check, parsing into `TickerMessage`), with the
  raw + `model_validate` row between them, and the SDK once more with its fast path switched off
  (`every frame decoded`: `json.loads` in the reader, `validate_python` in the consumer, what the
  runtime did before and still does for frames its pattern does not fit), so the two SDK paths
  are compared on the same messages in the same run. The fast path reads `channel` and
  `sequence_num` from the envelope's leading scalar members with anchored patterns (no decode),
  checks the number, queues the text, and the consumer runs `TypeAdapter.validate_json` on it.

Where the time goes in the Advanced Trade SDK row (`--profile`: cProfile of one round, 20,000
messages, tottime): `validate_json` about 9 µs a message (one pass: decode, Decimals, the
models; `json.loads` alone is about 6 µs and `json.loads` + `validate_python` about 13 µs),
the `websockets` frame parser and queue about 8 µs (the raw rows pay it too), `_route_text` about
2-3 µs (two anchored `re` matches, about 1.5 µs, the error-marker check and the push), the
consumer's `__anext__` about 1.5 µs.

Where the time goes: the raw + model row shows a `json.loads` then `model_validate` per
notification costs about twice raw. The SDK reads a notification's channel without decoding the
frame (an anchored pattern on the envelope), queues the text, and the consumer decodes and
validates it in one pydantic-core step (`TypeAdapter.validate_json` of the envelope): one pass
over the bytes instead of two and no intermediate dicts. Channels numbered by a sequence field
(checked on arrival) and `exact_numbers=True` (Decimals from `parse_float`) take the decoded path.

It prints notifications per second (best round) and the ratio to raw. Numbers belong to one
machine; they are printed, never stored. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

CHANNEL = "user.portfolio.btc"
PAYLOAD = {
    "delta_total_map": {"btc_usd": 31.594397699}, "margin_balance": 302.62675921, "futures_session_rpl": -0.03311399,
    "options_session_rpl": 0, "estimated_liquidation_ratio_map": {"btc_usd": 0.10098729140701267}, "session_upl": 0.05341555,
    "estimated_liquidation_ratio": 0.10098729, "options_gamma_map": {"btc_usd": 1e-05}, "options_vega": 0.07976,
    "options_value": -0.0079, "available_withdrawal_funds": 301.35426172, "projected_delta_total": 32.613978,
    "maintenance_margin": 0.8854841, "total_pl": -0.33014225, "options_theta_map": {"btc_usd": 16.13825},
    "projected_maintenance_margin": 0.7543841, "available_funds": 301.38036328, "options_delta": -1.01958,
    "balance": 302.60065765, "equity": 302.6188592, "futures_session_upl": 0.05921555, "fee_balance": 0, "currency": "BTC",
    "options_session_upl": -0.0058, "projected_initial_margin": 1.01529592, "options_theta": 16.13825,
    "portfolio_margining_enabled": False, "cross_collateral_enabled": False, "margin_model": "segregated_sm",
    "options_vega_map": {"btc_usd": 0.07976}, "futures_pl": -0.32434225, "options_pl": -0.0058,
    "initial_margin": 1.24639592, "spot_reserve": 0, "delta_total": 31.602298, "options_gamma": 1e-05,
    "session_rpl": -0.03311399, "additional_reserve": 0,
}  # fmt: skip


TICKER = {
    "channel": "ticker", "client_id": "", "timestamp": "2023-02-09T20:30:37.167359596Z", "sequence_num": 0,
    "events": [{"type": "update", "tickers": [{
        "type": "ticker", "product_id": "BTC-USD", "price": "21932.98", "volume_24_h": "16038.28770938",
        "low_24_h": "21835.29", "high_24_h": "23011.18", "low_52_w": "15460", "high_52_w": "48240",
        "price_percent_chg_24_h": "-4.15775596190603", "best_bid": "21931.98", "best_bid_quantity": "8000.21",
        "best_ask": "21933.98", "best_ask_quantity": "8038.07770938",
    }]}],
}  # fmt: skip


def _serve(port_queue: Any, count: int) -> None:
    """The child process: a minimal gateway that streams `count` notifications after each subscribe."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})
    from websockets.asyncio.server import ServerConnection, serve

    frame = json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": CHANNEL, "data": PAYLOAD}})

    async def handle(ws: ServerConnection) -> None:
        async for message in ws:
            request = json.loads(message)
            if request.get("type") == "subscribe":  # the Advanced Trade protocol: numbered envelopes
                for number in range(count):
                    await ws.send(json.dumps({**TICKER, "sequence_num": number}))
                continue
            method = request["method"]
            if method == "public/auth":
                result: Any = {"access_token": "bench", "expires_in": 3600, "scope": "connection", "token_type": "bearer"}
            elif method.endswith("/subscribe"):
                result = request["params"]["channels"]
            else:
                result = "ok"
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}))
            if method.endswith("/subscribe"):
                for _ in range(count):
                    await ws.send(frame)

    async def main() -> None:
        async with serve(handle, "127.0.0.1", 0, compression=None) as server:
            port_queue.put(server.sockets[0].getsockname()[1])
            await asyncio.Future()

    asyncio.run(main())


async def raw(url: str, count: int, model: type[Any] | None) -> float:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=16 * 1024 * 1024) as ws:
        start = time.perf_counter()
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "private/subscribe", "params": {"channels": [CHANNEL]}}))
        json.loads(await ws.recv())
        received = 0
        async for frame in ws:
            message = json.loads(frame)
            if model is not None:
                model.model_validate(message["params"]["data"])
            received += 1
            if received == count:
                break
        return time.perf_counter() - start


async def sdk(url: str, count: int) -> float:
    from coinbase_sdk import AsyncClient, OAuth2Auth

    async with AsyncClient(derivatives_ws_url=url, derivatives_auth=OAuth2Auth("bench")) as client:
        ws = client.derivatives.ws
        await ws.connect()  # connect and authenticate outside the timing, as the raw rows do not authenticate
        start = time.perf_counter()
        subscription = await ws.subscribe.user_portfolio(currency="btc")
        received = 0
        async for _ in subscription:
            received += 1
            if received == count:
                break
        elapsed = time.perf_counter() - start
        if subscription.dropped or subscription.invalid:
            raise RuntimeError(f"the SDK dropped {subscription.dropped} and rejected {subscription.invalid} notifications")
        return elapsed


async def raw_messages(url: str, count: int, model: type[Any] | None = None) -> float:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_size=16 * 1024 * 1024) as ws:
        start = time.perf_counter()
        await ws.send(json.dumps({"type": "subscribe", "channel": "ticker", "product_ids": ["BTC-USD"]}))
        received = 0
        async for frame in ws:
            message = json.loads(frame)
            if model is not None:
                model.model_validate(message)
            received += 1
            if received == count:
                break
        return time.perf_counter() - start


async def sdk_messages(url: str, count: int, *, decode_every_frame: bool = False) -> float:
    from coinbase_sdk import AsyncClient, WebSocketOptions

    async with AsyncClient() as client, client.advanced_trade.ws(url=url, options=WebSocketOptions(queue_size=count)) as ws:
        if decode_every_frame:  # the runtime's fallback for every frame: json.loads in the reader, validate_python later
            ws._route_text = lambda frame: False  # type: ignore[method-assign]
        await ws.connect()
        start = time.perf_counter()
        subscription = await ws.subscribe_ticker(product_ids=["BTC-USD"])
        received = 0
        async for _ in subscription:
            received += 1
            if received == count:
                break
        elapsed = time.perf_counter() - start
        if subscription.dropped or subscription.invalid or ws.sequence_gaps:
            raise RuntimeError(f"the SDK dropped {subscription.dropped} and rejected {subscription.invalid} messages")
        return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--notifications", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one Advanced Trade SDK round instead (top 15)")
    parser.add_argument("--rows", choices=("all", "advanced-trade"), default="all", help="advanced-trade: only its rows")
    args = parser.parse_args(argv)
    count = args.notifications

    from coinbase_sdk.models.advanced_trade import TickerMessage
    from coinbase_sdk.models.derivatives import PortfolioNotification

    ports: Any = multiprocessing.get_context("spawn").Queue()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(ports, count), daemon=True)
    server.start()
    try:
        url = f"ws://127.0.0.1:{ports.get(timeout=30)}/ws/api/v2"
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(0, {0})
        rows: dict[str, Callable[[], Awaitable[float]]] = {
            "raw websockets + json.loads": lambda: raw(url, count, None),
            "raw + PortfolioNotification.model_validate": lambda: raw(url, count, PortfolioNotification),
            "SDK ws.subscribe.user_portfolio (typed)": lambda: sdk(url, count),
            "Advanced Trade raw websockets + json.loads": lambda: raw_messages(url, count),
            "Advanced Trade raw + TickerMessage.model_validate": lambda: raw_messages(url, count, TickerMessage),
            "Advanced Trade SDK subscribe_ticker, every frame decoded": lambda: sdk_messages(url, count, decode_every_frame=True),
            "Advanced Trade SDK subscribe_ticker (typed)": lambda: sdk_messages(url, count),
        }
        if args.rows == "advanced-trade":
            rows = {name: run for name, run in rows.items() if name.startswith("Advanced Trade")}
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(asyncio.run, sdk_messages(url, count))
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            return 0
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, run in rows.items():  # interleaved, so drift hits every row alike
                elapsed = asyncio.run(run())
                best[name] = min(best.get(name, elapsed), elapsed)
    finally:
        server.kill()
    base = count / best.get("raw websockets + json.loads", 1.0)
    print(
        f"{count} notifications of {CHANNEL} ({len(json.dumps(PAYLOAD))} bytes of data each), best of {args.rounds} rounds, Python {sys.version.split()[0]}"
    )
    for name, elapsed in best.items():
        rate = count / elapsed
        if name.startswith("Advanced Trade"):
            base = count / best["Advanced Trade raw websockets + json.loads"]
        print(f"  {name:<56} {rate:>10,.0f} notifications/s   {rate / base:5.2f}x raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
