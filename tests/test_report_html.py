"""report.html: a self-contained page per build, escaped, deterministic, and readable in a browser."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.manifest.collection import Collection
from packager.model import REGISTRY
from packager.outputs.report_data import (
    FIXES,
    GALLERY_SIZE,
    LABELS,
    fix,
    held_back_pictures,
    read_rejected,
    read_samples,
)
from packager.outputs.report_html import REPORT_FILE, render_report_html, write_build_report_html
from packager.outputs.report_items import NOT_FOR_PUBLICATION
from packager.outputs.thumbnails import thumbnail_uri
from tests import bad_inputs as bad
from tests.helpers import CC0, EXAMPLES, REPO

SETTINGS = Settings(as_of="2026-11-30")
ARTIFACTS = REPO / "test-artifacts"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
# Tags the page is made of; anything else in the parsed page came from data and was not escaped.
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "main", "section", "div",
    "svg", "text", "rect", "table", "thead", "tbody", "tr", "th", "td", "strong", "br", "span", "ul", "li",
    "details", "summary", "code", "img", "a", "figure", "figcaption", "footer",
}  # fmt: skip


class Page(HTMLParser):
    """Every tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return "".join(self.text)


def assert_self_contained_and_inert(text: str) -> Page:
    page = Page(text)
    names = {name for name, _ in page.tags}
    assert names <= PAGE_TAGS, f"unexpected tags {names - PAGE_TAGS}"
    assert "script" not in names and "link" not in names and "iframe" not in names
    for name, attrs in page.tags:
        assert not any(key.startswith("on") for key in attrs), (name, attrs)
        assert "style" not in attrs, "inline style attributes are not needed and not allowed"
        for key in ("src", "srcset", "xlink:href", "action", "formaction", "background", "poster"):
            value = attrs.get(key)
            if value is not None:
                assert key == "src" and name == "img" and value.startswith("data:image/"), (name, key, value[:80])
        if name == "a":
            href = attrs.get("href") or ""
            assert re.match(r"https?://[^\s]+$", href), href
    for meta in page.all("meta"):
        if meta.get("http-equiv") == "Content-Security-Policy":
            assert "default-src 'none'" in (meta.get("content") or "")
            break
    else:
        pytest.fail("no Content-Security-Policy")
    # No resource URL anywhere outside links: not in CSS, not in SVG.
    for match in re.finditer(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", text):
        start = text.rfind("<", 0, match.start())
        assert text.startswith("<a ", start), text[start : match.end() + 40]
    assert "url(" not in text and "@import" not in text
    return page


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[Collection]]:
    out = tmp_path_factory.mktemp("example-dist")
    collections = load_collections(sorted(p for p in EXAMPLES.iterdir() if p.is_dir()))
    report = build(collections, out, SETTINGS)
    write_build_report_html(out, collections, report)
    return out, report, collections


def test_every_reason_has_a_label_and_a_concrete_fix() -> None:
    assert set(REGISTRY) <= set(LABELS) and set(REGISTRY) <= set(FIXES)
    for code in REGISTRY:
        assert len(FIXES[code]) > 40 and FIXES[code].endswith("."), code
        if code.startswith("rights:"):
            assert "review.csv" in FIXES[code], code


def test_report_for_the_bundled_sample(example_build: tuple[Path, dict[str, Any], list[Collection]]) -> None:
    out, report, collections = example_build
    text = (out / REPORT_FILE).read_text(encoding="utf-8")
    page = assert_self_contained_and_inert(text)
    plain = page.plain
    for collection in report["collections"]:
        assert collection["title"] in plain and collection["institution"]["name"] in plain
    rejected = read_rejected(out)
    assert rejected, "the bundled sample holds some items back"
    by_id = {c.id: c for c in collections}
    for record in rejected:
        assert record["id"] in plain
        # What to change names the collection's own columns ("items.csv column 'rights'").
        assert LABELS[record["reason"]] in plain and fix(record["reason"], by_id[record["collection"]]) in plain
    # Held back for rights, their files are fine: each gets a thumbnail, marked as not for publication.
    thumbs = [a for a in page.all("img") if "thumb" in (a.get("class") or "")]
    assert len(thumbs) == len(rejected) == held_back_pictures(text)
    assert text.count(f'<div class="notpub">{NOT_FOR_PUBLICATION}</div>') == len(thumbs)
    assert '<meta name="pdpack-report" content="staff">' in text and "pdpack push</code> refuses it" in text
    gallery = [a for a in page.all("img") if "thumb" not in (a.get("class") or "")]
    assert len(gallery) == min(GALLERY_SIZE, report["totals"]["shipped"])
    for sample in read_samples(out, report):
        assert sample.caption in plain and sample.metadata["credit_line"] in plain
    chart = re.search(r"<svg.*?</svg>", text, re.S)
    assert chart is not None and chart.group(0).count("<rect") == 1 + len(report["rejected_by_reason"])
    assert "30 November 2026" in plain


