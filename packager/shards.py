"""The one stateful part of a build: writing samples into deterministic WebDataset shards.

Shards are uncompressed tar files written through ``webdataset.TarWriter`` with
a fixed mtime, owner and mode, in the order samples are given. Each shard is
written under a temporary name and renamed once complete, beside a parquet
index with one row per sample.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from packager.sample import INDEX_SCHEMA, Sample

# Fixed tar metadata: the same samples must give the same bytes on any machine, any day.
TAR_MTIME = 0
TAR_USER = "pdpack"
DEFAULT_MAX_COUNT = 10_000
DEFAULT_MAX_SIZE = 1_000_000_000  # about 1 GB, the size the Hub and webdataset recommend
TAR_BLOCK = 512


def _webdataset() -> Any:
    """The webdataset package, imported without torch when torch is not loaded yet.

    Only ``TarWriter`` is used here, but the package imports torch at import time when it is
    installed (seconds of start-up on every build). webdataset falls back to stand-ins when torch
    is missing, so torch is hidden for the length of the import and is importable again after.
    """
    if "webdataset" in sys.modules or "torch" in sys.modules:
        import webdataset

        return webdataset
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import webdataset
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return webdataset


def discard_after(data_dir: Path, keep: int, prefix: str = "train") -> None:
    """Delete shards numbered ``keep`` and later, and any unfinished temporary file."""
    for path in sorted(data_dir.glob(f"{prefix}-*")):
        number = path.name[len(prefix) + 1 :].split(".", 1)[0]
        if path.name.endswith(".tmp") or (number.isdigit() and int(number) >= keep):
            path.unlink()


@dataclass(frozen=True)
class ShardInfo:
    name: str
    count: int
    bytes: int
    sha256: str
    index: str
    index_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "count": self.count,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "index": self.index,
            "index_sha256": self.index_sha256,
        }


_SAFE_MEMBER = re.compile(r"^[A-Za-z0-9_-]+\.[a-z0-9]+$")


def safe_member_name(name: str) -> bool:
    """A tar member name that cannot point anywhere: no folders, no '..', no absolute path, no control bytes."""
    return bool(_SAFE_MEMBER.match(name))


def member_size(sample: Sample) -> int:
    """Bytes the sample takes in a tar: a header block per member plus padded data."""
    return sum(TAR_BLOCK + -(-len(data) // TAR_BLOCK) * TAR_BLOCK for data in sample.members.values())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ShardWriter:
    """Write samples to ``<out>/data/<prefix>-NNNNNN.tar``, rolling over by count and size."""

    def __init__(
        self,
        out_dir: Path,
        max_count: int = DEFAULT_MAX_COUNT,
        max_size: int = DEFAULT_MAX_SIZE,
        prefix: str = "train",
        existing: list[ShardInfo] | None = None,
        on_finish: Callable[[ShardInfo], None] | None = None,
    ) -> None:
        if max_count < 1:
            raise ValueError("max_count must be at least 1")
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.data_dir = out_dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.max_count = max_count
        self.max_size = max_size
        self.prefix = prefix
        # Shards finished by an earlier, interrupted run of the same build: numbering continues after them.
        self.shards: list[ShardInfo] = list(existing or [])
        self.on_finish = on_finish
        self._handle: BinaryIO | None = None
        self._tar: Any = None
        self._rows: list[dict[str, Any]] = []
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
        return f"{self.prefix}-{len(self.shards):06d}"

    def write(self, sample: Sample) -> str:
        """Add a sample; returns the name of the shard it went into."""
        unsafe = [f"{sample.key}.{field}" for field in sample.members if not safe_member_name(f"{sample.key}.{field}")]
        if unsafe:
            raise ValueError(f"refusing to write tar members with unsafe names: {unsafe}")
        size = member_size(sample)
        if self._tar is not None and (len(self._rows) >= self.max_count or self._size + size > self.max_size):
            self._finish_shard()
        if self._tar is None:
            self._open_shard()
        assert self._tar is not None
        self._tar.write({"__key__": sample.key, **sample.members})
        self._rows.append(sample.index_row())
        self._size += size
        return self._current_name + ".tar"

    def close(self) -> list[ShardInfo]:
        if self._tar is not None:
            self._finish_shard()
        return self.shards

    def _open_shard(self) -> None:
        wds = _webdataset()
        self._handle = (self.data_dir / f"{self._current_name}.tar.tmp").open("wb")
        self._tar = wds.TarWriter(self._handle, encoder=False, mtime=TAR_MTIME, user=TAR_USER, group=TAR_USER)
        self._rows = []
        self._size = 0

    def _finish_shard(self) -> None:
        assert self._tar is not None and self._handle is not None
        self._tar.close()
        self._handle.close()
        name = self._current_name
        tmp_tar = self.data_dir / f"{name}.tar.tmp"
        tar_path = self.data_dir / f"{name}.tar"
        index_path = self.data_dir / f"{name}.parquet"
        tmp_index = self.data_dir / f"{name}.parquet.tmp"
        table = pa.Table.from_pylist(self._rows, schema=INDEX_SCHEMA)
        pq.write_table(table, tmp_index, compression="zstd")
        os.replace(tmp_index, index_path)
        os.replace(tmp_tar, tar_path)
        self.shards.append(
            ShardInfo(
                name=f"data/{tar_path.name}",
                count=len(self._rows),
                bytes=tar_path.stat().st_size,
                sha256=file_sha256(tar_path),
                index=f"data/{index_path.name}",
                index_sha256=file_sha256(index_path),
            )
        )
        self._tar = None
        self._handle = None
        if self.on_finish is not None:
            self.on_finish(self.shards[-1])

    def _abandon(self) -> None:
        if self._tar is not None and self._handle is not None:
            try:
                self._tar.close()
            except (OSError, ValueError):
                pass  # the build is failing already; the temporary file is removed below
            finally:
                self._handle.close()
            (self.data_dir / f"{self._current_name}.tar.tmp").unlink(missing_ok=True)
        self._tar = None
        self._handle = None
