"""The jurisdictions of terms.csv, one ``Jurisdiction`` a row, and names (EU, worldwide) expanded to their codes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

_INT_COLUMNS = (
    "life_years",
    "anonymous_years",
    "anonymous_made_years",
    "old_term_died_before",
    "old_life_years",
    "old_term_published_before",
    "old_anonymous_years",
)


@dataclass(frozen=True)
class Jurisdiction:
    """One row of terms.csv."""

    code: str
    name: str
    life_years: int
    anonymous_years: int | None  # years after publication; None: no anonymous-work rule recorded
    # The anonymous term has ended at the latest this many years after the year of making, whatever the
    # publication (EU: 70 from making when not made available within 70 years, else 70 from then: 140).
    anonymous_made_years: int | None
    anonymous_rule: str  # that rule in words, with its source, for the evidence
    member_of: str  # "EU" for member states; "" otherwise
    # Authors who died before this year keep old_life_years (a non-retroactive extension, or Spain's life+80).
    old_term_died_before: int | None
    old_life_years: int | None
    # Anonymous works published before this year keep old_anonymous_years.
    old_term_published_before: int | None
    old_anonymous_years: int | None
    # Death years for which an extension that is not modelled may apply: such authors are left undetermined.
    uncertain_death_years: tuple[tuple[int, int], ...]
    note: str
    source: str


def _int_or_none(row: dict[str, str], column: str) -> int | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise ValueError(f"terms.csv: {column} for {row['code']!r} is not a whole number: {text!r}") from exc


def _year_spans(code: str, text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for part in text.split():
        first, _, last = part.partition("-")
        try:
            spans.append((int(first), int(last or first)))
        except ValueError as exc:
            raise ValueError(f"terms.csv: uncertain_death_years for {code!r}: {part!r} is not YEAR-YEAR") from exc
    return tuple(spans)


@cache
def jurisdictions() -> dict[str, Jurisdiction]:
    """Every jurisdiction in terms.csv, by code, in file order."""
    text = resources.files("packager.rights").joinpath("terms.csv").read_text(encoding="utf-8")
    table: dict[str, Jurisdiction] = {}
    for row in csv.DictReader(text.splitlines()):
        code = row["code"].strip()
        if code in table:
            raise ValueError(f"terms.csv: {code!r} appears twice")
        values = {column: _int_or_none(row, column) for column in _INT_COLUMNS}
        life_years = values.pop("life_years")
        if life_years is None:
            raise ValueError(f"terms.csv: {code!r} has no life_years")
        for year, years in (
            ("old_term_died_before", "old_life_years"),
            ("old_term_published_before", "old_anonymous_years"),
        ):
            if (values[year] is None) != (values[years] is None):
                raise ValueError(f"terms.csv: {code!r} needs both {year} and {years}, or neither")
        table[code] = Jurisdiction(
            code=code,
            name=row["name"].strip(),
            life_years=life_years,
            member_of=row["member_of"].strip(),
            uncertain_death_years=_year_spans(code, row["uncertain_death_years"]),
            anonymous_rule=(row.get("anonymous_rule") or "").strip(),
            note=row["note"].strip(),
            source=row["source"].strip(),
            **values,
        )
    for j in table.values():
        if j.anonymous_made_years is not None and not j.anonymous_rule:
            raise ValueError(f"terms.csv: {j.code!r} has anonymous_made_years but no anonymous_rule to explain it")
        if j.member_of and j.member_of not in table:
            raise ValueError(f"terms.csv: {j.code!r} is a member of unknown {j.member_of!r}")
    return table


def _groups() -> set[str]:
    return {j.member_of for j in jurisdictions().values() if j.member_of}


def expand(code: str) -> list[str]:
    """Codes for a jurisdiction name: "EU" -> its members, "worldwide" -> every country, "FR" -> ["FR"]."""
    table = jurisdictions()
    wanted = code.strip()
    groups = _groups()
    if wanted.lower() == "worldwide":
        # Groups such as EU are left out: their members are all listed, and some differ from the group's term.
        return [c for c in table if c not in groups]
    wanted = wanted.upper()
    if wanted in groups:
        return [c for c, j in table.items() if j.member_of == wanted]
    if wanted in table:
        return [wanted]
    known = ", ".join(["worldwide", *table])
    raise ValueError(f"unknown jurisdiction {code!r}; known: {known}")
