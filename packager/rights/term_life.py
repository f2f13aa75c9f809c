"""Term rules of the life-based jurisdictions: life+N, the anonymous-work rules, and the older terms kept."""

from __future__ import annotations

from typing import Any

from packager.rights.dates import YearRange, format_year
from packager.rights.jurisdictions import Jurisdiction
from packager.rights.term_parts import (
    ANONYMOUS_INPUT,
    Part,
    TermFinding,
    created_input,
    date_problem,
    death_input,
    ended,
    latest_made,
    made_by_text,
    published_input,
    term_years,
)


def _life_part(j: Jurisdiction, as_of_year: int, death: int, created: YearRange | None) -> Part:
    inputs: tuple[tuple[str, str], ...] = (death_input(death),)
    problem = date_problem("death", death, as_of_year, created)
    if problem is not None:
        if created is not None:
            inputs += (created_input(created),)
        return Part(None, "inconsistent-dates", problem, inputs)
    for first, last in j.uncertain_death_years:
        if first <= death <= last:
            return Part(
                None,
                "unmodelled-extension",
                f"author died {death}; in {j.name} authors who died {first}–{last} may have a longer term ({j.note})",
                inputs,
            )
    years, cutoff = term_years(death, j.old_term_died_before, j.old_life_years, j.life_years)
    pd, when = ended(f"life+{years}", death + years, as_of_year)
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
    return Part(pd, rule, f"{why}; {when}", inputs)


def _anonymous_made_part(j: Jurisdiction, as_of_year: int, created: YearRange | None) -> Part | None:
    """The bound from the year of making, with the date's latest possible year; None when there is none."""
    latest = latest_made(created)
    if j.anonymous_made_years is None or created is None or latest is None:
        return None
    end = latest + j.anonymous_made_years
    inputs = (ANONYMOUS_INPUT, created_input(created))
    made = f"unknown maker, {made_by_text(created, latest)}"
    if end < as_of_year:
        why = f"{made}: the term ended by 31 Dec {format_year(end)} at the latest ({j.anonymous_rule})"
        return Part(True, f"anonymous-made+{j.anonymous_made_years}", why, inputs)
    why = f"{made}: the term may run to 31 Dec {format_year(end)} ({j.anonymous_rule})"
    return Part(None, "anonymous-may-run", why, inputs)


def _anonymous_part(j: Jurisdiction, as_of_year: int, published: int | None, created: YearRange | None) -> Part:
    if published is not None and (problem := date_problem("publication", published, as_of_year, created)):
        inputs = (ANONYMOUS_INPUT, published_input(published)) + ((created_input(created),) if created else ())
        return Part(None, "inconsistent-dates", problem, inputs)
    made = _anonymous_made_part(j, as_of_year, created)
    if made is not None and made.public_domain:
        # The bound holds whatever the publication: a later one cannot make the term run longer.
        return made
    if j.anonymous_years is None:
        return made or Part(
            None, "no-anonymous-rule", f"no rule for anonymous works is recorded for {j.name}", (ANONYMOUS_INPUT,)
        )
    if published is None:
        if made is not None:
            return made
        # The term runs from when the work was made available; a creation date is not that.
        inputs = (ANONYMOUS_INPUT, created_input(created)) if created is not None else (ANONYMOUS_INPUT,)
        return Part(
            None,
            "no-publication-year",
            "anonymous work with no publication year: its term runs from publication, which a creation date cannot"
            f" stand in for, and no bound from the year of making is recorded for {j.name}",
            inputs,
        )
    inputs = (ANONYMOUS_INPUT, published_input(published))
    years, cutoff = term_years(published, j.old_term_published_before, j.old_anonymous_years, j.anonymous_years)
    pd, when = ended(f"{years} years from publication", published + years, as_of_year)
    if cutoff is not None and years < j.anonymous_years:
        rule = f"anonymous-not-retroactive-{cutoff - 1}"
        why = f"anonymous, published {format_year(published)}, before the extension to {j.anonymous_years} years"
    else:
        rule = f"anonymous+{years}"
        why = f"anonymous, published {format_year(published)}"
    return Part(pd, rule, f"{why}; {when}", inputs)


def combine(code: str, parts: list[Part], pool: dict[Any, Any]) -> TermFinding:
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


def life_based_finding(
    j: Jurisdiction,
    as_of_year: int,
    death_year: int | None,
    created: YearRange | None,
    published_year: int | None,
    anonymous: bool,
    pool: dict[Any, Any],
) -> TermFinding:
    parts: list[Part] = []
    if anonymous:
        parts.append(_anonymous_part(j, as_of_year, published_year, created))
    if death_year is not None:
        # An "anonymous" work with a known author: both terms must have ended.
        parts.append(_life_part(j, as_of_year, death_year, created))
    if not parts:
        parts.append(Part(None, "no-death-year", "no death year for the author, so no life term can be counted", ()))
    return combine(j.code, parts, pool)
