"""Stages of a generation as a person watching it sees them.

The pipeline marks its stages with `stage("...")`; what is shown depends on the reporter the
command line installs with `reporting()`:

* on a terminal, a live display from rich (a spinner and the elapsed time per stage, each stage
  ticked off when it ends);
* in a log (stderr is not a terminal, or `CI` is set), one plain line per finished stage;
* nothing with `-q`, or when no reporter is installed (the library use of the generator).

`SDKGEN_PROGRESS` overrides the choice: `rich`, `plain` or `off` (the test suite sets `off`, so
the output of the commands it runs does not depend on where it runs).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Protocol, TextIO


class Reporter(Protocol):
    """Receives stage starts and ends (stages may overlap: validation runs beside the build)."""

    def start(self, name: str) -> int: ...

    def finish(self, handle: int, *, failed: bool) -> None: ...

    def close(self) -> None: ...


_CURRENT: ContextVar[Reporter | None] = ContextVar("sdkgen_progress", default=None)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Mark a stage of the work (`name` reads as what is being done: "building the IR")."""
    reporter = _CURRENT.get()
    if reporter is None:
        yield
        return
    handle = reporter.start(name)
    failed = True
    try:
        yield
        failed = False
    finally:
        reporter.finish(handle, failed=failed)


@contextlib.contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Send the stages of everything run inside to `reporter` (None: show nothing)."""
    token = _CURRENT.set(reporter)
    try:
        yield
    finally:
        _CURRENT.reset(token)
        if reporter is not None:
            reporter.close()


class PlainReporter:
    """One line per finished stage, for logs: `sdkgen: building the IR: done (0.84 s)`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started: dict[int, tuple[str, float]] = {}

    def start(self, name: str) -> int:
        handle = len(self._started)
        self._started[handle] = (name, time.perf_counter())
        return handle

    def finish(self, handle: int, *, failed: bool) -> None:
        name, began = self._started[handle]
        outcome = "stopped" if failed else "done"
        print(f"sdkgen: {name}: {outcome} ({time.perf_counter() - began:.2f} s)", file=self._stream, flush=True)

    def close(self) -> None:
        pass


class RichReporter:
    """A live display on a terminal: a spinner and a timer per running stage, a tick when it ends.

    The display runs while stages are open and stops (leaving the ticked list) when the last one
    ends, so what the command prints afterwards comes below it, never inside it.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._progress: Any = None
        self._open = 0

    def _display(self) -> Any:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        return Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(file=self._stream),
            transient=False,
        )

    def start(self, name: str) -> int:
        if self._progress is None:
            self._progress = self._display()
            self._progress.start()
        self._open += 1
        return int(self._progress.add_task(name, total=1))

    def finish(self, handle: int, *, failed: bool) -> None:
        if failed:
            description = self._progress.tasks[handle].description
            self._progress.update(handle, description=f"{description} [red](stopped)[/]")
            self._progress.stop_task(handle)
        else:
            self._progress.update(handle, completed=1)
        self._open -= 1
        if self._open == 0:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def choose_reporter(verbosity: int, stream: TextIO | None = None) -> Reporter | None:
    """The reporter for this run: see the module docstring. `verbosity` 0 is `-q`."""
    stream = stream or sys.stderr
    wanted = os.environ.get("SDKGEN_PROGRESS", "auto").strip().lower()
    if verbosity <= 0 or wanted == "off":
        return None
    if wanted == "plain":
        return PlainReporter(stream)
    terminal = stream.isatty() and os.environ.get("TERM", "") != "dumb" and not os.environ.get("CI")
    if wanted == "rich" or terminal:
        return RichReporter(stream)
    return PlainReporter(stream)


def add_verbosity_options(parser: Any) -> None:
    """`-q`/`-v` on a command: how much it prints besides its result and its errors."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only errors (no progress, warnings or summary)")
    group.add_argument("-v", "--verbose", action="store_true", help="print every warning (not grouped) and every stage with its time")


def verbosity_of(args: Any) -> int:
    """0 with `-q`, 2 with `-v`, else 1."""
    return 0 if getattr(args, "quiet", False) else 2 if getattr(args, "verbose", False) else 1
