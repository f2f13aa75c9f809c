"""Copyright-term rules: is a work in the public domain in a jurisdiction on a given day?

The terms per jurisdiction live in ``terms.csv`` beside this module, as data that can be
reviewed against its sources. The rules follow rights-vocabulary.md §4 ("Public-domain
term rules as of 2026-01-01"):

* Terms run to the end of the calendar year: a work whose author died in year D with a
  life+N term is public domain from 1 January of D+N+1 (Public Domain Day).
* Where an extension was not retroactive (Canada, Japan, Australia), authors who died
  before the cutoff keep the older, shorter term; Spain works the other way round and
  keeps the longer life+80 for authors who died before 1988. The same two columns encode
  both.
* The United States is not life-based only: see ``_us_finding``. Its publication cutoff is the
  law as it stood on the as-of date (``us_last_expired_publication_year``).
* Works of unknown makers follow each jurisdiction's anonymous-work rule where terms.csv records
  one: from publication (``anonymous_years``), and a bound from the year of making
  (``anonymous_made_years``) where the law sets one whatever the publication.

Every rule answers True (public domain there), False (still protected there) or None
(cannot tell). The margins all lean one way: doubtful or inconsistent data give None,
never True, because a wrong True puts a protected work into a public-domain dataset.

This module must not import ``packager.rights.verify`` at module level: verify imports
this module, and ``Evidence`` is only needed inside ``term_evidence``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from packager.rights.dates import YearRange, describe, format_year

if TYPE_CHECKING:  # verify imports this module; importing it back at run time would be circular
    from packager.rights.evidence import Evidence

# "c. 1890" means about 1890: the work may be up to this many years later (or earlier).
CIRCA_MARGIN = 10
# Qualifiers whose years are approximate, so the margin applies.
_APPROXIMATE = frozenset({"circa", "active"})
# Qualifiers with no lower bound on when the work was made ("exhibited 1818": it existed by then).
_NO_LOWER_BOUND = frozenset({"before", "exhibited", "died"})
# Qualifiers with no upper bound ("born 1930", "after 1850": made any time since).
_NO_UPPER_BOUND = frozenset({"born", "after"})

US_PUBLICATION_TERM = 95  # 17 U.S.C. §304: the longest term for works published 1923–1977
US_LIFE_TERM = 70  # 17 U.S.C. §§302, 303
US_ANONYMOUS_CREATION_TERM = 120  # 17 U.S.C. §302(c), §303(a): unpublished anonymous works
# §303(a): a work made before 1978 and unpublished then is protected to at least 31 Dec 2002, and, if
# first published 1978–2002, to at least 31 Dec 2047.
US_UNPUBLISHED_FLOOR = 2002
US_LATE_PUBLICATION_END = 2002
US_LATE_PUBLICATION_FLOOR = 2047
# The 1976 Act took effect on 1 Jan 1978; earlier law (56-year terms, interim extensions) is not modelled.
US_FIRST_MODELLED_YEAR = 1978
# The Sonny Bono Act (in force 27 Oct 1998) froze the public domain at works published before 1923
# until 1 Jan 2019; before it, terms of works published before 1978 were 75 years (§304 as of 1978).
US_FROZEN_CUTOFF = 1922
US_OLD_PUBLICATION_TERM = 75

# Results of ``assess_terms`` kept per process. A collection repeats the same inputs (an artist's death
# year, "c. 1890") across many items, and a miss computes every jurisdiction (~0.4 ms). An entry is
# about 6 KiB even with its repeated strings shared (see ``_combine``), so 1024 entries cost each worker
# about 6 MiB: flat over millions of items, and small beside the memory benchmark's 1.2x growth limit.
TERM_CACHE_SIZE = 1024

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


# --- the inputs, and what can be trusted in them ----------------------------------------------------------


def _earliest_made(created: YearRange | None) -> int | None:
    """The earliest year the work can have been made, with margin; None when there is no lower bound."""
    if created is None or created.qualifier in _NO_LOWER_BOUND:
        return None
    return created.earliest - (CIRCA_MARGIN if created.qualifier in _APPROXIMATE else 0)


def _latest_made(created: YearRange | None) -> int | None:
    """The latest year the work can have been made, with margin; None when there is no upper bound."""
    if created is None or created.qualifier in _NO_UPPER_BOUND:
        return None
    return created.latest + (CIRCA_MARGIN if created.qualifier in _APPROXIMATE else 0)


def _made_by(created: YearRange, latest: int) -> str:
    if latest != created.latest:
        return f"made by {format_year(latest)} ({created.text.strip()!r} plus {CIRCA_MARGIN} years' margin)"
    return f"made by {format_year(latest)} ({created.text.strip()!r})"


def _date_problem(what: str, year: int, as_of_year: int, created: YearRange | None) -> str | None:
    """Why a death or publication year cannot be used with this creation date, or None when it can."""
    if year > as_of_year:
        # Invented or mistyped data: a year still to come says nothing about the term.
        return f"{what} year {format_year(year)} is after {as_of_year}, so it cannot be right"
    if what == "death" and created is not None and created.qualifier == "died" and created.latest != year:
        return f"death year {format_year(year)} does not match the date {created.text.strip()!r}"
    earliest = _earliest_made(created)
    if created is not None and earliest is not None and year < earliest:
        return (
            f"{what} year {format_year(year)} is before the work's earliest date"
            f" {format_year(earliest)} ({created.text.strip()!r}), so the dates are inconsistent"
        )
    return None


@dataclass(frozen=True)
class _Part:
    """One rule's answer, before the answers for a jurisdiction are combined."""

    public_domain: bool | None
    rule: str
    explanation: str
    inputs: tuple[tuple[str, str], ...]


