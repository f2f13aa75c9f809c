"""Verify an item's rights: combine every source of evidence into one Verdict.

Sources: the manifest's rights statement (or the collection default), copyright-term
rules applied to the item's dates, the file's embedded metadata, usage preferences,
and a steward's review decision. They are combined conservatively: a source may
lift an item from ``undetermined`` only when its evidence is unambiguous (term
rules, a review), and any disagreement with a claim of copyright is a conflict
held for review, never a reason to ship. A review settles doubt; it overrules a
claim of copyright or a running term only by an override that names it, and
``public_domain_in`` never names a jurisdiction where a term was found running.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from packager.model import Collection, Item
from packager.rights.conflicts import (
    Conflict,
    claim_conflict,
    conflict_message,
    statement_claims,
    statement_conflict,
    statement_words,
    term_conflict,
)
from packager.rights.dates import made_by_death, parse_year_range
from packager.rights.embedded_tags import copyright_notice
from packager.rights.evidence import INFO, Evidence
from packager.rights.makers import Maker, read_maker
from packager.rights.notices import rights_claim, shown
from packager.rights.overrules import EMBEDDED, claim_name, term_name
from packager.rights.preferences import Hold, ai_training_hold, local_contexts_hold, split_labels
from packager.rights.shipping import apply_ship
from packager.rights.terms import TermAssessment, assess_terms, expand
from packager.rights.vocabulary import Term, lookup

if TYPE_CHECKING:
    from packager.rights.embedded_tags import EmbeddedFindings
    from packager.rights.review import ReviewDecision

# An undated work: "", "n.d.", "undated". A date with digits that did not parse is not undated, only unread.
_DIGIT = re.compile(r"\d")
_TRUE = {"yes", "true", "y", "1"}
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Catalogues repeat date strings ("c. 1890", "19th century") across many items, and one parse runs
# a dozen regexes. The result is a frozen YearRange (or None), so sharing it is safe; strings over
# MAX_DATE_CHARS are not parsed, so entries stay small.
_parse_date = lru_cache(maxsize=4096)(parse_year_range)


def plain_text(value: str) -> str:
    """Undo URL encoding that some exports apply to text fields ("%C2%A9%20Estate" -> "© Estate")."""
    if _PERCENT_ESCAPE.search(value) and not value.lower().startswith(("http://", "https://")):
        return unquote(value)
    return value


@dataclass(frozen=True)
class Verdict:
    status: str
    statement: str | None
    evidence: tuple[Evidence, ...] = ()
    decided_by: str = "statement"  # statement | term-rule | review | conflict
    public_domain_in: frozenset[str] = field(default_factory=frozenset)
    conflict: bool = False
    # Each disagreement in plain words, with the advice for its kind (packager.rights.conflicts).
    conflicts: tuple[Conflict, ...] = ()
    holds: tuple[Hold, ...] = ()
    overridden: bool = False  # a review shipped it over a claim of copyright or a running term
    # (name, finding) of each finding an override overruled, e.g. ("term:MX", "MX: author died 1926; ...").
    overrules: tuple[tuple[str, str], ...] = ()
    # Jurisdictions where a term was found running and an override ships it anyway (never in public_domain_in).
    overridden_in: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "status": self.status,
            "decided_by": self.decided_by,
            "public_domain_in": jurisdiction_list(self.public_domain_in),
            "conflict": self.conflict,
            "overridden": self.overridden,
            "overrides": [{"overrules": name, "finding": finding} for name, finding in self.overrules],
            "evidence": [e.to_json() for e in self.evidence],
        }

    @property
    def summary(self) -> str:
        return "; ".join(e.finding for e in self.evidence if e.status != INFO or e.source == "conflict")


@cache  # terms.csv is read once per process, so its codes never change
def all_jurisdictions() -> frozenset[str]:
    return frozenset(expand("worldwide"))


@cache
def _sorted_jurisdictions() -> tuple[str, ...]:
    return tuple(sorted(all_jurisdictions()))


def jurisdiction_list(codes: frozenset[str]) -> list[str]:
    """Codes as written in JSON: ["worldwide"] when every jurisdiction in the table is covered."""
    if codes and codes >= all_jurisdictions():
        return ["worldwide"]
    return sorted(codes)


def statement_evidence(item: Item, collection: Collection) -> tuple[Evidence, Term | None]:
    """Read the manifest's rights statement, falling back to the collection default."""
    if item.rights:
        source, statement = "manifest", plain_text(item.rights)
    elif collection.rights:
        source, statement = "collection", collection.rights
    else:
        missing = f"no rights statement: {collection.cell('rights')} is empty and collection.yaml sets no default"
        return Evidence("manifest", "rights", "", "undetermined", missing), None
    term = lookup(statement)
    where = collection.cell("rights") if source == "manifest" else "collection.yaml"
    if term is None:
        if copyright_notice(statement):
            return Evidence(source, "rights", statement, "not_public_domain", f"{where}: copyright notice"), None
        finding = f"{where}: unrecognised rights statement {statement!r}"
        return Evidence(source, "rights", statement, "undetermined", finding), None
    finding = f"{where}: {term.label}" + (f" ({term.note})" if term.note else "")
    return Evidence(source, "rights", statement, term.status, finding), term


