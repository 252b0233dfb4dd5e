"""Write stage: stage the new tree beside the output, then swap it in atomically.

The output directory is replaced in one step (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two
renames), so an interrupted or failed generation leaves it exactly as it was. Files the generator
does not own (not in the manifest) are carried over untouched and never overwritten. A lock file
beside the output keeps two generations from interleaving.

Nothing is written through a symlink: every file is created new (`O_EXCL | O_NOFOLLOW`) in the
staging directory, the lock is opened with `O_NOFOLLOW`, and a symlinked manifest, or a symlink
where a generated folder goes, is refused. A file-system fault (full disk, read-only file system,
no permission) is one `OutputError` line naming the file and what to do; the output is left as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno as errnos
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError
from .held_locks import HELD_LOCK_FDS
from .render.filters import escape_invisible_in_file

MANIFEST = ".sdkgen-manifest.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Changes:
    """What a generation changed in the output (paths relative to it)."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What to do about a file-system fault, by errno.
_ADVICE = {
    errnos.ENOSPC: "free space on that file system (or generate elsewhere with --output) and generate again",
    errnos.EDQUOT: "the disk quota is used up: free space (or generate elsewhere with --output) and generate again",
    errnos.EROFS: "the file system is read-only: generate into a writable folder (--output) or remount it read-write",
    errnos.EACCES: "no permission: make the folder writable for this user, or generate elsewhere with --output",
    errnos.EPERM: "not permitted: make the folder writable for this user, or generate elsewhere with --output",
    errnos.ELOOP: "it is a symlink, and sdkgen never writes through one: replace it with a regular file or folder",
    errnos.EEXIST: "something sdkgen did not expect is in the way: move it away and generate again",
    errnos.ENOTDIR: "a file stands where a folder should be: move it away and generate again",
}


