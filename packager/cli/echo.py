"""Printing for the commands: contributed text escaped so that a line break in it is shown, not obeyed.

The escaping itself is ``packager.textsafe`` (the library uses it too); this module is the commands'
side, with click.
"""

from __future__ import annotations

import click

from packager.textsafe import printable_line


def say(text: str = "", err: bool = False) -> None:
    """click.echo for a line that may hold contributed text: a line break in it is shown, not obeyed."""
    click.echo(printable_line(text), err=err)


def say_message(text: str, err: bool = False) -> None:
    """click.echo for an error message that pdpack laid out on several lines (a YAML error and the line it quotes).

    Each line is escaped on its own, and none may start a workflow command. Contributed values inside such
    messages are quoted with repr() or escaped where they are put in, so a break in one cannot fake a line.
    """
    for line in text.split("\n"):
        click.echo(printable_line(line), err=err)
