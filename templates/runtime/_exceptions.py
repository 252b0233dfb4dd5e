# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Exceptions raised by the SDK: every failure of a call is an `APIError`.

The HTTP status families and the semantic bases (`RateLimitError`, `AuthenticationError`, ...)
live here. Protocol runtimes add their own error classes, whose generated subclasses also
derive from the semantic base of their category, so
`except RateLimitError` catches every rate-limit refusal, whatever the protocol.
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
    "CredentialsError",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestInfo",
    "ResponseTooLargeError",
    "SDKError",
    "ServiceUnavailableError",
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

    `body` is the parsed JSON body, or the raw text when it is not JSON. The common error-body
    fields `error`, `error_details` and `message` are attributes (None when absent).
    `retry_after` is the server's `Retry-After`/`retry-after-ms` in seconds, when it sent one.

    `retryable` is None when the status decides whether a retry may help (see `_retry.py`); a
    subclass whose error says so itself (a protocol's error code) sets it to True or False.
    """

    status_code: int | None
    retryable: ClassVar[bool | None] = None

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
    """The request was refused as malformed or invalid (HTTP 400/422, a protocol's invalid params...)."""


class BadRequestError(InvalidRequestError):
    """HTTP 400."""


class UnprocessableEntityError(InvalidRequestError):
    """HTTP 422."""


class AuthenticationError(APIStatusError):
    """HTTP 401, or a protocol error that means the credentials were refused."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403, or a protocol error that means the key lacks a scope or a permission."""


class NotFoundError(APIStatusError):
    """HTTP 404, or a protocol error that means the object does not exist."""


class ConflictError(APIStatusError):
    """HTTP 409, or a protocol error that means the object is not in a state that allows this."""


class RateLimitError(APIStatusError):
    """HTTP 429, or a protocol error that means a rate limit was hit."""


class InternalServerError(APIStatusError):
    """HTTP 5xx, or a protocol error that means the server failed."""


class ServiceUnavailableError(InternalServerError):
    """HTTP 503, or a protocol error that means the service is busy or in maintenance."""


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