def os_error(exc: OSError, action: str, path: Path | str | None = None, *, output: Path | None = None) -> OutputError:
    """One line for a file-system fault: the file, what failed and why, what to do, and that nothing changed."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or type(exc).__name__
    advice = _ADVICE.get(exc.errno or 0, "")
    kept = f"; {output} was left as it was" if output is not None else ""
    return OutputError(f"{where}: cannot {action} ({reason}){'; ' + advice if advice else ''}{kept}")


def read_manifest(output: Path) -> dict[str, str]:
    """Owned path → sha256, from the output's manifest (empty when there is none).

    A symlinked manifest is refused: it could make sdkgen claim (and so replace or remove) files
    that are not its own, and it would be rewritten wherever it points.
    """
    if (output / MANIFEST).is_symlink():
        raise OutputError(
            f"{output / MANIFEST} is a symlink; sdkgen keeps its manifest as a regular file in the output "
            "and never writes through a link: replace the link with a copy of the file it points to"
        )
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise OutputError(f"{output / MANIFEST}: unreadable manifest ({exc}); restore it from version control") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise OutputError(f"{output / MANIFEST}: no `files` mapping; restore it from version control")
    return {str(k): str(v) for k, v in files.items()}


def manifest_text(files: dict[str, bytes], generator: str) -> bytes:
    body = {"generator": generator, "files": {path: digest(files[path]) for path in sorted(files)}}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()


def tree_files(root: Path) -> dict[str, bytes]:
    """Every regular file below `root`, by relative POSIX path."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`; it must not exist (so no symlink or other file is written through)."""
    fd = os.open(path, _NEW_FILE, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def write_files(root: Path, files: dict[str, bytes], *, output: Path | None = None) -> None:
    """Write `files` into the fresh directory `root` (the stage of `output`)."""
    for relative, data in files.items():
        target = root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_new(target, escape_invisible_in_file(relative, data))
        except OSError as exc:
            raise os_error(exc, f"write {relative} in the staging folder", root.parent, output=output) from None


@contextlib.contextmanager
def locked(output: Path) -> Iterator[None]:
    """Hold an exclusive lock for `output` (a second generation waits for the first)."""
    lock_path = output.parent / f".{output.name}.sdkgen.lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise os_error(exc, "open the lock file", lock_path, output=output) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        HELD_LOCK_FDS.add(fd)
        try:
            yield
        finally:
            HELD_LOCK_FDS.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def staging(output: Path) -> Iterator[Path]:
    """A fresh directory beside `output` (same file system, so the swap is a rename), removed after."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{output.name}.sdkgen-", dir=output.parent))
        stage.chmod(0o755)
    except OSError as exc:
        raise os_error(exc, "create a staging folder", output.parent, output=output) from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _backup_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.sdkgen-old")


def remove_stale_stages(output: Path) -> None:
    """Clean up after a killed generation (only called while holding the lock).

    Without `renameat2`, the swap is three renames: output → backup, stage → output, backup →
    stage. Killed after the first, the output is missing and the backup holds it: it is put back.
    Killed after the second, the output is the new tree and the backup the old one: it goes, like
    every other stage.
    """
    backup = _backup_path(output)
    if backup.is_dir() and not backup.is_symlink() and not output.exists():
        os.rename(backup, output)
    for stale in output.parent.glob(f".{output.name}.sdkgen-*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories; False when the platform cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system or kernel cannot exchange
        return False
    raise OutputError(f"cannot swap {b} into place: {os.strerror(errno)}")


def _carry_links_and_empty_dirs(output: Path, stage: Path, old_owned: dict[str, str], owned: dict[str, bytes]) -> None:
    """Symlinks and empty directories of the output are never sdkgen's: carry them over as they are."""
    if not output.is_dir():
        return
    folders = {parent.as_posix() for path in owned for parent in Path(path).parents}
    for folder, dirs, files in _walk(output):
        relative_folder = Path(folder).relative_to(output)
        for name in dirs + files:
            path = Path(folder) / name
            relative = (relative_folder / name).as_posix()
            if path.is_symlink():
                if relative in owned:
                    raise OutputError(f"{path} is a symlink sdkgen does not own; move it away and generate again")
                if relative in folders:
                    raise OutputError(
                        f"{path} is a symlink where sdkgen writes the folder {relative}/; it never writes through a link: "
                        f"move the link away (sdkgen writes a real folder there) and generate again; {output} was left as it was"
                    )
                if relative not in old_owned:
                    (stage / relative).parent.mkdir(parents=True, exist_ok=True)
                    os.symlink(os.readlink(path), stage / relative)
            elif name in dirs and not any(path.iterdir()):
                (stage / relative).mkdir(parents=True, exist_ok=True)


def _walk(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        yield folder, list(dirs), list(files)


def commit(stage: Path, output: Path, owned: dict[str, bytes], generator: str) -> Changes:
    """Make `output` hold exactly `owned` plus the files it had that sdkgen does not own."""
    try:
        return _commit(stage, output, owned, generator)
    except OSError as exc:
        raise os_error(exc, "prepare the new tree" if output.is_dir() else "write the output", output=output) from None


def _commit(stage: Path, output: Path, owned: dict[str, bytes], generator: str) -> Changes:
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a directory")
    old_owned = read_manifest(output) if output.exists() else {}
    current = tree_files(output) if output.exists() else {}
    for relative in current:
        if relative == MANIFEST or relative in old_owned:
            continue
        if relative in owned:
            raise OutputError(f"{output / relative} exists and sdkgen does not own it (not in {MANIFEST}); move it away and generate again")
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(output / relative, target)
    _carry_links_and_empty_dirs(output, stage, old_owned, owned)
    write_new(stage / MANIFEST, manifest_text(owned, generator))
    changes = Changes(
        added=tuple(sorted(p for p in owned if p not in current)),
        changed=tuple(sorted(p for p in owned if p in current and current[p] != owned[p])),
        removed=tuple(sorted(p for p in old_owned if p not in owned)),
    )
    if not changes and (output / MANIFEST).is_file() and current.get(MANIFEST) == (stage / MANIFEST).read_bytes():
        return changes  # nothing to do: leave the tree (and its timestamps) alone
    if not output.exists():
        os.rename(stage, output)
        stage.mkdir()  # the staging context removes it
    elif not _exchange(stage, output):
        backup = _backup_path(output)
        os.rename(output, backup)
        try:
            os.rename(stage, output)
        except OSError:
            os.rename(backup, output)  # put the old tree back before reporting
            raise
        os.rename(backup, stage)
    return changes
