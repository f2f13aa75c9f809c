"""Downloads started ahead of the items being processed, shared by a build's workers through a spool folder.

A worker downloads a task's URL items when it starts the task. Alone, that would start the last
downloads of a build only as its last tasks start, so a server that stalls there would hold the
build for its whole deadline after everything else is done. So each task of a multi-worker build
carries the URL items of the task ``distance`` places after it in build order (``Ahead``), and its
worker downloads those too, after its own (``download_threads``), into the build's spool folder.
The worker that processes an item later takes its outcome from there.

Each item is downloaded once, by whoever gets to it first, under an exclusive ``flock`` on the
item's file in the spool, which then holds the outcome:

- fetching ahead, a worker skips an item whose file another holds, whose outcome is already
  stored, or whose task has started (it said so with a marker file): that task downloads what
  it finds missing itself;
- processing, a worker waits for the lock (a download in progress elsewhere), then takes the
  stored outcome, body or failure, and deletes the file; with none stored, it downloads the item.

A stored outcome is what ``fetch`` gave, so the item ends as it would have without fetching
ahead: the same bytes, the same reason and message. The seconds that download took count
against the item's budget (``--item-deadline``); waiting for the lock does not, as waiting for a
host slot does not. A failure other than a ``FetchError`` is not stored: the item's own worker
tries again. Bodies wait on disk, not in memory: a task is fetched when the one ``distance``
before it starts, and at most ``window`` tasks are in flight, so those of at most
``distance + window`` tasks, each item's at most ``--max-download-bytes``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from packager.builder.download_threads import download_threads
from packager.builder.item_tasks import Task, downloads, taken_down, url_of
from packager.builder.stages import download
from packager.media.budget import ItemBudget
from packager.media.fetch import FetchError

T = TypeVar("T")
SPOOL = "prefetch"  # under the build's state folder
# How many tasks ahead a worker fetches, per worker: twice the tasks a build keeps in flight (4 per worker),
# so that a download that stalls starts that many tasks' worth of work before the build would reach it.
TASKS_AHEAD_PER_WORKER = 8
STARTED = "started"  # the spool's folder of markers, one for each task that has started


@dataclass(frozen=True)
class Ahead:
    """A task with the URL items its worker fetches ahead: those of the task ``later`` names."""

    task: object  # a Job or a Chunk (packager.builder.partition_flow runs it)
    spool: str
    marker: str  # this task's name in the spool
    later: str | None = None  # the later task's marker
    items: tuple[Task, ...] = ()  # the later task's URL items


def ahead_of(tasks: Iterable[tuple[T, list[Task] | None]], distance: int, spool: Path) -> Iterator[T | Ahead]:
    """Each task with the URL items of the task ``distance`` places after it (None: none to fetch ahead).

    The first ``distance`` tasks are nobody's to fetch: they start first. The last ones have no task that
    far after them, so as the tasks run out, the first half of those left fetch the second half's: a build
    of fewer tasks than ``distance`` fetches ahead too.
    """
    waiting: deque[tuple[int, T, list[Task] | None]] = deque()

    def ahead(number: int, task: T, own: list[Task] | None, later: tuple[int, object, object] | None) -> T | Ahead:
        if later is None or not isinstance(later[2], list):
            # Nothing to fetch ahead; a task whose own items may have been fetched still takes them from the spool.
            return task if own is None else Ahead(task, str(spool), str(number))
        return Ahead(task, str(spool), str(number), str(later[0]), tuple(later[2]))

    for number, (task, items) in enumerate(tasks):
        waiting.append((number, task, items))
        if len(waiting) > distance:
            first = waiting.popleft()
            yield ahead(*first, waiting[-1])
    half = -(-len(waiting) // 2)
    left = list(waiting)
    for index, entry in enumerate(left):
        yield ahead(*entry, left[index + half] if index + half < len(left) else None)


_ACTIVE: str | None = None  # the spool of the task this process runs now
_LATER: list[tuple[Path, str, Task]] = []  # the later task's items, until this task's own are queued


def active() -> str | None:
    """The spool the task now running here shares, if any (``process_group`` takes its items from there)."""
    return _ACTIVE


@contextlib.contextmanager
def running(ahead: Ahead) -> Iterator[None]:
    """Run ``ahead.task`` inside: its marker made, its spool active, the later task's items to fetch."""
    global _ACTIVE
    spool = Path(ahead.spool)
    with contextlib.suppress(OSError):  # no spool (the build is over): the task downloads its own items
        (spool / STARTED / ahead.marker).touch()
    if ahead.later is not None:
        _LATER[:] = [(spool, ahead.later, task) for task in ahead.items]
    _ACTIVE = ahead.spool
    try:
        yield
    finally:
        _ACTIVE = None
        fetch_later()  # a task with no URL items of its own still fetches the later one's


