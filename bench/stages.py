"""Where sdkgen's generation time goes, stage by stage, in one process.

    .venv/bin/python -m bench.stages [--spec flagship|discord|openai|github ...] [--profile FILE]

Runs ``generator.pipeline.generate`` in this process (the main ``.venv``, cold: a fresh cache and
output folder) with each stage's entry point wrapped by a timer, and prints wall and CPU seconds
per stage:

* ``start-up``: importing the generator (measured first, in this process);
* ``load``: reading spec files and applying overlays (``read_document``, ``apply_overlay``);
* ``refs``: resolving every ``$ref`` and the cycle check (``DocumentSet.check_all``);
* ``validate``: the OpenAPI structure and operations checks, the OpenRPC meta-schema (``openapi_check``, ``openrpc_check``);
* ``build``: the IR builders, minus what the rows above took inside them;
* ``models``: the models templates (``render_models``: `templates/models/`, planned by ``split.py``);
* ``render``: the other Jinja templates and the copied runtime, minus ``models`` and ``surface``;
* ``surface``: ``api.json`` from the IR (``build_surface``, ``surface_json``);
* ``format``: ruff over the output tree (``format_tree``: a child process, so its CPU is the
  children's ``rusage``);
* ``write``: staging and the atomic swap into the output folder, and the rest of the pipeline.

``--profile FILE`` also writes a cProfile of the whole run (``python -m pstats FILE``). The split is
of one run on a machine that may be shared: compare stages within a run, not across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.specs import GITHUB_SPEC, ROOT, ensure_npm, stress_spec

SPECS = ("flagship", "discord", "openai", "github")
STAGES = ("start-up", "load", "refs", "validate", "build", "models", "render", "surface", "format", "write")


@dataclass
class Clock:
    """Wall and CPU seconds per stage; nested stages are taken out of the stage around them."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    _open: list[str] = field(default_factory=list)

    def add(self, stage: str, wall: float, cpu: float) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu
        if self._open:  # the enclosing stage did not spend this itself
            outer = self._open[-1]
            self.wall[outer] = self.wall.get(outer, 0.0) - wall
            self.cpu[outer] = self.cpu.get(outer, 0.0) - cpu

    @contextlib.contextmanager
    def stage(self, name: str, *, children: bool = False) -> Iterator[None]:
        wall, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
        self._open.append(name)
        try:
            yield
        finally:
            self._open.pop()
            spent_cpu = time.process_time() - cpu + ((_children_cpu() - child) if children else 0.0)
            self.add(name, time.perf_counter() - wall, spent_cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wrap(clock: Clock, owner: Any, name: str, stage: str, *, children: bool = False) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with clock.stage(stage, children=children):
            return original(*args, **kwargs)

    setattr(owner, name, timed)


def instrument(clock: Clock) -> None:
    """Wrap each stage's entry points where the pipeline looks them up."""
    from generator import pipeline
    from generator.ir_builder import openapi, openrpc, sdk
    from generator.load.refs import DocumentSet
    from generator.render import files

    _wrap(clock, sdk, "read_document", "load")
    _wrap(clock, sdk, "apply_overlay", "load")
    _wrap(clock, DocumentSet, "check_all", "refs")
    _wrap(clock, sdk, "openapi_check", "validate")
    _wrap(clock, sdk, "openrpc_check", "validate")
    _wrap(clock, openapi.OpenApiBuilder, "build", "build")
    _wrap(clock, openrpc.OpenRpcBuilder, "build", "build")
    _wrap(clock, pipeline, "render_sdk", "render")
    _wrap(clock, files, "render_models", "models")
    _wrap(clock, files, "surface_json", "surface")
    _wrap(clock, files, "build_surface", "surface")
    _wrap(clock, pipeline, "format_tree", "format", children=True)


def spec_arguments(name: str, workdir: Path) -> list[str]:
    """``sdkgen generate`` arguments for a spec (the flagship: the repository's configuration)."""
    if name == "flagship":
        from bench.generation import flagship_config

        return ["--config", str(flagship_config(workdir))]
    path = GITHUB_SPEC if name == "github" else stress_spec(name)
    return ["--openapi", str(path), "--output", str(workdir / "out"), "--package", f"{name}_sdk"]


def measure_stages(name: str, profile: Path | None = None) -> tuple[Clock, float, float]:
    """One cold generation of ``name`` in this process: the stage clock, total wall and CPU (children included)."""
    clock = Clock()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    from generator import cli  # start-up: the generator's imports

    clock.add("start-up", time.perf_counter() - started_wall, time.process_time() - started_cpu)
    instrument(clock)
    with tempfile.TemporaryDirectory(prefix=f"sdkgen-stages-{name}-") as tmp:
        workdir = Path(tmp)
        os.environ["SDKGEN_CACHE_DIR"] = str(workdir / "cache")
        arguments = ["generate", *spec_arguments(name, workdir)]
        wall, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
        profiler = cProfile.Profile() if profile is not None else None
        with clock.stage("write", children=True), contextlib.redirect_stderr(open(os.devnull, "w")):  # noqa: SIM115
            if profiler is not None:
                profiler.enable()
            code = cli.main(arguments)
            if profiler is not None:
                profiler.disable()
        if code != 0:
            raise SystemExit(f"sdkgen generate {name} failed (exit {code})")
        if profiler is not None and profile is not None:
            profiler.dump_stats(profile)
        total_wall = clock.wall["start-up"] + time.perf_counter() - wall
        total_cpu = clock.cpu["start-up"] + time.process_time() - cpu + _children_cpu() - child
    return clock, total_wall, total_cpu


def print_stages(name: str, clock: Clock, wall: float, cpu: float) -> None:
    print(f"\n{name}: one cold generation in one process, {wall:.2f} s wall, {cpu:.2f} s CPU (ruff's process included)")
    print(f"  {'stage':<10}{'wall s':>9}{'cpu s':>9}{'cpu %':>8}")
    for stage in STAGES:
        if stage in clock.wall:
            print(f"  {stage:<10}{clock.wall[stage]:9.2f}{clock.cpu[stage]:9.2f}{100 * clock.cpu[stage] / cpu:7.0f}%")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stages", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", action="append", choices=SPECS, help="a spec (repeatable; default: flagship)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run here (one spec)")
    args = parser.parse_args(argv)
    names = args.spec or ["flagship"]
    if "github" in names:
        ensure_npm()
    for name in names:
        # Each spec in a fresh interpreter, so start-up and caches are cold for each.
        if len(names) > 1:
            import subprocess

            extra = ["--profile", str(args.profile)] if args.profile else []
            subprocess.run([sys.executable, "-m", "bench.stages", "--spec", name, *extra], cwd=ROOT, check=False)
            continue
        clock, wall, cpu = measure_stages(name, args.profile)
        print_stages(name, clock, wall, cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
