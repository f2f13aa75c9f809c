"""The progress line of a long command: items done, samples shipped, shards, time left."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from packager.builder.stages import Result
from packager.cli.echo import say
from packager.manifest.collection import Collection
from packager.manifest.rows import count_entries
from packager.model import ManifestError
from packager.sample import Sample, Shipped


class Progress:
    """Progress on stderr while items are processed: items, rate, ETA, samples and bytes shipped.

    On a terminal, a bar. Elsewhere (CI logs, pipes) a line every ``PDPACK_PROGRESS_SECONDS``
    seconds (default 30), so a long run shows it is alive without filling the log. The total
    is counted on a thread, so a long manifest does not delay the start.
    """

    def __init__(
        self, collections: Sequence[Collection] = (), desc: str = "building", shipped: str = "shipped"
    ) -> None:
        self.bar: Any = None
        self.collections = list(collections)
        self.counter: threading.Thread | None = None
        self.desc = desc
        self.shipped_word = shipped
        self.shipped = 0
        self.shipped_bytes = 0
        self.done = 0
        self.total: int | None = None
        self.interval = _progress_interval()
        self.last_line = time.monotonic()

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" items", desc=self.desc, file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
        if self.collections:
            self.counter = threading.Thread(target=self._count, name="pdpack-count-items", daemon=True)
            self.counter.start()
        return self

    def start_at(self, done: int) -> None:
        """Start the count at ``done`` items (a resumed build), so the bar ends at 100%."""
        self.done = done
        if self.bar is not None:
            self.bar.n = self.bar.initial = done
            self.bar.refresh()

    def _count(self) -> None:
        try:
            total = sum(count_entries(collection) for collection in self.collections)
        except (OSError, ManifestError):
            return  # the run reports the manifest's problem; progress just goes without an ETA
        self.total = total
        if self.bar is not None:
            self.bar.total = total

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def update(self, collection: Collection, result: Result | Shipped) -> None:
        self.done += 1
        if isinstance(result, Sample | Shipped):
            self.shipped += 1
            self.shipped_bytes += result.image_bytes if isinstance(result, Shipped) else len(result.image)
        if self.bar is not None:
            self.bar.set_postfix_str(
                f"{collection.id}: {self.shipped:,} {self.shipped_word}, {self.shipped_bytes / 1e6:,.1f} MB",
                refresh=False,
            )
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval:
            self.last_line = now
            of = f" of {self.total:,}" if self.total else ""
            say(
                f"{self.desc}: {self.done:,}{of} items, {self.shipped:,} {self.shipped_word} ({collection.id})",
                err=True,
            )


def _progress_interval() -> float:
    """Seconds between progress lines when stderr is not a terminal (PDPACK_PROGRESS_SECONDS, default 30)."""
    try:
        return max(0.0, float(os.environ.get("PDPACK_PROGRESS_SECONDS", "30")))
    except ValueError:
        return 30.0
