"""The files of a collection whose contents decide its items, listed by one function.

The resume fingerprint and a release's input hashes both use ``collection_inputs``, so an
edit that one of them sees the other sees too (``iiif/a.JSON`` counts as much as ``a.json``).
"""

from __future__ import annotations

from pathlib import Path

from packager.manifest.iiif import manifest_files
from packager.model import COLLECTION_FILE, Collection, ManifestError
from packager.rights.review import REVIEW_FILE
from packager.safepath import require_inside


def collection_inputs(collection: Collection) -> list[Path]:
    """collection.yaml, the item manifest (or every IIIF manifest file) and review.csv, in a fixed order.

    An IIIF file that is a symlink pointing outside the folder is left out: the reader turns it into
    a rejection, and its target is never read here either.
    """
    files = [collection.root / COLLECTION_FILE]
    if collection.manifest.is_dir():
        files += [path for path in manifest_files(collection.manifest) if _inside(collection.root, path)]
    else:
        files.append(collection.manifest)
    review = collection.root / REVIEW_FILE
    if review.is_file() or review.is_symlink():
        files.append(review)
    for path in files:
        require_inside(collection.root, path)
    return files


def _inside(root: Path, path: Path) -> bool:
    try:
        require_inside(root, path)
    except ManifestError:
        return False
    return True
