"""The ``pdpack`` command: parse options, call the library, print what happened."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import click

from packager.builder import checkpoint
from packager.builder.config import Settings, require_tools
from packager.builder.dedup import Deduplicator
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.run import build, load_collections
from packager.builder.stages import NOT_FETCHED, Result, run
from packager.builder.target import is_url, storage_option
from packager.cli.echo import say, say_message
from packager.cli.init import init_command
from packager.cli.options import (
    ENGINE,
    RAY_ADDRESS,
    WORKERS,
    build_options,
    fetch_options,
    rights_options,
    settings_from_options,
)
from packager.manifest.collection import COLLECTION_FILE, Collection, count_entries
from packager.manifest.discovery import expand
from packager.model import REGISTRY, ManifestError, MissingTool, ModelError, Rejection, ResumeError
from packager.outputs.attribution import acquisition_credit_warning
from packager.outputs.github_summary import (
    annotated_first,
    collection_summary,
    manifest_error_summary,
    must_fix,
    verdict,
    write_summary,
)
from packager.outputs.report_html import REPORT_FILE, held_back_pictures
from packager.outputs.validate_report import held_lines, summary_lines, unapplied_reviews
from packager.rights.review import COLUMNS as REVIEW_COLUMNS
from packager.rights.review import REVIEW_FILE, review_rows, template_row
from packager.sample import Sample, Shipped
from packager.textsafe import workflow_data, workflow_property
from packager.version import __version__

# A collection folder, or a folder of collections: every folder below it with a collection.yaml.
COLLECTIONS = click.argument(
    "folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)

INCLUDE_EXAMPLES = click.option(
    "--include-examples",
    is_flag=True,
    help="Given a folder of collections, also take those in its examples/ folder (the bundled samples).",
)


def _settings(**options: Any) -> Settings:
    """The build configuration from the command's options, once this machine has what it needs."""
    settings = settings_from_options(**options)
    try:
        require_tools(settings)
    except MissingTool as exc:
        say_message(f"Error: {exc}", err=True)
        sys.exit(1)
    return settings


class Progress:
    """Progress on stderr while items are processed: items, rate, ETA, samples and bytes shipped.

    On a terminal, a bar. Elsewhere (CI logs, pipes) a line every ``PDPACK_PROGRESS_SECONDS``
    seconds (default 30), so a long run shows it is alive without filling the log. The total
    is counted on a thread, so a long manifest does not delay the start.
    """

    def __init__(
        self, collections: Sequence[Collection] = (), desc: str = "building", shipped: str = "shipped"
    ) -> None:
        self.bar: Any = None
        self.collections = list(collections)
        self.counter: threading.Thread | None = None
        self.desc = desc
        self.shipped_word = shipped
        self.shipped = 0
        self.shipped_bytes = 0
        self.done = 0
        self.total: int | None = None
        self.interval = _progress_interval()
        self.last_line = time.monotonic()

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" items", desc=self.desc, file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
        if self.collections:
            self.counter = threading.Thread(target=self._count, name="pdpack-count-items", daemon=True)
            self.counter.start()
        return self

    def start_at(self, done: int) -> None:
        """Start the count at ``done`` items (a resumed build), so the bar ends at 100%."""
        self.done = done
        if self.bar is not None:
            self.bar.n = self.bar.initial = done
            self.bar.refresh()

    def _count(self) -> None:
        try:
            total = sum(count_entries(collection) for collection in self.collections)
        except (OSError, ManifestError):
            return  # the run reports the manifest's problem; progress just goes without an ETA
        self.total = total
        if self.bar is not None:
            self.bar.total = total

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def update(self, collection: Collection, result: Result | Shipped) -> None:
        self.done += 1
        if isinstance(result, Sample | Shipped):
            self.shipped += 1
            self.shipped_bytes += result.image_bytes if isinstance(result, Shipped) else len(result.image)
        if self.bar is not None:
            self.bar.set_postfix_str(
                f"{collection.id}: {self.shipped:,} {self.shipped_word}, {self.shipped_bytes / 1e6:,.1f} MB",
                refresh=False,
            )
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval:
            self.last_line = now
            of = f" of {self.total:,}" if self.total else ""
            say(
                f"{self.desc}: {self.done:,}{of} items, {self.shipped:,} {self.shipped_word} ({collection.id})",
                err=True,
            )


