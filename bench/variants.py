"""The measured variants: each factory builds its client once and returns the function of one call.

The SDK is used only through its public API: the ``Client``/``AsyncClient`` constructor arguments
(``http_client=``, ``advanced_trade_auth=``, ...), ``OAuth2Auth``/``CdpKeyAuth`` and
``client.<api>.<group>.<method>()`` (plus, for the "raw + SDK model" rows, the models modules). A
factory that raises (say, the API changed) turns its row into an error line instead of stopping the run.

A `Target` is either the socket server (``transport`` None: every client opens its own connection)
or the in-process `FixtureTransport` (every client is built on an httpx client with that transport).
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bench.opc import OpcClient
from bench.server import DRIFTED_SUFFIX
from bench.timing import AsyncCall, Call
from bench.transport import FixtureTransport

if TYPE_CHECKING:
    from coinbase_sdk import AsyncClient, Client

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PORTFOLIO_UUID = "2f1d3b4a-5c6e-4f70-8a9b-0c1d2e3f4a5b"
BALANCES_PATH = f"/api/v3/brokerage/intx/balances/{PORTFOLIO_UUID}"
RPC_METHOD = "private/get_account_summaries"
RPC_TOKEN = "bench-token"  # what bench.server's public/auth hands out; it checks nothing

SyncFactory = Callable[[ExitStack], Call]
AsyncFactory = Callable[[AsyncExitStack], Awaitable[AsyncCall]]
UNCHECKED = "(not a call) "  # a label starting with this is timed without checking its result


@dataclass(frozen=True)
class Target:
    """Where the server is, the generated baseline client, and the committed test-only CDP keys."""

    base_url: str
    opc: OpcClient | None
    ec_key_name: str
    ec_private_pem: str
    ed25519_key_name: str
    ed25519_secret_b64: str
    transport: FixtureTransport | None = None

    @classmethod
    def load(cls, base_url: str, opc: OpcClient | None, transport: FixtureTransport | None = None) -> Target:
        """Read the keys from ``tests/fixtures/keys`` (see its README: they protect nothing)."""
        keys = FIXTURES / "keys"
        names = json.loads((keys / "key_names.json").read_text())
        ec_pem = (keys / "ec_p256_private.pem").read_text()
        ed_b64 = (keys / "ed25519_private.b64").read_text().strip()
        return cls(base_url, opc, names["ec"], ec_pem, names["ed25519"], ed_b64, transport)

    def http(self) -> httpx.Client:
        """A raw ``httpx.Client`` for this target (on the in-process transport when there is one)."""
        return httpx.Client(transport=self.transport) if self.transport else httpx.Client()

    def async_http(self) -> httpx.AsyncClient:
        """A raw ``httpx.AsyncClient`` for this target."""
        return httpx.AsyncClient(transport=self.transport) if self.transport else httpx.AsyncClient()

    def _sdk_kwargs(self, key: str | None) -> dict[str, Any]:
        from coinbase_sdk import OAuth2Auth

        urls = {"advanced_trade_base_url": self.base_url, "derivatives_base_url": self.rpc_url}
        if key is None:  # auth excluded: a fixed bearer token, no signing (the raw rows send the same header)
            return urls | {"advanced_trade_auth": OAuth2Auth(RPC_TOKEN), "derivatives_auth": OAuth2Auth(RPC_TOKEN)}
        name, secret = self._key(key)
        return urls | {"api_key_name": name, "api_private_key": secret}

    @property
    def rpc_url(self) -> str:
        """Base URL of the JSON-RPC gateway (the SDK's ``derivatives_base_url``)."""
        return f"{self.base_url}/api/v2"

    def _key(self, key: str) -> tuple[str, str]:
        return (self.ec_key_name, self.ec_private_pem) if key == "ec" else (self.ed25519_key_name, self.ed25519_secret_b64)

    def sdk_client(self, stack: ExitStack, key: str | None = "ec") -> Client:
        """A ``coinbase_sdk.Client`` for this target, signing with the EC (ES256) or the Ed25519 key, or
        (``key=None``) with a fixed OAuth2 bearer token; on the in-process transport via ``http_client=``."""
        from coinbase_sdk import Client

        http = stack.enter_context(self.http()) if self.transport else None
        return stack.enter_context(Client(http_client=http, **self._sdk_kwargs(key)))

    async def sdk_async_client(self, stack: AsyncExitStack, key: str | None = "ec") -> AsyncClient:
        """`sdk_client` for ``coinbase_sdk.AsyncClient``."""
        from coinbase_sdk import AsyncClient

        http = await stack.enter_async_context(self.async_http()) if self.transport else None
        return await stack.enter_async_context(AsyncClient(http_client=http, **self._sdk_kwargs(key)))

    def opc_client(self) -> Any:
        """openapi-python-client's ``AuthenticatedClient`` (bearer token), on the transport via ``httpx_args``."""
        generated = self.require_opc()
        extra = {"httpx_args": {"transport": self.transport}} if self.transport else {}
        return generated.authenticated_client(base_url=self.base_url, token=RPC_TOKEN, **extra)

    def require_opc(self) -> OpcClient:
        """The openapi-python-client baseline, or the reason it is missing."""
        if self.opc is None:
            raise RuntimeError("openapi-python-client did not generate a client (see above)")
        return self.opc


def member(value: Any, name: str) -> Any:
    """``value[name]`` for decoded JSON, ``value.name`` for models (pydantic or attrs)."""
    return value[name] if isinstance(value, dict) else getattr(value, name)


def balances_count(result: object) -> int:
    """How many balances the first portfolio of a balances result has (checks what a variant parsed)."""
    return len(member(member(result, "portfolio_balances")[0], "balances"))


def summaries_count(result: object) -> int:
    """How many per-currency summaries an account-summaries result has."""
    return len(member(result, "summaries"))


def _rpc_body(ids: itertools.count[int]) -> bytes:
    envelope = {"jsonrpc": "2.0", "id": next(ids), "method": RPC_METHOD, "params": {"extended": True}}
    return json.dumps(envelope, separators=(",", ":")).encode()


_RPC_HEADERS = {"Authorization": f"Bearer {RPC_TOKEN}", "Content-Type": "application/json"}
_BEARER = {"Authorization": f"Bearer {RPC_TOKEN}"}


# -- REST, sync -------------------------------------------------------------------------------------


def rest_sync(target: Target) -> list[tuple[str, SyncFactory]]:
    """GET the INTX balances: raw httpx (baseline), raw + SDK model, raw + JWT, openapi-python-client, SDK."""
    url = target.base_url + BALANCES_PATH

    def raw(stack: ExitStack) -> Call:
        http = stack.enter_context(target.http())
        return lambda: json.loads(http.get(url, headers=_BEARER).content)

    def raw_model(stack: ExitStack) -> Call:
        from coinbase_sdk.models.advanced_trade import GetBalanceSummaryResponse

        http = stack.enter_context(target.http())
        return lambda: GetBalanceSummaryResponse.model_validate_json(http.get(url, headers=_BEARER).content)

    def raw_jwt(stack: ExitStack) -> Call:
        key = load_pem_private_key(target.ec_private_pem.encode(), password=None)
        assert isinstance(key, EllipticCurvePrivateKey)
        name, uri = target.ec_key_name, f"GET {httpx.URL(url).netloc.decode()}{BALANCES_PATH}"
        http = stack.enter_context(target.http())

        def call() -> object:
            now = int(time.time())
            claims = {"sub": name, "iss": "cdp", "nbf": now, "exp": now + 120, "uri": uri}
            token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": name, "nonce": secrets.token_hex(16)})
            return json.loads(http.get(url, headers={"Authorization": f"Bearer {token}"}).content)

        return call

    def opc(stack: ExitStack) -> Call:
        client = stack.enter_context(target.opc_client())
        sync = target.require_opc().operation.sync
        return lambda: sync(PORTFOLIO_UUID, client=client)

    def sdk(key: str | None) -> SyncFactory:
        def factory(stack: ExitStack) -> Call:
            client = target.sdk_client(stack, key)
            return lambda: client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO_UUID)

        return factory

    def lenient(stack: ExitStack) -> Call:
        client = target.sdk_client(stack, None)
        return lambda: client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO_UUID + DRIFTED_SUFFIX)

    def signing(stack: ExitStack) -> Call:
        from coinbase_sdk import CdpKeyAuth

        auth = CdpKeyAuth(target.ec_key_name, target.ec_private_pem)
        request = httpx.Request("GET", url)
        return lambda: auth.sign(request)

    return [
        ("raw httpx + json.loads (baseline)", raw),
        ("raw httpx + SDK model_validate_json (floor)", raw_model),
        ("raw httpx + ES256 JWT (PyJWT) + json.loads", raw_jwt),
        ("openapi-python-client sync()", opc),
        ("coinbase_sdk Client, auth excluded (bearer)", sdk(None)),
        ("coinbase_sdk Client, ES256 JWT", sdk("ec")),
        ("coinbase_sdk Client, Ed25519 JWT", sdk("ed25519")),
        ("coinbase_sdk Client, bearer, one value off-spec (lenient path)", lenient),
        (f"{UNCHECKED}SDK ES256 signing alone: CdpKeyAuth.sign()", signing),
    ]


