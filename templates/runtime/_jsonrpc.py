# sdkgen runtime: copied unchanged into every SDK with a JSON-RPC API (OpenRPC).
"""JSON-RPC 2.0 over HTTP: calls, errors by code, and an access token from the API's own token method.

`_JsonRpcCore` does everything that needs no I/O (building and signing requests, turning
responses into results or exceptions); `JsonRpcApi` and `AsyncJsonRpcApi` only send and sleep,
with the same retry policy as REST calls. An API whose spec names a token method (`x-auth`)
gets its access token from it: the grant comes from the `Auth` (`grant_params()`), the token
result is read the OAuth2 way (`access_token`, `expires_in`, `refresh_token`), cached until
shortly before it expires (one renewal at a time), sent as `Authorization: Bearer`, renewed with
the `refresh_token` grant when the `Auth` allows it, and dropped when an error says the session
ended. An `Auth` without a grant signs every private request instead.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import httpx
import pydantic

from . import _base_client
from ._auth import Auth, Security, TokenCache
from ._base_client import (
    _STRIP,
    Timeout,
    TransportConfig,
    _Attempt,
    _limit,
    _policy,
    body_text,
    call_timeout,
    parse_python,
    request_error,
    status_error,
)
from ._encoding import check_header_values, dumps_exact, encode_value, loads
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    CredentialsError,
    RequestInfo,
    SDKError,
)
from ._models import ExactInteger
from ._response import APIResponse, raw_response_requested
from ._retry import retry_after_seconds
from ._transfer import async_send, send, typed_failures
from ._types import NOT_GIVEN, NotGiven, refuse_null

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "AsyncJsonRpcApi",
    "AsyncJsonRpcTransport",
    "ErrorTable",
    "JSONRPCError",
    "JsonRpcApi",
    "JsonRpcResponse",
    "over_http",
    "positional",
    "same_id",
]

_T = TypeVar("_T")


def same_id(received: object, sent: int) -> bool:
    """Whether a JSON-RPC response's `id` is the request's: an integer, equal (`true` and `1.0` are not 1)."""
    return type(received) in (int, ExactInteger) and received == sent


class JSONRPCError(APIStatusError):
    """A JSON-RPC error object, whatever the HTTP status that carried it (many servers use 400 or 200).

    Generated subclasses (one per code in the spec) set the class attributes: `retryable` when
    waiting and sending the same request again is the documented remedy, `session_closed` when
    the server also ended the session (the SDK authenticates again before retrying).
    """

    retryable: ClassVar[bool | None] = False
    session_closed: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        code: int,
        data: object = None,
        status_code: int | None = None,
        body: object = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message, request=request, status_code=status_code, body=body, headers=headers)
        self.code = code
        self.data = data

    def __str__(self) -> str:
        tries = f", after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"JSON-RPC error {self.code}: {self.message} [{self.request}{tries}]"


ErrorTable = Mapping[tuple[int, str | None], type[JSONRPCError]]


class JsonRpcResponse(APIResponse[_T]):
    """The HTTP response of a JSON-RPC call: `envelope(name)` reads a member of the response object beside `result`.

    `us_in`/`us_out`/`us_diff` are the timing members some JSON-RPC servers add (`usIn`, `usOut`, `usDiff`, µs).
    """

    def envelope(self, name: str) -> Any:
        """A top-level member of the JSON-RPC response object (None when absent or not JSON)."""
        try:
            body = self.json()
        except ValueError:
            return None
        return body.get(name) if isinstance(body, dict) else None

    def _integer(self, name: str) -> int | None:
        value = self.envelope(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def us_in(self) -> int | None:
        """When the server received the request (µs since the epoch), if it says."""
        return self._integer("usIn")

    @property
    def us_out(self) -> int | None:
        """When the server sent the response (µs since the epoch), if it says."""
        return self._integer("usOut")

    @property
    def us_diff(self) -> int | None:
        """Server-side processing time (µs), if it says."""
        return self._integer("usDiff")


def call_params(
    method: str,
    params: Mapping[str, Any],
    *,
    by_position: bool,
    extra_body: Mapping[str, Any] | None,
    not_null: tuple[str, ...],
) -> Mapping[str, Any] | list[Any]:
    """What a call sends as `params`: None refused where the spec does not allow null, `extra_body`
    merged in (by name only), in declared order for `by_position` methods."""
    if not_null:
        refuse_null(params, not_null, method)
    if extra_body:
        if by_position:
            raise ValueError(f"{method}: extra_body cannot be merged into params sent by position")
        return {**params, **extra_body}
    return positional(params) if by_position else params


def positional(params: Mapping[str, Any]) -> list[Any]:
    """Params in declared order as a JSON-RPC array, without the unset ones at the end."""
    values = list(params.values())
    while values and values[-1] is NOT_GIVEN:
        values.pop()
    return [None if v is NOT_GIVEN else v for v in values]  # a gap before a given one: null holds its place


class _JsonRpcCore:
    def __init__(
        self,
        config: TransportConfig,
        *,
        auth_method: str,
        security: Security,
        errors: ErrorTable,
        method_in_path: bool = False,
    ) -> None:
        self.config = config
        self.max_response_bytes = config.max_response_bytes
        self.base_url = config.base_url.rstrip("/")
        self.method_in_path = method_in_path
        self.headers = {**config.headers, "Content-Type": "application/json"}
        check_header_values(self.headers)  # once here; each call checks only what it adds
        self.auth_method = auth_method
        # JSON-RPC APIs authenticate per API (the spec's `x-auth`), not per method: the first of
        # its schemes the client has (or the user's own `Auth`) serves every private method.
        self.auth = config.auth.override if config.auth.override is not None else config.auth.preferred(security)
        self.missing_credentials = config.auth.missing(security)
        self.policy = config.policy
        self.errors = errors
        self.exact_numbers = config.exact_numbers
        self.token = TokenCache()
        self._ids = itertools.count(1)

    def uses_token(self) -> bool:
        """Whether private calls carry an access token from the auth method (else each is signed)."""
        if self.auth is None:
            raise CredentialsError(f"private methods of {self.base_url} need credentials: {self.missing_credentials}")
        return bool(self.auth_method) and type(self.auth).grant_params is not Auth.grant_params

    def auth_params(self) -> dict[str, Any]:
        """Parameters of the token call: the refresh grant when one is usable, else the configured grant."""
        if self.auth is None:
            raise CredentialsError(f"private methods of {self.base_url} need credentials: {self.missing_credentials}")
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
        timeout: Timeout | NotGiven | object,
        sign: bool,
        notification: bool = False,
    ) -> tuple[httpx.Request, RequestInfo, int]:
        """The request for one attempt: a fresh id (none for a notification), the current token or a fresh signature."""
        request_id = next(self._ids)
        body = list(params) if isinstance(params, list) else dict(params)
        # A notification has no `id`: the server must not answer it.
        envelope: dict[str, Any] = {"jsonrpc": "2.0"} if notification else {"jsonrpc": "2.0", "id": request_id}
        envelope["method"] = method
        envelope["params"] = encode_value(body, decimal_as_number=True)
        headers = self.headers
        if extra_headers:
            check_header_values(extra_headers)
            headers = {**headers, **extra_headers, "Content-Type": "application/json"}
        if self.token.value is not None and not method.startswith("public/") and not sign:
            bearer = {"Authorization": f"Bearer {self.token.value}"}
            check_header_values(bearer)  # the token is the server's text
            headers = {**headers, **bearer}
        kwargs: dict[str, Any] = {"headers": headers, "content": dumps_exact(envelope).encode()}
        # NOT_GIVEN (and the token call's _STRIP): the client's timeout; None: none for this call.
        timeout = call_timeout(NOT_GIVEN if timeout is _STRIP else timeout, self.config)  # type: ignore[arg-type]
        if not isinstance(timeout, NotGiven):
            kwargs["timeout"] = timeout
        url = f"{self.base_url}/{method}" if self.method_in_path else self.base_url
        request = client.build_request("POST", url, **kwargs)
        for hook in self.config.request_hooks:
            hook(request)
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
        self,
        response: httpx.Response,
        info: RequestInfo,
        request_id: int,
        cast_to: Any,
        attempt: _Attempt,
        raw: bool,
        notification: bool = False,
        strict: bool = False,
    ) -> Any:
        """The parsed `result` (or the `APIResponse`), or raise the error the response carries.

        A notification has no result: an HTTP error status raises; any body (servers send none, or
        an empty 200/204) is not read, and the call returns None.
        """
        for hook in self.config.response_hooks:
            hook(response)
        if notification:
            if response.status_code >= 400:
                raise status_error(response, info)
            if raw:
                return JsonRpcResponse(
                    http_response=response,
                    request=info,
                    parser=lambda: None,
                    attempts=attempt.retries + 1,
                    elapsed=attempt.elapsed,
                )
            return None
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
            return parse_python(cast_to, payload["result"], info, response.status_code, strict=strict)

        if raw:
            return JsonRpcResponse(
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
        """After a refused token (an error whose class is an `AuthenticationError`): drop it, authenticate once more."""
        if isinstance(error, JSONRPCError) and error.session_closed:
            self.token.discard(token_used)
        if isinstance(error, AuthenticationError) and token_used is not None and not reauthenticated:
            self.token.discard(token_used)  # the refresh token, if any, is tried first; see _authenticate
            return True
        return False


class JsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.Client`; keeps the access token fresh."""

    def __init__(
        self,
        client: httpx.Client,
        config: TransportConfig,
        *,
        auth_method: str,
        security: Security,
        errors: ErrorTable,
        method_in_path: bool = False,
    ) -> None:
        super().__init__(
            config, auth_method=auth_method, security=security, errors=errors, method_in_path=method_in_path
        )
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
        timeout: Timeout | NotGiven | object = _STRIP,
        limit: int | None = None,
        notification: bool = False,
        strict: bool = False,
    ) -> Any:
        request, info, request_id = self.build(
            self.client,
            method,
            params,
            extra_headers=extra_headers,
            timeout=timeout,
            sign=sign,
            notification=notification,
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
        return self.result(response, info, request_id, cast_to, attempt, raw, notification=notification, strict=strict)

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
        timeout: Timeout | NotGiven = NOT_GIVEN,
        by_position: bool = False,
        max_response_bytes: int | None = None,
        notification: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        total_timeout: float | None | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        not_null: tuple[str, ...] = (),
    ) -> _T:
        """Call one method, retrying as the policy allows; return its parsed result or raise an `APIError`.

        `by_position` sends the params as an array in their declared order (OpenRPC
        `paramStructure: by-position`), trailing unset ones left out; otherwise by name.
        `notification` sends it without `id` (an OpenRPC method without `result`) and returns None.
        """
        sent = call_params(method, params, by_position=by_position, extra_body=extra_body, not_null=not_null)
        strict = (
            self.config.strict_response_validation
            if isinstance(strict_response_validation, NotGiven)
            else strict_response_validation
        )
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        attempt = _Attempt(_policy(self.policy, max_retries, total_timeout), idempotent)
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
                    notification=notification,
                    strict=strict,
                )
            except (APIConnectionError, APIStatusError) as error:
                if self.should_reauthenticate(error, token_used, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
                _base_client._sleep(delay)
                continue
            if method == self.auth_method:
                self.store_token(result, RequestInfo("POST", self.base_url, method))
            return result  # type: ignore[no-any-return]


class AsyncJsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.AsyncClient`; keeps the access token fresh."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        config: TransportConfig,
        *,
        auth_method: str,
        security: Security,
        errors: ErrorTable,
        method_in_path: bool = False,
    ) -> None:
        super().__init__(
            config, auth_method=auth_method, security=security, errors=errors, method_in_path=method_in_path
        )
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
        timeout: Timeout | NotGiven | object = _STRIP,
        limit: int | None = None,
        notification: bool = False,
        strict: bool = False,
    ) -> Any:
        request, info, request_id = self.build(
            self.client,
            method,
            params,
            extra_headers=extra_headers,
            timeout=timeout,
            sign=sign,
            notification=notification,
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
        return self.result(response, info, request_id, cast_to, attempt, raw, notification=notification, strict=strict)

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
        timeout: Timeout | NotGiven = NOT_GIVEN,
        by_position: bool = False,
        max_response_bytes: int | None = None,
        notification: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        total_timeout: float | None | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        not_null: tuple[str, ...] = (),
    ) -> _T:
        """Call one method, retrying as the policy allows; return its parsed result or raise an `APIError`.

        `by_position` sends the params as an array in their declared order (OpenRPC
        `paramStructure: by-position`), trailing unset ones left out; otherwise by name.
        `notification` sends it without `id` (an OpenRPC method without `result`) and returns None.
        """
        sent = call_params(method, params, by_position=by_position, extra_body=extra_body, not_null=not_null)
        strict = (
            self.config.strict_response_validation
            if isinstance(strict_response_validation, NotGiven)
            else strict_response_validation
        )
        raw = raw_response_requested()
        limit = _limit(self.max_response_bytes, max_response_bytes)
        attempt = _Attempt(_policy(self.policy, max_retries, total_timeout), idempotent)
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
                    notification=notification,
                    strict=strict,
                )
            except (APIConnectionError, APIStatusError) as error:
                if self.should_reauthenticate(error, token_used, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
                await _base_client._async_sleep(delay)
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
        timeout: Timeout | NotGiven = NOT_GIVEN,
        by_position: bool = False,
        max_response_bytes: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        total_timeout: float | None | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        not_null: tuple[str, ...] = (),
    ) -> _T: ...


def over_http(api: AsyncJsonRpcTransport, method: str) -> AsyncJsonRpcApi:
    """The HTTP API behind an async group, for a notification (sent without `id`; nothing comes back).

    Only HTTP sends notifications: over the WebSocket every request waits for its answer (the
    generator refuses notifications in a document with `x-websocket`, so this is a guard).
    """
    if not isinstance(api, AsyncJsonRpcApi):
        raise SDKError(f"{method} is a JSON-RPC notification: it is sent over HTTP only")
    return api