def _death_input(death: int) -> tuple[str, str]:
    return ("creator_death_year", f"death {format_year(death)}")


def _created_input(created: YearRange) -> tuple[str, str]:
    return ("date", f"created {describe(created)}")


def _published_input(published: int) -> tuple[str, str]:
    return ("published", f"published {format_year(published)}")


_ANONYMOUS_INPUT = ("creator", "unknown maker")
_FEDERAL_INPUT = ("us_federal", "US federal work")


def _term_years(start: int, old_before: int | None, old_years: int | None, new_years: int) -> tuple[int, int | None]:
    """(years, cutoff) for a term counted from ``start``; cutoff is set when the older term applied."""
    if old_before is not None and old_years is not None and start < old_before:
        return old_years, old_before
    return new_years, None


def _ended(kind: str, end: int, as_of_year: int) -> tuple[bool, str]:
    if end < as_of_year:
        return True, f"{kind} ended 31 Dec {format_year(end)}"
    return False, f"{kind} runs to 31 Dec {format_year(end)} (public domain from 1 Jan {format_year(end + 1)})"


# --- rules for life-based jurisdictions -------------------------------------------------------------------


def _life_part(j: Jurisdiction, as_of_year: int, death: int, created: YearRange | None) -> _Part:
    inputs: tuple[tuple[str, str], ...] = (_death_input(death),)
    problem = _date_problem("death", death, as_of_year, created)
    if problem is not None:
        if created is not None:
            inputs += (_created_input(created),)
        return _Part(None, "inconsistent-dates", problem, inputs)
    for first, last in j.uncertain_death_years:
        if first <= death <= last:
            return _Part(
                None,
                "unmodelled-extension",
                f"author died {death}; in {j.name} authors who died {first}–{last} may have a longer term ({j.note})",
                inputs,
            )
    years, cutoff = _term_years(death, j.old_term_died_before, j.old_life_years, j.life_years)
    pd, when = _ended(f"life+{years}", death + years, as_of_year)
    if cutoff is not None and years < j.life_years:
        # The extension did not revive terms that had already ended: name the last death year it left alone.
        rule = f"not-retroactive-{cutoff - 1}"
        why = f"author died {format_year(death)}, before the life+{j.life_years} extension (not retroactive)"
    elif cutoff is not None:
        rule = f"life+{years}"
        why = f"author died {format_year(death)}, before {cutoff}, so the older life+{years} applies"
    else:
        rule = f"life+{years}"
        why = f"author died {format_year(death)}"
    return _Part(pd, rule, f"{why}; {when}", inputs)


