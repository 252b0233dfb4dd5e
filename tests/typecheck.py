"""mypy as the tests run it: incremental, with one cache per test process.

Most of what a mypy run on a small generated package costs is the standard library, httpx and
pydantic (about 2.5 s of CPU each time with `--no-incremental`). With a cache those are analysed
once per worker, and every later run checks only the package itself. mypy validates each cached
module against its source (path, size, hash) and its options, so a package generated into a new
folder, or edited, is checked again; modules with errors are never cached, so errors are always
reported. Runs with different flags get different cache folders.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

CACHE_VARIABLE = "SDKGEN_TEST_MYPY_CACHE"  # set per test process by conftest.py


def mypy(args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m mypy ARGS` in `cwd`, with this process's cache for these flags."""
    base = os.environ.get(CACHE_VARIABLE) or tempfile.mkdtemp(prefix="sdkgen-mypy-")
    flags = [a for a in args if a.startswith("-")]
    cache = Path(base) / hashlib.sha256("\0".join(flags).encode()).hexdigest()[:16]
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
