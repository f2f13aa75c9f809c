"""Duplicates: the same file (sha256) or the same picture (perceptual hash) shipped twice.

The first occurrence in build order ships; later ones are held back naming it. The
index lives in SQLite beside the build, so memory stays flat however many images a
release holds. It is scratch: every build (a resumed one too) starts a new index and fills it
from the partitions' signatures, so nothing is flushed to disk for it (a commit that waited
for the disk cost a build 10 to 20 ms per partition).
Near duplicates are found with four 16-bit bands of the 64-bit pHash: two hashes
within Hamming distance 3 share at least one band exactly (pigeonhole), so
looking up the four bands finds every candidate.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from packager.model import Rejection
from packager.rights.evidence import INFO, Evidence
from packager.sample import Sample

MAX_BAND_DISTANCE = 3  # the largest distance the band index is guaranteed to find


def _bands(value: int) -> tuple[int, int, int, int]:
    return (value >> 48) & 0xFFFF, (value >> 32) & 0xFFFF, (value >> 16) & 0xFFFF, value & 0xFFFF


class Deduplicator:
    def __init__(self, path: Path, near_distance: int | None = MAX_BAND_DISTANCE) -> None:
        if near_distance is not None and not 0 <= near_distance <= MAX_BAND_DISTANCE:
            raise ValueError(f"near-duplicate distance must be between 0 and {MAX_BAND_DISTANCE}")
        self.near_distance = near_distance
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode = MEMORY")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS seen (position INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, phash INTEGER,"
            " b0 INTEGER, b1 INTEGER, b2 INTEGER, b3 INTEGER, collection TEXT NOT NULL, id TEXT NOT NULL)"
        )
        for column in ("sha256", "b0", "b1", "b2", "b3"):
            self.db.execute(f"CREATE INDEX IF NOT EXISTS seen_{column} ON seen ({column})")

    def check(self, position: int, sample: Sample) -> Rejection | None:
        """A Rejection if ``sample`` repeats an earlier one; otherwise remember it and return None."""
        meta = sample.metadata
        return self.check_signature(position, meta["collection"], meta["id"], sample.row, meta["sha256"], meta["phash"])

    def check_signature(
        self, position: int, collection: str, item_id: str, row: int | None, sha256: str, phash_hex: str
    ) -> Rejection | None:
        """The decide step over one sample's signature (its file and picture hashes), in build order."""
        first = self.db.execute(
            "SELECT collection, id FROM seen WHERE sha256 = ? ORDER BY position LIMIT 1", (sha256,)
        ).fetchone()
        if first:
            return _duplicate(collection, item_id, row, "duplicate:exact", "sha256", sha256, first, "the same file as")
        phash = int(phash_hex, 16)
        # SQLite integers are signed 64-bit: store the hash's two's-complement form.
        stored = phash - (1 << 64) if phash >= 1 << 63 else phash
        bands = _bands(phash)
        # A featureless picture (blank page, flat colour) hashes to almost all zeros or ones: every other
        # featureless picture would "match" it. Only exact copies count for those.
        featureless = not 4 < phash.bit_count() < 60
        if self.near_distance is not None and not featureless:
            rows = self.db.execute(
                "SELECT phash, collection, id FROM seen WHERE b0 = ? OR b1 = ? OR b2 = ? OR b3 = ? ORDER BY position",
                bands,
            )
            for other, first_collection, first_id in rows:
                if ((other & ((1 << 64) - 1)) ^ phash).bit_count() <= self.near_distance:
                    return _duplicate(
                        collection,
                        item_id,
                        row,
                        "duplicate:near",
                        "phash",
                        phash_hex,
                        (first_collection, first_id),
                        "a near copy of",
                    )
        self.db.execute(
            "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position, sha256, stored, *bands, collection, item_id),
        )
        return None

    def rollback(self, position: int) -> None:
        """Forget everything seen at or after ``position``: the build resumes from there."""
        self.db.execute("DELETE FROM seen WHERE position >= ?", (position,))
        self.db.commit()

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _duplicate(
    collection: str,
    item_id: str,
    row: int | None,
    reason: str,
    field: str,
    value: str,
    first: tuple[str, str],
    words: str,
) -> Rejection:
    message = f"{words} {first[0]}/{first[1]}, which ships"
    evidence = Evidence("dedup", field, value, INFO, message).to_json()
    return Rejection(collection, item_id, reason, message, row=row, evidence=[evidence])
