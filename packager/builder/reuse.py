"""Reusing a partition an earlier build wrote: its key, its record, and placing its files.

A partition's key hashes everything its shards and its report lines depend on: the pdpack
version, the settings (less the as-of date), the collection's metadata, and for every item its
manifest row (less the row number, which moves when lines are added above it), the SHA-256 of
its local file (a URL item by its address), its review, the takedown of its id, and its rights
outcome as of this build's date from the manifest. So a new as-of date changes only the
partitions holding a work whose outcome it changes (works entering the public domain on
1 January), and nothing is decoded to tell. A partition whose key is unchanged is placed into
the new build by hard link (or copy) of its shards and indexes, with the record kept beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.builder.checkpoint import STATE_DIR
from packager.builder.config import Settings
from packager.builder.partitions import Partition
from packager.builder.records import PartitionRecord
from packager.builder.remote import load_remote_cached
from packager.builder.target import Target
from packager.digest import file_sha256
from packager.manifest.takedowns import load_takedowns_cached
from packager.model import Item
from packager.rights.verify import verify
from packager.safepath import resolve_inside
from packager.sample import Shipped, shard_stem
from packager.version import __version__

RECORDS = "partitions"
# The part of a build's state that is published with it, so that the next release can reuse its partitions.
PUBLISHED_RECORDS = f"{STATE_DIR}/{RECORDS}/"
RECORD_SUFFIX = ".json.gz"
# How records were kept before they were compressed: a release published then is still reused.
LEGACY_SUFFIX = ".json"
# Every record file under PUBLISHED_RECORDS (``glob`` patterns): ``*.json`` does not match ``*.json.gz``.
RECORD_GLOBS = (f"*/*{RECORD_SUFFIX}", f"*/*{LEGACY_SUFFIX}")
# Settings that do not decide a partition's bytes as a whole: the as-of date is taken item by item (each
# item's outcome on that date), takedowns item by item (its id, and the recorded images' hashes).
_PER_ITEM = ("as_of", "takedowns")
_PLAIN = frozenset({str, int, float, bool})


def record_path(out_dir: Path, collection_id: str, name: str) -> Path:
    return out_dir / record_name(collection_id, name)


def record_name(collection_id: str, name: str) -> str:
    """Where a partition's record lies, relative to the build (a folder or a URL)."""
    return f"{PUBLISHED_RECORDS}{collection_id}/{name}{RECORD_SUFFIX}"


def record_names(collection_id: str, name: str) -> tuple[str, str]:
    """Where a partition's record may lie, in the order read: as written now, then as before."""
    return record_name(collection_id, name), f"{PUBLISHED_RECORDS}{collection_id}/{name}{LEGACY_SUFFIX}"


def record_files(records: Path) -> list[tuple[str, str, Path]]:
    """(collection, partition name, file) of every record file in a ``.pdpack/partitions/`` folder."""
    found = []
    for pattern in RECORD_GLOBS:
        suffix = pattern[3:]
        for path in records.glob(pattern):
            found.append((path.parent.name, path.name[: -len(suffix)], path))
    return sorted(found)


def load_record(out_dir: Path, collection_id: str, name: str) -> PartitionRecord | None:
    for relative in record_names(collection_id, name):
        try:
            data = (out_dir / relative).read_bytes()
        except OSError:
            continue
        try:
            return PartitionRecord.from_bytes(data)
        except (ValueError, KeyError, TypeError):
            return None  # unreadable (torn, or not a record): the partition is built again
    return None


def load_record_at(source: Target, collection_id: str, name: str) -> PartitionRecord | None:
    """The partition's record in a build at a URL (as written now, or as before); None when none is readable."""
    for relative in record_names(collection_id, name):
        data = source.read_bytes(relative)
        if data is None:
            continue
        try:
            return PartitionRecord.from_bytes(data)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
    return None


def has_record(out_dir: Path, partition: Partition) -> bool:
    """Whether ``out_dir`` holds a record of the partition (which may then be reused: it is read later)."""
    return any((out_dir / name).is_file() for name in record_names(partition.collection.id, partition.name))


def save_record(out_dir: Path, record: PartitionRecord, durable: bool = True) -> None:
    """Keep the record beside the build. ``durable=False`` for a reused partition's: its shards are the earlier
    build's files, so a record a power cut tore costs placing them again (``load_record`` reads no torn record)."""
    path = record_path(out_dir, record.collection, record.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, record.to_bytes(), durable=durable)
    # One record per partition: the one an earlier pdpack kept here (reused in place) is this one now.
    (out_dir / record_names(record.collection, record.name)[1]).unlink(missing_ok=True)


def forget_record(out_dir: Path, collection_id: str, name: str) -> None:
    for relative in record_names(collection_id, name):
        (out_dir / relative).unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def item_keys(partition: Partition, settings: Settings, digests: Sequence[str | None] | None = None) -> list[str]:
    """Each item's key: what its sample (or its rejection) depends on, apart from deduplication.

    ``digests``: each item's file SHA-256 where the caller has it already (a shipped sample carries its
    file's), else None; the file is read only where it is None.
    """
    collection = partition.collection
    recorded = {k: v for k, v in settings.recorded().items() if k not in _PER_ITEM}
    about = {f.name: getattr(collection, f.name) for f in dataclasses.fields(collection)}
    about.pop("root")
    about.pop("manifest")
    header = json.dumps(
        {"pdpack": __version__, "settings": _plain(recorded), "collection": _plain(about)},
        sort_keys=True,
        default=str,
    ).encode()
    takedowns = load_takedowns_cached(settings.takedowns) if settings.takedowns else None
    keys = []
    known = digests if digests is not None else [None] * len(partition.entries)
    for entry, review, digest in zip(partition.entries, partition.reviews, known, strict=True):
        facts = json.dumps(
            _entry_facts(partition, entry, review, settings, takedowns, digest), sort_keys=True, default=str
        )
        keys.append(hashlib.sha256(header + b"\n" + facts.encode()).hexdigest())
    return keys


