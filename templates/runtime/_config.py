# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Client configuration shared by `Client` and `AsyncClient`: auth, base URLs, headers, retries, limits."""

from __future__ import annotations

import copy
import dataclasses
import platform
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ._auth import Auth, AuthSelector, Credentials, SchemeSetup
from ._base_client import Timeout, TransportConfig
from ._limits import ACCEPT_ENCODING
from ._redact import redact_url
from ._retry import RetryPolicy
from ._types import NOT_GIVEN, NotGiven

__all__ = ["ClientConfig"]


class ClientConfig:
    """Everything a client needs to build the transports of its APIs; builds each scheme's `Auth` once, up front.

    `schemes` lists, per API, how each of its security schemes is built from the client's
    credentials (generated from the spec); `auth` holds the `Auth` a user gave for an API
    instead (`<api>_auth=`), which then serves every call of that API.
    """

    def __init__(
        self,
        *,
        credentials: Credentials,
        auth: Mapping[str, Auth | None],
        schemes: Mapping[str, Sequence[SchemeSetup]],
        base_urls: Mapping[str, str],
        user_agent: str,
        default_headers: Mapping[str, str] | None,
        max_retries: int,
        max_response_bytes: int | None = None,
        exact_numbers: bool = False,
        total_timeout: float | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        if total_timeout is not None and not total_timeout > 0:
            raise ValueError("total_timeout must be more than 0 seconds (or None)")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_response_bytes is not None and max_response_bytes < 0:
            raise ValueError("max_response_bytes must be 0 or more")
        self.max_response_bytes = max_response_bytes
        self.credentials = credentials
        self.base_urls = dict(base_urls)
        self.apis = tuple(self.base_urls)  # the names of the client's APIs
        self.policy = RetryPolicy(max_retries=max_retries, total_timeout=total_timeout)
        self.exact_numbers = exact_numbers
        self.strict_response_validation = strict_response_validation
        self.timeout: Timeout | NotGiven = NOT_GIVEN  # set by `with_options(timeout=...)`; else the HTTP client's
        self.user_agent = user_agent
        self.headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": f"{user_agent} python/{platform.python_version()} httpx/{httpx.__version__}",
        }
        self.headers.update(default_headers or {})
        # One `Auth` per distinct setup, shared by the APIs that use it: a key is loaded (and a
        # bad one refused) here, once, and not on the first call.
        built: dict[tuple[Any, ...], Auth] = {}
        self.auth: dict[str, AuthSelector] = {}
        for name, setups in schemes.items():
            own: dict[str, Auth] = {}
            for setup in setups:
                if setup.scheme in own or not credentials.has(setup.required):
                    continue
                values = tuple(credentials.get(argument) for argument in setup.arguments)
                key = (setup.factory, values, tuple(sorted(setup.options.items())))
                if key not in built:
                    built[key] = setup.factory(*values, **setup.options)
                own[setup.scheme] = built[key]
            hints: dict[str, str] = {}
            for setup in setups:  # every way to meet a scheme, in the order the client tries them
                hints[setup.scheme] = f"{hints[setup.scheme]} or {setup.hint}" if setup.scheme in hints else setup.hint
            self.auth[name] = AuthSelector(override=auth.get(name), schemes=own, hints=hints)

    def transport(self, name: str) -> TransportConfig:
        """What the transport of API `name` needs."""
        return TransportConfig(
            base_url=self.base_urls[name],
            auth=self.auth[name],
            headers=self.headers,
            policy=self.policy,
            max_response_bytes=self.max_response_bytes,
            exact_numbers=self.exact_numbers,
            strict_response_validation=self.strict_response_validation,
            timeout=self.timeout,
        )

    def with_options(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        total_timeout: float | None | NotGiven = NOT_GIVEN,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        exact_numbers: bool | NotGiven = NOT_GIVEN,
    ) -> ClientConfig:
        """A copy with the given settings changed; credentials and each scheme's `Auth` are shared."""
        clone = copy.copy(self)
        clone.headers = dict(self.headers)
        if not isinstance(default_headers, NotGiven):
            clone.headers.update(default_headers)
        if not isinstance(timeout, NotGiven):
            clone.timeout = timeout
        if not isinstance(max_retries, NotGiven):
            if max_retries < 0:
                raise ValueError("max_retries must be 0 or more")
            clone.policy = dataclasses.replace(clone.policy, max_retries=max_retries)
        if not isinstance(total_timeout, NotGiven):
            if total_timeout is not None and not total_timeout > 0:
                raise ValueError("total_timeout must be more than 0 seconds (or None)")
            clone.policy = dataclasses.replace(clone.policy, total_timeout=total_timeout)
        if not isinstance(max_response_bytes, NotGiven):
            if max_response_bytes is not None and max_response_bytes < 0:
                raise ValueError("max_response_bytes must be 0 or more")
            clone.max_response_bytes = max_response_bytes
        if not isinstance(strict_response_validation, NotGiven):
            clone.strict_response_validation = strict_response_validation
        if not isinstance(exact_numbers, NotGiven):
            clone.exact_numbers = exact_numbers
        return clone

    def __repr__(self) -> str:
        base_urls = {name: redact_url(url) for name, url in self.base_urls.items()}
        return f"ClientConfig(base_urls={base_urls!r}, auth={self.auth!r}, max_retries={self.policy.max_retries})"
