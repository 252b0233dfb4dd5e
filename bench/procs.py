"""Run a command in a child process and measure it: wall time, peak RSS, exit status, output."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    """One run: ``seconds`` of wall time, ``peak_mb`` (the largest RSS of the process or any child it waited
    for, from ``wait4``), the exit code (``None`` after a timeout), what it printed, and ``cpu_seconds``
    (user + system time of the process and every descendant it waited for: work moved into a second
    process is counted, not hidden)."""

    seconds: float
    peak_mb: float
    exit_code: int | None
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the command exited 0 in time."""
        return self.exit_code == 0


def measure(command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 600) -> Measured:
    """Run ``command``; its output goes to temporary files (no pipe can fill up and stall it).

    The child gets its own process group, which is killed whole on timeout. ``os.wait4`` reaps it and
    returns its rusage: on Linux ``ru_maxrss`` (KiB) is the maximum over the child and the
    descendants it waited for, so a tool that runs ruff in a subprocess is charged the larger of the two.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=cwd, env=dict(env) if env is not None else None, stdout=out, stderr=err, start_new_session=True
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen so it does not wait again
        out.seek(0)
        err.seek(0)
        code = None if timed_out.is_set() else child.returncode
        cpu = usage.ru_utime + usage.ru_stime
        return Measured(seconds, usage.ru_maxrss / 1024, code, out.read(), err.read(), cpu)
