"""One partition, one task: reuse it from an earlier build, or process its items and write its shards.

(A build with several workers processes a fresh partition larger than one chunk in chunks instead,
``packager.builder.chunks``, and writes its shards with ``write_partition`` as here.)

``run_job`` runs wherever the engine puts it (this process, a pool worker, a Ray node) and writes
the partition's shards and indexes straight to where the build goes: into the build folder, which
must then be reachable from there (a local folder, or a filesystem the cluster shares), or, when
the build goes to a URL, into a folder of its own that it then uploads (``packager.builder.target``).
It hands back only a
``PartitionRecord``. ``remove_samples`` is the filter pass of deduplication: it rewrites a
written partition without the samples that repeat an earlier one, copying tar members and index
rows as they are (nothing is decoded), so the bytes are those a build that never wrote them gives.
"""

from __future__ import annotations

import dataclasses
import os
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from packager.builder.config import Settings
from packager.builder.partitions import Partition
from packager.builder.records import Outcome, PartitionRecord
from packager.builder.reuse import (
    forget_record,
    has_record,
    item_keys,
    key_of,
    laid_out,
    load_record,
    load_record_at,
    partition_key,
    place,
    save_record,
    shards_here,
    still_shippable,
)
from packager.builder.shards import ShardWriter
from packager.builder.stages import Result
from packager.builder.stream import GROUP_PER_THREAD, Task, grouped, process_group
from packager.builder.target import Target
from packager.manifest.takedowns import load_takedowns_cached
from packager.sample import SHARD_DIGITS, Sample, ShardInfo, Shipped, shard_folder


@dataclass(frozen=True)
class Job:
    partition: Partition
    settings: Settings
    out: str  # the build folder
    sources: tuple[str, ...] = ()  # folders whose records may be reused: an earlier build, this one on resume
    # The driver's working folder: collection folders given as relative paths are found from there on any
    # node (a Ray worker starts elsewhere), and messages name them as the contributor gave them.
    cwd: str = ""
    target: Target | None = None  # where the shards go when the build goes to a URL (then ``out`` is unused)
    # Builds at URLs whose records may be reused (an earlier build there, or this one on resume): the shards
    # stay in the storage, copied within it where they are elsewhere.
    reuse_targets: tuple[Target, ...] = ()


def run_job(job: Job) -> PartitionRecord:
    """The partition's record, its shards in place in ``job.out``: reused when its key is unchanged."""
    if job.target is not None:
        return _run_for_target(job, job.target)
    if job.cwd and os.getcwd() != job.cwd:
        os.chdir(job.cwd)  # every task of a build gives the same folder, so a worker's tasks agree on it
    partition, settings, out = job.partition, job.settings, Path(job.out)
    if not any(has_record(Path(source), partition) for source in job.sources):
        return write_fresh(partition, settings, out, processed(partition, settings))  # nothing to reuse
    keys = item_keys(partition, settings)
    key = partition_key(partition, settings, keys)
    reused = reuse(partition, settings, key, out, job.sources)
    if reused is not None:
        return reused
    earlier = _earlier(partition, out, job.sources)
    results = processed(partition, settings) if earlier is None else _mixed(partition, settings, keys, *earlier)
    return write_partition(partition.collection.id, partition.name, settings, out, key, results, keys)


def _run_for_target(job: Job, target: Target) -> PartitionRecord:
    """The partition reused at its URL, or written into a folder of this task's own, then uploaded there."""
    if job.reuse_targets:
        if job.cwd and os.getcwd() != job.cwd:
            os.chdir(job.cwd)
        key = partition_key(job.partition, job.settings)
        reused = reuse_at(job.partition, job.settings, key, target, job.reuse_targets)
        if reused is not None:
            return reused
    with tempfile.TemporaryDirectory(prefix="pdpack-part-") as staging:
        record = run_job(dataclasses.replace(job, out=staging, target=None, reuse_targets=()))
        if not shards_here(record, Path(staging)):  # reused from a release whose tars stay on the Hub: not here
            record = run_job(dataclasses.replace(job, out=staging, sources=(), target=None, reuse_targets=()))
        target.upload(Path(staging), shard_names(record))
    return record


