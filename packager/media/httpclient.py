"""HTTP(S) requests that connect only to checked addresses and never outlive a deadline.

``urllib`` resolves a host again when it connects, follows redirects to other schemes (ftp://)
and times out per read, so a server that sends a byte every few seconds holds it for ever.
Here each request:

- connects to an address that ``netaddress.resolve`` returned and checked (the name is sent
  as the Host header and as the TLS server name, so certificates are checked for the name);
- does every socket read and write under min(idle timeout, time left to the deadline), so the
  whole exchange ends by the deadline, however the server trickles;
- follows no redirect: the caller sees the 3xx and decides.

Connections are kept per thread and reused for the next request to the same host.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import SplitResult, quote

from packager.media import netaddress

_KEPT_PER_THREAD = 8  # idle connections one thread keeps, most recently used first
_PATH_SAFE = "/%:@!$&'()*+,;=-._~?"


class DeadlineExceeded(TimeoutError):
    """The time allowed for the whole fetch ran out."""


class Deadline:
    """A point in time by which a fetch, retries and waits included, must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def budget(self, idle: float) -> float:
        """Seconds the next socket operation may take; raises DeadlineExceeded when none are left."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(f"the {self.seconds:g} s allowed ran out")
        return min(idle, left)


class _Guard:
    """The deadline and idle timeout of the request a connection is serving now."""

    def __init__(self, idle: float) -> None:
        self.idle = idle
        self.deadline = Deadline(idle)

    def arm(self, sock: socket.socket) -> None:
        sock.settimeout(self.deadline.budget(self.idle))

    def timed_out(self) -> BaseException:
        if self.deadline.remaining() <= 0:
            return DeadlineExceeded(f"the {self.deadline.seconds:g} s allowed ran out")
        return TimeoutError(f"no data for {self.idle:g} s")


class _Reader(io.RawIOBase):
    """The socket's incoming bytes, each read bounded by the guard (what http.client reads from)."""

    def __init__(self, owner: _GuardedSocket) -> None:
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock = self._owner.sock
        self._owner.guard.arm(sock)
        try:
            return sock.recv_into(buffer)
        except TimeoutError:
            raise self._owner.guard.timed_out() from None

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._owner.reader_closed()


class _GuardedSocket:
    """The parts of a socket that http.client uses, with every operation under the guard.

    Like ``socket.makefile``, a reader keeps the socket open after the connection is closed:
    http.client closes a connection that will not be reused before the body has been read.
    """

    def __init__(self, sock: socket.socket, guard: _Guard) -> None:
        self.sock = sock
        self.guard = guard
        self._readers = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        self.guard.arm(self.sock)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise self.guard.timed_out() from None

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_Reader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self.sock.close()

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self.sock.close()


_TLS: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _TLS
    if _TLS is None:
        _TLS = ssl.create_default_context()  # certificates and host names checked, system CAs
    return _TLS


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one checked address, for one host name."""

    def __init__(self, scheme: str, host: str, port: int, family: int, address: str, guard: _Guard) -> None:
        super().__init__(host, port)
        self.default_port = 443 if scheme == "https" else 80  # so the Host header carries no default port
        self.scheme = scheme
        self.family = family
        self.address = address
        self.guard = guard

    def connect(self) -> None:
        raw = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            self.guard.arm(raw)
            try:
                raw.connect((self.address, self.port))
            except TimeoutError:
                raise self.guard.timed_out() from None
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock: socket.socket = raw
            if self.scheme == "https":
                self.guard.arm(raw)
                try:
                    sock = _tls_context().wrap_socket(raw, server_hostname=self.host)
                except TimeoutError:
                    raise self.guard.timed_out() from None
        except BaseException:
            raw.close()
            raise
        self.sock = _GuardedSocket(sock, self.guard)


_Key = tuple[str, str, int, netaddress.Policy]  # scheme, host, port, and the address policy it was checked under


class _Kept(threading.local):
    def __init__(self) -> None:
        self.connections: OrderedDict[_Key, _PinnedConnection] = OrderedDict()


_kept = _Kept()


class Response:
    """A response whose body has not been read yet; ``release`` hands the connection back or closes it."""

    def __init__(self, key: _Key, connection: _PinnedConnection, raw: http.client.HTTPResponse):
        self._key = key
        self._connection = connection
        self.raw = raw
        self.status = raw.status

    def header(self, name: str) -> str | None:
        return self.raw.getheader(name)

    def read(self, amount: int) -> bytes:
        return self.raw.read(amount)

    def release(self, reuse: bool) -> None:
        """Keep the connection for the next request when the body was read to its end; else close it."""
        if reuse and self.raw.isclosed() and not self.raw.will_close:
            _kept.connections[self._key] = self._connection
            _kept.connections.move_to_end(self._key)
            while len(_kept.connections) > _KEPT_PER_THREAD:
                _kept.connections.popitem(last=False)[1].close()
        else:
            self.raw.close()
            self._connection.close()


def request_path(parts: SplitResult) -> str:
    """The request target: path and query, with anything outside ASCII percent-encoded."""
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return quote(target, safe=_PATH_SAFE)


def get(
    parts: SplitResult,
    deadline: Deadline,
    idle: float,
    headers: dict[str, str],
    policy: netaddress.Policy,
) -> Response:
    """Send GET for an http(s) URL and read the status and headers (not the body).

    Raises netaddress.AddressRefused for a refused address, DeadlineExceeded when the deadline
    passes, and OSError or http.client.HTTPException for network and protocol failures.
    """
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    target = request_path(parts)
    key = (scheme, host, port, policy)
    kept = _kept.connections.pop(key, None)
    if kept is not None:
        kept.guard.deadline = deadline
        kept.guard.idle = idle
        try:
            return Response(key, kept, _send(kept, target, headers))
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            kept.close()  # the server closed the idle connection: a new one, checked afresh, below
    guard = _Guard(idle)
    guard.deadline = deadline
    last: BaseException | None = None
    for family, address in _resolve(host, port, policy, deadline):
        connection = _PinnedConnection(scheme, host, port, family, address, guard)
        try:
            return Response(key, connection, _send(connection, target, headers))
        except DeadlineExceeded:
            connection.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last = exc
    assert last is not None
    raise last


def _send(connection: _PinnedConnection, target: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection.request("GET", target, headers=headers)
    return connection.getresponse()


def _resolve(host: str, port: int, policy: netaddress.Policy, deadline: Deadline) -> list[tuple[int, str]]:
    """The checked addresses of ``host``; the lookup runs on a helper thread so that a hung
    resolver costs this fetch no more than its deadline."""
    numeric = netaddress.numeric(host)
    if numeric is not None:  # no lookup needed: judge the spelled address itself
        netaddress.check(numeric, policy)
        return [(socket.AF_INET6 if ":" in numeric else socket.AF_INET, numeric)]
    outcome: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome.append(list(netaddress.resolve(host, port, policy)))
        except BaseException as exc:
            outcome.append(exc)
        done.set()

    threading.Thread(target=lookup, name="pdpack-resolve", daemon=True).start()
    if not done.wait(max(0.0, deadline.remaining())):
        raise DeadlineExceeded(f"the {deadline.seconds:g} s allowed ran out while looking up {host}")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return list(result)
