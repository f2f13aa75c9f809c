"""Conflicts between rights sources, in plain words: the decisive finding first, and advice for its kind.

A conflict holds an item back (``rights:conflict``). What a person should do depends on what
disagrees, so each kind has its own advice:

* ``term``: the statement says public domain, but the term rules find a term still running
  somewhere ("still protected in MX until 31 Dec 2026 (life + 100)"). That is the law, not a
  record a person can know better than: the advice is to check the dates, never to override.
* ``statement``: an explicit in-copyright or licence statement, although the terms have ended.
  The statement is the institution's own determination: correct it if it is wrong.
* ``copyright_notice``, ``embedded``, ``notice``: a copyright notice or a licence in the
  record's copyright_notice cell, in the image file, or in its credit line / IIIF
  requiredStatement, against a public-domain statement or the term rules. Here a person can
  know more than the record (a stale notice, a photographer's credit on a reproduction): the
  advice names the override that settles it (``override=yes``, ``overrules``, a note).

The message of a held item is the decisive conflict (a running term before a statement before a
notice), short enough to read on one line of ``validate`` output and in the report unfolded;
every piece of evidence stays in the item's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packager.model import Collection
from packager.rights.notices import shown
from packager.rights.overrules import EMBEDDED, claim_name
from packager.rights.vocabulary import lookup

if TYPE_CHECKING:
    from packager.rights.evidence import Evidence
    from packager.rights.terms import TermFinding

TERM, STATEMENT = "term", "statement"
# The order in which conflicts decide: the law first, then the institution's statement, then notices.
_PRIORITY = {TERM: 0, STATEMENT: 1, "copyright_notice": 2, EMBEDDED: 3, "notice": 4}
_RUNS_TO = re.compile(r"runs to 31 Dec (-?\d+)")
_SHOWN_GROUPS = 3
_SHOWN_CODES = 4
# The item field behind a term rule's input, where the two names differ.
_INPUT_FIELDS = {"us_federal": "us_federal_work"}
# The cells a term depends on, named when a finding records no input.
_TERM_FIELDS = ("creator_death_year", "date", "published")


@dataclass(frozen=True)
class Conflict:
    kind: str  # term | statement | copyright_notice | embedded | notice
    finding: str  # the plain-words finding: which source says what
    fix: str  # what to change, for this kind of conflict


def decisive_conflict(conflicts: Sequence[Conflict]) -> Conflict:
    return min(conflicts, key=lambda c: _PRIORITY.get(c.kind, len(_PRIORITY)))


def conflict_message(conflicts: Sequence[Conflict]) -> str:
    """The decisive finding, and how many others the evidence holds."""
    first = decisive_conflict(conflicts)
    others = len(conflicts) - 1
    return first.finding + (
        f" (and {others} more conflict{'s' if others > 1 else ''}: see the evidence)" if others else ""
    )


def statement_claims(stated: Evidence) -> str:
    """What a public-domain statement says: 'public domain', or 'public domain in the US' for NoC-US and the like."""
    return "public domain in the US" if stated.status == "public_domain_us" else "public domain"


def statement_words(stated: Evidence) -> str:
    """The statement in words: "the item's rights statement (In Copyright)", or for a collection default
    "collection.yaml's default rights statement (Public Domain Mark 1.0)"."""
    term = lookup(stated.value) if stated.value else None
    name = term.label if term is not None else shown(stated.value)
    if stated.source == "collection":
        return f"collection.yaml's default rights statement ({name})"
    return f"the item's rights statement ({name})"


def _rule(rule: str) -> str:
    return rule.replace("+", " + ")


def term_conflict(stated: Evidence, running: Sequence[TermFinding], collection: Collection) -> Conflict:
    """The statement says public domain, but a term is still running in ``running`` jurisdictions."""
    groups: dict[tuple[int | None, str], list[str]] = {}
    inputs: dict[str, None] = {}
    used: dict[str, None] = {}  # the item fields the terms were counted from
    for term in running:
        ends = [int(year) for year in _RUNS_TO.findall(term.explanation)]
        end = max(ends) if ends else None
        groups.setdefault((end, term.rule), []).append(term.jurisdiction)
        inputs.update(dict.fromkeys(text for _, text in term.inputs))
        used.update(dict.fromkeys(_INPUT_FIELDS.get(name, name) for name, _ in term.inputs))
    ordered = sorted(groups.items(), key=lambda kv: (-(kv[0][0] or 0), kv[0][1]))
    parts = []
    for (end, rule), codes in ordered[:_SHOWN_GROUPS]:
        where = ", ".join(codes[:_SHOWN_CODES]) + (
            f" and {len(codes) - _SHOWN_CODES} more" if len(codes) > _SHOWN_CODES else ""
        )
        until = f" until 31 Dec {end}" if end is not None else ""
        parts.append(f"in {where}{until} ({_rule(rule)})")
    rest = sum(len(codes) for _, codes in ordered[_SHOWN_GROUPS:])
    more = f" and in {rest} more" if rest else ""
    basis = f", counted from {'; '.join(inputs)}" if inputs else ""
    says = f"{statement_words(stated)} says {statement_claims(stated)}"
    finding = f"Still protected {' and '.join(parts)}{more}{basis}; {says}."
    latest = max((end for end, _ in groups if end is not None), default=None)
    when = f" and it ships on its own from 1 Jan {latest + 1} with no change to the manifest" if latest else ""
    counted = list(used) or list(_TERM_FIELDS)
    right, wrong = ("it is", "it is") if len(counted) == 1 else ("they are", "one is")
    fix = (
        f"Check {collection.cells(counted)} against your catalogue. If {right} right, the work is still in "
        f"copyright there{when}; if {wrong} wrong, correct it. A running term is the law: no review decision is "
        "needed or advised."
    )
    return Conflict(TERM, finding, fix)


def statement_conflict(
    stated: Evidence, public_domain_in: Sequence[str], basis: str, collection: Collection
) -> Conflict:
    """An explicit in-copyright or licence statement, although the term rules find the work public domain."""
    places = "every country pdpack knows" if list(public_domain_in) == ["worldwide"] else _codes(public_domain_in)
    says = statement_words(stated)
    finding = f"{says[0].upper()}{says[1:]} says in copyright, but the copyright terms have ended in {places}"
    finding += f" ({basis})." if basis else "."
    own = collection.cell("rights")
    where = (
        f"collection.yaml's default rights (or give this item its own, in {own})"
        if stated.source == "collection"
        else own
    )
    fix = (
        "The rights statement is your institution's own determination, and it stands. If the work is in fact "
        f"public domain, correct {where}, e.g. http://creativecommons.org/publicdomain/mark/1.0/. If something in "
        "the picture is still in copyright (a later photograph, an added layer), leave it: the item stays out."
    )
    return Conflict(STATEMENT, finding, fix)


def claim_conflict(claim_evidence: Evidence, against: str, collection: Collection, default: bool = False) -> Conflict:
    """A copyright notice or a licence in the record or the file, against ``against`` (a clause that says why
    the work would be public domain); ``default``: that is a collection default, not the item's own statement."""
    kind = claim_name(claim_evidence)
    finding = f"{_claim_words(claim_evidence, collection)}; but {against}."
    override = f"override=yes, overrules {kind} and a note saying why it does not apply"
    rights = collection.cell("rights")
    statement = (
        f"give this item its own rights statement in {rights} (collection.yaml's default covers every item without one)"
        if default
        else f"correct the rights statement in {rights}"
    )
    if kind == EMBEDDED:
        fix = (
            "If the notice in the file is stale (a scanning studio's or a photographer's notice on a reproduction "
            f"of a public-domain work), export the file again without it, or have a steward ship it in review.csv "
            f"with {override}. If the notice is right, {statement}."
        )
    elif kind == "copyright_notice":
        fix = (
            f"If {collection.cell('copyright_notice')} is out of date or credits the photographer of a reproduction, "
            f"correct or empty it, or have a steward ship it in review.csv with {override}. If it is right, the work "
            f"is in copyright: {statement}."
        )
    else:
        fix = (
            "If the text credits the photographer of a reproduction or is out of date, have a steward ship it in "
            f"review.csv with {override}. If it states the work's own copyright or licence, {statement}."
        )
    return Conflict(kind, finding, fix)


def _claim_words(evidence: Evidence, collection: Collection) -> str:
    if evidence.source == "embedded":
        return f"The image file's own metadata claims copyright ({evidence.finding})"
    if evidence.field == "copyright_notice":
        return f"{collection.cell('copyright_notice')} says {shown(evidence.value)!r}"
    return evidence.finding  # "items.csv column 'Credit Line': copyright notice 'Photo © ...'"


def _codes(codes: Sequence[str]) -> str:
    codes = list(codes)
    return ", ".join(codes[:_SHOWN_CODES]) + (
        f" and {len(codes) - _SHOWN_CODES} more" if len(codes) > _SHOWN_CODES else ""
    )
