"""The checks a release makes before it builds anything: its version, repo id, removal contact, collections."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from packager.manifest.discovery import collection_folders
from packager.markdown import safe_url
from packager.model import ReleaseError
from packager.outputs.card_body import contact_link

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
REPO_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


def default_version(as_of: str) -> str:
    """``2026.12`` for any as-of date in December 2026."""
    date = dt.date.fromisoformat(as_of)
    return f"{date.year:04d}.{date.month:02d}"


def check_version(version: str) -> str:
    if not VERSION_PATTERN.match(version) or ".." in version:
        raise ReleaseError(f"{version!r} is not a release version; write e.g. 2026.12 (letters, digits, '.', '-', '_')")
    return version


def check_repo(repo_id: str) -> str:
    if not REPO_PATTERN.match(repo_id):
        raise ReleaseError(f"{repo_id!r} is not a Hub repository id; write NAMESPACE/NAME")
    return repo_id


def check_contact(source_url: str | None, contact: str | None) -> None:
    """A published release must say where to ask for an item's removal: a repository, an address, or both."""
    if source_url is not None and safe_url(source_url) is None:
        raise ReleaseError(f"--source-url {source_url!r} is not an http(s) address")
    if contact is not None and contact_link(contact) is None:
        raise ReleaseError(f"--contact {contact!r} is neither an e-mail address nor an http(s) address")
    if source_url is None and contact is None:
        raise ReleaseError(
            "a release must say where to ask for an item's removal: give --source-url URL (the repository it is "
            "built from; the card links its issues) or --contact EMAIL-OR-URL (or both)"
        )


def discover(manifests: Path, include_examples: bool = False) -> list[Path]:
    """Every collection folder under ``manifests`` (a folder with collection.yaml), in path order.

    ``manifests/schema`` is never a collection; ``manifests/examples`` counts only when asked.
    """
    if not manifests.is_dir():
        raise ReleaseError(f"{manifests} is not a folder; give the folder that holds the collections")
    return collection_folders(manifests, include_examples)
