"""One table from error to exit status for every command, and the one way a command stops on an error.

A command catches what its library calls raise and hands it to ``fail``: the message is printed
(escaped, on stderr) as ``Error: ...`` and the process exits with the status this table gives the
error's class, the first row that matches. Outcomes that are not errors have their own statuses,
said in each command's help: ``validate`` exits 1 when an item has a problem to fix in the files
(or, with ``--strict``, when any item is held back); click exits 2 for a usage mistake.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import NoReturn

from packager.cli.echo import say_message
from packager.model import (
    ManifestError,
    MissingTool,
    ModelError,
    PreviousError,
    PushError,
    ReleaseError,
    ResumeError,
)

INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C (128 + SIGINT)
CHECK_FAILED = 1  # an outcome, not an error: validate found a problem to fix (or, with --strict, any hold)

# (error class, exit status, what it means): the first row whose class matches decides.
EXIT_STATUS: tuple[tuple[type[BaseException], int, str], ...] = (
    (KeyboardInterrupt, INTERRUPTED, "interrupted (Ctrl-C); an interrupted build says what `--resume` keeps"),
    (ModelError, 2, "a caption or scoring model cannot be loaded (an unknown name, missing weights)"),
    (ManifestError, 1, "a collection cannot be read; the message names the file, and the row and column"),
    (ResumeError, 1, "`--resume` found a build of other inputs, options or as-of date"),
    (MissingTool, 1, "a program pdpack needs is missing (exiftool)"),
    (ReleaseError, 1, "a release cannot be made: its version, repo, contact or previous release"),
    (PreviousError, 1, "the previous release cannot be fetched from the Hub"),
    (PushError, 1, "the Hub refused or could not be reached (no token, no write access, no repo)"),
    (OSError, 1, "the output cannot be written: a full disk or a file-size limit"),
    (sqlite3.Error, 1, "the output cannot be written: a full disk or a file-size limit"),
)


def exit_status(error: BaseException) -> int:
    """The exit status for ``error``: the first row of EXIT_STATUS that matches its class, else 1."""
    return next((status for kind, status, _ in EXIT_STATUS if isinstance(error, kind)), 1)


def fail(error: BaseException, message: str | None = None) -> NoReturn:
    """Print ``Error: message`` (default: the error's own) on stderr and exit with the error's status."""
    say_message(f"Error: {error if message is None else message}", err=True)
    sys.exit(exit_status(error))


def exit_status_table() -> str:
    """The table as Markdown, for the command reference."""
    rows = ["| error | exit status | what happened |", "| --- | ---: | --- |"]
    rows += [f"| `{kind.__name__}` | {status} | {meaning} |" for kind, status, meaning in EXIT_STATUS]
    return "\n".join(rows) + "\n"
