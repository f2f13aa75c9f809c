"""The local engine's process pool: workers forked from a fork server, results passed back through files."""

from __future__ import annotations

import multiprocessing
import os
import pickle  # nosec B403: only results our own workers wrote, as multiprocessing pickles them
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

from packager.builder.engine_base import Closing, R, T, batched, call_batch

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

SPOOL_PREFIX = "pdpack-results-"  # then the parent's pid: a folder whose process is gone was abandoned
# Results made in this process while the workers start wait for their turn behind an item the workers
# have; at most this many windows of them, so that memory stays bounded however long the start takes.
HELD_PER_WINDOW = 4


@dataclass
class _Slot(Generic[T, R]):
    """A chunk of items in build order: done in this process, or sent to a worker (or about to be)."""

    group: list[T]
    done: list[R] | None = None
    sent: AsyncResult[str] | None = None

    def finished(self) -> bool:
        return self.done is not None or (self.sent is not None and self.sent.ready())


def _every_one(fn: Callable[[T], R | None], group: list[T]) -> list[R] | None:
    """``fn`` of every item of the group, or None as soon as it gives None for one (the workers take the group)."""
    results = []
    for item in group:
        result = fn(item)
        if result is None:
            return None
        results.append(result)
    return results


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call_batch_spooled(fn: Callable[[Any], Any], batch: list[Any], spool: str) -> str:
    """The body of one local pool task: results go back through a file in ``spool``, not the pool's pipe.

    A pipe moves a large result (an image's bytes) 64 KiB at a time, with a switch between
    processes for each piece: receiving 250 KB results cost the parent about 2.7 ms of CPU
    each, more than a worker spends decoding the image. A file in the page cache costs a copy.
    """
    results = call_batch(fn, batch)
    handle, path = tempfile.mkstemp(dir=spool, suffix=".pickle")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _load_spooled(path: str) -> list[Any]:
    with open(path, "rb") as spooled:
        # Written a moment ago by our own worker, into a folder only this user can open.
        results: list[Any] = pickle.load(spooled)  # noqa: S301  # nosec B301
    os.unlink(path)
    return results


