"""The small records a partition hands back to the driver: never an image, only what the report needs.

A worker writes a partition's shards itself and returns a ``PartitionRecord``: the shards it
wrote, and for every item in build order either a ``Shipped`` line (the signature the
deduplication stage decides on, and the tallies the report counts) or the item's Rejection.
The record is also kept beside the build (``.pdpack/partitions/``), so a later build can reuse
the partition without decoding anything.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from dataclasses import dataclass, field
from typing import Any

from packager.jsonutil import dumps_canonical
from packager.model import Rejection
from packager.sample import ShardInfo, Shipped

Outcome = Shipped | Rejection
# Records are published with every release (one per partition, about 12,400 at PD12M scale), so they are
# compact JSON, gzipped. A fixed level and no timestamp in the gzip header: the same record, the same bytes.
COMPRESSLEVEL = 9
# A partition holds at most 1,000 items, a few hundred bytes each as JSON: a record that inflates past this
# is not one pdpack wrote (a gzip bomb in a fetched release), and is refused before it fills the memory.
MAX_RECORD_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, Shipped):
        return {"shipped": dataclasses.asdict(outcome)}
    return {"rejected": dataclasses.asdict(outcome)}


def outcome_from_json(data: dict[str, Any]) -> Outcome:
    if "shipped" in data:
        return Shipped(**data["shipped"])
    return Rejection(**data["rejected"])


@dataclass
class PartitionRecord:
    collection: str
    name: str
    key: str  # what its output depends on (packager.builder.reuse)
    shards: list[ShardInfo]
    outcomes: list[Outcome]  # every item, in build order, before deduplication
    # Keys of the samples deduplication took out of the shards (after the partition was written).
    removed: list[str] = field(default_factory=list)
    # Each item's key (packager.builder.reuse.item_keys), so that a changed partition copies its unchanged samples.
    item_keys: list[str] = field(default_factory=list)
    reused: bool = False  # copied from an earlier build, not decoded (not recorded)

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "name": self.name,
            "key": self.key,
            "shards": [s.to_json() for s in self.shards],
            "outcomes": [outcome_json(o) for o in self.outcomes],
            "removed": self.removed,
            "item_keys": self.item_keys,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> PartitionRecord:
        return PartitionRecord(
            collection=data["collection"],
            name=data["name"],
            key=data["key"],
            shards=[ShardInfo(**s) for s in data["shards"]],
            outcomes=[outcome_from_json(o) for o in data["outcomes"]],
            removed=list(data.get("removed", [])),
            item_keys=list(data.get("item_keys", [])),
        )

    def to_bytes(self) -> bytes:
        """The record as it is kept: compact JSON, gzipped deterministically."""
        return gzip.compress(dumps_canonical(self.to_json()), compresslevel=COMPRESSLEVEL, mtime=0)

    @staticmethod
    def from_bytes(data: bytes) -> PartitionRecord:
        """A kept record: gzipped, or plain JSON as records were kept before (a release published then).

        Raises ValueError (or KeyError, TypeError) when it is not a record.
        """
        if data[:2] == _GZIP_MAGIC:
            try:
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
                    data = handle.read(MAX_RECORD_BYTES + 1)
            except (OSError, EOFError) as exc:  # torn or not gzip after all
                raise ValueError(f"not a readable gzip record: {exc}") from None
            if len(data) > MAX_RECORD_BYTES:
                raise ValueError(f"a partition record inflates past {MAX_RECORD_BYTES:,} bytes")
        return PartitionRecord.from_json(json.loads(data))

    def with_rows(self, rows: list[int | None]) -> PartitionRecord:
        """The record with each item's manifest row as it is now (rows move when lines are added above)."""
        outcomes = [dataclasses.replace(o, row=row) for o, row in zip(self.outcomes, rows, strict=True)]
        return dataclasses.replace(self, outcomes=outcomes)
