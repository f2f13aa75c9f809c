"""MkDocs hooks: tables made from the code when the site is built.

The reason tables and the collection schema replace their markers (``packager.outputs.reference``). On the
command pages, click 8.3 gives an option without a default a sentinel that mkdocs-click 0.9 prints
as ``Sentinel.UNSET``: it is shown as mkdocs-click shows a missing default, "None".
"""

from __future__ import annotations

from typing import Any

from packager.cli.errors import exit_status_table
from packager.outputs.reference import fill

# Tables of the commands' layer (the outputs' reference may not import the commands).
COMMAND_MARKERS = {"<!-- pdpack:exit-status -->": exit_status_table}


def on_page_markdown(markdown: str, **_: Any) -> str:
    for marker, make in COMMAND_MARKERS.items():
        markdown = markdown.replace(marker, make()) if marker in markdown else markdown
    return fill(markdown)


def on_page_content(html: str, **_: Any) -> str:
    return html.replace("<code>Sentinel.UNSET</code>", "None")
