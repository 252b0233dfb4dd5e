"""Generation time against spec size: is ``sdkgen generate`` linear in the number of operations?

    python -m bench.scale [--sizes 1000 4000 16000] [--runs 1] [--timeout 1800] [--no-chain]

Each size is one synthetic OpenAPI 3.1 document (``synthetic_spec``): resources of five operations
each (list, create, get, replace, delete on ``/rN`` and ``/rN/{id}``), one component schema per
resource with a ``$ref`` to the first of its ten (``parent``), and ``$ref``d request and response
bodies, so the number of ``$ref``s grows with the operations as in real specs. With ``--chain``,
the largest size is generated a second time with every ``parent`` referring to the next resource:
one chain of ``$ref``s through all the schemas (3,200 at 16k operations), which the schema walk
recurses along (a RecursionError traceback before, issue 17). Each is generated in a fresh
process with a cold cache (a new ``SDKGEN_CACHE_DIR``), as after a spec changed.

The smallest size is the baseline measured in the same run: ``× linear`` is the time per
operation relative to it (1.00 is linear; a generator quadratic in the operations shows about 4
at 4× the operations and 16 at 16×). Fixed costs (start-up, the runtime files, ruff's start)
make small sizes dear per operation, so ``× linear`` falls below 1 first; ``marginal s / 1k`` is
the cost of each further 1,000 operations between one size and the previous one, which is
constant when generation is linear.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procs import Measured, measure

ROOT = Path(__file__).resolve().parent.parent
SDKGEN = ROOT / ".venv" / "bin" / "sdkgen"
SIZES = (1000, 4000, 16000)
OPERATIONS_PER_RESOURCE = 5


def synthetic_spec(operations: int, *, chain: bool = False) -> dict[str, Any]:
    """An OpenAPI 3.1 document with exactly ``operations`` operations (see the module docstring).

    ``chain``: each resource's ``parent`` is the next resource, so the schemas form one chain of
    ``$ref``s as long as the spec (the last refers to the first).
    """
    resources = -(-operations // OPERATIONS_PER_RESOURCE)
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    left = operations
    for index in range(resources):
        name = f"Resource{index}"
        ref = {"$ref": f"#/components/schemas/{name}"}
        schemas[name] = {
            "type": "object",
            "description": f"Resource number {index}.",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "size": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                # Ten resources share one "parent" (itself recursive): $refs grow with the spec, chains do not.
                "parent": {"$ref": f"#/components/schemas/Resource{(index + 1) % resources if chain else index - index % 10}"},
            },
        }
        ok = {"description": "ok", "content": {"application/json": {"schema": ref}}}
        body = {"required": True, "content": {"application/json": {"schema": ref}}}
        id_param = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
        candidates = [
            (
                f"/r{index}",
                "get",
                {
                    "operationId": f"list{name}",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": ref}}}}
                    },
                },
            ),
            (f"/r{index}", "post", {"operationId": f"create{name}", "requestBody": body, "responses": {"201": ok}}),
            (f"/r{index}/{{id}}", "get", {"operationId": f"get{name}", "parameters": id_param, "responses": {"200": ok}}),
            (
                f"/r{index}/{{id}}",
                "put",
                {"operationId": f"replace{name}", "parameters": id_param, "requestBody": body, "responses": {"200": ok}},
            ),
            (
                f"/r{index}/{{id}}",
                "delete",
                {"operationId": f"delete{name}", "parameters": id_param, "responses": {"204": {"description": "gone"}}},
            ),
        ]
        for path, method, operation in candidates[: min(left, OPERATIONS_PER_RESOURCE)]:
            paths.setdefault(path, {})[method] = {"tags": [f"group{index % 50}"], "summary": f"{method} {path}", **operation}
        left -= min(left, OPERATIONS_PER_RESOURCE)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Scale", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


@dataclass
class ScaleRow:
    """One size: its operations, the runs' wall times and peak memory, or why it failed."""

    operations: int
    seconds: list[float]
    peak_mb: float = 0.0
    error: str | None = None
    chain: bool = False

    @property
    def best(self) -> float:
        return min(self.seconds) if self.seconds else float("nan")


