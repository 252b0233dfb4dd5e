"""The slow part of spec validation in child processes, while the IR is built and the models are rendered.

Only `sdkgen check` runs it (openapi-spec-validator's semantic checks: defaults against their
schemas and the like; see `validate.py`). It depends only on the document, so it runs beside the
rest of the generation instead of before it, and its answer is cached by content. Nothing is
compared or written before every check is joined; when the builder trips over a spec, a validation
error (if one is found) is raised instead, as if it had run first. What validation finds at once
(structure, operations) is reported when a check starts, before anything is built.

Children are forked (Linux): the document is already in memory and is not pickled. Where fork is
not available, in a daemonic process (a `multiprocessing.Pool` worker), or with
`SDKGEN_VALIDATE_IN_PROCESS=1`, each check runs in this process when it starts. A child that dies
without an answer is replaced by a run in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from ..errors import Diagnostics
from ..held_locks import HELD_LOCK_FDS
from .validate import Check, Findings, cached_findings, remember, report


def _in_child(check: Check, answer: Connection) -> None:
    for fd in HELD_LOCK_FDS:  # the parent's output lock is not the child's to keep
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        answer.send(check.run())
    except BaseException:  # noqa: BLE001 - no answer: the parent runs the check itself and reports what it raises
        pass
    finally:
        answer.close()


def _can_fork() -> bool:
    # A daemonic process (a `multiprocessing.Pool` worker) may not have children.
    daemonic = multiprocessing.current_process().daemon
    return sys.platform == "linux" and not daemonic and os.environ.get("SDKGEN_VALIDATE_IN_PROCESS") != "1"


@dataclass
class _Pending:
    check: Check
    findings: Findings | None = None
    process: BaseProcess | None = None
    answer: Connection | None = None


class Validations:
    """The checks of one generation, in the order their documents were read.

    What a check found at once (structure, operations) is reported when it starts: an error stops
    the generation before anything is built. Its slow part (semantics) runs only when `semantic`
    is set (`sdkgen check`): from the cache, or in a child process beside the build.
    """

    def __init__(self, diagnostics: Diagnostics | None = None, *, semantic: bool = False) -> None:
        self._pending: list[_Pending] = []
        self._diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self.semantic = semantic

    def start(self, check: Check) -> None:
        """Report what `check` found at once; then answer its slow part from the cache, or start it
        in a child process (or here, without fork), when semantic checks are asked for."""
        report(check, check.now, self._diagnostics)
        if not self.semantic or not check.key_source:
            return
        pending = _Pending(check, findings=cached_findings(check))
        if pending.findings is None and _can_fork():
            receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
            process = multiprocessing.get_context("fork").Process(target=_in_child, args=(check, send), daemon=True)
            process.start()
            send.close()  # the child holds the other copy: a child that dies is an EOF here
            pending.process, pending.answer = process, receive
        elif pending.findings is None:
            pending.findings = check.run()
            remember(check, pending.findings)
        self._pending.append(pending)

    def join(self, diagnostics: Diagnostics) -> None:
        """Wait for every check and report them in order: the first error is raised, warnings are added."""
        for pending in self._pending:
            findings = self._wait(pending)
            report(pending.check, findings, diagnostics)

    def close(self) -> None:
        """Stop any child still running (after an error or an interrupt)."""
        for pending in self._pending:
            if pending.process is not None and pending.process.is_alive():
                pending.process.kill()
            if pending.process is not None:
                pending.process.join()
            if pending.answer is not None:
                pending.answer.close()

    def _wait(self, pending: _Pending) -> Findings:
        if pending.findings is not None:
            return pending.findings
        assert pending.process is not None and pending.answer is not None
        try:
            findings = pending.answer.recv()  # before join: a large answer fills the pipe until read
        except (EOFError, OSError):
            findings = None
        pending.process.join()
        if not isinstance(findings, Findings):  # the child died (killed, out of memory): run it here
            findings = pending.check.run()
        remember(pending.check, findings)
        pending.findings = findings
        return findings


@contextlib.contextmanager
def validating(diagnostics: Diagnostics, *, semantic: bool = False) -> Iterator[Validations]:
    """Checks started in the block are joined at its end; an error in the block joins them first.

    A broken spec can trip the builder before its validation says why: then the validation's
    error is raised in place of the builder's. `semantic`: run the slow checks too (`sdkgen check`).
    """
    validations = Validations(diagnostics, semantic=semantic)
    try:
        yield validations
    except BaseException:
        if not isinstance(sys.exc_info()[1], KeyboardInterrupt):
            validations.join(Diagnostics())  # raises the validation's error, if there is one
        raise
    else:
        validations.join(diagnostics)
    finally:
        validations.close()
