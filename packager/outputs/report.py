"""What a build tells people: report.json, rejected.jsonl and ATTRIBUTION.md.

The report holds no timestamps or paths of the machine, so that two builds of
the same input give the same report bytes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from packager.atomic import write_atomic
from packager.jsonutil import dumps_canonical, dumps_pretty
from packager.manifest.collection import Collection
from packager.markdown import md, safe_url
from packager.model import REGISTRY, Rejection
from packager.sample import Sample, ShardInfo, Shipped
from packager.version import __version__


@dataclass
class CollectionTally:
    collection: Collection
    items: int = 0
    shipped: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    caption_sources: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        c = self.collection
        return {
            "id": c.id,
            "title": c.title,
            "institution": {"name": c.institution.name, "url": c.institution.url},
            "items": self.items,
            "shipped": self.shipped,
            "rejected": self.items - self.shipped,
            "shipped_by_verdict": dict(sorted(self.verdicts.items())),
            "rejected_by_reason": dict(sorted(self.reasons.items())),
            "caption_sources": dict(sorted(self.caption_sources.items())),
        }


class BuildReport:
    """Tallies results as they stream past and writes the report files at the end."""

    def __init__(self, out_dir: Path, settings: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.settings = settings
        self.tallies: dict[str, CollectionTally] = {}
        # Samples a steward shipped over a claim of copyright or a running term, with each finding overruled.
        self.overrides: list[dict[str, Any]] = []
        path = out_dir / "rejected.jsonl"
        # Written afresh by every build, a resumed one too: its kept partitions' records replay their lines.
        self._rejected: IO[bytes] = path.open("wb")

    def __enter__(self) -> BuildReport:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._rejected.close()

    def add(self, collection: Collection, result: Shipped | Sample | Rejection) -> None:
        tally = self.tallies.setdefault(collection.id, CollectionTally(collection))
        tally.items += 1
        if isinstance(result, Sample):
            result = Shipped.of(result)
        if isinstance(result, Shipped):
            tally.shipped += 1
            tally.verdicts[result.status] += 1
            tally.caption_sources[result.caption_source] += 1
            if result.override is not None:
                self.overrides.append({"collection": collection.id, "id": result.id, **result.override})
        else:
            tally.reasons[result.reason] += 1
            self._rejected.write(dumps_canonical(result.to_json()) + b"\n")

    def summary(self, shards: list[ShardInfo]) -> dict[str, Any]:
        collections = [t.to_json() for _, t in sorted(self.tallies.items())]
        reasons: Counter[str] = Counter()
        verdicts: Counter[str] = Counter()
        for tally in self.tallies.values():
            reasons.update(tally.reasons)
            verdicts.update(tally.verdicts)
        items = sum(t.items for t in self.tallies.values())
        shipped = sum(t.shipped for t in self.tallies.values())
        return {
            "pdpack_version": __version__,
            "settings": self.settings,
            "totals": {
                "items": items,
                "shipped": shipped,
                "rejected": items - shipped,
                "shards": len(shards),
                "bytes": sum(s.bytes for s in shards),
            },
            "shipped_by_verdict": dict(sorted(verdicts.items())),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "reasons": {code: REGISTRY[code].explanation for code in sorted(reasons)},
            "collections": collections,
            "overrides": self.overrides,
            "shards": [s.to_json() for s in shards],
        }

    def write(self, shards: list[ShardInfo]) -> dict[str, Any]:
        """Write report.json and ATTRIBUTION.md; return the report."""
        self._rejected.flush()
        report = self.summary(shards)
        write_atomic(self.out_dir / "report.json", dumps_pretty(report))
        write_atomic(self.out_dir / "ATTRIBUTION.md", attribution_markdown(self.tallies))
        return report


def attribution_markdown(tallies: dict[str, CollectionTally]) -> str:
    """Credits per institution, with the collections they contributed and what shipped."""
    by_institution: dict[str, list[CollectionTally]] = {}
    for tally in tallies.values():
        by_institution.setdefault(tally.collection.institution.name, []).append(tally)
    lines = [
        "# Attribution",
        "",
        "The works in this dataset were contributed by the institutions below. Each sample's JSON",
        "carries its own credit line (`credit_line`) and the source record (`source_url`).",
        "",
    ]
    for name in sorted(by_institution):
        group = sorted(by_institution[name], key=lambda t: t.collection.id)
        url = group[0].collection.institution.url
        lines.append(f"## {md(name)}")
        lines.append("")
        target = safe_url(url)
        if target:
            lines.append(f"<{target}>")
            lines.append("")
        for tally in group:
            c = tally.collection
            lines.append(f"- **{md(c.title)}** (`{c.id}`): {tally.shipped} of {tally.items} items shipped")
        lines.append("")
    return "\n".join(lines)
