"""The filter pass: a partition checked against the deduplication index, its shards rewritten without repeats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from packager.builder.config import Settings
from packager.builder.dedup import Deduplicator
from packager.builder.partition_job import remove_samples, shard_names
from packager.builder.partitions import Partition
from packager.builder.records import Outcome, PartitionRecord
from packager.builder.target import Target
from packager.sample import Shipped


def deduplicated(dedup: Deduplicator, record: PartitionRecord, position: int) -> tuple[list[Outcome], set[str]]:
    """The record's outcomes, each sample that repeats an earlier one replaced by its rejection, and their keys.

    ``position`` is the build position of the record's first outcome: the earlier sample ships.
    """
    outcomes: list[Outcome] = []
    removed: set[str] = set()
    for number, outcome in enumerate(record.outcomes, start=position):
        if isinstance(outcome, Shipped):
            duplicate = dedup.check_signature(
                number, outcome.collection, outcome.id, outcome.row, outcome.sha256, outcome.phash
            )
            if duplicate is not None:
                removed.add(outcome.key)
                outcomes.append(duplicate)
                continue
        outcomes.append(outcome)
    return outcomes, removed


def filtered_record(
    partition: Partition,
    record: PartitionRecord,
    removed: set[str],
    out_dir: Path,
    settings: Settings,
    rebuild: Callable[[Partition], PartitionRecord],
    target: Target | None = None,
) -> PartitionRecord:
    """The record once its shards hold no sample that deduplication took out (the filter pass)."""
    if removed == set(record.removed):
        return record
    if not set(record.removed) <= removed:
        # A sample taken out before ships now (the copy it repeated is gone): write the partition again.
        record = rebuild(partition)
    extra = removed - set(record.removed)
    if extra and target is not None:
        # The filter pass rewrites the partition here: it needs the files its task uploaded.
        target.download([name for name in shard_names(record) if not (out_dir / name).is_file()], out_dir)
    return remove_samples(out_dir, settings, record, extra) if extra else record


def upload_written(target: Target, staging: Path, record: PartitionRecord) -> None:
    """Upload the record's shards written here (the model stage's, the filter pass's), and drop the copies."""
    written = [name for name in shard_names(record) if (staging / name).is_file()]
    target.upload(staging, written)
    for name in written:
        (staging / name).unlink()
