"""The measured variants: each factory builds its client once and returns the function of one call.

The SDK is used only through its public API: the ``Client``/``AsyncClient`` constructor arguments
and ``client.<api>.<group>.<method>()`` (plus, for the "raw + SDK model" rows, the models modules). A factory that raises (say, the API changed) turns its row
into an error line instead of stopping the run.
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
from bench.timing import AsyncCall, Call

if TYPE_CHECKING:
    from coinbase_sdk import AsyncClient, Client

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PORTFOLIO_UUID = "2f1d3b4a-5c6e-4f70-8a9b-0c1d2e3f4a5b"
BALANCES_PATH = f"/api/v3/brokerage/intx/balances/{PORTFOLIO_UUID}"
RPC_METHOD = "private/get_account_summaries"
RPC_TOKEN = "bench-token"  # what bench.server's public/auth hands out; it checks nothing

SyncFactory = Callable[[ExitStack], Call]
AsyncFactory = Callable[[AsyncExitStack], Awaitable[AsyncCall]]


@dataclass(frozen=True)
class Target:
    """Where the server is, the generated baseline client, and the committed test-only CDP keys."""

    base_url: str
    opc: OpcClient | None
    ec_key_name: str
    ec_private_pem: str
    ed25519_key_name: str
    ed25519_secret_b64: str

    @classmethod
    def load(cls, base_url: str, opc: OpcClient | None) -> Target:
        """Read the keys from ``tests/fixtures/keys`` (see its README: they protect nothing)."""
        keys = FIXTURES / "keys"
        names = json.loads((keys / "key_names.json").read_text())
        ec_pem = (keys / "ec_p256_private.pem").read_text()
        ed_b64 = (keys / "ed25519_private.b64").read_text().strip()
        return cls(base_url, opc, names["ec"], ec_pem, names["ed25519"], ed_b64)

    @property
    def rpc_url(self) -> str:
        """Base URL of the JSON-RPC gateway (the SDK's ``derivatives_base_url``)."""
        return f"{self.base_url}/api/v2"

    def _key(self, key: str) -> tuple[str, str]:
        return (self.ec_key_name, self.ec_private_pem) if key == "ec" else (self.ed25519_key_name, self.ed25519_secret_b64)

    def sdk_client(self, key: str = "ec") -> Client:
        """A ``coinbase_sdk.Client`` for this server, signing with the EC (ES256) or the Ed25519 key."""
        from coinbase_sdk import Client

        name, secret = self._key(key)
        return Client(api_key_name=name, api_private_key=secret, advanced_trade_base_url=self.base_url, derivatives_base_url=self.rpc_url)

    def sdk_async_client(self) -> AsyncClient:
        """A ``coinbase_sdk.AsyncClient`` for this server, signing with the EC (ES256) key."""
        from coinbase_sdk import AsyncClient

        name, secret = self._key("ec")
        return AsyncClient(
            api_key_name=name, api_private_key=secret, advanced_trade_base_url=self.base_url, derivatives_base_url=self.rpc_url
        )

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


# -- REST, sync -------------------------------------------------------------------------------------


def rest_sync(target: Target) -> list[tuple[str, SyncFactory]]:
    """GET the INTX balances: raw httpx (baseline), raw + SDK model, raw + JWT, openapi-python-client, SDK."""
    url = target.base_url + BALANCES_PATH

    def raw(stack: ExitStack) -> Call:
        http = stack.enter_context(httpx.Client())
        return lambda: json.loads(http.get(url).content)

    def raw_model(stack: ExitStack) -> Call:
        from coinbase_sdk.models.advanced_trade import GetBalanceSummaryResponse

        http = stack.enter_context(httpx.Client())
        return lambda: GetBalanceSummaryResponse.model_validate_json(http.get(url).content)

    def raw_jwt(stack: ExitStack) -> Call:
        key = load_pem_private_key(target.ec_private_pem.encode(), password=None)
        assert isinstance(key, EllipticCurvePrivateKey)
        name, uri = target.ec_key_name, f"GET {httpx.URL(url).netloc.decode()}{BALANCES_PATH}"
        http = stack.enter_context(httpx.Client())

        def call() -> object:
            now = int(time.time())
            claims = {"sub": name, "iss": "cdp", "nbf": now, "exp": now + 120, "uri": uri}
            token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": name, "nonce": secrets.token_hex(16)})
            return json.loads(http.get(url, headers={"Authorization": f"Bearer {token}"}).content)

        return call

    def opc(stack: ExitStack) -> Call:
        generated = target.require_opc()
        client = stack.enter_context(generated.authenticated_client(base_url=target.base_url, token=RPC_TOKEN))
        sync = generated.operation.sync
        return lambda: sync(PORTFOLIO_UUID, client=client)

    def sdk(key: str) -> SyncFactory:
        def factory(stack: ExitStack) -> Call:
            client = stack.enter_context(target.sdk_client(key))
            return lambda: client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO_UUID)

        return factory

    return [
        ("raw httpx + json.loads (baseline)", raw),
        ("raw httpx + SDK model_validate_json", raw_model),
        ("raw httpx + ES256 JWT (PyJWT) + json.loads", raw_jwt),
        ("openapi-python-client sync()", opc),
        ("coinbase_sdk Client, ES256 JWT", sdk("ec")),
        ("coinbase_sdk Client, Ed25519 JWT", sdk("ed25519")),
    ]


