"""pdpack review: the items that wait for a steward's decision in review.csv, with their evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from packager.builder.stream import run
from packager.cli.common import (
    COLLECTIONS,
    INCLUDE_EXAMPLES,
    command_settings,
    load_or_exit,
    print_collection_header,
    result_id,
)
from packager.cli.echo import say
from packager.cli.errors import fail
from packager.cli.options import (
    WORKERS,
    fetch_options,
    rights_options,
)
from packager.model import REGISTRY, ManifestError, Rejection
from packager.outputs.explain import evidence_line
from packager.outputs.validate_report import unapplied_reviews
from packager.rights.review import COLUMNS as REVIEW_COLUMNS
from packager.rights.review import REVIEW_FILE, review_rows, template_row

# What a steward's decision can settle: doubt with a plain ship, a claim of copyright with an override.
REVIEWABLE = tuple(code for code, reason in REGISTRY.items() if reason.steward)
OVERRIDE_ONLY = ("rights:not-public-domain",)


def _settleable(rejection: Rejection) -> str | None:
    """The reason a steward's decision could settle, from the item's reason or a problem found with it."""
    reasons = [rejection.reason, *(finding["reason"] for finding in rejection.also)]
    return next((r for r in reasons if r in REVIEWABLE or r in OVERRIDE_ONLY), None)


@click.command()
@COLLECTIONS
@WORKERS
@rights_options
@INCLUDE_EXAMPLES
@click.option(
    "--template",
    is_flag=True,
    help=f"Print the items that have no row in {REVIEW_FILE} yet as rows to fill in, instead of a report.",
)
@fetch_options
def review(
    folders: tuple[Path, ...],
    workers: int,
    policy: str,
    as_of: str | None,
    include_examples: bool,
    template: bool,
    **options: Any,
) -> None:
    """List the items of a collection that wait for a steward's decision, with the evidence.

    Items that are undetermined, public domain in some places only, restricted
    (NoC-NC, NoC-CR, NoC-OKLR), in conflict, or carry Local Contexts notices
    are held until a steward decides; in-copyright items are listed too, as
    only an override can ship them. Record decisions in review.csv beside the
    manifest, one row per item:

    \b
      id,decision,reviewer,date,note,override,overrules
      1923.45,ship,J. Smith,2026-12-01,Creator died 1890 per museum file,no,

    A decision to ship settles doubt. It overrules an in-copyright or licence
    statement, a copyright notice (copyright_notice, embedded, notice) or a term still
    running (term:XX) only with override=yes, a note, and each such finding
    named in overrules; every override is listed in the build report. A row
    whose decision is empty waits: it changes nothing until it is filled in.

    --template prints only the items without a row in review.csv, with the
    header line when review.csv is empty or missing, so appending works on the
    first run and on every later one.

    \b
    Examples:
      pdpack review my-collection/
      pdpack review my-collection/ --template >> my-collection/review.csv
    """
    collections = load_or_exit(folders, include_examples=include_examples)
    if template and len(collections) > 1:
        names = ", ".join(c.id for c in collections)
        raise click.UsageError(f"--template writes rows for one {REVIEW_FILE}: give one collection folder ({names})")
    waiting: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    held: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    seen: dict[str, set[str]] = {c.id: set() for c in collections}
    try:
        for collection, result in run(collections, command_settings(policy=policy, as_of=as_of, **options), workers):
            seen[collection.id].add(result_id(result))
            if isinstance(result, Rejection):
                held[collection.id].append(result)
                if _settleable(result):
                    waiting[collection.id].append(result)
    except ManifestError as exc:
        fail(exc)
    if template:
        (collection,) = collections
        path = collection.root / REVIEW_FILE
        rows = review_rows(collection)
        text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
        if not text.strip():
            say(",".join(REVIEW_COLUMNS))  # the shell's `>>` has made the file, empty, before this runs
        elif not text.endswith(("\n", "\r")):
            say()  # end the last line, so the first new row does not join it
        today = dt.date.today().isoformat()
        for rejection in waiting[collection.id]:
            if rejection.id not in rows:
                say(template_row(rejection.id, today))
        already = sum(1 for r in waiting[collection.id] if r.id in rows)
        if already:
            say(f"{already} waiting item(s) already have a row in {path}; not repeated.", err=True)
        return
    for collection in collections:
        rows = review_rows(collection)
        undecided = [r for r in waiting[collection.id] if rows.get(r.id) is None or not rows[r.id]]
        print_collection_header(collection)
        say(f"  {len(undecided)} item(s) wait for a decision in {collection.root / REVIEW_FILE}.")
        for rejection in undecided:
            reason = _settleable(rejection)
            say()
            pending = f"; {REVIEW_FILE} has its row, with no decision yet" if rejection.id in rows else ""
            say(f"  {rejection.id} (row {rejection.row}): {reason}{pending}")
            if reason in OVERRIDE_ONLY:
                say("    only override=yes, a note and the findings named in overrules can ship it")
            say(f"    {rejection.message}")
            if rejection.fix:
                say(f"    what to do: {rejection.fix}")
            for evidence in rejection.evidence:
                say(f"    - {evidence_line(evidence, collection)}")
            for finding in rejection.also:
                say(f"    also {finding['reason']}: {finding['message']}")
        say()
        for line in unapplied_reviews(collection, held[collection.id], seen[collection.id]):
            say(line)
