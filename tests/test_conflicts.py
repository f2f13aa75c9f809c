"""Conflicts in plain words: the decisive finding first, advice for its kind, through real builds and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli import cli
from packager.outputs.report_html import REPORT_FILE
from tests.helpers import image_bytes, write_collection

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
IN_C = "http://rightsstatements.org/vocab/InC/1.0/"
AS_OF = "2026-12-01"
ROWS = [
    # Mexico's life+100 still runs for an author who died in 1926, to 31 Dec 2026.
    {"id": "mx", "title": "Mural study", "date": "1920", "creator_death_year": "1926", "rights": "",
     "copyright_notice": "", "credit_line": ""},
    # An explicit In Copyright statement for a work whose terms ended everywhere.
    {"id": "inc", "title": "Old print", "date": "1850", "creator_death_year": "1890", "rights": IN_C,
     "copyright_notice": "", "credit_line": ""},
    # A © line in the record against the collection's Public Domain Mark.
    {"id": "notice", "title": "Portrait", "date": "1880", "creator_death_year": "1900", "rights": "",
     "copyright_notice": "© Estate of C. Sitter", "credit_line": ""},
    # A photographer's credit that claims copyright in the reproduction.
    {"id": "credit", "title": "Harbour", "date": "1870", "creator_death_year": "1899", "rights": "",
     "copyright_notice": "", "credit_line": "Photo © City Museum 2019"},
    # Both a running term and a notice: the term decides, and no override is advised.
    {"id": "both", "title": "Wall", "date": "1921", "creator_death_year": "1926", "rights": "",
     "copyright_notice": "© Painter heirs", "credit_line": ""},
]  # fmt: skip


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("conflicts")
    rows = [{**row, "file": f"files/{row['id']}.png"} for row in ROWS]
    files = {f"files/{row['id']}.png": image_bytes(color=(40 * n, 120, 60)) for n, row in enumerate(ROWS)}
    folder = write_collection(root / "collections", rows, collection_id="conflicts", files=files, rights=PDM)
    out = root / "dist"
    report = build(load_collections([folder]), out, Settings(as_of=AS_OF, policy="worldwide"))
    assert report["totals"]["shipped"] == 0
    lines = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    return folder, {r["id"]: r for r in map(json.loads, lines)}


def test_a_running_term_says_where_and_until_when_and_never_advises_an_override(
    held: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    _, records = held
    mx = records["mx"]
    assert mx["reason"] == "rights:conflict"
    assert mx["message"] == (
        "Still protected in MX until 31 Dec 2026 (life + 100), counted from death 1926; collection.yaml's default "
        "rights statement (Public Domain Mark 1.0) says public domain."
    )
    assert "ships on its own from 1 Jan 2027" in mx["fix"] and "override" not in mx["fix"]
    assert {"source": "conflict", "field": "term", "value": "", "status": "info", "finding": mx["message"]} in (
        mx["evidence"]
    )


def test_an_explicit_statement_is_corrected_not_overridden(held: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, records = held
    inc = records["inc"]
    assert inc["message"].startswith(
        "The item's rights statement (In Copyright) says in copyright, but the copyright terms have ended in "
        "every country pdpack knows"
    )
    assert "correct items.csv column 'rights'" in inc["fix"] and "override" not in inc["fix"]


@pytest.mark.parametrize(
    ("item", "says", "overrules"),
    [
        ("notice", "items.csv column 'copyright_notice' says '© Estate of C. Sitter'; but", "copyright_notice"),
        ("credit", "items.csv column 'credit_line': copyright notice 'Photo © City Museum 2019'; but", "notice"),
    ],
)
def test_a_notice_a_person_may_know_better_names_the_override(
    held: tuple[Path, dict[str, dict[str, Any]]], item: str, says: str, overrules: str
) -> None:
    _, records = held
    record = records[item]
    assert record["message"].startswith(says)
    assert record["message"].endswith(
        "collection.yaml's default rights statement (Public Domain Mark 1.0) says public domain."
    )
    assert f"override=yes, overrules {overrules} and a note" in record["fix"]


def test_the_term_decides_over_a_notice(held: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, records = held
    both = records["both"]
    assert both["message"].startswith("Still protected in MX until 31 Dec 2026 (life + 100)")
    assert both["message"].endswith("(and 1 more conflict: see the evidence)")
    assert "override" not in both["fix"]
    kinds = [e["field"] for e in both["evidence"] if e["source"] == "conflict"]
    assert sorted(kinds) == ["copyright_notice", "term"]


def test_every_conflict_message_is_short(held: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, records = held
    for record in records.values():
        assert len(record["message"]) < 260, record["message"]


def test_validate_prints_the_finding_and_its_advice_per_item(held: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    folder, records = held
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for item, record in records.items():
        row = next(i for i, line in enumerate(lines) if line.startswith(f"  - {item} (row "))
        assert lines[row].endswith(record["message"])
        assert lines[row + 1] == f"      what to do: {record['fix']}"


def test_the_report_shows_the_finding_unfolded_and_the_advice(
    held: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    folder, records = held
    out = tmp_path / "dist"
    build(load_collections([folder]), out, Settings(as_of=AS_OF), for_publication=True)
    page = (out / REPORT_FILE).read_text(encoding="utf-8")
    for record in records.values():
        finding = record["message"].replace("'", "&#x27;")
        assert f'<span class="finding">{finding}</span>' in page
        assert record["fix"].replace("'", "&#x27;") in page
    assert "<details>" not in page  # nothing folded away: every held item here is a conflict


def test_pull_request_annotations_and_review_give_the_advice_for_the_kind(
    held: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, records = held
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", AS_OF, "--format", "github"])
    annotations = [line for line in result.output.splitlines() if line.startswith("::warning ")]
    mx = next(line for line in annotations if "title=mx%3A rights%3Aconflict" in line)
    assert mx.endswith(f"::{records['mx']['message']} What to do: {records['mx']['fix']}")
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")  # Markdown-escaped: look for plain phrases
    assert "ships on its own from 1 Jan 2027" in summary and "correct or empty it, or have a steward" in summary

    review = CliRunner().invoke(cli, ["review", str(folder), "--as-of", AS_OF])
    assert review.exit_code == 0, review.output
    lines = review.output.splitlines()
    row = lines.index(f"    {records['credit']['message']}")
    assert lines[row + 1] == f"    what to do: {records['credit']['fix']}"
