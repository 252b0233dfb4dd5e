# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""HTTP plumbing shared by every transport, and REST calls.

`_RestCore` does everything that needs no I/O (building and signing each attempt, turning
responses into results or exceptions, deciding retries with `RetryPolicy`); `RestApi` and
`AsyncRestApi` only send and sleep. Keeping the twins this thin is what keeps them identical.
Other transports of the SDK reuse the plumbing here.

Hooks, per API (`TransportConfig`): `request_hooks` see every attempt's request before the
`Auth` signs it, `response_hooks` every response before it becomes a result or an exception;
the `Auth` itself is asked to `prepare` (fetch a token...) and to `sign` on every attempt.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, TypeVar, overload
from urllib.parse import quote

import httpx
import pydantic

from ._auth import Auth, AuthSelector, Security
from ._encoding import check_header_values, encode_value, expand_path, header_text, loads, query_items
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    RequestInfo,
    status_error_class,
)
from ._lenient import LenientFailure, validate_leniently
from ._limits import Deadline
from ._response import APIResponse, raw_response_requested
from ._retry import RetryPolicy, retry_after_seconds
from ._streaming import AsyncStreamedResponse, StreamedResponse, async_open_stream, open_stream, stream_requested
from ._transfer import async_send, send, typed_failures
from ._types import NOT_GIVEN, NotGiven, refuse_null

__all__ = ["NO_BODY", "AsyncRestApi", "RequestOptions", "RestApi", "Timeout", "TransportConfig"]

_T = TypeVar("_T")
Timeout = float | httpx.Timeout | None
logger = logging.getLogger(__name__.rsplit(".", 1)[0])

_STRIP = object()
# How the retry loops wait (module attributes, so tests can observe the delays).
_sleep = time.sleep


async def _async_sleep(delay: float) -> None:
    import asyncio  # loaded by async clients only: `import <package>` stays light for sync users

    await asyncio.sleep(delay)


def default_tls_context() -> ssl.SSLContext:
    """The TLS context a client makes for itself: httpx's default, made once per process.

    httpx builds a new context (the whole CA bundle loaded, ~20 ms of CPU) for every client; clients
    made per task or per thread pay it each time. The default verifies against the same bundle for
    every client, so one context serves them all. It follows `SSL_CERT_FILE`/`SSL_CERT_DIR` as httpx
    does: a changed variable gets a context of its own. A client given `http_client=` is unaffected.
    """
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _TLS_CONTEXTS.get(key)
    if context is None:
        context = _TLS_CONTEXTS.setdefault(key, httpx.create_ssl_context())
    return context


_TLS_CONTEXTS: dict[tuple[str | None, str | None], ssl.SSLContext] = {}

# Transport failures after which the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@lru_cache(maxsize=512)
def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def parse_json(
    cast_to: Any, content: bytes | str, info: RequestInfo, status: int | None, *, strict: bool = False
) -> Any:
    """Validate JSON text into `cast_to` straight from bytes (no intermediate dict for models)."""
    return _validate(cast_to, content, info, status, from_json=True, strict=strict)


def parse_python(cast_to: Any, value: Any, info: RequestInfo, status: int | None, *, strict: bool = False) -> Any:
    """Validate already-decoded JSON data into `cast_to`."""
    return _validate(cast_to, value, info, status, from_json=False, strict=strict)