def test_a_report_for_publication_pictures_only_what_ships(
    tmp_path: Path, example_build: tuple[Path, dict[str, Any], list[Collection]]
) -> None:
    out, report, collections = example_build
    public = tmp_path / "public"
    report = build(collections, public, SETTINGS, for_publication=True)
    text = (public / REPORT_FILE).read_text(encoding="utf-8")
    page = assert_self_contained_and_inert(text)
    rejected = read_rejected(public)
    assert rejected and held_back_pictures(text) == 0 and NOT_FOR_PUBLICATION not in text
    by_id = {c.id: c for c in collections}
    for record in rejected:  # still listed, with the reason and what to change: in words
        assert record["id"] in page.plain and fix(record["reason"], by_id[record["collection"]]) in page.plain
    gallery = page.all("img")
    assert len(gallery) == min(GALLERY_SIZE, report["totals"]["shipped"])
    assert all("thumb" not in (a.get("class") or "") for a in gallery)
    assert "<th>Picture</th>" not in text and "Held-back items are not pictured." in page.plain
    # Everything else in the folder is the same bytes as the staff build's.
    for name in ("report.json", "rejected.jsonl", "ATTRIBUTION.md", *(s["name"] for s in report["shards"])):
        assert (public / name).read_bytes() == (out / name).read_bytes(), name


def test_thumbnails_are_small_real_images(example_build: tuple[Path, dict[str, Any], list[Collection]]) -> None:
    out, _, _ = example_build
    page = Page((out / REPORT_FILE).read_text(encoding="utf-8"))
    for attrs in page.all("img"):
        header, _, payload = (attrs["src"] or "").partition(",")
        assert header in ("data:image/jpeg;base64", "data:image/png;base64")
        image = Image.open(io.BytesIO(base64.b64decode(payload)))
        image.load()
        assert max(image.size) <= 280


def test_same_build_gives_the_same_bytes(
    tmp_path: Path, example_build: tuple[Path, dict[str, Any], list[Collection]]
) -> None:
    out, _, collections = example_build
    again = tmp_path / "again"
    write_build_report_html(again, collections, build(collections, again, SETTINGS))
    assert (again / REPORT_FILE).read_bytes() == (out / REPORT_FILE).read_bytes()


def hostile_collection(root: Path) -> Path:
    folder = root / "hostile"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(
        "id: hostile\n"
        f"title: {HOSTILE_SCRIPT!r}\n"
        # javascript: is refused on load (the url must be http or https); this one passes and must stay inert.
        f"institution: {{name: {HOSTILE_IMG!r}, url: 'https://museum.example/\"><script>alert(3)</script>'}}\n"
        f"rights: {CC0}\n",
        encoding="utf-8",
    )
    for n in range(3):
        (folder / "files" / f"{n}.jpg").write_bytes(bad.good_jpeg(40 + n))
    rows = [
        ["id", "file", "title", "caption", "source_url", "rights", "creator"],
        ["a", "files/0.jpg", HOSTILE_SCRIPT + "Harbour", HOSTILE_IMG + "Boats", "javascript:alert(1)", "", ""],
        ["b", "files/1.jpg", "Quotes \" ' & <i>", "", 'https://museum.example/o?a=1&b="><script>x</script>', "", ""],
        ["<img src=x onerror=alert(2)>", "files/nowhere.jpg", HOSTILE_SCRIPT, "", "", "", ""],
        ["c", "files/2.jpg", "Licensed", "", "", "http://creativecommons.org/licenses/by/4.0/", HOSTILE_IMG],
    ]
    lines = []
    for row in rows:
        lines.append(",".join('"' + cell.replace('"', '""') + '"' for cell in row))
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    folder = hostile_collection(tmp_path)
    out = tmp_path / "dist"
    collections = load_collections([folder])
    report = build(collections, out, SETTINGS)
    assert report["totals"]["shipped"] == 2
    text = write_build_report_html(out, collections, report).read_text(encoding="utf-8")
    page = assert_self_contained_and_inert(text)
    assert "<script" not in text.lower() and "<img src=x" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the collection title, shown as text
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in text  # the institution name
    assert HOSTILE_SCRIPT in page.plain and "<img src=x onerror=alert(2)>" in page.plain
    # javascript: addresses are shown as text, never linked; the https record is linked, escaped.
    hrefs = [a.get("href") for a in page.all("a")]
    assert not any("javascript" in (h or "") for h in hrefs)
    assert 'https://museum.example/o?a=1&b="><script>x</script>' in hrefs
    assert 'href="https://museum.example/o?a=1&amp;b=&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in text


