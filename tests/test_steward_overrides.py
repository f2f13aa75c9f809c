"""A steward's decision settles doubt; an override names each finding it overrules (issue 11, point 1).

Real builds through the CLI, real images (one with a real EXIF copyright notice), real exiftool.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import webdataset as wds
from click.testing import CliRunner
from PIL import Image

from packager.cli import cli
from tests.helpers import image_bytes, write_collection

pytestmark = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")

AS_OF = "2026-12-01"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
HEADER = "id,decision,reviewer,date,note,override,overrules\n"


def jpeg_with_copyright(notice: str) -> bytes:
    """A real JPEG whose EXIF IFD0 Copyright tag carries ``notice``."""
    image = Image.open(io.BytesIO(image_bytes("JPEG", color=(10, 120, 200))))
    exif = Image.Exif()
    exif[0x8298] = notice
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def museum(root: Path) -> Path:
    rows = [
        # Creator died 1960: life+70 runs to 2030 in the EU, and longer in Mexico.
        {"id": "died-1960", "file": "files/a.png", "title": "Harbour", "creator_death_year": "1960", "rights": NKC},
        # Creator died 1926: over everywhere but Mexico (life+100 runs to 31 Dec 2026).
        {"id": "died-1926", "file": "files/b.png", "title": "Drawing", "creator_death_year": "1926", "rights": NKC},
        # Creator died 1850: over everywhere; only the NKC statement leaves doubt.
        {"id": "died-1850", "file": "files/c.png", "title": "Etching", "creator_death_year": "1850", "rights": NKC},
        # Public Domain Mark, a stale embedded notice, and a creator who died 1926.
        {"id": "notice", "file": "files/d.jpg", "title": "Portrait", "creator_death_year": "1926", "rights": PDM},
    ]
    files = {
        "files/a.png": image_bytes(color=(200, 30, 30)),
        "files/b.png": image_bytes(color=(30, 200, 30)),
        "files/c.png": image_bytes(color=(30, 30, 200)),
        "files/d.jpg": jpeg_with_copyright("(c) 2014 City Museum. All rights reserved."),
    }
    return write_collection(root, rows, collection_id="steward-museum", files=files, rights=None)


def build(folder: Path, out: Path, *options: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), "--as-of", AS_OF, *options])
    assert result.exit_code == 0, result.output
    shards = sorted(str(p) for p in (out / "data").rglob("*.tar"))
    records = wds.WebDataset(shards, shardshuffle=False) if shards else []
    samples = {m["id"]: m for m in (json.loads(s["json"]) for s in records)}
    lines = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    rejected = {r["id"]: r for r in map(json.loads, lines)}
    return samples, rejected, json.loads((out / "report.json").read_text(encoding="utf-8"))


def notes(record: dict[str, Any]) -> dict[str, str]:
    return {e["value"]: e["finding"] for e in record["evidence"] if (e["source"], e["field"]) == ("review", "override")}


def test_plain_ship_settles_doubt_but_never_a_running_term(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    (folder / "review.csv").write_text(
        HEADER
        + "died-1960,ship,J. Smith,2026-11-20,Looks old,no,\n"
        + "died-1926,ship,J. Smith,2026-11-20,Looks old,no,\n"
        + "died-1850,ship,J. Smith,2026-11-20,Artist died 1850 per accession file,no,\n"
        + "notice,ship,J. Smith,2026-11-20,Old notice,no,\n",
        encoding="utf-8",
    )
    samples, rejected, report = build(folder, tmp_path / "dist", "--policy", "worldwide")
    assert set(samples) == {"died-1850"}
    settled = samples["died-1850"]["rights"]
    assert (settled["public_domain_in"], settled["decided_by"], settled["overridden"]) == (
        ["worldwide"],
        "review",
        False,
    )
    # died 1960: held, and the sample-to-be would not have been public domain where the term runs.
    assert rejected["died-1960"]["reason"] == "rights:partial"
    running_1960 = notes(rejected["died-1960"])
    assert "term:FR" in running_1960 and "term:MX" in running_1960
    assert running_1960["term:MX"].startswith("review.csv row 2 does not overrule the term still running in MX")
    assert "override" not in running_1960["term:MX"].split(":", 1)[1]  # no nudge to override a running term
    # died 1926: the ship covers every country but Mexico, where life+100 runs to the end of 2026.
    assert rejected["died-1926"]["reason"] == "rights:partial"
    assert list(notes(rejected["died-1926"])) == ["term:MX"]
    assert "not established for MX" in rejected["died-1926"]["message"]
    # Held by the running term before its file is even read.
    assert rejected["notice"]["reason"] == "rights:partial" and list(notes(rejected["notice"])) == ["term:MX"]
    assert report["overrides"] == []

    # Under a policy of countries where the term has ended, the same decision ships the 1926 work,
    # and its sample still does not name Mexico.
    samples, rejected, report = build(folder, tmp_path / "dist-gb", "--policy", "GB")
    gb = samples["died-1926"]["rights"]
    assert (
        "MX" not in gb["public_domain_in"]
        and "GB" in gb["public_domain_in"]
        and gb["public_domain_in"] != ["worldwide"]
    )
    assert (gb["status"], gb["decided_by"], gb["overridden"]) == ("undetermined", "review", False)
    assert "died-1960" not in samples  # GB's life+70 runs to 2030
    # The embedded © notice is a claim of copyright: a plain ship does not overrule it.
    assert rejected["notice"]["reason"] == "rights:conflict"
    assert notes(rejected["notice"])["embedded"].startswith("a decision to ship settles doubt only; it does not")
    assert report["overrides"] == []


def test_an_override_covers_only_the_findings_it_names(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    review = folder / "review.csv"
    # Written for the embedded notice only: the term still running in Mexico is a different finding.
    review.write_text(
        HEADER
        + "notice,ship,K. Lee,2026-11-21,The 2014 notice is the museum's photo credit for a PD work,yes,embedded\n",
        encoding="utf-8",
    )
    samples, rejected, report = build(folder, tmp_path / "dist")
    assert "notice" not in samples and rejected["notice"]["reason"] == "rights:partial"
    uncovered = notes(rejected["notice"])
    assert list(uncovered) == ["term:MX"]
    assert "life+100 runs to 31 Dec 2026" in uncovered["term:MX"]
    assert report["overrides"] == []

    # Naming the term too ships it worldwide by override; public_domain_in still leaves Mexico out.
    review.write_text(
        HEADER
        + "notice,ship,K. Lee,2026-11-21,Estate's release letter of 2026-11-01 covers Mexico,yes,embedded term:MX\n",
        encoding="utf-8",
    )
    samples, rejected, report = build(folder, tmp_path / "dist2")
    rights = samples["notice"]["rights"]
    assert rights["overridden"] is True and rights["decided_by"] == "review"
    assert "MX" not in rights["public_domain_in"] and len(rights["public_domain_in"]) == 32
    assert [o["overrules"] for o in rights["overrides"]] == ["embedded", "term:MX"]
    assert rights["overrides"][1]["finding"].startswith("MX: author died 1926; life+100 runs to 31 Dec 2026")
    assert report["overrides"] == [
        {
            "collection": "steward-museum",
            "id": "notice",
            "review": "review.csv row 2: ship by K. Lee on 2026-11-21 (override of embedded, term:MX):"
            " Estate's release letter of 2026-11-01 covers Mexico",
            "overrules": rights["overrides"],
        }
    ]
    html = (tmp_path / "dist2" / "report.html").read_text(encoding="utf-8")
    assert "Shipped by a steward over a copyright claim or a running term" in html
    assert "<b>term:MX</b>: MX: author died 1926; life+100 runs to 31 Dec 2026" in html


def test_an_override_names_findings_the_item_no_longer_has(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    (folder / "review.csv").write_text(
        HEADER + "died-1850,ship,K. Lee,2026-11-21,Checked the accession file,yes,statement term:MX\n",
        encoding="utf-8",
    )
    samples, _, report = build(folder, tmp_path / "dist")
    rights = samples["died-1850"]["rights"]
    # NKC is doubt, not a claim, and no term runs: nothing is overruled, and the row says what it named in vain.
    assert (rights["public_domain_in"], rights["overridden"], rights["overrides"]) == (["worldwide"], False, [])
    assert set(notes(samples["died-1850"]["rights"])) == {"statement", "term:MX"}
    assert report["overrides"] == []
