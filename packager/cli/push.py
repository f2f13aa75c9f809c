"""The ``pdpack push`` command: publish a build folder to a Hugging Face dataset repo."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from packager.builder.target import Target
from packager.cli.echo import say
from packager.cli.errors import fail
from packager.cli.options import STORAGE_OPTIONS, folder_or_url
from packager.model import PushError
from packager.outputs.build_card import CARD_FILE as CARD
from packager.publish.hub import DEFAULT_MAX_FILES_PER_COMMIT, PushPlan, PushResult, is_stale, plan_push
from packager.publish.hub import push as push_plan
from packager.publish.hubcalls import NO_TOKEN, find_token, make_api
from packager.publish.release_folder import CROISSANT_FILE
from packager.publish.release_url import stage_for_repo
from packager.publish.retarget import retarget
from packager.version import __version__

if TYPE_CHECKING:
    from huggingface_hub import HfApi

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_STATUS = {True: "send", False: "skip (unchanged)"}


def _check_repo(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not _REPO_ID.match(value) or ".." in value or value.endswith((".git", ".")):
        raise click.BadParameter(f"{value!r} is not a repo id like my-org/my-dataset")
    return value


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@click.command(name="push")
@click.argument("dist", metavar="DIST")
@click.option(
    "--repo",
    "repo_id",
    required=True,
    metavar="NAMESPACE/NAME",
    callback=_check_repo,
    help="The dataset repo on the Hub, e.g. my-museum/public-domain-images. Created if it does not exist.",
)
@STORAGE_OPTIONS
@click.option("--private", is_flag=True, help="Create the repo private. An existing repo keeps its visibility.")
@click.option(
    "--tag",
    metavar="TAG",
    help="Tag the pushed commit, e.g. v1.0.0, so that users can load exactly this release. A tag is never moved.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent and what is unchanged; send nothing.")
@click.option("--message", "-m", metavar="TEXT", help="Commit message (default: 'Release TAG' or 'Upload dataset').")
@click.option(
    "--max-files-per-commit",
    default=DEFAULT_MAX_FILES_PER_COMMIT,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most files in one commit; larger pushes are split into several commits.",
)
def push(
    dist: str,
    repo_id: str,
    storage_options: dict[str, Any],
    private: bool,
    tag: str | None,
    dry_run: bool,
    message: str | None,
    max_files_per_commit: int,
) -> None:
    """Publish a build folder (DIST) to a Hugging Face dataset repo.

    DIST may be a URL (s3://bucket/releases/2026.12, a release or build made
    there): its files are fetched, but of its shards only those the repo does
    not hold byte for byte.

    Sends every file of the folder (shards, indexes, report, attribution,
    dataset card, and the partition records in .pdpack/partitions/ that the
    next release reuses, in packs it makes in .pdpack/packs/ with copies of
    their indexes), except other names starting with a dot and *.tmp files.
    Shards a release reused from the previous one on the Hub, which
    its report lists without holding, stay in the repo once it is checked
    that the repo holds those exact bytes. A release's
    card and croissant.json are made to name --repo first (a release made
    without --repo says NAMESPACE/NAME); a card that names another repo in a
    way pdpack did not write is refused. Files the
    repo already holds byte for byte are skipped, so running push again after
    an interruption sends only what is missing. Shards go first and the card
    (README.md) last, so the repo never shows a card for shards not yet there.

    \b
    The token comes from HF_TOKEN or from `hf auth login`; it needs write
    access. HF_ENDPOINT points push at another Hub (default huggingface.co).

    \b
    Examples:
      pdpack push dist/ --repo my-museum/pd-images --dry-run
      pdpack push dist/ --repo my-museum/pd-images --tag v1.0.0
      HF_TOKEN=hf_... pdpack push dist/ --repo my-museum/pd-images --private
    """
    where = folder_or_url(dist, "DIST")
    if isinstance(where, Path) and not where.is_dir():
        raise click.BadParameter(f"{dist} is not a folder", param_hint="DIST")
    token = find_token()
    if not token and not dry_run:
        fail(PushError(NO_TOKEN))
    api = make_api(token)
    with tempfile.TemporaryDirectory(prefix="pdpack-push-") as staging:
        if isinstance(where, Path):
            _push_folder(api, where, None, repo_id, private, tag, dry_run, message, max_files_per_commit, token)
            return
        target = Target(where, storage_options)
        try:
            folder = stage_for_repo(api, target, repo_id, Path(staging))
        except PushError as exc:
            fail(exc)
        except OSError as exc:  # the storage: a missing bucket, refused credentials
            fail(exc, f"could not read {dist}: {exc}. Check the address and the credentials (--storage-option).")
        _push_folder(api, folder, target, repo_id, private, tag, dry_run, message, max_files_per_commit, token)


def _push_folder(
    api: HfApi,
    dist: Path,
    target: Target | None,
    repo_id: str,
    private: bool,
    tag: str | None,
    dry_run: bool,
    message: str | None,
    max_files_per_commit: int,
    token: str | None,
) -> None:
    """The push of a folder (a release at a URL staged in one: ``target``, where retargeted files go back)."""
    try:
        # The card and croissant.json must name the repo they are pushed to (a release made without --repo
        # says NAMESPACE/NAME): written into the folder first, so the plan hashes what is sent.
        notes = retarget(dist, repo_id, write=not dry_run)
        for note in notes:
            click.echo(note)
        if notes and target is not None and not dry_run:
            target.upload(dist, [name for name in (CARD, CROISSANT_FILE) if (dist / name).is_file()])
        plan = plan_push(api, dist, repo_id)
        if dry_run:
            _print_plan(plan, private, max_files_per_commit, token is not None)
            return
        default = f"Release {tag}" if tag else "Upload dataset"
        result = push_plan(
            api,
            plan,
            private=private,
            tag=tag,
            commit_message=message or f"{default} (pdpack {__version__})",
            max_files_per_commit=max_files_per_commit,
        )
    except PushError as exc:
        fail(exc)
    _print_result(plan, result, private)


def _print_plan(plan: PushPlan, private: bool, max_files: int, has_token: bool) -> None:
    say(f"Plan for {plan.url} (branch {plan.revision}):")
    if not plan.repo_exists:
        say(f"  The repo does not exist yet: it would be created ({'private' if private else 'public'}).")
    width = max(len(f"{p.file.size:,}") for p in plan.files)
    for planned in plan.files:
        say(f"  {_STATUS[planned.send]:<16}  {planned.file.size:>{width},} bytes  {planned.path}")
    commits = len(plan.batches(max_files))
    say(
        f"Would send {_plural(len(plan.to_send), 'file')} ({plan.bytes_to_send:,} bytes) in "
        f"{_plural(commits, 'commit')}; skip {len(plan.unchanged):,} unchanged. Nothing was sent (--dry-run)."
    )
    _print_notes(plan)
    if not has_token:
        say("Note: no token was found (HF_TOKEN or `hf auth login`); a private repo looks missing without one.")


def _print_result(plan: PushPlan, result: PushResult, private: bool) -> None:
    if result.repo_created:
        say(f"Created the dataset repo {plan.url} ({'private' if private else 'public'}).")
    line = (
        f"Sent {_plural(result.files_sent, 'file')} ({result.bytes_sent:,} bytes) in "
        f"{_plural(result.commits, 'commit')} to {result.url}; skipped {result.files_skipped:,} unchanged"
    )
    if result.files_deleted:
        line += f"; deleted {_plural(result.files_deleted, 'stale file')}"
    if result.tag:
        line += f"; tagged {result.tag}" + ("" if result.tag_created else " (already on this commit)")
    say(line)
    for url in result.commit_urls:
        say(f"  {url}")
    _print_notes(plan)


def _print_notes(plan: PushPlan) -> None:
    if not any(p.path == CARD for p in plan.files):
        say(f"Note: {plan.dist} has no {CARD}: the repo will show no dataset card.")
    stale = [p for p in plan.remote_only if is_stale(p)]
    others = [p for p in plan.remote_only if not is_stale(p)]
    if stale:
        shown = ", ".join(stale[:5]) + (" ..." if len(stale) > 5 else "")
        say(
            f"Note: {_plural(len(stale), 'file')} of an earlier release (shards and indexes under data/, "
            f"partition records under .pdpack/partitions/) are deleted in the last commit, so loaders do not mix "
            f"releases: {shown}."
        )
    if plan.kept_in_repo:
        say(
            f"Note: {_plural(len(plan.kept_in_repo), 'shard')} reused from the previous release "
            "stay in the repo as they are (it holds the same bytes)."
        )
    if others:
        shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
        say(
            f"Note: the repo also holds {_plural(len(others), 'file')} this folder does not have, "
            f"left in place: {shown}."
        )


__all__ = ["push"]
