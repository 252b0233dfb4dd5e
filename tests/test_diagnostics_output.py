"""What a generation prints: its stages (a live display on a terminal, plain lines in logs), warnings grouped, -q and -v."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.errors import Diagnostics, Location
from tests.conftest import FIXTURES, ROOT

STAGES = [
    "reading the specs and building the IR",
    "rendering the models and modules",
    "validating the specs (beside the build)",
    "formatting with ruff",
    "writing out/",
]


@pytest.fixture
def noisy_spec(tmp_path: Path) -> Path:
    """A spec with five parameters whose default is not one of their enum values: five warnings of one kind."""
    text = (FIXTURES / "warnings" / "enum_default_outside.yaml").read_text(encoding="utf-8")
    one = "        - name: side\n          in: query\n          schema:\n            type: string\n            enum: [BUY, SELL]\n            default: ''\n"
    assert one in text
    many = "".join(one.replace("side", f"side{i}") for i in range(5))
    spec = tmp_path / "noisy.yaml"
    spec.write_text(text.replace(one, many), encoding="utf-8")
    return spec


def sdkgen(*args: str, progress: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("SDKGEN_PROGRESS", "CI")}
    if progress is not None:
        environment["SDKGEN_PROGRESS"] = progress
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=ROOT, env={**environment, **env}, capture_output=True, text=True, timeout=300
    )


def generate_args(spec: Path, out: Path) -> list[str]:
    return ["generate", "--openapi", f"pets={spec}", "--output", str(out), "--package", "pets"]


def test_in_a_log_each_stage_is_a_plain_line(noisy_spec: Path, tmp_path: Path) -> None:
    done = sdkgen(*generate_args(noisy_spec, tmp_path / "out"))  # stderr is a pipe: not a terminal
    assert done.returncode == 0, done.stderr
    stages = re.findall(r"^sdkgen: (.+): done \(\d+\.\d\d s\)$", done.stderr, re.MULTILINE)
    assert stages == STAGES
    assert done.stdout.startswith("generated pets into ")


def test_in_ci_the_display_is_plain_lines_even_on_a_terminal(noisy_spec: Path, tmp_path: Path) -> None:
    output = run_on_a_terminal([*generate_args(noisy_spec, tmp_path / "out")], CI="true")
    assert "sdkgen: formatting with ruff: done (" in output
    assert "✓" not in output


def run_on_a_terminal(args: list[str], **env: str) -> str:
    """Run `sdkgen ARGS` with stdout and stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("SDKGEN_PROGRESS", "CI")}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        env={**environment, "TERM": "xterm-256color", "COLUMNS": "120", **env},
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, b"".join(chunks).decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


def test_on_a_terminal_the_stages_are_a_live_display(noisy_spec: Path, tmp_path: Path) -> None:
    shown = run_on_a_terminal(generate_args(noisy_spec, tmp_path / "out"))
    for stage in STAGES:
        assert re.search(rf"✓ {re.escape(stage)}\s+\d:\d\d:\d\d", shown), (stage, shown[-3000:])
    assert "sdkgen: " not in shown  # no plain lines on a terminal
    assert "generated pets into " in shown


def test_similar_warnings_are_grouped_with_a_count(noisy_spec: Path, tmp_path: Path) -> None:
    done = sdkgen(*generate_args(noisy_spec, tmp_path / "out"), progress="off")
    lines = done.stderr.splitlines()
    assert [line for line in lines if "is not one of the enum values" in line] == lines[:2]
    assert "/paths/~1orders/get/parameters/0/schema/default" in lines[0]
    assert lines[2] == "warning: ... and 3 more of this kind: enum default outside its enum (ignored) (-v lists them all)"
    assert lines[3] == "5 warnings of 1 kind"


def test_verbose_lists_every_warning(noisy_spec: Path, tmp_path: Path) -> None:
    done = sdkgen(*generate_args(noisy_spec, tmp_path / "out"), "-v", progress="off")
    assert len([line for line in done.stderr.splitlines() if "is not one of the enum values" in line]) == 5
    assert "more of this kind" not in done.stderr


def test_quiet_prints_nothing_but_errors(noisy_spec: Path, tmp_path: Path) -> None:
    done = sdkgen(*generate_args(noisy_spec, tmp_path / "out"), "-q")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "out" / "pets" / "api.json").is_file()
    broken = sdkgen(
        "generate", "-q", "--openapi", "tests/fixtures/broken/invalid_yaml.yaml", "--output", str(tmp_path / "b"), "--package", "b"
    )
    assert broken.returncode == 1 and broken.stdout == ""
    assert len(broken.stderr.splitlines()) == 1 and broken.stderr.startswith("error: ")


def test_grouping_keeps_few_warnings_whole_and_orders_kinds_by_their_first_place() -> None:
    diagnostics = Diagnostics()
    diagnostics.warn(Location("b.yaml", "/x", 9), "late", kind="second kind")
    for line in (3, 1, 2):
        diagnostics.warn(Location("a.yaml", f"/p{line}", line), f"slip {line}", kind="first kind")
    assert diagnostics.summary() == [
        "warning: a.yaml:1: /p1: slip 1",
        "warning: a.yaml:2: /p2: slip 2",
        "warning: a.yaml:3: /p3: slip 3",  # three of a kind are shown whole: a count would save nothing
        "warning: b.yaml:9: /x: late",
    ]
    diagnostics.warn(Location("a.yaml", "/p4", 4), "slip 4", kind="first kind")
    assert diagnostics.summary()[2:] == [
        "warning: ... and 2 more of this kind: first kind (-v lists them all)",
        "warning: b.yaml:9: /x: late",
        "5 warnings of 2 kinds",
    ]
