"""CHANGELOG.md of a release: what was added and removed since the previous one, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from packager.markdown import md


@dataclass(frozen=True)
class Change:
    collection: str
    id: str
    why: str  # a reason code, "no longer in the manifest", "new in the manifest", "previously held back: CODE"


@dataclass
class Changelog:
    version: str
    as_of: str
    previous: str | None  # the previous release's version; None for a first release
    previous_as_of: str | None = None
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    shipped: dict[str, int] = field(default_factory=dict)  # per collection, in this release

    def by_collection(self) -> dict[str, tuple[list[Change], list[Change]]]:
        table: dict[str, tuple[list[Change], list[Change]]] = {}
        for change in self.added:
            table.setdefault(change.collection, ([], []))[0].append(change)
        for change in self.removed:
            table.setdefault(change.collection, ([], []))[1].append(change)
        return dict(sorted(table.items()))


def _heading(changelog: Changelog) -> str:
    return f"{md(changelog.version)} (as of {md(changelog.as_of)})"


def changelog_summary(changelog: Changelog) -> list[str]:
    """A few lines and a table: what changed since the previous release, per collection."""
    total = sum(changelog.shipped.values())
    if changelog.previous is None:
        return [
            f"First release: {total} sample(s) from {len(changelog.shipped)} collection(s).",
        ]
    lines = [
        f"Compared with release {md(changelog.previous)} (as of {md(changelog.previous_as_of or '?')}): "
        f"{len(changelog.added)} sample(s) added, {len(changelog.removed)} removed.",
    ]
    groups = changelog.by_collection()
    if groups:
        lines += ["", "| Collection | Added | Removed | Why removed |", "| --- | ---: | ---: | --- |"]
        for collection, (added, removed) in groups.items():
            reasons: dict[str, int] = {}
            for change in removed:
                reasons[change.why] = reasons.get(change.why, 0) + 1
            why = ", ".join(f"{md(r)} ({n})" for r, n in sorted(reasons.items())) or "–"
            lines.append(f"| {md(collection)} | {len(added)} | {len(removed)} | {why} |")
    return lines


def changelog_section(changelog: Changelog) -> str:
    """This release's section of CHANGELOG.md: the summary, then every item added or removed."""
    lines = [f"## {_heading(changelog)}", "", *changelog_summary(changelog), ""]
    if changelog.previous is not None:
        for collection, (added, removed) in changelog.by_collection().items():
            lines += [f"### {md(collection)}", ""]
            if added:
                lines += ["Added:", ""] + [f"- {md(c.id)}: {md(c.why)}" for c in added] + [""]
            if removed:
                lines += ["Removed:", ""] + [f"- {md(c.id)}: {md(c.why)}" for c in removed] + [""]
    return "\n".join(lines).rstrip() + "\n"


def changelog_markdown(changelog: Changelog, previous_text: str | None = None) -> str:
    """CHANGELOG.md: this release's section first, then the sections of earlier releases."""
    earlier = ""
    if previous_text:
        start = previous_text.find("\n## ")
        earlier = previous_text[start + 1 :] if start >= 0 else ""
    text = "# Changelog\n\nNewest release first. Each release is compared with the one before it.\n\n"
    text += changelog_section(changelog)
    return text + ("\n" + earlier.rstrip() + "\n" if earlier.strip() else "")