def _anonymous_made_part(j: Jurisdiction, as_of_year: int, created: YearRange | None) -> _Part | None:
    """The bound from the year of making, with the date's latest possible year; None when there is none."""
    latest = _latest_made(created)
    if j.anonymous_made_years is None or created is None or latest is None:
        return None
    end = latest + j.anonymous_made_years
    inputs = (_ANONYMOUS_INPUT, _created_input(created))
    made = f"unknown maker, {_made_by(created, latest)}"
    if end < as_of_year:
        why = f"{made}: the term ended by 31 Dec {format_year(end)} at the latest ({j.anonymous_rule})"
        return _Part(True, f"anonymous-made+{j.anonymous_made_years}", why, inputs)
    why = f"{made}: the term may run to 31 Dec {format_year(end)} ({j.anonymous_rule})"
    return _Part(None, "anonymous-may-run", why, inputs)


def _anonymous_part(j: Jurisdiction, as_of_year: int, published: int | None, created: YearRange | None) -> _Part:
    if published is not None and (problem := _date_problem("publication", published, as_of_year, created)):
        inputs = (_ANONYMOUS_INPUT, _published_input(published)) + ((_created_input(created),) if created else ())
        return _Part(None, "inconsistent-dates", problem, inputs)
    made = _anonymous_made_part(j, as_of_year, created)
    if made is not None and made.public_domain:
        # The bound holds whatever the publication: a later one cannot make the term run longer.
        return made
    if j.anonymous_years is None:
        return made or _Part(
            None, "no-anonymous-rule", f"no rule for anonymous works is recorded for {j.name}", (_ANONYMOUS_INPUT,)
        )
    if published is None:
        if made is not None:
            return made
        # The term runs from when the work was made available; a creation date is not that.
        inputs = (_ANONYMOUS_INPUT, _created_input(created)) if created is not None else (_ANONYMOUS_INPUT,)
        return _Part(
            None,
            "no-publication-year",
            "anonymous work with no publication year: its term runs from publication, which a creation date cannot"
            f" stand in for, and no bound from the year of making is recorded for {j.name}",
            inputs,
        )
    inputs = (_ANONYMOUS_INPUT, _published_input(published))
    years, cutoff = _term_years(published, j.old_term_published_before, j.old_anonymous_years, j.anonymous_years)
    pd, when = _ended(f"{years} years from publication", published + years, as_of_year)
    if cutoff is not None and years < j.anonymous_years:
        rule = f"anonymous-not-retroactive-{cutoff - 1}"
        why = f"anonymous, published {format_year(published)}, before the extension to {j.anonymous_years} years"
    else:
        rule = f"anonymous+{years}"
        why = f"anonymous, published {format_year(published)}"
    return _Part(pd, rule, f"{why}; {when}", inputs)


def _combine(code: str, parts: list[_Part], pool: dict[Any, Any]) -> TermFinding:
    """One finding from several rules: they must agree, or the answer is None.

    Texts and inputs equal to ones already in pool are replaced by those: most life-based
    jurisdictions (all the EU members) give word-for-word the same finding, and a cached entry of
    ``assess_terms`` holds them all, so sharing cuts its memory about three times. They are
    immutable, so sharing changes nothing a caller can see.
    """
    values = {p.public_domain for p in parts}
    public_domain = values.pop() if len(values) == 1 else None
    inputs: dict[tuple[str, str], None] = {}
    for p in parts:
        inputs.update(dict.fromkeys(p.inputs))
    rule = "+".join(p.rule for p in parts)
    explanation = "; ".join(p.explanation for p in parts)
    used = tuple(inputs)
    return TermFinding(
        jurisdiction=code,
        public_domain=public_domain,
        rule=pool.setdefault(rule, rule),
        explanation=pool.setdefault(explanation, explanation),
        inputs=pool.setdefault(used, used),
    )