# -- JSON-RPC, sync ---------------------------------------------------------------------------------


def rpc_sync(target: Target) -> list[tuple[str, SyncFactory]]:
    """POST private/get_account_summaries: raw httpx (baseline), raw + SDK model, SDK."""
    url = f"{target.rpc_url}/{RPC_METHOD}"

    def raw(stack: ExitStack) -> Call:
        http, ids = stack.enter_context(target.http()), itertools.count(1)
        return lambda: json.loads(http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS).content)["result"]

    def raw_model(stack: ExitStack) -> Call:
        from coinbase_sdk.models.derivatives import AccountSummaries

        http, ids = stack.enter_context(target.http()), itertools.count(1)
        return lambda: AccountSummaries.model_validate(
            json.loads(http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS).content)["result"]
        )

    def sdk(key: str | None) -> SyncFactory:
        def factory(stack: ExitStack) -> Call:
            client = target.sdk_client(stack, key)
            return lambda: client.derivatives.account_management.get_account_summaries(extended=True)

        return factory

    return [
        ("raw httpx + json.loads (baseline)", raw),
        ("raw httpx + json.loads + SDK model_validate (floor)", raw_model),
        ("coinbase_sdk Client, OAuth2 token grant (cached)", sdk(None)),
        ("coinbase_sdk Client, CDP key grant (token cached)", sdk("ec")),
    ]


