"""Text from a manifest, safe inside Markdown: the one escaper for the card, ATTRIBUTION.md, the job summary
and the docs, and the one rule for web addresses (checked when a collection is loaded, escaped when written)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, urlsplit

from packager.model import CONTROL_CHARACTERS
from packager.textsafe import printable

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~])")


def md(text: Any) -> str:
    """One line, no HTML, no Markdown syntax: a name cannot become a heading, a link or a table cell break."""
    flat = printable(" ".join(str(text).split()))  # breaks become spaces; other controls show as escapes
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


# White space and control characters (C0, DEL, C1, line separators, bidirectional controls): never in an address.
_CONTROLS = "\\s" + CONTROL_CHARACTERS
_NOT_IN_URL = re.compile(f"[{_CONTROLS}]")
# Those, and the characters that could end a Markdown link or autolink early or start HTML: percent-encoded.
_URL_UNSAFE = re.compile(f"[{_CONTROLS}()<>\"'`\\\\]")
MAX_URL_CHARS = 2000


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web address a collection may give (http or https, a host, one line), or None."""
    if len(url) > MAX_URL_CHARS:
        return f"is longer than {MAX_URL_CHARS} characters"
    if _NOT_IN_URL.search(url):
        return "contains white space or a control character (a line break, a tab, an escape)"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid address ({exc})"
    if parts.scheme.lower() not in {"http", "https"}:
        return "must start with http:// or https://"
    if not parts.hostname:
        return "names no host"
    return None


def safe_url(url: Any) -> str | None:
    """An http(s) URL with the characters that could break out of a Markdown link percent-encoded; else None."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return _URL_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), text)


def link(text: Any, url: Any) -> str:
    """``[text](url)`` when the URL is http(s), else the text alone (never a javascript: or data: link)."""
    target = safe_url(url)
    return f"[{md(text)}]({target})" if target else md(text)
