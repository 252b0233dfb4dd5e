"""The generated clients on a hostile wire: one regression test per defence (sync and async).

Path parameters stay one segment, header values cannot split a request, TLS is verified by
default, `max_response_bytes` stops reading a body, and whatever the server sends that the
wire fuzzer found to leak (bad gzip, a charset that does not decode, deeply nested JSON)
raises an `APIError` subclass.
"""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from coinbase_sdk import APIConnectionError, APIError, APIResponseValidationError, BadRequestError, Client, ResponseTooLargeError
from coinbase_sdk._encoding import expand_path, path_segment
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import run_client
from tests.servers import Fault, JsonRpcServer, RestServer, TestKeys
from tests.servers.hostile import HostileServer, RawRequest

SERVER_TIME = json.dumps({"iso": "2026-01-01T00:00:00Z", "epochSeconds": "1", "epochMillis": "1000"}).encode()


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def answer(status: int, body: bytes, *headers: tuple[str, str], length: bool = True) -> Any:
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    data = (head + "Connection: close\r\n\r\n").encode() + body

    def responder(request: RawRequest) -> bytes:
        return data

    return responder


def server_time(url: str, mode: str, **call: Any) -> Any:
    return run_client(mode, lambda c: c.advanced_trade.public.get_server_time(**call), advanced_trade_base_url=url, max_retries=0)


# -- path parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "segment"),
    [("../../accounts", "..%2F..%2Faccounts"), ("..", "%2E%2E"), (".", "%2E"), ("a/b?c#d%", "a%2Fb%3Fc%23d%25"), ("{x}", "%7Bx%7D")],
)
def test_a_path_parameter_is_exactly_one_segment(value: str, segment: str) -> None:
    assert path_segment("id", value) == segment


def test_path_templates_are_filled_by_name_only() -> None:
    """`str.format` would look up `{id.__class__}` on the value, and refuse `{0}`: spec names are only names."""
    assert expand_path("/a/{id.__class__}/{0}", {"id.__class__": "x", "0": "y"}) == "/a/x/y"
    with pytest.raises(ValueError, match="is empty"):
        expand_path("/a/{id}", {"id": ""})


def test_dot_dot_id_cannot_reach_the_parent_path(rest_server: RestServer, mode: str) -> None:
    with pytest.raises(APIError):  # whatever the answer: the server knows no product `..`
        run_client(mode, lambda c: c.advanced_trade.public.get_public_product(".."), advanced_trade_base_url=rest_server.url, max_retries=0)
    assert rest_server.requests[-1].path == "/api/v3/brokerage/market/products/%2E%2E"


# -- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"])
def test_header_values_with_line_breaks_are_refused_before_sending(hostile: HostileServer, mode: str, value: str) -> None:
    with pytest.raises(ValueError, match="line break or NUL"):
        server_time(hostile.url, mode, extra_headers={"X-Note": value})
    assert hostile.received == []


def test_default_headers_with_line_breaks_are_refused_before_sending(hostile: HostileServer, mode: str) -> None:
    with pytest.raises(ValueError, match="line break or NUL"):
        run_client(
            mode,
            lambda c: c.advanced_trade.public.get_server_time(),
            advanced_trade_base_url=hostile.url,
            default_headers={"X-Team": "desk\r\nX-Injected: 1"},
        )
    assert hostile.received == []


def test_a_gateway_token_with_a_line_break_is_never_sent_as_a_header(rpc_server: JsonRpcServer, keys: TestKeys, mode: str) -> None:
    token = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "result": {"access_token": "t\r\nX-Injected: 1", "expires_in": 900, "token_type": "bearer"}}
    )
    rpc_server.enqueue(Fault(status=200, body=token.encode(), rpc_method="public/auth"))
    with pytest.raises(ValueError, match="line break or NUL"):
        run_client(
            mode,
            lambda c: c.derivatives.account_management.get_account_summaries(),
            derivatives_base_url=rpc_server.url,
            api_key_name=keys.ed25519_key_name,
            api_private_key=keys.ed25519_secret_b64,
            max_retries=0,
        )
    assert [json.loads(r.body)["method"] for r in rpc_server.requests] == ["public/auth"]