def _life_based_finding(
    j: Jurisdiction,
    as_of_year: int,
    death_year: int | None,
    created: YearRange | None,
    published_year: int | None,
    anonymous: bool,
    pool: dict[Any, Any],
) -> TermFinding:
    parts: list[_Part] = []
    if anonymous:
        parts.append(_anonymous_part(j, as_of_year, published_year, created))
    if death_year is not None:
        # An "anonymous" work with a known author: both terms must have ended.
        parts.append(_life_part(j, as_of_year, death_year, created))
    if not parts:
        parts.append(_Part(None, "no-death-year", "no death year for the author, so no life term can be counted", ()))
    return _combine(j.code, parts, pool)


# --- the United States ------------------------------------------------------------------------------------


def us_last_expired_publication_year(as_of_year: int) -> int | None:
    """The last year of first publication whose US term had ended by 1 Jan ``as_of_year``, as the law then stood.

    1978–1998: 75 years from publication (the 1976 Act's §304), so works published before
    as-of year − 75. 1998-10-27 to 2018-12-31: frozen at works published before 1923 (the 1998
    term extension to 95 years). From 2019: 95 years, so works published in year Y are public domain
    from 1 Jan Y+96. The year is enough: in 1998 both the old rule and the freeze give 1922.
    None before 1978: the 1909 Act's terms and their interim extensions are not modelled.
    """
    if as_of_year < US_FIRST_MODELLED_YEAR:
        return None
    if as_of_year <= 1998:
        return as_of_year - US_OLD_PUBLICATION_TERM - 1
    if as_of_year <= 2018:
        return US_FROZEN_CUTOFF
    return as_of_year - US_PUBLICATION_TERM - 1


def _us_publication_law(as_of_year: int, cutoff: int) -> str:
    """Why works published by ``cutoff`` were free in ``as_of_year``: their term and when it ended."""
    if as_of_year <= 1998:
        return f"ended by 31 Dec {cutoff + US_OLD_PUBLICATION_TERM} ({US_OLD_PUBLICATION_TERM} years from publication)"
    if as_of_year <= 2018:
        return (
            f"ended by 31 Dec {cutoff + US_OLD_PUBLICATION_TERM}; the 1998 extension to {US_PUBLICATION_TERM} years"
            f" kept the public domain at works published before {US_FROZEN_CUTOFF + 1} until 2019"
        )
    return f"ended by 31 Dec {cutoff + US_PUBLICATION_TERM} ({US_PUBLICATION_TERM} years from publication)"


def _us_late_publication_runs(published: int, as_of_year: int) -> bool:
    """Whether a work made before the cutoff but first published in ``published`` (after it) may still be protected."""
    if published <= 1977:
        return True  # 95 years from publication, which is after the cutoff
    # §303(a): first published 1978–2002, protected to at least 31 Dec 2047; later, the life or 120-year terms.
    return published <= US_LATE_PUBLICATION_END and as_of_year <= US_LATE_PUBLICATION_FLOOR


def _us_leftover_risk(cutoff: int, as_of_year: int) -> str:
    """What could still keep a work made before the cutoff protected: a first publication after the cutoff."""
    if as_of_year <= US_LATE_PUBLICATION_FLOOR:
        return (
            f"leftover risk: the US term would still run if it was first published {cutoff + 1}–"
            f"{US_LATE_PUBLICATION_END} ({US_PUBLICATION_TERM} years from publication, or to at least 31 Dec"
            f" {US_LATE_PUBLICATION_FLOOR})"
        )
    if cutoff < 1977:
        return (
            f"leftover risk: the US term would still run if it was first published {cutoff + 1}–1977"
            f" ({US_PUBLICATION_TERM} years from publication)"
        )
    return "no leftover risk from a late first publication"


