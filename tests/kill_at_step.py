"""Run `sdkgen ARGS` and SIGKILL it just before the Nth file-system step of the write stage.

    python -m tests.kill_at_step STEPS_FILE N [--three-renames] -- ARGS...

A "step" is what changes the file system under FOLDER (the environment variable
`KILL_AT_STEP_FOLDER`): opening a file for writing, a rename, mkdir, symlink, unlink, rmdir,
chmod/utime, a copy, or the lookup of `renameat2` just before the atomic exchange (ctypes calls
raise no audit event of their own). Steps are seen through Python's audit hooks (PEP 578), from
the moment `commit()` is called until the process exits, so they cover the commit and the
clean-up after it. With N = 0 nothing is killed; every step is written to STEPS_FILE (one JSON
list) at exit, so the test knows how many there are. `--three-renames` makes the platform look
like one without `renameat2`, so the swap is the fallback's three renames.

The kill comes from inside the process, at an exact step, so each run is deterministic: the
atomic-output test kills at every step in turn (see tests/test_atomic_output.py).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.rename": 2,
    "os.mkdir": 1,
    "os.symlink": 2,
    "os.link": 2,
    "os.remove": 1,
    "os.rmdir": 1,
    "os.chmod": 1,
    "os.utime": 1,
    "os.truncate": 1,
    "shutil.copyfile": 2,
    "shutil.rmtree": 1,
}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return str(value)


def step_of(event: str, args: tuple[Any, ...], folder: str) -> str | None:
    """A description of the step `event` is about to take under `folder`, or None if it is not one."""
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (mode is None and bool(flags & _WRITE_FLAGS))
        paths = [_text(path)] if writes and isinstance(path, (str, bytes)) else []
    elif event in _PATH_EVENTS:
        paths = [_text(a) for a in args[: _PATH_EVENTS[event]] if isinstance(a, (str, bytes, os.PathLike))]
    elif event == "ctypes.dlsym" and len(args) > 1 and args[1] == "renameat2":
        return "renameat2 (the exchange)"
    else:
        return None
    if not any(p.startswith(folder) for p in paths):
        return None
    return f"{event} {' -> '.join(os.path.relpath(p, folder) for p in paths)}"


def main(argv: list[str]) -> int:
    steps_file, kill_at = argv[0], int(argv[1])
    three_renames = "--three-renames" in argv[2 : argv.index("--")]
    args = argv[argv.index("--") + 1 :]
    folder = os.path.realpath(os.environ["KILL_AT_STEP_FOLDER"])

    import generator.pipeline as pipeline
    import generator.write as write
    from generator.cli import main as sdkgen

    steps: list[str] = []
    state = {"active": False}

    def hook(event: str, hook_args: tuple[Any, ...]) -> None:
        if not state["active"]:
            return
        step = step_of(event, hook_args, folder)
        if step is None:
            return
        steps.append(step)
        if len(steps) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    original = pipeline.commit

    def commit(*commit_args: Any, **kwargs: Any) -> Any:
        state["active"] = True
        return original(*commit_args, **kwargs)

    pipeline.commit = commit  # type: ignore[assignment]
    if three_renames:
        write._exchange = lambda a, b: False  # type: ignore[assignment]
    sys.addaudithook(hook)
    code = sdkgen(args)
    state["active"] = False
    if kill_at == 0:
        with open(steps_file, "w", encoding="utf-8") as handle:
            json.dump(steps, handle, indent=1)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
