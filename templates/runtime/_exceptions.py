"""Exceptions raised by the SDK: every failure of a call is an `APIError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

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
    "JSONRPCError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestInfo",
    "SDKError",
    "UnprocessableEntityError",
]


@dataclass(frozen=True)
class RequestInfo:
    """What was asked: never headers or bodies, so secrets cannot leak through an exception."""

    method: str
    url: str
    rpc_method: str | None = None

    def __str__(self) -> str:
        target = f"{self.method} {self.url}"
        return f"{self.rpc_method} via {target}" if self.rpc_method else target


class SDKError(Exception):
    """Base class of every exception this SDK raises."""


class CredentialsError(SDKError, ValueError):
    """Credentials are missing or cannot be loaded (the message never contains the secret)."""


class APIError(SDKError):
    """A call failed: `request` tells which one."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message)
        self.message = message
        self.request = request

    def __str__(self) -> str:
        return f"{self.message} [{self.request}]"


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a response arrived."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIResponseValidationError(APIError):
    """The server answered, but not with what the spec describes."""

    def __init__(self, message: str, *, request: RequestInfo, status_code: int | None = None, body: object = None) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.body = body


class APIStatusError(APIError):
    """The server answered with an error.

    `body` is the parsed JSON body, or the raw text when it is not JSON. Coinbase error bodies
    carry `error`, `error_details` and `message`; they are exposed as attributes when present.
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


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401, or a JSON-RPC error that means the credentials were refused."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403, or a JSON-RPC error that means the key lacks a scope."""


class NotFoundError(APIStatusError):
    """HTTP 404, or a JSON-RPC error that means the object does not exist."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429, or a JSON-RPC error that means a rate limit was hit."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


class JSONRPCError(APIStatusError):
    """A JSON-RPC error object, whatever the HTTP status that carried it (the gateway uses 400)."""

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
        return f"JSON-RPC error {self.code}: {self.message} [{self.request}]"


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
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)