def test_unreadable_or_foreign_files_are_never_embedded(tmp_path: Path) -> None:
    """Held back for rights before decoding, these files reach the thumbnailer: only the real image is drawn."""
    marker = tmp_path / "ghostscript-ran"
    folder = tmp_path / "rights-held"
    (folder / "files").mkdir(parents=True)
    files = {
        "ok.jpg": bad.good_jpeg(61),
        "truncated.jpg": bad.truncated_jpeg(62),
        "svg.png": bad.svg_document(),
        "eps.jpg": bad.eps_document(str(marker)),
        "bomb.png": bad.png_bomb(),
        "html.jpg": bad.html_document(),
        "sensitive.jpg": bad.good_jpeg(63),
    }
    for name, data in files.items():
        (folder / "files" / name).write_bytes(data)
    (folder / "collection.yaml").write_text('id: rights-held\ntitle: "R"\ninstitution: "M"\n', encoding="utf-8")
    rows = ["id,file,title,local_contexts"] + [
        f"{name.split('.')[0]},files/{name},{name},{'TK Secret / Sacred' if name.startswith('sensitive') else ''}"
        for name in files
    ]
    (folder / "items.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    collections = load_collections([folder])
    out = tmp_path / "dist"
    report = build(collections, out, SETTINGS)
    reasons = {r["id"]: r["reason"] for r in read_rejected(out)}
    assert reasons["ok"] == "rights:undetermined" and reasons["truncated"] == "rights:undetermined"
    assert reasons["sensitive"] == "sensitivity:local-contexts"
    page = assert_self_contained_and_inert(write_build_report_html(out, collections, report).read_text("utf-8"))
    thumbs = [a for a in page.all("img") if "thumb" in (a.get("class") or "")]
    assert len(thumbs) == 1  # ok.jpg only: not the broken ones, and never the culturally sensitive one
    assert page.plain.count("not shown") == 1
    assert not marker.exists()


def test_thumbnail_of_a_16_bit_image_keeps_its_contrast() -> None:
    uri = thumbnail_uri(bad.png_16bit(3), 64)
    assert uri is not None
    image = Image.open(io.BytesIO(base64.b64decode(uri.partition(",")[2]))).convert("L")
    low, high = image.getextrema()
    assert high - low > 100  # scaled to 8 bits, not clipped to white


def test_a_thumbnail_is_drawn_upright() -> None:
    source = bad.exif_rotated_jpeg(5)
    uri = thumbnail_uri(source, 24)
    assert uri is not None
    drawn = Image.open(io.BytesIO(base64.b64decode(uri.partition(",")[2])))
    assert drawn.size == (16, 24)  # stored 48 x 32, seen 32 x 48
    with Image.open(io.BytesIO(source)) as image:
        upright = image.transpose(Image.Transpose.ROTATE_270).convert("RGB").resize((16, 24), Image.Resampling.LANCZOS)
    difference = [abs(a - b) for a, b in zip(drawn.convert("L").getdata(), upright.convert("L").getdata(), strict=True)]
    assert sum(difference) / len(difference) < 12  # the same picture, after JPEG's losses


@pytest.mark.parametrize(
    "source", [b"", bad.truncated_png(4), bad.svg_document(), bad.pdf_document(4), bad.png_over_pixel_limit()]
)
def test_thumbnail_of_a_file_that_does_not_decode_is_none(source: bytes) -> None:
    assert thumbnail_uri(source, 64) is None


def test_render_with_nothing_shipped_or_held() -> None:
    text = render_report_html({"totals": {}, "collections": [], "shards": []}, [], [])
    assert_self_contained_and_inert(text)
    assert "Nothing ships" in text and "Nothing was held back" in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install -y chromium")
def test_report_renders_in_headless_chromium(
    example_build: tuple[Path, dict[str, Any], list[Collection]], tmp_path: Path
) -> None:
    out, _, _ = example_build
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="pdpack-chromium-") as profile:
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={screenshot}",
            "--window-size=1280,2000",
            (out / REPORT_FILE).resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert screenshot.is_file()
    with Image.open(screenshot) as image:
        assert image.size == (1280, 2000)
        colours = image.convert("RGB").getcolors(maxcolors=4096)
    assert colours is None or len(colours) > 1, "the screenshot is blank"
