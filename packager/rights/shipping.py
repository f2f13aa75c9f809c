"""A steward's decision to ship, applied to an item's findings: what it overrules, and why not the rest.

A ``ship`` settles doubt. A claim of copyright (an in-copyright statement, a © notice) stands unless
an override names it, and while one stands the decision ships nothing; a term the rules find still
running leaves the item not public domain in that jurisdiction unless the override names it
(``packager.rights.overrules`` has the names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packager.rights.evidence import INFO, Evidence

if TYPE_CHECKING:
    from packager.rights.review import ReviewDecision
    from packager.rights.terms import TermFinding


def apply_ship(
    review: ReviewDecision,
    claims: dict[str, str],
    running: dict[str, TermFinding],
    evidence: list[Evidence],
    unread: frozenset[str],
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]] | None:
    """Apply a decision to ship: (findings overruled, jurisdictions shipped by override), or None when it cannot.

    Notes for people go into ``evidence``: each finding the decision does not overrule, and why.
    """
    named = set(review.overrules)
    row = review.where
    uncovered_claims = [name for name in claims if name not in named]
    for name in uncovered_claims:
        evidence.append(Evidence("review", "override", name, INFO, _not_overruled(review, row, name, claims[name])))
    if uncovered_claims:
        return None  # a claim of copyright stands: the item stays as the other sources left it
    for name, finding in running.items():
        if name not in named:
            # No advice to override here: a running term is the law, not a record a person can know better than.
            code = finding.jurisdiction
            note = (
                f"{row} does not overrule the term still running in {code} ({finding.explanation}):"
                f" not public domain in {code}"
            )
            evidence.append(Evidence("review", "override", name, INFO, note))
    overruled = [(name, claims[name]) for name in claims] + [
        (name, f"{f.jurisdiction}: {f.explanation}") for name, f in running.items() if name in named
    ]
    for name in review.overrules:
        if name not in claims and name not in running and name not in unread:
            evidence.append(
                Evidence("review", "override", name, INFO, f"{row} names {name}, which this item does not have")
            )
    overridden_in = frozenset(f.jurisdiction for name, f in running.items() if name in named)
    return tuple(overruled), overridden_in


def _not_overruled(review: ReviewDecision, row: str, name: str, finding: str) -> str:
    if review.override:
        return f"the override in {row} does not name {name} ({finding}); it covers {', '.join(review.overrules)} only"
    return (
        f"a decision to ship settles doubt only; it does not overrule {name} ({finding}):"
        f" that takes override=yes, a note, and {name} named in overrules"
    )
