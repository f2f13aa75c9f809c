"""Fetch item images from http(s) URLs: address checks, a deadline, size limits, retries, politeness and a cache.

- Only http and https, at every redirect hop (redirects are followed here, at most five, each
  hop checked like the first). Only public internet addresses, checked on the address that is
  connected to (``netaddress``, ``httpclient``), unless ``allow_private`` (``--allow-private-urls``)
  or ``allow_networks`` (``--allow-private-network``) say otherwise.
- One deadline per URL (``deadline`` seconds, 60 by default) covers every attempt, redirect and
  backoff wait: a stalled or trickling server costs one download slot for at most that long.
  Given the item's ``budget``, the deadline is min(its own, what the item has left), and a
  download the item's budget cuts off fails as ``item:deadline``; waiting for a slot for the
  host is not counted against the item.
- Retries with exponential backoff on 429, 5xx, timeouts, resets and short bodies.
- At most ``max_per_host`` downloads from one host at a time, across every worker process on the
  machine (``hostslots``).
- The body must look like an image: a Content-Type of image/* (or none, or
  application/octet-stream) and the magic bytes of a format we read.
- No message quotes what a server sent (body, status line, reason phrase, headers): messages
  end up in rejected.jsonl and pull-request annotations.
- A local cache keyed by the URL's hash stores each body with its sha256, checked
  on every read, so a rebuild fetches nothing twice and a corrupted cache entry is
  fetched again rather than trusted.
"""

from __future__ import annotations

import hashlib
import http
import http.client
import json
import ssl
import time
from collections.abc import Sequence
from contextlib import ExitStack, nullcontext
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit

from packager.atomic import write_atomic
from packager.media import httpclient, netaddress
from packager.media.budget import ITEM_DEADLINE, ItemBudget, OutOfTime
from packager.media.hostslots import host_slot
from packager.version import __version__

USER_AGENT = f"pdpack/{__version__} (public-domain dataset builder)"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_PER_HOST = 4  # simultaneous downloads from one host, across every worker: polite to small museum servers
REDIRECT_STATUS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0  # seconds without data before an attempt fails (and may be retried)
DEFAULT_DEADLINE = 60.0  # seconds for a whole fetch: every attempt, redirect and wait
DEFAULT_RETRIES = 3
DEFAULT_MAX_BYTES = 200_000_000
DEFAULT_FETCH_THREADS = 16  # downloads in flight per worker process
_CHUNK = 1 << 18
_HEADERS = {"User-Agent": USER_AGENT, "Accept": "image/*", "Accept-Encoding": "identity"}
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


class _StatusError(Exception):
    """An HTTP error status: retried when temporary, else final."""

    def __init__(self, status: int, retry_after: str) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(status)


