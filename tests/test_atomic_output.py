"""Atomic output and ownership: a generation killed before any file-system step of its commit
(SIGKILL, at each step in turn: tests/kill_at_step.py) leaves the output exactly as it was or
exactly the new tree, never a mix; the next run cleans what the killed one left; files the
generator does not own (including symlinks and empty folders) survive; two generations at once are
serialised by the lock."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator import write
from tests.conftest import FIXTURES, ROOT

SEED = FIXTURES / "specs" / "seed_intx_balances.yaml"
MANIFEST_NAME = write.MANIFEST
USER_FILE = "NOTES.md"


def command(out: Path, version: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "generate",
        "--openapi",
        str(SEED),
        "--output",
        str(out),
        "--package",
        "pkg",
        "--version",
        version,
    ]


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (bytes), symlink (its target) and empty folder below `root`."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_symlink():
            out[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            out[relative] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            out[relative] = "<empty dir>"
    return out


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.glob(f".{out.name}.sdkgen-*"))


@pytest.fixture(scope="module", autouse=True)
def cold_renders() -> Iterator[None]:
    """Every run renders and formats every file (no render cache): the kill timings assume a cold run's stages."""
    previous = os.environ.get("SDKGEN_RENDER_CACHE")
    os.environ["SDKGEN_RENDER_CACHE"] = "off"
    yield
    if previous is None:
        del os.environ["SDKGEN_RENDER_CACHE"]
    else:
        os.environ["SDKGEN_RENDER_CACHE"] = previous


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float]:
    """A previous generation with user content; the tree before and after a complete run; its duration."""
    base = tmp_path_factory.mktemp("atomic")
    before = base / "before"
    subprocess.run(command(before, "0.1.0"), cwd=ROOT, check=True, capture_output=True)
    (before / USER_FILE).write_text("mine\n")
    (before / "pkg" / "local_notes").mkdir()
    os.symlink("../NOTES.md", before / "pkg" / "notes_link.md")
    after = base / "after"
    shutil.copytree(before, after, symlinks=True)
    started = time.monotonic()
    subprocess.run(command(after, "0.2.0"), cwd=ROOT, check=True, capture_output=True)
    duration = time.monotonic() - started
    return before, snapshot(before), snapshot(after), duration


def test_a_complete_run_keeps_user_files_links_and_empty_folders(
    trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float],
) -> None:
    _, old, new, _ = trees
    for key in (USER_FILE, "pkg/local_notes", "pkg/notes_link.md"):
        assert new[key] == old[key]
    assert new != old and b'"0.2.0"' in new["pkg/_version.py"]  # type: ignore[operator]


OTHER_SPEC = FIXTURES / "specs" / "common_patterns_30.yaml"


@pytest.fixture(scope="module")
def distinct_trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes | str], dict[str, bytes | str]]:
    """An output generated from another spec (with user content), and what generating the seed into it gives:
    trees that differ in many files (added, changed and removed), so a half-done commit cannot pass for either."""
    base = tmp_path_factory.mktemp("distinct")
    before = base / "out"
    old_command = command(before, "0.1.0")
    old_command[old_command.index(str(SEED))] = str(OTHER_SPEC)
    subprocess.run(old_command, cwd=ROOT, check=True, capture_output=True)
    (before / USER_FILE).write_text("mine\n")
    (before / "pkg" / "local_notes").mkdir()
    os.symlink("../NOTES.md", before / "pkg" / "notes_link.md")
    after = base / "after" / "out"
    shutil.copytree(before, after, symlinks=True)
    subprocess.run(command(after, "0.2.0"), cwd=ROOT, check=True, capture_output=True)
    return before, snapshot(before), snapshot(after)


