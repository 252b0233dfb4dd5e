# sdkgen runtime: copied unchanged into every SDK that has an OAuth2 scheme with the client-credentials flow.
"""OAuth2 client credentials (RFC 6749 §4.4): an access token from the token URL, cached and renewed.

The token is fetched before the first request that needs it, kept until shortly before its
`expires_in` runs out (one fetch at a time, under threads and under asyncio), renewed with the
`refresh_token` grant when the server issued a refresh token (falling back to the client
credentials when that is refused), and fetched again once when the API answers 401. The token
request is sent like every request of the SDK (`_transfer.send`): within the client's timeout,
at most the default response size, and a redirect refused, so the secret never follows one.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import httpx

from ._auth import Auth, TokenCache
from ._base_client import request_error
from ._encoding import check_header_values, loads
from ._exceptions import APIResponseValidationError, AuthenticationError, RequestInfo
from ._limits import DEFAULT_MAX_RESPONSE_BYTES, Deadline
from ._transfer import async_send, send

if TYPE_CHECKING:
    import asyncio

__all__ = ["OAuth2ClientCredentialsAuth"]

ClientAuthentication = Literal["basic", "body"]


class OAuth2ClientCredentialsAuth(Auth):
    """An OAuth2 client id and secret, exchanged at `token_url` for an access token sent as a bearer token.

    `client_authentication` is how the client authenticates to the token URL: `"basic"` (HTTP
    basic, RFC 6749's recommendation) or `"body"` (`client_id`/`client_secret` form fields).
    `scopes` are requested with the token (none: the server's default).
    """

    uses_refresh_token = True

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str,
        scopes: Sequence[str] = (),
        client_authentication: ClientAuthentication = "basic",
    ) -> None:
        if not token_url:
            raise ValueError("OAuth2 client credentials need a token_url")
        self.client_id = client_id
        self._secret = client_secret
        self.token_url = token_url
        self.scopes = tuple(scopes)
        self.client_authentication = client_authentication
        self.token = TokenCache()
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None

    # -- the token request, without I/O --------------------------------------------------------

    def grant_params(self) -> dict[str, Any]:
        """The form of the next token request: the refresh grant when usable, else client credentials."""
        if self.token.refresh_token:
            return {"grant_type": "refresh_token", "refresh_token": self.token.refresh_token}
        params: dict[str, Any] = {"grant_type": "client_credentials"}
        if self.scopes:
            params["scope"] = " ".join(self.scopes)
        return params

    def _token_request(self, client: httpx.Client | httpx.AsyncClient, params: dict[str, Any]) -> httpx.Request:
        headers = {"Accept": "application/json"}
        form = dict(params)
        if self.client_authentication == "basic":
            pair = f"{quote(self.client_id, safe='')}:{quote(self._secret, safe='')}"  # RFC 6749 §2.3.1: form-encoded first
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            form |= {"client_id": self.client_id, "client_secret": self._secret}
        return client.build_request("POST", self.token_url, data=form, headers=headers)

    def _store(self, response: httpx.Response, info: RequestInfo) -> None:
        """Keep the token of a token response, or raise what the token URL answered."""
        try:
            body = loads(response.content, exact_numbers=False)
        except ValueError:
            body = None
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
        if response.status_code >= 400:
            error = str(fields.get("error") or f"HTTP {response.status_code}")
            detail = fields.get("error_description")
            message = f"the token URL refused the client credentials: {error}" + (
                f" ({detail})" if isinstance(detail, str) else ""
            )
            redacted = {k: v for k, v in fields.items() if "token" not in k}
            raise AuthenticationError(
                message, request=info, status_code=response.status_code, body=redacted, headers=response.headers
            )
        token, expires_in, refresh = fields.get("access_token"), fields.get("expires_in"), fields.get("refresh_token")
        if not isinstance(token, str) or not token:
            redacted = {
                k: "<redacted>" if "token" in k else v for k, v in fields.items()
            }  # never carry a token in an exception
            raise APIResponseValidationError(
                "the token response has no access_token", request=info, status_code=response.status_code, body=redacted
            )
        check_header_values({"Authorization": token})  # the token is the server's text: it must not split a request
        seconds = (
            float(expires_in) if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) else None
        )
        self.token.store(token, seconds, refresh if isinstance(refresh, str) else None)

    # -- the Auth hooks ----------------------------------------------------------------------------

    def prepare(self, client: httpx.Client) -> None:
        with self._lock:  # one fetch at a time; the other threads wait and reuse it
            if self.token.valid():
                return
            info = RequestInfo("POST", self.token_url)
            for params in self._grants():
                try:
                    response = send(
                        client, self._token_request(client, params), DEFAULT_MAX_RESPONSE_BYTES, info, Deadline(None)
                    )
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                if self._accept(response, info, params):
                    return

    async def aprepare(self, client: httpx.AsyncClient) -> None:
        if self._async_lock is None:
            import asyncio

            self._async_lock = asyncio.Lock()
        async with self._async_lock:  # one fetch at a time; the other tasks wait and reuse it
            if self.token.valid():
                return
            info = RequestInfo("POST", self.token_url)
            for params in self._grants():
                try:
                    response = await async_send(
                        client, self._token_request(client, params), DEFAULT_MAX_RESPONSE_BYTES, info, Deadline(None)
                    )
                except httpx.RequestError as exc:
                    raise request_error(exc, info) from exc
                if self._accept(response, info, params):
                    return

    def _grants(self) -> list[dict[str, Any]]:
        """The grants to try in order: the refresh grant (when there is a refresh token), then the credentials."""
        first = self.grant_params()
        if first["grant_type"] != "refresh_token":
            return [first]
        self.token.refresh_token, refresh = None, self.token.refresh_token
        fallback = self.grant_params()
        self.token.refresh_token = refresh
        return [first, fallback]

    def _accept(self, response: httpx.Response, info: RequestInfo, params: dict[str, Any]) -> bool:
        """Store the token; False when a refused refresh token should give way to the credentials."""
        if params["grant_type"] == "refresh_token" and 400 <= response.status_code < 500:
            self.token.refresh_token = None  # the refresh token was refused: start over with the credentials
            return False
        self._store(response, info)
        return True

    def sign(self, request: httpx.Request) -> None:
        if self.token.value is None:
            raise AuthenticationError(
                "no access token: the token URL gave none",
                request=RequestInfo(request.method, self.token_url),
                status_code=None,
            )
        request.headers["Authorization"] = f"Bearer {self.token.value}"

    def refused(self) -> bool:
        self.token.discard(self.token.value)
        return True

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentialsAuth(client_id={self.client_id!r}, client_secret=<redacted>, token_url={self.token_url!r})"