def _published_year(item: Item) -> int | None:
    published = _parse_date(item.published)
    # Only a single, certain year is evidence of publication; a range or "c." is not.
    if published is None or published.earliest != published.latest or published.qualifier != "exact":
        return None
    return published.latest


def item_terms(
    item: Item, collection: Collection, as_of: dt.date, accept_leftover_risk: bool = True
) -> tuple[TermAssessment, Maker]:
    """What the copyright-term rules find for an item in every jurisdiction, and the maker they counted with."""
    cells = (collection.cell("creator"), collection.cell("creator_death_year"))
    maker = read_maker(item.creator, item.creator_death_year, cells)
    created = _parse_date(item.date)
    if created is None and maker.death_year is not None and not _DIGIT.search(item.date or ""):
        created = made_by_death(maker.death_year)
    assessment = assess_terms(
        as_of.year,
        maker.death_year,
        created,
        _published_year(item),
        (item.us_federal_work or "").strip().lower() in _TRUE,
        maker.unknown,
        _sorted_jurisdictions(),
        accept_leftover_risk,
    )
    return assessment, maker


def verify(
    item: Item,
    collection: Collection,
    as_of: dt.date,
    embedded: EmbeddedFindings | None = None,
    review: ReviewDecision | None = None,
    accept_leftover_risk: bool = True,
) -> Verdict:
    """The item's verdict from every source of evidence, each recorded.

    ``accept_leftover_risk`` False holds works that the US rules would find public domain only by when
    they were made (see ``--leftover-risk``).
    """
    stated, term = statement_evidence(item, collection)
    evidence: list[Evidence] = [stated]
    holds: list[Hold] = []
    conflicts: list[Conflict] = []
    everywhere = all_jurisdictions()

    if term is not None and term.restriction:
        holds.append(Hold("rights:restricted", "statement", f"{term.label}: {term.restriction} restriction", True))

    assessment, maker = item_terms(item, collection, as_of, accept_leftover_risk)
    if maker.note:
        evidence.append(Evidence("term-rule", "creator", item.creator or "", INFO, maker.note))
    findings, by_terms = assessment.findings, assessment.evidence
    if by_terms is not None:
        evidence.append(by_terms)
    # CC0 is the rights holder waiving a copyright that may well still run: term rules cannot contradict it.
    waiver = term is not None and term.label.startswith("CC0")
    pd_by_terms = frozenset(f.jurisdiction for f in findings if f.public_domain is True)
    protected_by_terms = frozenset(f.jurisdiction for f in findings if f.public_domain is False)

    claims_copyright: list[Evidence] = []
    if item.copyright_notice:
        notice, where = plain_text(item.copyright_notice), collection.cell("copyright_notice")
        licence = None if copyright_notice(notice) else rights_claim(notice)
        if licence is None and copyright_notice(notice):
            claim = Evidence(
                "manifest", "copyright_notice", notice, "not_public_domain", f"{where}: copyright notice {notice!r}"
            )
            claims_copyright.append(claim)
            evidence.append(claim)
        elif licence is not None:
            claim = Evidence("manifest", "copyright_notice", notice, "not_public_domain", f"{where}: {licence}")
            claims_copyright.append(claim)
            evidence.append(claim)
        else:
            evidence.append(Evidence("manifest", "copyright_notice", notice, INFO, f"{where}: no copyright claimed"))
    for where, text in item.notices:
        # A credit line, an IIIF requiredStatement or attribution: a claim there holds the item back, and
        # no statement (least of all a collection default) ships it over that claim without a steward.
        found = rights_claim(plain_text(text))
        if found is not None:
            claim = Evidence("manifest", "notice", text, "not_public_domain", f"{where}: {found} {shown(text)!r}")
            claims_copyright.append(claim)
            evidence.append(claim)
    if embedded is not None:
        evidence.extend(embedded.evidence)
        claims_copyright += [e for e in embedded.evidence if e.status == "not_public_domain"]
        if embedded.data_mining_prohibited:
            holds.append(
                Hold(
                    "preference:data-mining-prohibited",
                    "embedded",
                    f"XMP-plus:DataMining is {embedded.data_mining_prohibited}",
                    False,
                )
            )

    own = collection.cell("ai_preferences")
    for preference, source in ((item.ai_preferences, own), (collection.ai_preferences, "collection.yaml")):
        if preference:
            evidence.append(
                Evidence("preference", "ai_preferences", preference, INFO, f"{source}: AI preference {preference}")
            )
            hold = ai_training_hold(preference, source)
            if hold:
                holds.append(hold)
    labels = split_labels(item.local_contexts) + list(collection.local_contexts)
    if labels:
        evidence.append(Evidence("preference", "local_contexts", "; ".join(labels), INFO, "Local Contexts labels"))
        hold = local_contexts_hold(labels, "local-contexts")
        if hold:
            holds.append(hold)

    decided_by = "statement"
    terms_basis = by_terms.value if by_terms is not None else ""
    if stated.status == "not_public_domain":
        status, pd_in = "not_public_domain", frozenset[str]()
        if pd_by_terms:
            conflicts.append(statement_conflict(stated, jurisdiction_list(pd_by_terms), terms_basis, collection))
    elif stated.status in ("public_domain", "public_domain_us"):
        status = stated.status
        pd_in = everywhere if status == "public_domain" else frozenset({"US"})
        still_protected = frozenset() if waiver else protected_by_terms & pd_in
        if still_protected:
            running_here = [f for f in findings if f.jurisdiction in still_protected]
            conflicts.append(term_conflict(stated, running_here, collection))
        against = f"{statement_words(stated)} says {statement_claims(stated)}"
        conflicts += [claim_conflict(c, against, collection, stated.source == "collection") for c in claims_copyright]
    else:
        status, pd_in = "undetermined", frozenset[str]()
        if not (term is not None and term.restriction) and pd_by_terms:
            pd_in = pd_by_terms
            decided_by = "term-rule"
            if pd_in >= everywhere:
                status = "public_domain"
            elif pd_in == {"US"}:
                status = "public_domain_us"
            against = "the copyright terms have ended" + (f" ({terms_basis})" if terms_basis else "")
            conflicts += [claim_conflict(c, against, collection) for c in claims_copyright]

    if conflicts:
        decided_by = "conflict"
        evidence.extend(Evidence("conflict", c.kind, "", INFO, c.finding) for c in conflicts)

    overrules: tuple[tuple[str, str], ...] = ()
    overridden_in = frozenset[str]()
    if review is not None:
        evidence.append(Evidence("review", "review.csv", review.decision, INFO, review.summary))
        if review.decision == "hold":
            holds.append(Hold("review:hold", "review", review.summary, False))
        else:
            claims = {}
            if stated.status == "not_public_domain":
                claims[claim_name(stated)] = stated.finding
            for claim in claims_copyright:
                claims.setdefault(claim_name(claim), claim.finding)
            running = {} if waiver else {term_name(f.jurisdiction): f for f in findings if f.public_domain is False}
            # The file not read yet (an item held on its records alone): its notice is not known to be gone.
            unread = frozenset({EMBEDDED}) if embedded is None else frozenset()
            shipped = apply_ship(review, claims, running, evidence, unread)
            if shipped is not None:
                overrules, overridden_in = shipped
                # Never public domain where a term runs: an override ships it there, and says so.
                pd_in = everywhere - {f.jurisdiction for f in running.values()}
                status = _status_of(pd_in, everywhere)
                decided_by = "review"
                conflicts = []
                holds = [h for h in holds if not h.reviewable]

    return Verdict(
        status=status,
        statement=stated.value or None,
        evidence=tuple(evidence),
        decided_by=decided_by,
        public_domain_in=pd_in,
        conflict=bool(conflicts),
        conflicts=tuple(conflicts),
        holds=tuple(holds),
        overridden=bool(overrules),
        overrules=overrules,
        overridden_in=overridden_in,
    )