def _validate(cast_to: Any, data: Any, info: RequestInfo, status: int | None, *, from_json: bool, strict: bool) -> Any:
    """pydantic-core's validation (the fast path); when it fails, the lenient result unless `strict`."""
    try:
        if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
            return cast_to.model_validate_json(data) if from_json else cast_to.model_validate(data)
        adapter = _adapter(cast_to)
        return adapter.validate_json(data) if from_json else adapter.validate_python(data)
    except pydantic.ValidationError as exc:
        error = exc
    if not strict:
        try:
            failed = [tuple(e["loc"]) for e in error.errors(include_url=False, include_input=False)]
            return validate_leniently(cast_to, loads(data, exact_numbers=False) if from_json else data, failed)
        except (ValueError, LenientFailure):  # not JSON, or not even the kind of value expected
            pass
    raise APIResponseValidationError(
        f"the response does not match {getattr(cast_to, '__name__', cast_to)}: {error.error_count()} error(s), first: {_first_error(error)}",
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


def _policy(
    policy: RetryPolicy, max_retries: int | None, total_timeout: float | None | NotGiven = NOT_GIVEN
) -> RetryPolicy:
    if max_retries is not None:
        policy = dataclasses.replace(policy, max_retries=max_retries)
    if not isinstance(total_timeout, NotGiven):
        if total_timeout is not None and not total_timeout > 0:
            raise ValueError("total_timeout must be more than 0 seconds (or None)")
        policy = dataclasses.replace(policy, total_timeout=total_timeout)
    return policy


def call_timeout(per_call: Timeout | NotGiven, config: TransportConfig) -> Timeout | NotGiven:
    """The timeout of one call: its own (None: none at all), else the client's `with_options` one, else NOT_GIVEN (httpx's)."""
    return per_call if not isinstance(per_call, NotGiven) else config.timeout


def merge_body(body: Any, extra_body: Mapping[str, Any] | None, where: str) -> Any:
    """`extra_body` merged into an encoded JSON object body (its keys win), or the body itself when there is none."""
    if not extra_body:
        return body
    extra = encode_value(extra_body)
    if body is NO_BODY or body is NOT_GIVEN:
        return extra
    if not isinstance(body, dict):
        raise ValueError(f"{where}: extra_body needs a JSON object body to merge into, not {type(body).__name__}")
    return {**body, **extra}


# -- configuration -------------------------------------------------------------------------------


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


#: `RequestOptions.json_body` when the request has no JSON body (None is a JSON body: `null`... or none at all).
NO_BODY: Final = _NoBody()


@dataclass(frozen=True)
class TransportConfig:
    """What one API's transport takes from the client: where, how to authenticate, headers, retries, limits.

    `request_hooks` run on every attempt's request before the `Auth` signs it, `response_hooks`
    on every response before it becomes a result or an exception, both in order.
    """

    base_url: str
    auth: AuthSelector
    headers: Mapping[str, str]
    policy: RetryPolicy
    max_response_bytes: int | None = None
    exact_numbers: bool = False
    strict_response_validation: bool = False
    # The per-request timeout of a client made by `with_options(timeout=...)` (it shares its parent's pool).
    timeout: Timeout | NotGiven = NOT_GIVEN
    request_hooks: tuple[Callable[[httpx.Request], None], ...] = ()
    response_hooks: tuple[Callable[[httpx.Response], None], ...] = ()


@dataclass(frozen=True)
class RequestOptions:
    """Everything a generated REST method passes to `RestApi.request` besides the HTTP method and the path.

    A dataclass rather than keyword arguments read with `.get`: a generated method that passes an
    option the runtime does not have, or of the wrong type, fails `mypy --strict`.
    """

    path_params: Mapping[str, Any] | None = None
    query: Mapping[str, Any] | None = None
    query_string: str = ""  # parameters `_params` serialized by their OpenAPI style, already percent-encoded
    headers: Mapping[str, Any] | None = None
    json_body: Any = NO_BODY
    content: Any = None  # bytes, or an iterator of blocks (`_multipart`): then `streamed`, never sent twice
    content_type: str = "application/octet-stream"
    files: Any = None  # multipart/form-data parts, as httpx takes them (`_multipart.fields_body`)
    streamed: bool = False
    security: Security = ()
    idempotent: bool = False
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | None = None
    max_response_bytes: int | None = None
    # Per-call escape hatches and options (`extra_query=`, `extra_body=`, `total_timeout=`, `strict_response_validation=`).
    extra_query: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None
    total_timeout: float | None | NotGiven = NOT_GIVEN
    strict: bool | NotGiven = NOT_GIVEN
    # Wire names of the optional parameters whose schema does not allow null: None for them is refused.
    not_null: tuple[str, ...] = ()


# -- REST ---------------------------------------------------------------------------------------


class _RestCore:
    def __init__(self, config: TransportConfig) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.auth = config.auth
        self.headers = dict(config.headers)
        check_header_values(self.headers)  # once here; each call checks only its extra headers
        self.policy = config.policy
        self.max_response_bytes = config.max_response_bytes

    def build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        options: RequestOptions,
        auth: Auth | None,
    ) -> tuple[httpx.Request, RequestInfo]:
        """The request for one attempt, signed afresh (a signature may cover the time or a nonce)."""
        # Each path parameter is one path segment: `/`, `..` and `?` are escaped, never interpreted.
        url_path = expand_path(path, options.path_params) if options.path_params else path
        headers = self.headers
        if options.headers:
            given = {
                name: value if isinstance(value, str) else header_text(value)
                for name, value in options.headers.items()
                if value is not None and value is not NOT_GIVEN  # a header has no null: None leaves it out
            }
            check_header_values(given)
            headers = {**headers, **given}
        content = options.content if options.content is not None and options.content is not NOT_GIVEN else None
        if content is not None:
            headers = {**headers, "Content-Type": options.content_type}
        kwargs: dict[str, Any] = {"headers": headers}
        query = (
            {**options.query, **options.extra_query}
            if options.query and options.extra_query
            else options.query or options.extra_query
        )
        params = query_items(query) if query else None
        if params:  # an empty `params` still makes httpx parse and rebuild the URL
            kwargs["params"] = params
        body = options.json_body
        if body is not NO_BODY and body is not NOT_GIVEN:
            body = encode_value(body)
        body = merge_body(body, options.extra_body, f"{method} {path}")
        if body is not NO_BODY and body is not NOT_GIVEN:
            kwargs["json"] = body
        if content is not None:
            kwargs["content"] = content
        if options.files is not None:
            kwargs["files"] = options.files
        timeout = call_timeout(options.timeout, self.config)
        if not isinstance(timeout, NotGiven):
            kwargs["timeout"] = timeout
        url = self.base_url + url_path
        if options.query_string:  # httpx would re-encode a styled query: the whole query goes in the URL as built
            plain = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in kwargs.pop("params", None) or ())
            url += "?" + "&".join(part for part in (plain, options.query_string) if part)
        request = client.build_request(method, url, **kwargs)
        for hook in self.config.request_hooks:
            hook(request)
        info = RequestInfo(method, url)  # no query string: it is not needed to tell calls apart (and may hold a key)
        if auth is not None:
            auth.sign(request)
        return request, info

    def check(self, method: str, path: str, options: RequestOptions) -> None:
        """Refuse, before anything is sent, a None for a parameter whose schema does not allow null."""
        if options.not_null:
            where = f"{method} {path}"
            for values in (options.query, options.headers, options.path_params, options.json_body):
                if isinstance(values, Mapping):
                    refuse_null(values, options.not_null, where)
            if options.json_body is None or options.content is None:  # a whole optional body, passed None
                refuse_null({"body": None}, options.not_null, where)

    def strict(self, options: RequestOptions) -> bool:
        return self.config.strict_response_validation if isinstance(options.strict, NotGiven) else options.strict

    def result(
        self,
        response: httpx.Response,
        info: RequestInfo,
        cast_to: Any,
        attempt: _Attempt,
        raw: bool,
        strict: bool = False,
    ) -> Any:
        """The parsed result (or the `APIResponse`), or raise the error the response carries."""
        for hook in self.config.response_hooks:
            hook(response)
        if response.status_code >= 400:
            raise status_error(response, info)
        if raw:
            return APIResponse(
                http_response=response,
                request=info,
                parser=lambda: _parse(response, info, cast_to, strict),
                attempts=attempt.retries + 1,
                elapsed=attempt.elapsed,
            )
        return _parse(response, info, cast_to, strict)

    def streamed_response(
        self,
        response: httpx.Response,
        info: RequestInfo,
        cast_to: Any,
        attempt: _Attempt,
        strict: bool,
        limit: int | None,
        cls: type[StreamedResponse[Any] | AsyncStreamedResponse[Any]],
    ) -> Any:
        """`with_streaming_response`: the response over its unread body, or raise the error it carries (body read).

        The caller closes `response` when this raises (an error's is closed already; a hook may fail).
        """
        for hook in self.config.response_hooks:
            hook(response)
        if response.status_code >= 400:
            raise status_error(response, info)
        return cls(
            response,
            info,
            lambda: _parse(response, info, cast_to, strict),
            attempts=attempt.retries + 1,
            elapsed=attempt.elapsed,
            limit=limit,
            total=attempt.deadline,
        )


