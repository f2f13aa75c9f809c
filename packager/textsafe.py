"""Contributed text made safe to print: control characters shown as escapes, never obeyed.

Titles, ids, institution names and HTTP reason phrases reach terminals and GitHub Actions logs.
There a raw newline starts a new line that the runner may read as a workflow command
(``::error file=...::``, ``::stop-commands::``), and ESC starts ANSI or OSC sequences that
recolour, retitle or hyperlink a terminal. Every line the command line prints goes through
``printable_line``; the characters it escapes are listed in ``UNSAFE``.
"""

from __future__ import annotations

import re

from packager.model import CONTROL_CHARACTERS

# Tab, newline and carriage return are among them: each printed value stays on its line.
UNSAFE = re.compile(f"[{CONTROL_CHARACTERS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The runner reads a line as a workflow command when it starts with "::" after leading white space.
_COMMAND_START = re.compile(r"^(\s*)::")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """``printable`` for a message whose line breaks pdpack put there: each line escaped, the breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


def printable_line(text: str) -> str:
    """One line of output: controls escaped, and no leading ``::`` that a CI runner would obey."""
    return _COMMAND_START.sub(r"\1\\::", printable(text))


def workflow_data(text: str) -> str:
    """A GitHub Actions workflow command's message: controls escaped, then escaped as @actions/core does.

    Line breaks become %0A, so the whole message is one line of the log: a title such as
    ``x\\n::error ...`` stays inside this command's message, where the runner obeys nothing.
    """
    return printable_lines(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``): also ',' and ':'."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
