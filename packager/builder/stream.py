"""Items in build order, in download groups, run over an engine.

``run`` yields results in build order (collection id, then item id) whatever the number of
workers, which is what makes shards byte-identical. URL items go to a worker in groups, which it
downloads on its threads while it decodes those already downloaded (``process_group``).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

from packager.builder.config import Settings
from packager.builder.engine_base import Engine
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.order import sorted_entries
from packager.builder.stages import NOT_FETCHED, Result, download, process_item
from packager.manifest.collection import Collection
from packager.manifest.rows import read_items
from packager.manifest.takedowns import load_takedowns_cached
from packager.media.budget import ItemBudget
from packager.media.fetch import FetchError
from packager.model import Item, Rejection
from packager.rights.review import ReviewDecision, load_reviews


def ordered_entries(collection: Collection) -> Iterator[Item | Rejection]:
    """Every manifest row of the collection, in build order (item id, then manifest position)."""
    return sorted_entries(read_items(collection))


Task = tuple[Collection, Item | Rejection, Settings, ReviewDecision | None]


def _process_task(task: Task) -> Result:
    return process_item(*task)


def _downloads(task: Task) -> bool:
    """Whether the task's item is a URL to download (so it can be downloaded alongside others)."""
    _, entry, settings, _ = task
    return isinstance(entry, Item) and entry.file is None and entry.url is not None and not settings.offline


def process_group(group: list[Task]) -> list[Result]:
    """Results for consecutive tasks, in order. The URLs among them are downloaded on this process's
    ``fetch_threads`` download threads, while the items already downloaded are decoded and checked here."""
    if len(group) == 1:
        return [_process_task(group[0])]
    pool = _download_pool(group[0][2].fetch_threads)
    budgets = [ItemBudget(settings.item_deadline) for _, _, settings, _ in group]
    pending = [
        pool.submit(_prefetch, task, budget) if _downloads(task) else None
        for task, budget in zip(group, budgets, strict=True)
    ]
    results: list[Result] = []
    for task, downloading, budget in zip(group, pending, budgets, strict=True):
        fetched = downloading.result() if downloading is not None else None
        results.append(process_item(*task, fetched=fetched, budget=budget))
    return results


def _prefetch(task: Task, budget: ItemBudget) -> bytes | BaseException:
    """The item's download, on a download thread; its budget counts from here (waiting for a thread does not)."""
    collection, item, settings, _ = task
    assert isinstance(item, Item) and item.url is not None
    takedowns = load_takedowns_cached(settings.takedowns) if settings.takedowns else None
    if takedowns and takedowns.match(collection.id, item.id):
        return FetchError(NOT_FETCHED, "removed on request: not downloaded")  # never read: the takedown decides
    try:
        with budget.running():
            return download(item.url, settings, budget)
    except Exception as exc:  # handed to process_item, which turns it into the item's rejection
        return exc


_POOL: tuple[int, int, ThreadPoolExecutor] | None = None  # (pid, threads, pool) of this process


def _download_pool(threads: int) -> ThreadPoolExecutor:
    """This process's download threads (made again in a forked child, or for another size)."""
    global _POOL
    if _POOL is None or _POOL[:2] != (os.getpid(), threads):
        _POOL = (os.getpid(), threads, ThreadPoolExecutor(threads, thread_name_prefix="pdpack-download"))
    return _POOL[2]


# A worker gets URL items in groups of this many per download thread: while it decodes the first
# ones, the threads download the rest, so they are rarely idle; only a group's first answers are waited for.
GROUP_PER_THREAD = 4


def grouped(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Consecutive URL tasks in groups of up to ``size`` (downloaded together); every other task alone."""
    group: list[Task] = []
    for task in tasks:
        if size > 1 and _downloads(task):
            group.append(task)
            if len(group) >= size:
                yield group
                group = []
            continue
        if group:
            yield group
            group = []
        yield [task]
    if group:
        yield group


def _tasks(collection: Collection, settings: Settings) -> Iterator[Task]:
    reviews = load_reviews(collection)
    for entry in ordered_entries(collection):
        yield collection, entry, settings, reviews.get(entry.id)


def all_tasks(collections: Iterable[Collection], settings: Settings, skip: int = 0) -> Iterator[Task]:
    """Every item of every collection in build order, less the first ``skip`` (done before a resume)."""
    stream = (task for collection in sorted(collections, key=lambda c: c.id) for task in _tasks(collection, settings))
    return islice(stream, skip, None)


def run(
    collections: Iterable[Collection],
    settings: Settings,
    workers: int = 1,
    window: int | None = None,
    skip: int = 0,
    engine: Engine | None = None,
) -> Iterator[tuple[Collection, Result]]:
    """Yield (collection, result) for every item, in build order, whatever the engine.

    Work goes out in bounded windows, however large the collection: a task is one item, or up to
    4 x ``settings.fetch_threads`` URL items that one worker downloads on its threads while it
    decodes them; a worker gets a batch of plain items or one such group at a time.
    """
    tasks = all_tasks(collections, settings, skip)
    owned = engine is None
    active = engine or make_engine("local", workers, preload=WORKER_MODULES)
    in_flight: deque[Collection] = deque()

    def feed() -> Iterator[Task]:
        for task in tasks:
            in_flight.append(task[0])
            yield task

    try:
        groups = grouped(feed(), settings.fetch_threads * GROUP_PER_THREAD)
        for results in active.map_ordered(process_group, groups, window or max(1, workers) * 16, weight=len):
            for result in results:
                yield in_flight.popleft(), result
    finally:
        if owned:
            active.close()
