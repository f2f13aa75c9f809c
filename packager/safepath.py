"""Resolve manifest paths so that nothing outside a collection folder is ever read."""

from __future__ import annotations

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
    real_root = root.resolve()
    candidate = (real_root / posix).resolve()
    if not candidate.is_relative_to(real_root):
        raise PathEscapeError(f"{relative!r} resolves outside the collection folder (a symlink pointing out?)")
    return candidate
