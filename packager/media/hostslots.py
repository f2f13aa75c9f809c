"""At most N downloads from one host at a time, across the threads and processes of this machine.

Each host has N slot files under ``<cache>/locks``; a download holds an exclusive ``flock`` on
one of them. Threads of one process first take the slot's in-process lock (``flock`` locks
are per open file, so they alone would let a process's threads wait on each other's files), so
a slot freed in this process goes to a waiting thread at once; slots freed by other processes
are noticed within ``_POLL`` seconds, by one waiting thread per process and host (``_Host``).
A slot's file is open only while it is held (a release touches thousands of hosts), and a
process that dies releases its locks with its files.
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

_POLL = 0.01  # how often a process's poller looks for slots that other processes freed
# How often the other waiting threads look: they are woken when a slot is freed in this process or the
# poller leaves, so this only bounds the cost of a wake-up that came just before they began to wait.
_IDLE_POLL = 0.1


class _Slot:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()


class _Host:
    """One host's slots in this process, and its waiting threads: one of them polls, the others sleep.

    With many threads waiting (a worker's downloads, and those it fetches ahead, behind a limit of 4),
    each polling every slot's file every few milliseconds would cost more CPU than the downloads.
    """

    def __init__(self, slots: list[_Slot]) -> None:
        self.slots = slots
        self.freed = threading.Condition()
        self.poller = threading.Lock()  # held by the waiting thread that polls for other processes' slots


class _Slots:
    """The slots of one process; rebuilt after a fork (locks and files belong to the parent)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.by_host: dict[tuple[str, str, int], _Host] = {}


_state = _Slots()
_state_lock = threading.Lock()


def _host(folder: Path, host: str, limit: int) -> _Host:
    global _state
    with _state_lock:
        if _state.pid != os.getpid():
            _state = _Slots()
        name = hashlib.sha256(host.lower().encode()).hexdigest()[:16]
        key = (str(folder), name, limit)
        if key not in _state.by_host:
            _state.by_host[key] = _Host([_Slot(folder / f"{name}.{n}") for n in range(limit)])
        return _state.by_host[key]


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
    slots = _host(_lock_folder(cache_dir), host, limit)
    taken = _take(slots.slots)
    while taken is None:
        polling = slots.poller.acquire(blocking=False)
        try:
            with slots.freed:
                slots.freed.wait(_POLL if polling else _IDLE_POLL)
            taken = _take(slots.slots)
        finally:
            if polling:
                slots.poller.release()
        if polling and taken is not None:
            with slots.freed:
                slots.freed.notify()  # another waiting thread takes over the polling
    slot, handle = taken
    try:
        yield
    finally:
        handle.close()  # closing the file releases its flock
        slot.lock.release()
        with slots.freed:
            slots.freed.notify()


def _take(slots: list[_Slot]) -> tuple[_Slot, BinaryIO] | None:
    """A free slot, locked, and its file; None when every slot is held."""
    for slot in slots:
        handle = _try(slot)
        if handle is not None:
            return slot, handle
    return None