def reuse_at(
    partition: Partition, settings: Settings, key: str, target: Target, sources: Iterable[Target]
) -> PartitionRecord | None:
    """The partition's record from a build at a URL, its files copied to ``target`` where they are elsewhere.

    As for a folder, a shard is taken for the record's when it is there at the size the record gives, and a
    record is written only once its shards are complete (``packager.builder.run``).
    """
    for source in sources:
        record = load_record_at(source, partition.collection.id, partition.name)
        if record is None:
            continue  # none, or unreadable: the partition is built again
        if record.key != key or not laid_out(record) or not still_shippable(record, settings):
            continue
        names = shard_names(record)
        expected = {s.name: s.bytes for s in record.shards}
        found = source.sizes(names)
        if set(found) != set(names) or any(found[name] != size for name, size in expected.items()):
            continue
        if not source.same_place(target):
            target.copy_from(source, names)
        record = record.with_rows([entry.row for entry in partition.entries])
        record.reused = True
        return record
    return None


def shard_names(record: PartitionRecord) -> list[str]:
    """The files the record's shards are: each tar and its index, relative to the build."""
    return [name for shard in record.shards for name in (shard.name, shard.index)]


@dataclass(frozen=True)
class Copied:
    """A sample of an earlier build, unchanged: its tar members and index row, copied without decoding."""

    shipped: Shipped
    members: dict[str, bytes]
    index_row: dict[str, Any]


@dataclass(frozen=True)
class Serialized:
    """A sample whose tar members ``shards.add_sample`` wrote elsewhere (a chunk file): copied as they are."""

    shipped: Shipped
    data: bytes
    size: int  # what it counts toward a shard's size
    index_row: dict[str, Any]


def _earlier(partition: Partition, out: Path, sources: Iterable[str]) -> tuple[PartitionRecord, Path] | None:
    """The same partition in an earlier build (another folder: this one's files are rewritten), if any."""
    for source in sources:
        folder = Path(source)
        if folder.resolve() == out.resolve():
            continue
        record = load_record(folder, partition.collection.id, partition.name)
        # Samples are copied out of the earlier tars, so they must be here (not left where a release is).
        if record is not None and record.item_keys and shards_here(record, folder):
            return record, folder
    return None


def _mixed(
    partition: Partition, settings: Settings, keys: list[str], record: PartitionRecord, source: Path
) -> Iterator[Result | Copied]:
    """The partition's results: items whose key is unchanged copied from the earlier build, the others processed."""
    takedowns = load_takedowns_cached(settings.takedowns) if settings.takedowns else None
    known: dict[str, Outcome] = {}
    for item_key, outcome in zip(record.item_keys, record.outcomes, strict=True):
        if isinstance(outcome, Shipped) and (
            outcome.key in record.removed  # not in the earlier shards: deduplication took it out
            or (takedowns and takedowns.match(outcome.collection, outcome.id, outcome.sha256))
        ):
            continue
        known[item_key] = outcome
    changed = [i for i, item_key in enumerate(keys) if item_key not in known]
    selected = ((partition.collection, partition.entries[i], settings, partition.reviews[i]) for i in changed)
    processed_results = (
        r for group in grouped(selected, settings.fetch_threads * GROUP_PER_THREAD) for r in process_group(group)
    )
    stored = _samples(source, record)
    for entry, review, item_key in zip(partition.entries, partition.reviews, keys, strict=True):
        kept = known.get(item_key)
        if kept is None:
            yield next(processed_results)
        elif isinstance(kept, Shipped):
            found = next((sample for sample in stored if sample[0] == kept.key), None)
            if found is None:
                # Not where the record says (two rows alike, or an edited folder): processed, not trusted.
                stored = _samples(source, record)
                yield from process_group([(partition.collection, entry, settings, review)])
            else:
                yield Copied(dataclasses.replace(kept, row=entry.row), found[1], found[2])
        else:
            yield dataclasses.replace(kept, row=entry.row)


def processed(partition: Partition, settings: Settings) -> Iterator[Result]:
    """The partition's results in order, URL items downloaded a group at a time on this process's threads."""
    for group in grouped(tasks(partition, settings), settings.fetch_threads * GROUP_PER_THREAD):
        yield from process_group(group)


def tasks(partition: Partition, settings: Settings) -> Iterator[Task]:
    for entry, review in zip(partition.entries, partition.reviews, strict=True):
        yield partition.collection, entry, settings, review


def reuse(
    partition: Partition, settings: Settings, key: str, out: Path, sources: Iterable[str]
) -> PartitionRecord | None:
    rows = [entry.row for entry in partition.entries]
    for source in sources:
        record = load_record(Path(source), partition.collection.id, partition.name)
        if record is None or record.key != key or not laid_out(record) or not still_shippable(record, settings):
            continue
        if place(record, Path(source), out):
            record = record.with_rows(rows)
            save_record(out, record, durable=False)
            record.reused = True
            return record
    return None