# -- JSON-RPC, sync ---------------------------------------------------------------------------------


def rpc_sync(target: Target) -> list[tuple[str, SyncFactory]]:
    """POST private/get_account_summaries: raw httpx (baseline), raw + SDK model, SDK."""
    url = f"{target.rpc_url}/{RPC_METHOD}"

    def raw(stack: ExitStack) -> Call:
        http, ids = stack.enter_context(httpx.Client()), itertools.count(1)
        return lambda: json.loads(http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS).content)["result"]

    def raw_model(stack: ExitStack) -> Call:
        from coinbase_sdk.models.derivatives import AccountSummaries

        http, ids = stack.enter_context(httpx.Client()), itertools.count(1)
        return lambda: AccountSummaries.model_validate(
            json.loads(http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS).content)["result"]
        )

    def sdk(stack: ExitStack) -> Call:
        client = stack.enter_context(target.sdk_client())
        return lambda: client.derivatives.account_management.get_account_summaries(extended=True)

    return [
        ("raw httpx + json.loads (baseline)", raw),
        ("raw httpx + json.loads + SDK model_validate", raw_model),
        ("coinbase_sdk Client (token cached)", sdk),
    ]


# -- async ----------------------------------------------------------------------------------------


def rest_async(target: Target) -> list[tuple[str, AsyncFactory]]:
    """The async twins of the REST variants: raw ``httpx.AsyncClient`` (baseline), openapi-python-client, SDK."""
    url = target.base_url + BALANCES_PATH

    async def raw(stack: AsyncExitStack) -> AsyncCall:
        http = await stack.enter_async_context(httpx.AsyncClient())

        async def call() -> object:
            return json.loads((await http.get(url)).content)

        return call

    async def opc(stack: AsyncExitStack) -> AsyncCall:
        generated = target.require_opc()
        client = await stack.enter_async_context(generated.authenticated_client(base_url=target.base_url, token=RPC_TOKEN))
        asyncio_ = generated.operation.asyncio

        async def call() -> object:
            return await asyncio_(PORTFOLIO_UUID, client=client)

        return call

    async def sdk(stack: AsyncExitStack) -> AsyncCall:
        client = await stack.enter_async_context(target.sdk_async_client())

        async def call() -> object:
            return await client.advanced_trade.perpetuals.get_intx_balances(PORTFOLIO_UUID)

        return call

    return [
        ("raw httpx.AsyncClient + json.loads (baseline)", raw),
        ("openapi-python-client asyncio()", opc),
        ("coinbase_sdk AsyncClient, ES256 JWT", sdk),
    ]


def rpc_async(target: Target) -> list[tuple[str, AsyncFactory]]:
    """The async twins of the JSON-RPC variants: raw ``httpx.AsyncClient`` (baseline) and the SDK."""
    url = f"{target.rpc_url}/{RPC_METHOD}"

    async def raw(stack: AsyncExitStack) -> AsyncCall:
        http, ids = await stack.enter_async_context(httpx.AsyncClient()), itertools.count(1)

        async def call() -> object:
            return json.loads((await http.post(url, content=_rpc_body(ids), headers=_RPC_HEADERS)).content)["result"]

        return call

    async def sdk(stack: AsyncExitStack) -> AsyncCall:
        client = await stack.enter_async_context(target.sdk_async_client())

        async def call() -> object:
            return await client.derivatives.account_management.get_account_summaries(extended=True)

        return call

    return [
        ("raw httpx.AsyncClient + json.loads (baseline)", raw),
        ("coinbase_sdk AsyncClient (token cached)", sdk),
    ]
