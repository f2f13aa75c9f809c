"""The small pieces of report.html's markup: escaping, safe links, numbers, dates and sizes in words."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from packager.model import REGISTRY, Severity


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def web_link(url: Any, text: Any) -> str:
    """An <a> for http(s) addresses only; anything else is shown as plain text."""
    if isinstance(url, str) and _is_web_address(url):
        return f'<a href="{escape(url.strip())}" rel="noopener noreferrer nofollow">{escape(text)}</a>'
    return escape(text)


def _is_web_address(url: str) -> bool:
    text = url.strip()
    if not text or any(ord(ch) < 32 or ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def size_text(count: int) -> str:
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count} bytes"


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(value: Any) -> str:
    """2026-11-30 -> 30 November 2026 (written out the same on every machine, whatever its locale)."""
    try:
        year, month, day = (int(part) for part in str(value).split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return str(value)


def reason_class(code: str) -> str:
    known = REGISTRY.get(code)
    return "rights" if known is not None and known.severity is Severity.RIGHTS else "fixable"
