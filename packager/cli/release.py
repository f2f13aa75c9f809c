"""The ``pdpack release`` command: build every registered collection into a release folder, optionally push it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from packager.builder.config import require_tools
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.target import Target, is_url
from packager.cli.echo import say
from packager.cli.errors import fail
from packager.cli.options import (
    ENGINE,
    RAY_ADDRESS,
    STORAGE_OPTIONS,
    WORKERS,
    build_options,
    folder_or_url,
    settings_from_options,
)
from packager.model import ManifestError, MissingTool, ModelError, PushError, ReleaseError
from packager.outputs.card import DEFAULT_PRETTY_NAME
from packager.publish.release import AUTO, ReleaseOptions, ReleaseResult, make_release
from packager.publish.release_checks import check_contact, check_repo, check_version, default_version
from packager.publish.release_folder import RELEASES_FOLDER
from packager.version import __version__


def _check(check: Any) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check(value)
        except ReleaseError as exc:
            raise click.BadParameter(str(exc)) from exc

    return callback


@click.command(name="release")
@click.option(
    "--manifests",
    default="manifests",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The folder that holds the collections: every folder in it with a collection.yaml is released.",
)
@click.option(
    "--include-examples", is_flag=True, help="Also release the bundled samples in MANIFESTS/examples/ (for trials)."
)
@click.option(
    "--version",
    "version",
    callback=_check(check_version),
    metavar="VERSION",
    help="The release's version (default: the year and month of --as-of, e.g. 2026.12).",
)
@click.option(
    "--out",
    "-o",
    metavar="FOLDER-OR-URL",
    help=f"Folder to write the release into (default: {RELEASES_FOLDER}/VERSION), or an fsspec URL "
    "(s3://bucket/releases/VERSION), which each worker writes its partitions to.",
)
@click.option(
    "--previous",
    metavar="FOLDER-OR-URL",
    help="The release to compare with in CHANGELOG.md, whose unchanged partitions are reused (default: the newest "
    "other release beside --out). With a URL --out, also a release at a URL on the same storage.",
)
@click.option("--no-previous", is_flag=True, help="Compare with nothing: this is the first release.")
@STORAGE_OPTIONS
@WORKERS
@ENGINE
@RAY_ADDRESS
@build_options
@click.option("--name", "pretty_name", default=DEFAULT_PRETTY_NAME, show_default=True, help="The dataset's title.")
@click.option(
    "--source-url",
    metavar="URL",
    help="The repository the release is built from (https://...): the card links it for removal requests.",
)
@click.option(
    "--contact",
    metavar="EMAIL-OR-URL",
    help="Where to ask for an item's removal: an e-mail address or a web page. A release needs it or --source-url.",
)
@click.option("--push", "do_push", is_flag=True, help="Push the release folder to the Hub (needs --repo).")
@click.option(
    "--repo",
    "repo_id",
    callback=_check(check_repo),
    metavar="NAMESPACE/NAME",
    help="The dataset repo on the Hub; the card's loading examples name it.",
)
def release(
    manifests: Path,
    include_examples: bool,
    version: str | None,
    out: str | None,
    previous: str | None,
    no_previous: bool,
    storage_options: dict[str, Any],
    workers: int,
    engine_name: str,
    ray_address: str | None,
    pretty_name: str,
    source_url: str | None,
    contact: str | None,
    do_push: bool,
    repo_id: str | None,
    **options: Any,
) -> None:
    """Build every collection registered under MANIFESTS into a release folder.

    Every folder under MANIFESTS with a collection.yaml is built, except
    MANIFESTS/schema (and MANIFESTS/examples unless --include-examples). Items
    listed in MANIFESTS/takedowns.csv are held back with reason 'takedown'.
    The same manifests and --as-of give the same shards and release.json.

    \b
    Writes into --out, beside what `pdpack build` writes:
      release.json     version, as-of date, policy, counts per collection,
                       SHA-256 of every shard, index and input manifest file
      README.md        the dataset card (YAML metadata for the Hub, and prose)
      croissant.json   Croissant metadata: files, fields, licences
      CHANGELOG.md     samples added and removed since the previous release, and why

    \b
    Examples:
      pdpack release --as-of 2027-01-01 --source-url https://github.com/my-org/pdpack
      pdpack release --include-examples --out /tmp/trial --no-previous --contact rights@museum.example
      pdpack release --push --repo my-org/public-domain-images --source-url https://github.com/my-org/pdpack
      pdpack release --out s3://bucket/releases/2027.01 --source-url https://github.com/my-org/pdpack
    """
    if do_push and not repo_id:
        raise click.UsageError("--push needs --repo NAMESPACE/NAME")
    if previous is not None and no_previous:
        raise click.UsageError("give --previous or --no-previous, not both")
    try:
        check_contact(source_url, contact)  # before a long build, not after it
    except ReleaseError as exc:
        raise click.UsageError(str(exc)) from exc

    settings = settings_from_options(**options)
    try:
        require_tools(settings)
    except MissingTool as exc:
        fail(exc)
    version = version or default_version(settings.as_of)
    destination = folder_or_url(out or str(Path(RELEASES_FOLDER) / version), "--out")
    earlier = _previous(previous, destination)
    if do_push:
        _check_push_ready()
    try:
        engine = make_engine(engine_name, workers, ray_address, preload=WORKER_MODULES)
    except (ValueError, RuntimeError, ImportError) as exc:
        raise click.UsageError(str(exc)) from exc
    engine.start()  # workers start while the manifests are read
    try:
        with engine:
            release_options = ReleaseOptions(
                version=version,
                include_examples=include_examples,
                previous=None if no_previous else (earlier or AUTO),
                workers=workers,
                pretty_name=pretty_name,
                repo_id=repo_id,
                source_url=source_url,
                contact=contact,
                storage_options=storage_options,
            )
            result = make_release(manifests, destination, settings, release_options, engine)
    except (ManifestError, ReleaseError, ModelError) as exc:
        fail(exc)
    _print_summary(result)
    if do_push:
        assert repo_id is not None
        _push(result, repo_id, storage_options)


def _previous(previous: str | None, destination: Path | str) -> Path | str | None:
    """--previous as a folder that is there, or as a URL when --out is one."""
    if previous is None:
        return None
    if is_url(previous):
        if isinstance(destination, Path):
            raise click.BadParameter(f"{previous} is a URL: give a folder, or a URL --out", param_hint="--previous")
        return previous
    if not Path(previous).is_dir():
        raise click.BadParameter(f"{previous} is not a folder", param_hint="--previous")
    return Path(previous)


def _check_push_ready() -> None:
    """Fail before a long build when the push could not happen anyway."""
    from packager.publish.hubcalls import NO_TOKEN, find_token

    if not find_token():
        fail(PushError(NO_TOKEN))


def _push(result: ReleaseResult, repo_id: str, storage_options: dict[str, Any]) -> None:
    from packager.publish.hub import plan_push, push
    from packager.publish.hubcalls import find_token, make_api
    from packager.publish.release_url import stage_for_repo

    version = result.release["version"]
    api = make_api(find_token())
    try:
        with tempfile.TemporaryDirectory(prefix="pdpack-push-") as staging:
            folder = result.out
            if not isinstance(folder, Path):  # at a URL: its files here, but the shards the repo holds already
                folder = stage_for_repo(api, Target(folder, storage_options), repo_id, Path(staging))
            plan = plan_push(api, folder, repo_id)
            pushed = push(
                api,
                plan,
                private=False,
                tag=version,
                commit_message=f"Release {version} (pdpack {__version__})",
            )
    except PushError as exc:
        fail(exc)
    deleted = f", deleted {pushed.files_deleted} stale file(s)" if pushed.files_deleted else ""
    say(
        f"Pushed {pushed.files_sent} file(s) in {pushed.commits} commit(s) to {pushed.url}, "
        f"skipped {pushed.files_skipped} unchanged{deleted}; tag {version}"
    )


def _print_summary(result: ReleaseResult) -> None:
    meta = result.release
    totals = meta["totals"]
    say(
        f"Release {meta['version']} (as of {meta['as_of']}, policy {meta['policy']}): "
        f"{totals['shipped']} sample(s) from {totals['items']} item(s) in {totals['shards']} shard(s), "
        f"{totals['bytes']:,} bytes, into {result.out}/"
    )
    for c in meta["collections"]:
        say(f"  {c['id']}: {c['shipped']} shipped, {c['rejected']} held back")
    log = result.changelog
    if log.previous is None:
        say("  first release: nothing to compare with")
    else:
        say(f"  since {log.previous}: {len(log.added)} added, {len(log.removed)} removed (see CHANGELOG.md)")


__all__ = ["release"]