def _us_finding(
    as_of_year: int,
    death_year: int | None,
    created: YearRange | None,
    published_year: int | None,
    us_federal: bool,
    anonymous: bool,
    accept_leftover_risk: bool = True,
) -> TermFinding:
    """The US rules of rights-vocabulary.md §4, in order; anything they do not cover is None, never False.

    The US answer is never False because the exceptions (no notice, no renewal) can free a work
    that the general terms would protect, and this module cannot see them.
    """
    if us_federal:
        return TermFinding(
            "US",
            True,
            "us-federal-work",
            "a work of the US federal government has no copyright in the US (17 U.S.C. §105)",
            (_FEDERAL_INPUT,),
        )
    cutoff = us_last_expired_publication_year(as_of_year)
    if cutoff is None:
        return TermFinding(
            "US",
            None,
            "us-undetermined",
            f"no US rule applies: US terms before the 1976 Act took effect (1 Jan {US_FIRST_MODELLED_YEAR}) are"
            " not modelled",
            (),
        )
    reasons: list[str] = []
    inputs: dict[tuple[str, str], None] = {}
    published_ok = False
    if published_year is not None:
        inputs[_published_input(published_year)] = None
        problem = _date_problem("publication", published_year, as_of_year, created)
        if problem is not None:
            # Doubtful data: the rules that count from when the work was made cannot trust it either.
            if created is not None:
                inputs[_created_input(created)] = None
            return TermFinding("US", None, "us-undetermined", f"no US rule applies: {problem}", tuple(inputs))
        published_ok = True
        if published_year <= cutoff:
            return TermFinding(
                "US",
                True,
                f"us-published-before-{cutoff + 1}",
                f"published {format_year(published_year)}; US terms for works published before {cutoff + 1}"
                f" {_us_publication_law(as_of_year, cutoff)}",
                tuple(inputs),
            )
    # A work made before the cutoff but first published after it may have a later term.
    late_publication = (
        published_ok and published_year is not None and _us_late_publication_runs(published_year, as_of_year)
    )
    residual = _us_leftover_risk(cutoff, as_of_year)
    if created is not None:
        inputs[_created_input(created)] = None

    def made_by(limit: int) -> int | None:
        """The latest year the work can have been made when that is by ``limit``; else None, noting why."""
        latest = _latest_made(created)
        if created is None or latest is None:
            reasons.append("no creation date that bounds when the work was made")
            return None
        if latest > limit:
            reasons.append(f"{_made_by(created, latest)}, after {format_year(limit)}")
            return None
        if late_publication:
            reasons.append(f"first published {published_year}; {residual}")
            return None
        if as_of_year <= US_UNPUBLISHED_FLOOR:
            reasons.append(
                f"{_made_by(created, latest)}: a work made before 1978 and not published then was protected to at"
                f" least 31 Dec {US_UNPUBLISHED_FLOOR} (17 U.S.C. §303(a)), and no publication before"
                f" {cutoff + 1} is recorded"
            )
            return None
        if not accept_leftover_risk:
            reasons.append(
                f"{_made_by(created, latest)}, but no publication before {cutoff + 1} is recorded and the leftover"
                f" risk is not accepted (--leftover-risk hold): {residual}"
            )
            return None
        return latest

    if death_year is not None and not anonymous:
        inputs[_death_input(death_year)] = None
        problem = _date_problem("death", death_year, as_of_year, created)
        if problem is not None:
            reasons.append(problem)
        elif death_year + US_LIFE_TERM >= as_of_year:
            reasons.append(f"author died {format_year(death_year)}; life+70 runs to 31 Dec {death_year + US_LIFE_TERM}")
        elif (latest := made_by(cutoff)) is not None and created is not None:
            return TermFinding(
                "US",
                True,
                f"us-life+70-made-before-{cutoff + 1}",
                f"author died {format_year(death_year)} (life+70 ended 31 Dec {format_year(death_year + US_LIFE_TERM)})"
                f" and the work was {_made_by(created, latest)}, before {cutoff + 1}; {residual}",
                tuple(inputs),
            )
    if anonymous:
        inputs[_ANONYMOUS_INPUT] = None
        limit = as_of_year - US_ANONYMOUS_CREATION_TERM - 1
        if (latest := made_by(limit)) is not None and created is not None:
            return TermFinding(
                "US",
                True,
                f"us-anonymous-made-before-{limit + 1}",
                f"unknown maker, {_made_by(created, latest)}; an anonymous work's term ends {US_PUBLICATION_TERM} years"
                f" from publication or {US_ANONYMOUS_CREATION_TERM} from making, whichever is first (17 U.S.C."
                f" §302(c), §303(a)), and {US_ANONYMOUS_CREATION_TERM} years from making ended by"
                f" 31 Dec {format_year(latest + US_ANONYMOUS_CREATION_TERM)}; {residual}",
                tuple(inputs),
            )
    if death_year is None and not anonymous and published_year is None:
        reasons.append("no publication year, no death year and not marked anonymous")
    elif death_year is None and not anonymous and published_ok:
        reasons.append(f"published {published_year}, after {cutoff}, and no death year")
    return TermFinding("US", None, "us-undetermined", "no US rule applies: " + "; ".join(reasons), tuple(inputs))


