# Copied by sdkgen from templates/runtime/_base_client.py. Do not edit here.
"""HTTP plumbing shared by every generated resource: REST calls and JSON-RPC 2.0 calls.

`_RestCore` and `_JsonRpcCore` do everything that needs no I/O (building and signing requests,
turning responses into results or exceptions, deciding retries with `RetryPolicy`); the Sync and
Async classes only send and sleep. Keeping the twins this thin is what keeps them identical.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

import httpx
import pydantic

from ._auth import Auth
from ._encoding import check_header_values, dumps_exact, encode_value, expand_path, loads, query_items
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    CredentialsError,
    JSONRPCError,
    RequestInfo,
    status_error_class,
)
from ._limits import Deadline
from ._response import APIResponse, raw_response_requested
from ._retry import RetryPolicy, retry_after_seconds
from ._transfer import async_send, same_id, send, typed_failures

__all__ = ["AsyncJsonRpcApi", "AsyncJsonRpcTransport", "AsyncRestApi", "JsonRpcApi", "RestApi", "Timeout"]

_T = TypeVar("_T")
Timeout = float | httpx.Timeout | None
if TYPE_CHECKING:
    import asyncio

ErrorTable = Mapping[tuple[int, str | None], type[JSONRPCError]]
logger = logging.getLogger(__name__.rsplit(".", 1)[0])

_STRIP = object()
# How the retry loops wait (module attributes, so tests can observe the delays).
_sleep = time.sleep


async def _async_sleep(delay: float) -> None:
    import asyncio  # loaded by async clients only: `import <package>` stays light for sync users

    await asyncio.sleep(delay)


# Transport failures after which the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@lru_cache(maxsize=512)
def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def parse_json(cast_to: Any, content: bytes | str, info: RequestInfo, status: int | None) -> Any:
    """Validate JSON text into `cast_to` straight from bytes (no intermediate dict for models)."""
    return _validate(cast_to, content, info, status, from_json=True)


def parse_python(cast_to: Any, value: Any, info: RequestInfo, status: int | None) -> Any:
    """Validate already-decoded JSON data into `cast_to`."""
    return _validate(cast_to, value, info, status, from_json=False)


def _validate(cast_to: Any, data: Any, info: RequestInfo, status: int | None, *, from_json: bool) -> Any:
    try:
        if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
            return cast_to.model_validate_json(data) if from_json else cast_to.model_validate(data)
        adapter = _adapter(cast_to)
        return adapter.validate_json(data) if from_json else adapter.validate_python(data)
    except pydantic.ValidationError as exc:
        raise APIResponseValidationError(
            f"the response does not match {getattr(cast_to, '__name__', cast_to)}: {exc.error_count()} error(s), first: {_first_error(exc)}",
            request=info,
            status_code=status,
            body=data,
        ) from None


def _first_error(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc']) or '<root>'}: {first['msg']}"


def body_text(response: httpx.Response) -> str:
    """The body as text, whatever charset the server claims (a wrong one is replaced, never raised)."""
    try:
        return response.text
    except (LookupError, ValueError):  # unknown codec; UnicodeError (UTF-16 without a BOM...)
        return response.content.decode("utf-8", "replace")


def _decode_body(response: httpx.Response) -> object:
    try:
        return loads(response.content, exact_numbers=False)
    except ValueError:
        return body_text(response)


def _limit(default: int | None, per_call: int | None) -> int | None:
    limit = default if per_call is None else per_call
    if limit is not None and limit < 0:
        raise ValueError("max_response_bytes must be 0 or more")
    return limit


def connection_error(exc: httpx.TransportError, info: RequestInfo) -> APIConnectionError:
    """The SDK exception for a transport failure, saying whether the request may have reached the server."""
    sent = not isinstance(exc, _NOT_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"timed out ({type(exc).__name__})", request=info, request_sent=sent)
    return APIConnectionError(f"connection failed ({type(exc).__name__}: {exc})", request=info, request_sent=sent)


def request_error(exc: httpx.RequestError, info: RequestInfo) -> APIError:
    """The SDK exception for an httpx failure: a transport failure, or a body httpx could not decode (bad gzip...)."""
    if isinstance(exc, httpx.TransportError):
        return connection_error(exc, info)
    return APIResponseValidationError(f"the response could not be read ({type(exc).__name__}: {exc})", request=info)


def status_error(response: httpx.Response, info: RequestInfo) -> APIStatusError:
    """The exception for an HTTP error response, with the body parsed when it is JSON."""
    body = _decode_body(response)
    message = ""
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error_details") or body.get("error") or "")
    elif isinstance(body, str):
        message = body.strip()[:200]
    cls = status_error_class(response.status_code)
    text = f"HTTP {response.status_code}" + (f": {message}" if message else "")
    error = cls(text, request=info, status_code=response.status_code, body=body, headers=response.headers)
    error.retry_after = retry_after_seconds(response.headers)
    return error


class _Attempt:
    """Bookkeeping of one call across its attempts: counts, timing and the log lines."""

    def __init__(self, policy: RetryPolicy, safe_to_repeat: bool) -> None:
        self.policy = policy
        self.safe_to_repeat = safe_to_repeat
        self.retries = 0
        self.started = 0.0
        self.deadline = Deadline.after(policy.total_timeout)  # the whole call, waits included

    def start(self) -> None:
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def log(self, info: RequestInfo, outcome: int | str) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s -> %s (attempt %d, %.1f ms)", info, outcome, self.retries + 1, self.elapsed * 1000)

    def next_delay(self, error: APIError) -> float | None:
        """Seconds to wait before the next attempt, or None when `error` is final (it is then annotated)."""
        error.attempts = self.retries + 1
        delay = self.policy.delay(error, retries_done=self.retries, safe_to_repeat=self.safe_to_repeat)
        if delay is not None and not self.deadline.allows(delay):
            delay = None  # the next attempt could not start before total_timeout
        if delay is not None:
            logger.info(
                "retrying %s in %.2f s (retry %d of %d) after: %s",
                error.request,
                delay,
                self.retries + 1,
                self.policy.max_retries,
                error.message,
            )
            self.retries += 1
        return delay


def _policy(policy: RetryPolicy, max_retries: int | None) -> RetryPolicy:
    return policy if max_retries is None else dataclasses.replace(policy, max_retries=max_retries)


# -- REST ---------------------------------------------------------------------------------------


class _RestCore:
    def __init__(
        self,
        *,
        base_url: str,
        auth: Auth | None,
        headers: Mapping[str, str],
        policy: RetryPolicy,
        max_response_bytes: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.headers = dict(headers)
        check_header_values(self.headers)  # once here; each call checks only its extra headers
        self.policy = policy
        self.max_response_bytes = max_response_bytes

    def build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, Any],
        query: Mapping[str, Any],
        json_body: Any,
        content: bytes | None,
        content_type: str,
        auth_required: bool,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | object,
    ) -> tuple[httpx.Request, RequestInfo]:
        """The request for one attempt, signed afresh (a CDP JWT lives two minutes and is single-use)."""
        # Each path parameter is one path segment: `/`, `..` and `?` are escaped, never interpreted.
        url_path = expand_path(path, path_params)
        headers = self.headers
        if extra_headers:
            check_header_values(extra_headers)
            headers = {**headers, **extra_headers}
        if content is not None:
            headers = {**headers, "Content-Type": content_type}
        kwargs: dict[str, Any] = {"headers": headers}
        params = query_items(query)
        if params:  # an empty `params` still makes httpx parse and rebuild the URL
            kwargs["params"] = params
        if json_body is not _STRIP:
            kwargs["json"] = encode_value(json_body)
        if content is not None:
            kwargs["content"] = content
        if timeout is not _STRIP:
            kwargs["timeout"] = timeout
        url = self.base_url + url_path
        request = client.build_request(method, url, **kwargs)
        info = RequestInfo(method, url)  # no query string: it is not needed to tell calls apart
        if auth_required:
            if self.auth is None:
                raise CredentialsError(f"{method} {path} needs credentials, and the client has none")
            self.auth.sign(request)
        return request, info

    def result(self, response: httpx.Response, info: RequestInfo, cast_to: Any, attempt: _Attempt, raw: bool) -> Any:
        """The parsed result (or the `APIResponse`), or raise the error the response carries."""
        if response.status_code >= 400:
            raise status_error(response, info)

        def parse() -> Any:
            if cast_to is None:
                return None
            if cast_to is bytes:
                return response.content
            return parse_json(cast_to, response.content, info, response.status_code)

        if raw:
            return APIResponse(
                http_response=response,
                request=info,
                parser=parse,
                attempts=attempt.retries + 1,
                elapsed=attempt.elapsed,
            )
        return parse()


def _rest_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "path_params": kwargs.get("path_params") or {},
        "query": kwargs.get("query") or {},
        "json_body": kwargs["json_body"] if "json_body" in kwargs else _STRIP,
        "content": kwargs.get("content"),
        "content_type": kwargs.get("content_type", "application/octet-stream"),
        "auth_required": kwargs.get("auth_required", True),
        "extra_headers": kwargs.get("extra_headers"),
        "timeout": kwargs["timeout"] if kwargs.get("timeout") is not None else _STRIP,
    }


class RestApi(_RestCore):
    """Sends REST requests with an `httpx.Client`."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[_T],
        idempotent: bool = ...,
        max_retries: int | None = ...,
        **kwargs: Any,
    ) -> _T: ...
    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None,
        idempotent: bool = ...,
        max_retries: int | None = ...,
        **kwargs: Any,
    ) -> None: ...
    @typed_failures
    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        idempotent: bool = False,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send one request, retrying as the policy allows; return its parsed result or raise an `APIError`."""
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        options = _rest_options(kwargs)
        attempt = _Attempt(_policy(self.policy, max_retries), idempotent)
        while True:
            request, info = self.build(self.client, method, path, **options)
            attempt.start()
            try:
                try:
                    response = send(self.client, request, limit, info, attempt.deadline)
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                attempt.log(info, response.status_code)
                return self.result(response, info, cast_to, attempt, raw)
            except (APIConnectionError, APIStatusError) as error:
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
            _sleep(delay)


class AsyncRestApi(_RestCore):
    """Sends REST requests with an `httpx.AsyncClient`."""

    def __init__(self, client: httpx.AsyncClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[_T],
        idempotent: bool = ...,
        max_retries: int | None = ...,
        **kwargs: Any,
    ) -> _T: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None,
        idempotent: bool = ...,
        max_retries: int | None = ...,
        **kwargs: Any,
    ) -> None: ...
    @typed_failures
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        idempotent: bool = False,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send one request, retrying as the policy allows; return its parsed result or raise an `APIError`."""
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        options = _rest_options(kwargs)
        attempt = _Attempt(_policy(self.policy, max_retries), idempotent)
        while True:
            request, info = self.build(self.client, method, path, **options)
            attempt.start()
            try:
                try:
                    response = await async_send(self.client, request, limit, info, attempt.deadline)
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                attempt.log(info, response.status_code)
                return self.result(response, info, cast_to, attempt, raw)
            except (APIConnectionError, APIStatusError) as error:
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
            await _async_sleep(delay)


