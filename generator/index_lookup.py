"""What a package index (PEP 503 simple API) lists for a project: the files `sdkgen publish` checks before uploading."""

from __future__ import annotations

import base64
import html.parser
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

from .errors import SdkgenError
from .publish import file_version, normalized


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []  # the file name of every link on the page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.names.append(href.split("#", 1)[0].rsplit("/", 1)[-1])


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects on the index's host only: pypiserver sends projects it does not hold to pypi.org."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            raise urllib.error.HTTPError(req.full_url, 404, "not on this index (redirected elsewhere)", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def listed_files(index_url: str, distribution: str, version: str, auth: tuple[str, str] | None, *, timeout: float) -> list[str]:
    """The files of `distribution` `version` the index lists (empty when the project is not there)."""
    url = urljoin(index_url if index_url.endswith("/") else index_url + "/", normalized(distribution) + "/")
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.build_opener(_SameHostRedirects()).open(request, timeout=timeout) as response:
            page = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise SdkgenError(
            f"cannot tell whether {distribution} {version} is on the index: {url} answered HTTP {exc.code} "
            "(check the credentials, or set the simple index with INDEX_URL=...)"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SdkgenError(f"cannot tell whether {distribution} {version} is on the index: {url}: {reason}") from None
    links = _Links()
    links.feed(page)
    return sorted(name for name in links.names if file_version(name, distribution) == version)
