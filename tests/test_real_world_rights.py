"""Rights decisions on collections shaped like real open-access exports (Tate, the Met, NGA, Mia).

Each fixture writes an export's own columns and values unchanged and maps them with
collection.yaml ``columns`` and ``values``; the build runs as a contributor would run it,
and every item is checked for where it ended: shipped (with which evidence), or held
back with which reason code.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import webdataset as wds
from PIL import Image

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.manifest.collection import ManifestError, load_collection
from packager.manifest.rows import read_items
from packager.model import Item
from packager.rights.terms import expand
from tests.helpers import CC0, write_collection

pytestmark = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")

AS_OF = "2026-11-30"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"
WORLDWIDE = sorted(expand("worldwide"))
# The note recorded when the decoder finds no metadata block in the file, so ExifTool is not asked.
NO_METADATA = "the file carries no EXIF, XMP, IPTC or text metadata that could state rights"


# --- writing exports --------------------------------------------------------------------------------------


def picture(seed: int, fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A real image of seeded noise: every seed gives a different picture (and perceptual hash)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def export_folder(
    root: Path,
    name: str,
    yaml_text: str,
    header: list[str],
    rows: list[dict[str, Any]],
    fmt: str = "csv",
) -> Path:
    """A collection folder holding the export as its institution publishes it, plus one JPEG per row."""
    folder = root / name
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(yaml_text, encoding="utf-8")
    for number, row in enumerate(rows):
        (folder / row["file"]).write_bytes(picture(number))
    if fmt == "csv":
        with (folder / "items.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    else:
        lines = [json.dumps({key: row[key] for key in header}, ensure_ascii=False) for row in rows]
        (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def death_year_from_dates(dates: str) -> str:
    """The contributor's own step: Tate's artist_data.csv ``dates`` ("1775–1851") to a death year column."""
    years = re.findall(r"\d{4}", dates)
    return years[-1] if len(years) == 2 else ""


TATE_HEADER = [
    "id",
    "accession_number",
    "artist",
    "artistId",
    "title",
    "year",
    "acquisitionYear",
    "medium",
    "thumbnailCopyright",
    "thumbnailUrl",
    "url",
    "death_year",  # added by the contributor from artist_data.csv "dates"
    "file",  # added by the contributor: the local image
]
# Tate's own "id" column is kept as the item id; see test_tate_accession_number_can_be_mapped_to_id.
TATE_COLUMNS = """columns:
  copyright_notice: thumbnailCopyright
  creator: artist
  date: year
  creator_death_year: death_year
  source_url: url
"""
TATE_ARTISTS = {558: "1775–1851", 5: "1909–1992"}  # artist_data.csv: id -> dates (Turner, Bacon)


def tate_row(row_id: str, accession: str, artist_id: int, copyright_notice: str, **values: Any) -> dict[str, Any]:
    artist = {558: "Turner, Joseph Mallord William", 5: "Bacon, Francis"}[artist_id]
    return {
        "id": row_id,
        "accession_number": accession,
        "artist": artist,
        "artistId": artist_id,
        "acquisitionYear": values.pop("acquisitionYear", 1856),
        "medium": values.pop("medium", "Oil paint on canvas"),
        "thumbnailCopyright": copyright_notice,
        "thumbnailUrl": f"http://www.tate.org.uk/art/images/work/{accession[0]}/{accession[:3]}/{accession}_8.jpg",
        "url": f"http://www.tate.org.uk/art/artworks/{accession.lower()}",
        "death_year": death_year_from_dates(TATE_ARTISTS[artist_id]),
        "file": f"files/{accession}.jpg",
        **values,
    }


MET_HEADER = [
    "Object Number",
    "Is Highlight",
    "Is Public Domain",
    "Object ID",
    "Department",
    "Title",
    "Artist Display Name",
    "Artist Begin Date",
    "Artist End Date",
    "Object Date",
    "Link Resource",
    "file",
]
MET_YAML = """id: met-open-access
title: The Met Open Access (sample)
institution: {name: "The Metropolitan Museum of Art", url: "https://www.metmuseum.org"}
columns:
  id: Object Number
  rights: Is Public Domain
  title: Title
  creator: Artist Display Name
  creator_death_year: Artist End Date
  date: Object Date
  source_url: Link Resource
