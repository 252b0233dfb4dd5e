"""Omit vs null, escape hatches and per-call options, on the wire (local servers on 127.0.0.1).

An optional argument left at `NOT_GIVEN` is not sent; `None` sends `null` where the schema allows
null and is refused (before anything is sent) where it does not. `extra_query`, `extra_body`
(merged into the JSON body, or into JSON-RPC params) and `extra_headers` add what a spec forgot;
`timeout=None` turns one call's timeout off; `with_options` makes a configured copy that shares
the connection pool.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from coinbase_sdk import Client
from coinbase_sdk.models import advanced_trade as at

from tests.paging_sdk import NotesServer, generate_sdk
from tests.servers.faults import Fault
from tests.servers.keys import TestKeys
from tests.servers.scripted import ScriptedServer, rpc


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The fixture API's SDK, generated once for this module."""
    yield from generate_sdk(tmp_path_factory.mktemp("notes"))


@pytest.fixture
def server() -> Any:
    with NotesServer() as s:
        yield s


def body(server: ScriptedServer) -> Any:
    return json.loads(server.requests[-1].body)


def test_an_argument_left_out_is_not_sent_and_none_sends_null_where_nullable(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        client.notes.notes.update_note("n1", title="t")
        assert body(server) == {"title": "t"}
        note = client.notes.notes.update_note("n1", due=None, weight=Decimal("1E-8"))
        assert body(server) == {"due": None, "weight": "0.00000001"}
        assert note.due is None and "due" in note.model_fields_set


def test_none_where_the_schema_does_not_allow_null_is_refused_before_sending(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        with pytest.raises(ValueError, match=r"parameter 'title' cannot be null \(None\); leave it out"):
            client.notes.notes.update_note("n1", title=None)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="'limit' cannot be null"):
            client.notes.notes.list_notes(limit=None)  # type: ignore[arg-type]
    assert len(server.requests) == 0


def test_a_nullable_query_parameter_passed_none_is_left_out(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        client.notes.notes.list_notes(tag=None)
    assert "tag" not in server.requests[-1].query  # a query string has no null


def test_header_parameters_and_extra_headers(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        client.notes.notes.update_note("n1", title="t", x_reason="typo", extra_headers={"X-Trace": "1"})
        headers = server.requests[-1].headers
        assert headers["x-reason"] == "typo" and headers["x-trace"] == "1"
        client.notes.notes.update_note("n1", title="t")
        assert "x-reason" not in server.requests[-1].headers


def test_extra_query_and_extra_body_add_to_what_the_method_sends(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url) as client:
        client.notes.notes.update_note("n1", title="t", extra_body={"pinned": True, "title": "won"}, extra_query={"dry_run": "1"})
        record = server.requests[-1]
        assert json.loads(record.body) == {"title": "won", "pinned": True} and record.query == {"dry_run": ["1"]}
        list(client.notes.notes.list_notes(limit=50, extra_query={"lang": "en"}))
        assert server.requests[-1].query == {"limit": ["50"], "lang": ["en"]}
        client.notes.notes.list_archive(extra_body={"filter": {"since": Decimal("1E+3")}})  # a GET gets a body only when asked
        assert body(server) == {"filter": {"since": "1000"}}


def test_self_trade_prevention_id_reaches_create_and_preview_order(keys: TestKeys) -> None:
    kwargs = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}
    with ScriptedServer(lambda r: (200, {"success": True})) as server, Client(**kwargs, advanced_trade_base_url=server.url) as client:
        orders = client.advanced_trade.orders
        config = at.OrderConfiguration.model_validate({"market_market_ioc": {"quote_size": "1"}})
        orders.create_order(
            client_order_id="c1", product_id="BTC-USD", side=at.OrderSide.BUY, order_configuration=config, self_trade_prevention_id="stp-1"
        )
        assert body(server)["self_trade_prevention_id"] == "stp-1"
        orders.preview_order(product_id="BTC-USD", side=at.OrderSide.BUY, order_configuration=config, self_trade_prevention_id="stp-2")
        assert body(server)["self_trade_prevention_id"] == "stp-2"
        # What the spec forgot entirely goes in extra_body.
        orders.create_order(
            client_order_id="c2", product_id="BTC-USD", side=at.OrderSide.BUY, order_configuration=config, extra_body={"new_field": 1}
        )
        assert body(server)["new_field"] == 1 and body(server)["client_order_id"] == "c2"


def test_extra_body_is_merged_into_json_rpc_params_and_none_is_null(keys: TestKeys) -> None:
    kwargs = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}
    seen: list[Any] = []

    def results(method: str, params: Any) -> Any:
        seen.append(params)
        return {"summaries": []}

    with ScriptedServer(rpc(results)) as server, Client(**kwargs, derivatives_base_url=server.url) as client:
        client.derivatives.account_management.get_account_summaries(extended=True, extra_body={"new_flag": True})
        assert seen[-1] == {"extended": True, "new_flag": True}
        client.derivatives.account_management.get_account_summaries()
        assert seen[-1] == {}
        with pytest.raises(ValueError, match="'extended' cannot be null"):
            client.derivatives.account_management.get_account_summaries(extended=None)  # type: ignore[arg-type]


def test_timeout_none_turns_the_timeout_of_one_call_off(sdk: ModuleType, server: NotesServer) -> None:
    server.enqueue(Fault(status=200, body=b'{"id": "n1"}', delay=0.6, method="PATCH"))
    with sdk.Client(notes_base_url=server.url, timeout=0.2, max_retries=0) as client:
        started = time.monotonic()
        assert client.notes.notes.update_note("n1", title="t", timeout=None).id == "n1"
        assert time.monotonic() - started >= 0.6
        server.enqueue(Fault(status=200, body=b'{"id": "n1"}', delay=0.6, method="PATCH"))
        with pytest.raises(sdk.APITimeoutError):
            client.notes.notes.update_note("n1", title="t")  # NOT_GIVEN: the client's 0.2 s


def test_total_timeout_per_call_bounds_the_retries(sdk: ModuleType, server: NotesServer) -> None:
    server.enqueue(Fault(status=503, times=10, method="PATCH", headers={"Retry-After": "0.3"}))
    with sdk.Client(notes_base_url=server.url, max_retries=5) as client:
        started = time.monotonic()
        with pytest.raises(sdk.APIStatusError):
            client.notes.notes.update_note("n1", title="t", total_timeout=0.5)
        assert time.monotonic() - started < 1.5
    assert 1 <= len(server.requests) <= 3  # not six: the next attempt could not start before 0.5 s


def test_with_options_shares_the_pool_and_changes_only_the_copy(sdk: ModuleType, server: NotesServer) -> None:
    with sdk.Client(notes_base_url=server.url, max_retries=3) as client:
        quick = client.with_options(timeout=0.2, max_retries=0, default_headers={"X-Copy": "yes"})
        assert quick._http is client._http
        quick.notes.notes.update_note("n1", title="t")
        client.notes.notes.update_note("n1", title="t")
        first, second = server.requests[-2:]
        assert first.headers.get("x-copy") == "yes" and "x-copy" not in second.headers
        assert first.client_port == second.client_port  # one kept-alive connection: one pool
        server.enqueue(Fault(status=200, body=b"{}", delay=0.6, method="PATCH"))
        with pytest.raises(sdk.APITimeoutError):
            quick.notes.notes.update_note("n1", title="t")
        quick.close()  # closes nothing: the pool is the parent's
        assert client.notes.notes.update_note("n1", title="t").id == "n1"


def test_async_with_options_and_omitted_arguments(sdk: ModuleType, server: NotesServer) -> None:
    async def main() -> None:
        async with sdk.AsyncClient(notes_base_url=server.url) as client:
            copy = client.with_options(default_headers={"X-Copy": "async"})
            await copy.notes.notes.update_note("n1", due=None)
            assert body(server) == {"due": None} and server.requests[-1].headers["x-copy"] == "async"

    asyncio.run(main())


# -- Ed25519 keys and the JWT nonce (plugins/coinbase) --------------------------------------------


def test_an_ed25519_key_with_whitespace_inside_its_base64_loads(keys: TestKeys) -> None:
    from coinbase_sdk._coinbase_auth import load_cdp_key

    secret = keys.ed25519_secret_b64
    wrapped = "\n".join(secret[i : i + 40] for i in range(0, len(secret), 40)) + "\r\n"
    spaced = " " + secret[:10] + " \t" + secret[10:]
    for text in (wrapped, spaced):
        key = load_cdp_key(keys.ed25519_key_name, text)
        assert key.algorithm == "EdDSA"


def test_the_jwt_nonce_is_as_long_as_the_official_sdks(keys: TestKeys) -> None:
    import jwt
    from coinbase_sdk._coinbase_auth import load_cdp_key

    token = load_cdp_key(keys.ed25519_key_name, keys.ed25519_secret_b64).jwt("GET api.coinbase.com/api/v3/brokerage/accounts")
    nonce = jwt.get_unverified_header(token)["nonce"]
    assert len(nonce) == 64 and int(nonce, 16) >= 0  # secrets.token_hex(): 32 bytes, 64 hex characters
