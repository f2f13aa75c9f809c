"""A partition's items in chunks that any worker processes; its shards then assembled by byte copy.

A partition holds up to 1,000 items and is written as a whole, so a build of a few partitions on
a few workers would leave cores idle while the last, largest ones finish. A build with more than
one worker therefore cuts each partition it writes afresh, when it is larger than one chunk, into
chunks (``chunk_items``). Any worker processes a chunk (``run_chunk``): it writes its samples' tar
members (``shards.add_sample``) to a chunk file under the build's state folder and hands back only
small records. Once every
chunk of a partition is back, one task writes the partition's shards from them (``assemble``). A
tar member's bytes do not depend on where in a tar it lies, and shard boundaries depend only on
the samples' sizes, so the copied bytes are those ``write_partition`` writes from the samples
themselves: the output is the same for any number of workers. Image bytes never pass through
the driver, and a partition is complete, as before, once its record is saved.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.builder.checkpoint import state_dir
from packager.builder.config import Settings
from packager.builder.partition_job import Job, Serialized, file_digests, processed, write_partition
from packager.builder.partitions import Partition
from packager.builder.records import Outcome, PartitionRecord
from packager.builder.reuse import item_keys, key_of
from packager.builder.shards import add_sample, sample_stream
from packager.builder.stream import GROUP_PER_THREAD
from packager.model import Item, Rejection
from packager.sample import Sample, Shipped

CHUNKS = "chunks"  # under the build's state folder
# Items per chunk of local files: small enough that the last chunks of a build end together on
# every worker (a chunk is about 0.2 s of one core for 1024px JPEGs), large enough that handing a
# chunk out costs little next to its work. A chunk of URL items is one download group instead.
LOCAL_CHUNK_ITEMS = 32


@dataclass(frozen=True)
class Chunk:
    """Chunk ``number`` of a partition: ``partition`` is the whole one's name with only this chunk's items."""

    partition: Partition
    number: int
    settings: Settings
    out: str
    cwd: str


@dataclass(frozen=True)
class Placed:
    """A sample whose tar members lie in a chunk file: ``length`` bytes there, counting ``size`` in a shard."""

    length: int
    size: int
    index_row: dict[str, Any]


@dataclass(frozen=True)
class ChunkRecord:
    """What a chunk hands back: every item's outcome in order, and where its samples' bytes lie."""

    path: str
    outcomes: list[Outcome]
    placed: list[Placed]  # one for each Shipped outcome, in order
    item_keys: list[str]


@dataclass(frozen=True)
class Assembly:
    """A partition whose chunks are all back: its shards are written from them."""

    collection: str
    name: str
    settings: Settings
    out: str
    chunks: list[ChunkRecord]


def chunk_items(partition: Partition, settings: Settings) -> int:
    if any(isinstance(entry, Item) and entry.file is None for entry in partition.entries):
        return max(1, settings.fetch_threads * GROUP_PER_THREAD)  # the download group a worker fetches at once
    return LOCAL_CHUNK_ITEMS


def worth_chunking(partition: Partition, settings: Settings) -> bool:
    """Whether the partition is more than one chunk: one chunk is written better by one task, without a copy."""
    return len(partition.entries) > chunk_items(partition, settings)


def chunks(job: Job) -> list[Chunk]:
    """The partition of ``job`` in chunks, in order."""
    whole = job.partition
    size = chunk_items(whole, job.settings)
    pieces = []
    for number, start in enumerate(range(0, len(whole.entries), size)):
        end = start + size
        part = dataclasses.replace(whole, entries=whole.entries[start:end], reviews=whole.reviews[start:end])
        pieces.append(Chunk(part, number, job.settings, job.out, job.cwd))
    return pieces


def chunk_folder(out: Path) -> Path:
    return state_dir(out) / CHUNKS


def chunk_path(out: Path, collection_id: str, name: str, number: int) -> Path:
    return chunk_folder(out) / collection_id / f"{name}-{number:05d}.tar"


def remove_chunks(out: Path) -> None:
    """Chunk files a build that was stopped left behind: its partitions without a record are built again."""
    shutil.rmtree(chunk_folder(out), ignore_errors=True)


def run_chunk(chunk: Chunk) -> ChunkRecord:
    """Process the chunk's items, writing its samples' tar members to its chunk file."""
    if chunk.cwd and os.getcwd() != chunk.cwd:
        os.chdir(chunk.cwd)  # relative collection folders are found from the driver's folder
    partition = chunk.partition
    path = chunk_path(Path(chunk.out), partition.collection.id, partition.name, chunk.number)
    path.parent.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    placed: list[Placed] = []
    with path.open("wb") as handle:
        tar = sample_stream(handle)  # never closed: the members are copied, the end of a tar is the shard's
        for result in processed(partition, chunk.settings):
            if isinstance(result, Sample):
                start = tar.offset
                size = add_sample(tar, result.key, result.members)
                placed.append(Placed(tar.offset - start, size, result.index_row()))
                outcomes.append(Shipped.of(result))
            else:
                outcomes.append(result)
    return ChunkRecord(str(path), outcomes, placed, item_keys(partition, chunk.settings, file_digests(outcomes)))


def assemble(assembly: Assembly) -> PartitionRecord:
    """Write the partition's shards and record from its chunks, then delete the chunk files."""
    keys = [key for chunk in assembly.chunks for key in chunk.item_keys]
    record = write_partition(
        assembly.collection,
        assembly.name,
        assembly.settings,
        Path(assembly.out),
        key_of(keys),
        _results(assembly.chunks),
        keys,
    )
    for chunk in assembly.chunks:
        Path(chunk.path).unlink(missing_ok=True)
    return record


def _results(records: list[ChunkRecord]) -> Iterator[Serialized | Rejection]:
    """Every item's result in order, a sample read back from its chunk file one at a time."""
    for record in records:
        placed = iter(record.placed)
        with open(record.path, "rb") as handle:
            for outcome in record.outcomes:
                if isinstance(outcome, Shipped):
                    where = next(placed)
                    yield Serialized(outcome, handle.read(where.length), where.size, where.index_row)
                else:
                    yield outcome
