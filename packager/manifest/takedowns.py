"""Takedowns: items that must leave every release, read from ``manifests/takedowns.csv``.

Columns: ``collection,id,sha256,date,reason``. A row names an item by its id within
a collection (``collection`` may be ``*`` for the same id in any collection), or an
image by the SHA-256 of its original file, or both. A SHA-256 matches the image in
every collection, whatever the row's ``collection`` says: the same file contributed
twice is taken down twice. ``date`` is the day the request was accepted
(YYYY-MM-DD); ``reason`` says why, in words that may be published.

The build asks ``Takedowns.match`` for every item; a match becomes a rejection
with reason code ``takedown`` that carries the row's date and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from packager.manifest.collection import ID_PATTERN, ManifestError
from packager.textsafe import printable_line, workflow_data, workflow_property

TAKEDOWNS_FILE = "takedowns.csv"
COLUMNS = ("collection", "id", "sha256", "date", "reason")
ANY_COLLECTION = "*"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_CELL_CHARS = 100_000


@dataclass(frozen=True)
class TakedownEntry:
    """One row of takedowns.csv."""

    collection: str  # a collection id, or "*" for any collection
    id: str | None
    sha256: str | None
    date: str
    reason: str
    row: int

    @property
    def message(self) -> str:
        """What a rejection says: the date and the reason, and the row to look at."""
        return f"taken down on {self.date}: {self.reason} ({TAKEDOWNS_FILE} row {self.row})"


@dataclass(frozen=True)
class Takedowns:
    """Every takedown of a release, indexed for matching."""

    path: Path | None = None
    entries: tuple[TakedownEntry, ...] = ()
    _by_id: dict[tuple[str, str], TakedownEntry] = field(default_factory=dict, repr=False, compare=False)
    _by_sha256: dict[str, TakedownEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The first row that names an item wins, so the date and reason shown are those of the first request.
        for entry in self.entries:
            if entry.id is not None:
                self._by_id.setdefault((entry.collection, entry.id), entry)
            if entry.sha256 is not None:
                self._by_sha256.setdefault(entry.sha256, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TakedownEntry]:
        return iter(self.entries)

    def match(self, collection_id: str, item_id: str, sha256: str | None = None) -> TakedownEntry | None:
        """The takedown that covers this item, or None.

        An id matches within its collection (or any collection for ``*``); a SHA-256
        matches the image in any collection. Pass ``sha256=None`` to check the id alone,
        before the image has been read.
        """
        found = [
            entry
            for entry in (
                self._by_id.get((collection_id, item_id)),
                self._by_id.get((ANY_COLLECTION, item_id)),
                self._by_sha256.get(sha256.strip().lower()) if sha256 else None,
            )
            if entry is not None
        ]
        return min(found, key=lambda e: e.row) if found else None


def load_takedowns(path: Path | str) -> Takedowns:
    """Read and check takedowns.csv; a missing file is an error (pass no path for no takedowns)."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(path, f"missing; create it with the header {','.join(COLUMNS)}")
    csv.field_size_limit(MAX_CELL_CHARS)
    entries: list[TakedownEntry] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ManifestError(path, f"is empty; the first row must be {','.join(COLUMNS)}", row=1)
            columns = [h.strip().lower() for h in header]
            for name in columns:
                if name not in COLUMNS:
                    raise ManifestError(
                        path, f"unknown column {name!r}; the columns are {','.join(COLUMNS)}", row=1, column=name
                    )
            for name in COLUMNS:
                if name not in columns:
                    raise ManifestError(path, "the header lacks this column", row=1, column=name)
            if len(set(columns)) != len(columns):
                repeated = next(c for c in columns if columns.count(c) > 1)
                raise ManifestError(path, "the header repeats this column", row=1, column=repeated)
            for row, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) > len(columns):
                    raise ManifestError(
                        path, f"has {len(values)} cells but the header names {len(columns)} columns", row=row
                    )
                record = {name: (value or "").strip() for name, value in zip(columns, values, strict=False)}
                entries.append(_entry(path, row, record))
    except UnicodeDecodeError as exc:
        raise ManifestError(path, "is not UTF-8; save it as 'CSV UTF-8'") from exc
    except csv.Error as exc:
        raise ManifestError(path, f"cannot be read as CSV: {exc}") from exc
    return Takedowns(path, tuple(entries))


def _entry(path: Path, row: int, record: dict[str, str]) -> TakedownEntry:
    collection = record.get("collection", "")
    if not collection:
        raise ManifestError(path, f"is empty; write a collection id, or {ANY_COLLECTION} for any", row, "collection")
    if collection != ANY_COLLECTION and not ID_PATTERN.match(collection):
        raise ManifestError(
            path, f"{collection!r} is not a collection id (or {ANY_COLLECTION} for any)", row, "collection"
        )
    item_id = record.get("id") or None
    sha256 = (record.get("sha256") or "").lower() or None
    if item_id is None and sha256 is None:
        raise ManifestError(path, "give the item's id, or the sha256 of its image, or both", row, "id")
    if sha256 is not None and not _SHA256.match(sha256):
        raise ManifestError(
            path, f"{sha256!r} is not a SHA-256: 64 hexadecimal characters, as in the sample's JSON", row, "sha256"
        )
    date = record.get("date", "")
    if not _valid_date(date):
        raise ManifestError(path, f"{date!r} is not a date like 2026-12-01", row, "date")
    reason = record.get("reason", "")
    if not reason:
        raise ManifestError(path, "is empty; say why the item is taken down", row, "reason")
    return TakedownEntry(collection, item_id, sha256, date, reason, row)


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int, size: int) -> Takedowns:
    return load_takedowns(path)


def load_takedowns_cached(path: Path | str) -> Takedowns:
    """``load_takedowns``, read once per process for as long as the file is unchanged (for per-item use)."""
    if not Path(path).is_file():
        return load_takedowns(path)  # raises the ManifestError that names the file
    stat = os.stat(path)
    return _cached(str(path), stat.st_mtime_ns, stat.st_size)


def main(argv: list[str] | None = None) -> int:
    """``python -m packager.manifest.takedowns FILE [--format github]``: check a takedowns file.

    Prints the number of takedowns, or the error; with ``--format github`` the error is a
    GitHub Actions annotation on the file and row. Exit status 1 on an error.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m packager.manifest.takedowns", description=main.__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--format", choices=("text", "github"), default="text")
    args = parser.parse_args(argv)
    try:
        takedowns = load_takedowns(args.file)
    except ManifestError as exc:
        if args.format == "github":
            line = f",line={exc.row}" if exc.row is not None else ""
            print(f"::error file={workflow_property(exc.file)}{line}::{workflow_data(str(exc))}")
        else:
            print(printable_line(f"Error: {exc}"), file=sys.stderr)
        return 1
    print(printable_line(f"{args.file}: {len(takedowns)} takedown(s)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
