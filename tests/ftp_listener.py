"""A socket on 127.0.0.1 that speaks the first line of FTP and records whoever talks to it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BANNER = b"220 SECRET-FTP-BANNER ready\r\n"


class FtpListener:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.received = b""  # what clients sent after the banner (USER anonymous, PASS, ...)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with client:
                client.settimeout(1.0)
                try:
                    client.sendall(BANNER)
                    while chunk := client.recv(4096):
                        self.received += chunk
                        client.sendall(b"331 Password required\r\n")
                except OSError:
                    pass

    def __enter__(self) -> FtpListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextmanager
def ftp_listener() -> Iterator[FtpListener]:
    with FtpListener() as listener:
        yield listener
