"""Wire fuzzing: the generated clients against a server that answers with random and broken bytes.

Random and truncated bodies, lying `Content-Length`, broken chunking and gzip, bad status lines,
wrong content types, HTML, empty bodies, deeply nested JSON, decompression bombs in every
encoding (and stacked, and in encodings the SDK does not decode), slow-drip heads and bodies,
redirects (to another origin, with credentials, through a client that follows redirects, and
malformed `Location`s), base URLs with userinfo, numbers `Decimal` cannot hold, JSON-RPC ids of
the wrong type, and every way to get a JSON-RPC envelope wrong. Sync and async clients, parsed
and raw responses, with and without `max_response_bytes`.

Every call either returns or raises an `APIError` subclass: never a `KeyError`, `JSONDecodeError`,
pydantic `ValidationError`, `RecursionError`, `decimal.InvalidOperation` or httpx exception. And
every call keeps its bounds: it ends within `timeout` (+ a margin) per request the server saw,
its traced memory peaks within a small multiple of the response limit, no redirect is followed
(the other origin sees nothing), and no secret appears in its error, reprs or log lines.
`make fuzz` prints the slowest time-to-failure and the highest peak memory per kind of case.

`make test` runs a bounded, derandomized number of cases; `make fuzz` runs for its budget.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
import tracemalloc
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import coinbase_sdk._base_client as base_client
import httpx
import pytest
from coinbase_sdk import APIError, AsyncClient, Client, OAuth2Auth, RedirectError
from coinbase_sdk._limits import DEFAULT_MAX_RESPONSE_BYTES
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bombs import zeros_bomb
from tests.conftest import FIXTURES
from tests.fuzzing import STATS, run_budgeted
from tests.servers.hostile import HostileServer, RawRequest, drip

ID = "$ID"  # replaced by the request's JSON-RPC id in scripted envelopes
SECRET = "oauth-secret-token-value"
URL_USER, URL_PASSWORD = "wire-user-U53R", "wire-pass-P455"
SECRETS = [SECRET, URL_USER, URL_PASSWORD]
MiB = 1024 * 1024
DRIP_TIMEOUT = 0.5  # the call timeout of slow-drip cases
MARGIN = 0.75  # seconds past a deadline a call may take to notice it, on a shared machine

SERVER_TIME = {"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1767225600", "epochMillis": "1767225600000"}
PRODUCT = {
    "product_id": "BTC-USD",
    "price": "1.5",
    "price_percentage_change_24h": "0.1",
    "volume_24h": "1",
    "volume_percentage_change_24h": "2",
}
AUTH_RESULT = {"access_token": "tok", "expires_in": 900, "refresh_token": "ref", "scope": "session", "token_type": "bearer"}
SUMMARIES = json.loads((FIXTURES / "payloads" / "account_summaries_extended.json").read_text())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, good: Any) -> Any:
    """`good` with some fields replaced, removed or added."""
    if not isinstance(good, dict) or draw(st.integers(0, 5)) == 0:
        return draw(json_values)
    out = dict(good)
    for key in draw(st.lists(st.sampled_from(sorted(out) or ["x"]), max_size=3)):
        action = draw(st.sampled_from(["drop", "replace", "nest"]))
        if action == "drop":
            out.pop(key, None)
        elif action == "replace":
            out[key] = draw(json_values)
        else:
            out[key] = draw(mutated(out.get(key)))
    return out


SPECIAL_BODIES = [
    b"",
    b" ",
    b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
    b"\xff\xfe\x00\x00garbage\x80\x81",
    b"[" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"[" * 5_000 + b"]" * 5_000,
    b"NaN",
    b"-Infinity",
    b"1e400",
    b"null",
    b'"a string"',
    b"[]",
    b"{}",
    b'{"a": 1, "a": 2}',
    b"\xef\xbb\xbf{}",  # UTF-8 BOM
    '{"iso": "é"}'.encode("utf-16"),
    b'{"jsonrpc": "2.0"',
    b"1e1000000000000000000",
    b'{"x": -1e-1000000000000000000}',
    b'{"iso": 1E+999999999999999999999}',
    b"[" + b"9" * 5000 + b"]",
]
HOSTILE_NUMBERS = [1e308, "1e1000000000000000000", "-1e-1000000000000000000", "1e-4301", "0e999999", "9" * 5000]


@st.composite
def body_templates(draw: st.DrawFn, good: Any) -> Any:
    """A body: bytes, or a JSON value (possibly an envelope template) to encode when answering."""
    kind = draw(st.sampled_from(["good", "mutated", "mutated", "random", "special", "truncated"]))
    if kind == "good":
        return good
    if kind == "mutated":
        return draw(mutated(good))
    if kind == "random":
        return draw(json_values)
    if kind == "special":
        return draw(st.sampled_from(SPECIAL_BODIES))
    text = json.dumps(good).encode()
    return text[: draw(st.integers(0, max(len(text) - 1, 0)))]


@st.composite
def envelopes(draw: st.DrawFn, good_result: Any) -> Any:
    """A JSON-RPC 2.0 response envelope, right or wrong in one of many ways."""
    result = draw(st.one_of(st.just(good_result), mutated(good_result)))
    base: dict[str, Any] = {"jsonrpc": "2.0", "id": ID, "result": result, "usIn": 1, "usOut": 2, "usDiff": 1, "testnet": False}
    kind = draw(
        st.sampled_from(
            [
                "good", "good", "no_jsonrpc", "jsonrpc_1", "no_id", "id_mismatch", "id_string", "id_null", "result_and_error",
                "error", "error_not_object", "error_code_string", "error_code_bool", "error_no_message", "error_message_object",
                "no_result", "batch", "top_level", "error_null", "us_fields_wrong", "id_true", "id_float", "id_array",
                "hostile_number",
            ]
        )
    )  # fmt: skip
    error = {"code": draw(st.sampled_from([10028, 13009, 13004, -32602, 11050, 0, 1])), "message": "boom", "data": draw(json_values)}
    if kind == "no_jsonrpc":
        del base["jsonrpc"]
    elif kind == "jsonrpc_1":
        base["jsonrpc"] = "1.0"
    elif kind == "no_id":
        del base["id"]
    elif kind == "id_mismatch":
        base["id"] = draw(st.integers(-5, 10**6))
    elif kind == "id_string":
        base["id"] = "$IDSTR"
    elif kind == "id_null":
        base["id"] = None
    elif kind == "result_and_error":
        base["error"] = error
    elif kind == "error":
        del base["result"]
        base["error"] = error
    elif kind == "error_not_object":
        del base["result"]
        base["error"] = draw(st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.integers(), st.just(True)))
    elif kind == "error_code_string":
        del base["result"]
        base["error"] = {**error, "code": str(error["code"])}
    elif kind == "error_code_bool":
        del base["result"]
        base["error"] = {**error, "code": True}
    elif kind == "error_no_message":
        del base["result"]
        base["error"] = {"code": error["code"]}
    elif kind == "error_message_object":
        del base["result"]
        base["error"] = {**error, "message": draw(json_values)}
    elif kind == "no_result":
        del base["result"]
    elif kind == "batch":
        return [base]
    elif kind == "top_level":
        return draw(json_values)
    elif kind == "error_null":
        base["error"] = None
    elif kind == "us_fields_wrong":
        base.update(usIn="x", usOut=None, usDiff=[1])
    elif kind == "id_true":
        base["id"] = True
    elif kind == "id_float":
        base["id"] = "$IDFLOAT"
    elif kind == "id_array":
        base["id"] = [ID]
    elif kind == "hostile_number":
        number = draw(st.sampled_from(HOSTILE_NUMBERS))
        base["result"] = {"expires_in": "$NUM", "access_token": "t"} if draw(st.booleans()) else "$NUM"
        base["$number"] = number
    return base


FRAMINGS = [
    "exact",
    "exact",
    "exact",
    "short",
    "long",
    "close",
    "chunked",
    "bad_chunked",
    "gzip",
    "bad_gzip",
    "bomb",
    "bad_status",
    "nothing",
    "bomb_deflate",
    "bomb_raw_deflate",
    "bomb_stacked",
    "bomb_big",
    "bomb_br",
    "drip_head",
    "drip_body",
    "redirect",
]
# Status and Location of "redirect" framings: another origin (filled in per run), this one, and malformed ones.
ELSEWHERE = "$ELSEWHERE"
LOCATIONS = [
    ELSEWHERE + "/api/v2/public/auth",
    ELSEWHERE + "/?token=t",
    "/same/origin",
    "data:application/json,{}",
    "http://[::1",
    "",
    "//evil.invalid/x",
    "http://u:p@evil.invalid/",
]
STATUSES = [200, 200, 200, 200, 201, 204, 304, 100, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 599]
CONTENT_TYPES = [
    "application/json", "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16",
    "text/html", "text/plain", "application/octet-stream", "application/xml", None, "garbage/;;;",
]  # fmt: skip
RETRY_AFTER = [
    None,
    None,
    None,
    "1",
    "0",
    "-1",
    "abc",
    "1e309",
    "nan",
    "inf",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 31 Dec 99999 23:59:59 GMT",
    "99999999999999999999",
]


@dataclass(frozen=True)
class WireCase:
    status: int
    content_type: str | None
    retry_after: str | None
    framing: str
    body: Any  # bytes, or JSON (with ID placeholders)
    auth_ok: bool  # JSON-RPC: answer `public/auth` properly, so the fuzzed answer reaches the private call
    redirect: tuple[int, str] = (302, "")  # the status and Location of "redirect" framings

    def encode(self, request: RawRequest) -> bytes | Iterator[bytes]:
        request_id: Any = None
        try:
            request_id = json.loads(request.body).get("id")
        except (ValueError, AttributeError):
            pass
        body = self.body
        if self.auth_ok and request.path.endswith("/public/auth"):
            return _http(
                200, "application/json", None, "exact", json.dumps({"jsonrpc": "2.0", "id": request_id, "result": AUTH_RESULT}).encode()
            )
        if not isinstance(body, bytes):
            body = _encode(_fill_id(body, request_id))
        if self.framing == "redirect":
            status, location = self.redirect
            return b"HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % (
                status,
                location.replace(ELSEWHERE, _ELSEWHERE_URL[0]).encode(),
            )
        whole = _http(self.status, self.content_type, self.retry_after, self.framing, body)
        if self.framing == "drip_head":
            return drip(whole, every=0.15, after=6)
        if self.framing == "drip_body":
            return drip(whole, every=0.15, after=max(len(whole) - 30, whole.index(b"\r\n\r\n") + 4))
        return whole


_ELSEWHERE_URL = [""]  # the other origin's URL, set by the test


def _encode(value: Any) -> bytes:
    """JSON, with a `$number` entry spliced in raw where `$NUM` stands (numbers json.dumps cannot write)."""
    number = value.pop("$number", None) if isinstance(value, dict) else None
    text = json.dumps(value).encode()
    if number is not None:
        text = text.replace(b'"$NUM"', str(number).encode())
    return text


def _fill_id(value: Any, request_id: Any) -> Any:
    if value == ID:
        return request_id
    if value == "$IDSTR":
        return str(request_id)
    if value == "$IDFLOAT" and isinstance(request_id, int):
        return float(request_id)
    if isinstance(value, dict):
        return {k: _fill_id(v, request_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_id(v, request_id) for v in value]
    return value


def _http(status: int, content_type: str | None, retry_after: str | None, framing: str, body: bytes) -> bytes:
    if framing == "nothing":
        return b""
    status_line = b"HTTP/1.1 %d Whatever\r\n" % status if framing != "bad_status" else b"HTTP/1.1 2x0 ???\r\n"
    headers: list[tuple[str, str]] = []
    if content_type:
        headers.append(("Content-Type", content_type))
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    if framing.startswith("bomb_") or framing == "bomb":
        body, encoding = _BOMBS[framing]
        headers.append(("Content-Encoding", encoding))
    elif framing == "gzip":
        body = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    elif framing == "bad_gzip":
        headers.append(("Content-Encoding", "gzip"))
    if framing in ("exact", "gzip", "bad_gzip", "bad_status", "drip_head", "drip_body") or framing.startswith("bomb"):
        headers.append(("Content-Length", str(len(body))))
    elif framing == "short":
        headers.append(("Content-Length", str(len(body) + 7)))
    elif framing == "long":
        headers.append(("Content-Length", str(max(len(body) - 3, 0))))
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    elif framing == "bad_chunked":
        headers.append(("Transfer-Encoding", "chunked"))
    headers.append(("Connection", "close"))
    head = status_line + b"".join(f"{k}: {v}\r\n".encode("latin-1") for k, v in headers) + b"\r\n"
    return head + body


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


_BOMBS: dict[str, tuple[bytes, str]] = {
    "bomb": (gzip.compress(b"0" * 3_000_000, compresslevel=1), "gzip"),
    "bomb_deflate": (_deflate(b"0" * 3_000_000, zlib.MAX_WBITS), "deflate"),
    "bomb_raw_deflate": (_deflate(b"0" * 3_000_000, -zlib.MAX_WBITS), "deflate"),
    "bomb_stacked": (gzip.compress(gzip.compress(b" " * 50_000_000)), "gzip, gzip"),
    "bomb_big": (zeros_bomb(128 * MiB, "gzip"), "gzip"),  # 128 MiB in ~125 KiB: over the 32 MiB default
    "bomb_br": (b"\x1b\xff\xff\x0f" * 100, "br"),  # not an encoding the SDK asks for or decodes
}


def wire_cases(good: Any, *, jsonrpc: bool) -> st.SearchStrategy[WireCase]:
    body = envelopes(good) if jsonrpc else body_templates(good)
    if jsonrpc:
        body = st.one_of(body, body, body_templates({"jsonrpc": "2.0", "id": ID, "result": good}))
    return st.builds(
        WireCase,
        status=st.sampled_from(STATUSES),
        content_type=st.sampled_from(CONTENT_TYPES),
        retry_after=st.sampled_from(RETRY_AFTER),
        framing=st.sampled_from(FRAMINGS),
        body=body,
        auth_ok=st.booleans(),
        redirect=st.tuples(st.sampled_from([301, 302, 303, 307, 308]), st.sampled_from(LOCATIONS)),
    )


@dataclass(frozen=True)
class Call:
    name: str
    mode: str  # sync or async
    raw: bool  # through `with_raw_response`, then `.parse()`
    max_response_bytes: int | None
    max_retries: int
    follow_redirects: bool  # through the caller's own httpx client, set to follow redirects
    userinfo: bool  # the base URLs carry credentials
    exact_numbers: bool


calls = st.builds(
    Call,
    name=st.sampled_from(["server_time", "product", "products", "auth", "summaries"]),
    mode=st.sampled_from(["sync", "async"]),
    raw=st.booleans(),
    max_response_bytes=st.sampled_from([None, None, None, 0, 10, 1000, 100_000]),
    max_retries=st.sampled_from([0, 0, 0, 1]),
    follow_redirects=st.booleans(),
    userinfo=st.booleans(),
    exact_numbers=st.booleans(),
)
GOOD = {
    "server_time": SERVER_TIME,
    "product": PRODUCT,
    "products": {"products": [PRODUCT], "num_products": 1},
    "auth": AUTH_RESULT,
    "summaries": SUMMARIES,
}


def _target(client: Any, call: Call, timeout: float) -> Any:
    at, rpc = client.advanced_trade.public, client.derivatives
    group = {
        "server_time": (at, "get_server_time", {}),
        "product": (at, "get_public_product", {"product_id": "../BTC-USD?x#y"}),
        "products": (at, "get_public_products", {"limit": 3}),
        "auth": (rpc.authentication, "auth", {"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"}),
        "summaries": (rpc.account_management, "get_account_summaries", {"extended": True}),
    }[call.name]
    owner, method, kwargs = group
    if call.raw:
        owner = owner.with_raw_response
    return getattr(owner, method), {
        **kwargs,
        "max_response_bytes": call.max_response_bytes,
        "max_retries": call.max_retries,
        "timeout": timeout,
    }


class _Lines(logging.Handler):
    """Every log line of every logger, formatted, while a call runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


