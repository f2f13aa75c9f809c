"""US term rules as the law stood on the as-of date: publication cutoffs, life+70, anonymous works, §303(a)."""

from __future__ import annotations

from packager.rights.dates import YearRange, format_year
from packager.rights.term_parts import (
    ANONYMOUS_INPUT,
    FEDERAL_INPUT,
    TermFinding,
    created_input,
    date_problem,
    death_input,
    latest_made,
    made_by_text,
    published_input,
)

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


def us_finding(
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
            (FEDERAL_INPUT,),
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
        inputs[published_input(published_year)] = None
        problem = date_problem("publication", published_year, as_of_year, created)
        if problem is not None:
            # Doubtful data: the rules that count from when the work was made cannot trust it either.
            if created is not None:
                inputs[created_input(created)] = None
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
        inputs[created_input(created)] = None

    def made_by(limit: int) -> int | None:
        """The latest year the work can have been made when that is by ``limit``; else None, noting why."""
        latest = latest_made(created)
        if created is None or latest is None:
            reasons.append("no creation date that bounds when the work was made")
            return None
        if latest > limit:
            reasons.append(f"{made_by_text(created, latest)}, after {format_year(limit)}")
            return None
        if late_publication:
            reasons.append(f"first published {published_year}; {residual}")
            return None
        if as_of_year <= US_UNPUBLISHED_FLOOR:
            reasons.append(
                f"{made_by_text(created, latest)}: a work made before 1978 and not published then was protected to at"
                f" least 31 Dec {US_UNPUBLISHED_FLOOR} (17 U.S.C. §303(a)), and no publication before"
                f" {cutoff + 1} is recorded"
            )
            return None
        if not accept_leftover_risk:
            reasons.append(
                f"{made_by_text(created, latest)}, but no publication before {cutoff + 1} is recorded and the leftover"
                f" risk is not accepted (--leftover-risk hold): {residual}"
            )
            return None
        return latest

    if death_year is not None and not anonymous:
        inputs[death_input(death_year)] = None
        problem = date_problem("death", death_year, as_of_year, created)
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
                f" and the work was {made_by_text(created, latest)}, before {cutoff + 1}; {residual}",
                tuple(inputs),
            )
    if anonymous:
        inputs[ANONYMOUS_INPUT] = None
        limit = as_of_year - US_ANONYMOUS_CREATION_TERM - 1
        if (latest := made_by(limit)) is not None and created is not None:
            return TermFinding(
                "US",
                True,
                f"us-anonymous-made-before-{limit + 1}",
                f"unknown maker, {made_by_text(created, latest)}; an anonymous work's term ends"
                f" {US_PUBLICATION_TERM} years from publication or {US_ANONYMOUS_CREATION_TERM} from making,"
                " whichever is first (17 U.S.C. §302(c), §303(a)), and"
                f" {US_ANONYMOUS_CREATION_TERM} years from making ended by"
                f" 31 Dec {format_year(latest + US_ANONYMOUS_CREATION_TERM)}; {residual}",
                tuple(inputs),
            )
    if death_year is None and not anonymous and published_year is None:
        reasons.append("no publication year, no death year and not marked anonymous")
    elif death_year is None and not anonymous and published_ok:
        reasons.append(f"published {published_year}, after {cutoff}, and no death year")
    return TermFinding("US", None, "us-undetermined", "no US rule applies: " + "; ".join(reasons), tuple(inputs))