def _status_of(pd_in: frozenset[str], everywhere: frozenset[str]) -> str:
    if pd_in >= everywhere:
        return "public_domain"
    if pd_in == {"US"}:
        return "public_domain_us"
    return "undetermined"


def policy_codes(policy: str) -> frozenset[str]:
    """The jurisdictions where a release policy needs an item to be public domain."""
    return frozenset(expand(policy))


def decide(verdict: Verdict, policy: str) -> tuple[str, str] | None:
    """(reason code, message) when the verdict keeps the item out under ``policy``; None to ship."""
    if verdict.holds:
        hold = verdict.holds[0]
        return hold.reason, hold.detail
    if verdict.conflict:
        # The decisive finding, not every source's: the evidence keeps the rest.
        return "rights:conflict", conflict_message(verdict.conflicts) if verdict.conflicts else verdict.summary
    if verdict.status == "not_public_domain":
        return "rights:not-public-domain", verdict.summary
    needed = policy_codes(policy)
    if needed <= verdict.public_domain_in | verdict.overridden_in:
        return None
    if verdict.public_domain_in == {"US"}:
        return "rights:us-only", verdict.summary
    if verdict.public_domain_in:
        missing = ", ".join(sorted(needed - verdict.public_domain_in))
        return "rights:partial", f"{verdict.summary}; not established for {missing}"
    return "rights:undetermined", verdict.summary
