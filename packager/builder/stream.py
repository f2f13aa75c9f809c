"""Items in build order, in download groups, run over an engine.

``run`` yields results in build order (collection id, then item id) whatever the number of
workers, which is what makes shards byte-identical. URL items go to a worker in groups, which it
downloads on its threads while it decodes those already downloaded (``process_group``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, as_completed
from itertools import islice

from packager.builder import prefetch
from packager.builder.config import Settings
from packager.builder.download_threads import download_threads
from packager.builder.engine_base import Engine
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.item_tasks import Task, downloads, taken_down, url_of
from packager.builder.order import sorted_entries
from packager.builder.stages import NOT_FETCHED, Result, download, process_item
from packager.manifest.collection import Collection
from packager.manifest.rows import read_items
from packager.media.budget import ItemBudget
from packager.media.fetch import FetchError
from packager.model import Item, Rejection
from packager.rights.review import load_reviews


def ordered_entries(collection: Collection) -> Iterator[Item | Rejection]:
    """Every manifest row of the collection, in build order (item id, then manifest position)."""
    return sorted_entries(read_items(collection))


def _process_task(task: Task) -> Result:
    return process_item(*task)


def process_group(group: list[Task]) -> list[Result]:
    """Results for consecutive tasks, in order. The URLs among them are downloaded on this process's
    ``fetch_threads`` download threads, and each item is decoded and checked here as soon as its body is
    there, whatever the order: a download that stalls holds one thread, and no item waits behind it.

    Within a task that shares a spool (``prefetch``), bodies that a worker fetched ahead are taken from there.
    """
    spool = prefetch.active()
    if len(group) == 1 and (spool is None or not downloads(group[0])):
        return [_process_task(group[0])]
    threads = download_threads(group[0][2].fetch_threads)
    budgets = [ItemBudget(settings.item_deadline) for _, _, settings, _ in group]
    results: list[Result | None] = [None] * len(group)
    pending: dict[Future[bytes | BaseException], int] = {}
    for index, (task, budget) in enumerate(zip(group, budgets, strict=True)):
        if downloads(task):
            pending[threads.submit(_download, task, budget, spool)] = index
        else:
            results[index] = process_item(*task, budget=budget)
    if spool is not None:
        prefetch.fetch_later()
    for done in as_completed(pending):
        index = pending[done]
        results[index] = process_item(*group[index], fetched=done.result(), budget=budgets[index])
    done_results = [result for result in results if result is not None]
    assert len(done_results) == len(group), "every task of the group has its result"
    return done_results


def _download(task: Task, budget: ItemBudget, spool: str | None) -> bytes | BaseException:
    """The item's download, on a download thread; its budget counts from here (waiting for a thread does not)."""
    if taken_down(task):
        return FetchError(NOT_FETCHED, "removed on request: not downloaded")  # never read: the takedown decides
    try:
        with budget.running():
            if spool is not None:
                return prefetch.take(spool, task, budget)
            return download(url_of(task), task[2], budget)
    except Exception as exc:  # handed to process_item, which turns it into the item's rejection
        return exc


# A worker gets URL items in groups of this many per download thread: while it decodes the first
# ones, the threads download the rest, so they are rarely idle; only a group's first answers are waited for.
GROUP_PER_THREAD = 4


def grouped(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Consecutive URL tasks in groups of up to ``size`` (downloaded together); every other task alone."""
    group: list[Task] = []
    for task in tasks:
        if size > 1 and downloads(task):
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
