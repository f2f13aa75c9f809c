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
* The United States is not life-based only: see ``packager.rights.term_us``. Its publication
  cutoff is the law as it stood on the as-of date (``us_last_expired_publication_year``).
* Works of unknown makers follow each jurisdiction's anonymous-work rule where terms.csv records
  one: from publication (``anonymous_years``), and a bound from the year of making
  (``anonymous_made_years``) where the law sets one whatever the publication.

Every rule answers True (public domain there), False (still protected there) or None
(cannot tell). The margins all lean one way: doubtful or inconsistent data give None,
never True, because a wrong True puts a protected work into a public-domain dataset.

This module is the entry point: it asks each jurisdiction's rules (``term_life``, ``term_us``,
sharing ``term_parts``; the table is read by ``jurisdictions``), caches the answers and sums them
up as one Evidence. The names callers use from those modules are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from packager.rights.dates import YearRange
from packager.rights.evidence import Evidence
from packager.rights.jurisdictions import Jurisdiction, expand, jurisdictions
from packager.rights.term_life import life_based_finding
from packager.rights.term_parts import CIRCA_MARGIN, TermFinding
from packager.rights.term_us import us_finding, us_last_expired_publication_year

__all__ = [
    "CIRCA_MARGIN",
    "TERM_CACHE_SIZE",
    "Jurisdiction",
    "TermAssessment",
    "TermFinding",
    "assess_terms",
    "expand",
    "jurisdictions",
    "term_evidence",
    "term_findings",
    "us_last_expired_publication_year",
]

# Results of ``assess_terms`` kept per process. A collection repeats the same inputs (an artist's death
# year, "c. 1890") across many items, and a miss computes every jurisdiction (~0.4 ms). An entry is
# about 6 KiB even with its repeated strings shared (see ``combine``), so 1024 entries cost each worker
# about 6 MiB: flat over millions of items, and small beside the memory benchmark's 1.2x growth limit.
TERM_CACHE_SIZE = 1024


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
    pool: dict[Any, Any] = {}  # texts and input tuples already used in this entry: see combine
    for code in dict.fromkeys(codes):
        j = table.get(code)
        if j is None:
            raise ValueError(f"unknown jurisdiction {code!r}; known: {', '.join(table)}")
        if code == "US":
            findings.append(
                us_finding(as_of_year, death_year, created, published_year, us_federal, anonymous, accept_leftover_risk)
            )
        else:
            findings.append(life_based_finding(j, as_of_year, death_year, created, published_year, anonymous, pool))
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