def _remove_abandoned_spools() -> None:
    """Delete result folders left by builds that were killed (their process no longer exists)."""
    if os.name != "posix":
        return  # os.kill(pid, 0) would terminate the process on Windows, not probe it
    for folder in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*-*"):
        pid = folder.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _process_exists(int(pid)) and _owned_by_me(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _owned_by_me(folder: Path) -> bool:
    # By uid, not user name: containers often run as a uid with no passwd entry.
    try:
        return folder.stat().st_uid == os.getuid()
    except OSError:
        return False


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def start_fork_server(preload: Sequence[str]) -> None:
    """Start this process's fork server now, importing ``preload``; return without waiting for it.

    A local pool made later forks its workers from this server. Started before the caller's own
    imports, the server's imports (a fresh interpreter importing the pipeline) run beside them,
    on another core, instead of after them. Without a fork server (Windows) this does nothing.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    forkserver.ensure_running()


class LocalPoolEngine(Closing):
    """A pool of ``workers`` processes on this machine.

    Workers come from a ``forkserver`` (``spawn`` where there is none), never from a plain
    ``fork``: the parent may hold threads and ExifTool pipes. The fork server imports
    ``preload`` once, so each worker starts in milliseconds instead of importing the
    pipeline (Pillow, numpy, scipy) again.

    Items go out in small chunks, and a new chunk is sent as soon as the oldest one comes
    back, so workers never wait for the parent to write a whole window's results, and a
    slow item holds up only the chunks behind it.

    Until the workers are up (the fork server imports the pipeline first: most of a second), the
    parent is idle; ``meanwhile`` lets it take the items it can do cheaply in that time (an
    incremental build's reuse checks), and the rest wait for the workers, in their place.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.preload = tuple(preload)
        self._pool: Pool | None = None
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._spool: str | None = None

    def start(self) -> None:
        """Create the pool on a thread: the fork server's imports then run while the caller sorts its input."""
        if self._pool is None and self._starting is None:
            self._starting = threading.Thread(target=self._start_in_background, name="pdpack-pool-start", daemon=True)
            self._starting.start()

    def _start_in_background(self) -> None:
        try:
            self._pool = self._new_pool()
        except BaseException as exc:  # handed to the caller on first use
            self._start_error = exc

    def _get_pool(self) -> Pool:
        error = self._join_start()
        if error is not None:
            raise error
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def _join_start(self) -> BaseException | None:
        """Wait for a background start to finish; its error, if it failed."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        error, self._start_error = self._start_error, None
        return error

    def _new_pool(self) -> Pool:
        if self._spool is None:
            _remove_abandoned_spools()
            self._spool = tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-")  # mode 0700
        if "forkserver" in multiprocessing.get_all_start_methods():
            forkserver = multiprocessing.get_context("forkserver")
            # Only heeded before the fork server starts (it is one per process); later pools share it.
            forkserver.set_forkserver_preload(list(self.preload))
            # Ctrl-C reaches every process of the terminal's group: the parent stops the build and says
            # what is kept; workers that also raised KeyboardInterrupt would only print tracebacks over that.
            return forkserver.Pool(self.workers, initializer=_ignore_interrupts)
        return multiprocessing.get_context("spawn").Pool(  # pragma: no cover - Windows
            self.workers, initializer=_ignore_interrupts
        )

    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
        meanwhile: Callable[[T], R | None] | None = None,
    ) -> Iterator[R]:
        window = max(1, window)
        chunk = batch or max(1, window // (self.workers * 4))
        if meanwhile is not None:
            self.start()  # the items it does not take wait for the workers, which start meanwhile
        slots: deque[_Slot[T, R]] = deque()
        waiting = 0  # slots for the workers: sent, or to send once they are up
        try:
            for group in batched(items, chunk, weight):
                slot: _Slot[T, R] = _Slot(group)
                if meanwhile is not None and not self._ready():
                    slot.done = _every_one(meanwhile, group)
                if slot.done is None:
                    waiting += 1
                    if meanwhile is None or self._ready():
                        # Submit before waiting: the pool keeps working while the caller consumes.
                        self._send([*slots, slot], fn)
                slots.append(slot)
                while slots and (
                    slots[0].finished() or waiting * chunk >= window or len(slots) >= window * HELD_PER_WINDOW
                ):
                    head = slots.popleft()
                    waiting -= head.done is None
                    yield from self._collect(head, slots, fn)
            while slots:
                yield from self._collect(slots.popleft(), slots, fn)
        except BaseException:
            self._terminate()  # interrupted, failed or abandoned mid-stream: don't wait for the rest
            raise

    def _ready(self) -> bool:
        """Whether the pool is up (or failed to start), so that sending a chunk waits for no start."""
        return self._starting is None or not self._starting.is_alive()

    def _send(self, slots: Iterable[_Slot[T, R]], fn: Callable[[T], R]) -> None:
        """Send every slot not done in this process and not sent yet, in order."""
        pool = self._get_pool()
        for slot in slots:
            if slot.done is None and slot.sent is None:
                slot.sent = pool.apply_async(_call_batch_spooled, (fn, slot.group, self._spool))

    def _collect(self, head: _Slot[T, R], rest: Iterable[_Slot[T, R]], fn: Callable[[T], R]) -> list[R]:
        if head.done is not None:
            return head.done
        if head.sent is None:  # the workers were still starting: they take it, and those behind it, now
            self._send([head, *rest], fn)
        assert head.sent is not None
        results: list[R] = _load_spooled(head.sent.get())
        return results

    def _terminate(self) -> None:
        self._stop(terminate=True)

    def _remove_spool(self) -> None:
        spool, self._spool = self._spool, None
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)  # results of chunks nobody collected

    def close(self) -> None:
        # close + join (not terminate): workers exit normally and run their finalizers (ExifTool readers).
        self._stop(terminate=False)

    def _stop(self, terminate: bool) -> None:
        self._join_start()
        pool, self._pool = self._pool, None
        if pool is not None:
            if terminate:
                pool.terminate()
            else:
                pool.close()
            pool.join()
        self._remove_spool()
