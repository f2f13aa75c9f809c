"""Build order without holding a collection in memory: an external sort through SQLite.

Items are written to a temporary SQLite file as they stream from the manifest and read
back sorted by (item id, manifest position), so a collection of millions of rows costs
disk, not memory.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from packager.model import Item, Rejection

Entry = Item | Rejection
_INSERT_BATCH = 1000


def sorted_entries(entries: Iterable[Entry]) -> Iterator[Entry]:
    """``entries`` in build order: by id, then by their position in the manifest."""
    with tempfile.TemporaryDirectory(prefix="pdpack-order-") as folder:
        db = sqlite3.connect(Path(folder) / "order.sqlite")
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("CREATE TABLE entries (id TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL)")
            batch: list[tuple[str, int, bytes]] = []
            for seq, entry in enumerate(entries):
                batch.append((entry.id, seq, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)))
                if len(batch) >= _INSERT_BATCH:
                    db.executemany("INSERT INTO entries VALUES (?, ?, ?)", batch)
                    batch.clear()
            db.executemany("INSERT INTO entries VALUES (?, ?, ?)", batch)
            # BINARY collation: the same order as Python's str comparison of UTF-8 text, on every machine.
            cursor = db.execute("SELECT body FROM entries ORDER BY id COLLATE BINARY, seq")
            for (body,) in cursor:
                yield pickle.loads(body)  # noqa: S301 - our own temporary file, written just above  # nosec B301
        finally:
            db.close()
