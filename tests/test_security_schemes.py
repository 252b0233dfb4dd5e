"""Every standard security scheme, generically: one SDK per scheme (tests/fixtures/specs/security/), each
free of vendor and protocol code it does not use, ruff and mypy --strict clean, authenticating sync and
async over a real socket against tests/servers/auth_schemes.py."""

from __future__ import annotations

import asyncio
import importlib
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES, ROOT
from tests.servers.auth_schemes import (
    API_KEY,
    BEARER_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    OAUTH_TOKEN,
    OPENID_TOKEN,
    PASSWORD,
    USERNAME,
    AuthSchemesServer,
)
from tests.servers.hostile import HostileServer
from tests.typecheck import mypy

SPECS = FIXTURES / "specs" / "security"
# scheme spec → (the route it guards, the constructor arguments that satisfy it, their environment variables)
SCHEMES: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "basic": ("/basic", {"username": USERNAME, "password": PASSWORD}, ("BASIC_SDK_USERNAME", "BASIC_SDK_PASSWORD")),
    "bearer": ("/bearer", {"bearer_token": BEARER_TOKEN}, ("BEARER_SDK_BEARER_TOKEN",)),
    "api_key_header": ("/key-header", {"api_key": API_KEY}, ("API_KEY_HEADER_SDK_API_KEY",)),
    "api_key_query": ("/key-query", {"api_key": API_KEY}, ("API_KEY_QUERY_SDK_API_KEY",)),
    "api_key_cookie": ("/key-cookie", {"session_cookie_key": API_KEY}, ("API_KEY_COOKIE_SDK_SESSION_COOKIE_KEY",)),
    "oauth2_client_credentials": (
        "/oauth",
        {"oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET},
        ("OAUTH2_CLIENT_CREDENTIALS_SDK_OAUTH_CLIENT_ID", "OAUTH2_CLIENT_CREDENTIALS_SDK_OAUTH_CLIENT_SECRET"),
    ),
    "oauth2_authorization_code": ("/oauth", {"oauth_token": OAUTH_TOKEN}, ("OAUTH2_AUTHORIZATION_CODE_SDK_OAUTH_TOKEN",)),
    "openid_connect": ("/openid", {"openid_token": OPENID_TOKEN}, ("OPENID_CONNECT_SDK_OPENID_TOKEN",)),
}
# Nothing of the flagship's vendors, and nothing of runtimes a REST-only SDK does not use.
FORBIDDEN = re.compile(r"coinbase|deribit|\bcdp|jwt|websocket|json-?rpc|openrpc", re.IGNORECASE)


def _package(scheme: str) -> str:
    return f"{scheme}_sdk"


@pytest.fixture(scope="module")
def server() -> Iterator[AuthSchemesServer]:
    """One server for the module: the client-credentials SDK is generated with its token URL."""
    with AuthSchemesServer(token_ttl=300) as running:
        yield running


@pytest.fixture(scope="module")
def sdks(tmp_path_factory: pytest.TempPathFactory, server: AuthSchemesServer) -> Iterator[Path]:
    """Generate one SDK per scheme (and one for `all.yaml`) into one folder on sys.path."""
    out = tmp_path_factory.mktemp("security-sdks")
    specs = tmp_path_factory.mktemp("security-specs")
    for scheme in [*SCHEMES, "all"]:
        text = (SPECS / f"{scheme}.yaml").read_text(encoding="utf-8")
        # the token URL of the client-credentials flow is the local server's
        (specs / f"{scheme}.yaml").write_text(text.replace("https://auth.example.com/oauth/token", server.token_url), encoding="utf-8")
        package = _package(scheme)
        generate(
            from_arguments(
                package=package, output=out / package, openapi=[str(specs / f"{scheme}.yaml")], openrpc=[], overlays=[], version="0.1.0"
            )
        )
    for scheme in [*SCHEMES, "all"]:
        sys.path.insert(0, str(out / _package(scheme)))
    yield out
    for scheme in [*SCHEMES, "all"]:
        sys.path.remove(str(out / _package(scheme)))


