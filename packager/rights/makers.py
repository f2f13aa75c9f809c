"""Who made a work, as far as the copyright-term rules can use it: a named author, or an unknown maker.

Catalogues write an unknown maker as "Unknown", "Anonymous", "unidentified artist", a blank cell,
or an attribution to someone else's circle: "Workshop of Rembrandt", "After Rubens", "Follower of
Titian". In the last kind the name (and any death year given with it) is the master's, not the
maker's, so the death year says nothing about the term and is set aside. The anonymous-work rules
then decide, with the date's full uncertainty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words that say nobody knows who made it: "Unknown", "Anonymous (Flemish)", "unidentified photographer",
# "artist unknown", and the art historians' names for anonymous hands ("Master of the Saint Bartholomew Altarpiece").
_UNKNOWN = re.compile(
    r"(?:an?\s)?(?:unknown|unidentified|anonymous|anon)\b.*|(?:\w+\s)?(?:unknown|not known)|master of\s.*"
)
# Attributions to a master's circle: the maker is someone else, whose name is not recorded.
_CIRCLE = r"workshop|studio|atelier|circle|followers?|school|manner|style|imitator|pupil|assistant|entourage"
_ATTRIBUTION = re.compile(
    rf"(?:after|copy after)\s.*|.*\b(?:{_CIRCLE})\sof\b.*|.*[(,]\s?(?:after|copy after|{_CIRCLE})\b(?:\sof)?\)?"
)


@dataclass(frozen=True)
class Maker:
    unknown: bool  # the anonymous-work rules apply
    death_year: int | None  # the death year when it is the maker's; None when there is none or it is set aside
    note: str | None = None  # why a death year was set aside, for the evidence


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip().lower())


def read_maker(
    creator: str | None, death_year: int | None, cells: tuple[str, str] = ("creator", "creator_death_year")
) -> Maker:
    """What the term rules may use of ``creator`` and ``death_year``; ``cells`` names where the contributor gave
    them (``Collection.cell``), for the note."""
    name = _normalise(creator or "")
    if not name:
        # A blank creator with a death year still names someone, through that year.
        return Maker(unknown=death_year is None, death_year=death_year)
    if _ATTRIBUTION.fullmatch(name):
        note = None
        if death_year is not None:
            note = (
                f"{cells[0]} {creator!r} is an attribution to someone else's circle or a copy after them: the death"
                f" year {death_year} ({cells[1]}) is the named master's, not the maker's, so the rules for unknown"
                " makers apply"
            )
        return Maker(unknown=True, death_year=None, note=note)
    if _UNKNOWN.fullmatch(name):
        return Maker(unknown=True, death_year=death_year)
    return Maker(unknown=False, death_year=death_year)
