"""What the next release reads of this one, as a release publishes it: a few packs per collection.

A build keeps one record per partition (``.pdpack/partitions/COLLECTION/PARTITION.json.gz``), which is what
resume and reuse read, and one parquet index per shard (``data/COLLECTION/PP/PARTITION-NNN.parquet``), which
readers of the dataset use and a release copies for every partition it reuses. The next month's release
needs both of every partition, fetched from the Hub on a fresh runner. One file each, a release of PD12M's
size (about 12,400 partitions) makes that about 25,000 files and 50,000 requests to the Hub's file resolver,
ten times a free account's limit per 5 minutes (``bench/previous_fetch.py``; docs/maintainers/scale.md).

So ``push`` also publishes them in packs: each an uncompressed tar (fixed owner, mode and mtime: the same
files, the same bytes) whose members are, for each partition in turn, its record file and its indexes, byte
for byte, under their own names (``PARTITION.json.gz``, ``PARTITION-NNN.parquet``). The indexes stay
published one file per shard as well, for the dataset's readers; the records are published only in packs.
A pack holds consecutive partitions of one collection (by name), cut where the names say, as partitions
are cut over ids: after a name whose hash is a multiple of ``GROUP.divisor`` once the pack holds
``GROUP.low`` partitions, and always at ``GROUP.high``. Adding, changing or removing a partition therefore
changes the pack that holds it (and at most the next one), so a push still sends only what changed: the
changed partitions' packs, a few megabytes each. Packs are named after their first partition:
``.pdpack/partitions/COLLECTION/FIRST.records.tar``.

``unpack`` turns the packs of a fetched release back into those files, which the build reads as it reads
any earlier build's. A member is copied, never trusted by its name alone: its name must be a record's or an
index's (no folder, no ``..``) and its size at most ``MAX_RECORD_BYTES``; an index is kept only when its
SHA-256 and size are those the Hub lists for that path; whether a record describes its partition is decided
where every record is checked, by its key (``packager.builder.reuse``), and its inflated size is bounded
where it is read (``PartitionRecord.from_bytes``). A member or pack that does not read costs building those
partitions again, or fetching those indexes one by one.
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from packager.atomic import write_atomic
from packager.builder.checkpoint import STATE_DIR
from packager.builder.partitions import Bounds, id_hash
from packager.builder.records import MAX_RECORD_BYTES
from packager.builder.remote import RemoteFile
from packager.builder.reuse import PUBLISHED_RECORDS, RECORD_SUFFIX, record_files
from packager.builder.shards import TAR_MTIME, TAR_USER
from packager.builder.tarstream import TarStream
from packager.model import PushError
from packager.sample import shard_folder

PACK_SUFFIX = ".records.tar"
PACK_GLOB = f"*/*{PACK_SUFFIX}"
# Where a folder keeps the packs ``push`` publishes (made from its records and indexes each time it is
# pushed), apart from the records themselves, which the build reads and prunes.
PACKS_DIR = f"{STATE_DIR}/packs/"
# About 48 partitions a pack (8 MB at 1,000 items a partition), at most 128: 12,400 partitions make about 260.
GROUP = Bounds(low=16, divisor=32, high=128)
_RECORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*\.json(\.gz)?")
_INDEX = re.compile(r"([0-9A-Za-z][0-9A-Za-z_-]*)-[0-9]+\.parquet")


def groups(names: list[str], limits: Bounds = GROUP) -> list[list[str]]:
    """Partition names (any order) in packs: sorted, cut where the names themselves say."""
    packs: list[list[str]] = []
    current: list[str] = []
    for name in sorted(names):
        current.append(name)
        if len(current) >= limits.high or (len(current) >= limits.low and id_hash(name) % limits.divisor == 0):
            packs.append(current)
            current = []
    if current:
        packs.append(current)
    return packs


def pack_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """A pack: the members in order, as a deterministic tar."""
    sink = io.BytesIO()
    stream = TarStream(sink, user=TAR_USER, group=TAR_USER, mode=0o444, mtime=TAR_MTIME)
    for name, data in members:
        stream.add(name, data)
    stream.close()
    return sink.getvalue()


def published_name(collection: str, first: str) -> str:
    """A pack's path in the repo (and in a fetched release, before it is unpacked)."""
    return f"{PUBLISHED_RECORDS}{collection}/{first}{PACK_SUFFIX}"


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and not path.parent.is_symlink()


