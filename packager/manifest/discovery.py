"""Which collection folders a folder stands for: itself, or every collection below it.

Institutions drop collections into one folder; ``validate``, ``build``, ``review`` and
``release`` all take such a folder and find the same collections in it: every folder with
a collection.yaml at any depth, except ``schema/`` (the JSON schemas), hidden folders, and
``examples/`` (the bundled samples) unless asked for or given itself.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from packager.model import COLLECTION_FILE, MAX_YAML_BYTES

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


REGISTRY_FOLDER = "manifests"


def registry_root(folder: Path) -> Path | None:
    """The nearest folder named ``manifests`` above a collection folder: the tree a release builds together."""
    return next((parent for parent in folder.resolve().parents if parent.name == REGISTRY_FOLDER), None)


def registered_ids(root: Path) -> dict[str, list[Path]]:
    """The id each collection.yaml under ``root`` declares (examples included), with the folders declaring it.

    Only the ``id`` key is read, through the same safe loader; a file that cannot be read is that
    collection's own problem, reported when it is checked, and is skipped here.
    """
    from packager.manifest.yamlsafe import load_yaml
    from packager.safepath import PathEscapeError, resolve_inside

    ids: dict[str, list[Path]] = {}
    for folder in collection_folders(root, include_examples=True):
        try:
            path = resolve_inside(folder, COLLECTION_FILE)
            if path.stat().st_size > MAX_YAML_BYTES:
                continue
            meta = load_yaml(path.read_text(encoding="utf-8-sig"))
        except (PathEscapeError, OSError, ValueError, yaml.YAMLError):
            continue
        declared = meta.get("id") if isinstance(meta, dict) else None
        if isinstance(declared, str) and declared.strip():
            ids.setdefault(declared.strip(), []).append(folder.resolve())
    return ids


def id_taken_message(collection_id: str, folder: Path, ids: dict[str, list[Path]], root: Path) -> str | None:
    """Why ``collection_id`` cannot be this folder's: another folder under ``root`` declares it too."""
    others = [other for other in ids.get(collection_id, []) if other != folder.resolve()]
    if not others:
        return None
    where = ", ".join(str(other.relative_to(root.parent)) for other in others)
    return (
        f"id {collection_id!r} is already used by {where}; every collection under {root.name}/ needs an id of its "
        "own (a release builds them together): choose another"
    )
