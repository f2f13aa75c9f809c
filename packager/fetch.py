"""Fetch item images from http(s) URLs, with a timeout, a size limit and retries."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from packager import __version__

USER_AGENT = f"pdpack/{__version__} (+https://github.com/pdpack/pdpack)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def fetch(url: str, timeout: float = 30.0, max_bytes: int = 200_000_000, retries: int = 3) -> bytes:
    """Download ``url``; raise FetchError with a reason code when it cannot be had."""
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise FetchError("url:unsupported-scheme", f"{url!r} is not an http or https address")
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            return _get(url, timeout, max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code not in RETRY_STATUS or attempt == retries:
                raise FetchError("url:http-error", f"HTTP {exc.code} {exc.reason} for {url}") from exc
        except (OSError, http.client.HTTPException) as exc:
            if attempt == retries:
                reason = getattr(exc, "reason", exc)
                raise FetchError("url:unreachable", f"{url}: {reason}") from exc
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _get(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise FetchError("url:too-large", f"{url} is {length} bytes, over the limit of {max_bytes}")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FetchError("url:too-large", f"{url} is over the limit of {max_bytes} bytes")
        if length is not None and length.isdigit() and len(data) != int(length):
            raise ConnectionError(f"received {len(data)} of {length} bytes")
        return data