def run_call(server: HostileServer, call: Call, timeout: float = 5) -> str:
    """Make the call; return what happened (the result kind or the APIError class). Anything else fails."""
    base = server.url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@") if call.userinfo else server.url
    options: dict[str, Any] = {
        "advanced_trade_base_url": base,
        "derivatives_base_url": base,
        "derivatives_auth": OAuth2Auth(SECRET),
        "timeout": timeout,
        "exact_numbers": call.exact_numbers,
    }
    shown: list[str] = []
    lines = _Lines()
    root = logging.getLogger()
    level = root.level
    if call.userinfo:  # grep every log line for the secrets (DEBUG everywhere is slow: only here)
        root.addHandler(lines)
        root.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if call.mode == "sync":
                with (
                    httpx.Client(follow_redirects=call.follow_redirects, timeout=timeout) as http,
                    Client(http_client=http, **options) as client,
                ):
                    shown.append(repr(client))
                    method, kwargs = _target(client, call, timeout)
                    result = method(**kwargs)
                    if call.raw:
                        result.parse()
                        _ = (
                            getattr(result, "us_in", None),
                            getattr(result, "us_out", None),
                            getattr(result, "us_diff", None),
                            repr(result),
                        )
            else:

                async def main() -> None:
                    async with (
                        httpx.AsyncClient(follow_redirects=call.follow_redirects, timeout=timeout) as http,
                        AsyncClient(http_client=http, **options) as client,
                    ):
                        shown.append(repr(client))
                        method, kwargs = _target(client, call, timeout)
                        result = await method(**kwargs)
                        if call.raw:
                            result.parse()
                            _ = (
                                getattr(result, "us_in", None),
                                getattr(result, "us_out", None),
                                getattr(result, "us_diff", None),
                                repr(result),
                            )

                asyncio.run(main())
    except APIError as exc:
        shown.append(f"{exc} {exc!r} {exc.request}")  # rendering the error must not fail either
        cause = exc.__cause__
        while cause is not None:
            shown.append(f"{cause} {cause!r}")
            cause = cause.__cause__
        return type(exc).__name__
    finally:
        if call.userinfo:
            root.removeHandler(lines)
            root.setLevel(level)
        text = "\n".join(shown + lines.lines)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into an exception, a repr or a log line"
    return "ok"


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[HostileServer]:
    """Another origin, where redirects point: it must never receive a request."""
    with HostileServer() as server:
        _ELSEWHERE_URL[0] = server.url
        yield server


