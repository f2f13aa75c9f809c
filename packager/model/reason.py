"""What a reason is: its code, wording, severity, whether a steward settles it and whether it is pictured."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Who has to act on a held-back item."""

    FIX = "fix"  # something is wrong in the files: the manifest, a path, a file, an address, the captions
    RIGHTS = "rights"  # a rights outcome: often exactly right (an in-copyright work held back)
    INFO = "info"  # for information: a duplicate, a takedown


class Picture(StrEnum):
    """Whether report.html draws a thumbnail of a held-back item."""

    SHOWN = "shown"  # nothing is said against the file: it is decoded again and pictured
    NONE = "none"  # the file, its path or its row is the problem: nothing to draw
    WITHHELD = "withheld"  # the picture is left out on purpose (cultural sensitivity, takedown)


@dataclass(frozen=True)
class Reason:
    """One reason an item does not ship."""

    code: str
    label: str  # a short name for charts and tables
    explanation: str  # what happened in plain words (rejected.jsonl's "advice", validate's "what to do")
    fix: str  # what to change, concretely, for collection staff (report.html)
    severity: Severity
    picture: Picture
    steward: bool = False  # a steward's decision in review.csv settles it: `pdpack review` lists it

    @property
    def fails_check(self) -> bool:
        """A pull-request check (``validate --format github``) fails on it: it must be fixed in the files."""
        return self.severity is Severity.FIX
