"""Timing loops, statistics and the printed table.

Every variant of a section runs in the same process against the same server. The calls are split
into rounds and the variants take turns round by round, so a slow patch of the machine touches all
of them alike. The first row of a section is its baseline; every ratio is against it.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

Call = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]


@dataclass
class Row:
    """One variant of a section: its samples in microseconds, or why it could not run."""

    label: str
    samples: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        """Median time in µs."""
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        """90th percentile in µs."""
        return statistics.quantiles(self.samples, n=10)[-1]


@dataclass(frozen=True)
class Plan:
    """How many calls each variant gets: ``warmup`` untimed, then ``calls`` timed over ``rounds`` turns."""

    calls: int
    warmup: int
    rounds: int

    @property
    def per_round(self) -> int:
        """Timed calls of one variant in one round."""
        return max(1, -(-self.calls // self.rounds))


def run_sync(plan: Plan, variants: Sequence[tuple[Row, Call]]) -> None:
    """Warm every call up, then time them round by round into their rows."""
    for _, call in variants:
        for _ in range(plan.warmup):
            call()
    gc.collect()  # then the collector runs as it would in use: variants that allocate more pay for it
    clock = time.perf_counter_ns
    for _ in range(plan.rounds):
        for row, call in variants:
            samples = row.samples
            for _ in range(plan.per_round):
                started = clock()
                call()
                samples.append((clock() - started) / 1000)


async def run_async(plan: Plan, variants: Sequence[tuple[Row, AsyncCall]]) -> None:
    """`run_sync` for coroutines, inside the running event loop."""
    for _, call in variants:
        for _ in range(plan.warmup):
            await call()
    gc.collect()  # then the collector runs as it would in use: variants that allocate more pay for it
    clock = time.perf_counter_ns
    for _ in range(plan.rounds):
        for row, call in variants:
            samples = row.samples
            for _ in range(plan.per_round):
                started = clock()
                await call()
                samples.append((clock() - started) / 1000)


def import_time(label: str, statement: str, sys_path: Sequence[str], runs: int, pycache: str) -> Row:
    """Time ``statement`` in ms in ``runs`` fresh interpreters, after one untimed run that compiles.

    Bytecode goes to ``pycache`` (``PYTHONPYCACHEPREFIX``), so every row reads .pyc files, as an
    installed wheel would, and nothing is written into the source tree.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    code = (
        f"import sys, time\nsys.path[:0] = {list(sys_path)!r}\n"
        f"started = time.perf_counter()\n{statement}\nprint((time.perf_counter() - started) * 1e3)\n"
    )
    row = Row(label)
    for i in range(runs + 1):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            row.error = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
            return row
        if i:
            row.samples.append(float(done.stdout))
    return row


def print_table(title: str, rows: Sequence[Row], unit: str = "µs", targets: Mapping[str, float] | None = None) -> None:
    """Print one section: median, p90, ratio of medians to the first row, the difference to it, and
    for the rows that have a target ratio (issue 7), whether it is met."""
    targets = targets or {}
    print(f"\n{title}")
    width = max(len(r.label) for r in rows) + 2
    print(f"  {'variant':<{width}}{'median ' + unit:>12}{'p90 ' + unit:>12}{'× base':>9}{'+ ' + unit:>11}  target")
    base = rows[0].median if rows and not rows[0].error and rows[0].samples else None
    for row in rows:
        goal = targets.get(row.label)
        if row.error or not row.samples:
            error = row.error or "no samples"
            print(
                f"  {row.label:<{width}}{error if error.startswith('FAILED') else 'ERROR: ' + error}{'  (target ≤ ' + format(goal, 'g') + '×: MISSED)' if goal else ''}"
            )
            continue
        ratio = f"{row.median / base:8.2f}×" if base else "      n/a"
        extra = f"{row.median - base:+11.1f}" if base else "        n/a"
        verdict = ""
        if goal is not None and base:
            verdict = f"  ≤ {goal:g}×: {'met' if row.median / base <= goal else 'MISSED'}"
        print(f"  {row.label:<{width}}{row.median:12.1f}{row.p90:12.1f}{ratio}{extra}{verdict}")
