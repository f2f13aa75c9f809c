"""Execution engines: where the per-item work of a build runs.

An engine maps a pure, picklable function over a stream of picklable items and yields the
results in input order, with at most ``window`` items in flight at once (so a build never holds
more than ``window`` images in memory, however large the collection). Because the order of the
results never depends on the engine, shards are byte-identical whichever engine built them.

- ``SerialEngine``: in this process, one item at a time.
- ``LocalPoolEngine``: a multiprocessing pool on this machine (forkserver workers).
- ``RayEngine``: Ray tasks on a local Ray instance or an existing cluster (``pip install 'pd-packager[ray]'``).
"""

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
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "ray")
# What a worker imports to run the pipeline's per-item stages; a local pool's fork server imports it
# once, before it forks any worker, so that each worker starts in milliseconds. ftfy is imported
# by the pipeline only for the first caption that needs it: here, once, not in each worker.
WORKER_MODULES = ("packager.builder.stream", "scipy.fftpack", "ftfy")
SPOOL_PREFIX = "pdpack-results-"  # then the parent's pid: a folder whose process is gone was abandoned
DEFAULT_RAY_BATCH = 8


class Engine(Protocol):
    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
    ) -> Iterator[R]:
        """``fn(item)`` for every item, in input order, with at most ``window`` items in flight.

        ``weight`` says how much work an item is (a group of URL items weighs its length): a batch
        sent to one worker closes once it weighs as much as a batch of plain items would hold.
        ``batch``: items per task (one for partitions, each a task's worth); the engine picks when None.
        """
        ...

    def close(self) -> None:
        """Release what the engine started (processes, a Ray instance). Safe to call twice."""
        ...

    def start(self) -> None:
        """Begin starting workers in the background, so that start-up overlaps the caller's own set-up."""
        ...

    def __enter__(self) -> Engine: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


def _batched(items: Iterable[T], size: int, weight: Callable[[T], int] | None = None) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items, or of items weighing ``size`` together."""
    if weight is None:
        iterator = iter(items)
        while chunk := list(islice(iterator, size)):
            yield chunk
        return
    batch: list[T] = []
    load = 0
    for item in items:
        batch.append(item)
        load += weight(item)
        if load >= size:
            yield batch
            batch, load = [], 0
    if batch:
        yield batch


class _Closing:
    """Context-manager support: ``with make_engine(...) as engine:`` closes it on the way out."""

    def close(self) -> None:
        pass

    def start(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call_batch(fn: Callable[[Any], Any], batch: list[Any]) -> list[Any]:
    """``fn`` over a batch of items: the body of one Ray task (one task per item costs more than most items)."""
    return [fn(item) for item in batch]


def _call_batch_spooled(fn: Callable[[Any], Any], batch: list[Any], spool: str) -> str:
    """The body of one local pool task: results go back through a file in ``spool``, not the pool's pipe.

    A pipe moves a large result (an image's bytes) 64 KiB at a time, with a switch between
    processes for each piece: receiving 250 KB results cost the parent about 2.7 ms of CPU
    each, more than a worker spends decoding the image. A file in the page cache costs a copy.
    """
    results = _call_batch(fn, batch)
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


class SerialEngine(_Closing):
    """Everything in this process, one item at a time."""

    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
    ) -> Iterator[R]:
        for item in items:
            yield fn(item)


class LocalPoolEngine(_Closing):
    """A pool of ``workers`` processes on this machine.

    Workers come from a ``forkserver`` (``spawn`` where there is none), never from a plain
    ``fork``: the parent may hold threads and ExifTool pipes. The fork server imports
    ``preload`` once, so each worker starts in milliseconds instead of importing the
    pipeline (Pillow, numpy, scipy) again.

    Items go out in small chunks, and a new chunk is sent as soon as the oldest one comes
    back, so workers never wait for the parent to write a whole window's results, and a
    slow item holds up only the chunks behind it.
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
    ) -> Iterator[R]:
        window = max(1, window)
        chunk = batch or max(1, window // (self.workers * 4))
        pending: deque[AsyncResult[str]] = deque()
        try:
            for group in _batched(items, chunk, weight):
                # Submit before waiting: the pool keeps working while the caller consumes.
                pool = self._get_pool()
                pending.append(pool.apply_async(_call_batch_spooled, (fn, group, self._spool)))
                while pending and (len(pending) * chunk >= window or pending[0].ready()):
                    yield from _load_spooled(pending.popleft().get())
            while pending:
                yield from _load_spooled(pending.popleft().get())
        except BaseException:
            self._terminate()  # interrupted, failed or abandoned mid-stream: don't wait for the rest
            raise

    def _terminate(self) -> None:
        self._join_start()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
            pool.join()
        self._remove_spool()

    def _remove_spool(self) -> None:
        spool, self._spool = self._spool, None
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)  # results of chunks nobody collected

    def close(self) -> None:
        # close + join (not terminate): workers exit normally and run their finalizers (ExifTool readers).
        self._join_start()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
            pool.join()
        self._remove_spool()


