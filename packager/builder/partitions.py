"""Partitions that stay put: each collection's items, in build order, cut where their own ids say.

A partition is the unit a build writes, reuses and resumes: its shards are named after it
(``packager.sample.shard_stem``: ``data/<collection>/<first two characters>/<partition>-NNN.tar``), never
after a release-wide counter. Boundaries are
content-defined, as rsync and restic cut files into chunks: a cut falls after an id whose
stable hash is a multiple of a divisor, once the partition holds at least ``low`` entries,
and is forced at ``high``. Whether a cut falls after an id depends on that id and on the
distance to the previous cut only, so adding, changing or removing an item changes the
partition that holds it (and at most the next one, when a cut id itself goes), while every
partition before and after keeps its items and its name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packager.manifest.collection import Collection
from packager.model import Item, Rejection
from packager.rights.review import ReviewDecision

Entry = Item | Rejection

# The most items a partition holds: a partition is written by one task (from its chunks' files when
# several workers processed it, packager.builder.chunks), which holds the partition's small records
# (never its images) until it is written. Also capped by the shard size, so that a
# partition is usually one shard and an edit changes one shard file.
PARTITION_MAX_ITEMS = 1000


@dataclass(frozen=True)
class Bounds:
    low: int  # no natural cut before this many entries
    divisor: int  # a cut after an id whose hash is a multiple of this (mean gap after ``low``)
    high: int  # a cut forced at this many entries


def bounds(shard_max_count: int) -> Bounds:
    """Partition sizes for a shard size: at most one shard's worth of items, at least a quarter of that."""
    high = max(1, min(shard_max_count, PARTITION_MAX_ITEMS))
    return Bounds(low=max(1, high // 4), divisor=max(1, high // 2), high=high)


def id_hash(item_id: str) -> int:
    return int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest()[:8], "big")


def partition_name(collection_id: str, first_id: str, repeat: int) -> str:
    """A partition's name, from its first id (``repeat``: how many entries with that id came before)."""
    text = f"{collection_id}\0{first_id}\0{repeat}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cut(entries: Iterable[Entry], limits: Bounds) -> Iterator[tuple[list[Entry], int]]:
    """The entries (in build order) in partitions, each with its first id's repeat count."""
    current: list[Entry] = []
    first_repeat = 0
    previous_id: str | None = None
    repeat = 0
    for entry in entries:
        repeat = repeat + 1 if entry.id == previous_id else 0
        if current and _cut_before(current, entry, limits):
            yield current, first_repeat
            current = []
        if not current:
            first_repeat = repeat
        current.append(entry)
        previous_id = entry.id
    if current:
        yield current, first_repeat


def _cut_before(current: list[Entry], entry: Entry, limits: Bounds) -> bool:
    if len(current) >= limits.high:
        return True
    last = current[-1]
    # Rows with the same id stay together, so a partition's first id names it.
    return len(current) >= limits.low and last.id != entry.id and id_hash(last.id) % limits.divisor == 0


@dataclass(frozen=True)
class Partition:
    """One partition's work: its items in build order, with each item's review."""

    collection: Collection
    name: str
    entries: tuple[Entry, ...]
    reviews: tuple[ReviewDecision | None, ...]


def partitions(
    collection: Collection, entries: Iterable[Entry], reviews: dict[str, ReviewDecision], shard_max_count: int
) -> Iterator[Partition]:
    for part, repeat in cut(entries, bounds(shard_max_count)):
        yield Partition(
            collection,
            partition_name(collection.id, part[0].id, repeat),
            tuple(part),
            tuple(reviews.get(entry.id) for entry in part),
        )
