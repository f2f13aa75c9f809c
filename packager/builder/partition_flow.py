"""Every partition with its record, in build order: written or reused by the engine's workers.

Without caption models, each partition is one task on the engine, or several chunk tasks then an
assembly where that keeps every core busy (``packager.builder.chunks``). With them, the models are
loaded in the driver, so a partition is written there, its items processed by the engine's workers.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from packager.builder import prefetch
from packager.builder.checkpoint import state_dir
from packager.builder.chunks import (
    Assembly,
    Chunk,
    ChunkRecord,
    assemble,
    chunk_items,
    chunks,
    run_chunk,
    worth_chunking,
)
from packager.builder.config import Models, Settings
from packager.builder.destination import Destination
from packager.builder.engine_base import Engine
from packager.builder.item_tasks import Task, downloads
from packager.builder.partition_job import Job, reuse, reuse_at, run_job, write_partition
from packager.builder.partition_job import tasks as partition_tasks
from packager.builder.partitions import Partition, partitions
from packager.builder.records import PartitionRecord
from packager.builder.reuse import has_record, partition_key
from packager.builder.stages import Result
from packager.builder.stream import GROUP_PER_THREAD, grouped, ordered_entries, process_group
from packager.captions.select import caption_stage
from packager.manifest.collection import Collection
from packager.rights.review import load_reviews


def model_stage(
    results: Iterable[tuple[Collection, Result]], settings: Settings, models: Models
) -> Iterator[tuple[Collection, Result]]:
    """Captions written and scored by open_clip models, in batches, keeping the build order.

    Decoding is deterministic and independent of how images are batched, so a resumed build
    gives the same captions as an uninterrupted one.
    """
    return caption_stage(results, settings.captions, models.captioner, models.scorer, settings.min_alignment)


def all_partitions(collections: Sequence[Collection], settings: Settings) -> Iterator[Partition]:
    """Every partition of every collection, in build order (collection id, then item id)."""
    for collection in sorted(collections, key=lambda c: c.id):
        yield from partitions(
            collection, ordered_entries(collection), load_reviews(collection), settings.shard_max_count
        )


def partition_records(
    collections: Sequence[Collection],
    settings: Settings,
    models: Models,
    where: Destination,
    engine: Engine,
    workers: int,
) -> Iterator[tuple[Partition, PartitionRecord]]:
    """Every partition with its record, in build order; each written (or reused) by the engine's workers."""
    parts = all_partitions(collections, settings)
    if settings.uses_models:
        # The caption models are loaded in this process, so the partitions are written here, their items
        # processed by the engine's workers as they always were.
        for partition in parts:
            yield partition, model_partition(partition, settings, models, where, engine, workers)
        return
    # An incremental build too: a partition's check reads every file it holds (for its SHA-256), which the
    # engine's workers share; those whose inputs changed are written there as in any build.
    yield from _on_engine(parts, settings, where, engine, workers)


