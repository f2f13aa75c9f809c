"""The sections of report.html about the whole build: summary, chart, collections, overrides, files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from packager.outputs.report_data import label
from packager.outputs.report_markup import escape, long_date, plural, reason_class, size_text, web_link


def settings_sentence(report: dict[str, Any], settings: dict[str, Any]) -> str:
    policy = str(settings.get("policy", "worldwide"))
    where = (
        "everywhere (worldwide)" if policy == "worldwide" else ("in the United States" if policy == "us" else policy)
    )
    when = f" on {escape(long_date(settings.get('as_of')))}" if settings.get("as_of") else ""
    return (
        f"Items ship when they are public domain {escape(where)}{when}. Everything else is held back, with the reason."
    )


def summary_section(totals: dict[str, Any]) -> str:
    shipped = int(totals.get("shipped", 0))
    held = int(totals.get("rejected", 0))
    items = int(totals.get("items", 0))
    size = size_text(int(totals.get("bytes", 0)))
    cards = [
        ("ship", plural(shipped, "item"), "ship"),
        ("held", plural(held, "item"), "held back"),
        ("all", plural(items, "item"), "in the manifests"),
        ("files", size, "in " + plural(int(totals.get("shards", 0)), "data file")),
    ]
    body = "".join(
        f'<div class="card {cls}"><div class="big">{escape(big)}</div><div>{escape(small)}</div></div>'
        for cls, big, small in cards
    )
    return f'<section aria-label="Summary"><div class="cards">{body}</div></section>'


def chart_section(report: dict[str, Any]) -> str:
    shipped = int(report.get("totals", {}).get("shipped", 0))
    reasons = report.get("rejected_by_reason", {}) or {}
    bars = [("Ships", shipped, "ship")] + [
        (label(code), int(count), reason_class(code))
        for code, count in sorted(reasons.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    ]
    return (
        '<section><h2>What happened to the items</h2><p class="note">One bar for the items that ship, one for each '
        "reason items were held back.</p>" + _bar_chart(bars) + "</section>"
    )


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
            f'<text x="{label_width - 10}" y="{y + row * 0.7:.1f}" text-anchor="end" class="label">'
            f"{escape(name)}</text>"
            f'<rect x="{label_width}" y="{y}" width="{max(width, 2)}" height="{row}" rx="3" class="{cls}"/>'
            f'<text x="{label_width + max(width, 2) + 8}" y="{y + row * 0.7:.1f}" class="count">{count:,}</text>'
        )
    lines.append("</svg>")
    return "".join(lines)


def collections_section(report: dict[str, Any]) -> str:
    rows = []
    for c in report.get("collections", []):
        reasons = c.get("rejected_by_reason", {}) or {}
        why = (
            '<ul class="plain">'
            + "".join(f"<li>{escape(label(code))}: {int(n):,}</li>" for code, n in sorted(reasons.items()))
            + "</ul>"
            if reasons
            else "—"
        )
        institution = c.get("institution", {}) or {}
        rows.append(
            "<tr>"
            f'<td><strong>{escape(c.get("title"))}</strong><br><span class="muted">{escape(c.get("id"))}</span></td>'
            f"<td>{web_link(institution.get('url'), institution.get('name'))}</td>"
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


def overrides_section(report: dict[str, Any]) -> str:
    overrides = report.get("overrides") or []
    if not overrides:
        return ""
    rows = "".join(
        f"<tr><td>{escape(o.get('collection'))}</td><td>{escape(o.get('id'))}</td><td>{escape(o.get('review'))}</td>"
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


def _overruled(findings: Sequence[dict[str, Any]]) -> str:
    return "<br>".join(f"<b>{escape(f.get('overrules'))}</b>: {escape(f.get('finding'))}" for f in findings)


def files_section(report: dict[str, Any]) -> str:
    shards = "".join(
        f"<li>{escape(s.get('name'))}: {plural(int(s.get('count', 0)), 'sample')}, "
        f"{size_text(int(s.get('bytes', 0)))}</li>"
        for s in report.get("shards", [])
    )
    return (
        "<section><h2>Files in this build</h2><ul>"
        + shards
        + "<li>report.json: the counts on this page, for programs</li>"
        "<li>rejected.jsonl: one line for each item held back, with the reason</li>"
        "<li>ATTRIBUTION.md: credits per institution</li></ul></section>"
    )