def run_killed_at(step: int, out: Path, steps_file: Path, *, three_renames: bool) -> int:
    """Generate the seed into `out`, killed (SIGKILL, from inside) just before file-system step `step` (0: never)."""
    harness = [sys.executable, "-m", "tests.kill_at_step", str(steps_file), str(step), *(["--three-renames"] if three_renames else [])]
    env = {**os.environ, "KILL_AT_STEP_FOLDER": str(out.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([*harness, "--", *command(out, "0.2.0")[3:]], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done.returncode


@pytest.mark.parametrize("three_renames", [False, True], ids=["renameat2", "three-renames"])
def test_a_kill_before_each_file_system_step_leaves_the_old_tree_or_the_new_one(
    distinct_trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str]], tmp_path: Path, three_renames: bool
) -> None:
    """The generator is SIGKILLed just before each file-system step of the commit (and of the clean-up
    after it), in turn. Each time the output is byte for byte the old tree or the new one, never a mix,
    and the next run finishes the job and removes what the killed one left. Writing the new files into
    the output in place (instead of swapping a staged tree in) fails this at the first kill between two writes."""
    source, old, new = distinct_trees
    differing = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    assert len(differing) >= 20, differing  # added, changed and removed files
    counted = tmp_path / "counted" / "out"
    shutil.copytree(source, counted, symlinks=True)
    steps_file = tmp_path / "steps.json"
    assert run_killed_at(0, counted, steps_file, three_renames=three_renames) == 0
    steps = json.loads(steps_file.read_text())
    assert snapshot(counted) == new
    swap = [i for i, s in enumerate(steps, 1) if ("renameat2" in s) != three_renames and s.startswith(("renameat2", "os.rename"))]
    # Every step with the exchange; with three renames, those from the manifest on (the earlier ones are the same).
    first = 1 if not three_renames else next(i for i, s in enumerate(steps, 1) if MANIFEST_NAME in s)
    outcomes: dict[int, str] = {}

    def kill_at(step: int) -> Path:
        out = tmp_path / f"kill{step}" / "out"
        shutil.copytree(source, out, symlinks=True)
        assert run_killed_at(step, out, tmp_path / "unused.json", three_renames=three_renames) == -signal.SIGKILL, steps[step - 1]
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:  # two generations at a time (each waits on its own process)
        killed = dict(zip(range(first, len(steps) + 1), pool.map(kill_at, range(first, len(steps) + 1)), strict=True))
    for step, out in killed.items():
        state = snapshot(out) if out.exists() else {}
        if not out.exists():  # killed between the fallback's first two renames: the backup holds the old tree
            backup = out.with_name(f".{out.name}.sdkgen-old")
            assert three_renames and snapshot(backup) == old, f"step {step} ({steps[step - 1]}): the output is gone"
        else:
            mixed = sorted(k for k in set(old) | set(new) if state.get(k) not in (old.get(k), new.get(k)))
            assert state in (old, new), f"step {step} ({steps[step - 1]}): a mixed tree: {mixed or 'files missing or extra'}"
        # What the next run does first, under the lock: put a backup back, remove stale stages.
        write.remove_stale_stages(out)
        after = snapshot(out)
        assert after in (old, new) and leftovers(out) == [], f"step {step} ({steps[step - 1]}): not cleaned up"
        outcomes[step] = "old" if after == old else "new"
    # The next run finishes the job (once: every run starts with the clean-up checked above).
    subprocess.run(command(killed[first], "0.2.0"), cwd=ROOT, check=True, capture_output=True)
    assert snapshot(killed[first]) == new and leftovers(killed[first]) == []
    # Kills before the swap found the old tree, kills after it the new one.
    assert swap, steps  # the swap is among the steps seen
    assert all(outcomes[s] == "old" for s in outcomes if s <= swap[0]), outcomes
    assert all(outcomes[s] == "new" for s in outcomes if s > swap[-1]), outcomes


def test_an_interrupted_three_rename_swap_is_recovered(
    trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float], tmp_path: Path
) -> None:
    """Where `renameat2` is missing the swap is three renames; killed after the first, the output is
    missing and the backup holds it: the next run restores it (with the user's files) first."""
    source, old, new, _ = trees
    out = tmp_path / "out"
    shutil.copytree(source, tmp_path / f".{out.name}.sdkgen-old", symlinks=True)  # state after rename 1
    shutil.copytree(source, tmp_path / f".{out.name}.sdkgen-stage1", symlinks=True)  # the unfinished stage
    subprocess.run(command(out, "0.2.0"), cwd=ROOT, check=True, capture_output=True)
    assert snapshot(out) == new and leftovers(out) == []


def test_without_renameat2_the_swap_still_keeps_user_files(
    trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.config import from_arguments
    from generator.pipeline import generate

    source, _, new, _ = trees
    out = tmp_path / "out"
    shutil.copytree(source, out, symlinks=True)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    generate(from_arguments(package="pkg", output=out, openapi=[str(SEED)], openrpc=[], overlays=[], version="0.2.0"))
    assert snapshot(out) == new and leftovers(out) == []


def waits_for_lock(process: subprocess.Popen[bytes], lock: Path, *, fallback: float) -> None:
    """Return once `process` is queued on `lock` (Linux lists it in /proc/locks as a `->` waiter) or has ended.

    Elsewhere, sleep `fallback` seconds (longer than a whole generation takes) instead.
    """
    locks = Path("/proc/locks")
    if not locks.exists():
        time.sleep(fallback)
        return
    inode = f":{lock.stat().st_ino} "
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if any(line.split()[2:3] == ["FLOCK"] and f" {process.pid} " in line and inode in line for line in waiters(locks)):
            return
        time.sleep(0.02)


def waiters(locks: Path) -> list[str]:
    """The lines of /proc/locks that are waiting for a lock (`N: -> FLOCK ...`)."""
    return [line for line in locks.read_text().splitlines() if " -> " in line]


def test_a_generation_waits_for_the_lock(trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float], tmp_path: Path) -> None:
    source, old, new, duration = trees
    out = tmp_path / "out"
    shutil.copytree(source, out, symlinks=True)
    with open(tmp_path / f".{out.name}.sdkgen.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = subprocess.Popen(command(out, "0.2.0"), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        waits_for_lock(process, Path(lock.name), fallback=duration * 1.5)
        assert process.poll() is None, "the generation did not wait for the lock"
        assert snapshot(out) == old
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert process.wait(timeout=60) == 0
    assert snapshot(out) == new


def test_two_generations_at_once_do_not_mix(
    trees: tuple[Path, dict[str, bytes | str], dict[str, bytes | str], float], tmp_path: Path
) -> None:
    source, _, new, _ = trees
    out = tmp_path / "out"
    shutil.copytree(source, out, symlinks=True)
    processes = [subprocess.Popen(command(out, v), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for v in ("0.2.0", "0.3.0")]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    state = snapshot(out)
    versions = [b'"0.2.0"' in state["pkg/_version.py"], b'"0.3.0"' in state["pkg/_version.py"]]  # type: ignore[operator]
    assert versions in ([True, False], [False, True])
    assert state[USER_FILE] == b"mine\n" and state["pkg/notes_link.md"] == new["pkg/notes_link.md"]
    assert set(state) == set(new) and leftovers(out) == []


def test_an_unowned_symlink_where_a_generated_file_goes_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    os.symlink("/etc/hostname", out / "pkg" / "_client.py")
    result = subprocess.run(command(out, "0.1.0"), cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "symlink sdkgen does not own" in result.stderr
    assert os.readlink(out / "pkg" / "_client.py") == "/etc/hostname"
