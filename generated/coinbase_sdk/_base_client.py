# Copied by sdkgen from templates/runtime/_base_client.py. Do not edit here.
"""HTTP plumbing shared by every generated resource: REST calls and JSON-RPC 2.0 calls.

The `_RestCore` and `_JsonRpcCore` classes do everything that needs no I/O (building requests,
turning responses into results or exceptions); the Sync/Async classes only send. Keeping the
twins this thin is what keeps them identical.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar, overload
from urllib.parse import quote

import httpx
import pydantic

from ._auth import CdpKey, RequestSigner
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    JSONRPCError,
    RequestInfo,
    status_error_class,
)

__all__ = ["AsyncJsonRpcApi", "AsyncRestApi", "JsonRpcApi", "RestApi", "Timeout"]

_T = TypeVar("_T")
Timeout = float | httpx.Timeout | None
logger = logging.getLogger(__name__.rsplit(".", 1)[0])

_STRIP = object()


def encode_value(value: Any) -> Any:
    """Turn SDK values (models, enums, decimals, dates) into JSON-ready data; None values are dropped."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    return value


def _query_value(value: Any) -> str:
    value = encode_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _query(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        out.extend((key, _query_value(v)) for v in values)
    return out


def _check_header_values(headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        if any(c in name or c in value for c in "\r\n\0"):
            raise ValueError(f"header {name!r} contains a line break or NUL")


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


def _decode_body(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text


def _connection_error(exc: httpx.TransportError, info: RequestInfo) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"timed out ({type(exc).__name__})", request=info)
    return APIConnectionError(f"connection failed ({type(exc).__name__}: {exc})", request=info)


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
    return cls(text, request=info, status_code=response.status_code, body=body, headers=response.headers)


def _log(info: RequestInfo, status: int | str, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s -> %s in %.1f ms", info, status, (time.perf_counter() - started) * 1000)


# -- REST ---------------------------------------------------------------------------------------


class _RestCore:
    def __init__(self, *, base_url: str, signer: RequestSigner | None, headers: Mapping[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.headers = dict(headers)

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
        # Each path parameter is one path segment: `/`, `..` and `?` are escaped, never interpreted.
        url_path = path.format_map({k: quote(str(encode_value(v)), safe="") for k, v in path_params.items()})
        headers = {**self.headers, **(extra_headers or {})}
        if content is not None:
            headers["Content-Type"] = content_type
        _check_header_values(headers)
        kwargs: dict[str, Any] = {"params": _query(query), "headers": headers}
        if json_body is not _STRIP:
            kwargs["json"] = encode_value(json_body)
        if content is not None:
            kwargs["content"] = content
        if timeout is not _STRIP:
            kwargs["timeout"] = timeout
        request = client.build_request(method, self.base_url + url_path, **kwargs)
        info = RequestInfo(method, str(request.url.copy_with(query=None)))
        if auth_required:
            if self.signer is None:
                from ._exceptions import CredentialsError

                raise CredentialsError(f"{method} {path} needs credentials, and the client has none")
            self.signer.sign(request)
        return request, info

    def result(self, response: httpx.Response, info: RequestInfo, cast_to: Any) -> Any:
        if response.status_code >= 400:
            raise status_error(response, info)
        if cast_to is None:
            return None
        if cast_to is bytes:
            return response.content
        return parse_json(cast_to, response.content, info, response.status_code)


class RestApi(_RestCore):
    """Sends REST requests with an `httpx.Client`."""

    def __init__(
        self, client: httpx.Client, *, base_url: str, signer: RequestSigner | None, headers: Mapping[str, str]
    ) -> None:
        super().__init__(base_url=base_url, signer=signer, headers=headers)
        self.client = client

    @overload
    def request(self, method: str, path: str, *, cast_to: type[_T], **kwargs: Any) -> _T: ...
    @overload
    def request(self, method: str, path: str, *, cast_to: None, **kwargs: Any) -> None: ...
    def request(self, method: str, path: str, *, cast_to: Any, **kwargs: Any) -> Any:
        """Send one request and return its parsed result, or raise an `APIError`."""
        request, info = self.build(self.client, method, path, **_rest_defaults(kwargs))
        started = time.perf_counter()
        try:
            response = self.client.send(request)
        except httpx.TransportError as exc:
            _log(info, type(exc).__name__, started)
            raise _connection_error(exc, info) from exc
        _log(info, response.status_code, started)
        return self.result(response, info, cast_to)


class AsyncRestApi(_RestCore):
    """Sends REST requests with an `httpx.AsyncClient`."""

    def __init__(
        self, client: httpx.AsyncClient, *, base_url: str, signer: RequestSigner | None, headers: Mapping[str, str]
    ) -> None:
        super().__init__(base_url=base_url, signer=signer, headers=headers)
        self.client = client

    @overload
    async def request(self, method: str, path: str, *, cast_to: type[_T], **kwargs: Any) -> _T: ...
    @overload
    async def request(self, method: str, path: str, *, cast_to: None, **kwargs: Any) -> None: ...
    async def request(self, method: str, path: str, *, cast_to: Any, **kwargs: Any) -> Any:
        """Send one request and return its parsed result, or raise an `APIError`."""
        request, info = self.build(self.client, method, path, **_rest_defaults(kwargs))
        started = time.perf_counter()
        try:
            response = await self.client.send(request)
        except httpx.TransportError as exc:
            _log(info, type(exc).__name__, started)
            raise _connection_error(exc, info) from exc
        _log(info, response.status_code, started)
        return self.result(response, info, cast_to)


def _rest_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
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


# -- JSON-RPC -----------------------------------------------------------------------------------


class _Token:
    """An access token and when to stop using it (a little before the server says it expires)."""

    def __init__(self) -> None:
        self.value: str | None = None
        self.renew_at = 0.0

    def valid(self) -> bool:
        return self.value is not None and time.monotonic() < self.renew_at

    def store(self, value: str, expires_in: float) -> None:
        self.value = value
        margin = min(60.0, expires_in * 0.1)
        self.renew_at = time.monotonic() + max(expires_in - margin, 0.0)

    def clear(self) -> None:
        self.value = None
        self.renew_at = 0.0


class _JsonRpcCore:
    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        auth_method: str,
        grant: Mapping[str, Any] | None,
        cdp_key: CdpKey | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.auth_method = auth_method
        self.grant = dict(grant) if grant else None
        self.cdp_key = cdp_key
        self.token = _Token()
        self._ids = itertools.count(1)

    def auth_params(self) -> dict[str, Any]:
        """Parameters of the token call: a fresh CDP JWT for `coinbase_cdp`, or the configured grant."""
        if self.cdp_key is not None:
            return {"grant_type": "coinbase_cdp", "token": self.cdp_key.jwt(None)}
        if self.grant is not None:
            return dict(self.grant)
        from ._exceptions import CredentialsError

        raise CredentialsError("private JSON-RPC methods need credentials, and the client has none")

    def build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        params: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | object,
    ) -> tuple[httpx.Request, RequestInfo, int]:
        request_id = next(self._ids)
        envelope = {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": method,
            "params": {k: encode_value(v) for k, v in params.items() if v is not None},
        }
        headers = {**self.headers, **(extra_headers or {})}
        if self.token.value is not None and not method.startswith("public/"):
            headers["Authorization"] = f"Bearer {self.token.value}"
        _check_header_values(headers)
        kwargs: dict[str, Any] = {"headers": headers, "content": json.dumps(envelope, separators=(",", ":")).encode()}
        if timeout is not _STRIP and timeout is not None:
            kwargs["timeout"] = timeout
        kwargs["headers"]["Content-Type"] = "application/json"
        url = f"{self.base_url}/{method}"
        request = client.build_request("POST", url, **kwargs)
        return request, RequestInfo("POST", url, method), request_id

    def result(self, response: httpx.Response, info: RequestInfo, request_id: int, cast_to: Any) -> Any:
        try:
            payload = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if response.status_code >= 400:
                raise status_error(response, info) from None
            raise APIResponseValidationError(
                "the response is not JSON", request=info, status_code=response.status_code, body=response.text
            ) from None
        if not isinstance(payload, dict):
            raise APIResponseValidationError(
                "the response is not a JSON-RPC object", request=info, status_code=response.status_code, body=payload
            )
        error = payload.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            raise JSONRPCError(
                str(error.get("message", "")),
                request=info,
                code=code if isinstance(code, int) else 0,
                data=error.get("data"),
                status_code=response.status_code,
                body=payload,
                headers=response.headers,
            )
        if response.status_code >= 400:
            raise status_error(response, info)
        if payload.get("id") != request_id:
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
        return parse_python(cast_to, payload["result"], info, response.status_code)

    def store_token(self, result: Any, info: RequestInfo) -> None:
        token = result.get("access_token") if isinstance(result, dict) else getattr(result, "access_token", None)
        expires_in = result.get("expires_in") if isinstance(result, dict) else getattr(result, "expires_in", None)
        if not isinstance(token, str) or not isinstance(expires_in, (int, float)):
            raise APIResponseValidationError(
                "the auth result has no access_token/expires_in", request=info, body=result
            )
        self.token.store(token, float(expires_in))


class JsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.Client`; keeps the access token fresh."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self._lock = threading.Lock()

    def _ensure_token(self) -> None:
        with self._lock:  # one renewal at a time; the others wait and reuse it
            if not self.token.valid():
                result = self._send(self.auth_method, self.auth_params(), dict, None, None)
                self.store_token(result, RequestInfo("POST", self.base_url, self.auth_method))

    def _send(
        self,
        method: str,
        params: Mapping[str, Any],
        cast_to: Any,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | object,
    ) -> Any:
        request, info, request_id = self.build(
            self.client, method, params, extra_headers=extra_headers, timeout=timeout
        )
        started = time.perf_counter()
        try:
            response = self.client.send(request)
        except httpx.TransportError as exc:
            _log(info, type(exc).__name__, started)
            raise _connection_error(exc, info) from exc
        _log(info, response.status_code, started)
        return self.result(response, info, request_id, cast_to)

    def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
    ) -> _T:
        """Call one method and return its parsed result, or raise an `APIError`."""
        if auth_required:
            self._ensure_token()
        result: _T = self._send(method, params, cast_to, extra_headers, timeout)
        if method == self.auth_method:
            self.store_token(result, RequestInfo("POST", self.base_url, method))
        return result


class AsyncJsonRpcApi(_JsonRpcCore):
    """Calls JSON-RPC 2.0 methods over HTTP with an `httpx.AsyncClient`; keeps the access token fresh."""

    def __init__(self, client: httpx.AsyncClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self._lock: asyncio.Lock | None = None

    async def _ensure_token(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one renewal at a time; the others wait and reuse it
            if not self.token.valid():
                result = await self._send(self.auth_method, self.auth_params(), dict, None, None)
                self.store_token(result, RequestInfo("POST", self.base_url, self.auth_method))

    async def _send(
        self,
        method: str,
        params: Mapping[str, Any],
        cast_to: Any,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | object,
    ) -> Any:
        request, info, request_id = self.build(
            self.client, method, params, extra_headers=extra_headers, timeout=timeout
        )
        started = time.perf_counter()
        try:
            response = await self.client.send(request)
        except httpx.TransportError as exc:
            _log(info, type(exc).__name__, started)
            raise _connection_error(exc, info) from exc
        _log(info, response.status_code, started)
        return self.result(response, info, request_id, cast_to)

    async def call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        cast_to: type[_T],
        auth_required: bool,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
    ) -> _T:
        """Call one method and return its parsed result, or raise an `APIError`."""
        if auth_required:
            await self._ensure_token()
        result: _T = await self._send(method, params, cast_to, extra_headers, timeout)
        if method == self.auth_method:
            self.store_token(result, RequestInfo("POST", self.base_url, method))
        return result
