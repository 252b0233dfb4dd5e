# Copied by sdkgen from templates/runtime/_exceptions.py. Do not edit here.
"""Exceptions raised by the SDK: every failure of a call is an `APIError`.

The HTTP status families and the semantic bases (`RateLimitError`, `AuthenticationError`, ...)
live here; `errors.py` adds one generated class per JSON-RPC error code, each a subclass of
`JSONRPCError` and of the base that matches its category, so `except RateLimitError` catches
an HTTP 429 and a JSON-RPC `too_many_requests` alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from ._redact import redact_text, redact_url

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectionLostError",
    "CredentialsError",
    "FrameTooLargeError",
    "InternalServerError",
    "InvalidRequestError",
    "JSONRPCError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestInfo",
    "ResponseTooLargeError",
    "SDKError",
    "ServiceUnavailableError",
    "SubscriptionError",
    "SubscriptionOverflowError",
    "UnprocessableEntityError",
]


@dataclass(frozen=True)
class RequestInfo:
    """What was asked: never headers or bodies, so secrets cannot leak through an exception."""

    method: str
    url: str
    rpc_method: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", redact_url(self.url))  # a base URL's userinfo is never shown

    def __str__(self) -> str:
        target = f"{self.method} {self.url}"
        return f"{self.rpc_method} via {target}" if self.rpc_method else target


class SDKError(Exception):
    """Base class of every exception this SDK raises."""


class CredentialsError(SDKError, ValueError):
    """Credentials are missing or cannot be loaded (the message never contains the secret)."""


class APIError(SDKError):
    """A call failed: `request` tells which one, `attempts` how many times it was sent."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        message = redact_text(message)
        super().__init__(message)
        self.message = message
        self.request = request
        self.attempts = 1

    def __str__(self) -> str:
        tries = f", after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.message} [{self.request}{tries}]"


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a response arrived.

    `request_sent` is False when the request provably never left (the connection could not be
    opened), so repeating it cannot execute it twice.
    """

    def __init__(self, message: str, *, request: RequestInfo, request_sent: bool = True) -> None:
        super().__init__(message, request=request)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class ConnectionLostError(APIConnectionError):
    """The WebSocket connection was lost (or closed) while the request was pending.

    `request_sent` tells whether the request frame was written: when True, the server may or
    may not have executed it (the message says so); when False, it was not executed.
    """


class FrameTooLargeError(APIError):
    """The request frame is larger than the server accepts (`size` > `limit` bytes); it was not sent."""

    def __init__(self, message: str, *, request: RequestInfo, size: int, limit: int) -> None:
        super().__init__(message, request=request)
        self.size = size
        self.limit = limit


class SubscriptionError(APIError):
    """The server did not subscribe a channel (a wrong name, or no permission for it)."""

    def __init__(self, message: str, *, request: RequestInfo, channel: str) -> None:
        super().__init__(message, request=request)
        self.channel = channel


class SubscriptionOverflowError(SDKError):
    """A subscription's queue was full with `overflow="error"`: the consumer fell behind by `queue_size` notifications.

    The subscription is closed; the notifications it held are dropped.
    """

    def __init__(self, channel: str, queue_size: int) -> None:
        super().__init__(
            f"the consumer of {channel} fell {queue_size} notifications behind; the subscription was closed"
        )
        self.channel = channel
        self.queue_size = queue_size


class APIResponseValidationError(APIError):
    """The server answered, but not with what the spec describes."""

    def __init__(
        self, message: str, *, request: RequestInfo, status_code: int | None = None, body: object = None
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.body = body


class ResponseTooLargeError(APIError):
    """The response body is larger than the `max_response_bytes` the caller allowed (it was not read further)."""

    def __init__(self, message: str, *, request: RequestInfo, status_code: int, limit: int) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.limit = limit


class APIStatusError(APIError):
    """The server answered with an error.

    `body` is the parsed JSON body, or the raw text when it is not JSON. Coinbase error bodies
    carry `error`, `error_details` and `message`; they are attributes (None when absent).
    `retry_after` is the server's `Retry-After`/`retry-after-ms` in seconds, when it sent one.
    """

    status_code: int | None

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int | None,
        body: object = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.body = body
        self.headers = headers if headers is not None else httpx.Headers()
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
        self.error: str | None = _text(fields.get("error"))
        self.error_details: str | None = _text(fields.get("error_details"))
        self.error_message: str | None = _text(fields.get("message"))
        self.retry_after: float | None = None


class RedirectError(APIStatusError):
    """The server answered with a redirect (301, 302, 303, 307, 308), which the SDK never follows.

    Following it would send the request, credentials included, wherever `Location` points. An
    API answers at its base URL, so a redirect means the base URL needs fixing. `location` is
    the target, without userinfo or query (None when `Location` was missing or malformed).
    """

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int | None,
        location: str | None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message, request=request, status_code=status_code, headers=headers)
        self.location = location


class InvalidRequestError(APIStatusError):
    """The request was refused as malformed or invalid (HTTP 400/422, JSON-RPC invalid params...)."""


class BadRequestError(InvalidRequestError):
    """HTTP 400."""


class UnprocessableEntityError(InvalidRequestError):
    """HTTP 422."""


class AuthenticationError(APIStatusError):
    """HTTP 401, or a JSON-RPC error that means the credentials were refused."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403, or a JSON-RPC error that means the key lacks a scope or a permission."""


class NotFoundError(APIStatusError):
    """HTTP 404, or a JSON-RPC error that means the object does not exist."""


class ConflictError(APIStatusError):
    """HTTP 409, or a JSON-RPC error that means the object is not in a state that allows this."""


class RateLimitError(APIStatusError):
    """HTTP 429, or a JSON-RPC error that means a rate limit was hit."""


class InternalServerError(APIStatusError):
    """HTTP 5xx, or a JSON-RPC error that means the server failed."""


class ServiceUnavailableError(InternalServerError):
    """HTTP 503, or a JSON-RPC error that means the service is busy or in maintenance."""


class JSONRPCError(APIStatusError):
    """A JSON-RPC error object, whatever the HTTP status that carried it (the gateway uses 400).

    Generated subclasses (one per code in the spec) set the class attributes: `retryable` when
    waiting and sending the same request again is the documented remedy, `session_closed` when
    the server also ended the session (the SDK authenticates again before retrying).
    """

    retryable: ClassVar[bool] = False
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


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    if status_code >= 500:
        return InternalServerError
    return APIStatusError
