"""Faults of the output folder: one line naming the file and what to do, and the old tree survives.

Also: nothing the generator writes goes through a symlink (the manifest, the lock, a generated folder).
The full-disk and read-only cases run twice: on a real small tmpfs (when this process may mount one,
as root on Linux can), and with the fault injected at the system call, which always runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import cli
from tests.conftest import FIXTURES, ROOT

SEED = FIXTURES / "specs" / "seed_intx_balances.yaml"


def generate_command(out: Path, version: str = "0.2.0") -> list[str]:
    return ["generate", "--openapi", str(SEED), "--output", str(out), "--package", "pkg", "--version", version]


def sdkgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def snapshot(root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_symlink():
            out[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            out[relative] = path.read_bytes()
    return out


def one_error_line(result: subprocess.CompletedProcess[str] | tuple[int, str]) -> str:
    code, stderr = (result.returncode, result.stderr) if isinstance(result, subprocess.CompletedProcess) else result
    assert code == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def seed_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faults") / "out"
    assert sdkgen(*generate_command(out, "0.1.0")).returncode == 0
    return out


@pytest.fixture
def output(seed_tree: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(seed_tree, out, symlinks=True)
    return out


# -- symlinks ---------------------------------------------------------------------------------


def test_a_generated_subpackage_replaced_by_a_symlink_is_one_line_and_the_tree_survives(output: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "models_elsewhere"
    shutil.move(output / "pkg" / "models", elsewhere)
    os.symlink(elsewhere, output / "pkg" / "models")
    before, linked = snapshot(output), snapshot(elsewhere)
    line = one_error_line(sdkgen(*generate_command(output)))
    assert f"{output}/pkg/models is a symlink where sdkgen writes the folder pkg/models/" in line
    assert "move the link away" in line and "was left as it was" in line
    assert snapshot(output) == before and snapshot(elsewhere) == linked


def test_a_symlinked_manifest_is_refused_and_its_target_is_never_written(output: Path, tmp_path: Path) -> None:
    """It could make sdkgen claim files that are not its own, and it was rewritten outside the output."""
    kept = tmp_path / "manifest.json"
    shutil.move(output / ".sdkgen-manifest.json", kept)
    os.symlink(kept, output / ".sdkgen-manifest.json")
    target, before = kept.read_bytes(), snapshot(output)
    line = one_error_line(sdkgen(*generate_command(output)))
    assert ".sdkgen-manifest.json is a symlink" in line and "replace the link with a copy" in line
    assert kept.read_bytes() == target and snapshot(output) == before


def test_the_lock_file_is_never_opened_through_a_symlink(output: Path, tmp_path: Path) -> None:
    lock = output.parent / f".{output.name}.sdkgen.lock"
    lock.unlink(missing_ok=True)
    os.symlink(tmp_path / "created-elsewhere", lock)
    before = snapshot(output)
    line = one_error_line(sdkgen(*generate_command(output)))
    assert f"{lock}: cannot open the lock file" in line and "never writes through" in line
    assert not (tmp_path / "created-elsewhere").exists() and snapshot(output) == before


def test_generated_files_are_created_new_never_written_through_what_is_there(tmp_path: Path) -> None:
    from generator.write import write_files

    (tmp_path / "stage").mkdir()
    os.symlink(tmp_path / "victim", tmp_path / "stage" / "a.py")
    with pytest.raises(Exception, match="cannot write a.py"):
        write_files(tmp_path / "stage", {"a.py": b"x = 1\n"})
    assert not (tmp_path / "victim").exists()


# -- full disk, read-only file system ---------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the injected-fault tests cover this case")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _tree_kib(root: Path) -> int:
    """Disk use of a tree as a tmpfs counts it: whole 4 KiB pages per file."""
    return sum(4 * -(-path.stat().st_size // 4096) for path in root.rglob("*") if path.is_file())


def test_a_full_disk_on_a_real_file_system_is_one_line_and_the_tree_survives(tmp_path: Path) -> None:
    """A tmpfs sized at 1.5 seed trees holds the tree but not a second one in the staging folder."""
    assert sdkgen(*generate_command(tmp_path / "measure", "0.1.0")).returncode == 0
    size = _tree_kib(tmp_path / "measure") * 3 // 2
    with small_tmpfs(tmp_path / "fs", f"{size}k") as fs:
        out = fs / "out"
        assert sdkgen(*generate_command(out, "0.1.0")).returncode == 0
        before = snapshot(out)
        line = one_error_line(sdkgen(*generate_command(out)))
        assert "No space left on device" in line and "free space" in line and f"{out} was left as it was" in line
        assert snapshot(out) == before
        assert [p.name for p in fs.iterdir() if ".sdkgen-" in p.name] == []  # the partial stage is gone


def test_a_read_only_file_system_on_a_real_mount_is_one_line_and_the_tree_survives(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "fs", "1m") as fs:
        out = fs / "out"
        assert sdkgen(*generate_command(out, "0.1.0")).returncode == 0
        before = snapshot(out)
        subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
        line = one_error_line(sdkgen(*generate_command(out)))
        assert f"{fs}/.out.sdkgen.lock: cannot open the lock file (Read-only file system)" in line
        assert "remount it read-write" in line and snapshot(out) == before


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().err


def test_an_injected_full_disk_is_one_line_and_the_tree_survives(
    output: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENOSPC from the first write of the generated tree (the fault as the kernel gives it)."""
    monkeypatch.setenv("SDKGEN_VALIDATE_IN_PROCESS", "1")
    real_write = os.write

    def full(fd: int, data: bytes | memoryview) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(output.parent / ".out.sdkgen-")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    before = snapshot(output)
    monkeypatch.setattr(os, "write", full)
    line = one_error_line(run_cli(generate_command(output), capsys))
    monkeypatch.undo()
    assert "cannot write " in line and "(No space left on device); free space" in line and f"{output} was left as it was" in line
    assert snapshot(output) == before
    assert [p.name for p in output.parent.iterdir() if ".sdkgen-" in p.name] == []


def test_an_injected_read_only_file_system_is_one_line_and_the_tree_survives(
    output: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_open = os.open

    def read_only(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    before = snapshot(output)
    monkeypatch.setattr(os, "open", read_only)
    line = one_error_line(run_cli(generate_command(output), capsys))
    monkeypatch.undo()
    assert ".out.sdkgen.lock: cannot open the lock file (Read-only file system)" in line and "remount it read-write" in line
    assert snapshot(output) == before