def fetch_later() -> None:
    """Queue the later task's items for download: called once this task's own are queued, which go first."""
    later, _LATER[:] = list(_LATER), []
    for spool, marker, task in later:
        download_threads(task[2].fetch_threads).submit(_fetch_ahead, spool, marker, task)


def make_spool(folder: Path) -> None:
    """An empty spool at ``folder`` (what an interrupted build left there is of no use)."""
    remove_spool(folder)
    (folder / STARTED).mkdir(parents=True)


def remove_spool(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def take(spool: str, task: Task, budget: ItemBudget) -> bytes:
    """The item's body: the one a worker fetched ahead (waited for while it downloads), else downloaded here."""
    url, settings = url_of(task), task[2]
    path = _entry(Path(spool), task)
    with contextlib.ExitStack() as held:
        try:
            with budget.paused():  # waiting while another worker downloads this item costs the item nothing
                entry = held.enter_context(_locked(path, wait=True))
        except OSError:
            return download(url, settings, budget)  # no spool: the build is over
        assert entry is not None
        stored = _read(entry)
        path.unlink(missing_ok=True)
        if stored is None:
            return download(url, settings, budget)
    body, failure, seconds = stored
    budget.spend(seconds)
    if failure is not None:
        raise failure
    return body


def _fetch_ahead(spool: Path, later: str, task: Task) -> None:
    """Download a later task's item into the spool, unless someone did or does, or that task has started."""
    if not downloads(task) or taken_down(task):
        return
    url, settings = url_of(task), task[2]
    path = _entry(spool, task)
    try:
        with _locked(path, wait=False) as entry:
            if entry is None or entry.seek(0, os.SEEK_END) > 0:
                return  # being downloaded, or stored
            if (spool / STARTED / later).exists():
                path.unlink(missing_ok=True)  # its task has started, and downloads what it does not find here
                return
            budget = ItemBudget(settings.item_deadline)
            try:
                with budget.running():
                    body = download(url, settings, budget)
                failure: FetchError | None = None
            except FetchError as exc:
                body, failure = b"", exc
            except Exception:
                return  # not stored: the item's own worker tries again, and reports what it finds
            _write(entry, body, failure, budget.spent())
    except OSError:
        return  # the spool is gone (the build is over) or cannot be written: the item's worker downloads it


def _entry(spool: Path, task: Task) -> Path:
    """The item's file in the spool: its lock, and once it is downloaded, its outcome."""
    collection, item, _, _ = task
    text = f"{collection.id}\0{item.id}\0{url_of(task)}"
    return spool / hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@contextlib.contextmanager
def _locked(path: Path, wait: bool) -> Iterator[BinaryIO | None]:
    """The item's file, held under an exclusive lock inside; without ``wait``, None when another holds it.

    Whoever takes an outcome, or finds the item's task started, removes the file: one who opens it
    afterwards locks a new one and finds nothing stored and the task started, so nobody downloads twice.
    """
    handle: BinaryIO = path.open("a+b")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield handle
    finally:
        handle.close()  # closing the file releases its flock


def _write(entry: BinaryIO, body: bytes, failure: FetchError | None, seconds: float) -> None:
    """The outcome: a line of JSON (the seconds it took, the body's size or the failure), then the body.

    Written under the lock, so nobody reads it half-written; a worker that dies midway leaves fewer bytes
    than the line says, which ``_read`` takes for nothing stored. Not flushed to disk: a crash loses the
    spool, and a resume starts another.
    """
    meta: dict[str, object] = {"seconds": seconds, "size": len(body)}
    if failure is not None:
        meta |= {"reason": failure.reason, "message": str(failure)}
    entry.write(json.dumps(meta).encode("utf-8") + b"\n" + body)
    entry.flush()


def _read(entry: BinaryIO) -> tuple[bytes, FetchError | None, float] | None:
    """The stored outcome (body, failure, seconds); None when nothing (whole) is stored."""
    entry.seek(0)
    data = entry.read()
    line, _, body = data.partition(b"\n")
    try:
        meta = json.loads(line)
    except ValueError:
        return None
    if not isinstance(meta, dict) or meta.get("size") != len(body):
        return None
    failure = FetchError(str(meta["reason"]), str(meta["message"])) if "reason" in meta else None
    return body, failure, float(meta.get("seconds", 0.0))
