"""The style sheet of report.html, inline so the page loads nothing."""

from __future__ import annotations

CSS = """
:root{--ship:#2e7d32;--held:#b26a00;--rights:#8e3b46;--ink:#1f2328;--muted:#5b636b;--line:#d8dee4;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:#fff}
header{background:var(--bg);border-bottom:1px solid var(--line);padding:24px 32px}
h1{margin:0 0 4px;font-size:28px}
h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
main{padding:0 32px 32px;max-width:1400px}
.lede{margin:0;color:var(--muted);font-size:17px}
.note{color:var(--muted);margin:4px 0 12px}
.muted{color:var(--muted);font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:16px;margin-top:24px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 20px;min-width:180px;background:#fff}
.card .big{font-size:26px;font-weight:700}
.card.ship{border-left:6px solid var(--ship)}.card.held{border-left:6px solid var(--held)}
.card.all,.card.files{border-left:6px solid var(--line)}
svg.chart{max-width:100%;height:auto}
svg.chart .label{font-size:15px;fill:var(--ink)}svg.chart .count{font-size:15px;font-weight:700;fill:var(--ink)}
svg.chart rect.ship{fill:var(--ship)}svg.chart rect.fixable{fill:var(--held)}svg.chart rect.rights{fill:var(--rights)}
table{border-collapse:collapse;width:100%;font-size:15px}
th,td{border-bottom:1px solid var(--line);padding:8px 10px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
.ship-text{color:var(--ship);font-weight:700}.held-text{color:var(--held);font-weight:700}
ul.plain{margin:0;padding-left:18px}
table.held td:first-child{width:136px}
table.held td:nth-child(2),table.words td:first-child{width:22%;word-break:break-word}
table.held td:last-child,table.words td:last-child{width:32%}
tr.rights-row td.why strong{color:var(--rights)}tr.fixable-row td.why strong{color:var(--held)}
img.thumb{display:block;max-width:120px;max-height:120px;border:1px solid var(--line)}
.notpub{margin-top:4px;font-size:12px;font-weight:700;color:var(--rights);text-transform:uppercase}
.audience{margin:8px 0 0;font-size:15px}.audience.staff{color:var(--rights)}
.nothumb{width:120px;height:80px;display:flex;align-items:center;justify-content:center;background:var(--bg);
color:var(--muted);font-size:13px;border:1px dashed var(--line)}
details{margin-top:4px;font-size:14px}.finding{font-size:14px}summary{cursor:pointer;color:var(--muted)}
code{white-space:pre-wrap;word-break:break-word;font-size:13px}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:20px}
figure.sample{margin:0;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff}
figure.sample img{display:block;width:100%;height:220px;object-fit:contain;background:var(--bg)}
figcaption{padding:10px 12px}figcaption p{margin:0 0 6px}
.caption{font-size:15px}.credit{font-size:14px;color:var(--ink)}
footer{padding:16px 32px;color:var(--muted);border-top:1px solid var(--line);font-size:14px}
"""