def _parse(response: httpx.Response, info: RequestInfo, cast_to: Any, strict: bool) -> Any:
    """The typed result of a successful response whose body is read."""
    if cast_to is None:
        return None
    if cast_to is bytes:
        return response.content
    if cast_to is str:  # a text/* response
        return body_text(response)
    return parse_json(cast_to, response.content, info, response.status_code, strict=strict)


def _reauthenticate(error: APIError, auth: Auth | None, sent: bool, done: bool) -> bool:
    """After a 401 to a signed request: whether the auth dropped what was refused, so the request goes once more."""
    return sent and not done and auth is not None and isinstance(error, AuthenticationError) and auth.refused()


class RestApi(_RestCore):
    """Sends REST requests with an `httpx.Client`."""

    def __init__(self, client: httpx.Client, config: TransportConfig) -> None:
        super().__init__(config)
        self.client = client

    @overload
    def request(self, method: str, path: str, options: RequestOptions, *, cast_to: type[_T]) -> _T: ...
    @overload
    def request(self, method: str, path: str, options: RequestOptions, *, cast_to: None) -> None: ...
    @typed_failures
    def request(self, method: str, path: str, options: RequestOptions, *, cast_to: Any) -> Any:
        """Send one request, retrying as the policy allows; return its parsed result or raise an `APIError`."""
        raw = raw_response_requested()
        stream_body = raw and stream_requested()  # `with_streaming_response`: the body is left unread
        self.check(method, path, options)
        strict = self.strict(options)
        limit = _limit(self.max_response_bytes, options.max_response_bytes)
        attempt = _Attempt(
            _policy(self.policy, 0 if options.streamed else options.max_retries, options.total_timeout),
            options.idempotent,
        )
        auth = self.auth.select(options.security, f"{method} {path}")
        reauthenticated = False
        while True:
            sent = False
            try:
                if auth is not None:
                    auth.prepare(self.client)
                request, info = self.build(self.client, method, path, options, auth)
                attempt.start()
                sent = True
                try:
                    response = (open_stream if stream_body else send)(
                        self.client, request, limit, info, attempt.deadline
                    )
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                attempt.log(info, response.status_code)
                if stream_body:
                    try:
                        return self.streamed_response(response, info, cast_to, attempt, strict, limit, StreamedResponse)
                    except BaseException:
                        response.close()
                        raise
                return self.result(response, info, cast_to, attempt, raw, strict)
            except (APIConnectionError, APIStatusError) as error:
                if _reauthenticate(error, auth, sent, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
            _sleep(delay)


class AsyncRestApi(_RestCore):
    """Sends REST requests with an `httpx.AsyncClient`."""

    def __init__(self, client: httpx.AsyncClient, config: TransportConfig) -> None:
        super().__init__(config)
        self.client = client

    @overload
    async def request(self, method: str, path: str, options: RequestOptions, *, cast_to: type[_T]) -> _T: ...
    @overload
    async def request(self, method: str, path: str, options: RequestOptions, *, cast_to: None) -> None: ...
    @typed_failures
    async def request(self, method: str, path: str, options: RequestOptions, *, cast_to: Any) -> Any:
        """Send one request, retrying as the policy allows; return its parsed result or raise an `APIError`."""
        raw = raw_response_requested()
        stream_body = raw and stream_requested()  # `with_streaming_response`: the body is left unread
        self.check(method, path, options)
        strict = self.strict(options)
        limit = _limit(self.max_response_bytes, options.max_response_bytes)
        attempt = _Attempt(
            _policy(self.policy, 0 if options.streamed else options.max_retries, options.total_timeout),
            options.idempotent,
        )
        auth = self.auth.select(options.security, f"{method} {path}")
        reauthenticated = False
        while True:
            sent = False
            try:
                if auth is not None:
                    await auth.aprepare(self.client)
                request, info = self.build(self.client, method, path, options, auth)
                attempt.start()
                sent = True
                try:
                    response = await (async_open_stream if stream_body else async_send)(
                        self.client, request, limit, info, attempt.deadline
                    )
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                attempt.log(info, response.status_code)
                if stream_body:
                    try:
                        return self.streamed_response(
                            response, info, cast_to, attempt, strict, limit, AsyncStreamedResponse
                        )
                    except BaseException:
                        await response.aclose()
                        raise
                return self.result(response, info, cast_to, attempt, raw, strict)
            except (APIConnectionError, APIStatusError) as error:
                if _reauthenticate(error, auth, sent, reauthenticated):
                    reauthenticated = True
                    continue
                delay = attempt.next_delay(error)
                if delay is None:
                    raise
            await _async_sleep(delay)
