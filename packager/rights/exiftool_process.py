"""One exiftool process over PyExifTool's stay-open protocol, read so that a command can never hang.

``packager.rights.embedded`` decides what is sent and keeps the process alive; this module only
runs commands: both pipes read together (no deadlock), EOF raised instead of spun on, a deadline.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import shutil
import subprocess
import time

import exiftool
from exiftool.exceptions import ExifToolNotRunning

# The oldest exiftool that is safe on untrusted files: 12.24 fixed the DjVu code
# injection (CVE-2021-22204), 12.38 file names ending in "|" (CVE-2022-23935).
MIN_EXIFTOOL_VERSION = (12, 38)


class ExifToolDied(Exception):
    pass


class ExifToolTimeout(Exception):
    pass


class StayOpenExifTool(exiftool.ExifTool):
    """PyExifTool's ExifTool with a read loop that cannot hang.

    Same protocol as PyExifTool (``-echo4 =${status}=postN`` then ``-executeN``),
    but stdout and stderr are read together, EOF raises instead of spinning, and a
    deadline bounds each command. The sentinel number comes from ``secrets`` so
    that metadata cannot guess it and end a read early.
    """

    deadline_s: float = 60.0

    def execute(self, *params: str | bytes, raw_bytes: bool = False) -> str | bytes:
        if not self.running:
            raise ExifToolNotRunning("Cannot execute()")
        process = self._process
        n = 100000 + secrets.randbelow(900000)
        ready = b"{ready%d}" % n
        post = b"post%d" % n
        lines = [p if isinstance(p, bytes) else p.encode(self._encoding) for p in params]
        lines += [b"-echo4", b"=${status}=" + post, b"-execute%d" % n]
        try:
            process.stdin.write(b"\n".join(lines) + b"\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise ExifToolDied("exiftool is not accepting input") from exc
        out, err = read_until(process, ready, post, time.monotonic() + self.deadline_s)
        stdout = out.rstrip()[: -len(ready)].rstrip()
        stderr = err.rstrip()[: -len(post)]
        if not stderr.endswith(b"="):
            raise ExifToolDied(f"unexpected exiftool status line: {stderr[-40:]!r}")
        start = stderr.rfind(b"=", 0, -1)
        status = int(stderr[start + 1 : -1])
        self._last_stdout = stdout if raw_bytes else stdout.decode(self._encoding, errors="replace")
        self._last_stderr = stderr[:start] if raw_bytes else stderr[:start].decode(self._encoding, errors="replace")
        self._last_status = status
        return self._last_stdout


def read_until(process: subprocess.Popen[bytes], ready: bytes, post: bytes, deadline: float) -> tuple[bytes, bytes]:
    assert process.stdout is not None and process.stderr is not None
    out_fd, err_fd = process.stdout.fileno(), process.stderr.fileno()
    buffers = {out_fd: bytearray(), err_fd: bytearray()}
    wanted = {out_fd: ready, err_fd: post}
    pending = {out_fd, err_fd}
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ExifToolTimeout("exiftool did not answer in time")
        readable, _, _ = select.select(sorted(pending), [], [], remaining)
        for fd in readable:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise ExifToolDied("exiftool exited unexpectedly")
            buffer = buffers[fd]
            buffer += chunk
            if bytes(buffer[-(len(wanted[fd]) + 16) :]).rstrip().endswith(wanted[fd]):
                pending.discard(fd)
    return bytes(buffers[out_fd]), bytes(buffers[err_fd])


def resolve_executable(executable: str) -> str:
    """An absolute path, so that PyExifTool never picks up a file of that name in the cwd."""
    found = shutil.which(executable) if os.sep not in executable else executable
    if not found or not os.path.isfile(found):
        raise FileNotFoundError(f"exiftool not found: {executable!r}")
    return os.path.abspath(found)


def close_pipes(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def version_tuple(version: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in (version or "0").strip().split(".")[:2])
    except ValueError:
        return (0,)