# -- JSON-RPC -----------------------------------------------------------------------------------


class _Token:
    """An access token and when to stop using it (a little before the server says it expires)."""

    def __init__(self) -> None:
        self.value: str | None = None
        self.refresh_token: str | None = None
        self.renew_at = 0.0

    def valid(self) -> bool:
        return self.value is not None and time.monotonic() < self.renew_at

    def store(self, value: str, expires_in: float, refresh_token: str | None) -> None:
        self.value = value
        self.refresh_token = refresh_token
        margin = min(60.0, expires_in * 0.1)
        self.renew_at = time.monotonic() + max(expires_in - margin, 0.0)

    def discard(self, value: str | None) -> None:
        """Forget `value` (the token a failed call used), unless another call already replaced it."""
        if value is not None and value == self.value:
            self.value = None
            self.renew_at = 0.0


def positional(params: Mapping[str, Any]) -> list[Any]:
    """Params in declared order as a JSON-RPC array, without the unset ones at the end."""
    values = list(params.values())
    while values and values[-1] is None:
        values.pop()
    return values


class _JsonRpcCore:
    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        auth_method: str,
        auth: Auth | None,
        policy: RetryPolicy,
        errors: ErrorTable,
        exact_numbers: bool,
        method_in_path: bool = False,
        max_response_bytes: int | None = None,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.base_url = base_url.rstrip("/")
        self.method_in_path = method_in_path
        self.headers = {**headers, "Content-Type": "application/json"}
        check_header_values(self.headers)  # once here; each call checks only what it adds
        self.auth_method = auth_method
        self.auth = auth
        self.policy = policy
        self.errors = errors
        self.exact_numbers = exact_numbers
        self.token = _Token()
        self._ids = itertools.count(1)

    def uses_token(self) -> bool:
        """Whether private calls carry an access token from the auth method (else each is signed)."""
        if self.auth is None:
            raise CredentialsError("private JSON-RPC methods need credentials, and the client has none")
        return type(self.auth).grant_params is not Auth.grant_params

    def auth_params(self) -> dict[str, Any]:
        """Parameters of the token call: the refresh grant when one is usable, else the configured grant."""
        if self.auth is None:
            raise CredentialsError("private JSON-RPC methods need credentials, and the client has none")
        if self.auth.uses_refresh_token and self.token.refresh_token:
            return {"grant_type": "refresh_token", "refresh_token": self.token.refresh_token}
        params = self.auth.grant_params()
        if params is None:
            raise CredentialsError(f"{type(self.auth).__name__} gives no grant for {self.auth_method}")
        return params

    def build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        params: Mapping[str, Any] | list[Any],
        *,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | object,
        sign: bool,
    ) -> tuple[httpx.Request, RequestInfo, int]:
        """The request for one attempt: a fresh id, the current token or a fresh signature."""
        request_id = next(self._ids)
        body = list(params) if isinstance(params, list) else dict(params)
        envelope = {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": method,
            "params": encode_value(body, decimal_as_number=True),
        }
        headers = self.headers
        if extra_headers:
            check_header_values(extra_headers)
            headers = {**headers, **extra_headers, "Content-Type": "application/json"}
        if self.token.value is not None and not method.startswith("public/") and not sign:
            bearer = {"Authorization": f"Bearer {self.token.value}"}
            check_header_values(bearer)  # the token is the server's text
            headers = {**headers, **bearer}
        kwargs: dict[str, Any] = {"headers": headers, "content": dumps_exact(envelope).encode()}
        if timeout is not _STRIP and timeout is not None:
            kwargs["timeout"] = timeout
        url = f"{self.base_url}/{method}" if self.method_in_path else self.base_url
        request = client.build_request("POST", url, **kwargs)
        if sign and self.auth is not None:
            self.auth.sign(request)
        return request, RequestInfo("POST", url, method), request_id

    def error_from(
        self, error: Mapping[str, Any], response: httpx.Response, info: RequestInfo, payload: object
    ) -> JSONRPCError:
        code = error.get("code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else 0
        message = str(error.get("message", ""))
        cls = self.errors.get((code, message)) or self.errors.get((code, None)) or JSONRPCError
        exc = cls(
            message,
            request=info,
            code=code,
            data=error.get("data"),
            status_code=response.status_code,
            body=payload,
            headers=response.headers,
        )
        exc.retry_after = retry_after_seconds(response.headers)
        return exc

    def result(
        self, response: httpx.Response, info: RequestInfo, request_id: int, cast_to: Any, attempt: _Attempt, raw: bool
    ) -> Any:
        """The parsed `result` (or the `APIResponse`), or raise the error the response carries."""
        try:
            payload = loads(response.content, exact_numbers=self.exact_numbers)
        except ValueError:
            if response.status_code >= 400:
                raise status_error(response, info) from None
            raise APIResponseValidationError(
                "the response is not JSON", request=info, status_code=response.status_code, body=body_text(response)
            ) from None
        if not isinstance(payload, dict):
            if response.status_code >= 400:
                raise status_error(response, info)
            raise APIResponseValidationError(
                "the response is not a JSON-RPC object", request=info, status_code=response.status_code, body=payload
            )
        error = payload.get("error")
        if isinstance(error, dict):
            raise self.error_from(error, response, info, payload)
        if response.status_code >= 400:
            raise status_error(response, info)
        if not same_id(payload.get("id"), request_id):
            raise APIResponseValidationError(
                f"the response id {payload.get('id')!r} does not match the request id {request_id}",
                request=info,
                status_code=response.status_code,
                body=payload,
            )
        if "result" not in payload:
            raise APIResponseValidationError(
                "the response has neither `result` nor `error`",
                request=info,
                status_code=response.status_code,
                body=payload,
            )

        def parse() -> Any:
            return parse_python(cast_to, payload["result"], info, response.status_code)

        if raw:
            return APIResponse(
                http_response=response,
                request=info,
                parser=parse,
                attempts=attempt.retries + 1,
                elapsed=attempt.elapsed,
            )
        return parse()

    def store_token(self, result: Any, info: RequestInfo) -> None:
        if isinstance(result, APIResponse):
            result = result.parse()
        fields = (
            result
            if isinstance(result, dict)
            else result.model_dump()
            if isinstance(result, pydantic.BaseModel)
            else {}
        )
        token, expires_in, refresh = fields.get("access_token"), fields.get("expires_in"), fields.get("refresh_token")
        if not isinstance(token, str) or not isinstance(expires_in, (int, float)):
            redacted = {
                k: "<redacted>" if "token" in k else v for k, v in fields.items()
            }  # never carry a token in an exception
            raise APIResponseValidationError(
                "the auth result has no access_token/expires_in", request=info, body=redacted
            )
        self.token.store(token, float(expires_in), refresh if isinstance(refresh, str) else None)

    def should_reauthenticate(self, error: APIError, token_used: str | None, reauthenticated: bool) -> bool:
        """After a refused token (13009 unauthorized, 13004 invalid_credentials...): drop it, authenticate once more."""
        if isinstance(error, JSONRPCError) and error.session_closed:
            self.token.discard(token_used)
        if isinstance(error, AuthenticationError) and token_used is not None and not reauthenticated:
            self.token.discard(token_used)  # the refresh token, if any, is tried first; see _authenticate
            return True
        return False


class JsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.Client`; keeps the access token fresh."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self._lock = threading.Lock()

    def _ensure_token(self, attempt: _Attempt) -> str | None:
        with self._lock:  # one renewal at a time; the others wait and reuse it
            if not self.token.valid():
                self._authenticate(attempt)
            return self.token.value

    def _authenticate(self, attempt: _Attempt) -> None:
        try:
            result = self._once(self.auth_method, self.auth_params(), dict, attempt, sign=False)
        except AuthenticationError:
            if self.token.refresh_token is None:
                raise
            self.token.refresh_token = None  # the refresh token was refused: start over with the grant
            result = self._once(self.auth_method, self.auth_params(), dict, attempt, sign=False)
        self.store_token(result, RequestInfo("POST", self.base_url, self.auth_method))

    def _once(
        self,
        method: str,
        params: Mapping[str, Any] | list[Any],
        cast_to: Any,
        attempt: _Attempt,
        *,
        sign: bool,
        raw: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | object = _STRIP,
        limit: int | None = None,
    ) -> Any:
        request, info, request_id = self.build(
            self.client, method, params, extra_headers=extra_headers, timeout=timeout, sign=sign
        )
        attempt.start()
        try:
            response = send(
                self.client, request, self.max_response_bytes if limit is None else limit, info, attempt.deadline
            )
        except httpx.RequestError as exc:
            attempt.log(info, type(exc).__name__)
            raise request_error(exc, info) from exc
        attempt.log(info, response.status_code)
        return self.result(response, info, request_id, cast_to, attempt, raw)

    @typed_failures
    def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        idempotent: bool = False,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
        by_position: bool = False,
        max_response_bytes: int | None = None,
    ) -> _T:
        """Call one method, retrying as the policy allows; return its parsed result or raise an `APIError`.

        `by_position` sends the params as an array in their declared order (OpenRPC
        `paramStructure: by-position`), trailing unset ones left out; otherwise by name.
        """
        sent = positional(params) if by_position else params
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        attempt = _Attempt(_policy(self.policy, max_retries), idempotent)
        reauthenticated = False
        while True:
            token_used = None
            try:
                sign = auth_required and not self.uses_token()
                if auth_required and not sign:
                    token_used = self._ensure_token(attempt)
                result: Any = self._once(
                    method,
                    sent,
                    cast_to,
                    attempt,
                    sign=sign,
                    raw=raw,
                    extra_headers=extra_headers,
                    timeout=timeout,
                    limit=limit,
                )
            except (APIConnectionError, APIStatusError) as error:
                if self.should_reauthenticate(error, token_used, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
                _sleep(delay)
                continue
            if method == self.auth_method:
                self.store_token(result, RequestInfo("POST", self.base_url, method))
            return result  # type: ignore[no-any-return]


class AsyncJsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.AsyncClient`; keeps the access token fresh."""

    def __init__(self, client: httpx.AsyncClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self._lock: asyncio.Lock | None = None

    async def _ensure_token(self, attempt: _Attempt) -> str | None:
        if self._lock is None:
            import asyncio

            self._lock = asyncio.Lock()
        async with self._lock:  # one renewal at a time; the others wait and reuse it
            if not self.token.valid():
                await self._authenticate(attempt)
            return self.token.value

    async def _authenticate(self, attempt: _Attempt) -> None:
        try:
            result = await self._once(self.auth_method, self.auth_params(), dict, attempt, sign=False)
        except AuthenticationError:
            if self.token.refresh_token is None:
                raise
            self.token.refresh_token = None  # the refresh token was refused: start over with the grant
            result = await self._once(self.auth_method, self.auth_params(), dict, attempt, sign=False)
        self.store_token(result, RequestInfo("POST", self.base_url, self.auth_method))

    async def _once(
        self,
        method: str,
        params: Mapping[str, Any] | list[Any],
        cast_to: Any,
        attempt: _Attempt,
        *,
        sign: bool,
        raw: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | object = _STRIP,
        limit: int | None = None,
    ) -> Any:
        request, info, request_id = self.build(
            self.client, method, params, extra_headers=extra_headers, timeout=timeout, sign=sign
        )
        attempt.start()
        try:
            response = await async_send(
                self.client, request, self.max_response_bytes if limit is None else limit, info, attempt.deadline
            )
        except httpx.RequestError as exc:
            attempt.log(info, type(exc).__name__)
            raise request_error(exc, info) from exc
        attempt.log(info, response.status_code)
        return self.result(response, info, request_id, cast_to, attempt, raw)

    @typed_failures
    async def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        idempotent: bool = False,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
        by_position: bool = False,
        max_response_bytes: int | None = None,
    ) -> _T:
        """Call one method, retrying as the policy allows; return its parsed result or raise an `APIError`.

        `by_position` sends the params as an array in their declared order (OpenRPC
        `paramStructure: by-position`), trailing unset ones left out; otherwise by name.
        """
        sent = positional(params) if by_position else params
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        attempt = _Attempt(_policy(self.policy, max_retries), idempotent)
        reauthenticated = False
        while True:
            token_used = None
            try:
                sign = auth_required and not self.uses_token()
                if auth_required and not sign:
                    token_used = await self._ensure_token(attempt)
                result: Any = await self._once(
                    method,
                    sent,
                    cast_to,
                    attempt,
                    sign=sign,
                    raw=raw,
                    extra_headers=extra_headers,
                    timeout=timeout,
                    limit=limit,
                )
            except (APIConnectionError, APIStatusError) as error:
                if self.should_reauthenticate(error, token_used, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
                await _async_sleep(delay)
                continue
            if method == self.auth_method:
                self.store_token(result, RequestInfo("POST", self.base_url, method))
            return result  # type: ignore[no-any-return]


class AsyncJsonRpcTransport(Protocol):
    """What an async resource group calls: `AsyncJsonRpcApi` (HTTP) or `AsyncWebSocketApi` (WebSocket)."""

    async def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        idempotent: bool = False,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
        by_position: bool = False,
        max_response_bytes: int | None = None,
    ) -> _T: ...
