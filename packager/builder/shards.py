"""The one stateful part of a build: writing samples into deterministic WebDataset shards.

Shards are uncompressed tar files, byte for byte what ``webdataset.TarWriter`` writes
(``packager.builder.tarstream``, faster), with a fixed mtime, owner and mode, in the order
samples are given and each sample's members in name order. Each shard is
written under a temporary name and renamed once complete, beside a parquet
index with one row per sample. Both files are hashed as they are written and the
index is streamed in row groups, so a finished shard is never read back and the
memory held for an open shard stays bounded.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from packager.builder.tarstream import TarStream, Writable
from packager.sample import INDEX_SCHEMA, Sample, ShardInfo, safe_member_name

# Fixed tar metadata: the same samples must give the same bytes on any machine, any day.
TAR_MTIME = 0
TAR_USER = "pdpack"
DEFAULT_MAX_COUNT = 10_000
DEFAULT_MAX_SIZE = 1_000_000_000  # about 1 GB, the size the Hub and webdataset recommend
TAR_BLOCK = 512
# Index rows held in memory before they go to disk as one parquet row group. Fixed, so row group
# boundaries (and so the index bytes) depend only on the sequence of samples.
ROW_GROUP = 1000


def discard_after(data_dir: Path, keep: int, prefix: str = "train") -> None:
    """Delete shards numbered ``keep`` and later, and any unfinished temporary file."""
    for path in sorted(data_dir.glob(f"{prefix}-*")):
        number = path.name[len(prefix) + 1 :].split(".", 1)[0]
        if path.name.endswith(".tmp") or (number.isdigit() and int(number) >= keep):
            path.unlink()


def member_size(sample: Sample) -> int:
    """Bytes the sample takes in a tar: a header block per member plus padded data."""
    return members_size(sample.members)


def members_size(members: dict[str, bytes]) -> int:
    """What a sample counts toward ``max_size``: a header block per member plus padded data.

    The count a shard rolls over by, not the bytes written: a name too long for one header block
    takes a PAX header too. Every writer counts this way, so shard boundaries never depend on how
    a sample reached its writer.
    """
    return sum(TAR_BLOCK + -(-len(data) // TAR_BLOCK) * TAR_BLOCK for data in members.values())


def sample_stream(sink: Writable) -> TarStream:
    """A tar stream with the fixed owner and mtime every shard has."""
    return TarStream(sink, user=TAR_USER, group=TAR_USER, mtime=TAR_MTIME)


def add_sample(tar: TarStream, key: str, members: dict[str, bytes]) -> int:
    """Write a sample's members to ``tar`` in webdataset's order; return what it counts toward ``max_size``."""
    _check_names(key, members)
    for extension in sorted(members):  # webdataset's member order
        tar.add(f"{key}.{extension}", members[extension])
    return members_size(members)


def _check_names(key: str, members: dict[str, bytes]) -> None:
    unsafe = [f"{key}.{field}" for field in members if not safe_member_name(f"{key}.{field}")]
    if unsafe:
        raise ValueError(f"refusing to write tar members with unsafe names: {unsafe}")


class _HashingWriter:
    """A write-only file that hashes and counts every byte on its way to ``handle``.

    So a finished shard need not be read back to be hashed. tarfile's stream mode calls only
    ``write``; pyarrow's Python file adapter calls ``write`` and ``closed``, and never closes it.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> int:
        # Counted from the buffer, not from the return value: a buffered file either takes it all or raises.
        self._digest.update(data)
        self.bytes += memoryview(data).nbytes
        return self._handle.write(data)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


# Arrow's buffer layout for the index's column types: the array typecode of a value, or None for
# UTF-8 strings (32-bit offsets, then the bytes).
_TYPECODES: dict[pa.DataType, str | None] = {pa.string(): None, pa.int64(): "q", pa.float64(): "d"}