# -- TLS ------------------------------------------------------------------------------------------


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class _TimeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(SERVER_TIME)))
        self.end_headers()
        self.wfile.write(SERVER_TIME)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = _self_signed(tmp_path)
    httpd = HTTPServer(("127.0.0.1", 0), _TimeHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


def test_tls_certificates_are_verified_by_default(tls_server: tuple[str, Path], mode: str) -> None:
    url, _ = tls_server
    with pytest.raises(APIConnectionError, match="ConnectError") as raised:
        server_time(url, mode)
    assert raised.value.request_sent is False


def test_a_trusted_certificate_works_through_http_client(tls_server: tuple[str, Path]) -> None:
    """The way to a private CA is an explicit `http_client`: the default is never loosened."""
    import httpx

    url, cert = tls_server
    with (
        httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as http,
        Client(advanced_trade_base_url=url, http_client=http) as client,
    ):
        assert client.advanced_trade.public.get_server_time().iso == "2026-01-01T00:00:00Z"


def test_a_certificate_in_ssl_cert_file_is_trusted_by_the_default_client(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """The shared default TLS context follows SSL_CERT_FILE, as httpx's own default does."""
    url, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert server_time(url, mode).iso == "2026-01-01T00:00:00Z"


def test_clients_share_one_default_tls_context() -> None:
    """The CA bundle is loaded once per process, not once per client (~20 ms of CPU each)."""
    from coinbase_sdk import AsyncClient

    def context_of(client: Any) -> ssl.SSLContext:
        return client._http._transport._pool._ssl_context  # type: ignore[no-any-return]

    with Client() as first, Client() as second:
        shared = context_of(first)
        assert context_of(second) is shared and isinstance(shared, ssl.SSLContext)
        assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
        assert context_of(AsyncClient()) is shared


# -- response size --------------------------------------------------------------------------------


def test_max_response_bytes_per_client_refuses_a_declared_large_body(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(200, SERVER_TIME, ("Content-Type", "application/json"))
    with pytest.raises(ResponseTooLargeError, match="Content-Length") as raised:
        run_client(mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=hostile.url, max_response_bytes=10)
    assert raised.value.limit == 10 and raised.value.status_code == 200


def test_max_response_bytes_per_call_stops_a_streamed_body(hostile: HostileServer, mode: str) -> None:
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (SERVER_TIME[:20], SERVER_TIME[20:])) + b"0\r\n\r\n"
    hostile.responder = answer(200, chunked, ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), length=False)
    with pytest.raises(ResponseTooLargeError, match="more than 30 bytes"):
        server_time(hostile.url, mode, max_response_bytes=30)
    assert server_time(hostile.url, mode, max_response_bytes=len(SERVER_TIME)).epochSeconds == "1"  # exactly the limit is fine


def test_max_response_bytes_counts_decompressed_bytes(hostile: HostileServer, mode: str) -> None:
    bomb = gzip.compress(b" " * 5_000_000)
    hostile.responder = answer(200, bomb, ("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    with pytest.raises(ResponseTooLargeError):
        run_client(
            mode, lambda c: c.advanced_trade.public.get_server_time(), advanced_trade_base_url=hostile.url, max_response_bytes=100_000
        )


def test_per_call_limit_wins_over_the_client_limit(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(200, SERVER_TIME, ("Content-Type", "application/json"))
    result = run_client(
        mode,
        lambda c: c.advanced_trade.public.get_server_time(max_response_bytes=10_000),
        advanced_trade_base_url=hostile.url,
        max_response_bytes=10,
    )
    assert result.iso == "2026-01-01T00:00:00Z"


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        Client(max_response_bytes=-1)


# -- what the wire fuzzer found ---------------------------------------------------------------------


def test_bad_gzip_is_a_response_validation_error(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(200, b"not gzip at all", ("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    with pytest.raises(APIResponseValidationError, match="DecodingError"):
        server_time(hostile.url, mode)


def test_an_error_body_in_a_charset_that_does_not_decode_is_kept_as_text(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(400, b"0000", ("Content-Type", "text/plain; charset=utf-16"))  # UTF-16 without a BOM
    with pytest.raises(BadRequestError) as raised:
        server_time(hostile.url, mode)
    assert raised.value.body == "0000"


@pytest.mark.parametrize("status", [200, 400])
def test_deeply_nested_json_is_an_api_error(hostile: HostileServer, mode: str, status: int) -> None:
    hostile.responder = answer(status, b"[" * 100_000, ("Content-Type", "application/json"))
    with pytest.raises(APIResponseValidationError if status == 200 else BadRequestError):
        server_time(hostile.url, mode)


def test_deeply_nested_json_rpc_response_is_an_api_error(hostile: HostileServer, mode: str) -> None:
    hostile.responder = answer(200, b"[" * 100_000, ("Content-Type", "application/json"))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        run_client(
            mode,
            lambda c: c.derivatives.authentication.auth(grant_type="client_credentials", client_id="a", client_secret="b"),  # type: ignore[arg-type]
            derivatives_base_url=hostile.url,
            max_retries=0,
        )
