"""What every copyright-term rule shares: its finding, a date's margins, the inputs it names, how a term ends.

Rules answer with a ``Part`` first; a jurisdiction's parts are combined into one ``TermFinding``
(``packager.rights.term_life``), and the US rules write theirs directly (``packager.rights.term_us``).
"""

from __future__ import annotations

from dataclasses import dataclass

from packager.rights.dates import YearRange, describe, format_year

# "c. 1890" means about 1890: the work may be up to this many years later (or earlier).
CIRCA_MARGIN = 10
# Qualifiers whose years are approximate, so the margin applies.
APPROXIMATE = frozenset({"circa", "active"})
# Qualifiers with no lower bound on when the work was made ("exhibited 1818": it existed by then).
NO_LOWER_BOUND = frozenset({"before", "exhibited", "died"})
# Qualifiers with no upper bound ("born 1930", "after 1850": made any time since).
NO_UPPER_BOUND = frozenset({"born", "after"})


# slots: the term cache holds one per jurisdiction per entry, and a __dict__ would triple their size.
@dataclass(frozen=True, slots=True)
class TermFinding:
    """What one jurisdiction's rules say about one work."""

    jurisdiction: str
    public_domain: bool | None  # True: PD there; False: still protected there; None: cannot tell
    rule: str  # short id of the rule used, e.g. "life+70", "us-published-before-1931"
    explanation: str  # one sentence for a person, naming the years used
    # (item field, text) for each input the rule used, e.g. ("creator_death_year", "death 1850").
    inputs: tuple[tuple[str, str], ...] = ()


def earliest_made(created: YearRange | None) -> int | None:
    """The earliest year the work can have been made, with margin; None when there is no lower bound."""
    if created is None or created.qualifier in NO_LOWER_BOUND:
        return None
    return created.earliest - (CIRCA_MARGIN if created.qualifier in APPROXIMATE else 0)


def latest_made(created: YearRange | None) -> int | None:
    """The latest year the work can have been made, with margin; None when there is no upper bound."""
    if created is None or created.qualifier in NO_UPPER_BOUND:
        return None
    return created.latest + (CIRCA_MARGIN if created.qualifier in APPROXIMATE else 0)


def made_by_text(created: YearRange, latest: int) -> str:
    if latest != created.latest:
        return f"made by {format_year(latest)} ({created.text.strip()!r} plus {CIRCA_MARGIN} years' margin)"
    return f"made by {format_year(latest)} ({created.text.strip()!r})"


def date_problem(what: str, year: int, as_of_year: int, created: YearRange | None) -> str | None:
    """Why a death or publication year cannot be used with this creation date, or None when it can."""
    if year > as_of_year:
        # Invented or mistyped data: a year still to come says nothing about the term.
        return f"{what} year {format_year(year)} is after {as_of_year}, so it cannot be right"
    if what == "death" and created is not None and created.qualifier == "died" and created.latest != year:
        return f"death year {format_year(year)} does not match the date {created.text.strip()!r}"
    earliest = earliest_made(created)
    if created is not None and earliest is not None and year < earliest:
        return (
            f"{what} year {format_year(year)} is before the work's earliest date"
            f" {format_year(earliest)} ({created.text.strip()!r}), so the dates are inconsistent"
        )
    return None


@dataclass(frozen=True)
class Part:
    """One rule's answer, before the answers for a jurisdiction are combined."""

    public_domain: bool | None
    rule: str
    explanation: str
    inputs: tuple[tuple[str, str], ...]


def death_input(death: int) -> tuple[str, str]:
    return ("creator_death_year", f"death {format_year(death)}")


def created_input(created: YearRange) -> tuple[str, str]:
    return ("date", f"created {describe(created)}")


def published_input(published: int) -> tuple[str, str]:
    return ("published", f"published {format_year(published)}")


ANONYMOUS_INPUT = ("creator", "unknown maker")
FEDERAL_INPUT = ("us_federal", "US federal work")


def term_years(start: int, old_before: int | None, old_years: int | None, new_years: int) -> tuple[int, int | None]:
    """(years, cutoff) for a term counted from ``start``; cutoff is set when the older term applied."""
    if old_before is not None and old_years is not None and start < old_before:
        return old_years, old_before
    return new_years, None


def ended(kind: str, end: int, as_of_year: int) -> tuple[bool, str]:
    if end < as_of_year:
        return True, f"{kind} ended 31 Dec {format_year(end)}"
    return False, f"{kind} runs to 31 Dec {format_year(end)} (public domain from 1 Jan {format_year(end + 1)})"
