"""Incremental regeneration: the formatted files of earlier generations, by the hash of their rendered text.

`ruff check --fix` + `ruff format` of a file depends only on its text and the tree's ruff
settings. Keyed by the rendered text, the formatted bytes are reused, so ruff runs only on the
files that changed, and not at all when none did (rendering every template is cheap: GitHub's 41
models modules and 68 other files in under a second). Every key includes a fingerprint of the generator's own code, the templates and the ruff version,
so a changed generator never reads what an older one wrote. Entries live in the cache folder of
`generator/load/cache.py` (`$SDKGEN_CACHE_DIR`, `off` disables it), under `render/`
(`SDKGEN_RENDER_CACHE=off` disables only this one); they are
written atomically and only save time: an unreadable entry is work done again. The output is the
same bytes as a cold generation's (`tests/test_incremental.py` checks this over a series of edits).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from ..load.cache import cache_dir

_GENERATOR = Path(__file__).resolve().parent.parent


@dataclass
class Work:
    """What a generation formatted, and what it took from earlier generations."""

    files: int = 0
    files_formatted: int = 0
    models_modules: int = 0
    models_formatted: int = 0

    def summary(self) -> str:
        done = f"formatted {self.files_formatted} of {self.files} files ({self.models_formatted} of {self.models_modules} models modules)"
        reused = self.files - self.files_formatted
        return done + (f"; {reused} unchanged, taken from the render cache" if reused else "")


@cache
def _fingerprint(templates: Path) -> str:
    digest = hashlib.sha256()
    for tool in ("sdkgen", "ruff", "jinja2"):
        try:
            digest.update(f"{tool}={version(tool)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{tool}=?\0".encode())
    for root, pattern in ((_GENERATOR, "*.py"), (templates, "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class RenderCache:
    """Rendered and formatted files by content hash (see the module docstring)."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self._folder = folder
        self._fingerprint = fingerprint

    @classmethod
    def open(cls, templates: Path) -> RenderCache | None:
        folder = cache_dir()
        if folder is None or os.environ.get("SDKGEN_RENDER_CACHE") == "off":
            return None
        return cls(folder / "render", _fingerprint(templates.resolve()))

    def key(self, kind: str, *parts: str | bytes) -> str:
        digest = hashlib.sha256(f"{kind}\0{self._fingerprint}\0".encode())
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        try:
            return (self._folder / key[:2] / key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        folder = self._folder / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, folder / key)
        except OSError:
            pass  # the cache only saves time


class _TemplateCodeCache(FileSystemBytecodeCache):
    """Jinja's compiled templates on disk; a folder that cannot be read or written only costs the compile."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):  # unreadable or damaged: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_code_cache(templates: Path) -> FileSystemBytecodeCache | None:
    """Where the Jinja environments keep compiled templates (compiling them is most of a small SDK's render time).

    Compiled templates are the generator's code, like its `.pyc` files, not the product of a spec:
    they are kept where Python keeps those, in this package's `__pycache__/` (so every later run
    on the machine, whatever its spec and cache folder, finds them compiled, as it finds the
    generator's modules), or in the cache folder when that is not writable or Python writes no
    bytecode (`PYTHONDONTWRITEBYTECODE`). Jinja checks each entry against its template's source;
    the folder is also named by the fingerprint of the generator's code (which sets the
    environments' options), the templates and Jinja's version, so code compiled under other
    options is never read. None when the render cache is off (`SDKGEN_RENDER_CACHE=off`), or the
    cache folder is needed and off.
    """
    if os.environ.get("SDKGEN_RENDER_CACHE") == "off":
        return None
    name = f"jinja-{_fingerprint(templates.resolve())[:16]}"
    beside = Path(__file__).resolve().parent / "__pycache__"
    if not sys.dont_write_bytecode and os.access(beside if beside.is_dir() else beside.parent, os.W_OK):
        return _TemplateCodeCache(str(beside / name), "%s.cache")
    folder = cache_dir()
    if folder is None:
        return None
    return _TemplateCodeCache(str(folder / "render" / name), "%s.cache")
