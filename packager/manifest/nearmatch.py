"""The file a manifest cell most likely meant, when the one it names is not there.

Spreadsheet cells drift from the files on disk in a few ways a registrar cannot see:
a different case (``1926.1.JPG`` for ``1926.1.jpg``), a stray space (``1926.3 .jpg``),
or the folder left out (``1921.14.jpg`` for ``files/1921.14.jpg``). Files are compared
with those differences ignored; only files inside the collection folder are offered.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

# Enough for any real collection folder; a folder holding more is not walked for suggestions.
MAX_FILES = 200_000


def _loose(path: str) -> str:
    return re.sub(r"\s+", "", path.replace("\\", "/")).casefold()


def _stamp(root: str) -> tuple[int, ...]:
    """When the folder and its immediate subfolders last changed: a listing is reused only while it holds."""
    try:
        with os.scandir(root) as entries:
            folders = sorted((e.name, e.stat().st_mtime_ns) for e in entries if e.is_dir(follow_symlinks=False))
        return (os.stat(root).st_mtime_ns, *(mtime for _, mtime in folders))
    except OSError:
        return ()


@lru_cache(maxsize=8)
def _listing(root: str, stamp: tuple[int, ...]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every file under ``root`` (relative, '/'-separated), by loose path and by loose name."""
    found: list[str] = []
    for folder, dirs, names in os.walk(root):  # symbolic links to folders are not followed
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
            if len(found) > MAX_FILES:
                return {}, {}
    by_path: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for relative in found:
        by_path.setdefault(_loose(relative), []).append(relative)
        by_name.setdefault(_loose(relative.rsplit("/", 1)[-1]), []).append(relative)
    return by_path, by_name


def near_match(root: Path, cell: str) -> str | None:
    """The one file under ``root`` that ``cell`` most likely names, or None when there is none or several."""
    by_path, by_name = _listing(str(root), _stamp(str(root)))
    wanted = _loose(cell).lstrip("./")
    for table, key in ((by_path, wanted), (by_name, wanted.rsplit("/", 1)[-1])):
        candidates = [c for c in table.get(key, []) if c != cell]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return None  # ambiguous: naming one would be a guess
    return None
