"""Fetch item images from http(s) URLs: timeouts, size limits, retries, politeness and a cache.

- Retries with exponential backoff on 429, 5xx, timeouts, resets and short bodies.
- At most ``max_per_host`` connections to one host at a time, across every worker
  process on the machine (advisory file locks in the cache folder).
- The body must look like an image: a Content-Type of image/* (or none, or
  application/octet-stream) and the magic bytes of a format we read.
- A local cache keyed by the URL's hash stores each body with its sha256, checked
  on every read, so a rebuild fetches nothing twice and a corrupted cache entry is
  fetched again rather than trusted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from packager import __version__
from packager.atomic import write_atomic

USER_AGENT = f"pdpack/{__version__} (public-domain dataset builder)"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_PER_HOST = 4  # simultaneous downloads from one host, across every worker: polite to small museum servers
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


class FetchError(Exception):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def sniff(data: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def fetch(
    url: str,
    timeout: float = 30.0,
    max_bytes: int = 200_000_000,
    retries: int = 3,
    cache_dir: Path | None = None,
    max_per_host: int = MAX_PER_HOST,
) -> bytes:
    """Download ``url`` (or read it from the cache); raise FetchError with a reason code."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchError("url:unsupported-scheme", f"{url!r} is not an http or https address")
    cached = _cache_read(cache_dir, url) if cache_dir else None
    if cached is not None:
        return cached
    with _host_slot(cache_dir, parts.hostname, max_per_host):
        data = _fetch_with_retries(url, timeout, max_bytes, retries)
    if sniff(data) is None:
        raise FetchError("url:not-an-image", f"{url} did not return an image (its first bytes are {data[:8]!r})")
    if cache_dir:
        _cache_write(cache_dir, url, data)
    return data


def _fetch_with_retries(url: str, timeout: float, max_bytes: int, retries: int) -> bytes:
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            return _get(url, timeout, max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code not in RETRY_STATUS or attempt == retries:
                raise FetchError("url:http-error", f"HTTP {exc.code} {exc.reason} for {url}") from exc
            retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), 60.0))
        except (OSError, http.client.HTTPException) as exc:
            if attempt == retries:
                reason = getattr(exc, "reason", exc)
                raise FetchError("url:unreachable", f"{url}: {reason}") from exc
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _get(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - scheme checked
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked in fetch()  # nosec B310
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type and not content_type.startswith("image/") and content_type != "application/octet-stream":
            raise FetchError("url:not-an-image", f"{url} answered with Content-Type {content_type!r}, not an image")
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise FetchError("url:too-large", f"{url} is {length} bytes, over the limit of {max_bytes}")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FetchError("url:too-large", f"{url} is over the limit of {max_bytes} bytes")
        if length is not None and length.isdigit() and len(data) != int(length):
            raise ConnectionError(f"received {len(data)} of {length} bytes")
        return data


def _cache_paths(cache_dir: Path, url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    folder = cache_dir / "fetch" / key[:2]
    return folder / f"{key}.bin", folder / f"{key}.json"


def _cache_read(cache_dir: Path, url: str) -> bytes | None:
    body, meta = _cache_paths(cache_dir, url)
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        data = body.read_bytes()
    except (OSError, ValueError):
        return None
    if record.get("url") != url or hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None  # a damaged or colliding entry is fetched again, never trusted
    return data


def _cache_write(cache_dir: Path, url: str, data: bytes) -> None:
    body, meta = _cache_paths(cache_dir, url)
    try:
        body.parent.mkdir(parents=True, exist_ok=True)
        # Not flushed to disk: an entry is checked against its sha256 when read, so a torn one is fetched again.
        write_atomic(body, data, durable=False)
        record = {"url": url, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        write_atomic(meta, json.dumps(record), durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs a later download


@contextlib.contextmanager
def _host_slot(cache_dir: Path | None, host: str, limit: int) -> Iterator[None]:
    """Hold one of ``limit`` connection slots for ``host``, shared by all processes using this cache."""
    if cache_dir is None or limit < 1:
        yield
        return
    folder = cache_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(host.lower().encode()).hexdigest()[:16]
    while True:
        for slot in range(limit):
            handle = (folder / f"{name}.{slot}").open("a+b")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        time.sleep(0.05)