def _sdk(sdks: Path, scheme: str) -> ModuleType:
    return importlib.import_module(_package(scheme))


def _call(sdk: ModuleType, mode: str, route: str, base_url: str, **kwargs: Any) -> Any:
    """Build a client of `sdk` (sync or async), call the operation on `route`, close the client."""
    name = "get_" + route.strip("/").replace("-", "_")
    attribute = "checks" if hasattr(sdk.Client, "checks") else "every_scheme"
    base = {f"{attribute}_base_url": base_url, "timeout": 5, **kwargs}
    if mode == "sync":
        with sdk.Client(**base) as client:
            return getattr(getattr(client, attribute).checks, name)()

    async def main() -> Any:
        async with sdk.AsyncClient(**base) as client:
            return await getattr(getattr(client, attribute).checks, name)()

    return asyncio.run(main())


# -- the generated packages ------------------------------------------------------------------------


def test_each_scheme_sdk_contains_no_vendor_jwt_websocket_or_jsonrpc_code_or_text(sdks: Path) -> None:
    for scheme in [*SCHEMES, "all"]:
        root = sdks / _package(scheme)
        names = {p.name for p in (root / _package(scheme)).glob("_*.py")}
        assert not names & {"_websocket.py", "_websocket_types.py", "_jsonrpc.py", "_coinbase_auth.py", "_deribit_auth.py"}, scheme
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".md", ".toml", ".json"):
                found = FORBIDDEN.search(path.read_text(encoding="utf-8"))
                assert found is None, f"{path.relative_to(sdks)}: {found.group(0) if found else ''}"


def test_each_scheme_sdk_copies_only_the_auth_module_it_uses(sdks: Path) -> None:
    expected = {
        "basic": {"_auth_basic.py"},
        "bearer": {"_auth_bearer.py"},
        "api_key_header": {"_auth_api_key.py"},
        "api_key_query": {"_auth_api_key.py"},
        "api_key_cookie": {"_auth_api_key.py"},
        "oauth2_client_credentials": {"_auth_bearer.py", "_auth_oauth2.py"},
        "oauth2_authorization_code": {"_auth_bearer.py"},
        "openid_connect": {"_auth_bearer.py"},
    }
    for scheme, modules in expected.items():
        package = sdks / _package(scheme) / _package(scheme)
        assert {p.name for p in package.glob("_auth_*.py")} == modules, scheme
        for module in modules | {"_auth.py", "_base_client.py", "_exceptions.py", "_retry.py"}:  # byte for byte the template
            assert (package / module).read_bytes() == (ROOT / "templates" / "runtime" / module).read_bytes(), module


