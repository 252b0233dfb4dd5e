# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""The retry policy: which failures are sent again, and how long to wait first. No I/O here.

A failure is retried only when sending the request again cannot do harm:
- the request never left (the connection could not be opened): always;
- the server refused it before doing anything (HTTP 408 and 429, or an error whose class is
  marked `retryable`, such as a protocol error code the spec documents as a refusal): always;
- anything else that may be transient (a timeout or a dropped connection after the request was
  sent, HTTP 409 and 5xx): only when the operation is idempotent or carries the client's
  idempotency key, because the server may already have executed it.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from ._exceptions import APIConnectionError, APIError, APIStatusError

__all__ = ["DEFAULT_MAX_RETRIES", "RetryPolicy", "retry_after_seconds"]

DEFAULT_MAX_RETRIES = 2

# Statuses that say the server did not act on the request.
_NOT_EXECUTED_STATUSES = frozenset({408, 429})
# Statuses worth another try when repeating the request is harmless.
_TRANSIENT_STATUSES = frozenset({409, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 8 s, each shortened by up to 25%.

    A `Retry-After` (seconds or HTTP date) or `retry-after-ms` header from the server replaces
    the computed delay when it is at most `max_retry_after` seconds; a longer one ends the
    retries (the error carries it as `retry_after`), since retrying sooner is pointless and
    sleeping for minutes inside a call is a surprise.
    `total_timeout` (seconds, None: none) bounds a whole call: its attempts and the waits between.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    total_timeout: float | None = None
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, retries_done: int) -> float:
        """The delay before retry number `retries_done + 1`, without server guidance."""
        delay = min(self.initial_delay * 2.0**retries_done, self.max_delay)
        return delay * (1.0 - 0.25 * random.random())

    def delay(self, error: APIError, *, retries_done: int, safe_to_repeat: bool) -> float | None:
        """Seconds to wait before sending again, or None when `error` must be raised."""
        if retries_done >= self.max_retries or not is_retryable(error, safe_to_repeat=safe_to_repeat):
            return None
        if isinstance(error, APIStatusError):
            if error.retry_after is not None:
                return error.retry_after if error.retry_after <= self.max_retry_after else None
        return self.backoff(retries_done)


def is_retryable(error: APIError, *, safe_to_repeat: bool) -> bool:
    """Whether sending the same request again may succeed without risk of executing it twice."""
    if isinstance(error, APIConnectionError):
        return safe_to_repeat or not error.request_sent
    if isinstance(error, APIStatusError) and error.retryable is not None:
        # An error that says itself whether it is a refusal (a protocol's code): the status does not decide.
        return error.retryable
    if isinstance(error, APIStatusError) and error.status_code is not None:
        if error.status_code in _NOT_EXECUTED_STATUSES:
            return True
        return safe_to_repeat and error.status_code in _TRANSIENT_STATUSES
    return False


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """The server's requested wait: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    text = headers.get("retry-after")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        value = when.timestamp() - (time.time() if now is None else now)
        return max(value, 0.0)
    return value if value >= 0 else None