def _records(dist: Path) -> dict[str, dict[str, Path]]:
    """collection -> partition -> its record file. Links are left out, as ``push`` leaves them out: nothing
    from outside the folder is published by accident."""
    records = dist / PUBLISHED_RECORDS
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    if not records.is_dir() or any(p.is_symlink() for p in (dist / STATE_DIR, records)):
        return found
    for collection, name, path in record_files(records):
        # One record a partition: as written now (.json.gz) rather than an earlier pdpack's .json.
        if _plain_file(path) and (name not in found[collection] or path.name.endswith(RECORD_SUFFIX)):
            found[collection][name] = path
    return found


def _indexes(dist: Path, collection: str) -> dict[str, list[Path]]:
    """partition -> its index files (``PARTITION-NNN.parquet`` in the partition's shard folder), in order."""
    found: dict[str, list[Path]] = defaultdict(list)
    data = (dist / shard_folder(collection, "00")).parent  # the collection's folder of shard subfolders
    if data.is_dir() and not data.is_symlink():
        for path in sorted(data.glob("*/*.parquet")):
            match = _INDEX.fullmatch(path.name)
            if match and path.parent == dist / shard_folder(collection, match.group(1)) and _plain_file(path):
                found[match.group(1)].append(path)
    return found


def write_packs(dist: Path) -> list[tuple[str, Path]]:
    """Make the packs of the folder's records and indexes in ``PACKS_DIR`` (dropping any others): (repo path, file)."""
    packs_dir = dist / PACKS_DIR
    written: list[tuple[str, Path]] = []
    for collection, records in sorted(_records(dist).items()):
        indexes = _indexes(dist, collection)
        _refuse_links(dist / STATE_DIR, packs_dir, packs_dir / collection)
        for names in groups(list(records)):
            members = []
            for name in names:
                members += [(p.name, p.read_bytes()) for p in (records[name], *indexes.get(name, []))]
            pack = pack_bytes(members)
            target = packs_dir / collection / f"{names[0]}{PACK_SUFFIX}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_file() or target.read_bytes() != pack:
                write_atomic(target, pack, durable=False)  # made again from the records at every push
            written.append((published_name(collection, names[0]), target))
    keep = {path for _, path in written}
    _refuse_links(dist / STATE_DIR, packs_dir)
    if packs_dir.is_dir():
        for stale in packs_dir.glob(PACK_GLOB):
            if stale not in keep:
                stale.unlink()
    return written


def _refuse_links(*folders: Path) -> None:
    """Packs are written (and stale ones deleted) only inside the folder: never through a symbolic link."""
    for folder in folders:
        if folder.is_symlink():
            raise PushError(f"{folder} is a symbolic link: push writes the record packs only inside the folder")


def unpack(dist: Path, listed: Mapping[str, RemoteFile]) -> int:
    """Turn the packs a fetched release holds under ``.pdpack/partitions/`` into its record and index files.

    ``listed``: the SHA-256 and size the Hub lists for each file of the release; an index is written only
    where it matches. A file already there is kept. Returns the number of files written.
    """
    records = dist / PUBLISHED_RECORDS
    count = 0
    for pack in sorted(records.glob(PACK_GLOB)) if records.is_dir() else []:
        count += _unpack_one(pack, dist, pack.parent.name, listed)
        pack.unlink()
    return count


def _unpack_one(pack: Path, dist: Path, collection: str, listed: Mapping[str, RemoteFile]) -> int:
    count = 0
    try:
        with tarfile.open(pack, mode="r:") as archive:
            for member in archive:
                target = _target(member, dist, collection)
                handle = archive.extractfile(member) if target is not None and not target.exists() else None
                if target is None or handle is None:
                    continue
                data = handle.read(MAX_RECORD_BYTES + 1)
                if len(data) != member.size:
                    continue
                if _INDEX.fullmatch(member.name):
                    found = RemoteFile(hashlib.sha256(data).hexdigest(), len(data))
                    if listed.get(target.relative_to(dist).as_posix()) != found:
                        continue  # not the index the Hub holds at that path
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, data, durable=False)
                count += 1
    except (tarfile.TarError, OSError, EOFError):
        pass  # torn or not a tar: what was read is kept, the rest is fetched or built again
    return count


def _target(member: tarfile.TarInfo, dist: Path, collection: str) -> Path | None:
    """Where a pack's member goes; None for anything pdpack does not pack."""
    if not member.isreg() or member.size > MAX_RECORD_BYTES:
        return None
    if _RECORD.fullmatch(member.name):
        return dist / PUBLISHED_RECORDS / collection / member.name
    index = _INDEX.fullmatch(member.name)
    if index:
        return dist / shard_folder(collection, index.group(1)) / member.name
    return None
