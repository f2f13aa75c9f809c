"""pdpack build: collection folders in, WebDataset shards and reports out."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from packager.builder import checkpoint
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.run import build
from packager.builder.target import is_url
from packager.cli.common import (
    COLLECTIONS,
    INCLUDE_EXAMPLES,
    command_settings,
    load_or_exit,
)
from packager.cli.echo import say, say_message
from packager.cli.errors import exit_status, fail
from packager.cli.options import (
    ENGINE,
    RAY_ADDRESS,
    STORAGE_OPTIONS,
    WORKERS,
    build_options,
    folder_or_url,
)
from packager.cli.progress import Progress
from packager.model import ManifestError, ModelError, ResumeError
from packager.outputs.report_data import held_back_pictures
from packager.outputs.report_html import REPORT_FILE


@click.command(name="build")
@COLLECTIONS
@click.option(
    "--out",
    "-o",
    default="dist",
    show_default=True,
    help="Folder to write shards and reports into, or an fsspec URL (s3://bucket/prefix: pip install "
    "'pd-packager[s3]'), which each worker writes its partitions to.",
)
@STORAGE_OPTIONS
@WORKERS
@build_options
@click.option("--resume", is_flag=True, help="Finish an interrupted build in --out instead of starting over.")
@click.option(
    "--previous",
    metavar="FOLDER-OR-URL",
    help="An earlier build or release folder: every partition whose inputs are unchanged is taken from it "
    "without decoding (it may be --out itself). With a URL --out, also an earlier build at a URL on the same "
    "storage, whose shards are copied inside it.",
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
    storage_options: dict[str, Any],
    workers: int,
    resume: bool,
    previous: str | None,
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
      pdpack build manifests/ --out s3://bucket/builds/2027.01 --previous s3://bucket/builds/2026.12
      pdpack build manifests/ --engine ray --ray-address auto --workers 64   # every collection below
      pdpack build my-collection/ --captions best --caption-model coca_ViT-B-32 \\
          --caption-pretrained /models/coca.pt --score-model ViT-B-32 --min-alignment 0.2
    """
    destination = folder_or_url(out, "--out")
    earlier = _previous(previous, destination)
    collections = load_or_exit(folders, include_examples=include_examples)
    settings = command_settings(takedowns=str(takedowns) if takedowns is not None else None, **options)
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
                    f"{point.shards} complete shard(s); carrying on from there.",
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
                previous=earlier,
                storage_options=storage_options,
            )
    except KeyboardInterrupt as exc:
        _say_interrupted(destination)
        sys.exit(exit_status(exc))
    except (ManifestError, ResumeError, ModelError) as exc:
        fail(exc)
    except (OSError, sqlite3.Error) as exc:
        # A full disk or a file-size limit: nothing half-written is left as if complete.
        advice = (
            "Free space, then run again with --resume."
            if isinstance(destination, Path)
            else "Check the bucket, the address and the credentials (--storage-option, AWS_* variables), "
            "then run again."
        )
        fail(exc, f"could not write to {out}: {getattr(exc, 'strerror', None) or exc}. {advice}")
    _print_build_summary(report, destination)


def _previous(previous: str | None, destination: Path | str) -> Path | str | None:
    """--previous as a folder that is there, or as a URL when --out is one (its shards stay in that storage)."""
    if previous is None:
        return None
    if is_url(previous):
        if isinstance(destination, Path):
            raise click.BadParameter(
                f"{previous} is a URL: an earlier build there is reused by a build to a URL (its shards are copied "
                "inside the storage); give a folder, or a URL --out",
                param_hint="--previous",
            )
        return previous
    if not Path(previous).is_dir():
        raise click.BadParameter(f"{previous} is not a folder", param_hint="--previous")
    return Path(previous)


def _say_interrupted(out: Path | str) -> None:
    """What an interrupted build leaves: the items and shards a resume keeps, and how to resume."""
    if not isinstance(out, Path):
        say_message(
            f"\nInterrupted. The partitions complete in {out} are kept there: run the same command with --resume "
            "to finish from them.",
            err=True,
        )
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
        f"\nInterrupted. {point.consumed:,} item(s) are safe in {out}: {point.shards} complete shard(s) "
        "and their entries in rejected.jsonl. Run the same command with --resume to finish from there.",
        err=True,
    )


class _Url(str):
    """A URL --out, joined with ``/`` as a folder is (for the summary's lines)."""

    def __truediv__(self, name: str) -> str:
        return f"{self.rstrip('/')}/{name}"


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
