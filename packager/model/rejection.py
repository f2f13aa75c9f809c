"""A rejection: an item that does not ship, with its registered reason and the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packager.model.registry import REGISTRY


@dataclass(frozen=True)
class Rejection:
    """An item that does not ship, with the reason code and the evidence behind it."""

    collection: str
    id: str
    reason: str
    message: str
    row: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Problems found besides the reason, each {"reason", "message"}, so that one pass shows all there is to fix.
    also: list[dict[str, str]] = field(default_factory=list)
    # What to change for this item when it says more than the reason's own fix (a conflict's kind).
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REGISTRY:
            raise ValueError(f"unknown rejection reason {self.reason!r}")

    @property
    def advice(self) -> str:
        return REGISTRY[self.reason].explanation

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "id": self.id,
            "row": self.row,
            "reason": self.reason,
            "message": self.message,
            "advice": self.advice,
            "evidence": self.evidence,
            # Only when there is something: a line with one problem reads as it always has.
            **({"also": self.also} if self.also else {}),
            **({"fix": self.fix} if self.fix else {}),
        }