class RayEngine(_Closing):
    """Ray tasks, each running ``fn`` over a batch of items.

    With ``address`` None (and no ``RAY_ADDRESS`` in the environment) and Ray not yet initialised
    in this process, a new local Ray instance is started (``num_cpus`` CPUs, all of them when None)
    and shut down again by ``close``. With an address (``"auto"`` for the one ``ray start`` started
    here, ``"10.0.0.1:6379"``, ``"ray://head:10001"``) the driver connects to that cluster, ``num_cpus``
    is ignored, and ``close`` only disconnects; the cluster keeps running. When the caller has
    already called ``ray.init``, the engine uses that connection and leaves it open.

    Workers of a local instance run this interpreter, so they import ``packager`` as this process
    does (an editable install included). The machines of a remote cluster need ``packager`` and
    its dependencies (Pillow, ExifTool, ...) installed, or a ``runtime_env`` that brings them,
    e.g. ``{"py_modules": [packager_dir]}`` or ``{"working_dir": repo_root}``.

    ``num_gpus_per_task`` (fractions allowed) is asked for every Ray task, for GPU stages such as
    caption models; a task then runs only on a node with that much GPU free.
    """

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        num_gpus_per_task: float = 0,
        runtime_env: dict[str, Any] | None = None,
        batch_size: int = DEFAULT_RAY_BATCH,
    ) -> None:
        try:
            import ray
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the ray engine needs Ray: pip install 'pd-packager[ray]' (or pip install ray)") from exc
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self._ray = ray
        self.batch_size = batch_size
        self.num_gpus_per_task = num_gpus_per_task
        self._owns_connection = False
        if not ray.is_initialized():
            options: dict[str, Any] = {}
            address = address or os.environ.get("RAY_ADDRESS") or None  # as set by `ray job submit`
            if address is None:
                # A new local instance ("local": not one that `ray start` left running): size it, and
                # keep usage statistics on this machine unless asked otherwise.
                address = "local"
                options["num_cpus"] = num_cpus
                os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            ray.init(
                address=address,
                include_dashboard=False,
                ignore_reinit_error=True,
                log_to_driver=False,
                configure_logging=False,
                runtime_env=runtime_env,
                **options,
            )
            self._owns_connection = True
        self._task = ray.remote(_call_batch)

    @property
    def owns_connection(self) -> bool:
        """Whether ``close`` will call ``ray.shutdown`` (this engine called ``ray.init``)."""
        return self._owns_connection

    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
    ) -> Iterator[R]:
        ray = self._ray
        window = max(1, window)
        batch_size = min(batch or self.batch_size, window)
        max_in_flight = max(1, window // batch_size)  # batches; at most ``window`` items
        task = self._task.options(num_gpus=self.num_gpus_per_task) if self.num_gpus_per_task else self._task
        fn_ref = ray.put(fn)  # sent once, not with every batch
        pending: deque[Any] = deque()
        try:
            for group in _batched(items, batch_size, weight):
                if len(pending) >= max_in_flight:
                    yield from ray.get(pending.popleft())  # the oldest first: results stay in input order
                pending.append(task.remote(fn_ref, group))
            while pending:
                yield from ray.get(pending.popleft())
        finally:
            # Abandoned part-way (an error, a consumer that stopped): don't leave work running.
            if pending and ray.is_initialized():
                for ref in pending:
                    ray.cancel(ref)

    def close(self) -> None:
        if self._owns_connection and self._ray.is_initialized():
            self._ray.shutdown()  # stops a local instance we started; only disconnects from a cluster
        self._owns_connection = False


def make_engine(
    name: str, workers: int, address: str | None = None, gpus_per_task: float = 0, preload: Sequence[str] = ()
) -> Engine:
    """The engine called ``name``: ``local`` (serial when ``workers`` <= 1, else a process pool) or ``ray``.

    For ``ray`` without an address, a local Ray instance with ``workers`` CPUs is started.
    ``preload`` names modules the local pool's workers need, imported once before they start.
    """
    if name == "local":
        if address:
            raise ValueError("--ray-address needs --engine ray")
        return SerialEngine() if workers <= 1 else LocalPoolEngine(workers, preload)
    if name == "ray":
        return RayEngine(address=address, num_cpus=None if address else workers, num_gpus_per_task=gpus_per_task)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
