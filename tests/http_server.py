"""A real HTTP server on 127.0.0.1 for URL sources: files, errors, slow, truncated and hostile answers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ImageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes], host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler)
        self.files = files
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []  # the Host header of every request
        self.redirects: dict[str, str] = {}  # /redirect/NAME answers 302 to this Location
        self.stop = threading.Event()  # set when the server shuts down: ends stalls and trickles
        # /together/NAME answers only once this many requests wait at the same time (or fails after 30 s)
        self.together = threading.Barrier(1)
        self.flaky_failures = 2  # /flaky/* answers 503 this many times, then the file
        self.concurrent = 0
        self.max_concurrent = 0
        self._lock = threading.Lock()
        # /hold/* answers only once ``release`` is set; ``arrived`` says a request is waiting there, so a
        # test can act at that point of a run (interrupt it) without guessing at timing.
        self.arrived = threading.Event()
        self.release = threading.Event()
        # /drip/NAME sends the file in ``drip_pieces`` pieces, ``drip_pause`` seconds apart (a body that takes at
        # least (pieces - 1) x pause to arrive, however fast the machine); ``dripped`` counts the bytes sent per
        # path, ``hung_up`` the paths whose client closed the connection before the body's end; ``drip_ended``
        # is set when a drip is over, either way.
        self.drip_pieces = 20
        self.drip_pause = 0.1
        self.dripped: Counter[str] = Counter()
        self.hung_up: set[str] = set()
        self.drip_ended = threading.Event()
        # /after/NAME answers only once every path in ``after[path]`` has been requested (or the server
        # stops): a progress point that says what a client asked for while it waited, whatever the timing.
        self.after: dict[str, set[str]] = {}
        self.requested = threading.Condition()

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out on purpose (the slow route) closes its end: not a test failure.
        pass

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: ImageServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        # A request counts as in flight from its arrival until its answer starts: the client may read the
        # whole answer (and start its next request) before this thread gets to run again.
        with self.server._lock:
            self.server.concurrent += 1
            self.server.max_concurrent = max(self.server.max_concurrent, self.server.concurrent)
        self._counted = True
        try:
            self._answer()
        finally:
            self._answered()

    def _answered(self) -> None:
        if getattr(self, "_counted", False):
            self._counted = False
            with self.server._lock:
                self.server.concurrent -= 1

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answered()
        super().send_response(code, message)

    def _answer(self) -> None:
        path = self.path
        with self.server.requested:
            self.server.hits[path] += 1
            self.server.requested.notify_all()
        self.server.hosts.append(self.headers.get("Host", ""))
        kind, _, name = path.lstrip("/").partition("/")
        name = name.split("?", 1)[0]
        data = self.server.files.get(name)
        if kind == "status":
            self.send_error(int(name))
            return
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", self.server.redirects[name])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind == "together":
            try:
                self.server.together.wait(timeout=30)
            except threading.BrokenBarrierError:
                self.send_error(504)
                return
        if kind == "stall":  # accepts the request, never answers
            self.server.stop.wait(120)
            return
        if kind == "trickle":  # a promising start, then one byte every 0.2 s, never finishing
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "100000000")
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")
            while not self.server.stop.wait(0.2):
                self.wfile.write(b"\0")
                self.wfile.flush()
            return
        if kind == "drip" and data is not None:
            self._drip(path, data)
            return
        if kind == "reason":  # a status line whose reason phrase is the file's content
            self.send_response(503, (data or b"").decode())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if data is None:
            self.send_error(404)
            return
        if kind == "flaky" and self.server.hits[path] <= self.server.flaky_failures:
            self.send_error(503)
            return
        if kind == "after":
            with self.server.requested:
                waiting = self.server.after.get(path, set())
                while not self.server.stop.is_set() and any(not self.server.hits[p] for p in waiting):
                    self.server.requested.wait(0.5)  # woken by each request; the timeout only notices a stop
        if kind == "hold":
            self.server.arrived.set()
            self.server.release.wait(timeout=120)
        if kind == "slow":
            time.sleep(0.6 if "?" in path else 2.0)
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if kind == "html" else "image/png")
        if kind == "truncated":
            self.send_header("Content-Length", str(len(data) * 2))
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drip(self, path: str, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        pieces = self.server.drip_pieces
        size = -(-len(data) // pieces)
        try:
            for n in range(pieces):
                if n and self.server.stop.wait(self.server.drip_pause):
                    return
                piece = data[n * size : (n + 1) * size]
                self.wfile.write(piece)
                self.wfile.flush()
                self.server.dripped[path] += len(piece)
        except ConnectionError:
            self.server.hung_up.add(path)
            self.close_connection = True
        finally:
            self.server.drip_ended.set()


@contextmanager
def serve(files: dict[str, bytes], host: str = "127.0.0.1") -> Iterator[ImageServer]:
    server = ImageServer(files, host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