# -- async ----------------------------------------------------------------------------------------


def rest_async(target: Target) -> list[tuple[str, AsyncFactory]]:
    """The async twins of the REST variants: raw ``httpx.AsyncClient`` (baseline), openapi-python-client, SDK."""
    url = target.base_url + BALANCES_PATH

    async def raw(stack: AsyncExitStack) -> AsyncCall:
        http = await stack.enter_async_context(target.async_http())

        async def call() -> object:
            return json.loads((await http.get(url, headers=_BEARER)).content)

        return call

    async def opc(stack: AsyncExitStack) -> AsyncCall:
        client = await stack.enter_async_context(target.opc_client())
        asyncio_ = target.require_opc().operation.asyncio

        async def call() -> object:
            return await asyncio_(PORTFOLIO_UUID, client=client)

        return call

    def sdk(key: str | None) -> AsyncFactory:
        async def factory(stack: AsyncExitStack) -> AsyncCall:
            client = await target.sdk_async_client(stack, key)

            async def call() -> object:
                return await client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO_UUID)

            return call

        return factory

    return [
        ("raw httpx.AsyncClient + json.loads (baseline)", raw),
        ("openapi-python-client asyncio()", opc),
        ("coinbase_sdk AsyncClient, auth excluded (bearer)", sdk(None)),
        ("coinbase_sdk AsyncClient, ES256 JWT", sdk("ec")),
    ]


def rpc_async(target: Target) -> list[tuple[str, AsyncFactory]]:
    """The async twins of the JSON-RPC variants: raw ``httpx.AsyncClient`` (baseline) and the SDK."""
    url = f"{target.rpc_url}/{RPC_METHOD}"

    async def raw(stack: AsyncExitStack) -> AsyncCall:
        http, ids = await stack.enter_async_context(target.async_http()), itertools.count(1)

        async def call() -> object:
            return json.loads((await http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS)).content)["result"]

        return call

    async def sdk(stack: AsyncExitStack) -> AsyncCall:
        client = await target.sdk_async_client(stack, None)

        async def call() -> object:
            return await client.derivatives.account_management.get_account_summaries(extended=True)

        return call

    return [
        ("raw httpx.AsyncClient + json.loads (baseline)", raw),
        ("coinbase_sdk AsyncClient, OAuth2 token grant (cached)", sdk),
    ]
