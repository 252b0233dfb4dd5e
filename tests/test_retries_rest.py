"""Retry policy of the REST client, against a fault-injecting server on 127.0.0.1 (sync and async).

Every test counts requests on the server side: nothing is sent more often than the policy
allows, and a request that is not idempotent is never repeated once the server may have seen it.
"""

from __future__ import annotations

import socket
import warnings
from email.utils import formatdate
from typing import Any

import pytest
from coinbase_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
)
from coinbase_sdk.models.advanced_trade import OrderConfiguration

from tests.conftest import run_client
from tests.servers import Fault, RestServer, TestKeys

TIME = "/api/v3/brokerage/time"
ORDERS = "/api/v3/brokerage/orders"
PORTFOLIOS = "/api/v3/brokerage/portfolios"
RATE_LIMITED = b'{"error": "RATE_LIMITED", "message": "slow down"}'
UNAVAILABLE = b'{"error": "UNAVAILABLE", "message": "try later"}'


def server_time(client: Any, **options: Any) -> Any:
    return client.advanced_trade.public.get_server_time(**options)


def create_portfolio(client: Any) -> Any:
    return client.advanced_trade.portfolios.create_portfolio(name="ops")


def create_order(client: Any) -> Any:
    config = OrderConfiguration.model_validate({"market_market_ioc": {"quote_size": "10"}})
    return client.advanced_trade.orders.create_order(client_order_id="c-1", product_id="BTC-USD", side="BUY", order_configuration=config)


def signed(server: RestServer, keys: TestKeys, **extra: Any) -> dict[str, Any]:
    return {"api_key_name": keys.ec_key_name, "api_private_key": keys.ec_private_pem, "advanced_trade_base_url": server.url, **extra}


def hits(server: RestServer, path: str) -> int:
    return sum(1 for r in server.requests if r.path == path)


def test_429_waits_for_retry_after_seconds_then_succeeds(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=429, body=RATE_LIMITED, headers={"Retry-After": "2"}, path=TIME))
    result = run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert result.iso is not None
    assert hits(rest_server, TIME) == 2
    assert sleeps == [2.0]


def test_429_honours_retry_after_as_an_http_date(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    import time

    rest_server.enqueue(Fault(status=429, body=RATE_LIMITED, headers={"Retry-After": formatdate(time.time() + 30, usegmt=True)}, path=TIME))
    run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert len(sleeps) == 1 and 27 <= sleeps[0] <= 30


def test_retry_after_ms_wins_over_retry_after(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=429, body=RATE_LIMITED, headers={"retry-after-ms": "250", "Retry-After": "9"}, path=TIME))
    run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert sleeps == [0.25]


def test_retry_after_beyond_a_minute_is_raised_not_slept(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=429, body=RATE_LIMITED, headers={"Retry-After": "120"}, path=TIME))
    with pytest.raises(RateLimitError) as raised:
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert raised.value.retry_after == 120.0
    assert hits(rest_server, TIME) == 1 and sleeps == []


def test_503_then_success_is_retried_with_backoff(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=503, body=UNAVAILABLE, path=TIME))
    assert run_client(mode, server_time, advanced_trade_base_url=rest_server.url).iso is not None
    assert hits(rest_server, TIME) == 2
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5  # 0.5 s, minus up to 25% jitter


def test_persistent_503_gives_up_after_two_retries_with_growing_backoff(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=503, body=UNAVAILABLE, path=TIME, times=10))
    with pytest.raises(ServiceUnavailableError) as raised:
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert hits(rest_server, TIME) == 3
    assert raised.value.attempts == 3 and "after 3 attempts" in str(raised.value)
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


def test_max_retries_per_call_overrides_the_client(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=503, body=UNAVAILABLE, path=TIME, times=10))
    with pytest.raises(ServiceUnavailableError):
        run_client(mode, lambda c: server_time(c, max_retries=0), advanced_trade_base_url=rest_server.url, max_retries=5)
    assert hits(rest_server, TIME) == 1


def test_max_retries_per_client(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=500, body=b"{}", path=TIME, times=10))
    with pytest.raises(InternalServerError):
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url, max_retries=6)
    assert hits(rest_server, TIME) == 7
    assert all(6.0 <= delay <= 8.0 for delay in sleeps[-2:])  # 0.5 s doubled, capped at 8 s


def test_connection_dropped_before_the_request_is_read_is_retried(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(drop="before_read", path=TIME))
    assert run_client(mode, server_time, advanced_trade_base_url=rest_server.url).iso is not None
    assert hits(rest_server, TIME) == 2


