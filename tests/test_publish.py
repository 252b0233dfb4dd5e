"""`make publish` end to end: a real package index on 127.0.0.1, a fresh virtualenv, a real call.

The index is pypiserver with an htpasswd file, so the upload only works with the credentials the
environment gives twine. The fresh virtualenv has no package index but ours; it borrows the
development environment's third-party packages (httpx, pydantic, PyJWT...) through a `.pth` file,
because CI may reach no other index, so only `coinbase-sdk` itself is resolved from the local index.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers import RestServer, TestKeys
from tests.servers.base import free_port

USER, PASSWORD = "publisher", "correct horse battery staple"
VERSION = re.search(r'__version__ = "([^"]+)"', (ROOT / "generated" / "coinbase_sdk" / "_version.py").read_text(encoding="utf-8"))[1]  # type: ignore[index]

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


@pytest.fixture(scope="module")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A pypiserver on 127.0.0.1 that wants a password for uploads; yields its URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports `crypt`, deprecated in 3.11
        from passlib.apache import HtpasswdFile

    folder = tmp_path_factory.mktemp("index")
    htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
    htpasswd.set_password(USER, PASSWORD)
    htpasswd.save()
    (folder / "packages").mkdir()
    port = free_port()
    server = subprocess.Popen(
        [ROOT / ".venv" / "bin" / "pypi-server", "run", "-i", "127.0.0.1", "-p", str(port), "-P", str(folder / "htpasswd"), "-a", "update"]
        + [str(folder / "packages")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/simple/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("pypiserver did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def make_publish(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    return subprocess.run(
        ["make", "--no-print-directory", "publish", f"DIST={tmp_path / 'dist'}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_publish_refuses_to_guess_an_index(tmp_path: Path) -> None:
    done = make_publish(tmp_path)
    assert done.returncode != 0
    assert "set TWINE_REPOSITORY_URL" in done.stderr
    assert not (tmp_path / "dist").exists()


def test_publish_with_wrong_credentials_is_refused(tmp_path: Path, package_index: str) -> None:
    done = make_publish(tmp_path, TWINE_REPOSITORY_URL=package_index, TWINE_USERNAME=USER, TWINE_PASSWORD="wrong")
    assert done.returncode != 0
    assert "403" in done.stdout + done.stderr or "401" in done.stdout + done.stderr
    assert "coinbase-sdk" not in urllib.request.urlopen(f"{package_index}/simple/").read().decode()


def test_published_package_installs_into_a_fresh_venv_and_calls_the_api(
    tmp_path: Path, package_index: str, rest_server: RestServer, keys: TestKeys
) -> None:
    done = make_publish(tmp_path, TWINE_REPOSITORY_URL=package_index, TWINE_USERNAME=USER, TWINE_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout  # twine check --strict, on the sdist and the wheel
    built = sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert built == [f"coinbase_sdk-{VERSION}-py3-none-any.whl", f"coinbase_sdk-{VERSION}.tar.gz"]

    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True
    ).stdout.strip()
    Path(site_packages, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    absent = subprocess.run([python, "-c", "import coinbase_sdk"], capture_output=True, text=True)
    assert absent.returncode != 0  # nothing provides the SDK before the install

    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir", "--disable-pip-version-check"]
        + ["--index-url", f"{package_index}/simple/", f"coinbase-sdk=={VERSION}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert f"Successfully installed coinbase-sdk-{VERSION}" in install.stdout

    portfolio = "4f0e7f3c-6c1e-4b1a-9d7e-2f5a1c9b8e7d"
    run = subprocess.run(
        [python, "-c", CALL_FROM_INSTALLED_PACKAGE, rest_server.url, str(keys.cdp_api_key_file), portfolio],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # not the repository: nothing may come from generated/
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["file"].startswith(site_packages)
    assert result["version"] == VERSION
    assert result["portfolio"] == portfolio
    assert rest_server.requests[-1].auth_error is None
