"""Resolve manifest paths so that nothing outside a collection folder is ever read."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath


class PathEscapeError(ValueError):
    """A manifest path points outside its collection folder."""


def resolve_inside(root: Path, relative: str) -> Path:
    """Return the real path of ``relative`` under ``root``, or raise PathEscapeError.

    Checks the text first (absolute paths, drive letters, ``..``) and then the
    resolved path, so a symlink inside the folder that points out is caught too.
    """
    if not relative or not relative.strip():
        raise PathEscapeError("the path is empty")
    if any(ch in relative for ch in "\x00\r\n"):
        raise PathEscapeError("the path contains a control character (NUL or a line break)")
    posix = PurePosixPath(relative.replace("\\", "/"))
    if posix.is_absolute() or PureWindowsPath(relative).drive:
        raise PathEscapeError(f"{relative!r} is an absolute path; give a path relative to the collection folder")
    if ".." in posix.parts:
        raise PathEscapeError(f"{relative!r} contains '..'; paths must stay inside the collection folder")
    real_root = _real_root(root.absolute())  # a relative root means another folder once the cwd changes
    candidate = real_root.joinpath(*posix.parts)
    if not _has_symlink(real_root, posix.parts):
        return candidate  # already its own real path
    candidate = candidate.resolve()
    if not candidate.is_relative_to(real_root):
        raise PathEscapeError(f"{relative!r} resolves outside the collection folder (a symlink pointing out?)")
    return candidate


@lru_cache(maxsize=256)
def _real_root(root: Path) -> Path:
    # A build asks once per item; resolving the folder's own path each time is most of the cost.
    return root.resolve()


def _has_symlink(real_root: Path, parts: tuple[str, ...]) -> bool:
    """Whether any part of the path below ``real_root`` is a symlink (only then must it be resolved).

    Checking the few parts under the folder is much cheaper than resolving every part from ``/``.
    A missing part ends the walk: nothing below it exists to point anywhere.
    """
    path = str(real_root)
    for part in parts:
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return False
        if stat.S_ISLNK(mode):
            return True
    return False


def require_inside(root: Path, path: Path) -> Path:
    """``path`` (a file or folder under ``root``) as its real path, or ManifestError when it resolves outside.

    Git carries symlinks, so a contributed items.csv or review.csv can point at any file of the
    machine that checks it; its contents would then be echoed into messages and reports. The
    message names only the path inside the folder: never the target, never its contents.
    """
    from packager.model import ManifestError  # packager.model is the base module; keep this one import-free

    try:
        return resolve_inside(root, path.relative_to(root).as_posix())
    except PathEscapeError as exc:
        raise ManifestError(
            path, "is a symlink that points outside the collection folder; commit the file itself instead of a link"
        ) from exc
