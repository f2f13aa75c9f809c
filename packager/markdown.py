"""Text from a manifest, safe inside Markdown: the one escaper for the card, ATTRIBUTION.md and the docs."""

from __future__ import annotations

import html
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~])")


def md(text: Any) -> str:
    """One line, no HTML, no Markdown syntax: a name cannot become a heading, a link or a table cell break."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))
