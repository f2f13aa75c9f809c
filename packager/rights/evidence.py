"""Evidence: one source's reading of an item's rights, as recorded in every verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INFO = "info"  # evidence recorded for people, which decides nothing


@dataclass(frozen=True)
class Evidence:
    """One source's reading of an item's rights."""

    source: str  # manifest | collection | embedded | term-rule | preference | review | conflict
    field: str
    value: str
    status: str  # one of STATUSES, or "info"
    finding: str

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "value": self.value,
            "status": self.status,
            "finding": self.finding,
        }