def index_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Index rows as a table of ``INDEX_SCHEMA``, equal to ``pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)``.

    Built from Arrow buffers, because pyarrow imports pandas the first time it converts a Python
    list (to ask whether the list is a pandas object): half a second of the build's start-up, on
    the process that must write the first shard.
    """
    return pa.Table.from_arrays(
        [_column([row[field.name] for row in rows], field.type) for field in INDEX_SCHEMA], schema=INDEX_SCHEMA
    )


def _column(values: list[Any], kind: pa.DataType) -> pa.Array:
    if kind not in _TYPECODES:
        raise TypeError(f"no buffer layout for index columns of type {kind}")
    nulls = sum(value is None for value in values)
    validity: bytes | None = None
    if nulls:
        bits = bytearray(-(-len(values) // 8))
        for position, value in enumerate(values):
            if value is not None:
                bits[position >> 3] |= 1 << (position & 7)
        validity = bytes(bits)
    typecode = _TYPECODES[kind]
    if typecode is None:
        encoded = [b"" if value is None else value.encode("utf-8") for value in values]
        offsets = array.array("i", itertools.accumulate(map(len, encoded), initial=0))  # OverflowError past 2 GiB
        buffers = [validity, offsets.tobytes(), b"".join(encoded)]
    else:
        buffers = [validity, array.array(typecode, [0 if value is None else value for value in values]).tobytes()]
    return pa.Array.from_buffers(
        kind, len(values), [None if b is None else pa.py_buffer(b) for b in buffers], null_count=nulls
    )


class ShardWriter:
    """Write samples to ``<out>/<folder>/<prefix>-NNNNNN.tar``, rolling over by count and size.

    A build writes each partition with its own writer: ``folder`` the partition's
    (``packager.sample.shard_folder``) and ``prefix`` its name (``packager.builder.partitions``).
    """

    def __init__(
        self,
        out_dir: Path,
        max_count: int = DEFAULT_MAX_COUNT,
        max_size: int = DEFAULT_MAX_SIZE,
        prefix: str = "train",
        existing: list[ShardInfo] | None = None,
        on_finish: Callable[[ShardInfo], None] | None = None,
        row_group_size: int = ROW_GROUP,
        folder: str = "data",
        digits: int = 6,
    ) -> None:
        if max_count < 1:
            raise ValueError("max_count must be at least 1")
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if row_group_size < 1:
            raise ValueError("row_group_size must be at least 1")
        self.folder = folder
        self.digits = digits
        self.data_dir = out_dir / folder
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.max_count = max_count
        self.max_size = max_size
        self.prefix = prefix
        # Shards finished by an earlier, interrupted run of the same build: numbering continues after them.
        self.shards: list[ShardInfo] = list(existing or [])
        self.on_finish = on_finish
        self.row_group_size = row_group_size
        self._handle: _HashingWriter | None = None
        self._tar: TarStream | None = None
        self._index_handle: _HashingWriter | None = None
        self._index: pq.ParquetWriter | None = None
        self._rows: list[dict[str, Any]] = []  # index rows not yet in a row group
        self._count = 0
        self._size = 0

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abandon()

    @property
    def _current_name(self) -> str:
        return f"{self.prefix}-{len(self.shards):0{self.digits}d}"

    def write(self, sample: Sample) -> str:
        """Add a sample; returns the name of the shard it went into."""
        _check_names(sample.key, sample.members)  # before the index row is made from what may be anything
        return self.write_members(sample.key, sample.members, sample.index_row())

    def write_members(self, key: str, members: dict[str, bytes], index_row: dict[str, Any]) -> str:
        """Add a sample by its members and index row (as read back from a shard, to filter one)."""
        _check_names(key, members)  # before a shard is opened for it
        size = add_sample(self._shard_for(members_size(members)), key, members)
        return self._added(size, index_row)

    def write_serialized(self, data: bytes, size: int, index_row: dict[str, Any]) -> str:
        """Add a sample whose tar members ``add_sample`` already wrote elsewhere (``data``), counting ``size``.

        A member's bytes do not depend on where in a tar it lies, so copying them gives the shard
        ``write_members`` would have written (``packager.builder.chunks``).
        """
        self._shard_for(size).add_serialized(data)
        return self._added(size, index_row)

    def _shard_for(self, size: int) -> TarStream:
        """The open shard a sample counting ``size`` goes into, rolling over first if it would not fit."""
        if self._tar is not None and (self._count >= self.max_count or self._size + size > self.max_size):
            self._finish_shard()
        if self._tar is None:
            self._open_shard()
        assert self._tar is not None
        return self._tar

    def _added(self, size: int, index_row: dict[str, Any]) -> str:
        self._rows.append(index_row)
        self._count += 1
        self._size += size
        if len(self._rows) >= self.row_group_size:
            self._flush_rows()
        return self._current_name + ".tar"

    def close(self) -> list[ShardInfo]:
        if self._tar is not None:
            self._finish_shard()
        return self.shards

    def _open_shard(self) -> None:
        name = self._current_name
        self._handle = _HashingWriter((self.data_dir / f"{name}.tar.tmp").open("wb"))
        self._tar = sample_stream(self._handle)
        self._rows = []
        self._count = 0
        self._size = 0
        self._index_handle = _HashingWriter((self.data_dir / f"{name}.parquet.tmp").open("wb"))
        self._index = pq.ParquetWriter(self._index_handle, INDEX_SCHEMA, compression="zstd")

    def _flush_rows(self) -> None:
        if not self._rows:
            return
        assert self._index is not None
        table = index_table(self._rows)
        # One call, one row group: the size is passed so pyarrow's own default can never split it.
        self._index.write_table(table, row_group_size=len(self._rows))
        self._rows = []

    def _finish_shard(self) -> None:
        assert self._tar is not None and self._handle is not None
        assert self._index is not None and self._index_handle is not None
        self._flush_rows()
        self._tar.close()
        self._handle.close()
        self._index.close()
        self._index_handle.close()  # pyarrow leaves a Python file it was given open
        name = self._current_name
        tar_path = self.data_dir / f"{name}.tar"
        index_path = self.data_dir / f"{name}.parquet"
        # The index first: a .tar under its final name means the whole shard is complete.
        os.replace(self.data_dir / f"{name}.parquet.tmp", index_path)
        os.replace(self.data_dir / f"{name}.tar.tmp", tar_path)
        self.shards.append(
            ShardInfo(
                name=f"{self.folder}/{tar_path.name}",
                count=self._count,
                bytes=self._handle.bytes,
                sha256=self._handle.hexdigest(),
                index=f"{self.folder}/{index_path.name}",
                index_sha256=self._index_handle.hexdigest(),
            )
        )
        self._tar = None
        self._handle = None
        self._index = None
        self._index_handle = None
        if self.on_finish is not None:
            self.on_finish(self.shards[-1])

    def _abandon(self) -> None:
        """Close and delete the open shard's temporary files, whatever state a failed write left them in."""
        # Each close may fail again (a full disk fails the final flush too); the files are deleted regardless.
        closers: list[Any] = [self._tar, self._handle, self._index, self._index_handle]
        for closer in closers:
            if closer is not None:
                with contextlib.suppress(OSError, ValueError, pa.ArrowException):
                    closer.close()
        if self._handle is not None or self._index_handle is not None:
            name = self._current_name
            (self.data_dir / f"{name}.tar.tmp").unlink(missing_ok=True)
            (self.data_dir / f"{name}.parquet.tmp").unlink(missing_ok=True)
        self._tar = None
        self._handle = None
        self._index = None
        self._index_handle = None
        self._rows = []