def sniff(data: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def check_url(url: str, policy: netaddress.Policy = netaddress.PUBLIC_ONLY) -> SplitResult:
    """The parts of ``url`` after the checks that need no network: http(s), a host, a port, and
    no host that spells an address the policy refuses, or a ``localhost`` name."""
    try:
        return _checked_parts(url, policy)
    except netaddress.AddressRefused as exc:
        raise FetchError("url:private-address", _refused(url, exc)) from None


def _checked_parts(url: str, policy: netaddress.Policy) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchError("url:unsupported-scheme", f"{url!r} is not an http or https address")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise FetchError("url:unreachable", f"{url!r} has an invalid port") from None
    netaddress.check_host_offline(parts.hostname, policy)
    return parts


def fetch(
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = DEFAULT_RETRIES,
    cache_dir: Path | None = None,
    max_per_host: int = MAX_PER_HOST,
    deadline: float = DEFAULT_DEADLINE,
    allow_private: bool = False,
    allow_networks: Sequence[str] = (),
    budget: ItemBudget | None = None,
) -> bytes:
    """Download ``url`` (or read it from the cache); raise FetchError with a reason code.

    ``timeout`` bounds each wait for data; ``deadline`` bounds the whole fetch, retries included,
    from the moment a download slot for the host is free, and so does what the item's ``budget``
    has left then. ``allow_private`` lets it fetch from any address, ``allow_networks`` from these
    networks (CIDR) besides public addresses.
    """
    policy = netaddress.Policy(allow_private, tuple(allow_networks))
    parts = check_url(url, policy)
    cached = _cache_read(cache_dir, url) if cache_dir else None
    if cached is not None:
        return cached
    with ExitStack() as slot:
        with budget.paused() if budget else nullcontext():  # waiting for its turn costs the item nothing
            slot.enter_context(host_slot(cache_dir, parts.hostname or "", max_per_host))
        seconds = deadline
        if budget is not None:
            try:
                seconds = budget.bound(deadline, f"downloading {url}")
            except OutOfTime as exc:
                raise FetchError(ITEM_DEADLINE, str(exc)) from None
        clock = httpclient.Deadline(seconds)
        try:
            data = _fetch_with_retries(url, parts, timeout, max_bytes, retries, clock, policy)
        except FetchError as exc:
            if budget is not None and seconds < deadline and exc.reason == "url:deadline":
                raise FetchError(ITEM_DEADLINE, budget.ran_out(f"while downloading {url}")) from None
            raise
    if sniff(data) is None:
        raise FetchError("url:not-an-image", f"{url} did not return an image (its first bytes are no image format)")
    if cache_dir:
        _cache_write(cache_dir, url, data)
    return data


def _fetch_with_retries(
    url: str,
    parts: SplitResult,
    timeout: float,
    max_bytes: int,
    retries: int,
    clock: httpclient.Deadline,
    policy: netaddress.Policy,
) -> bytes:
    delay = 0.5
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            return _follow(url, parts, timeout, max_bytes, clock, policy)
        except httpclient.DeadlineExceeded:
            raise FetchError(
                "url:deadline",
                f"{url}: no complete answer within the {clock.seconds:g} s allowed per URL (retries included)",
            ) from None
        except _StatusError as exc:
            failure = FetchError("url:http-error", f"HTTP {exc.status} {_phrase(exc.status)} for {url}")
            if exc.status not in RETRY_STATUS or last:
                raise failure from None
            if exc.retry_after.isdigit():
                delay = max(delay, float(exc.retry_after))
        except (OSError, http.client.HTTPException) as exc:
            failure = FetchError("url:unreachable", f"{url}: {_describe(exc, timeout)}")
            if last:
                raise failure from None
        if delay >= clock.remaining():
            raise failure  # no time for another attempt: the last failure is the reason
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _follow(
    url: str, parts: SplitResult, timeout: float, max_bytes: int, clock: httpclient.Deadline, policy: netaddress.Policy
) -> bytes:
    """GET ``url``, following redirects ourselves: each hop is checked like the first."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = httpclient.get(parts, clock, timeout, _HEADERS, policy)
        except netaddress.AddressRefused as exc:
            raise FetchError("url:private-address", _refused(url, exc, redirected=current != url)) from None
        if response.status in REDIRECT_STATUS:
            location = response.header("Location")
            response.release(reuse=False)
            if not location:
                raise FetchError("url:bad-redirect", f"{url} redirected without saying where to")
            current = urljoin(current, location.strip())
            hop = urlsplit(current)
            if hop.scheme.lower() not in {"http", "https"} or not hop.hostname:
                scheme = hop.scheme.lower() if hop.scheme.isascii() and hop.scheme.isalnum() else "unknown"
                message = f"{url} redirected to a {scheme}: address; only http and https are fetched"
                raise FetchError("url:unsupported-scheme", message)
            try:
                parts = _checked_parts(current, policy)
            except netaddress.AddressRefused as exc:
                raise FetchError("url:private-address", _refused(url, exc, redirected=True)) from None
            except FetchError as exc:
                raise FetchError(exc.reason, f"{url} redirected to an address that cannot be fetched") from None
            continue
        if not 200 <= response.status < 300:
            retry_after = (response.header("Retry-After") or "").strip()
            response.release(reuse=False)
            raise _StatusError(response.status, retry_after)
        return _read_body(url, response, max_bytes)
    raise FetchError("url:bad-redirect", f"{url} redirected more than {MAX_REDIRECTS} times")


def _read_body(url: str, response: httpclient.Response, max_bytes: int) -> bytes:
    reuse = False
    try:
        content_type = (response.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type and not content_type.startswith("image/") and content_type != "application/octet-stream":
            shown = content_type[:60]
            raise FetchError("url:not-an-image", f"{url} answered with Content-Type {shown!r}, not an image")
        length = (response.header("Content-Length") or "").strip()
        if length.isdigit() and int(length) > max_bytes:
            raise FetchError("url:too-large", f"{url} is {int(length)} bytes, over the limit of {max_bytes}")
        pieces: list[bytes] = []
        size = 0
        while size <= max_bytes:
            piece = response.read(min(_CHUNK, max_bytes + 1 - size))
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        if size > max_bytes:
            raise FetchError("url:too-large", f"{url} is over the limit of {max_bytes} bytes")
        if length.isdigit() and size != int(length):
            raise ConnectionError(f"the connection closed after {size} of {int(length)} bytes")
        reuse = True
        return b"".join(pieces)
    finally:
        response.release(reuse)


def _refused(url: str, exc: netaddress.AddressRefused, redirected: bool = False) -> str:
    where = f"{url} redirected to a host that resolves" if redirected else f"{url} resolves"
    return (
        f"{where} to {exc.address}, a {exc.kind} address; pdpack fetches from public internet "
        "addresses only (--allow-private-urls lifts this for an in-house image server)"
    )


def _phrase(status: int) -> str:
    """The standard phrase for a status code (never the server's own, which it may fill with anything)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "(non-standard status)"


_PROTOCOL_ERRORS: tuple[tuple[type[BaseException], str], ...] = (
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (http.client.IncompleteRead, "the connection closed before the whole body arrived"),
    (http.client.LineTooLong, "the server sent a header line that is too long"),
    (http.client.BadStatusLine, "the server did not answer in HTTP"),
    (http.client.HTTPException, "the server's answer broke the HTTP protocol"),
)


def _describe(exc: BaseException, timeout: float) -> str:
    """What went wrong, in our words: exception texts may quote what the server sent."""
    for kind, words in _PROTOCOL_ERRORS:
        if isinstance(exc, kind):
            return words
    if isinstance(exc, TimeoutError):
        return f"no data for {timeout:g} s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or type(exc).__name__})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror  # the system's words: "Connection refused", "Name or service not known"
    if isinstance(exc, OSError) and exc.args and isinstance(exc.args[0], str):
        return exc.args[0][:200]  # our own words (a short body, a host without addresses)
    return type(exc).__name__


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
