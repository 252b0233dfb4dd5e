"""Every failure inside a call is an `APIError` subclass, with the library's exception as its cause.

What escaped before: `decimal.InvalidOperation` for a number `Decimal` cannot hold (with
`exact_numbers=True`), and a JSON-RPC `"id": true` taken as the answer to request 1 (in Python
`True == 1`). The net under every call (`_transfer.typed_failures`) turns any other stray
exception of httpx, json, decimal, zlib or pydantic into an `APIError` with the cause chained.
"""

from __future__ import annotations

import asyncio
import decimal
import json
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from coinbase_sdk import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError
from coinbase_sdk._exceptions import RequestInfo
from coinbase_sdk._jsonrpc import same_id
from coinbase_sdk._transfer import stray_error, typed_failures

from tests.conftest import run_client
from tests.servers.hostile import HostileServer, RawRequest


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def rpc_answer(body: Any) -> Any:
    def responder(request: RawRequest) -> bytes:
        request_id = json.loads(request.body)["id"]
        text = body(request_id) if callable(body) else body
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(text), text)

    return responder


def auth_call(url: str, mode: str, **client: Any) -> Any:
    return run_client(
        mode,
        lambda c: c.derivatives.authentication.auth(grant_type="client_credentials", client_id="a", client_secret="b"),
        derivatives_base_url=url,
        max_retries=0,
        **client,
    )


@pytest.mark.parametrize("number", [b"1e1000000000000000000", b"-1e-1000000000000000000", b"1E+999999999999999999999"])
def test_a_number_decimal_cannot_hold_is_a_validation_error(hostile: HostileServer, mode: str, number: bytes) -> None:
    hostile.responder = rpc_answer(lambda i: b'{"jsonrpc":"2.0","id":%d,"result":{"access_token":"t","expires_in":%s}}' % (i, number))
    with pytest.raises(APIResponseValidationError) as raised:
        auth_call(hostile.url, mode, exact_numbers=True)
    assert isinstance(raised.value.__cause__, decimal.DecimalException)


@pytest.mark.parametrize("wrong", [b"true", b"1.0", b'"1"', b"[1]"])
def test_a_json_rpc_id_of_the_wrong_type_does_not_match(hostile: HostileServer, mode: str, wrong: bytes) -> None:
    """The first request's id is 1: `true`, `1.0` and `"1"` are not 1."""
    hostile.responder = rpc_answer(b'{"jsonrpc":"2.0","id":%s,"result":{"access_token":"t","expires_in":900}}' % wrong)
    with pytest.raises(APIResponseValidationError, match="does not match the request id"):
        auth_call(hostile.url, mode)


def test_ids_match_only_as_integers() -> None:
    assert same_id(7, 7)
    assert not same_id(True, 1) and not same_id(1.0, 1) and not same_id("1", 1) and not same_id(None, 1)


@pytest.mark.parametrize(
    ("stray", "expected"),
    [
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.DecodingError("bad"), APIResponseValidationError),
        (httpx.StreamConsumed(), APIResponseValidationError),
        (httpx.InvalidURL("bad url"), APIConnectionError),
        (httpx.CookieConflict("two"), APIResponseValidationError),
        (json.JSONDecodeError("bad", "doc", 0), APIResponseValidationError),
        (decimal.InvalidOperation(), APIResponseValidationError),
        (zlib.error("bad"), APIResponseValidationError),
        (RecursionError(), APIResponseValidationError),
        (OverflowError(), APIResponseValidationError),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v.__name__,
)
def test_any_stray_library_exception_becomes_an_api_error_with_its_cause(stray: BaseException, expected: type[APIError]) -> None:
    error = stray_error(stray, RequestInfo("GET", "http://h/x"))
    assert isinstance(error, expected)

    class Api:
        base_url = "http://h"

        @typed_failures
        def request(self, method: str, path: str) -> None:
            raise stray

        @typed_failures
        async def call(self, method: str, params: Any) -> None:
            raise stray

    with pytest.raises(expected) as raised:
        Api().request("GET", "/x")
    assert raised.value.__cause__ is stray
    assert raised.value.request.url == "http://h/x"
    with pytest.raises(expected) as raised:
        asyncio.run(Api().call("public/test", {}))
    assert raised.value.__cause__ is stray and raised.value.request.rpc_method == "public/test"


def test_user_errors_are_not_disguised(hostile: HostileServer, mode: str) -> None:
    """A bad argument is the caller's error (ValueError), not the server's."""
    with pytest.raises(ValueError, match="line break"):
        run_client(
            mode, lambda c: c.advanced_trade.public.get_server_time(extra_headers={"X": "a\nb"}), advanced_trade_base_url=hostile.url
        )