def run_size(operations: int, runs: int, timeout: float, workdir: Path, *, chain: bool = False) -> ScaleRow:
    """Generate the synthetic spec of ``operations`` operations ``runs`` times, each cold."""
    spec = workdir / f"scale{operations}{'-chain' if chain else ''}.json"
    spec.write_text(json.dumps(synthetic_spec(operations, chain=chain)), encoding="utf-8")
    row = ScaleRow(operations, [], chain=chain)
    for run in range(runs):
        cache = workdir / f"cache{operations}-{chain}-{run}"
        env = {**os.environ, "SDKGEN_CACHE_DIR": str(cache)}
        out = workdir / f"out{operations}-{chain}-{run}"
        done: Measured = measure(
            [str(SDKGEN), "generate", "--openapi", str(spec), "--output", str(out), "--package", "scale_sdk"],
            cwd=workdir,
            env=env,
            timeout=timeout,
        )
        if not done.ok:
            tail = (done.stderr or done.stdout).strip().splitlines()
            row.error = "timeout" if done.exit_code is None else (tail[-1] if tail else f"exit {done.exit_code}")
            return row
        row.seconds.append(done.seconds)
        row.peak_mb = max(row.peak_mb, done.peak_mb)
    return row


def print_table(rows: Sequence[ScaleRow]) -> None:
    """One line per size; ``× linear`` against the smallest size of this run."""
    print("\nGeneration time by spec size (sdkgen generate, cold validation cache; synthetic OpenAPI 3.1, bench/scale.py)")
    print(f"{'operations':>16}  {'seconds':>8}  {'s / 1k ops':>10}  {'× linear':>8}  {'marginal s / 1k':>15}  {'peak MB':>8}")
    base = next((r for r in rows if r.seconds and not r.chain), None)
    previous: ScaleRow | None = None
    for row in rows:
        label = f"{row.operations:,}" + (" chained" if row.chain else "")
        if row.error:
            print(f"{label:>16}  failed: {row.error}")
            continue
        per_k = row.best / row.operations * 1000
        ratio = per_k / (base.best / base.operations * 1000) if base is not None else float("nan")
        marginal = ""
        if previous is not None and not row.chain and row.operations > previous.operations:
            marginal = f"{(row.best - previous.best) / (row.operations - previous.operations) * 1000:.2f}"
        print(f"{label:>16}  {row.best:>8.1f}  {per_k:>10.2f}  {ratio:>8.2f}  {marginal:>15}  {row.peak_mb:>8.0f}")
        if not row.chain:
            previous = row


def run(sizes: Sequence[int] = SIZES, runs: int = 1, timeout: float = 1800, quiet: bool = False, *, chain: bool = True) -> list[ScaleRow]:
    """Measure every size (smallest first: it is the baseline), then the largest chained, and print the table."""
    rows: list[ScaleRow] = []
    with tempfile.TemporaryDirectory(prefix="sdkgen-scale-") as tmp:
        for operations in sorted(sizes):
            if not quiet:
                print(f"scale: generating {operations:,} operations ...", flush=True)
            rows.append(run_size(operations, runs, timeout, Path(tmp)))
        if chain and sizes:
            if not quiet:
                print(f"scale: generating {max(sizes):,} operations, schemas chained ...", flush=True)
            rows.append(run_size(max(sizes), runs, timeout, Path(tmp), chain=True))
    print_table(rows)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="operation counts (default 1000 4000 16000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per size, best kept (default 1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run before it is killed (default 1800)")
    parser.add_argument("--no-chain", action="store_true", help="skip the chained row of the largest size")
    args = parser.parse_args(argv)
    rows = run(args.sizes, args.runs, args.timeout, chain=not args.no_chain)
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
