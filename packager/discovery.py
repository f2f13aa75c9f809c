"""Which collection folders a folder stands for: itself, or every collection below it.

Institutions drop collections into one folder; ``validate``, ``build``, ``review`` and
``release`` all take such a folder and find the same collections in it: every folder with
a collection.yaml at any depth, except ``schema/`` (the JSON schemas), hidden folders, and
``examples/`` (the bundled samples) unless asked for or given itself.
"""

from __future__ import annotations

from pathlib import Path

from packager.model import COLLECTION_FILE

SKIPPED_FOLDERS = ("schema",)
EXAMPLES_FOLDER = "examples"


def collection_folders(root: Path, include_examples: bool = False) -> list[Path]:
    """Every collection folder under ``root`` (a folder with collection.yaml), in path order."""
    skipped = {*SKIPPED_FOLDERS, *(() if include_examples or root.name == EXAMPLES_FOLDER else (EXAMPLES_FOLDER,))}
    folders = []
    for meta in sorted(root.rglob(COLLECTION_FILE)):
        parts = meta.parent.relative_to(root).parts
        if not parts or parts[0] in skipped or any(p.startswith(".") for p in parts):
            continue
        folders.append(meta.parent)
    return folders


def expand(folders: tuple[Path, ...] | list[Path], include_examples: bool = False) -> tuple[list[Path], list[str]]:
    """The collection folders the given folders stand for, and a line for each folder that was expanded.

    A folder with a collection.yaml is that collection. One without stands for every collection below
    it; when several folders are given (a shell glob such as ``manifests/*/``), one with no collection
    below it is skipped with a note, and it is an error only when no folder holds any collection.
    """
    found: list[Path] = []
    notes: list[str] = []
    for folder in folders:
        if (folder / COLLECTION_FILE).is_file():
            found.append(folder)
            continue
        below = collection_folders(folder, include_examples)
        if below:
            names = ", ".join(str(p.relative_to(folder)) for p in below)
            notes.append(f"{folder} has no {COLLECTION_FILE}; found {len(below)} collection(s) below it: {names}")
        elif folder.name in SKIPPED_FOLDERS:
            notes.append(f"{folder}: the {folder.name} folder, not a collection; skipped")
        else:
            hint = "" if include_examples else f" (outside {EXAMPLES_FOLDER}/: pass --include-examples for those)"
            notes.append(f"{folder}: no {COLLECTION_FILE} here or in any folder below it{hint}; skipped")
        found += below
    return found, notes
