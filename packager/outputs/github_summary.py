"""``validate --format github`` in a job: the first problems of each file as annotations, all of them in the summary.

GitHub shows at most 10 error and 10 warning annotations per step, so one annotation per held item loses
everything after the tenth. Each manifest file therefore gets its first ``ANNOTATIONS_PER_FILE`` problems as
annotations (the ones to fix in the files first) and a notice saying how many more there are; the whole table,
every held item and every problem found beside it, goes to the job summary (``$GITHUB_STEP_SUMMARY``, Markdown).
Every cell from a manifest goes through ``md``: a title cannot become a heading, a link, HTML or a cell break.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from packager.markdown import md
from packager.model import REGISTRY, Collection, Rejection

ANNOTATIONS_PER_FILE = 5
# A table this long is read locally anyway (`pdpack validate` prints every item).
ROWS_PER_COLLECTION = 2000
# GitHub refuses a step's summary over 1 MiB, and the action validates every folder in one step.
SUMMARY_LIMIT = 1_000_000
CUT_NOTE = (
    "\n**The summary stops here:** GitHub keeps at most 1 MiB of summary per step. "
    "Run `pdpack validate` on the folder to see the rest.\n"
)
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def must_fix(rejection: Rejection) -> bool:
    """Whether the item has a problem to fix in the files, as its reason or found beside it."""
    reasons = [rejection.reason, *(finding["reason"] for finding in rejection.also)]
    return any(REGISTRY[reason].fails_check for reason in reasons if reason in REGISTRY)


def in_manifest_order(held: Sequence[Rejection]) -> list[Rejection]:
    """By row (entries without a row, such as IIIF canvases, last, by id): the same order however many workers."""
    return sorted(held, key=lambda r: (r.row is None, r.row or 0, r.id))


def annotated_first(held: Sequence[Rejection]) -> tuple[list[Rejection], int]:
    """(the items to annotate: problems to fix first, then the others, in manifest order; how many are left)."""
    ordered = sorted(in_manifest_order(held), key=lambda r: not must_fix(r))
    return ordered[:ANNOTATIONS_PER_FILE], max(len(ordered) - ANNOTATIONS_PER_FILE, 0)


def summary_path() -> Path | None:
    """The job summary file when running in GitHub Actions, else None."""
    value = os.environ.get(SUMMARY_ENV, "").strip()
    return Path(value) if value else None


def _cell(text: object) -> str:
    return md(text) or " "


def collection_summary(collection: Collection, manifest: str, shipped: int, held: Sequence[Rejection]) -> str:
    """One collection's section of the job summary: the counts, then every held item and problem in a table.

    ``manifest``: the manifest's path as the annotations give it (relative to the working directory).
    """
    fix = sum(1 for r in held if must_fix(r))
    lines = [
        f"### {_cell(collection.id)}: {_cell(collection.title)}",
        "",
        f"{shipped} item(s) would ship, {len(held)} would be held back; {fix} of them have a problem to fix in "
        f"the files. Manifest: {_cell(manifest)}.",
        "",
    ]
    if not held:
        return "\n".join(lines) + "\n"
    lines += ["| Row | Id | Problem | What it says | What to do |", "| ---: | --- | --- | --- | --- |"]
    rows = 0
    for rejection in in_manifest_order(held):
        for reason, message, prefix, own_fix in [
            (rejection.reason, rejection.message, "", rejection.fix),
            *((f["reason"], f["message"], "also ", None) for f in rejection.also),
        ]:
            rows += 1
            if rows > ROWS_PER_COLLECTION:
                continue
            advice = own_fix or (REGISTRY[reason].explanation if reason in REGISTRY else "")
            level = "error" if reason in REGISTRY and REGISTRY[reason].fails_check else "warning"
            lines.append(
                f"| {rejection.row if rejection.row is not None else ''} | {_cell(rejection.id)} | "
                f"{prefix}{_cell(reason)} ({level}) | {_cell(message)} | {_cell(advice)} |"
            )
    if rows > ROWS_PER_COLLECTION:
        lines.append("")
        lines.append(
            f"The table stops after {ROWS_PER_COLLECTION} rows; {rows - ROWS_PER_COLLECTION} more are left out. "
            "Run `pdpack validate` on the folder to see every one."
        )
    return "\n".join(lines) + "\n"


def verdict(to_fix: int, held: int, strict: bool) -> str:
    """The check's outcome in one sentence, by the rule ``validate`` exits by (the same in every format)."""
    if to_fix:
        return f"**The check fails:** {to_fix} item(s) have a problem to fix in the files."
    if strict and held:
        return f"**The check fails** (strict): {held} item(s) would be held back."
    if held:
        return (
            f"The check passes: nothing to fix in the files. {held} item(s) would be held back for rights, "
            "review or information reasons: read them below."
        )
    return "The check passes: every item would ship."


def write_summary(sections: Sequence[str], outcome: str) -> None:
    """Append the check's outcome and sections to the job summary (nothing outside GitHub Actions)."""
    path = summary_path()
    if path is None:
        return
    text = "\n".join(["## pdpack validate", "", outcome, "", *sections]) + "\n"
    used = path.stat().st_size if path.is_file() else 0
    budget = SUMMARY_LIMIT - used
    if len(text.encode("utf-8")) > budget:
        room = max(budget - len(CUT_NOTE.encode("utf-8")), 0)
        kept = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
        text = (kept[: kept.rfind("\n") + 1] if "\n" in kept else "") + CUT_NOTE if room else ""
    if text:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)


def manifest_error_summary(file: str, line: int | None, message: str) -> str:
    """The summary section for a collection that could not be read at all (``file`` as the annotation gives it)."""
    where = _cell(file) + (f", line {line}" if line is not None else "")
    return f"### Manifest error\n\n{where}: {_cell(message)}\n"
