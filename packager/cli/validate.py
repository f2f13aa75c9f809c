"""pdpack validate: check collection folders and every item in them, writing nothing."""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from packager.builder.dedup import Deduplicator
from packager.builder.stages import NOT_FETCHED, Result
from packager.builder.stream import run
from packager.cli.common import (
    COLLECTIONS,
    INCLUDE_EXAMPLES,
    command_settings,
    load_or_exit,
    print_collection_header,
    print_explanation,
    relative,
    report_manifest_error,
    result_id,
)
from packager.cli.echo import say
from packager.cli.errors import CHECK_FAILED, exit_status
from packager.cli.options import (
    WORKERS,
    fetch_options,
    rights_options,
)
from packager.cli.progress import Progress
from packager.manifest.collection import Collection
from packager.model import ManifestError, Rejection
from packager.outputs.attribution import acquisition_credit_warning
from packager.outputs.github_summary import (
    annotated_first,
    collection_summary,
    must_fix,
    verdict,
    write_summary,
)
from packager.outputs.validate_report import held_lines, summary_lines, unapplied_reviews
from packager.sample import Sample
from packager.textsafe import workflow_data, workflow_property


@click.command()
@COLLECTIONS
@WORKERS
@rights_options
@INCLUDE_EXAMPLES
@click.option("--strict", is_flag=True, help="Exit with status 1 if any item would be held back.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help=(
        "'github' also prints GitHub Actions annotations on the manifest's file and row (the first problems of "
        "each file) and writes the whole table to the job summary. The exit status is the same in both formats."
    ),
)
@click.option(
    "--explain",
    "explain_ids",
    multiple=True,
    metavar="ID",
    help="Print every piece of rights evidence for this item id, and which source decided (repeatable).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Download nothing: URL items are checked for rights, form and address only, their images when "
    "the collection is built (what the pull-request check does).",
)
@fetch_options
def validate(
    folders: tuple[Path, ...],
    workers: int,
    policy: str,
    as_of: str | None,
    include_examples: bool,
    strict: bool,
    output_format: str,
    explain_ids: tuple[str, ...],
    **options: Any,
) -> None:
    """Check collection folders and every item in them, without writing anything.

    Reads collection.yaml and the item manifest, checks each item's path,
    image and rights, and says which items would ship and which would be held
    back, and why.

    Exits with status 1 when a manifest cannot be read or an item has a
    problem to fix in the files (a missing or broken file, a bad row, an
    address that does not answer): the same in both --format's. Rights,
    review and information outcomes exit 0, unless --strict.

    \b
    Examples:
      pdpack validate manifests/examples/nasa-spacex/
      pdpack validate my-collection/ --explain 1923.45 --as-of 2027-01-01
      pdpack validate manifests/my-museum/ --format github --offline   # in a CI workflow
    """
    github = output_format == "github"
    collections = load_or_exit(folders, github, include_examples)
    tallies: dict[str, Counter[str]] = {c.id: Counter() for c in collections}
    held: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    seen: dict[str, set[str]] = {c.id: set() for c in collections}
    explained: list[tuple[Collection, Result]] = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pdpack-validate-") as scratch,
            Progress(collections, desc="checking", shipped="would ship") as progress,
        ):
            # The same duplicate check as a build, so validate and build agree on what ships.
            settings = command_settings(policy=policy, as_of=as_of, **options)
            dedup = Deduplicator(Path(scratch) / "dedup.sqlite", settings.near_duplicates)
            results = run(collections, settings, workers)
            for position, (collection, result) in enumerate(results):
                outcome: Result = result
                if isinstance(result, Sample):
                    outcome = dedup.check(position, result) or result
                progress.update(collection, outcome)
                seen[collection.id].add(result_id(outcome))
                if result_id(outcome) in explain_ids:
                    explained.append((collection, outcome))
                if isinstance(outcome, Rejection) and outcome.reason == NOT_FETCHED:
                    tallies[collection.id]["not fetched"] += 1
                elif isinstance(outcome, Rejection):
                    tallies[collection.id]["held back"] += 1
                    held[collection.id].append(outcome)
                else:
                    tallies[collection.id]["ship"] += 1
            dedup.close()
    except ManifestError as exc:
        report_manifest_error(exc, github)
        sys.exit(exit_status(exc))
    # One rule whatever the format: a problem to fix in the files fails; a rights outcome fails only with --strict.
    to_fix = sum(1 for rejections in held.values() for r in rejections if must_fix(r))
    failed = to_fix > 0
    if github:
        sections = []
        for collection in sorted(collections, key=lambda c: c.id):
            for line in _annotations(collection, held[collection.id]):
                click.echo(line)
            where, shipped = relative(collection.manifest), tallies[collection.id]["ship"]
            sections.append(collection_summary(collection, where, shipped, held[collection.id]))
        write_summary(sections, verdict(to_fix, sum(len(r) for r in held.values()), strict))
    for collection in sorted(collections, key=lambda c: c.id):
        print_collection_header(collection)
        credit_warning = acquisition_credit_warning(collection)
        if credit_warning:
            say(f"  warning: {credit_warning}")
        tally = tallies[collection.id]
        say(f"  {tally['ship']} item(s) would ship, {tally['held back']} would be held back.")
        if tally["not fetched"]:
            say(
                f"  {tally['not fetched']} URL item(s) not downloaded (--offline): their rights and addresses "
                "pass; their images are checked when the collection is built."
            )
        say()
        for line in held_lines(held[collection.id]):
            say(line)
        for line in unapplied_reviews(collection, held[collection.id], seen[collection.id]):
            say(line)
    everything = [r for c in sorted(collections, key=lambda c: c.id) for r in held[c.id]]
    for line in summary_lines(everything):
        say(line)
    if everything:
        say()
    for collection, result in explained:
        print_explanation(collection, result)
    missing = sorted(set(explain_ids) - {result_id(r) for _, r in explained})
    if missing:
        say(f"No item with id {', '.join(missing)} in these collections.", err=True)
        sys.exit(CHECK_FAILED)
    if failed:
        say(f"{to_fix} item(s) have a problem to fix in the files: exit status 1.")
        sys.exit(CHECK_FAILED)
    if strict and any(held.values()):
        sys.exit(CHECK_FAILED)


def _annotations(collection: Collection, held: Sequence[Rejection]) -> list[str]:
    """The manifest's first problems as annotations, and a notice of how many more the job summary lists."""
    shown, more = annotated_first(held)
    lines = [_annotation(collection, rejection) for rejection in shown]
    if more:
        where = f"file={workflow_property(relative(collection.manifest))}"
        lines.append(
            f"::notice {where},title={workflow_property(f'{more} more held-back item(s)')}::"
            f"{more} more held-back item(s) in this file are not annotated (GitHub shows 10 errors and 10 "
            "warnings per step): the job summary lists every one."
        )
    return lines


def _annotation(collection: Collection, rejection: Rejection) -> str:
    # Problems to fix in the files are errors; rights outcomes are warnings: they are often exactly
    # right (an in-copyright work held back), but worth a look on the pull request.
    level = "error" if must_fix(rejection) else "warning"
    where = f"file={workflow_property(relative(collection.manifest))}"
    if rejection.row is not None and not collection.manifest.is_dir():
        where += f",line={rejection.row}"
    title = workflow_property(f"{rejection.id}: {rejection.reason}")
    message = workflow_data(f"{rejection.message} What to do: {rejection.fix or rejection.advice}")
    return f"::{level} {where},title={title}::{message}"
