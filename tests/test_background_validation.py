"""The slow part of validation (semantics, `sdkgen check`) runs in a child process beside the build,
and reports as if it had run first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import Diagnostics, SpecError
from generator.load.background import validating
from generator.load.documents import read_document
from generator.load.validate import Check, Findings, openapi_check
from tests.conftest import FIXTURES

SEED = FIXTURES / "specs" / "seed_intx_balances.yaml"
PARENT = os.getpid()


def warn_with_pid() -> Findings:
    return Findings(None, (("", f"checked in process {os.getpid()}", "pid"),))


def die_in_a_child() -> Findings:
    if os.getpid() != PARENT:
        os._exit(9)  # a child killed before it answers
    return Findings(None, (("", "checked again in the parent", "rerun"),))


def broken() -> Findings:
    return Findings(("/paths", "invalid OpenAPI 3.1: the validator's own words", "fix it in an overlay"), ())


def check(run: object, key: str) -> Check:
    return Check(read_document(SEED), key, run)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", "off")


def test_a_check_runs_in_a_child_process_and_its_warnings_are_reported() -> None:
    diagnostics = Diagnostics()
    with validating(diagnostics, semantic=True) as validations:
        validations.start(check(warn_with_pid, "pid"))
    (warning,) = diagnostics.items
    assert warning.message.startswith("checked in process ") and warning.message != f"checked in process {PARENT}"


def test_without_fork_a_check_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_VALIDATE_IN_PROCESS", "1")
    diagnostics = Diagnostics()
    with validating(diagnostics, semantic=True) as validations:
        validations.start(check(warn_with_pid, "pid"))
    assert [d.message for d in diagnostics.items] == [f"checked in process {PARENT}"]


def test_a_child_that_dies_is_replaced_by_a_run_here() -> None:
    diagnostics = Diagnostics()
    with validating(diagnostics, semantic=True) as validations:
        validations.start(check(die_in_a_child, "dies"))
    assert [d.message for d in diagnostics.items] == ["checked again in the parent"]


def test_a_validation_error_is_raised_at_the_end_of_the_block() -> None:
    with pytest.raises(SpecError, match="the validator's own words") as raised:
        with validating(Diagnostics(), semantic=True) as validations:
            validations.start(check(broken, "broken"))
    assert raised.value.location.pointer == "/paths" and raised.value.hint == "fix it in an overlay"


def test_when_the_builder_trips_over_a_broken_spec_the_validation_error_is_raised_instead() -> None:
    with pytest.raises(SpecError, match="the validator's own words"):
        with validating(Diagnostics(), semantic=True) as validations:
            validations.start(check(broken, "broken"))
            raise KeyError("what a builder does with a spec it cannot read")


def test_a_builder_error_stands_when_the_spec_validates() -> None:
    with pytest.raises(KeyError, match="a generator bug"):
        with validating(Diagnostics(), semantic=True) as validations:
            validations.start(check(warn_with_pid, "pid"))
            raise KeyError("a generator bug")


DEFAULT_MISMATCH = """openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Size:
      type: integer
      default: big
"""


def test_the_real_validator_gives_the_same_answer_in_a_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(DEFAULT_MISMATCH, encoding="utf-8")
    answers = []
    for in_process in ("0", "1"):
        monkeypatch.setenv("SDKGEN_VALIDATE_IN_PROCESS", in_process)
        diagnostics = Diagnostics()
        with validating(diagnostics, semantic=True) as validations:
            validations.start(openapi_check(read_document(spec)))
        answers.append([str(d) for d in diagnostics.items])
    assert answers[0] == answers[1]
    assert answers[0] == [
        f"warning: {spec}:8: /components/schemas/Size/default: default does not match its schema: 'big' is not of type 'integer'"
    ]


def test_a_structural_error_is_raised_when_the_check_starts_before_anything_is_built(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 42\n", encoding="utf-8")
    built = []
    with pytest.raises(SpecError, match="invalid OpenAPI 3.1: 42 is not of type 'object'") as raised:
        with validating(Diagnostics()) as validations:
            validations.start(openapi_check(read_document(spec)))
            built.append("the builder ran")
    assert built == [] and raised.value.location.pointer == "/paths/~1a/get/responses" and raised.value.location.line == 6


def test_without_semantic_checks_the_slow_part_never_runs() -> None:
    def must_not_run() -> Findings:
        raise AssertionError("the semantic checks ran during a generation")

    diagnostics = Diagnostics()
    with validating(diagnostics) as validations:
        validations.start(check(must_not_run, "never"))
    assert diagnostics.items == []


def lock_fd_is_open() -> Findings:
    from generator.held_locks import HELD_LOCK_FDS

    (fd,) = HELD_LOCK_FDS
    try:
        os.fstat(fd)
    except OSError:
        return Findings(None, (("", "the output lock is closed here", "lock"),))
    return Findings(None, (("", "the output lock is open here", "lock"),))


def test_a_child_does_not_keep_the_output_lock(tmp_path: Path) -> None:
    from generator.write import locked

    diagnostics = Diagnostics()
    with locked(tmp_path / "out"), validating(diagnostics, semantic=True) as validations:
        validations.start(check(lock_fd_is_open, "lock"))
    assert [d.message for d in diagnostics.items] == ["the output lock is closed here"]


def crash() -> Findings:
    raise RuntimeError("the validator itself failed")


def test_a_check_that_raises_in_the_child_raises_here_with_no_traceback_printed(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="the validator itself failed"):
        with validating(Diagnostics(), semantic=True) as validations:
            validations.start(check(crash, "crash"))
    assert "Traceback" not in capfd.readouterr().err