def test_each_scheme_sdk_is_ruff_and_mypy_strict_clean(sdks: Path) -> None:
    packages = [sdks / _package(s) for s in [*SCHEMES, "all"]]
    for folder in packages:
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=folder, capture_output=True, text=True, check=False
        )
        assert lint.returncode == 0, lint.stdout
    env_path = ":".join(str(p) for p in packages)
    types = mypy(["--strict", *sum((["-p", p.name] for p in packages), [])], cwd=sdks, env={"MYPYPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert types.returncode == 0, types.stdout[-4000:]


def test_readme_documents_each_scheme_argument_and_environment_variable(sdks: Path) -> None:
    for scheme, (_, arguments, env_vars) in SCHEMES.items():
        readme = (sdks / _package(scheme) / "README.md").read_text(encoding="utf-8")
        for argument in arguments:
            assert f"`{argument}=`" in readme and f"| `{argument}` |" in readme, (scheme, argument)
        for env_var in env_vars:
            assert f"`{env_var}`" in readme, (scheme, env_var)


# -- authentication over a real socket ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_authenticates_against_the_server(scheme: str, mode: str, sdks: Path, server: AuthSchemesServer) -> None:
    route, arguments, _ = SCHEMES[scheme]
    result = _call(_sdk(sdks, scheme), mode, route, server.url, **arguments)
    assert result.ok is True and result.scheme == route.strip("/")
    assert server.requests[-1].auth_error is None


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_missing_credentials_name_the_argument_and_the_environment_variable(scheme: str, sdks: Path, server: AuthSchemesServer) -> None:
    route, arguments, env_vars = SCHEMES[scheme]
    sdk = _sdk(sdks, scheme)
    with pytest.raises(sdk.CredentialsError) as raised:
        _call(sdk, "sync", route, server.url)
    message = str(raised.value)
    for name in (*(a for a in arguments if "client" not in a or scheme.endswith("credentials")), *env_vars):
        assert name in message, (name, message)
    assert _call(sdk, "sync", "/public", server.url).ok is True  # a public operation needs nothing


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_from_env_reads_the_scheme_variables(scheme: str, sdks: Path, server: AuthSchemesServer, monkeypatch: pytest.MonkeyPatch) -> None:
    route, arguments, env_vars = SCHEMES[scheme]
    sdk = _sdk(sdks, scheme)
    for env_var, value in zip(env_vars, arguments.values(), strict=True):
        monkeypatch.setenv(env_var, value)
    with sdk.Client.from_env(checks_base_url=server.url, timeout=5) as client:  # type: ignore[arg-type]
        assert getattr(client.checks.checks, "get_" + route.strip("/").replace("-", "_"))().ok is True


@pytest.mark.parametrize("scheme", ["basic", "bearer", "api_key_header", "api_key_query", "api_key_cookie", "openid_connect"])
def test_wrong_credentials_raise_authentication_error_without_the_secret(scheme: str, sdks: Path, server: AuthSchemesServer) -> None:
    route, arguments, _ = SCHEMES[scheme]
    sdk = _sdk(sdks, scheme)
    wrong = {name: "wrong-" + name for name in arguments}
    with pytest.raises(sdk.AuthenticationError) as raised:
        _call(sdk, "sync", route, server.url, **wrong)
    assert raised.value.status_code == 401 and raised.value.attempts == 1
    text = str(raised.value) + repr(raised.value.request)
    assert not any(value in text for value in wrong.values())


def test_api_key_in_the_query_never_reaches_exceptions_or_logs(
    sdks: Path, server: AuthSchemesServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    sdk = _sdk(sdks, "api_key_query")
    caplog.set_level(logging.DEBUG, logger=sdk.__name__)
    with sdk.Client(api_key=API_KEY, checks_base_url=server.url + "/missing", timeout=5) as client:
        with pytest.raises(sdk.NotFoundError) as raised:
            client.checks.checks.get_key_query()
    assert API_KEY not in str(raised.value) and API_KEY not in repr(client)
    assert caplog.records and all(API_KEY not in record.getMessage() for record in caplog.records)


# -- several schemes at once ------------------------------------------------------------------------


def test_a_requirement_naming_two_schemes_sends_both(mode: str, sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "all")
    result = _call(sdk, mode, "/both", server.url, api_key=API_KEY, bearer_token=BEARER_TOKEN)
    assert result.ok is True
    with pytest.raises(sdk.CredentialsError, match=r"`api_key=` \(environment: `ALL_SDK_API_KEY`\) and `bearer_token=`"):
        _call(sdk, mode, "/both", server.url, api_key=API_KEY)


def test_two_api_key_schemes_of_one_api_get_arguments_of_their_own(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "all")
    assert _call(sdk, "sync", "/key-header", server.url, api_key=API_KEY).ok
    assert _call(sdk, "sync", "/key-query", server.url, api_key_query=API_KEY).ok
    with pytest.raises(sdk.CredentialsError, match="api_key_query"):
        _call(sdk, "sync", "/key-query", server.url, api_key=API_KEY)


def test_alternative_requirements_use_the_first_the_client_can_meet(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "all")
    # `/oauth` takes scheme `oauth2` (client credentials or a token) or `OAuth2` (a token)
    assert _call(sdk, "sync", "/oauth", server.url, oauth2_token=OAUTH_TOKEN).ok
    assert _call(sdk, "sync", "/oauth", server.url, oauth_client_id=CLIENT_ID, oauth_client_secret=CLIENT_SECRET).ok


def test_a_user_auth_object_serves_every_call(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "bearer")
    assert _call(sdk, "sync", "/bearer", server.url, checks_auth=sdk.BearerAuth(lambda: BEARER_TOKEN)).ok


# -- OAuth2 client credentials --------------------------------------------------------------------


def _oauth_client(sdk: ModuleType, mode: str, url: str) -> Any:
    cls = sdk.Client if mode == "sync" else sdk.AsyncClient
    return cls(oauth_client_id=CLIENT_ID, oauth_client_secret=CLIENT_SECRET, checks_base_url=url, timeout=5)


def _run(mode: str, client: Any, body: Callable[[Any], Any]) -> Any:
    if mode == "sync":
        with client:
            return body(client)

    async def main() -> Any:
        async with client:
            return await body(client)

    return asyncio.run(main())


def test_client_credentials_token_is_fetched_once_and_reused(mode: str, sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "oauth2_client_credentials")
    if server.reset():
        sdk_client = _oauth_client(sdk, mode, server.url)
        if mode == "sync":
            _run(mode, sdk_client, lambda c: [c.checks.checks.get_oauth() for _ in range(3)])
        else:

            async def three(c: Any) -> None:
                for _ in range(3):
                    await c.checks.checks.get_oauth()

            _run(mode, sdk_client, three)
        assert server.grants == ["client_credentials"]
        token_request = next(r for r in server.requests if r.path == "/oauth/token")
        assert token_request.headers["authorization"].startswith("Basic ")  # RFC 6749's client authentication
        assert CLIENT_SECRET.encode() not in token_request.body


def test_expired_token_is_renewed_with_the_refresh_token(mode: str, sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "oauth2_client_credentials")
    if server.reset(token_ttl=1, issue_refresh_tokens=True):

        def body(c: Any) -> Any:
            import time

            if mode == "sync":
                c.checks.checks.get_oauth()
                time.sleep(1.1)
                return c.checks.checks.get_oauth()

            async def run() -> Any:
                await c.checks.checks.get_oauth()
                await asyncio.sleep(1.1)
                return await c.checks.checks.get_oauth()

            return run()

        _run(mode, _oauth_client(sdk, mode, server.url), body)
        assert server.grants == ["client_credentials", "refresh_token"]


def test_a_refused_token_is_replaced_once(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "oauth2_client_credentials")
    with _oauth_client(sdk, "sync", server.reset().url) as client:
        client.checks.checks.get_oauth()
        server.expire_tokens()  # the server forgets the token before it says it expires
        assert client.checks.checks.get_oauth().ok
        assert server.grants == ["client_credentials", "client_credentials"]
        assert [r.status for r in server.requests if r.path == "/oauth"] == [200, 401, 200]


def test_wrong_client_secret_is_an_authentication_error_from_the_token_url(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "oauth2_client_credentials")
    if server.reset():
        with sdk.Client(oauth_client_id=CLIENT_ID, oauth_client_secret="wrong", checks_base_url=server.url, timeout=5) as client:
            with pytest.raises(sdk.AuthenticationError, match="invalid_client") as raised:
                client.checks.checks.get_oauth()
        assert raised.value.request.url == server.token_url and "wrong" not in str(raised.value)
        assert server.grants == ["client_credentials"]  # refused once: not asked again


def test_concurrent_threads_and_tasks_share_one_token_request(sdks: Path, server: AuthSchemesServer) -> None:
    sdk = _sdk(sdks, "oauth2_client_credentials")
    if server.reset():
        with _oauth_client(sdk, "sync", server.url) as client:
            threads = [threading.Thread(target=client.checks.checks.get_oauth) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert server.grants == ["client_credentials"]

        async def tasks() -> None:
            async with _oauth_client(sdk, "async", server.url) as client:
                await asyncio.gather(*(client.checks.checks.get_oauth() for _ in range(8)))

        asyncio.run(tasks())
        assert server.grants == ["client_credentials", "client_credentials"]
        assert sum(1 for r in server.requests if r.path == "/oauth" and r.status == 200) == 16


def test_the_client_credentials_token_request_never_follows_a_redirect(mode: str, sdks: Path) -> None:
    """The token request is sent like every request (`_transfer.send`): a redirect is refused, the secret stays home."""
    sdk = _sdk(sdks, "oauth2_client_credentials")
    with HostileServer() as token_url, HostileServer() as elsewhere:
        token_url.responder = lambda request: (
            f"HTTP/1.1 307 Moved\r\nLocation: {elsewhere.url}/token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        auth = sdk.OAuth2ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url=token_url.url + "/token")
        with pytest.raises(sdk.RedirectError) as raised:
            if mode == "sync":
                with httpx.Client(follow_redirects=True, timeout=5) as http:
                    auth.prepare(http)
            else:

                async def main() -> None:
                    async with httpx.AsyncClient(follow_redirects=True, timeout=5) as http:
                        await auth.aprepare(http)

                asyncio.run(main())
        assert len(token_url.received) == 1 and elsewhere.received == []
        assert raised.value.status_code == 307 and CLIENT_SECRET not in str(raised.value)


# -- the golden REST fixture -----------------------------------------------------------------------


def test_widgets_golden_tree_is_free_of_vendor_jwt_websocket_and_jsonrpc_text() -> None:
    tree = ROOT / "tests" / "fixtures" / "expected" / "widgets"
    for path in sorted(tree.rglob("*")):
        if path.is_file():
            found = FORBIDDEN.search(path.read_text(encoding="utf-8"))
            assert found is None, f"{path.relative_to(tree)}: {found.group(0) if found else ''}"
    assert "pyjwt" not in (tree / "pyproject.toml").read_text() and "websockets" not in (tree / "pyproject.toml").read_text()


# -- the runtime is copied, not rendered; generic code names no vendor --------------------------------


def test_flagship_runtime_and_plugin_modules_are_byte_identical_to_their_sources() -> None:
    package = ROOT / "generated" / "coinbase_sdk"
    sources = {p.name: p for p in (ROOT / "templates" / "runtime").glob("*.py")} | {p.name: p for p in (ROOT / "plugins").glob("*/_*.py")}
    copied = [name for name in sources if (package / name).is_file()]
    assert {"_auth.py", "_base_client.py", "_jsonrpc.py", "_websocket.py", "_coinbase_auth.py", "_deribit_auth.py"} <= set(copied)
    for name in copied:
        assert (package / name).read_bytes() == sources[name].read_bytes(), name
    assert not (package / "_auth_basic.py").exists() and not (package / "_auth_oauth2.py").exists()  # no scheme of the flagship uses them


def test_generic_generator_and_templates_name_no_vendor() -> None:
    vendor = re.compile(r"coinbase|deribit|\bcdp", re.IGNORECASE)
    for folder in ("generator", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "resources" not in path.parts and path.suffix in (".py", ".jinja", ".jinja2", ".toml", ".md"):
                found = vendor.search(path.read_text(encoding="utf-8"))
                assert found is None, f"{path.relative_to(ROOT)}: {found.group(0) if found else ''}"


def test_mypy_catches_a_request_option_the_runtime_does_not_have(sdks: Path) -> None:
    """Generated methods pass `RequestOptions` (a dataclass): a misspelt option is a type error, not a silent `.get`."""
    folder = sdks / _package("bearer")
    probe = folder / "bearer_sdk" / "_probe.py"
    probe.write_text(
        "from ._base_client import RequestOptions\n\nRequestOptions(qeury={'a': 1}, idempotent='yes')\n",
        encoding="utf-8",
    )
    try:
        result = mypy(["--strict", "bearer_sdk/_probe.py"], cwd=folder)
    finally:
        probe.unlink()
    assert result.returncode == 1
    assert 'Unexpected keyword argument "qeury" for "RequestOptions"' in result.stdout
    assert 'Argument "idempotent" to "RequestOptions" has incompatible type "str"' in result.stdout