def _progress_interval() -> float:
    """Seconds between progress lines when stderr is not a terminal (PDPACK_PROGRESS_SECONDS, default 30)."""
    try:
        return max(0.0, float(os.environ.get("PDPACK_PROGRESS_SECONDS", "30")))
    except ValueError:
        return 30.0


class LazyGroup(click.Group):
    """A group whose publishing commands are imported when they run (or are listed by --help).

    They bring in huggingface_hub, which a build does not need: every ``pdpack build`` (and each
    process that starts its workers) would otherwise pay for importing it.
    """

    lazy_commands: ClassVar[dict[str, str]] = {
        "push": "packager.cli.push:push",
        "release": "packager.cli.release:release",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pdpack")
def cli() -> None:
    """pdpack turns collections contributed by cultural institutions into
    public-domain image-text datasets (WebDataset shards) with rights evidence
    and attribution for every sample.

    \b
    Typical use:
      pdpack validate my-collection/
      pdpack build my-collection/ other-collection/ --out dist/
    """


@cli.command()
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
    collections = _load_or_exit(folders, github, include_examples)
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
            settings = _settings(policy=policy, as_of=as_of, **options)
            dedup = Deduplicator(Path(scratch) / "dedup.sqlite", settings.near_duplicates)
            results = run(collections, settings, workers)
            for position, (collection, result) in enumerate(results):
                outcome: Result = result
                if isinstance(result, Sample):
                    outcome = dedup.check(position, result) or result
                progress.update(collection, outcome)
                seen[collection.id].add(_result_id(outcome))
                if _result_id(outcome) in explain_ids:
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
        _report_manifest_error(exc, github)
        sys.exit(1)
    # One rule whatever the format: a problem to fix in the files fails; a rights outcome fails only with --strict.
    to_fix = sum(1 for rejections in held.values() for r in rejections if must_fix(r))
    failed = to_fix > 0
    if github:
        sections = []
        for collection in sorted(collections, key=lambda c: c.id):
            for line in _annotations(collection, held[collection.id]):
                click.echo(line)
            where, shipped = _relative(collection.manifest), tallies[collection.id]["ship"]
            sections.append(collection_summary(collection, where, shipped, held[collection.id]))
        write_summary(sections, verdict(to_fix, sum(len(r) for r in held.values()), strict))
    for collection in sorted(collections, key=lambda c: c.id):
        _print_collection_header(collection)
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
        _print_explanation(collection, result)
    missing = sorted(set(explain_ids) - {_result_id(r) for _, r in explained})
    if missing:
        say(f"No item with id {', '.join(missing)} in these collections.", err=True)
        sys.exit(1)
    if failed:
        say(f"{to_fix} item(s) have a problem to fix in the files: exit status 1.")
        sys.exit(1)
    if strict and any(held.values()):
        sys.exit(1)


# What a steward's decision can settle: doubt with a plain ship, a claim of copyright with an override.
REVIEWABLE = tuple(code for code, reason in REGISTRY.items() if reason.steward)
OVERRIDE_ONLY = ("rights:not-public-domain",)


def _settleable(rejection: Rejection) -> str | None:
    """The reason a steward's decision could settle, from the item's reason or a problem found with it."""
    reasons = [rejection.reason, *(finding["reason"] for finding in rejection.also)]
    return next((r for r in reasons if r in REVIEWABLE or r in OVERRIDE_ONLY), None)


@cli.command()
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
    collections = _load_or_exit(folders, include_examples=include_examples)
    if template and len(collections) > 1:
        names = ", ".join(c.id for c in collections)
        raise click.UsageError(f"--template writes rows for one {REVIEW_FILE}: give one collection folder ({names})")
    waiting: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    held: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    seen: dict[str, set[str]] = {c.id: set() for c in collections}
    try:
        for collection, result in run(collections, _settings(policy=policy, as_of=as_of, **options), workers):
            seen[collection.id].add(_result_id(result))
            if isinstance(result, Rejection):
                held[collection.id].append(result)
                if _settleable(result):
                    waiting[collection.id].append(result)
    except ManifestError as exc:
        say_message(f"Error: {exc}", err=True)
        sys.exit(1)
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
        _print_collection_header(collection)
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
                say(f"    - {_evidence_line(evidence)}")
            for finding in rejection.also:
                say(f"    also {finding['reason']}: {finding['message']}")
        say()
        for line in unapplied_reviews(collection, held[collection.id], seen[collection.id]):
            say(line)


@cli.command(name="build")
@COLLECTIONS
@click.option(
    "--out",
    "-o",
    default="dist",
    show_default=True,
    help="Folder to write shards and reports into, or an fsspec URL (s3://bucket/prefix: pip install "
    "'pd-packager[s3]'), which each worker writes its partitions to.",
)
@click.option(
    "--storage-option",
    "storage_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An fsspec option for a URL --out (repeatable), e.g. endpoint_url=http://127.0.0.1:9000; "
    "VALUE is read as JSON where it is JSON. Credentials are best left to the environment (AWS_* variables).",
)
@WORKERS
@build_options
@click.option("--resume", is_flag=True, help="Finish an interrupted build in --out instead of starting over.")
@click.option(
    "--previous",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An earlier build or release folder: every partition whose inputs are unchanged is taken from it "
    "without decoding (it may be --out itself).",
)
@click.option(
    "--for-publication",
    is_flag=True,
    help="Write a report.html that pictures only what ships, so the folder can be pushed. Without it the report "
    "also pictures held-back items from your files, marked not for publication, and push refuses it.",
)
@ENGINE
@RAY_ADDRESS
@click.option(
    "--takedowns",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A takedowns.csv (collection,id,sha256,date,reason): listed items never ship.",
)
@INCLUDE_EXAMPLES
def build_command(
    folders: tuple[Path, ...],
    out: str,
    storage_options: tuple[str, ...],
    workers: int,
    resume: bool,
    previous: Path | None,
    for_publication: bool,
    engine_name: str,
    ray_address: str | None,
    takedowns: Path | None,
    include_examples: bool,
    **options: Any,
) -> None:
    """Build WebDataset shards from one or more collection folders.

    Every item ends in exactly one place: a sample in data/COLLECTION/PARTITION-NNN.tar,
    or a line in rejected.jsonl with the reason. The output is the same, byte
    for byte, whatever the number of workers.

    \b
    Writes into --out:
      data/COLLECTION/PART-000.tar      samples: KEY.jpg|png|webp, KEY.txt, KEY.json
      data/COLLECTION/PART-000.parquet  one row per sample in that shard
      report.json                counts per collection, verdict and reason; shard list
      rejected.jsonl             one line per item held back, with the reason
      ATTRIBUTION.md             credits per institution
      report.html                the same for people: charts, pictures, what to fix
                                 (held-back items pictured for staff only: see --for-publication)
      README.md                  a minimal card: datasets.load_dataset(OUT) reads the shards

    \b
    Examples:
      pdpack build manifests/examples/* --out dist/
      pdpack build my-collection/ --out dist/ --workers 4 --shard-max-size 500MB
      pdpack build my-collection/ --policy GB --as-of 2027-01-01
      pdpack build my-collection/ --max-side 512 --encode webp --quality 85
      pdpack build my-collection/ --out dist/ --resume     # after an interruption
      pdpack build manifests/ --out s3://bucket/builds/2026.12   # each worker uploads its partitions
      pdpack build manifests/ --engine ray --ray-address auto --workers 64   # every collection below
      pdpack build my-collection/ --captions best --caption-model coca_ViT-B-32 \\
          --caption-pretrained /models/coca.pt --score-model ViT-B-32 --min-alignment 0.2
    """
    destination = _destination(out, storage_options, resume, previous)
    collections = _load_or_exit(folders, include_examples=include_examples)
    settings = _settings(takedowns=str(takedowns) if takedowns is not None else None, **options)
    try:
        engine = make_engine(engine_name, workers, ray_address, preload=WORKER_MODULES)
    except (ValueError, RuntimeError, ImportError) as exc:
        raise click.UsageError(str(exc)) from exc
    if isinstance(destination, Path) and resume and checkpoint.load(destination) is None:
        say(f"Nothing to resume in {out} (no interrupted build there): building from the start.", err=True)
    engine.start()
    try:
        with engine, Progress(collections) as progress:

            def resuming(point: checkpoint.Checkpoint) -> None:
                say(
                    f"Resuming the interrupted build in {out}: {point.consumed:,} item(s) are done, in "
                    f"{len(point.shards)} complete shard(s); carrying on from there.",
                    err=True,
                )
                progress.start_at(point.consumed)

            report = build(
                collections,
                destination,
                settings,
                workers,
                on_result=progress.update,
                resume=resume,
                engine=engine,
                for_publication=for_publication,
                on_resume=resuming,
                previous=previous,
                storage_options=dict(storage_option(o) for o in storage_options),
            )
    except KeyboardInterrupt:
        _say_interrupted(destination)
        sys.exit(130)
    except (ManifestError, ResumeError) as exc:
        say_message(f"Error: {exc}", err=True)
        sys.exit(1)
    except ModelError as exc:
        say_message(f"Error: {exc}", err=True)
        sys.exit(2)
    except (OSError, sqlite3.Error) as exc:
        # A full disk or a file-size limit: nothing half-written is left as if complete.
        advice = (
            "Free space, then run again with --resume."
            if isinstance(destination, Path)
            else "Check the bucket, the address and the credentials (--storage-option, AWS_* variables), "
            "then run again."
        )
        say(f"Error: could not write to {out}: {getattr(exc, 'strerror', None) or exc}. {advice}", err=True)
        sys.exit(1)
    _print_build_summary(report, destination)


def _destination(out: str, storage_options: tuple[str, ...], resume: bool, previous: Path | None) -> Path | str:
    """--out as a folder, or as the URL it is; the URL's limits stopped before anything is loaded."""
    if not is_url(out):
        if Path(out).is_file():
            raise click.BadParameter(f"{out} is a file; give a folder or a URL", param_hint="--out")
        return Path(out)
    if resume or previous is not None:
        raise click.UsageError("--resume and --previous need --out to be a folder, not a URL")
    try:
        for option in storage_options:
            storage_option(option)
        import fsspec

        fsspec.get_filesystem_class(out.split("://", 1)[0])
    except (ValueError, ImportError) as exc:
        raise click.BadParameter(str(exc), param_hint="--out/--storage-option") from exc
    return out


def _say_interrupted(out: Path | str) -> None:
    """What an interrupted build leaves: the items and shards a resume keeps, and how to resume."""
    if not isinstance(out, Path):
        say_message(f"\nInterrupted: a build to a URL cannot be resumed; run the same command again ({out}).", err=True)
        return
    point = checkpoint.load(out)
    if point is None or not point.consumed:
        say_message(
            f"\nInterrupted before the first shard was complete: nothing in {out} is kept yet. "
            "Run the same command again to start over.",
            err=True,
        )
        return
    say_message(
        f"\nInterrupted. {point.consumed:,} item(s) are safe in {out}: {len(point.shards)} complete shard(s) "
        "and their entries in rejected.jsonl. Run the same command with --resume to finish from there.",
        err=True,
    )


class _Url(str):
    """A URL --out, joined with ``/`` as a folder is (for the summary's lines)."""

    def __truediv__(self, name: str) -> str:
        return f"{self.rstrip('/')}/{name}"


def _result_id(result: Result) -> str:
    return result.id if isinstance(result, Rejection) else str(result.metadata["id"])


def _evidence_line(evidence: dict[str, Any]) -> str:
    where = evidence["source"] + (f" {evidence['field']}" if evidence["field"] else "")
    value = f" = {evidence['value']!r}" if evidence["value"] else ""
    return f"[{evidence['status']}] {where}{value}: {evidence['finding']}"


def _print_explanation(collection: Collection, result: Result) -> None:
    say(f"Rights of {collection.id} / {_result_id(result)}:")
    if isinstance(result, Sample):
        rights = result.metadata["rights"]
        places = ", ".join(rights["public_domain_in"])
        say(f"  ships: {rights['status']}, public domain in {places}; decided by {rights['decided_by']}")
        evidence = rights["evidence"]
    else:
        say(f"  held back: {result.reason}: {result.message}")
        evidence = result.evidence
    for item in evidence:
        say(f"  - {_evidence_line(item)}")
    say()


def _load_or_exit(folders: tuple[Path, ...], github: bool = False, include_examples: bool = False) -> list[Collection]:
    """The collections the folders stand for (a folder without collection.yaml: every collection below it)."""
    found, notes = expand(folders, include_examples)
    for note in notes:
        say(note, err=True)
    try:
        if not found:
            raise ManifestError(
                folders[0] if len(folders) == 1 else ", ".join(map(str, folders)),
                f"no collection: give a folder with a {COLLECTION_FILE}, or one with collections below it",
            )
        collections = load_collections(found)
    except ManifestError as exc:
        _report_manifest_error(exc, github)
        sys.exit(1)
    return collections


def _report_manifest_error(exc: ManifestError, github: bool) -> None:
    if github:
        where = f"file={workflow_property(_relative(exc.file))}"
        if exc.line is not None:
            where += f",line={exc.line}"
        click.echo(f"::error {where},title=Manifest error::{workflow_data(str(exc))}")
        outcome = "**The check fails:** a collection could not be read."
        write_summary([manifest_error_summary(_relative(exc.file), exc.line, str(exc))], outcome)
    say_message(f"Error: {exc}", err=True)


def _relative(path: str | Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _annotations(collection: Collection, held: Sequence[Rejection]) -> list[str]:
    """The manifest's first problems as annotations, and a notice of how many more the job summary lists."""
    shown, more = annotated_first(held)
    lines = [_annotation(collection, rejection) for rejection in shown]
    if more:
        where = f"file={workflow_property(_relative(collection.manifest))}"
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
    where = f"file={workflow_property(_relative(collection.manifest))}"
    if rejection.row is not None and not collection.manifest.is_dir():
        where += f",line={rejection.row}"
    title = workflow_property(f"{rejection.id}: {rejection.reason}")
    message = workflow_data(f"{rejection.message} What to do: {rejection.fix or rejection.advice}")
    return f"::{level} {where},title={title}::{message}"


def _print_collection_header(collection: Collection) -> None:
    say(f"{collection.id}: {collection.title} ({collection.institution.name})")
    say(f"  manifest: {collection.manifest}")
    for warning in collection.warnings:
        say(f"  warning: {warning}")
    for note in collection.notes:
        say(f"  note: {note}")


def _print_build_summary(report: dict[str, Any], destination: Path | str) -> None:
    out = destination if isinstance(destination, Path) else _Url(destination)
    totals = report["totals"]
    say(
        f"Built {totals['shipped']} sample(s) from {totals['items']} item(s) "
        f"in {totals['shards']} shard(s), {totals['bytes']:,} bytes, into {str(out).rstrip('/')}/"
    )
    for c in report["collections"]:
        reasons = ", ".join(f"{code} {n}" for code, n in c["rejected_by_reason"].items())
        say(f"  {c['id']}: {c['shipped']} shipped, {c['rejected']} held back" + (f" ({reasons})" if reasons else ""))
    for shard in report["shards"]:
        say(f"  {shard['name']}: {shard['count']} samples, {shard['bytes']:,} bytes")
    if totals["rejected"]:
        say(f"Held-back items and reasons: {out / 'rejected.jsonl'}")
    say(f"Report with pictures, for people: {out / 'report.html'}")
    page = out / REPORT_FILE
    pictured = held_back_pictures(page.read_text(encoding="utf-8")) if isinstance(page, Path) and page.is_file() else 0
    if pictured:
        say(
            f"  It pictures {pictured} held-back item(s) for you: not for publication (push refuses it; "
            "see --for-publication)."
        )


cli.add_command(init_command)


def main() -> None:
    cli()


__all__ = ["Result", "cli", "main"]


if __name__ == "__main__":
    main()
