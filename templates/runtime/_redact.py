"""Credentials in URLs are never shown: `http://user:password@host` prints as `http://***@host`.

A base URL may carry userinfo (httpx sends it as Basic auth). Every URL the SDK shows (in
`RequestInfo`, exception texts, reprs and log lines) goes through `redact_url`, and text that
may quote a URL (a library's exception message) through `redact_text`.
"""

from __future__ import annotations

import re

__all__ = ["redact_text", "redact_url", "strip_query"]

# scheme://userinfo@ : the userinfo is everything up to the last "@" before the path starts.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s]*@")


def redact_url(url: str) -> str:
    """`url` with its userinfo (if any) replaced by `***`."""
    return _USERINFO.sub(r"\1***@", url) if "@" in url else url


def redact_text(text: str) -> str:
    """Every URL in `text` with its userinfo replaced by `***`."""
    return _USERINFO.sub(r"\1***@", text) if "@" in text else text


def strip_query(url: str) -> str:
    """`url` without its query and fragment (they may carry tokens), and without userinfo."""
    for mark in ("#", "?"):
        url = url.split(mark, 1)[0]
    return redact_url(url)
