"""The ``pdpack`` command: parse options, call the library, print what happened."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from packager import __version__
from packager.build import build, load_collections
from packager.collection import Collection, ManifestError
from packager.pipeline import POLICIES, Result, Settings, run
from packager.rejection import REASONS, Rejection
from packager.shards import DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


class ByteSize(click.ParamType):
    """A size in bytes: ``1000000``, ``500MB``, ``1GB``, ``2GiB``."""

    name = "bytes"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a size; write e.g. 1000000, 500MB or 1GB", param, ctx)
        number, unit = float(match.group(1)), (match.group(2) or "").lower()
        base = 1024 if "i" in unit else 1000
        factor = 1 if unit in {"", "b"} else base ** "kmgt".index(unit[0]) * base
        size = int(number * factor)
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        return size


COLLECTIONS = click.argument(
    "folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
WORKERS = click.option(
    "--workers", "-w", default=1, show_default=True, type=click.IntRange(min=1), help="Processes for per-item work."
)
POLICY = click.option(
    "--policy",
    type=click.Choice(sorted(POLICIES)),
    default="worldwide",
    show_default=True,
    help="What ships: 'worldwide' public domain only, or 'us' to add works public domain in the US only.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@POLICY
@click.option("--strict", is_flag=True, help="Exit with status 1 if any item would be held back.")
def validate(folders: tuple[Path, ...], workers: int, policy: str, strict: bool) -> None:
    """Check collection folders and every item in them, without writing anything.

    Reads collection.yaml and the item manifest, checks each item's path,
    image and rights, and says which items would ship and which would be held
    back, and why. Exits with status 1 when a manifest cannot be read (or,
    with --strict, when any item would be held back).

    \b
    Example:
      pdpack validate manifests/examples/nasa-spacex/
    """
    collections = _load_or_exit(folders)
    tallies: dict[str, Counter[str]] = {c.id: Counter() for c in collections}
    held: dict[str, list[Rejection]] = {c.id: [] for c in collections}
    try:
        for collection, result in run(collections, Settings(policy=policy), workers):
            if isinstance(result, Rejection):
                tallies[collection.id]["held back"] += 1
                held[collection.id].append(result)
            else:
                tallies[collection.id]["ship"] += 1
    except ManifestError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    for collection in sorted(collections, key=lambda c: c.id):
        _print_collection_header(collection)
        tally = tallies[collection.id]
        click.echo(f"  {tally['ship']} item(s) would ship, {tally['held back']} would be held back.")
        for rejection in held[collection.id]:
            row = f"row {rejection.row}, " if rejection.row is not None else ""
            click.echo(f"  - {rejection.id} ({row}{rejection.reason}): {rejection.message}")
            click.echo(f"      what to do: {REASONS[rejection.reason]}")
        click.echo()
    if strict and any(held.values()):
        sys.exit(1)


@cli.command(name="build")
@COLLECTIONS
@click.option(
    "--out",
    "-o",
    default="dist",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write shards and reports into.",
)
@WORKERS
@POLICY
@click.option(
    "--shard-max-count",
    default=DEFAULT_MAX_COUNT,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most samples in one shard.",
)
@click.option(
    "--shard-max-size",
    default=DEFAULT_MAX_SIZE,
    show_default=True,
    type=ByteSize(),
    help="Most bytes in one shard (e.g. 1000000, 500MB, 1GB).",
)
def build_command(
    folders: tuple[Path, ...], out: Path, workers: int, policy: str, shard_max_count: int, shard_max_size: int
) -> None:
    """Build WebDataset shards from one or more collection folders.

    Every item ends in exactly one place: a sample in data/train-NNNNNN.tar,
    or a line in rejected.jsonl with the reason. The output is the same, byte
    for byte, whatever the number of workers.

    \b
    Writes into --out:
      data/train-000000.tar      samples: KEY.jpg|png|webp, KEY.txt, KEY.json
      data/train-000000.parquet  one row per sample in that shard
      report.json                counts per collection, verdict and reason; shard list
      rejected.jsonl             one line per item held back, with the reason
      ATTRIBUTION.md             credits per institution

    \b
    Examples:
      pdpack build manifests/examples/* --out dist/
      pdpack build my-collection/ --out dist/ --workers 4 --shard-max-size 500MB
    """
    collections = _load_or_exit(folders)
    settings = Settings(policy=policy)
    try:
        report = build(collections, out, settings, workers, shard_max_count, shard_max_size, on_result=None)
    except ManifestError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    _print_build_summary(report, out)


def _load_or_exit(folders: tuple[Path, ...]) -> list[Collection]:
    try:
        collections = load_collections(folders)
    except ManifestError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    return collections


def _print_collection_header(collection: Collection) -> None:
    click.echo(f"{collection.id}: {collection.title} ({collection.institution.name})")
    click.echo(f"  manifest: {collection.manifest}")
    for warning in collection.warnings:
        click.echo(f"  warning: {warning}")


def _print_build_summary(report: dict[str, Any], out: Path) -> None:
    totals = report["totals"]
    click.echo(
        f"Built {totals['shipped']} sample(s) from {totals['items']} item(s) "
        f"in {totals['shards']} shard(s), {totals['bytes']:,} bytes, into {out}/"
    )
    for c in report["collections"]:
        reasons = ", ".join(f"{code} {n}" for code, n in c["rejected_by_reason"].items())
        click.echo(
            f"  {c['id']}: {c['shipped']} shipped, {c['rejected']} held back" + (f" ({reasons})" if reasons else "")
        )
    for shard in report["shards"]:
        click.echo(f"  {shard['name']}: {shard['count']} samples, {shard['bytes']:,} bytes")
    if totals["rejected"]:
        click.echo(f"Held-back items and reasons: {out / 'rejected.jsonl'}")


def main() -> None:
    cli()


__all__ = ["Result", "cli", "main"]
