"""What every engine shares: the ``Engine`` protocol, batching, and the serial engine that runs in this process.

An engine maps a pure, picklable function over a stream of picklable items and yields the
results in input order, with at most ``window`` items in flight at once (so a build never holds
more than ``window`` images in memory, however large the collection). Because the order of the
results never depends on the engine, shards are byte-identical whichever engine built them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
        meanwhile: Callable[[T], R | None] | None = None,
    ) -> Iterator[R]:
        """``fn(item)`` for every item, in input order, with at most ``window`` items in flight.

        ``weight`` says how much work an item is (a group of URL items weighs its length): a batch
        sent to one worker closes once it weighs as much as a batch of plain items would hold.
        ``batch``: items per task (one for partitions, each a task's worth); the engine picks when None.
        ``meanwhile``: while the engine's workers are starting, an item may be done in this process
        instead: its result is ``meanwhile(item)``, which must equal ``fn(item)``, or None to leave the
        item to the workers (a batch goes to them whole if it declines any item of it, so ``meanwhile``
        must be safe to run again there). An engine whose workers are always there (or in this process)
        ignores it.
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


def batched(items: Iterable[T], size: int, weight: Callable[[T], int] | None = None) -> Iterator[list[T]]:
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


class Closing:
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


def call_batch(fn: Callable[[Any], Any], batch: list[Any]) -> list[Any]:
    """``fn`` over a batch of items: the body of one Ray task (one task per item costs more than most items)."""
    return [fn(item) for item in batch]


class SerialEngine(Closing):
    """Everything in this process, one item at a time."""

    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
        meanwhile: Callable[[T], R | None] | None = None,
    ) -> Iterator[R]:
        for item in items:
            yield fn(item)
