"""The sections of report.html item by item: the held-back table and the gallery of what ships."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from packager.model import REGISTRY, Collection, Item, Picture
from packager.outputs.report_data import HELD_PICTURE_CLASS, STATUS_WORDS, ShippedSample, fix, label, picture_of
from packager.outputs.report_markup import escape, reason_class, web_link
from packager.outputs.thumbnails import GALLERY_SIDE

NOT_FOR_PUBLICATION = "Not for publication"


HELD_ROWS_LIMIT = 2000


def held_section(
    rejected: Sequence[dict[str, Any]],
    thumbnails: dict[tuple[str, str, int | None], str],
    items: dict[tuple[str, str, int | None], Item],
    for_publication: bool = False,
    collections: Sequence[Collection] = (),
) -> str:
    """The held-back table: each item's reason and what to change, naming its collection's own columns."""
    if not rejected:
        return "<section><h2>Held back</h2><p>Nothing was held back.</p></section>"
    by_id = {collection.id: collection for collection in collections}
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
                f'<td><img class="{HELD_PICTURE_CLASS}" src="{escape(uri)}" alt="">'
                f'<div class="notpub">{NOT_FOR_PUBLICATION}</div></td>'
            )
        elif picture_of(code) is Picture.WITHHELD:
            picture = '<td><div class="nothumb">not shown</div></td>'
        else:
            picture = '<td><div class="nothumb">no picture</div></td>'
        if record.get("fix"):
            # The finding itself decides what to do (a conflict): shown in full, not folded away.
            why = f'<span class="finding">{escape(record.get("message"))}</span>'
        else:
            why = (
                f"{escape(REGISTRY[code].explanation if code in REGISTRY else '')}"
                f"<details><summary>Detail</summary><code>{escape(record.get('message'))}</code></details>"
            )
        where = f"row {int(record['row'])}" if isinstance(record.get("row"), int) else ""
        title = f"<br>{escape(item.title)}" if item is not None and item.title else ""
        source = f'<br><span class="muted">{escape(item.source)}</span>' if item is not None and item.source else ""
        rows.append(
            f'<tr class="{reason_class(code)}-row">'
            f"{picture}"
            f"<td><strong>{escape(record.get('id'))}</strong>{title}<br>"
            f'<span class="muted">{escape(record.get("collection"))}'
            f"{', ' + where if where else ''}</span>{source}</td>"
            f'<td class="why"><strong>{escape(label(code))}</strong><br>{why}</td>'
            f"<td>{escape(record.get('fix') or fix(code, by_id.get(str(record.get('collection')))))}</td>"
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
        '<p class="note">What to change names the columns of each collection\'s own manifest. '
        f"{pictures_note}</p>"
        f'<table class="{table_class}"><thead><tr>{picture_head}<th>Item</th><th>Why it was held back</th>'
        "<th>What to change</th></tr></thead><tbody>" + "".join(rows) + f"</tbody></table>{tail}</section>"
    )


def gallery_section(
    samples: Sequence[ShippedSample], totals: dict[str, Any], draw: Callable[[bytes, int], str | None]
) -> str:
    shipped = int(totals.get("shipped", 0))
    if not samples:
        return "<section><h2>What ships</h2><p>Nothing ships from this build.</p></section>"
    cards = []
    for sample in samples:
        meta = sample.metadata
        uri = draw(sample.image, GALLERY_SIDE)
        picture = f'<img src="{escape(uri)}" alt="">' if uri else '<div class="nothumb">no picture</div>'
        record = web_link(meta.get("source_url"), "Catalogue record") if meta.get("source_url") else ""
        status = STATUS_WORDS.get(str((meta.get("rights") or {}).get("status")), "")
        cards.append(
            '<figure class="sample">'
            f"{picture}"
            f'<figcaption><p class="caption">{escape(sample.caption)}</p>'
            f'<p class="credit">Credit: {escape(meta.get("credit_line"))}</p>'
            f'<p class="muted">{escape(meta.get("collection"))} / {escape(meta.get("id"))}'
            f"{' · ' + escape(status) if status else ''}"
            f"{' · ' + record if record else ''}</p></figcaption>"
            "</figure>"
        )
    return (
        f"<section><h2>What ships ({shipped:,})</h2>"
        + (f'<p class="note">The first {len(samples):,} in build order.</p>' if len(samples) < shipped else "")
        + '<p class="note">Each picture with the caption and credit line that ship with it.</p>'
        + f'<div class="gallery">{"".join(cards)}</div></section>'
    )