def partition_key(partition: Partition, settings: Settings, keys: list[str] | None = None) -> str:
    """The partition's key: its items' keys, in order."""
    return key_of(keys if keys is not None else item_keys(partition, settings))


def key_of(keys: list[str]) -> str:
    """A partition's key from its items' keys, in order."""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def _fields(value: Any) -> Any:
    """What ``dataclasses.asdict`` gives, as JSON writes it, without its deep copies (a third of a reused item's check
    when its file is not counted)."""
    if value is None or type(value) in _PLAIN:  # most fields: asked first, as is_dataclass costs more
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _fields(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_fields(v) for v in value]
    if isinstance(value, dict):
        return {k: _fields(v) for k, v in value.items()}
    return value


def _entry_facts(
    partition: Partition, entry: Any, review: Any, settings: Settings, takedowns: Any, digest: str | None = None
) -> dict[str, Any]:
    if not isinstance(entry, Item):
        rejected = entry.to_json()
        rejected.pop("row", None)
        return {"rejected": rejected}
    row = _fields(entry)
    row.pop("row")
    facts: dict[str, Any] = {"item": row, "review": _fields(review) if review else None}
    if review is not None:
        facts["review"].pop("row", None)
    if entry.file is not None:
        facts["file"] = digest if digest is not None else _file_identity(partition, entry.file)
    if takedowns is not None:
        removed = takedowns.match(partition.collection.id, entry.id)
        facts["takedown"] = removed.message if removed else None
    try:
        verdict = verify(
            entry,
            partition.collection,
            settings.as_of_date,
            review=review,
            accept_leftover_risk=settings.accept_leftover_risk,
        )
        facts["rights"] = verdict.to_json()
    except Exception as exc:  # the build itself reports it; here it only has to be the same both times
        facts["rights"] = f"{type(exc).__name__}: {exc}"
    return facts


def _file_identity(partition: Partition, file: str) -> str:
    try:
        path = resolve_inside(partition.collection.root, file)
        if not path.is_file():  # a folder, a FIFO (reading one would wait forever), nothing
            return "not a regular file"
        return file_sha256(path)
    except Exception as exc:  # missing, unreadable or escaping: the same failure gives the same outcome
        return f"{type(exc).__name__}"


def laid_out(record: PartitionRecord) -> bool:
    """Whether the record's shards lie where this pdpack puts them (``packager.sample.shard_stem``).

    A build or release made before shards went into subfolders has them at ``data/COLLECTION/PARTITION-NNN``:
    such a partition is built again (from its tars without decoding, where they are here), so that every
    shard of a build is in its place and a push sends it there once.
    """
    for number, shard in enumerate(record.shards):
        stem = shard_stem(record.collection, record.name, number)
        if (shard.name, shard.index) != (f"{stem}.tar", f"{stem}.parquet"):
            return False
    return True


def still_shippable(record: PartitionRecord, settings: Settings) -> bool:
    """Whether no image the record ships is taken down by its hash in this build's takedowns file."""
    if not settings.takedowns:
        return True
    takedowns = load_takedowns_cached(settings.takedowns)
    return not any(isinstance(o, Shipped) and takedowns.match(o.collection, o.id, o.sha256) for o in record.outcomes)


def place(record: PartitionRecord, source: Path, out_dir: Path) -> bool:
    """Put the record's shard files into ``out_dir`` from ``source``; False when one is missing or wrong.

    A tar that ``source`` does not hold may stay where its release is (``packager.builder.remote``) when the
    copy there has the digest and size the record gives: it is not placed, and ``out_dir`` lists it all the same.
    """
    same = source.resolve() == out_dir.resolve()
    remote = load_remote_cached(source)
    for shard in record.shards:
        origin = source / shard.name
        try:
            here = origin.is_file() and origin.stat().st_size == shard.bytes
        except OSError:
            here = False
        if not here and (remote is None or not remote.holds(shard)):
            return False
        index = source / shard.index
        if not index.is_file():
            return False
        if not same:
            if here:
                _link_or_copy(origin, out_dir / shard.name)
            else:
                (out_dir / shard.name).unlink(missing_ok=True)  # a stale file of that name is not this shard
            _link_or_copy(index, out_dir / shard.index)
    return True


def shards_here(record: PartitionRecord, folder: Path) -> bool:
    """Whether every tar of the record is a file in ``folder`` (not left where an earlier release is)."""
    return all((folder / shard.name).is_file() for shard in record.shards)


def _link_or_copy(origin: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    try:
        os.link(origin, target)  # shards are never written in place, so sharing the inode is safe
    except OSError:
        shutil.copyfile(origin, target)