def test_connection_dropped_after_the_request_is_read_is_retried_when_idempotent(
    mode: str, rest_server: RestServer, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(drop="after_read", path=TIME))
    assert run_client(mode, server_time, advanced_trade_base_url=rest_server.url).iso is not None
    assert hits(rest_server, TIME) == 2


def test_non_idempotent_post_is_not_repeated_after_the_server_read_it(
    mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(drop="after_read", path=PORTFOLIOS))
    with pytest.raises(APIConnectionError) as raised:
        run_client(mode, create_portfolio, **signed(rest_server, keys))
    assert raised.value.request_sent is True
    assert hits(rest_server, PORTFOLIOS) == 1 and sleeps == []


def test_non_idempotent_post_is_not_repeated_after_a_500(mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=500, body=b'{"error": "INTERNAL"}', path=PORTFOLIOS, times=5))
    with pytest.raises(InternalServerError):
        run_client(mode, create_portfolio, **signed(rest_server, keys))
    assert hits(rest_server, PORTFOLIOS) == 1


def test_non_idempotent_post_is_retried_after_429_because_it_was_refused(
    mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(status=429, body=RATE_LIMITED, headers={"Retry-After": "0"}, path=PORTFOLIOS))
    assert run_client(mode, create_portfolio, **signed(rest_server, keys)).portfolio.name == "ops"
    assert hits(rest_server, PORTFOLIOS) == 2


def test_order_with_client_order_id_is_retried_after_a_dropped_connection(
    mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(drop="after_read", path=ORDERS))
    result = run_client(mode, create_order, **signed(rest_server, keys))
    assert result.success is True and result.success_response.client_order_id == "c-1"
    sent = [r for r in rest_server.requests if r.path == ORDERS]
    assert len(sent) == 2 and sent[0].body == sent[1].body  # the same client_order_id twice
    assert sent[0].jwt_header["nonce"] != sent[1].jwt_header["nonce"]  # but a fresh JWT  # type: ignore[index]


def test_response_slower_than_the_timeout_raises_timeout_after_retries(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=200, body=b"{}", delay=2.0, path=TIME, times=3))
    with pytest.raises(APITimeoutError) as raised:
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url, timeout=0.3)
    assert raised.value.request_sent is True
    assert hits(rest_server, TIME) == 3


def test_per_call_timeout_overrides_the_client(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=200, body=b"{}", delay=2.0, path=TIME))
    with pytest.raises(APITimeoutError):
        run_client(mode, lambda c: server_time(c, timeout=0.3, max_retries=0), advanced_trade_base_url=rest_server.url, timeout=30)


def test_non_idempotent_post_slower_than_the_timeout_is_sent_once(
    mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]
) -> None:
    rest_server.enqueue(Fault(status=200, body=b"{}", delay=2.0, path=PORTFOLIOS, times=3))
    with pytest.raises(APITimeoutError):
        run_client(mode, create_portfolio, **signed(rest_server, keys, timeout=0.3))
    assert hits(rest_server, PORTFOLIOS) == 1


def test_malformed_json_is_a_validation_error_and_not_retried(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    rest_server.enqueue(Fault(status=200, body=b'{"iso": "2026-', path=TIME))
    with pytest.raises(APIResponseValidationError):
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert hits(rest_server, TIME) == 1


def test_html_error_page_is_kept_raw_and_retried_for_a_get(mode: str, rest_server: RestServer, sleeps: list[float]) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    rest_server.enqueue(Fault(status=502, body=page, headers={"Content-Type": "text/html"}, path=TIME, times=3))
    with pytest.raises(InternalServerError) as raised:
        run_client(mode, server_time, advanced_trade_base_url=rest_server.url)
    assert raised.value.body == page.decode() and raised.value.status_code == 502
    assert hits(rest_server, TIME) == 3


def test_refused_connection_is_retried_even_for_a_non_idempotent_post(mode: str, keys: TestKeys, sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(APIConnectionError) as raised:
        run_client(
            mode,
            create_portfolio,
            api_key_name=keys.ec_key_name,
            api_private_key=keys.ec_private_pem,
            advanced_trade_base_url=f"http://127.0.0.1:{port}",
        )
    assert raised.value.request_sent is False
    assert raised.value.attempts == 3 and len(sleeps) == 2


def test_deprecated_operation_retries_like_any_other(mode: str, rest_server: RestServer, keys: TestKeys, sleeps: list[float]) -> None:
    path = "/api/v3/brokerage/intx/balances/p-1"
    rest_server.enqueue(Fault(status=503, body=UNAVAILABLE, path=path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = run_client(mode, lambda c: c.advanced_trade.perpetuals.get_intx_balances("p-1"), **signed(rest_server, keys))
    assert result.portfolio_balances is not None
    assert hits(rest_server, path) == 2
