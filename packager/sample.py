"""Samples and shards on disk: what one shipped item looks like, the schema every sample follows, and a shard's record.

Every sample carries the same JSON fields (absent values are null) so that
readers that infer a schema from the first samples, such as Hugging Face
``datasets``, see one consistent shape across collections.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa

from packager.jsonutil import dumps_canonical

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_KEY_CHARS = 80

_EVIDENCE = pa.struct(
    [
        ("source", pa.string()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("status", pa.string()),
        ("finding", pa.string()),
    ]
)

# The JSON of every sample, field by field (order is the order written).
SAMPLE_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("id", pa.string()),
        ("collection", pa.string()),
        ("institution", pa.struct([("name", pa.string()), ("url", pa.string())])),
        ("title", pa.string()),
        ("creator", pa.string()),
        ("date", pa.string()),
        ("description", pa.string()),
        ("source_url", pa.string()),
        ("caption", pa.string()),
        ("caption_source", pa.string()),
        ("caption_alignment", pa.float64()),
        ("original_caption", pa.string()),
        ("credit_line", pa.string()),
        ("acquisition_credit", pa.string()),
        (
            "rights",
            pa.struct(
                [
                    ("statement", pa.string()),
                    ("status", pa.string()),
                    ("decided_by", pa.string()),
                    ("public_domain_in", pa.list_(pa.string())),
                    ("conflict", pa.bool_()),
                    ("overridden", pa.bool_()),
                    ("overrides", pa.list_(pa.struct([("overrules", pa.string()), ("finding", pa.string())]))),
                    ("evidence", pa.list_(_EVIDENCE)),
                ]
            ),
        ),
        ("sha256", pa.string()),
        ("width", pa.int64()),
        ("height", pa.int64()),
        ("original_width", pa.int64()),
        ("original_height", pa.int64()),
        ("phash", pa.string()),
        ("original_format", pa.string()),
        ("original_size", pa.int64()),
        ("converted", pa.bool_()),
        ("source", pa.string()),
        # Free-form manifest columns, as name/value pairs: a map whose keys differ per collection.
        ("extra", pa.list_(pa.struct([("name", pa.string()), ("value", pa.string())]))),
    ]
)

# One row per sample in the shard's parquet index.
INDEX_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("id", pa.string()),
        ("collection", pa.string()),
        ("institution", pa.string()),
        ("title", pa.string()),
        ("creator", pa.string()),
        ("caption", pa.string()),
        ("caption_source", pa.string()),
        ("caption_alignment", pa.float64()),
        ("rights_statement", pa.string()),
        ("rights_status", pa.string()),
        ("credit_line", pa.string()),
        ("source_url", pa.string()),
        ("sha256", pa.string()),
        ("phash", pa.string()),
        ("width", pa.int64()),
        ("height", pa.int64()),
        ("image_extension", pa.string()),
        ("image_bytes", pa.int64()),
    ]
)


def sample_key(collection_id: str, item_id: str) -> str:
    """A tar-safe key: no dots (WebDataset splits at the first one), no slashes, bounded length.

    When the item id had to be altered, a short hash of the original keeps keys unique.
    """
    safe = _KEY_UNSAFE.sub("_", item_id).strip("_")
    if safe != item_id or len(safe) > MAX_KEY_CHARS - len(collection_id) - 10:
        digest = hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8]
        safe = f"{safe[: MAX_KEY_CHARS - len(collection_id) - 10]}_{digest}".lstrip("_")
    return f"{collection_id}_{safe}"


@dataclass(frozen=True)
class Sample:
    """One item ready for a shard."""

    key: str
    extension: str
    image: bytes
    caption: str
    metadata: dict[str, Any]
    row: int | None = None  # the manifest row, for messages; not written to the shard

    @cached_property
    def members(self) -> dict[str, bytes]:
        """The tar members of this sample, by field name (webdataset writes them sorted)."""
        return {
            self.extension: self.image,
            "json": dumps_canonical(self.metadata),
            "txt": self.caption.encode("utf-8"),
        }

    def index_row(self) -> dict[str, Any]:
        meta = self.metadata
        return {
            "key": self.key,
            "id": meta["id"],
            "collection": meta["collection"],
            "institution": meta["institution"]["name"],
            "title": meta["title"],
            "creator": meta["creator"],
            "caption": self.caption,
            "caption_source": meta["caption_source"],
            "caption_alignment": meta["caption_alignment"],
            "rights_statement": meta["rights"]["statement"],
            "rights_status": meta["rights"]["status"],
            "credit_line": meta["credit_line"],
            "source_url": meta["source_url"],
            "sha256": meta["sha256"],
            "phash": meta["phash"],
            "width": meta["width"],
            "height": meta["height"],
            "image_extension": self.extension,
            "image_bytes": len(self.image),
        }


# --- shards: report.json's record of one, and the member names a shard may hold ---------------------


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


@dataclass(frozen=True)
class Shipped:
    """A sample written to a shard, as the driver sees it."""

    collection: str
    id: str
    key: str
    row: int | None
    sha256: str
    phash: str
    status: str  # the rights verdict it ships under
    caption_source: str
    image_bytes: int
    # {"review", "overrules"} when a steward shipped it over a finding; None otherwise.
    override: dict[str, Any] | None = None

    @staticmethod
    def of(sample: Sample) -> Shipped:
        meta = sample.metadata
        rights = meta["rights"]
        override = None
        if rights["overridden"]:
            review = next((e for e in rights["evidence"] if e["source"] == "review"), None)
            override = {"review": review["finding"] if review else "", "overrules": rights["overrides"]}
        return Shipped(
            collection=meta["collection"],
            id=meta["id"],
            key=sample.key,
            row=sample.row,
            sha256=meta["sha256"],
            phash=meta["phash"],
            status=rights["status"],
            caption_source=meta["caption_source"],
            image_bytes=len(sample.image),
            override=override,
        )


# Where a build puts its shards: one folder per collection, split into subfolders by the first characters
# of the partition's name (packager.builder.partitions: 16 hex characters), each shard named after its
# partition. The Hub refuses more than 10,000 files in one folder; a shard is two files (tar and index), so
# one flat folder would fill at 5,000 shards, 256 subfolders at about 1.2 million. The one place the
# layout is spelled, for builds, cards, Croissant and the Hub.
_FOLDER = "data/{collection}/{prefix}"
_STEM = "{folder}/{partition}-{number}"
PREFIX_CHARS = 2
SHARD_DIGITS = 3


def shard_folder(collection: str, partition: str) -> str:
    """The folder of a partition's shards and indexes, relative to the build: ``data/COLLECTION/PP``."""
    return _FOLDER.format(collection=collection, prefix=partition[:PREFIX_CHARS])


def shard_stem(collection: str, partition: str, number: int) -> str:
    """A partition's shard ``number``, without .tar or .parquet: ``data/COLLECTION/PP/PARTITION-NNN``."""
    folder = shard_folder(collection, partition)
    return _STEM.format(folder=folder, partition=partition, number=f"{number:0{SHARD_DIGITS}d}")


def _pattern(collection: str, prefix: str, partition: str, number: str) -> str:
    return _STEM.format(folder=_FOLDER.format(collection=collection, prefix=prefix), partition=partition, number=number)


SHARD_GLOB = _pattern("*", "*", "*", "*") + ".tar"
INDEX_GLOB = _pattern("*", "*", "*", "*") + ".parquet"
SHARD_NAME = _pattern("COLLECTION", "PP", "PARTITION", "NNN") + ".tar"
INDEX_NAME = _pattern("COLLECTION", "PP", "PARTITION", "NNN") + ".parquet"