@pytest.fixture(autouse=True, scope="module")
def no_sleeping() -> Iterator[None]:
    async def async_sleep(delay: float) -> None:
        assert delay >= 0

    def sleep(delay: float) -> None:
        assert delay >= 0

    saved = base_client._sleep, base_client._async_sleep
    base_client._sleep, base_client._async_sleep = sleep, async_sleep
    yield
    base_client._sleep, base_client._async_sleep = saved


@st.composite
def call_and_case(draw: st.DrawFn) -> tuple[Call, WireCase]:
    call = draw(calls)
    return call, draw(wire_cases(GOOD[call.name], jsonrpc=call.name in ("auth", "summaries")))


def _record(kind: str, seconds: float, peak: int) -> None:
    """Slowest time-to-failure and highest peak memory per kind of case, for the `make fuzz` summary."""
    slow, high = f"wire slowest ms: {kind}", f"wire peak KiB: {kind}"
    STATS[slow] = max(STATS[slow], round(seconds * 1000))
    STATS[high] = max(STATS[high], peak // 1024)


def test_every_wire_failure_is_an_api_error(hostile_server: HostileServer, elsewhere: HostileServer) -> None:
    def run(max_examples: int) -> None:
        @settings(max_examples=max_examples)
        @given(call_and_case())
        def one(example: tuple[Call, WireCase]) -> None:
            call, case = example
            hostile_server.responder = case.encode
            timeout = DRIP_TIMEOUT if case.framing.startswith("drip") else 5.0
            seen = len(hostile_server.received)
            # Memory is traced during the call only (drawing the example is not the SDK's memory; tracing it
            # costs a third of the test's CPU). What was allocated before is not traced, so what the call
            # frees of it never lowers the peak: this measure is never below one traced all along.
            tracemalloc.start()
            try:
                floor = tracemalloc.get_traced_memory()[0]
                started = time.monotonic()
                outcome = run_call(hostile_server, call, timeout)
                elapsed = time.monotonic() - started
                peak = tracemalloc.get_traced_memory()[1] - floor
            finally:
                tracemalloc.stop()
            requests = len(hostile_server.received) - seen
            # Deadline: every request the server saw ended within its timeout (+ a margin).
            assert elapsed <= max(requests, 1) * (timeout + MARGIN) + 1.0, (
                f"{elapsed:.2f} s for {requests} request(s) with timeout {timeout}"
            )
            # Memory: within a small multiple of the response limit (what a good answer may hold, parsed).
            limit = DEFAULT_MAX_RESPONSE_BYTES if call.max_response_bytes is None else call.max_response_bytes
            assert peak <= 3 * limit + 16 * MiB, f"peak {peak / MiB:.1f} MiB with a limit of {limit / MiB:.1f} MiB"
            # Redirects: never followed, whatever the client; the other origin never hears from us.
            assert elsewhere.received == []
            if case.framing == "redirect" and requests == 1 and outcome != "ok":
                assert outcome == RedirectError.__name__ or call.name in ("auth", "summaries"), outcome
            STATS["wire cases"] += 1
            STATS[f"wire outcome: {outcome}"] += 1
            _record(case.framing, elapsed, peak)

        one()

    # One good answer per call first: the SDK's lazy imports (models, groups) are not a call's time-to-failure.
    for name, good in GOOD.items():
        body = {"jsonrpc": "2.0", "id": ID, "result": good} if name in ("auth", "summaries") else good
        hostile_server.responder = WireCase(200, "application/json", None, "exact", body, auth_ok=True).encode
        assert run_call(hostile_server, Call(name, "sync", False, None, 0, False, False, False)) == "ok", name
    run_budgeted("wire", run, bounded_examples=250, batch=200)