def _on_engine(
    parts: Iterable[Partition],
    settings: Settings,
    where: Destination,
    engine: Engine,
    workers: int,
) -> Iterator[tuple[Partition, PartitionRecord]]:
    """The partitions written (or reused) by the engine's workers, in build order.

    With more than one worker, a partition of several chunks that no earlier build holds is processed
    in chunks by any worker and then assembled by one (``packager.builder.chunks``), so that every core
    stays busy to the end whatever the partitions' sizes. Any other partition is one task (``run_job``),
    and so is every partition of a build to a URL, whose tasks may run on machines that share no folder.
    """
    out = str(where.out_dir.resolve())
    split = workers > 1 and where.target is None
    in_flight: deque[tuple[Partition, int]] = deque()  # the partitions sent, each with its number of tasks

    def tasks() -> Iterator[tuple[Job | Chunk, list[Task] | None]]:
        """Each task, with its URL items where a worker may fetch them ahead (a fresh partition's, a chunk's worth)."""
        for partition in parts:
            job = Job(
                partition,
                settings,
                out,
                where.sources,
                cwd=os.getcwd(),
                target=where.target,
                reuse_targets=where.url_sources,
            )
            pieces: list[Job | Chunk] = [job]
            fresh = not any(has_record(Path(source), partition) for source in where.sources)
            if split and fresh and worth_chunking(partition, settings):
                pieces = list(chunks(job))
            in_flight.append((partition, len(pieces)))
            for piece in pieces:
                # A partition an earlier build holds may be reused: its items are downloaded only if it is not.
                small = len(piece.partition.entries) <= chunk_items(partition, settings)
                items = [task for task in partition_tasks(piece.partition, settings) if downloads(task)]
                yield piece, items if fresh and small and items else None

    if split:
        # Downloads run ahead of the decoding (``prefetch``): a server that stalls holds one download from about
        # when the build comes within reach of it, not from when its item's turn comes.
        spool = state_dir(where.out_dir) / prefetch.SPOOL
        prefetch.make_spool(spool)
        distance = prefetch.TASKS_AHEAD_PER_WORKER * workers
        sent: Iterator[Job | Chunk | prefetch.Ahead] = prefetch.ahead_of(tasks(), distance, spool)
    else:
        sent = (task for task, _ in tasks())
    try:
        # While the workers start, this process checks the partitions an earlier build holds (reading their files
        # for the SHA-256) instead of waiting: most of an incremental build is done before they are up.
        done = iter(engine.map_ordered(run_task, sent, max(1, workers) * 4, batch=1, meanwhile=reused_here))
        finished: deque[Partition] = deque()

        def partition_results() -> Iterator[PartitionRecord | Assembly]:
            for first in done:
                partition, count = in_flight.popleft()
                finished.append(partition)
                if isinstance(first, PartitionRecord):
                    yield first
                    continue
                pieces = [first, *islice(done, count - 1)]
                records = [piece for piece in pieces if isinstance(piece, ChunkRecord)]
                assert len(records) == count, "a partition's tasks are all chunks or one job"
                yield Assembly(partition.collection.id, partition.name, settings, out, records)

        # Records already made pass through this second stage as they are, so that the engine keeps the order
        # (here, not on a worker, while the workers start: the first stage's checks go on meanwhile).
        for record in engine.map_ordered(finish, partition_results(), max(1, workers) * 2, batch=1, meanwhile=made):
            yield finished.popleft(), record
    finally:
        if split:
            prefetch.remove_spool(spool)


def run_task(task: Job | Chunk | prefetch.Ahead) -> PartitionRecord | ChunkRecord:
    if isinstance(task, prefetch.Ahead):
        inner = task.task
        assert isinstance(inner, Job | Chunk)
        with prefetch.running(task):
            return run_task(inner)
    return run_job(task) if isinstance(task, Job) else run_chunk(task)


def reused_here(task: Job | Chunk | prefetch.Ahead) -> PartitionRecord | None:
    """``run_task(task)`` when that reuses the partition from an earlier folder, decoding nothing; else None."""
    if not isinstance(task, Job) or task.target is not None:  # a task fetched ahead is of a fresh partition
        return None
    partition, sources = task.partition, task.sources
    if not any(has_record(Path(source), partition) for source in sources):
        return None
    key = partition_key(partition, task.settings)
    return reuse(partition, task.settings, key, Path(task.out), sources)


def finish(result: PartitionRecord | Assembly) -> PartitionRecord:
    return assemble(result) if isinstance(result, Assembly) else result


def made(result: PartitionRecord | Assembly) -> PartitionRecord | None:
    """``finish(result)`` when that is the record as it is; None for an assembly (written by a worker)."""
    return None if isinstance(result, Assembly) else result


def model_partition(
    partition: Partition,
    settings: Settings,
    models: Models,
    where: Destination,
    engine: Engine,
    workers: int,
) -> PartitionRecord:
    key = partition_key(partition, settings)
    reused = reuse_at(partition, settings, key, where.target, where.url_sources) if where.target else None
    reused = reused or reuse(partition, settings, key, where.out_dir, where.sources)
    if reused is not None:
        return reused
    groups = grouped(partition_tasks(partition, settings), settings.fetch_threads * GROUP_PER_THREAD)
    batches = engine.map_ordered(process_group, groups, max(1, workers) * 16, weight=len)
    results = (result for batch in batches for result in batch)
    staged = model_stage(((partition.collection, result) for result in results), settings, models)
    cid = partition.collection.id
    return write_partition(cid, partition.name, settings, where.out_dir, key, (result for _, result in staged))
