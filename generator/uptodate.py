"""Skip a regeneration when nothing it reads has changed and the output is what it wrote.

The everyday `make regenerate` (`sdkgen generate` with the specs untouched) would load, validate,
build, render and compare everything, to write nothing. So a successful `sdkgen generate` leaves
a **record** in the cache folder (`$SDKGEN_CACHE_DIR/outputs/`, one per output folder):

- `key`: the hash of everything that decides the output besides the spec files: the `Config`
  (`[tool.sdkgen]` and the command line), the templates folder and its files, the generator's own
  files (code and vendored resources), the plug-in folders, the Python version and the installed
  distributions (ruff, Jinja, PyYAML... by name and version), and the working directory (warnings
  show paths relative to it);
- `inputs`: the SHA-256 of every file the generation read through the loader (specs, overlays,
  `$ref`d files, AsyncAPI documents), of the changelog it copies, and the files it looked for and
  did not find (`null`), so a file that appears changes the key too;
- `manifest`: the SHA-256 of the `.sdkgen-manifest.json` it wrote, which lists every file it owns
  with its SHA-256;
- what the command printed: counts and warnings.

The next `sdkgen generate` checks all of it before anything else, under the output's lock: each
input hashed again, the manifest, and every owned file of the output hashed and compared (each a
regular file reached through no symlink). When everything matches, the output holds what a
generation would write (same inputs, same bytes), so it is left as it is and nothing is loaded,
built or rendered; the heavy modules are not even imported. Anything else (an edit anywhere, a
missing or hand-edited generated file, a damaged record) is a full generation, which writes a new
record. `sdkgen check` (`make check-generated`) never reads records: it always renders and compares.
`sdkgen generate --force` or `SDKGEN_CACHE_DIR=off` regenerates regardless. A run killed between
writing the output and its record leaves the old record, which then matches neither.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config
from .load.cache import cache_dir
from .locations import CHECKOUT_PLUGINS

FORMAT = 1  # of a record: a record of another format is not read
MANIFEST = ".sdkgen-manifest.json"  # generator/write.py's (not imported: it pulls in the render filters)
_GENERATOR = Path(__file__).resolve().parent

_RECORDING: ContextVar[dict[str, str | None] | None] = ContextVar("sdkgen_inputs", default=None)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def note_read(path: Path, data: bytes) -> None:
    """The loader read `path` (its bytes `data`): an input of the generation being recorded, if any."""
    files = _RECORDING.get()
    if files is not None:
        files[str(path.resolve())] = digest(data)


def note_absent(path: Path) -> None:
    """The generation looked for `path` and it was not there: its appearing would change the output."""
    files = _RECORDING.get()
    if files is not None:
        files.setdefault(str(path.resolve()), None)


@contextlib.contextmanager
def recording() -> Iterator[dict[str, str | None]]:
    """Collect the files read (path → SHA-256) and looked for in vain (path → None) within the block."""
    files: dict[str, str | None] = {}
    token = _RECORDING.set(files)
    try:
        yield files
    finally:
        _RECORDING.reset(token)


@dataclass(frozen=True)
class Outcome:
    """What `sdkgen generate` prints of a generation, kept to print it again when the output is reused."""

    package: str
    operations: int
    models: int
    warnings: tuple[str, ...]  # the grouped warning lines (`Diagnostics.summary()`)
    all_warnings: tuple[str, ...]  # every warning (`-v`)
    surface: tuple[str, ...]  # the API surface verdict of an unchanged output ("API surface: unchanged")


def _tree(folder: Path, digest_: Any) -> None:
    """Every file below `folder` (`__pycache__` left out), path and bytes, in a stable order."""
    if not folder.is_dir():
        digest_.update(f"{folder}: absent\0".encode())
        return
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            digest_.update(os.path.relpath(path, folder).encode("utf-8", "surrogateescape") + b"\0")
            with open(path, "rb") as handle:
                digest_.update(handle.read())
            digest_.update(b"\0")


def _distributions() -> list[str]:
    """Installed distributions by name and version (their metadata folders), on every `sys.path` entry."""
    names: list[str] = []
    for entry in sys.path:
        with contextlib.suppress(OSError):
            names.extend(f"{entry}/{n}" for n in sorted(os.listdir(entry or ".")) if n.endswith((".dist-info", ".egg-info", ".pth")))
    return names


def static_key(config: Config, templates: Path) -> str:
    """The hash of what decides the output besides the files the loader reads (module docstring)."""
    digest_ = hashlib.sha256()
    head = {
        "format": FORMAT,
        "config": dataclasses.asdict(config),
        "templates": str(templates.resolve()),
        "cwd": os.getcwd(),
        "python": [sys.version, sys.executable],
        "distributions": _distributions(),
    }
    digest_.update(json.dumps(head, sort_keys=True, default=str).encode("utf-8", "surrogateescape"))
    for folder in (_GENERATOR, templates.resolve(), *config.plugins, *((CHECKOUT_PLUGINS,) if CHECKOUT_PLUGINS else ())):
        digest_.update(f"\0{folder}\0".encode("utf-8", "surrogateescape"))
        _tree(Path(folder), digest_)
    return digest_.hexdigest()


def enabled() -> bool:
    """Whether records are kept: the cache folder is not off (`SDKGEN_CACHE_DIR=off`)."""
    return cache_dir() is not None


def _record_path(output: Path) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    return folder / "outputs" / f"{digest(str(output.resolve()).encode('utf-8', 'surrogateescape'))[:32]}.json"


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read())
    except FileNotFoundError:
        return None


def _regular_files(root: Path) -> dict[str, str]:
    """Relative POSIX path → absolute path of every regular file below `root`, reached through no symlink."""
    found: dict[str, str] = {}
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    found[prefix + entry.name] = entry.path
    return found


def _output_is(output: Path, manifest_digest: str) -> bool:
    """Whether `output` holds the manifest of that digest and every file it lists, byte for byte."""
    try:
        if not stat.S_ISDIR(os.lstat(output).st_mode):
            return False
        files = _regular_files(output)
        manifest = files.get(MANIFEST)
        if manifest is None:
            return False
        with open(manifest, "rb") as handle:
            text = handle.read()
        if digest(text) != manifest_digest:
            return False
        owned = json.loads(text)["files"]
        for path, expected in owned.items():
            where = files.get(path)
            if where is None or _file_digest(where) != expected:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def reusable(config: Config, templates: Path, key: str | None = None) -> Outcome | None:
    """The recorded outcome when the output is current (module docstring), else None. Never raises.

    `key` is `static_key(config, templates)` when the caller has it. Call it holding the output's
    lock, so no generation writes the output while it is checked.
    """
    path = _record_path(config.output)
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("format") != FORMAT or record["key"] != (key or static_key(config, templates)):
            return None
        for source, expected in record["inputs"].items():
            if _file_digest(source) != expected:
                return None
        if not _output_is(config.output, record["manifest"]):
            return None
        outcome = record["outcome"]
        return Outcome(
            str(outcome["package"]),
            int(outcome["operations"]),
            int(outcome["models"]),
            *(tuple(str(line) for line in outcome[key]) for key in ("warnings", "all_warnings", "surface")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(config: Config, templates: Path, key: str, inputs: dict[str, str | None], manifest: bytes, outcome: Outcome) -> None:
    """Write the record of a generation that just succeeded (atomically; skipped when the cache cannot be written).

    `key` is `static_key` taken *before* the generation: if the generator or a template changed
    while it ran, the record is simply never matched.
    """
    path = _record_path(config.output)
    if path is None:
        return
    record = {"format": FORMAT, "key": key, "inputs": inputs, "manifest": digest(manifest), "outcome": dataclasses.asdict(outcome)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as handle:
            json.dump(record, handle, indent=1, sort_keys=True)
        os.replace(handle.name, path)
    except OSError:
        return
