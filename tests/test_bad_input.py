"""A corpus of bad input: every case ends in a specific, named outcome, and never costs the good items.

Item-level cases (a broken file, a hostile path, a bad row) must end as a rejection with a reason
code from packager.model's REGISTRY, or ship in a stated form, while every other item of the collection
still ships. Collection-level cases (a manifest that cannot be read) must raise a ManifestError
naming the file, and the row and column where there is one. ``test_one_build_over_every_bad_item``
then puts every item-level case in one folder with good items and builds it once.

Collections are CC0 and built with a fixed date, so rights never mask the case under test.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.manifest.collection import ManifestError, load_collection
from packager.manifest.rows import read_items
from packager.model import REGISTRY
from tests import bad_inputs as bad
from tests.helpers import CC0

SETTINGS = Settings(as_of="2026-11-30")
COLUMNS = ("id", "file", "url", "title", "caption", "creator_death_year")


# --- building a collection from cases ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shipped:
    """A sample read back from the shard."""

    meta: dict[str, Any]
    members: dict[str, bytes]  # by extension: jpg|png|webp, json, txt
    seed: int

    @property
    def extension(self) -> str:
        return next(ext for ext in ("jpg", "png", "webp") if ext in self.members)

    @property
    def image(self) -> Image.Image:
        image = Image.open(io.BytesIO(self.members[self.extension]))
        image.load()
        return image


@dataclass(frozen=True)
class Case:
    """One bad (or awkward) item: what the manifest row says, what is on disk, and what must happen."""

    name: str
    expect: str  # "ship", or the reason code of the rejection
    file: str | None = None  # the manifest's 'file' cell (default: files/<name>.<ext>)
    data: Callable[[int], bytes] | None = None  # the file's bytes, from the case's seed
    on_disk: bytes | None = None  # where the bytes go when not at `file` (an os.fsencode path)
    row: dict[str, str] = field(default_factory=dict)  # more cells (title, url, caption, ...) or {"_raw": line}
    before: tuple[tuple[dict[str, str], str], ...] = ()  # rows written just before, with their outcomes
    setup: Callable[[Path, Path, Case, int], None] | None = None  # (collection folder, a folder outside, case, seed)
    check: Callable[[Shipped], None] | None = None
    mixed: bool = True  # part of test_one_build_over_every_bad_item

    @property
    def title(self) -> str:
        return f"Case {self.name}"


def image_file(name: str, ext: str, factory: Callable[[int], bytes], expect: str, **kwargs: Any) -> Case:
    return Case(name, expect, file=f"files/{name}.{ext}", data=factory, **kwargs)


@dataclass
class Layout:
    """Where each row landed, so that outcomes can be matched to rows (a rejection names its row)."""

    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, expected id, outcome)
    seeds: dict[str, int] = field(default_factory=dict)


def write_cases(folder: Path, outside: Path, cases: list[Case], goods: int = 2, first_seed: int = 1) -> Layout:
    """A CC0 collection folder holding ``goods`` good items around the given cases."""
    folder.mkdir(parents=True)
    (folder / "files").mkdir()
    outside.mkdir(parents=True, exist_ok=True)
    (folder / "collection.yaml").write_text(
        f'id: {folder.name}\ntitle: "Bad input"\ninstitution: {{name: "Test Museum", url: "https://museum.example"}}\n'
        f"rights: {CC0}\njurisdiction: US\n",
        encoding="utf-8",
    )
    layout = Layout()
    lines: list[str] = [",".join(COLUMNS)]
    seed = first_seed

    def add(cells: dict[str, str], outcome: str) -> None:
        if "_raw" in cells:
            lines.append(cells["_raw"])
        else:
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerow([cells.get(c, "") for c in COLUMNS])
            lines.append(out.getvalue().removesuffix("\r\n"))
        row = len(lines)
        # A row that cannot be read, or has no id, is rejected under the id "row-N".
        item_id = f"row-{row}" if "_raw" in cells or not cells.get("id") else cells["id"]
        layout.rows.append((row, item_id, outcome))

    def good(index: int) -> None:
        nonlocal seed
        name = f"good-{index:03d}"
        (folder / "files" / f"{name}.jpg").write_bytes(bad.good_jpeg(seed + 10_000))
        layout.seeds[name] = seed + 10_000
        add({"id": name, "file": f"files/{name}.jpg", "title": f"Good item {index}"}, "ship")
        seed += 1

    for index in range(goods // 2):
        good(index)
    for case in cases:
        seed += 1
        layout.seeds[case.name] = seed
        if case.data is not None:
            target = (
                Path(os.fsdecode(os.path.join(os.fsencode(folder), case.on_disk)))
                if case.on_disk is not None
                else folder / (case.file or "")
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(case.data(seed))
        if case.setup is not None:
            case.setup(folder, outside, case, seed)
        for cells, outcome in case.before:
            add(cells, outcome)
        cells = {"id": case.name, "title": case.title, **({"file": case.file} if case.file else {}), **case.row}
        add(cells, case.expect)
    for index in range(goods // 2, goods):
        good(index)
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return layout


def read_back(out: Path) -> tuple[dict[str, Shipped], list[dict[str, Any]]]:
    """Samples by item id (from the tar shards, as a reader sees them) and the rejected.jsonl records."""
    grouped: dict[str, dict[str, bytes]] = {}
    for shard in sorted((out / "data").rglob("*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                key, _, ext = member.name.partition(".")
                handle = tar.extractfile(member)
                assert handle is not None
                grouped.setdefault(key, {})[ext] = handle.read()
    shipped = {}
    for members in grouped.values():
        meta = json.loads(members["json"])
        shipped[meta["id"]] = Shipped(meta, members, 0)
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    return shipped, rejected


def check_outcomes(layout: Layout, cases: list[Case], out: Path, report: dict[str, Any]) -> None:
    """Every row ends where the layout says; shipped cases pass their own checks."""
    shipped, rejected = read_back(out)
    by_row = {r["row"]: r for r in rejected}
    expected_ship = {item_id for _, item_id, outcome in layout.rows if outcome == "ship"}
    problems = []
    for row, item_id, outcome in layout.rows:
        if outcome == "ship":
            if item_id not in shipped:
                got = by_row.get(row, {})
                problems.append(f"row {row} ({item_id}) should ship; got {got.get('reason')}: {got.get('message')}")
        elif row not in by_row or by_row[row]["reason"] != outcome:
            got = by_row.get(row, {})
            problems.append(f"row {row} ({item_id}) should be {outcome}; got {got.get('reason', 'shipped?')}")
        else:
            assert by_row[row]["id"] == item_id
            assert by_row[row]["reason"] in REGISTRY
    assert not problems, "\n".join(problems)
    assert set(shipped) == expected_ship
    assert report["totals"]["shipped"] == len(expected_ship)
    assert report["totals"]["rejected"] == len(rejected) == len(layout.rows) - len(expected_ship)
    for case in cases:
        if case.check is not None:
            sample = shipped[case.name]
            case.check(Shipped(sample.meta, sample.members, layout.seeds[case.name]))


# --- checks on shipped samples -------------------------------------------------------------------------------


def ships_as(extension: str, *, converted: bool, mode: str | None = None) -> Callable[[Shipped], None]:
    def check(sample: Shipped) -> None:
        assert sample.extension == extension, f"member extension {sample.extension}, expected {extension}"
        assert sample.meta["converted"] is converted
        if mode is not None:
            assert sample.image.mode == mode

    return check


def all_of(*checks: Callable[[Shipped], None]) -> Callable[[Shipped], None]:
    def check(sample: Shipped) -> None:
        for one in checks:
            one(sample)

    return check


def same_pixels_as(make: Callable[[int], Image.Image], mode: str = "RGB") -> Callable[[Shipped], None]:
    def check(sample: Shipped) -> None:
        expected = make(sample.seed).convert(mode)
        assert sample.image.convert(mode).tobytes() == expected.tobytes()

    return check


def is_sixteen_bit(sample: Shipped) -> None:
    image = sample.image
    assert image.mode.startswith("I;16")
    assert image.tobytes("raw", "I;16") == bad.sixteen_bit(sample.seed).tobytes("raw", "I;16")


def keeps_transparency(sample: Shipped) -> None:
    image = sample.image
    assert image.mode == "P" and image.info.get("transparency") == 0


def passthrough_bytes(factory: Callable[[int], bytes]) -> Callable[[Shipped], None]:
    def check(sample: Shipped) -> None:
        assert sample.members[sample.extension] == factory(sample.seed)

    return check


def exif_orientation_kept(sample: Shipped) -> None:
    image = sample.image
    assert image.getexif().get(bad.ORIENTATION) == 6  # viewers turn it; the JSON gives the stored size
    assert (sample.meta["width"], sample.meta["height"]) == (48, 32)


def turned_upright(sample: Shipped) -> None:
    image = sample.image.convert("RGB")
    assert image.size == (32, 48) == (sample.meta["width"], sample.meta["height"])
    assert image.tobytes() == bad.picture(sample.seed).transpose(Image.Transpose.ROTATE_270).tobytes()


def still_animated(sample: Shipped) -> None:
    image = sample.image
    assert getattr(image, "n_frames", 1) == 3  # passed through: readers that take one frame get the first


def clean_caption(sample: Shipped) -> None:
    caption = sample.members["txt"].decode("utf-8")
    assert caption == sample.meta["caption"]
    for text in (caption, sample.meta["credit_line"]):
        assert "<" not in text and "onerror" not in text and "alert(" not in text, text


# --- setups --------------------------------------------------------------------------------------------------


def link_outside(folder: Path, outside: Path, case: Case, seed: int) -> None:
    secret = outside / "secret.jpg"
    secret.write_bytes(bad.good_jpeg(seed))
    (folder / (case.file or "")).symlink_to(secret)


def link_inside(folder: Path, outside: Path, case: Case, seed: int) -> None:
    target = folder / "files" / "originals" / f"{case.name}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bad.good_jpeg(seed))
    (folder / (case.file or "")).symlink_to(Path("originals") / target.name)


def make_fifo(folder: Path, outside: Path, case: Case, seed: int) -> None:
    os.mkfifo(folder / (case.file or ""))


def make_directory(folder: Path, outside: Path, case: Case, seed: int) -> None:
    (folder / (case.file or "")).mkdir(parents=True)


def exif_jpeg(seed: int) -> bytes:
    """A JPEG with EXIF (so ExifTool is asked to read it: a name starting with '-' must not become an option)."""
    exif = Image.Exif()
    exif[0x013B] = "Test Photographer"  # Artist
    return bad.encode(bad.picture(seed), "JPEG", quality=90, exif=exif)


ITEM_CASES: list[Case] = [
    # Broken files.
    image_file("zero-byte", "jpg", bad.zero_bytes, "image:unreadable"),
    image_file("truncated-jpeg", "jpg", bad.truncated_jpeg, "image:truncated"),
    image_file("truncated-png", "png", bad.truncated_png, "image:truncated"),
    image_file("corrupt-jpeg-header", "jpg", bad.corrupt_jpeg_header, "image:truncated"),
    image_file("corrupt-png-checksum", "png", bad.corrupt_png_crc, "image:unreadable"),
    image_file("random-bytes", "jpg", bad.noise, "image:unreadable"),
    # libjpeg repairs damaged scan data with a warning and Pillow decodes it: it cannot be told from a real photo.
    image_file("corrupt-jpeg-scan-data", "jpg", bad.corrupt_jpeg_scan, "ship", check=ships_as("jpg", converted=False)),
    # Extensions that lie.
    image_file("png-named-jpg", "jpg", bad.good_png, "ship", check=ships_as("png", converted=False)),
    image_file("jpeg-named-png", "png", bad.good_jpeg, "ship", check=ships_as("jpg", converted=False)),
    image_file("svg-named-png", "png", bad.svg_document, "image:unreadable"),
    image_file("svg", "svg", bad.svg_document, "image:unreadable"),
    image_file("pdf-named-jpg", "jpg", bad.pdf_document, "image:unreadable"),
    image_file("html-named-jpg", "jpg", bad.html_document, "image:unreadable"),
    image_file("ppm", "ppm", bad.ppm_image, "image:unsupported-format"),
    # Sizes.
    image_file("png-bomb", "png", bad.png_bomb, "image:decompression-bomb"),
    image_file("png-100-megapixels", "png", bad.png_over_pixel_limit, "image:decompression-bomb"),
    image_file("gif-65535-square", "gif", bad.gif_claiming_size, "image:decompression-bomb"),
    image_file("png-20000x40", "png", bad.long_thin_png, "ship", check=ships_as("png", converted=False)),
    # Unusual but valid images.
    image_file(
        "png-16-bit",
        "png",
        bad.png_16bit,
        "ship",
        check=all_of(ships_as("png", converted=False), passthrough_bytes(bad.png_16bit)),
    ),
    image_file(
        "tiff-16-bit",
        "tif",
        bad.tiff_16bit,
        "ship",
        check=all_of(ships_as("png", converted=True), is_sixteen_bit),
        # Left out of the one-folder build while every 16-bit image hashes alike: see
        # test_two_different_16_bit_images_both_ship.
        mixed=False,
    ),
    image_file(
        "cmyk-jpeg",
        "jpg",
        bad.cmyk_jpeg,
        "ship",
        check=all_of(ships_as("jpg", converted=False, mode="CMYK"), passthrough_bytes(bad.cmyk_jpeg)),
    ),
    image_file("cmyk-tiff", "tif", bad.cmyk_tiff, "ship", check=ships_as("png", converted=True, mode="RGB")),
    image_file(
        "palette-png-transparent",
        "png",
        bad.palette_png_with_transparency,
        "ship",
        check=all_of(ships_as("png", converted=False), keeps_transparency),
    ),
    image_file(
        "palette-gif-transparent",
        "gif",
        bad.palette_gif_with_transparency,
        "ship",
        check=all_of(ships_as("png", converted=True), keeps_transparency),
    ),
    image_file(
        "exif-rotated-jpeg",
        "jpg",
        bad.exif_rotated_jpeg,
        "ship",
        check=all_of(ships_as("jpg", converted=False), exif_orientation_kept),
    ),
    image_file(
        "exif-rotated-tiff",
        "tif",
        bad.exif_rotated_tiff,
        "ship",
        check=all_of(ships_as("png", converted=True), turned_upright),
    ),
    image_file(
        "animated-gif",
        "gif",
        bad.animated_gif,
        "ship",
        check=all_of(ships_as("png", converted=True), same_pixels_as(lambda s: bad.frames(s)[0])),
    ),
    image_file(
        "multi-page-tiff",
        "tif",
        bad.multipage_tiff,
        "ship",
        check=all_of(ships_as("png", converted=True), same_pixels_as(lambda s: bad.frames(s)[0])),
    ),
    image_file(
        "animated-png", "png", bad.animated_png, "ship", check=all_of(ships_as("png", converted=False), still_animated)
    ),
    # Paths.
    Case("dot-dot", "path:escapes-collection", file="../outside/secret.jpg"),
    Case("absolute-path", "path:escapes-collection", file="/etc/passwd"),
    Case("symlink-out", "path:escapes-collection", file="files/symlink-out.jpg", setup=link_outside),
    Case("symlink-inside", "ship", file="files/symlink-inside.jpg", setup=link_inside),
    image_file("-ver", "jpg", exif_jpeg, "ship", check=ships_as("jpg", converted=False)),
    # A legal POSIX name, refused: a line break in a path is never what a cataloguer meant.
    Case("newline-in-name", "path:escapes-collection", file="files/new\nline.jpg", data=bad.good_jpeg),
    # The file's name is Latin-1 bytes on disk; a UTF-8 manifest cannot name it, so it is missing.
    Case("latin1-file-name", "file:missing", file="files/café.jpg", data=bad.good_jpeg, on_disk=b"files/caf\xe9.jpg"),
    Case("missing-file", "file:missing", file="files/nowhere.jpg"),
    Case("directory-as-file", "file:missing", file="files/a-folder.jpg", setup=make_directory),
    Case("fifo-as-image", "file:missing", file="files/fifo.jpg", setup=make_fifo),
    Case("file-url", "url:unsupported-scheme", row={"url": "file:///etc/passwd"}),
    Case("javascript-url", "url:unsupported-scheme", row={"url": "javascript:alert(1)"}),
    # Markup in text: shipped, cleaned.
    image_file(
        "script-in-title",
        "jpg",
        bad.good_jpeg,
        "ship",
        row={"title": "<script>alert(1)</script>Harbour <b>view</b>"},
        check=clean_caption,
    ),
    image_file(
        "img-tag-in-caption",
        "jpg",
        bad.good_jpeg,
        "ship",
        row={"caption": '"><img src=x onerror=alert(1)>Boats at dawn'},
        check=clean_caption,
    ),
    image_file(
        "caption-only-script",
        "jpg",
        bad.good_jpeg,
        "caption:missing",
        row={"title": "", "caption": "<script>x</script>"},
    ),
    # Bad rows.
    image_file(
        "duplicate-id",
        "jpg",
        bad.good_jpeg,
        "manifest:duplicate-id",
        before=(({"id": "duplicate-id", "file": "files/duplicate-id.jpg", "title": "First of two"}, "ship"),),
    ),
    image_file(
        "same-file-twice",
        "jpg",
        bad.good_jpeg,
        "duplicate:exact",
        before=(({"id": "same-file-first", "file": "files/same-file-twice.jpg", "title": "Same file"}, "ship"),),
    ),
    Case("empty-id", "manifest:missing-id", file="files/good-000.jpg", row={"id": ""}),
    Case("both-sources", "manifest:both-sources", file="files/good-000.jpg", row={"url": "https://example.org/a.jpg"}),
    Case("no-source", "manifest:no-source"),
    Case("too-many-cells", "manifest:invalid-row", row={"_raw": "too-many-cells,files/x.jpg,,T,,,surplus,cells"}),
    Case("bad-death-year", "manifest:invalid-row", file="files/good-000.jpg", row={"creator_death_year": "c. 1890"}),
]


def ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


@pytest.mark.parametrize("case", ITEM_CASES, ids=ids(ITEM_CASES))
def test_item_case(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "bad-input"
    layout = write_cases(folder, tmp_path / "outside", [case])
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, SETTINGS)
    check_outcomes(layout, [case], out, report)


def test_the_corpus_is_large_and_every_expected_reason_exists() -> None:
    assert len(ITEM_CASES) >= 40
    assert len(set(ids(ITEM_CASES))) == len(ITEM_CASES)
    for case in ITEM_CASES:
        assert case.expect == "ship" or case.expect in REGISTRY, case.name


def test_eps_is_refused_before_ghostscript_could_run(tmp_path: Path) -> None:
    marker = tmp_path / "ghostscript-ran"
    case = Case(
        "eps-named-jpg", "image:unsupported-format", file="files/eps.jpg", data=lambda _: bad.eps_document(str(marker))
    )
    folder = tmp_path / "eps"
    layout = write_cases(folder, tmp_path / "outside", [case])
    report = build(load_collections([folder]), tmp_path / "dist", SETTINGS)
    check_outcomes(layout, [case], tmp_path / "dist", report)
    assert not marker.exists()


def test_one_build_over_every_bad_item(tmp_path: Path) -> None:
    """All item-level cases in one folder between good items: the build completes and accounts for each."""
    folder = tmp_path / "everything-bad"
    cases = [case for case in ITEM_CASES if case.mixed]
    layout = write_cases(folder, tmp_path / "outside", cases, goods=10)
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, SETTINGS, workers=1)
    check_outcomes(layout, cases, out, report)
    (summary,) = report["collections"]
    wanted: dict[str, int] = {}
    for _, _, outcome in layout.rows:
        if outcome != "ship":
            wanted[outcome] = wanted.get(outcome, 0) + 1
    assert summary["rejected_by_reason"] == dict(sorted(wanted.items()))
    assert sum(1 for _, item_id, _ in layout.rows if item_id.startswith("good-")) == 10


def test_two_different_16_bit_images_both_ship(tmp_path: Path) -> None:
    cases = [
        image_file("first-16-bit", "png", bad.png_16bit, "ship"),
        image_file("second-16-bit", "tif", bad.tiff_16bit, "ship"),
    ]
    folder = tmp_path / "sixteen"
    layout = write_cases(folder, tmp_path / "outside", cases)
    report = build(load_collections([folder]), tmp_path / "dist", SETTINGS)
    check_outcomes(layout, cases, tmp_path / "dist", report)


# --- manifests: encodings, line endings, rows -------------------------------------------------------------------


def manifest_folder(tmp_path: Path, csv_bytes: bytes, files: int = 3, yaml_bytes: bytes | None = None) -> Path:
    """A CC0 collection whose items.csv is exactly ``csv_bytes``; files/good-N.jpg exist for N < files."""
    folder = tmp_path / "manifest-case"
    (folder / "files").mkdir(parents=True)
    for n in range(files):
        (folder / "files" / f"good-{n}.jpg").write_bytes(bad.good_jpeg(500 + n))
    (folder / "collection.yaml").write_bytes(
        yaml_bytes or f'id: manifest-case\ntitle: "Manifest case"\ninstitution: "Test Museum"\nrights: {CC0}\n'.encode()
    )
    (folder / "items.csv").write_bytes(csv_bytes)
    return folder


def built(folder: Path, tmp_path: Path) -> tuple[dict[str, Shipped], list[dict[str, Any]]]:
    build(load_collections([folder]), tmp_path / "dist", SETTINGS)
    return read_back(tmp_path / "dist")


def manifest_error(folder: Path, tmp_path: Path) -> ManifestError:
    """The ManifestError that loading or building the folder raises."""
    with pytest.raises(ManifestError) as info:
        build(load_collections([folder]), tmp_path / "dist", SETTINGS)
    return info.value


ROWS = [b"good-0,files/good-0.jpg,First", b"good-1,files/good-1.jpg,Second", b"good-2,files/good-2.jpg,Third"]


def test_csv_with_a_byte_order_mark_ships_everything(tmp_path: Path) -> None:
    folder = manifest_folder(tmp_path, b"\xef\xbb\xbfid,file,title\n" + b"\n".join(ROWS) + b"\n")
    shipped, rejected = built(folder, tmp_path)
    assert sorted(shipped) == ["good-0", "good-1", "good-2"] and rejected == []


def test_collection_yaml_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    yaml_bytes = f'\ufeffid: manifest-case\ntitle: "T"\ninstitution: "M"\nrights: {CC0}\n'.encode()
    folder = manifest_folder(tmp_path, b"id,file,title\n" + b"\n".join(ROWS) + b"\n", yaml_bytes=yaml_bytes)
    assert load_collection(folder).id == "manifest-case"


def test_latin1_byte_in_a_row_names_file_and_row(tmp_path: Path) -> None:
    data = b"id,file,title\n" + ROWS[0] + b"\ngood-1,files/good-1.jpg,Caf\xe9 interior\n" + ROWS[2] + b"\n"
    folder = manifest_folder(tmp_path, data)
    error = manifest_error(folder, tmp_path)
    assert error.file.endswith("items.csv") and error.row == 3
    assert "0xe9" in error.message and "UTF-8" in error.message
    # The whole collection is refused: guessing an encoding would ship mangled captions.
    assert not (tmp_path / "dist" / "report.json").exists()


def test_latin1_collection_yaml_names_the_file(tmp_path: Path) -> None:
    yaml_bytes = b'id: manifest-case\ntitle: "Mus\xe9e"\ninstitution: "M"\n'
    folder = manifest_folder(tmp_path, b"id,file\n", yaml_bytes=yaml_bytes)
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.file.endswith("collection.yaml") and "UTF-8" in info.value.message


def test_mixed_line_endings_read_every_row_and_count_rows_like_a_spreadsheet(tmp_path: Path) -> None:
    data = (
        b"id,file,title\r\n"
        + ROWS[0]
        + b"\n"
        + ROWS[1]
        + b"\r"  # a lone CR (old Mac export)
        + b"missing,files/nowhere.jpg,Missing\r\n"
        + ROWS[2]
        + b"\r"
    )
    shipped, rejected = built(manifest_folder(tmp_path, data), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1", "good-2"]
    assert [(r["id"], r["row"], r["reason"]) for r in rejected] == [("missing", 4, "file:missing")]


def test_quoted_line_breaks_inside_cells_are_one_row(tmp_path: Path) -> None:
    data = (
        b"id,file,title,caption\n"
        b'good-0,files/good-0.jpg,"Two\nlines","A caption\r\nover lines"\n'
        b'good-1,files/good-1.jpg,"Lone\rCR",\n' + ROWS[2] + b"\n"
    )
    shipped, rejected = built(manifest_folder(tmp_path, data), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1", "good-2"] and rejected == []
    assert shipped["good-0"].meta["caption"] == "A caption over lines"
    assert "\n" not in shipped["good-1"].members["txt"].decode() and "\r" not in shipped["good-1"].meta["caption"]


def test_blank_and_comma_only_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    data = b"id,file,title\n" + ROWS[0] + b"\n\n,,\n   ,  ,\n" + ROWS[1] + b"\nmissing,files/no.jpg,M\n"
    shipped, rejected = built(manifest_folder(tmp_path, data, files=2), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1"]
    assert [(r["id"], r["row"]) for r in rejected] == [("missing", 7)]


@pytest.mark.parametrize(
    ("header", "column"),
    [(b"identifier,file,title", "id"), (b"id,path,title", "file"), (b"id,file,title,Title", "title")],
    ids=["no-id-column", "no-file-or-url-column", "repeated-column"],
)
def test_header_problems_name_file_row_and_column(tmp_path: Path, header: bytes, column: str) -> None:
    folder = manifest_folder(tmp_path, header + b"\n" + b"\n".join(ROWS) + b"\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)  # before any item is processed
    error = info.value
    assert (Path(error.file).name, error.row, error.column) == ("items.csv", 1, column)


def test_empty_manifest_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as info:
        load_collection(manifest_folder(tmp_path, b""))
    assert Path(info.value.file).name == "items.csv" and "empty" in info.value.message


# Far beyond what the linear-time code needs on any machine, far below what an exponential alias
# expansion or a quadratic header scan would take: no outcome depends on the machine's speed.
ONLY_A_BLOWUP_S = 120


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) when the block runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def hundred_thousand_columns(tmp_path: Path) -> Path:
    header = "id,file,title," + ",".join(f"col{n}" for n in range(99_997))
    return manifest_folder(tmp_path, (header + "\n" + "good-0,files/good-0.jpg,Wide\n").encode(), files=1)


def test_a_header_of_100000_columns_loads_quickly(tmp_path: Path) -> None:
    folder = hundred_thousand_columns(tmp_path)
    with time_limit(ONLY_A_BLOWUP_S):
        collection = load_collection(folder)
        items = list(read_items(collection))
    assert [item.id for item in items] == ["good-0"]


def test_a_cell_over_the_text_limit_holds_its_row_back_and_one_at_the_limit_ships(tmp_path: Path) -> None:
    """Cells up to MAX_TEXT_CHARS travel whole in 'extra'; a 10-million-character cell holds only its row back."""
    from packager.manifest.rows import MAX_TEXT_CHARS

    at_limit, huge = "x" * MAX_TEXT_CHARS, "y" * 10_000_000  # the parser's own bound is MAX_CELL_CHARS
    data = (
        b"id,file,title,notes\n"
        + ROWS[0]
        + b",short\ngood-1,files/good-1.jpg,Big,"
        + at_limit.encode()
        + b"\ngood-2,files/good-2.jpg,Huge,"
        + huge.encode()
        + b"\n"
    )
    shipped, rejected = built(manifest_folder(tmp_path, data, files=3), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1"]
    assert shipped["good-1"].meta["extra"] == [{"name": "notes", "value": at_limit}]
    (held,) = rejected
    assert (held["id"], held["reason"]) == ("good-2", "manifest:invalid-row")
    assert held["message"].startswith("items.csv, row 4, column 'notes': 10,000,000 characters, more than the 100,000")


def test_a_cell_over_ten_million_characters_names_file_and_row(tmp_path: Path) -> None:
    data = b"id,file,title\n" + ROWS[0] + b"\ngood-1,files/good-1.jpg," + b"x" * 10_000_001 + b"\n"
    error = manifest_error(manifest_folder(tmp_path, data, files=2), tmp_path)
    assert (Path(error.file).name, error.row) == ("items.csv", 3)
    assert "field larger than field limit" in error.message


# --- JSON lines: escapes that are not text -----------------------------------------------------------------------


def jsonl_folder(tmp_path: Path, lines: list[str], disk_name: bytes | None = None) -> Path:
    folder = tmp_path / "jsonl-case"
    (folder / "files").mkdir(parents=True)
    for n in range(2):
        (folder / "files" / f"good-{n}.jpg").write_bytes(bad.good_jpeg(700 + n))
    if disk_name is not None:
        with open(os.path.join(os.fsencode(folder), disk_name), "wb") as handle:
            handle.write(bad.good_jpeg(702))
    (folder / "collection.yaml").write_text(
        f'id: jsonl-case\ntitle: "J"\ninstitution: "M"\nrights: {CC0}\n', encoding="utf-8"
    )
    (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


GOOD_JSONL = [
    '{"id": "good-0", "file": "files/good-0.jpg", "title": "First"}',
    '{"id": "good-1", "file": "files/good-1.jpg", "title": "Second"}',
]


# The crash leaves a half-written tar that complains when collected; that noise is not this test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_jsonl_lone_surrogate_rejects_only_its_row(tmp_path: Path) -> None:
    lines = [GOOD_JSONL[0], '{"id": "bad-text", "file": "files/good-1.jpg", "title": "A\\ud800B"}', GOOD_JSONL[1]]
    shipped, rejected = built(jsonl_folder(tmp_path, lines), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1"]
    assert [(r["row"], r["reason"]) for r in rejected] == [(2, "manifest:invalid-row")]


# The crash leaves a half-written tar that complains when collected; that noise is not this test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_jsonl_non_utf8_file_name_rejects_only_its_row(tmp_path: Path) -> None:
    lines = [GOOD_JSONL[0], '{"id": "latin1-name", "file": "files/caf\\udce9.jpg", "title": "Cafe"}', GOOD_JSONL[1]]
    shipped, rejected = built(jsonl_folder(tmp_path, lines, disk_name=b"files/caf\xe9.jpg"), tmp_path)
    assert sorted(shipped) == ["good-0", "good-1"]
    assert [(r["row"], r["reason"]) for r in rejected] == [(2, "manifest:invalid-row")]


# --- YAML: alias bombs and tags that would run code ----------------------------------------------------------------


def yaml_folder(tmp_path: Path, text: str) -> Path:
    return manifest_folder(tmp_path, b"id,file,title\n" + ROWS[0] + b"\n", files=1, yaml_bytes=text.encode())


def test_billion_laughs_in_a_known_key_is_refused_quickly(tmp_path: Path) -> None:
    folder = yaml_folder(tmp_path, bad.billion_laughs(key="title"))
    with time_limit(ONLY_A_BLOWUP_S), pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert Path(info.value.file).name == "collection.yaml"
    assert info.value.column == "title" or "alias" in info.value.message


def test_billion_laughs_under_an_unknown_key_is_refused(tmp_path: Path) -> None:
    folder = yaml_folder(tmp_path, bad.billion_laughs(key="lol"))
    with time_limit(ONLY_A_BLOWUP_S), pytest.raises(ManifestError):
        load_collection(folder)


def test_alias_bomb_in_values_is_refused(tmp_path: Path) -> None:
    folder = yaml_folder(tmp_path, bad.alias_bomb_in_values(depth=7))
    with time_limit(ONLY_A_BLOWUP_S), pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert "alias" in info.value.message or (info.value.column or "").startswith("values")


def test_unsafe_python_tag_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "yaml-ran"
    folder = yaml_folder(tmp_path, bad.unsafe_tag_yaml(str(marker)))
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert Path(info.value.file).name == "collection.yaml" and "not valid YAML" in info.value.message
    assert not marker.exists()


def test_schema_check_refuses_every_alias_without_expanding_it(tmp_path: Path) -> None:
    from packager.manifest.schema import check_collection_file

    for text in (bad.billion_laughs(key="lol"), bad.alias_bomb_in_values(depth=9)):
        folder = yaml_folder(tmp_path / str(len(text)), text)
        with time_limit(ONLY_A_BLOWUP_S):
            problems = check_collection_file(folder)
        assert problems and "alias" in problems[0].message


def test_a_build_in_another_process_reports_a_manifest_error_with_status_1(tmp_path: Path) -> None:
    """The command line path: a ManifestError becomes one readable line and exit status 1, not a traceback."""
    folder = manifest_folder(tmp_path, b"id,file,title\ngood-0,files/good-0.jpg,Caf\xe9\n", files=1)
    code = "from packager.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "validate", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "items.csv, row 2: is not UTF-8 (byte 0xe9)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_build_that_stops_part_way_leaves_nothing_half_open(tmp_path: Path) -> None:
    folder = tmp_path / "stops"
    write_cases(folder, tmp_path / "outside", [], goods=2)
    out = tmp_path / "dist"
    raised: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = raised.append

    def stop(collection: Any, result: Any) -> None:
        raise RuntimeError("the operator pressed Ctrl-C")

    try:
        with pytest.raises(RuntimeError):
            build(load_collections([folder]), out, SETTINGS, on_result=stop)
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert not list((out / "data").rglob("*.tmp"))
    assert [str(r.exc_value) for r in raised] == []
