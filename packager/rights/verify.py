"""Verify an item's rights: combine every source of evidence into one Verdict.

Each source (the manifest statement today; embedded metadata and copyright-term
rules plug in as further ``Evidence``) reports a status. Sources are combined
conservatively: any disagreement resolves away from inclusion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packager.collection import Collection, Item
from packager.rights.vocabulary import lookup

# How far each status goes toward shipping; combining takes the lowest.
_RANK = {"not_public_domain": 0, "undetermined": 1, "public_domain_us": 2, "public_domain": 3}


@dataclass(frozen=True)
class Evidence:
    """One source's reading of an item's rights."""

    source: str  # manifest | collection | embedded | term-rule
    field: str
    value: str
    status: str
    finding: str

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "value": self.value,
            "status": self.status,
            "finding": self.finding,
        }


@dataclass(frozen=True)
class Verdict:
    status: str
    statement: str | None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "status": self.status,
            "evidence": [e.to_json() for e in self.evidence],
        }

    @property
    def summary(self) -> str:
        return "; ".join(e.finding for e in self.evidence)


def statement_evidence(item: Item, collection: Collection) -> Evidence:
    """Read the manifest's rights statement, falling back to the collection default."""
    if item.rights:
        source, statement = "manifest", item.rights
    elif collection.rights:
        source, statement = "collection", collection.rights
    else:
        return Evidence(
            "manifest",
            "rights",
            "",
            "undetermined",
            "no rights statement on the item and no default in collection.yaml",
        )
    term = lookup(statement)
    where = "items" if source == "manifest" else "collection.yaml"
    if term is None:
        return Evidence(
            source, "rights", statement, "undetermined", f"{where}: unrecognised rights statement {statement!r}"
        )
    finding = f"{where}: {term.label}" + (f" ({term.note})" if term.note else "")
    return Evidence(source, "rights", statement, term.status, finding)


def combine(evidence: list[Evidence]) -> str:
    """The status that every source allows: the most restrictive one."""
    return min((e.status for e in evidence), key=_RANK.__getitem__)


def verify(item: Item, collection: Collection, extra_evidence: tuple[Evidence, ...] = ()) -> Verdict:
    """The item's verdict from its manifest statement and any further evidence."""
    stated = statement_evidence(item, collection)
    evidence = [stated, *extra_evidence]
    return Verdict(status=combine(evidence), statement=stated.value or None, evidence=tuple(evidence))
