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

This module writes the page and lays it out; what it reads of a build is ``report_data``, the sections
about the whole build ``report_sections``, the held-back table and the gallery ``report_items``, the
escaping and wording they share ``report_markup``, the style sheet ``report_style``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.manifest.collection import Collection
from packager.model import Item
from packager.outputs.report_data import ShippedSample, held_back_items, read_rejected, read_samples
from packager.outputs.report_items import HELD_ROWS_LIMIT, NOT_FOR_PUBLICATION, gallery_section, held_section
from packager.outputs.report_markup import escape
from packager.outputs.report_sections import (
    chart_section,
    collections_section,
    files_section,
    overrides_section,
    settings_sentence,
    summary_section,
)
from packager.outputs.report_style import CSS
from packager.outputs.thumbnail_cache import ThumbnailCache
from packager.outputs.thumbnails import held_back_thumbnails, thumbnail_uri

REPORT_FILE = "report.html"


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
    page = render_report_html(report, rejected, list(samples), thumbnails, items, for_publication, draw, collections)
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
    collections: Sequence[Collection] = (),
) -> str:
    """The page as text: a pure function of its inputs. ``for_publication`` leaves out every held-back picture.

    ``draw`` gives a shipped sample's thumbnail (``thumbnail_uri``, or what a ThumbnailCache kept of it);
    ``collections``, the columns what to change names (pdpack's field names for a collection not given).
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
        f'<p class="lede">{settings_sentence(report, settings)}</p>',
        _audience_note(for_publication, bool(thumbnails)),
        "</header>",
        "<main>",
        summary_section(totals),
        chart_section(report),
        collections_section(report),
        overrides_section(report),
        held_section(rejected, thumbnails, items, for_publication, collections),
        gallery_section(samples, totals, draw),
        files_section(report),
        "</main>",
        "<footer><p>Made by pdpack "
        + escape(report.get("pdpack_version", ""))
        + ". This page loads nothing from the internet; every picture is inside the file.</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


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
