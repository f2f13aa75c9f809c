"""At most N downloads from one host at a time, across the threads and processes of this machine.

Each host has N slot files under ``<cache>/locks``; a download holds an exclusive ``flock`` on
one of them. Threads of one process first take the slot's in-process lock (``flock`` locks
are per open file, so they alone would let a process's threads wait on each other's files), so
a slot freed in this process goes to a waiting thread at once; slots freed by other processes
are noticed within ``_POLL`` seconds. A slot's file is open only while it is held (a release
touches thousands of hosts), and a process that dies releases its locks with its files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_POLL = 0.01


class _Slot:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()


class _Slots:
    """The slots of one process; rebuilt after a fork (locks and files belong to the parent)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.by_host: dict[tuple[str, str, int], list[_Slot]] = {}
        self.freed = threading.Condition()


_state = _Slots()
_state_lock = threading.Lock()


def _slots(folder: Path, host: str, limit: int) -> tuple[_Slots, list[_Slot]]:
    global _state
    with _state_lock:
        if _state.pid != os.getpid():
            _state = _Slots()
        name = hashlib.sha256(host.lower().encode()).hexdigest()[:16]
        key = (str(folder), name, limit)
        if key not in _state.by_host:
            _state.by_host[key] = [_Slot(folder / f"{name}.{n}") for n in range(limit)]
        return _state, _state.by_host[key]


def _try(slot: _Slot) -> BinaryIO | None:
    """The slot's file, locked, or None when another thread or process holds the slot."""
    if not slot.lock.acquire(blocking=False):
        return None
    handle = slot.path.open("a+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return handle
    except BlockingIOError:
        handle.close()
        slot.lock.release()
        return None
    except BaseException:
        handle.close()
        slot.lock.release()
        raise


_PRIVATE: Path | None = None


def _lock_folder(cache_dir: Path | None) -> Path:
    """The cache's lock folder; without a cache, one private to this user, so --no-cache keeps the limit."""
    global _PRIVATE
    if cache_dir is not None:
        folder = cache_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    shared = Path(tempfile.gettempdir()) / f"pdpack-locks-{os.getuid()}"
    shared.mkdir(mode=0o700, exist_ok=True)
    info = shared.lstat()
    if info.st_uid == os.getuid() and not (info.st_mode & 0o077) and shared.is_dir() and not shared.is_symlink():
        return shared
    # Someone else made that folder: it cannot be trusted, so the limit holds within this process only.
    if _PRIVATE is None:
        _PRIVATE = Path(tempfile.mkdtemp(prefix="pdpack-locks-"))
    return _PRIVATE


@contextlib.contextmanager
def host_slot(cache_dir: Path | None, host: str, limit: int) -> Iterator[None]:
    """Hold one of ``limit`` download slots for ``host``, shared by all processes using this cache
    (or, without a cache, by all of this user's processes)."""
    if limit < 1:
        yield
        return
    folder = _lock_folder(cache_dir)
    state, slots = _slots(folder, host, limit)
    while True:
        for slot in slots:
            handle = _try(slot)
            if handle is not None:
                break
        else:
            with state.freed:
                state.freed.wait(_POLL)
            continue
        break
    try:
        yield
    finally:
        handle.close()  # closing the file releases its flock
        slot.lock.release()
        with state.freed:
            state.freed.notify()
