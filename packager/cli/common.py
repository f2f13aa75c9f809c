"""What the commands share: collection arguments, settings from options, loading collections, printing evidence."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from packager.builder.config import Settings, require_tools
from packager.builder.run import load_collections
from packager.builder.stages import Result
from packager.cli.echo import say, say_message
from packager.cli.errors import exit_status, fail
from packager.cli.options import (
    settings_from_options,
)
from packager.manifest.collection import COLLECTION_FILE, Collection
from packager.manifest.discovery import expand
from packager.model import ManifestError, MissingTool, Rejection
from packager.outputs.explain import evidence_line
from packager.outputs.github_summary import (
    manifest_error_summary,
    write_summary,
)
from packager.sample import Sample
from packager.textsafe import workflow_data, workflow_property

# A collection folder, or a folder of collections: every folder below it with a collection.yaml.
COLLECTIONS = click.argument(
    "folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
INCLUDE_EXAMPLES = click.option(
    "--include-examples",
    is_flag=True,
    help="Given a folder of collections, also take those in its examples/ folder (the bundled samples).",
)


def command_settings(**options: Any) -> Settings:
    """The build configuration from the command's options, once this machine has what it needs."""
    settings = settings_from_options(**options)
    try:
        require_tools(settings)
    except MissingTool as exc:
        fail(exc)
    return settings


def result_id(result: Result) -> str:
    return result.id if isinstance(result, Rejection) else str(result.metadata["id"])


def print_explanation(collection: Collection, result: Result) -> None:
    say(f"Rights of {collection.id} / {result_id(result)}:")
    if isinstance(result, Sample):
        rights = result.metadata["rights"]
        places = ", ".join(rights["public_domain_in"])
        say(f"  ships: {rights['status']}, public domain in {places}; decided by {rights['decided_by']}")
        evidence = rights["evidence"]
    else:
        say(f"  held back: {result.reason}: {result.message}")
        evidence = result.evidence
    for item in evidence:
        say(f"  - {evidence_line(item, collection)}")
    say()


def load_or_exit(folders: tuple[Path, ...], github: bool = False, include_examples: bool = False) -> list[Collection]:
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
        report_manifest_error(exc, github)
        sys.exit(exit_status(exc))
    return collections


def report_manifest_error(exc: ManifestError, github: bool) -> None:
    if github:
        where = f"file={workflow_property(relative(exc.file))}"
        if exc.line is not None:
            where += f",line={exc.line}"
        click.echo(f"::error {where},title=Manifest error::{workflow_data(str(exc))}")
        outcome = "**The check fails:** a collection could not be read."
        write_summary([manifest_error_summary(relative(exc.file), exc.line, str(exc))], outcome)
    say_message(f"Error: {exc}", err=True)


def relative(path: str | Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_collection_header(collection: Collection) -> None:
    say(f"{collection.id}: {collection.title} ({collection.institution.name})")
    say(f"  manifest: {collection.manifest}")
    for warning in collection.warnings:
        say(f"  warning: {warning}")
    for note in collection.notes:
        say(f"  note: {note}")