values:
  rights: {"True": "Public Domain", "False": "In Copyright"}
"""


def met_row(number: str, object_id: int, public: str, artist: str, begin: str, end: str, date: str, title: str):
    return {
        "Object Number": number,
        "Is Highlight": "False",
        "Is Public Domain": public,
        "Object ID": object_id,
        "Department": "European Paintings",
        "Title": title,
        "Artist Display Name": artist,
        "Artist Begin Date": begin,
        "Artist End Date": end,
        "Object Date": date,
        "Link Resource": f"http://www.metmuseum.org/art/collection/search/{object_id}",
        "file": f"files/{object_id}.jpg",
    }


NGA_HEADER = ["objectid", "accessionnum", "title", "displaydate", "attribution", "beginyear", "endyear", "file"]
NGA_YAML = """id: nga-open-data
title: National Gallery of Art open data (sample)
institution: {name: "National Gallery of Art", url: "https://www.nga.gov"}
columns:
  id: accessionnum
  date: displaydate
  creator: attribution
  creator_death_year: endyear
"""

MIA_HEADER = ["id", "accession_number", "title", "artist", "dated", "rights_type", "image_copyright", "file"]
MIA_YAML = """id: mia-collection
title: Minneapolis Institute of Art (sample)
institution: {name: "Minneapolis Institute of Art", url: "https://collections.artsmia.org"}
columns:
  rights: rights_type
  copyright_notice: image_copyright
  creator: artist
  date: dated
values:
  rights: {"Copyright Protected": "In Copyright"}
