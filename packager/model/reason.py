"""What a reason is: its code, wording, severity, whether a steward settles it and whether it is pictured."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# A field named in a reason's fix: "{rights}", or several together, "{creator_death_year,date,published}".
FIELD_PLACE = re.compile(r"\{([a-z_]+(?:,[a-z_]+)*)\}")


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
    # What to change, concretely, for collection staff (report.html). The manifest fields it names are
    # written {field} (FIELD_PLACE), so that each collection reads its own column names (``fix_in``).
    fix_template: str
    severity: Severity
    picture: Picture
    steward: bool = False  # a steward's decision in review.csv settles it: `pdpack review` lists it

    @property
    def fix(self) -> str:
        """What to change, the fields named as no collection in particular names them ("the rights cell")."""
        return self.fix_in(field_cells)

    def fix_in(self, cells: Callable[[Sequence[str]], str]) -> str:
        """What to change, each field named as ``cells`` names it: ``Collection.cells`` gives a collection's
        own columns ("items.csv column 'Rights Statement'")."""
        return FIELD_PLACE.sub(lambda found: cells(found.group(1).split(",")), self.fix_template)

    @property
    def fails_check(self) -> bool:
        """A pull-request check (``validate --format github``) fails on it: it must be fixed in the files."""
        return self.severity is Severity.FIX


def field_cells(names: Sequence[str]) -> str:
    """Fields as pdpack calls them, for a text about no collection in particular (the reason reference)."""
    if len(names) == 1:
        return f"the {names[0]} cell"
    return f"the {', '.join(names[:-1])} and {names[-1]} cells"