def _remove_files(out: Path, collection_id: str, name: str) -> None:
    """Whatever an interrupted or earlier run left of this partition's shards."""
    folder = out / shard_folder(collection_id, name)
    if folder.is_dir():
        for path in folder.glob(f"{name}-*"):
            path.unlink()


def write_partition(
    cid: str,
    name: str,
    settings: Settings,
    out: Path,
    key: str,
    results: Iterable[Result | Copied | Serialized],
    keys: list[str] | None = None,
) -> PartitionRecord:
    """Write partition ``name`` of collection ``cid`` to its shards; its record is saved last, once every
    shard is complete."""
    shards, outcomes = write_shards(cid, name, settings, out, results)
    record = PartitionRecord(cid, name, key, shards, outcomes, item_keys=list(keys or []))
    save_record(out, record)
    return record


def write_fresh(partition: Partition, settings: Settings, out: Path, results: Iterable[Result]) -> PartitionRecord:
    """Write a partition processed afresh, keyed afterwards: each sample carries its file's SHA-256, which
    the key needs, so only the files of items held back are read again for it."""
    cid = partition.collection.id
    shards, outcomes = write_shards(cid, partition.name, settings, out, results)
    keys = item_keys(partition, settings, file_digests(outcomes))
    record = PartitionRecord(cid, partition.name, key_of(keys), shards, outcomes, item_keys=keys)
    save_record(out, record)
    return record


def file_digests(outcomes: Iterable[Outcome]) -> list[str | None]:
    """Each item's file SHA-256 where its outcome carries it (a shipped sample's), for ``item_keys``."""
    return [outcome.sha256 if isinstance(outcome, Shipped) else None for outcome in outcomes]


def write_shards(
    cid: str, name: str, settings: Settings, out: Path, results: Iterable[Result | Copied | Serialized]
) -> tuple[list[ShardInfo], list[Outcome]]:
    """The partition's shards, written (its record forgotten first), and every item's outcome in order."""
    forget_record(out, cid, name)
    _remove_files(out, cid, name)
    outcomes: list[Outcome] = []
    with _writer(out, settings, cid, name) as writer:
        for result in results:
            if isinstance(result, Sample):
                writer.write(result)
                outcomes.append(Shipped.of(result))
            elif isinstance(result, Copied):
                writer.write_members(result.shipped.key, result.members, result.index_row)
                outcomes.append(result.shipped)
            elif isinstance(result, Serialized):
                writer.write_serialized(result.data, result.size, result.index_row)
                outcomes.append(result.shipped)
            else:
                outcomes.append(result)
        shards = writer.close()
    return list(shards), outcomes


def _writer(out: Path, settings: Settings, collection_id: str, name: str) -> ShardWriter:
    return ShardWriter(
        out,
        settings.shard_max_count,
        settings.shard_max_size,
        prefix=name,
        folder=shard_folder(collection_id, name),
        digits=SHARD_DIGITS,
    )


def _samples(out: Path, record: PartitionRecord) -> Iterator[tuple[str, dict[str, bytes], dict[str, Any]]]:
    """(key, members, index row) of every sample in the record's shards, in order."""
    for shard in record.shards:
        rows = iter(row for batch in pq.ParquetFile(out / shard.index).iter_batches() for row in batch.to_pylist())
        with tarfile.open(out / shard.name, "r|") as tar:
            key: str | None = None
            members: dict[str, bytes] = {}
            for member in tar:
                stem, extension = member.name.split(".", 1)
                if key is not None and stem != key:
                    yield key, members, next(rows)
                    members = {}
                key = stem
                handle = tar.extractfile(member)
                members[extension] = handle.read() if handle is not None else b""
            if key is not None:
                yield key, members, next(rows)


def remove_samples(out: Path, settings: Settings, record: PartitionRecord, keys: set[str]) -> PartitionRecord:
    """The partition rewritten without the samples ``keys`` names (a subset of what its shards hold now)."""
    # Without its record, a rewrite cut short by a crash is found incomplete and the partition is built again.
    forget_record(out, record.collection, record.name)
    with _writer(out, settings, record.collection, record.name) as writer:
        for key, members, row in _samples(out, record):
            if key not in keys:
                writer.write_members(key, members, row)
        shards = writer.close()
    # A shard finishes only after every sample it could hold was read, so no file is replaced before it is read.
    kept = {Path(s.name).name for s in shards} | {Path(s.index).name for s in shards}
    for path in (out / shard_folder(record.collection, record.name)).glob(f"{record.name}-*"):
        if path.name not in kept:
            path.unlink()
    updated = dataclasses.replace(record, shards=list(shards), removed=sorted(set(record.removed) | keys))
    save_record(out, updated)
    return updated
