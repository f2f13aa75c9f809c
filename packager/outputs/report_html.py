"""report.html: one self-contained page per build, for the people who look after the collections.

The page shows what shipped and what was held back, why, and what to change in the manifest to
fix it, with small pictures: held-back items drawn from their local files, and a sample of the
shipped items read back from the shards. It loads nothing from anywhere: styles are inline, the
chart is inline SVG, every picture is a ``data:`` URI, and a Content-Security-Policy forbids
scripts and any other source. Every piece of text from a manifest is escaped; links (to an
institution's site or an item's record) are written only for http and https addresses.

The same build gives the same bytes: no timestamps, no machine paths, thumbnails encoded with
fixed settings, items in build order.

Thumbnails never come from a file that failed to decode: only items held back for a reason that
says nothing against the file (rights, preferences, duplicates, ...) get one, the file is decoded
again here with the same limits as a build, and any failure leaves the thumbnail out. Items held
back as culturally sensitive (Local Contexts) or taken down on request are never pictured.

Two audiences, two pages. A local build's page is for the staff who own the files: it pictures
their held-back items, each marked "not for publication". A page for publication (every release,
``build --for-publication``) pictures only what ships: held-back items are listed in words only,
whatever the reason, because a work held as in copyright must not be published as a thumbnail
either. ``held_back_pictures`` counts the held-back pictures in a page, so that ``push`` can
refuse a staff page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from packager.atomic import write_atomic
from packager.manifest.collection import Collection
from packager.model import REGISTRY, Item, Picture, Severity
from packager.outputs.report_data import (
    HELD_PICTURE_CLASS,
    STATUS_WORDS,
    ShippedSample,
    fix,
    held_back_items,
    label,
    picture_of,
    read_rejected,
    read_samples,
)
from packager.outputs.report_style import CSS
from packager.outputs.thumbnail_cache import ThumbnailCache
from packager.outputs.thumbnails import GALLERY_SIDE, held_back_thumbnails, thumbnail_uri

REPORT_FILE = "report.html"
NOT_FOR_PUBLICATION = "Not for publication"
HELD_ROWS_LIMIT = 2000


# --- reading a build back ---------------------------------------------------------------------------------


# --- writing ------------------------------------------------------------------------------------------------


def write_build_report_html(
    out_dir: Path,
    collections: Sequence[Collection],
    report: dict[str, Any],
    for_publication: bool = False,
    gallery: ThumbnailCache | None = None,
) -> Path:
    """The one call at the end of a build: read rejected.jsonl and the shards back, write report.html.

    ``gallery`` holds the shipped samples' thumbnails an earlier build drew, and keeps those drawn here.
    """
    return write_report_html(
        out_dir, report, read_rejected(out_dir), read_samples(out_dir, report), collections, for_publication, gallery
    )


def write_report_html(
    out_dir: Path,
    report: dict[str, Any],
    rejected: Iterable[dict[str, Any]],
    samples: Iterable[ShippedSample],
    collections: Sequence[Collection],
    for_publication: bool = False,
    gallery: ThumbnailCache | None = None,
) -> Path:
    """Write ``out_dir/report.html`` from the build's report, its rejections and a sample of what shipped.

    ``for_publication``: picture only the shipped samples (no held-back item is even decoded).
    """
    rejected = list(rejected)
    shown = rejected[:HELD_ROWS_LIMIT]
    items = held_back_items(collections, shown)
    thumbnails = {} if for_publication else held_back_thumbnails(collections, shown, items)
    draw = gallery.uri if gallery is not None else thumbnail_uri
    page = render_report_html(report, rejected, list(samples), thumbnails, items, for_publication, draw)
    path = out_dir / REPORT_FILE
    write_atomic(path, page)
    return path


def render_report_html(
    report: dict[str, Any],
    rejected: Sequence[dict[str, Any]],
    samples: Sequence[ShippedSample],
    thumbnails: dict[tuple[str, str, int | None], str] | None = None,
    items: dict[tuple[str, str, int | None], Item] | None = None,
    for_publication: bool = False,
    draw: Callable[[bytes, int], str | None] = thumbnail_uri,
) -> str:
    """The page as text: a pure function of its inputs. ``for_publication`` leaves out every held-back picture.

    ``draw`` gives a shipped sample's thumbnail (``thumbnail_uri``, or what a ThumbnailCache kept of it).
    """
    thumbnails = {} if for_publication else (thumbnails or {})
    items = items or {}
    totals = report.get("totals", {})
    settings = report.get("settings", {})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="pdpack-report" content="{"publication" if for_publication else "staff"}">',
        "<title>pdpack build report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Build report</h1>",
        f'<p class="lede">{_settings_sentence(report, settings)}</p>',
        _audience_note(for_publication, bool(thumbnails)),
        "</header>",
        "<main>",
        _summary(totals),
        _chart_section(report),
        _collections_section(report),
        _overrides_section(report),
        _held_section(rejected, thumbnails, items, for_publication),
        _gallery_section(samples, totals, draw),
        _files_section(report),
        "</main>",
        "<footer><p>Made by pdpack "
        + _e(report.get("pdpack_version", ""))
        + ". This page loads nothing from the internet; every picture is inside the file.</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: Any, text: Any) -> str:
    """An <a> for http(s) addresses only; anything else is shown as plain text."""
    if isinstance(url, str) and _is_web_address(url):
        return f'<a href="{_e(url.strip())}" rel="noopener noreferrer nofollow">{_e(text)}</a>'
    return _e(text)


def _is_web_address(url: str) -> bool:
    text = url.strip()
    if not text or any(ord(ch) < 32 or ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _settings_sentence(report: dict[str, Any], settings: dict[str, Any]) -> str:
    policy = str(settings.get("policy", "worldwide"))
    where = (
        "everywhere (worldwide)" if policy == "worldwide" else ("in the United States" if policy == "us" else policy)
    )
    when = f" on {_e(_long_date(settings.get('as_of')))}" if settings.get("as_of") else ""
    return f"Items ship when they are public domain {_e(where)}{when}. Everything else is held back, with the reason."


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


def _long_date(value: Any) -> str:
    """2026-11-30 -> 30 November 2026 (written out the same on every machine, whatever its locale)."""
    try:
        year, month, day = (int(part) for part in str(value).split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return str(value)


def _summary(totals: dict[str, Any]) -> str:
    shipped = int(totals.get("shipped", 0))
    held = int(totals.get("rejected", 0))
    items = int(totals.get("items", 0))
    size = _size(int(totals.get("bytes", 0)))
    cards = [
        ("ship", _plural(shipped, "item"), "ship"),
        ("held", _plural(held, "item"), "held back"),
        ("all", _plural(items, "item"), "in the manifests"),
        ("files", size, "in " + _plural(int(totals.get("shards", 0)), "data file")),
    ]
    body = "".join(
        f'<div class="card {cls}"><div class="big">{_e(big)}</div><div>{_e(small)}</div></div>'
        for cls, big, small in cards
    )
    return f'<section aria-label="Summary"><div class="cards">{body}</div></section>'


def _size(count: int) -> str:
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count} bytes"


def _chart_section(report: dict[str, Any]) -> str:
    shipped = int(report.get("totals", {}).get("shipped", 0))
    reasons = report.get("rejected_by_reason", {}) or {}
    bars = [("Ships", shipped, "ship")] + [
        (label(code), int(count), _reason_class(code))
        for code, count in sorted(reasons.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    ]
    return (
        '<section><h2>What happened to the items</h2><p class="note">One bar for the items that ship, one for each '
        "reason items were held back.</p>" + _bar_chart(bars) + "</section>"
    )


def _reason_class(code: str) -> str:
    known = REGISTRY.get(code)
    return "rights" if known is not None and known.severity is Severity.RIGHTS else "fixable"


def _bar_chart(bars: list[tuple[str, int, str]]) -> str:
    label_width, bar_width, row, gap = 300, 560, 26, 8
    height = len(bars) * (row + gap) + gap
    top = max([count for _, count, _ in bars] + [1])
    lines = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_width + bar_width + 70} {height}" '
        f'width="{label_width + bar_width + 70}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Items that ship and items held back, by reason</title>",
    ]
    for index, (name, count, cls) in enumerate(bars):
        y = gap + index * (row + gap)
        width = round(bar_width * count / top) if count else 0
        lines.append(
            f'<text x="{label_width - 10}" y="{y + row * 0.7:.1f}" text-anchor="end" class="label">{_e(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{max(width, 2)}" height="{row}" rx="3" class="{cls}"/>'
            f'<text x="{label_width + max(width, 2) + 8}" y="{y + row * 0.7:.1f}" class="count">{count:,}</text>'
        )
    lines.append("</svg>")
    return "".join(lines)


def _collections_section(report: dict[str, Any]) -> str:
    rows = []
    for c in report.get("collections", []):
        reasons = c.get("rejected_by_reason", {}) or {}
        why = (
            '<ul class="plain">'
            + "".join(f"<li>{_e(label(code))}: {int(n):,}</li>" for code, n in sorted(reasons.items()))
            + "</ul>"
            if reasons
            else "—"
        )
        institution = c.get("institution", {}) or {}
        rows.append(
            "<tr>"
            f'<td><strong>{_e(c.get("title"))}</strong><br><span class="muted">{_e(c.get("id"))}</span></td>'
            f"<td>{_link(institution.get('url'), institution.get('name'))}</td>"
            f'<td class="num">{int(c.get("items", 0)):,}</td>'
            f'<td class="num ship-text">{int(c.get("shipped", 0)):,}</td>'
            f'<td class="num held-text">{int(c.get("rejected", 0)):,}</td>'
            f"<td>{why}</td>"
            "</tr>"
        )
    return (
        "<section><h2>Collections</h2><table><thead><tr><th>Collection</th><th>Institution</th>"
        '<th class="num">Items</th><th class="num">Ship</th><th class="num">Held back</th>'
        "<th>Held back because</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def _overrides_section(report: dict[str, Any]) -> str:
    overrides = report.get("overrides") or []
    if not overrides:
        return ""
    rows = "".join(
        f"<tr><td>{_e(o.get('collection'))}</td><td>{_e(o.get('id'))}</td><td>{_e(o.get('review'))}</td>"
        f"<td>{_overruled(o.get('overrules') or [])}</td></tr>"
        for o in overrides
    )
    return (
        "<section><h2>Shipped by a steward over a copyright claim or a running term</h2>"
        '<p class="note">Each of these was decided in review.csv with override=yes, naming each finding it'
        " overrules. None of them is listed as public domain where a term was found running.</p>"
        "<table><thead><tr><th>Collection</th><th>Item</th><th>Decision</th><th>Overrules</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _audience_note(for_publication: bool, pictures_held: bool) -> str:
    if for_publication:
        return (
            '<p class="audience">For publication: this page pictures only what ships. '
            "Held-back items are listed in words, never pictured.</p>"
        )
    if not pictures_held:
        return ""
    return (
        f'<p class="audience staff"><strong>{NOT_FOR_PUBLICATION}.</strong> This page pictures held-back items '
        "from your own files, for you to check. <code>pdpack push</code> refuses it; a release "
        "(<code>pdpack release</code>) or <code>pdpack build --for-publication</code> writes a page that "
        "pictures only what ships.</p>"
    )


def _overruled(findings: Sequence[dict[str, Any]]) -> str:
    return "<br>".join(f"<b>{_e(f.get('overrules'))}</b>: {_e(f.get('finding'))}" for f in findings)


def _held_section(
    rejected: Sequence[dict[str, Any]],
    thumbnails: dict[tuple[str, str, int | None], str],
    items: dict[tuple[str, str, int | None], Item],
    for_publication: bool = False,
) -> str:
    if not rejected:
        return "<section><h2>Held back</h2><p>Nothing was held back.</p></section>"
    rows = []
    for record in rejected[:HELD_ROWS_LIMIT]:
        code = str(record.get("reason", ""))
        key = (str(record.get("collection")), str(record.get("id")), record.get("row"))
        item = items.get(key)
        uri = thumbnails.get(key)
        if for_publication:
            picture = ""
        elif uri:
            picture = (
                f'<td><img class="{HELD_PICTURE_CLASS}" src="{_e(uri)}" alt="">'
                f'<div class="notpub">{NOT_FOR_PUBLICATION}</div></td>'
            )
        elif picture_of(code) is Picture.WITHHELD:
            picture = '<td><div class="nothumb">not shown</div></td>'
        else:
            picture = '<td><div class="nothumb">no picture</div></td>'
        if record.get("fix"):
            # The finding itself decides what to do (a conflict): shown in full, not folded away.
            why = f'<span class="finding">{_e(record.get("message"))}</span>'
        else:
            why = (
                f"{_e(REGISTRY[code].explanation if code in REGISTRY else '')}"
                f"<details><summary>Detail</summary><code>{_e(record.get('message'))}</code></details>"
            )
        where = f"row {int(record['row'])}" if isinstance(record.get("row"), int) else ""
        title = f"<br>{_e(item.title)}" if item is not None and item.title else ""
        source = f'<br><span class="muted">{_e(item.source)}</span>' if item is not None and item.source else ""
        rows.append(
            f'<tr class="{_reason_class(code)}-row">'
            f"{picture}"
            f'<td><strong>{_e(record.get("id"))}</strong>{title}<br><span class="muted">{_e(record.get("collection"))}'
            f"{', ' + where if where else ''}</span>{source}</td>"
            f'<td class="why"><strong>{_e(label(code))}</strong><br>{why}</td>'
            f"<td>{_e(record.get('fix') or fix(code))}</td>"
            "</tr>"
        )
    more = len(rejected) - HELD_ROWS_LIMIT
    tail = f'<p class="note">And {more:,} more: see rejected.jsonl.</p>' if more > 0 else ""
    if for_publication:
        pictures_note, picture_head, table_class = "Held-back items are not pictured.", "", "words"
    else:
        pictures_note = "Pictures are shown only for files that open correctly, and are not for publication."
        picture_head, table_class = "<th>Picture</th>", "held"
    return (
        f"<section><h2>Held back ({len(rejected):,})</h2>"
        '<p class="note">What to change is written for the manifest (items.csv) unless it says otherwise. '
        f"{pictures_note}</p>"
        f'<table class="{table_class}"><thead><tr>{picture_head}<th>Item</th><th>Why it was held back</th>'
        "<th>What to change</th></tr></thead><tbody>" + "".join(rows) + f"</tbody></table>{tail}</section>"
    )


def _gallery_section(
    samples: Sequence[ShippedSample], totals: dict[str, Any], draw: Callable[[bytes, int], str | None]
) -> str:
    shipped = int(totals.get("shipped", 0))
    if not samples:
        return "<section><h2>What ships</h2><p>Nothing ships from this build.</p></section>"
    cards = []
    for sample in samples:
        meta = sample.metadata
        uri = draw(sample.image, GALLERY_SIDE)
        picture = f'<img src="{_e(uri)}" alt="">' if uri else '<div class="nothumb">no picture</div>'
        record = _link(meta.get("source_url"), "Catalogue record") if meta.get("source_url") else ""
        status = STATUS_WORDS.get(str((meta.get("rights") or {}).get("status")), "")
        cards.append(
            '<figure class="sample">'
            f"{picture}"
            f'<figcaption><p class="caption">{_e(sample.caption)}</p>'
            f'<p class="credit">Credit: {_e(meta.get("credit_line"))}</p>'
            f'<p class="muted">{_e(meta.get("collection"))} / {_e(meta.get("id"))}'
            f"{' · ' + _e(status) if status else ''}"
            f"{' · ' + record if record else ''}</p></figcaption>"
            "</figure>"
        )
    return (
        f"<section><h2>What ships ({shipped:,})</h2>"
        + (f'<p class="note">The first {len(samples):,} in build order.</p>' if len(samples) < shipped else "")
        + '<p class="note">Each picture with the caption and credit line that ship with it.</p>'
        + f'<div class="gallery">{"".join(cards)}</div></section>'
    )


def _files_section(report: dict[str, Any]) -> str:
    shards = "".join(
        f"<li>{_e(s.get('name'))}: {_plural(int(s.get('count', 0)), 'sample')}, {_size(int(s.get('bytes', 0)))}</li>"
        for s in report.get("shards", [])
    )
    return (
        "<section><h2>Files in this build</h2><ul>"
        + shards
        + "<li>report.json: the counts on this page, for programs</li>"
        "<li>rejected.jsonl: one line for each item held back, with the reason</li>"
        "<li>ATTRIBUTION.md: credits per institution</li></ul></section>"
    )
