"""What ``pdpack validate`` prints for people: held-back items grouped by reason, and counts per reason.

Twenty rows with the same problem read as one problem: each reason is printed once with its
advice, then its first few items in full, then the rows of the rest; every problem found
alongside an item's reason is listed under it, so one pass shows everything to fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from packager.manifest.collection import Collection
from packager.model import REGISTRY, Rejection
from packager.rights.review import REVIEW_FILE, load_reviews

# Items printed in full per reason; the rest are named by row.
SHOWN_PER_REASON = 5


def _rows(rejections: Sequence[Rejection]) -> str:
    """``rows 7–9, 12`` (runs of rows joined), or the ids for entries without a row (IIIF canvases)."""
    rows = sorted({r.row for r in rejections if r.row is not None})
    parts: list[str] = []
    start = previous = None
    for row in [*rows, None]:
        if row is not None and previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = row
    no_row = [r.id for r in rejections if r.row is None]
    text = ("row " if len(rows) == 1 else "rows ") + ", ".join(parts) if parts else ""
    if no_row:
        text += (", " if text else "") + "ids " + ", ".join(no_row[:10]) + (", …" if len(no_row) > 10 else "")
    return text


def problem_counts(held: Iterable[Rejection]) -> tuple[Counter[str], Counter[str]]:
    """(items held for each reason, further problems of each reason found alongside another)."""
    primary: Counter[str] = Counter()
    alongside: Counter[str] = Counter()
    for rejection in held:
        primary[rejection.reason] += 1
        alongside.update(finding["reason"] for finding in rejection.also)
    return primary, alongside


def held_lines(held: Sequence[Rejection], limit: int = SHOWN_PER_REASON) -> list[str]:
    """The held-back items of one collection, grouped by reason in order of first appearance."""
    groups: dict[str, list[Rejection]] = {}
    for rejection in held:
        groups.setdefault(rejection.reason, []).append(rejection)
    lines: list[str] = []
    for reason, group in groups.items():
        lines.append(f"  {reason}: {len(group)} item(s). What to do: {REGISTRY[reason].explanation}")
        for rejection in group[:limit]:
            row = f" (row {rejection.row})" if rejection.row is not None else ""
            lines.append(f"  - {rejection.id}{row}: {rejection.message}")
            if rejection.fix:
                lines.append(f"      what to do: {rejection.fix}")
            for finding in rejection.also:
                lines.append(f"      also {finding['reason']}: {finding['message']}")
        rest = group[limit:]
        if rest:
            also = sum(len(r.also) for r in rest)
            extra = f" (with {also} further problem(s), counted below)" if also else ""
            lines.append(f"  - and {len(rest)} more with this reason: {_rows(rest)}{extra}")
        lines.append("")
    return lines


def summary_lines(held: Iterable[Rejection]) -> list[str]:
    """Counts per reason for everything checked: the item's reason, and problems found alongside it."""
    primary, alongside = problem_counts(held)
    if not primary:
        return []
    lines = ["Problems by reason:"]
    width = max(len(reason) for reason in {*primary, *alongside})
    for reason in sorted({*primary, *alongside}, key=lambda r: (-primary[r] - alongside[r], r)):
        own, also = primary[reason], alongside[reason]
        counts = f"{own} item(s)" if own else ""
        if also:
            counts += f"{', and ' if own else ''}{also} {'more ' if own else ''}item(s) held for another reason"
        lines.append(f"  {reason:<{width}}  {counts}")
    return lines


def unapplied_reviews(collection: Collection, held: Sequence[Rejection], ids: set[str]) -> list[str]:
    """Decisions to ship in review.csv that did not make the item ship, each with why."""
    reviews = load_reviews(collection)
    lines: list[str] = []
    for rejection in held:
        decision = reviews.get(rejection.id)
        if decision is None or decision.decision != "ship":
            continue
        overrule = next(
            (e for e in rejection.evidence if e.get("source") == "review" and e.get("field") == "override"), None
        )
        if overrule is not None:
            why = f"{overrule['finding']} ({rejection.reason}: {rejection.message})"
        else:
            why = (
                f"the item is held for {rejection.reason}, which a decision to ship cannot settle: {rejection.message}"
            )
        lines.append(f"  {REVIEW_FILE} row {decision.row}: ship {rejection.id!r} is not applied: {why}")
    for decision in sorted(reviews.values(), key=lambda d: d.row):
        if decision.id not in ids:
            lines.append(
                f"  {REVIEW_FILE} row {decision.row}: {decision.id!r} is not an id in {collection.manifest.name}; "
                "the decision is ignored"
            )
    return [*lines, ""] if lines else []
