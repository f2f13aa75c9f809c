"""Rights metadata embedded in media files (XMP, IPTC IIM, EXIF), read with ExifTool.

``EmbeddedReader`` keeps one ``exiftool -stay_open True -@ -`` process (started
through PyExifTool) and feeds it many files; ``embedded_findings`` (in
``packager.rights.embedded_tags``, which reads the tags) turns the tags it
returns into ``Evidence`` for ``verify()``.

Decisions, each checked against exiftool 12.57:

* **Arguments.** Every command is ``-j -G1 -n -ExifTool:Error <tags> <files>``,
  sent on exiftool's stdin (``-@ -``), one argument per line. There are no
  ``-common_args``, no ``-if``/``-p`` and nothing taken from a file or its
  metadata is ever sent as an option. ``-config ""`` stops exiftool loading a
  user's ``~/.ExifTool_config``, which is Perl and can redefine tags.
* **No ``--`` before file names.** In ``-stay_open`` mode ``--`` also turns the
  ``-execute`` line that ends the command into a file name, so exiftool never
  answers and the caller hangs (PyExifTool also appends ``-echo4`` after the
  parameters, which would become a file name too). Instead every path is sent
  absolute: it starts with ``/``, so it can never be read as an option (a file
  named ``-ver.jpg`` is read as a file), and never as an argfile comment
  (``#...``) or lose leading white space (argfile lines are stripped on the
  left). Paths containing ``\\n``, ``\\r`` or NUL are refused before exiftool:
  a newline would end the argument and inject the rest as further arguments.
* **Files are checked first.** A path that is missing or not a regular file is
  refused with ``EmbeddedReadError`` (exiftool would scan a directory's files).
* **No ``-charset iptc=UTF8``.** ExifTool writes non-ASCII IPTC as Latin (cp1252)
  unless ``IPTC:CodedCharacterSet`` says UTF-8, and reads it back the same way;
  forcing UTF-8 turns that ``©`` into ``?``, losing the very sign we look for.
  exiftool honours ``CodedCharacterSet=UTF8`` on its own. UTF-8 written without
  that marker comes back as ``Â©``-style mojibake, which ``_repair_iptc`` undoes.
* **No ``-fast``/``-fast2``.** ``-fast2`` misses XMP stored after a PNG's image
  data; ``-fast`` skips JPEG trailers. On small or 14 MB JPEGs neither saves
  measurable time (0.33 s vs 0.36 s for 20 reads of a 14 MB file).
* **Lang-alt tags** (``dc:Rights``, ``xmpRights:UsageTerms``,
  ``plus:OtherConstraints``, ``iptcExt:ArtworkTitle``) are requested with ``*``
  so that non-default languages (``XMP-dc:Rights-de``) are read as well.
* **Errors.** A file exiftool cannot read (``File format error``, ``Unknown file
  type``, ``File is empty``) raises ``EmbeddedReadError``. A file it reads
  without finding rights tags, including plain text and JPEGs with a damaged
  tail (exiftool warns, but reads what comes before the damage), gives ``{}``.
* **The process.** PyExifTool starts exiftool with ``PR_SET_PDEATHSIG``, which
  Linux ties to the *thread* that started it: when that thread ends, exiftool is
  killed. The reader notices a dead process and starts a new one, and retries a
  command once if exiftool died under it. ``StayOpenExifTool.execute`` (in
  ``packager.rights.exiftool_process``) replaces PyExifTool's, whose read loop
  spins forever when exiftool dies mid-command; it also reads stdout and stderr
  together (no pipe deadlock) and has a deadline.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import subprocess
import threading
import weakref
from pathlib import Path
from typing import Any

from packager.rights.embedded_tags import LANG_ALT, RIGHTS_TAGS, TAG_SET, base_tag
from packager.rights.exiftool_process import (
    MIN_EXIFTOOL_VERSION,
    ExifToolDied,
    ExifToolTimeout,
    StayOpenExifTool,
    close_pipes,
    resolve_executable,
    version_tuple,
)


def _request(tag: str) -> str:
    if tag == "IFD0:Copyright":
        return "-EXIF:Copyright"
    return f"-{tag}*" if tag in LANG_ALT else f"-{tag}"


_READ_ARGS: tuple[str, ...] = ("-j", "-G1", "-n", "-ExifTool:Error", *(_request(t) for t in RIGHTS_TAGS))


class EmbeddedReadError(Exception):
    """exiftool could not read a file (or the file was refused before exiftool)."""

    def __init__(self, path: Path | str | None, message: str) -> None:
        self.path = None if path is None else Path(path)
        self.message = message
        super().__init__(f"{path}: {message}" if path is not None else message)


def _checked_path(path: Path | str) -> str:
    """The absolute path to send to exiftool; refuses anything that could be misread."""
    text = os.fspath(path)
    if any(c in text for c in "\n\r\0"):
        raise EmbeddedReadError(path, "path contains a newline, carriage return or NUL; refused before exiftool")
    absolute = os.path.abspath(text)
    if not os.path.isfile(absolute):
        what = "no such file" if not os.path.exists(absolute) else "not a regular file"
        raise EmbeddedReadError(path, what)
    return absolute


def _json_name(absolute: str) -> str:
    """SourceFile as exiftool prints it: invalid UTF-8 bytes come out as '?'."""
    return os.fsencode(absolute).decode("utf-8", errors="replace").replace("\ufffd", "?")


_READERS: weakref.WeakSet[EmbeddedReader] = weakref.WeakSet()


class EmbeddedReader:
    """One long-lived `exiftool -stay_open True -@ -` process (through PyExifTool) serving many files.

    Safe to share between threads (commands are serialised). Started on first use
    or by ``with``; a dead process is replaced on the next call. Not shared across
    ``fork``: a child gets a fresh process on its first read.
    """

    def __init__(self, executable: str = "exiftool", *, timeout_s: float = 60.0) -> None:
        self._executable = resolve_executable(executable)
        self._timeout_s = timeout_s
        self._et: StayOpenExifTool | None = None
        self._lock = threading.Lock()
        self._owner_pid = os.getpid()
        self.version: str | None = None
        _READERS.add(self)

    def __enter__(self) -> EmbeddedReader:
        with self._lock:
            self._ensure_started()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The exiftool process id, or None when not started."""
        et = self._et
        return et._process.pid if et is not None and et._process is not None else None

    def read(self, path: Path, deadline_s: float | None = None) -> dict[str, Any]:
        """The rights tags of one file: {"XMP-dc:Rights": "...", ...}; only tags present.

        ``deadline_s`` (default: the reader's timeout) bounds this one read: a file that makes exiftool work
        longer (XMP nested thousands deep) costs that much, then exiftool is killed and restarted.
        """
        return self.read_many([path], deadline_s)[0]

    def read_many(self, paths: list[Path], deadline_s: float | None = None) -> list[dict[str, Any]]:
        """One -execute for many files, same order as paths.

        Raises EmbeddedReadError for the first path (in order) that was refused or
        that exiftool could not read; read() each file to isolate failures.
        """
        if not paths:
            return []
        absolute = [_checked_path(p) for p in paths]
        args: list[str | bytes] = [*_READ_ARGS, *(os.fsencode(a) for a in absolute)]
        deadline = (self._timeout_s if deadline_s is None else deadline_s) + 0.2 * (len(paths) - 1)
        with self._lock:
            stdout, stderr = self._execute(args, deadline, paths)
        try:
            entries = json.loads(stdout) if stdout.strip() else []
        except ValueError as exc:
            raise EmbeddedReadError(paths[0], f"exiftool printed invalid JSON: {exc}") from exc
        return _match(paths, absolute, entries, stderr)

    def close(self) -> None:
        """Stop exiftool (``-stay_open False``); the reader restarts on its next use."""
        with self._lock:
            self._stop()

    def _ensure_started(self) -> None:
        if self._owner_pid != os.getpid():
            self._abandon()
        et = self._et
        if et is not None and et._running and et._process is not None and et._process.poll() is None:
            return
        if et is not None:
            self._reap()
        et = StayOpenExifTool(executable=self._executable, common_args=[], config_file="", encoding="utf-8")
        et.deadline_s = self._timeout_s
        try:
            et.run()  # runs `-ver` through execute() below
        except Exception as exc:
            if et._process is not None:
                et._process.kill()
                close_pipes(et._process)
                et._process.wait()
                et._flag_running_false()
            raise RuntimeError(f"exiftool {self._executable} did not start: {exc}") from exc
        self._et = et
        self.version = et.version
        if version_tuple(self.version) < MIN_EXIFTOOL_VERSION:
            self._stop()
            wanted = ".".join(map(str, MIN_EXIFTOOL_VERSION))
            raise RuntimeError(f"exiftool {self.version} is older than {wanted}, unsafe on untrusted files")

    def _execute(self, args: list[str | bytes], deadline_s: float, paths: list[Path]) -> tuple[str, str]:
        for attempt in (1, 2):
            self._ensure_started()
            assert self._et is not None
            self._et.deadline_s = deadline_s
            try:
                stdout = self._et.execute(*args)
                return str(stdout), str(self._et.last_stderr or "")
            except ExifToolTimeout as exc:
                self._kill()
                raise _batch_error(paths, f"{exc} ({deadline_s:g} s)") from exc
            except ExifToolDied as exc:
                self._kill()
                if attempt == 2:
                    raise _batch_error(paths, str(exc)) from exc
        raise AssertionError("unreachable")

    def _stop(self) -> None:
        et = self._et
        if et is None:
            return
        if self._owner_pid != os.getpid():
            self._abandon()
            return
        if et._running and et._process is not None and et._process.poll() is None:
            try:
                et.terminate(timeout=5)
            except OSError:
                self._kill()
                return
        self._reap()

    def _kill(self) -> None:
        et = self._et
        if et is not None and et._process is not None:
            et._process.kill()
        self._reap()

    def _reap(self) -> None:
        """Forget a stopped or dead process: wait for it and close our ends of its pipes."""
        et, self._et = self._et, None
        if et is None:
            return
        process = et._process
        et._flag_running_false()
        if process is not None:
            close_pipes(process)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _abandon(self) -> None:
        """In a forked child: drop the parent's process without touching it."""
        et, self._et = self._et, None
        self._lock = threading.Lock()
        self._owner_pid = os.getpid()
        if et is not None:
            process = et._process
            et._flag_running_false()  # so that PyExifTool's __del__ sends nothing to the parent's exiftool
            if process is not None:
                process.returncode = 0  # not our child: never wait for it
                # Close only this process's copies of the pipes. Nothing is written:
                # execute() flushes stdin after every command, so its buffer is empty.
                close_pipes(process)


