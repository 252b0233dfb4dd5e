"""A real package index on 127.0.0.1 (pypiserver with htpasswd) and a fresh virtualenv that installs from it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.servers.base import free_port

USER, PASSWORD = "publisher", "correct horse battery staple"

CALL_FROM_INSTALLED_PACKAGE = """
import json, sys, warnings
import coinbase_sdk
from coinbase_sdk import Client

base_url, key_file, portfolio = sys.argv[1:4]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the INTX endpoints are deprecated, still served here
    with Client(api_private_key=key_file, advanced_trade_base_url=base_url, timeout=5) as client:
        result = client.advanced_trade.perpetuals.get_intx_balances(portfolio)
print(json.dumps({
    "file": coinbase_sdk.__file__,
    "version": coinbase_sdk.__version__,
    "portfolio": result.portfolio_balances[0].portfolio_uuid,
}))
"""


@contextmanager
def package_index(folder: Path) -> Iterator[str]:
    """pypiserver on a free port of 127.0.0.1, uploads need USER/PASSWORD; yields its URL.

    `--disable-fallback`: a project the index does not hold is a 404 here, not a redirect to
    pypi.org, so nothing in the tests reaches the public index. A port taken between choosing it
    and binding it (another test worker) is retried with a new one.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports `crypt`, deprecated in 3.11
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

    htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
    htpasswd.set_password(USER, PASSWORD)
    htpasswd.save()
    (folder / "packages").mkdir(exist_ok=True)
    for _attempt in range(3):
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "pypi-server"), "run", "-i", "127.0.0.1", "-p", str(port), "-P", str(folder / "htpasswd")]
            + ["-a", "update", "--disable-fallback", str(folder / "packages")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        if _wait_until_serving(url, server):
            break
        server.kill()
        server.wait(timeout=10)
    else:
        raise RuntimeError("pypiserver did not start")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/simple/", timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def fresh_venv(folder: Path) -> tuple[Path, str]:
    """A virtualenv with no SDK, borrowing the dev environment's third-party packages; (python, its site-packages).

    CI may reach no index but ours, so httpx, pydantic, PyJWT... come from the development
    environment through a `.pth` file; only `coinbase-sdk` itself is resolved from the local index.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True
    ).stdout.strip()
    Path(site_packages, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python, site_packages


def pip_install(python: Path, index_url: str, requirement: str) -> subprocess.CompletedProcess[str]:
    """`pip install` into `python`'s environment from `index_url` only (`--index-url`, no extra index)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir", "--disable-pip-version-check"]
        + ["--index-url", f"{index_url}/simple/", requirement],
        capture_output=True,
        text=True,
        timeout=300,
    )


def call_installed_sdk(python: Path, base_url: str, key_file: Path, portfolio: str, cwd: Path) -> Any:
    """Run the installed SDK against the local REST server, from a folder where nothing else provides it."""
    run = subprocess.run(
        [python, "-c", CALL_FROM_INSTALLED_PACKAGE, base_url, str(key_file), portfolio],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def index_files(url: str, project: str) -> str:
    """The simple page of `project` on the index ("" when it has none)."""
    try:
        page: bytes = urllib.request.urlopen(f"{url}/simple/{project}/").read()
        return page.decode()
    except OSError:
        return ""
