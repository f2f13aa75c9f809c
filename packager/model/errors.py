"""The errors pdpack raises for people: each message says what is wrong and what to change."""

from __future__ import annotations

from pathlib import Path


class ManifestError(Exception):
    """A collection cannot be read; names the file, and the row and column where known."""

    def __init__(self, file: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        self.line: int | None = row  # the line of the file a GitHub annotation points at
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class MissingTool(Exception):
    """This machine lacks a program the build configuration needs (the exiftool program)."""


class ModelError(Exception):
    """A caption or scoring model cannot be used: unknown name or tag, wrong kind of model."""


class ModelUnavailable(ModelError):
    """The model's weights are not on this machine and cannot be downloaded."""


class ResumeError(Exception):
    """A build cannot resume: the folder holds a build of other inputs, options or as-of date."""


class ReleaseError(Exception):
    """A release cannot be made as asked; the message says what to change."""


class PushError(Exception):
    """A push that cannot go on, with a message for people (never holding the token)."""


class PreviousError(Exception):
    """The previous release could not be read; the message says why (never with the token)."""