def _batch_error(paths: list[Path], message: str) -> EmbeddedReadError:
    if len(paths) == 1:
        return EmbeddedReadError(paths[0], message)
    return EmbeddedReadError(None, f"{message}, reading {len(paths)} files from {paths[0]} to {paths[-1]}")


def _match(paths: list[Path], absolute: list[str], entries: list[dict[str, Any]], stderr: str) -> list[dict[str, Any]]:
    """Pair exiftool's JSON objects with the requested paths.

    Objects come in request order; a file exiftool could not open has none. A
    SourceFile that does not match raises rather than risk giving one file's
    tags to another.
    """
    results: list[dict[str, Any]] = []
    j = 0
    for path, name in zip(paths, absolute, strict=True):
        expected = _json_name(name)
        if j < len(entries) and entries[j].get("SourceFile") == expected:
            entry = entries[j]
            j += 1
            error = entry.get("ExifTool:Error")
            if error:
                raise EmbeddedReadError(path, f"exiftool: {error}")
            results.append(_select(entry))
        else:
            messages = [line for line in stderr.splitlines() if expected in line]
            message = messages[0] if messages else "exiftool returned nothing for this file"
            raise EmbeddedReadError(path, message)
    if j != len(entries):
        raise EmbeddedReadError(paths[0], f"exiftool returned {len(entries)} results for {len(paths)} files")
    return results


def _select(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if base_tag(k) in TAG_SET}


_shared: EmbeddedReader | None = None
_shared_lock = threading.Lock()
_shared_hooks_registered = False


def shared_reader() -> EmbeddedReader:
    """A lazily started per-process reader (module global), closed at exit.

    For pipeline workers: each worker process keeps one exiftool alive for all its
    files. A forked child gets its own reader; the parent's process is untouched.
    """
    global _shared, _shared_hooks_registered
    with _shared_lock:
        if _shared is None or _shared._owner_pid != os.getpid():
            _shared = EmbeddedReader()
        if not _shared_hooks_registered:
            atexit.register(_close_shared)
            # multiprocessing workers leave through os._exit(), which skips atexit.
            multiprocessing.util.Finalize(None, _close_shared, exitpriority=10)
            _shared_hooks_registered = True
        return _shared


def _close_shared() -> None:
    reader = _shared
    if reader is not None and reader._owner_pid == os.getpid():
        reader.close()


def _after_fork_in_child() -> None:
    global _shared, _shared_lock
    # Abandon first: dropping the last reference to the parent's reader would otherwise close it here.
    for reader in list(_READERS):
        reader._abandon()
    _shared = None
    _shared_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