# --- entry points -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermAssessment:
    """Every finding for one set of inputs, and their summary as Evidence (None: no rule said anything)."""

    findings: tuple[TermFinding, ...]
    evidence: Evidence | None


# typed=True: an int and an equal float (1850, 1850.0) are written differently in explanations, so
# they must not share an entry.
@lru_cache(maxsize=TERM_CACHE_SIZE, typed=True)
def assess_terms(
    as_of_year: int,
    death_year: int | None,
    created: YearRange | None,
    published_year: int | None,
    us_federal: bool,
    anonymous: bool,
    codes: tuple[str, ...],
    accept_leftover_risk: bool = True,
) -> TermAssessment:
    """The findings for ``codes`` and their Evidence, cached: the arguments are hashable and the result immutable.

    The rules only use the year of the as-of date (terms run to the end of a calendar year), so the
    year is the key and every day of a year shares an entry.
    """
    table = jurisdictions()
    findings: list[TermFinding] = []
    pool: dict[Any, Any] = {}  # texts and input tuples already used in this entry: see _combine
    for code in dict.fromkeys(codes):
        j = table.get(code)
        if j is None:
            raise ValueError(f"unknown jurisdiction {code!r}; known: {', '.join(table)}")
        if code == "US":
            findings.append(
                _us_finding(
                    as_of_year, death_year, created, published_year, us_federal, anonymous, accept_leftover_risk
                )
            )
        else:
            findings.append(_life_based_finding(j, as_of_year, death_year, created, published_year, anonymous, pool))
    return TermAssessment(findings=tuple(findings), evidence=term_evidence(findings))


def term_findings(
    *,
    as_of: date,
    death_year: int | None,
    created: YearRange | None,
    published_year: int | None,
    us_federal: bool,
    anonymous: bool,
    codes: Iterable[str],
    accept_leftover_risk: bool = True,
) -> list[TermFinding]:
    """One finding per code (codes as in terms.csv; use ``expand`` for "EU" members or "worldwide")."""
    # A fresh list each call: a caller that changes it cannot change the cached tuple.
    assessment = assess_terms(
        as_of.year, death_year, created, published_year, us_federal, anonymous, tuple(codes), accept_leftover_risk
    )
    return list(assessment.findings)


def term_evidence(findings: Sequence[TermFinding]) -> Evidence | None:
    """Summarise findings as one term-rule Evidence; None when no rule could say anything."""
    if all(f.public_domain is None for f in findings):
        return None
    # Imported here: verify imports this module.
    from packager.rights.evidence import Evidence

    values = [f.public_domain for f in findings]
    if all(v is True for v in values):
        status = "public_domain"
    elif all(v is False for v in values):
        status = "not_public_domain"
    elif any(f.jurisdiction == "US" and f.public_domain is True for f in findings):
        status = "public_domain_us"
    else:
        status = "undetermined"
    inputs: dict[tuple[str, str], None] = {}
    for f in findings:
        inputs.update(dict.fromkeys(f.inputs))
    fields = dict.fromkeys(name for name, _ in inputs)
    # Jurisdictions that share an explanation are listed together, so "EU" does not repeat one sentence 27 times.
    grouped: dict[str, list[str]] = {}
    for f in findings:
        grouped.setdefault(f.explanation, []).append(f.jurisdiction)
    finding = " | ".join(f"{', '.join(codes)}: {text}" for text, codes in grouped.items())
    return Evidence(
        source="term-rule",
        field=",".join(fields),
        value="; ".join(text for _, text in inputs),
        status=status,
        finding=finding,
    )
