"""``make bench``: per-call overhead of the generated SDK, as ratios to baselines measured in the same run.

Run from the repository root with the benchmark's own virtualenv: ``bench/.venv/bin/python -m bench``.
See ``bench/README.md`` for what each row means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack, ExitStack
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import opc as opc_baseline
from bench.server import serve
from bench.timing import AsyncCall, Call, Plan, Row, import_time, print_table, run_async, run_sync
from bench.variants import (
    FIXTURES,
    AsyncFactory,
    SyncFactory,
    Target,
    balances_count,
    rest_async,
    rest_sync,
    rpc_async,
    rpc_sync,
    summaries_count,
)

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
PINNED = ("httpx", "httpcore", "pydantic", "pydantic_core", "PyJWT", "cryptography")

Check = tuple[Callable[[object], int], int]


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:160]


def _verify(result: object, check: Check) -> None:
    count, expected = check
    got = count(result)
    if got != expected:
        raise RuntimeError(f"the call parsed {got} items, the fixture has {expected}")


def sync_section(plan: Plan, factories: Sequence[tuple[str, SyncFactory]], check: Check) -> list[Row]:
    """Build every variant, check one call's result, then time them all together."""
    rows: list[Row] = []
    ready: list[tuple[Row, Call]] = []
    with ExitStack() as stack:
        for label, factory in factories:
            row = Row(label)
            rows.append(row)
            try:
                call = factory(stack)
                _verify(call(), check)
            except Exception as exc:
                row.error = _error(exc)
                continue
            ready.append((row, call))
        run_sync(plan, ready)
    return rows


async def async_section(plan: Plan, factories: Sequence[tuple[str, AsyncFactory]], check: Check) -> list[Row]:
    """`sync_section` for the async variants."""
    rows: list[Row] = []
    ready: list[tuple[Row, AsyncCall]] = []
    async with AsyncExitStack() as stack:
        for label, factory in factories:
            row = Row(label)
            rows.append(row)
            try:
                call = await factory(stack)
                _verify(await call(), check)
            except Exception as exc:
                row.error = _error(exc)
                continue
            ready.append((row, call))
        await run_async(plan, ready)
    return rows


def _versions() -> str:
    """The versions that matter, and a warning when httpx/pydantic differ from the project's pins."""
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        name, sep, pinned = line.partition("==")
        if sep:
            lock[name.strip().lower().replace("_", "-")] = pinned.strip()
    installed = {}
    for name in (*PINNED, "openapi-python-client"):
        try:
            installed[name] = version(name)
        except PackageNotFoundError:
            installed[name] = "missing"
    text = f"Python {platform.python_version()}; " + ", ".join(f"{k} {v}" for k, v in installed.items())
    drift = [
        f"{k} {installed[k]} (requirements.lock: {lock.get(k.lower().replace('_', '-'))})"
        for k in PINNED
        if installed[k] != lock.get(k.lower().replace("_", "-"))
    ]
    if drift:
        text += "\nWARNING: not the project's pins, so the SDK is not measured as tested: " + "; ".join(drift)
    return text


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; ``make bench BENCH_ARGS="--calls 5000"`` passes them through."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per variant (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed calls per variant first (default 200)")
    parser.add_argument("--rounds", type=int, default=100, help="the variants take turns in this many rounds (default 100)")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh interpreters per import-time row (default 7)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every section, print its table; exit 1 when a variant could not run."""
    args = parse_args(argv)
    plan = Plan(args.calls, args.warmup, args.rounds)
    sys.path.insert(0, str(GENERATED))
    # The INTX operations are deprecated: the SDK warns on each call. Silenced, but still timed.
    warnings.simplefilter("ignore", DeprecationWarning)
    balances = json.loads((FIXTURES / "payloads" / "intx_balances.json").read_bytes())
    summaries = json.loads((FIXTURES / "payloads" / "account_summaries_extended.json").read_bytes())
    rest_check: Check = (balances_count, len(balances["portfolio_balances"][0]["balances"]))
    rpc_check: Check = (summaries_count, len(summaries["summaries"]))
    print(_versions())
    print(
        f"{plan.calls} timed calls per variant after {plan.warmup} warm-up calls, in {plan.rounds} interleaved rounds; server in a child process"
    )
    print("Per call, in µs. × base = median / the section's baseline median; + µs = median - baseline median.")

    sections: list[list[Row]] = []
    with tempfile.TemporaryDirectory(prefix="sdkgen-bench-") as tmp, serve() as base_url:
        try:
            generated = opc_baseline.generate(Path(tmp))
        except Exception as exc:
            print(f"openapi-python-client: {_error(exc)}")
            generated = None
        target = Target.load(base_url, generated)
        size = (FIXTURES / "payloads" / "intx_balances.json").stat().st_size / 1000
        runs: list[tuple[str, Callable[[], list[Row]]]] = [
            (f"REST  GET intx/balances ({size:.1f} kB JSON), sync", lambda: sync_section(plan, rest_sync(target), rest_check)),
            ("JSON-RPC  private/get_account_summaries extended=true, sync", lambda: sync_section(plan, rpc_sync(target), rpc_check)),
            ("REST  GET intx/balances, async", lambda: asyncio.run(async_section(plan, rest_async(target), rest_check))),
            (
                "JSON-RPC  private/get_account_summaries extended=true, async",
                lambda: asyncio.run(async_section(plan, rpc_async(target), rpc_check)),
            ),
        ]
        for title, run in runs:
            sections.append(run())
            print_table(title, sections[-1])

        paths = [str(GENERATED), tmp]
        imports = [
            ("import httpx, pydantic (baseline)", "import httpx, pydantic"),
            ("import coinbase_sdk", "import coinbase_sdk"),
            (
                "import coinbase_sdk; Client(); first use of both APIs",
                "import coinbase_sdk\nc = coinbase_sdk.Client()\nc.advanced_trade.perpetuals\nc.derivatives.account_management",
            ),
        ]
        if generated is not None:
            imports.append(("import openapi-python-client's operation module", f"import {generated.operation.__name__}"))
        pycache = str(Path(tmp) / "pycache")
        rows = [import_time(label, statement, paths, args.import_runs, pycache) for label, statement in imports]
        print_table(f"Import time, fresh interpreter, median of {args.import_runs} runs", rows, unit="ms")
        sections.append(rows)

    failed = [row.label for rows in sections for row in rows if row.error]
    if failed:
        print(f"\n{len(failed)} variant(s) could not run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
