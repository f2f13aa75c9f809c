"""This process's ``--fetch-threads`` download threads, shared by the items it processes and those it fetches ahead.

Jobs run in the order they are given. A task gives its own items first, then those of the later task
it fetches ahead (``packager.builder.prefetch``); once a build is under way, a task's own items are
mostly those an earlier task fetched, which it only takes from the spool. So the threads keep
downloading about a task's worth of items ahead of the decoding, at most ``--fetch-threads`` at
once per process, as that option says, and within ``--max-per-host`` per host.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_POOL: tuple[int, int, ThreadPoolExecutor] | None = None  # (pid, threads, pool) of this process
_POOL_LOCK = threading.Lock()


def download_threads(threads: int) -> ThreadPoolExecutor:
    """This process's download threads (made again in a forked child, or for another size)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[:2] != (os.getpid(), threads):
            _POOL = (os.getpid(), threads, ThreadPoolExecutor(max(1, threads), thread_name_prefix="pdpack-download"))
        return _POOL[2]
