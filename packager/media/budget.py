"""The time one item may spend being worked on (``--item-deadline``), across every step that can wait.

Each step has its own bound (a download ``--fetch-deadline``, ExifTool its budget per file, decoding
the pixel limit), but an item takes them one after another. ``ItemBudget`` bounds their sum: a step
that can wait is given min(its own bound, what the item has left), and one that would start with
nothing left does not start. The item is then held back as ``item:deadline``.

The clock is monotonic and runs only while the item is being worked on. It stops while the item
waits for its turn (for a download slot for its host, or for the items before it in its worker's
queue): that time is spent on other items, and counting it would let one slow item use up the
budget of the good ones queued behind it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

ITEM_DEADLINE = "item:deadline"


class OutOfTime(Exception):
    """The item's budget ran out during (or before) a step; the message names the step."""

    reason = ITEM_DEADLINE


class ItemBudget:
    """Seconds of work one item may take; ``running`` counts them, ``paused`` stops the count."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._since: float | None = None  # when the clock last started; None while it is stopped

    def remaining(self) -> float:
        """Seconds left (zero or less once the budget is spent)."""
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self.seconds - self._spent - running

    def bound(self, own: float, step: str) -> float:
        """Seconds the next step may take given its own bound ``own``; OutOfTime when none are left.

        ``step`` names it in the message ('downloading https://...').
        """
        left = self.remaining()
        if left <= 0:
            raise OutOfTime(self.ran_out(f"before {step}"))
        return min(own, left)

    def check(self, step: str) -> None:
        """OutOfTime when no time is left for ``step``, a step that cannot be cut off once started."""
        if self.remaining() <= 0:
            raise OutOfTime(self.ran_out(f"before {step}"))

    def spend(self, seconds: float) -> None:
        """Count ``seconds`` of work done for the item elsewhere: its download, by a worker that fetched it ahead."""
        self._spent += max(0.0, seconds)

    def spent(self) -> float:
        """Seconds counted so far."""
        return self.seconds - self.remaining()

    def ran_out(self, when: str) -> str:
        """The message for a step this budget cut off or kept from starting (``when``: 'while downloading ...')."""
        return f"the {self.seconds:g} s allowed per item (--item-deadline) ran out {when}"

    @contextmanager
    def running(self) -> Iterator[ItemBudget]:
        """Count the time spent inside; already running, it keeps counting (nested steps count once)."""
        if self._since is not None:
            yield self
            return
        self._since = time.monotonic()
        try:
            yield self
        finally:
            self._stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop the count inside (the item waits for its turn); a stopped clock stays stopped."""
        if self._since is None:
            yield
            return
        self._stop()
        try:
            yield
        finally:
            self._since = time.monotonic()

    def _stop(self) -> None:
        assert self._since is not None
        self._spent += time.monotonic() - self._since
        self._since = None