"""
ESTATE = "%C2%A9%20Estate%20of%20Someone"


def mia_row(object_id: int, accession: str, rights_type: str, image_copyright: str, dated: str) -> dict[str, Any]:
    return {
        "id": f"http://api.artsmia.org/objects/{object_id}",
        "accession_number": accession,
        "title": f"Object {object_id}",
        "artist": "Someone",
        "dated": dated,
        "rights_type": rights_type,
        "image_copyright": image_copyright,
        "file": f"files/{object_id}.jpg",
    }


DMI_XMP = (
    "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
    "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
    "<rdf:Description rdf:about='' xmlns:plus='http://ns.useplus.org/ldf/xmp/1.0/'>\n"
    f"<plus:DataMining rdf:resource='{PLUS_VOCAB}DMI-PROHIBITED-AIMLTRAINING'/>\n"
    "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end='w'?>\n"
)


def exiftool_write(path: Path, *assignments: str) -> None:
    done = subprocess.run(
        ["exiftool", "-overwrite_original", *assignments, str(path)], check=True, capture_output=True, text=True
    )
    assert "1 image files updated" in done.stdout, done.stdout + done.stderr


def embedded_folder(root: Path) -> Path:
    rows = [
        {"id": "notice", "file": "files/notice.jpg", "title": "Harbour with a © notice in the file"},
        {"id": "no-mining", "file": "files/no-mining.jpg", "title": "Harbour that forbids AI training"},
        {"id": "cc0-in-file", "file": "files/cc0-in-file.jpg", "title": "Harbour marked CC0 in the file"},
    ]
    files = {row["file"]: picture(n) for n, row in enumerate(rows)}
    folder = write_collection(root, rows, collection_id="embedded-museum", files=files, rights=CC0)
    exiftool_write(folder / "files/notice.jpg", "-XMP-dc:Rights=© 2014 Museum of Things")
    # exiftool 12.57 does not define XMP-plus:DataMining ("Tag 'XMP-plus:DataMining' is not defined", with or
    # without -n and the full URI), so the property goes in as an XMP packet, which exiftool copies in whole.
    packet = root / "dmi.xmp"
    packet.write_text(DMI_XMP, encoding="utf-8")
    exiftool_write(folder / "files/no-mining.jpg", f"-XMP<={packet}")
    exiftool_write(folder / "files/cc0-in-file.jpg", f"-XMP-xmpRights:WebStatement={CC0}")
    return folder


# --- building and reading back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    out: Path
    report: dict[str, Any]
    samples: dict[str, dict[str, Any]]  # item id -> the sample's JSON
    rejected: dict[str, dict[str, Any]]  # item id -> its rejected.jsonl line


def build_folder(folder: Path, out: Path, policy: str = "worldwide") -> Built:
    report = build(load_collections([folder]), out, Settings(policy=policy, as_of=AS_OF))
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    shards = sorted(str(p) for p in (out / "data").rglob("*.tar"))
    metas = [json.loads(s["json"]) for s in wds.WebDataset(shards, shardshuffle=False)] if shards else []
    index = [row for p in sorted((out / "data").rglob("*.parquet")) for row in pq.read_table(p).to_pylist()]
    # The parquet index and the shards agree, sample for sample.
    assert [(r["id"], r["rights_status"]) for r in index] == [(m["id"], m["rights"]["status"]) for m in metas]
    assert report["totals"]["shipped"] == len(metas)
    assert report["totals"]["rejected"] == len(rejected)
    return Built(out, report, {m["id"]: m for m in metas}, {r["id"]: r for r in rejected})


def sources(evidence: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["source"], e["field"], e["status"]) for e in evidence]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    root = tmp_path_factory.mktemp("exports")
    out = tmp_path_factory.mktemp("dist")
    tate_yaml = 'title: Tate collection (sample)\ninstitution: {name: "Tate", url: "https://www.tate.org.uk"}\n'
    folders = {
        "tate": export_folder(
            root,
            "tate",
            "id: tate\n" + tate_yaml + TATE_COLUMNS,
            TATE_HEADER,
            [
                tate_row("1035", "N00530", 558, "", title="Venice: The Dogana", year="c.1840"),
                tate_row(
                    "1471",
                    "N06171",
                    5,
                    "© The estate of Francis Bacon",
                    title="Three Studies for Figures at the Base of a Crucifixion",
                    year="1944",
                    acquisitionYear=1953,
                ),
            ],
        ),
        # The same export with a collection-wide Public Domain Mark.
        "tate-pdm": export_folder(
            root,
            "tate-pdm",
            f"id: tate-pdm\n{tate_yaml}rights: {PDM}\n" + TATE_COLUMNS,
            TATE_HEADER,
            [
                tate_row("1040", "N00372", 558, "© Tate", title="Snow Storm", year="c.1842"),
                tate_row("1041", "N00373", 558, "", title="Rain, Steam and Speed", year="1844"),
            ],
        ),
        "met": export_folder(
            root,
            "met",
            MET_YAML,
            MET_HEADER,
            [
                met_row("29.100.5", 436573, "True", "El Greco", "1540", "1614", "ca. 1600", "Cardinal"),
                met_row(
                    "1975.1.1",
                    459001,
                    "True",
                    "Painter A|Painter B",
                    "1790      |1810",
                    "1840      |1890",
                    "1870",
                    "Landscape",
                ),
                met_row("1990.11", 485001, "False", "Painter C", "1958", "1990", "1985", "Untitled"),
                met_row("1800.1", 437001, "False", "Painter D", "1740", "1800", "1790", "Portrait"),
                met_row("1850.2", 437002, "", "Designer E|Printer F", "1800|1880", "1850|1960", "1850–1930", "Print"),
            ],
        ),
        "nga": export_folder(
            root,
            "nga",
            NGA_YAML,
            NGA_HEADER,
            [
                {
                    "objectid": 130001,
                    "accessionnum": "2009.27.1",
                    "title": "Street Scene",
                    "displaydate": "born 1908",
                    "attribution": "Photographer G",
                    "beginyear": 1908,
                    "endyear": 2008,
                    "file": "files/130001.jpg",
                }
            ],
        ),
        "mia": export_folder(
            root,
            "mia",
            MIA_YAML,
            MIA_HEADER,
            [
                mia_row(1218, "P.13.65", "Public Domain", ESTATE, "1880"),
                mia_row(529, "23.12", "Public Domain", "Photo%3A%20Mia", "1880"),
                mia_row(60728, "2001.1", "Copyright Protected", ESTATE, "1999"),
            ],
            fmt="jsonl",
        ),
        "embedded": embedded_folder(root),
    }
    built = {name: build_folder(folder, out / name) for name, folder in folders.items()}
    built["nga-gb"] = build_folder(folders["nga"], out / "nga-gb", policy="GB")
    return built


# --- 1. Tate ----------------------------------------------------------------------------------------------


def test_tate_turner_without_rights_ships_by_term_rules(builds: dict[str, Built]) -> None:
    tate = builds["tate"]
    assert set(tate.samples) == {"1035"}
    rights = tate.samples["1035"]["rights"]
    assert rights["status"] == "public_domain"
    assert rights["decided_by"] == "term-rule"
    assert rights["statement"] is None
    assert rights["public_domain_in"] == ["worldwide"]
    assert (rights["conflict"], rights["overridden"]) == (False, False)
    # No rights column, no default, an empty thumbnailCopyright and a file without rights tags:
    # the statement is undetermined and the term rules decide.
    assert sources(rights["evidence"]) == [
        ("manifest", "rights", "undetermined"),
        ("term-rule", "creator_death_year,date", "public_domain"),
        ("embedded", "", "info"),
    ]
    assert rights["evidence"][1]["value"] == "death 1851; created c. 1840"
    assert rights["evidence"][2]["finding"] == NO_METADATA
    meta = tate.samples["1035"]
    assert (meta["creator"], meta["date"]) == ("Turner, Joseph Mallord William", "c.1840")
    assert meta["source_url"] == "http://www.tate.org.uk/art/artworks/n00530"
    assert {e["name"]: e["value"] for e in meta["extra"]}["accession_number"] == "N00530"


def test_tate_bacon_with_estate_notice_is_undetermined_not_a_conflict(builds: dict[str, Built]) -> None:
    bacon = builds["tate"].rejected["1471"]
    # Undetermined, not a conflict: no source says public domain. There is no rights statement, the
    # term rules find it protected (life+70 to 2062, life+100 in MX) everywhere but the US, where
    # they cannot tell, and the © line is recorded as a claim of copyright.
    assert bacon["reason"] == "rights:undetermined"
    assert sources(bacon["evidence"]) == [
        ("manifest", "rights", "undetermined"),
        ("term-rule", "creator_death_year,date", "undetermined"),
        ("manifest", "copyright_notice", "not_public_domain"),
    ]
    assert bacon["evidence"][2]["finding"] == (
        "items.csv column 'thumbnailCopyright': copyright notice '© The estate of Francis Bacon'"
    )
    assert "life+70 runs to 31 Dec 2062" in bacon["evidence"][1]["finding"]
    assert "US: no US rule applies: author died 1992; life+70 runs to 31 Dec 2062" in bacon["evidence"][1]["finding"]
    assert not any(e["source"] == "conflict" for e in bacon["evidence"])
    assert builds["tate"].report["rejected_by_reason"] == {"rights:undetermined": 1}


def test_tate_copyright_line_against_collection_pdm_is_a_conflict(builds: dict[str, Built]) -> None:
    tate = builds["tate-pdm"]
    snow = tate.rejected["1040"]
    assert snow["reason"] == "rights:conflict"
    assert sources(snow["evidence"]) == [
        ("collection", "rights", "public_domain"),
        ("term-rule", "creator_death_year,date", "public_domain"),
        ("manifest", "copyright_notice", "not_public_domain"),
        ("conflict", "copyright_notice", "info"),
    ]
    # The decisive finding first, in plain words; advice for a notice a person may know better than.
    assert (
        snow["message"]
        == snow["evidence"][3]["finding"]
        == (
            "items.csv column 'thumbnailCopyright' says '© Tate'; but collection.yaml's default rights statement "
            "(Public Domain Mark 1.0) says public domain."
        )
    )
    assert "override=yes, overrules copyright_notice and a note" in snow["fix"]
    assert "If items.csv column 'thumbnailCopyright' is out of date" in snow["fix"]
    assert "give this item its own rights statement in items.csv column 'rights'" in snow["fix"]
    # The same Turner without the © line ships on the collection's PDM, which the term rules agree with.
    rain = tate.samples["1041"]["rights"]
    assert (rain["status"], rain["decided_by"], rain["statement"]) == ("public_domain", "statement", PDM)
    assert set(tate.samples) == {"1041"} and set(tate.rejected) == {"1040"}


def test_tate_dates_string_mapped_as_death_year_is_an_invalid_row(tmp_path: Path) -> None:
    header = ["id", "artist", "title", "year", "dates", "file"]
    row = {"id": "1035", "artist": "Turner", "title": "Venice", "year": "c.1840", "dates": "1775–1851"}
    folder = export_folder(
        tmp_path,
        "tate-raw",
        "id: tate-raw\ntitle: Tate\ninstitution: Tate\ncolumns: {creator_death_year: dates, creator: artist}\n",
        header,
        [{**row, "file": "files/N00530.jpg"}],
    )
    built = build_folder(folder, tmp_path / "out")
    assert built.samples == {}
    rejected = built.rejected["1035"]
    assert rejected["reason"] == "manifest:invalid-row"
    # The contributor's column, the value, and the fix.
    assert rejected["message"] == (
        "items.csv, row 2, column 'dates': '1775–1851' holds life dates, not a year of death: map 'dates' to "
        'creator_dates in collection.yaml (columns: {creator_dates: "dates"}); pdpack reads the death year from them'
    )


def test_tate_accession_number_can_be_mapped_to_id(tmp_path: Path) -> None:
    folder = export_folder(
        tmp_path,
        "tate",
        "id: tate\ntitle: Tate\ninstitution: Tate\ncolumns: {id: accession_number, source_url: url}\n",
        TATE_HEADER,
        [tate_row("1035", "N00530", 558, "", title="Venice: The Dogana", year="c.1840")],
    )
    (item,) = read_items(load_collection(folder))
    assert isinstance(item, Item)
    assert item.id == "N00530"


def test_jsonl_mapped_id_is_not_silently_replaced_by_the_native_id(tmp_path: Path) -> None:
    folder = tmp_path / "mia"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "a.jpg").write_bytes(picture(0))
    (folder / "collection.yaml").write_text(
        "id: mia\ntitle: Mia\ninstitution: Mia\ncolumns: {id: accession_number}\n", encoding="utf-8"
    )
    record = {"accession_number": "P.13.65", "id": "http://api.artsmia.org/objects/1218", "file": "files/a.jpg"}
    (folder / "items.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    try:
        (item,) = read_items(load_collection(folder))
    except ManifestError:
        return  # refusing the clash, as items.csv does, is also right
    assert isinstance(item, Item)
    assert item.id == "P.13.65"


# --- 2. The Met -------------------------------------------------------------------------------------------


def test_met_is_public_domain_flag_through_values(builds: dict[str, Built]) -> None:
    met = builds["met"]
    assert set(met.samples) == {"29.100.5", "1975.1.1"}
    greco = met.samples["29.100.5"]["rights"]
    assert (greco["statement"], greco["status"], greco["decided_by"]) == ("Public Domain", "public_domain", "statement")
    assert greco["evidence"][0] == {
        "source": "manifest",
        "field": "rights",
        "value": "Public Domain",
        "status": "public_domain",
        "finding": "items.csv column 'Is Public Domain': Public Domain (Free-text label)",
    }
    # "1840      |1890" as the Met pads it: the later death (1890) is the one used.
    two = met.samples["1975.1.1"]["rights"]
    assert two["status"] == "public_domain" and two["evidence"][1]["value"] == "death 1890; created 1870"
    extra = {e["name"]: e["value"] for e in met.samples["29.100.5"]["extra"]}
    assert extra == {
        "Artist Begin Date": "1540",
        "Department": "European Paintings",
        "Is Highlight": "False",
        "Object ID": "436573",
    }
    assert set(met.rejected) == {"1990.11", "1800.1", "1850.2"}


def test_met_false_is_not_public_domain(builds: dict[str, Built]) -> None:
    held = builds["met"].rejected["1990.11"]
    assert held["reason"] == "rights:not-public-domain"
    assert held["evidence"][0]["value"] == "In Copyright"
    assert held["evidence"][0]["status"] == "not_public_domain"
    assert not any(e["source"] == "conflict" for e in held["evidence"])


def test_met_false_for_an_artist_dead_since_1800_is_a_conflict(builds: dict[str, Built]) -> None:
    held = builds["met"].rejected["1800.1"]
    assert held["reason"] == "rights:conflict"
    assert sources(held["evidence"]) == [
        ("manifest", "rights", "not_public_domain"),
        ("term-rule", "creator_death_year,date", "public_domain"),
        ("conflict", "statement", "info"),
    ]
    assert held["message"] == held["evidence"][2]["finding"]
    assert held["message"].startswith(
        "The item's rights statement (In Copyright) says in copyright, but the copyright terms have ended in "
        "every country pdpack knows (death 1800"
    )
    # The institution's own statement: correct it if wrong; never advice to override it.
    assert "correct items.csv column 'Is Public Domain'" in held["fix"] and "override" not in held["fix"]


def test_met_two_artists_use_the_latest_death_and_are_partial(builds: dict[str, Built]) -> None:
    held = builds["met"].rejected["1850.2"]
    # With 1850 the work (made 1850–1930) would be public domain everywhere, the US included.
    # With 1960 only Canada and Japan (life+50 for authors who died before their extensions) say yes.
    assert held["reason"] == "rights:partial"
    term = held["evidence"][1]
    assert (term["source"], term["value"], term["status"]) == (
        "term-rule",
        "death 1960; created 1850–1930",
        "undetermined",
    )
    missing = ", ".join(code for code in WORLDWIDE if code not in {"CA", "JP"})
    assert held["message"].endswith(f"; not established for {missing}")
    assert held["evidence"][0]["finding"] == (
        "no rights statement: items.csv column 'Is Public Domain' is empty and collection.yaml sets no default"
    )


# --- 3. NGA -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nga", "nga-gb"])
def test_nga_born_1908_with_death_2008_is_never_public_domain(builds: dict[str, Built], name: str) -> None:
    nga = builds[name]
    assert nga.samples == {}
    held = nga.rejected["2009.27.1"]
    assert held["reason"] == "rights:undetermined"
    assert sources(held["evidence"]) == [
        ("manifest", "rights", "undetermined"),
        ("term-rule", "creator_death_year,date", "undetermined"),
    ]
    assert held["evidence"][1]["value"] == "death 2008; created 1908 or later (born 1908)"
    assert "GB" in held["evidence"][1]["finding"].split(": author died 2008")[0]
    assert "life+70 runs to 31 Dec 2078" in held["evidence"][1]["finding"]
    assert nga.report["settings"]["policy"] == ("GB" if name == "nga-gb" else "worldwide")


# --- 4. Minneapolis Institute of Art ----------------------------------------------------------------------


def test_mia_url_encoded_copyright_lines(builds: dict[str, Built]) -> None:
    mia = builds["mia"]
    ships = "http://api.artsmia.org/objects/529"
    assert set(mia.samples) == {ships}
    rights = mia.samples[ships]["rights"]
    assert (rights["status"], rights["decided_by"], rights["statement"]) == (
        "public_domain",
        "statement",
        "Public Domain",
    )
    assert {
        "source": "manifest",
        "field": "copyright_notice",
        "value": "Photo: Mia",
        "status": "info",
        "finding": "items.jsonl column 'image_copyright': no copyright claimed",
    } in rights["evidence"]

    estate = mia.rejected["http://api.artsmia.org/objects/1218"]
    assert estate["reason"] == "rights:conflict"
    assert sources(estate["evidence"]) == [
        ("manifest", "rights", "public_domain"),
        ("manifest", "copyright_notice", "not_public_domain"),
        ("conflict", "copyright_notice", "info"),
    ]
    assert estate["evidence"][1]["value"] == "© Estate of Someone"
    assert (
        estate["message"]
        == estate["evidence"][2]["finding"]
        == (
            "items.jsonl column 'image_copyright' says '© Estate of Someone'; but the item's rights statement "
            "(Public Domain) says public domain."
        )
    )

    protected = mia.rejected["http://api.artsmia.org/objects/60728"]
    assert protected["reason"] == "rights:not-public-domain"
    assert protected["evidence"][0]["value"] == "In Copyright"


# --- 5. Metadata embedded in the files --------------------------------------------------------------------


def test_embedded_copyright_notice_against_cc0_is_a_conflict(builds: dict[str, Built]) -> None:
    held = builds["embedded"].rejected["notice"]
    assert held["reason"] == "rights:conflict"
    assert {
        "source": "embedded",
        "field": "XMP-dc:Rights",
        "value": "© 2014 Museum of Things",
        "status": "not_public_domain",
        "finding": "embedded © notice: '© 2014 Museum of Things'",
    } in held["evidence"]
    assert (
        held["message"]
        == held["evidence"][-1]["finding"]
        == (
            "The image file's own metadata claims copyright (embedded © notice: '© 2014 Museum of Things'); "
            "but collection.yaml's default rights statement (CC0 1.0) says public domain."
        )
    )
    assert "export the file again without it" in held["fix"] and "overrules embedded" in held["fix"]


def test_embedded_data_mining_prohibition_holds(builds: dict[str, Built]) -> None:
    held = builds["embedded"].rejected["no-mining"]
    assert held["reason"] == "preference:data-mining-prohibited"
    assert held["message"] == "XMP-plus:DataMining is DMI-PROHIBITED-AIMLTRAINING"
    assert {
        "source": "embedded",
        "field": "XMP-plus:DataMining",
        "value": f"{PLUS_VOCAB}DMI-PROHIBITED-AIMLTRAINING",
        "status": "info",
        "finding": "embedded PLUS data-mining prohibition: DMI-PROHIBITED-AIMLTRAINING",
    } in held["evidence"]


def test_embedded_cc0_web_statement_ships_with_its_evidence(builds: dict[str, Built]) -> None:
    embedded = builds["embedded"]
    assert set(embedded.samples) == {"cc0-in-file"}
    rights = embedded.samples["cc0-in-file"]["rights"]
    assert (rights["status"], rights["decided_by"], rights["statement"]) == ("public_domain", "statement", CC0)
    assert rights["evidence"] == [
        {
            "source": "collection",
            "field": "rights",
            "value": CC0,
            "status": "public_domain",
            "finding": "collection.yaml: CC0 1.0 (Waiver by the rights holder)",
        },
        {
            "source": "embedded",
            "field": "XMP-xmpRights:WebStatement",
            "value": CC0,
            "status": "public_domain",
            "finding": "embedded XMP-xmpRights:WebStatement: CC0 1.0 (Waiver by the rights holder)",
        },
    ]


def test_embedded_copyright_notice_in_a_gif_is_a_conflict(tmp_path: Path) -> None:
    rows = [{"id": "gif-notice", "file": "files/notice.gif", "title": "Animated harbour"}]
    folder = write_collection(tmp_path, rows, files={"files/notice.gif": picture(0, "GIF")}, rights=CC0)
    exiftool_write(folder / "files/notice.gif", "-XMP-dc:Rights=© 2014 Museum of Things")
    built = build_folder(folder, tmp_path / "dist")
    assert built.samples == {}
    assert built.rejected["gif-notice"]["reason"] == "rights:conflict"


# --- 6. Across every fixture ------------------------------------------------------------------------------


def test_no_shipped_sample_carries_a_copyright_claim_unless_overridden(builds: dict[str, Built]) -> None:
    shipped = [meta for built in builds.values() for meta in built.samples.values()]
    assert len(shipped) == 6
    for meta in shipped:
        rights = meta["rights"]
        assert rights["status"] == "public_domain"
        assert rights["conflict"] is False
        claims = [e for e in rights["evidence"] if e["status"] == "not_public_domain"]
        assert not claims or rights["overridden"] is True, (meta["collection"], meta["id"], claims)
    totals = {name: (b.report["totals"]["shipped"], b.report["totals"]["rejected"]) for name, b in builds.items()}
    assert totals == {
        "tate": (1, 1),
        "tate-pdm": (1, 1),
        "met": (2, 3),
        "nga": (0, 1),
        "nga-gb": (0, 1),
        "mia": (1, 2),
        "embedded": (1, 2),
    }
