"""Rights messages name the contributor's own columns and file, never pdpack's field names, through real builds.

A museum export keeps its own header (mapped with ``columns:`` in collection.yaml, or matched
forgivingly), so "the copyright_notice cell" or "items:" would send staff looking for a column their
file does not have.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.cli import cli
from tests.helpers import image_bytes

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
IN_C = "http://rightsstatements.org/vocab/InC/1.0/"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"
AS_OF = "2026-12-01"
# pdpack's names for the fields these collections map or spell otherwise: none may reach a message.
OUR_NAMES = ("items:", "rights cell", "copyright_notice cell", "creator_death_year", "ai_preferences", "'rights'")

# A museum export: its own column names, mapped to pdpack's fields in collection.yaml.
MAPPING = {
    "id": "Object Number",
    "file": "Image",
    "title": "Object Title",
    "creator": "Artist",
    "creator_death_year": "Artist Death",
    "date": "Object Date",
    "rights": "Rights Statement",
    "copyright_notice": "Copyright Line",
    "ai_preferences": "AI Use",
    "published": "First Published",
}
EXPORT = [
    # No rights statement and no collection default.
    {"Object Number": "empty", "Artist": "Ola Dahl", "Object Date": "1970"},
    # A © line in the record against the item's Public Domain Mark.
    {"Object Number": "notice", "Artist": "Piet Bos", "Artist Death": "1850", "Object Date": "1840",
     "Rights Statement": PDM, "Copyright Line": "© Estate of Piet Bos 2019"},
    # Public Domain Mark, but Mexico's life+100 runs for a death in 1960.
    {"Object Number": "term", "Artist": "Jan Smit", "Artist Death": "1960", "Object Date": "1940",
     "Rights Statement": PDM},
    # In Copyright, although every term has ended.
    {"Object Number": "inc", "Artist": "Anna Berg", "Artist Death": "1850", "Object Date": "1840",
     "Rights Statement": IN_C},
    # An anonymous work published in 1990: the EU's 70 years from publication still run.
    {"Object Number": "anonymous", "Artist": "Anonymous", "Object Date": "1990", "First Published": "1990",
     "Rights Statement": PDM},
    # The institution asks that it not train AI.
    {"Object Number": "ai", "Artist": "Eva Lund", "Artist Death": "1850", "Object Date": "1840",
     "Rights Statement": PDM, "AI Use": "train-ai=n"},
    # A workshop attribution: the master's death year is set aside, and the note says which cells held them.
    {"Object Number": "workshop", "Artist": "Workshop of Rembrandt", "Artist Death": "1669",
     "Object Date": "1950", "Rights Statement": NKC},
]  # fmt: skip


def _folder(root: Path, name: str, columns: dict[str, str] | None, rows: list[dict[str, str]], fmt: str) -> Path:
    """A collection folder as an institution would send it: its own header, images in files/."""
    folder = root / name
    (folder / "files").mkdir(parents=True)
    yaml = [f"id: {name}", "title: City Museum", 'institution: {name: "City Museum", url: "https://museum.example"}']
    if columns:
        yaml += ["columns:", *(f'  {ours}: "{theirs}"' for ours, theirs in columns.items())]
    (folder / "collection.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
    file_column = (columns or {}).get("file", "file")
    header: list[str] = []
    for n, row in enumerate(rows):
        row.setdefault((columns or {}).get("title", "title"), f"Print {n}")
        (folder / "files" / f"{n}.png").write_bytes(image_bytes(color=(30 * n, 90, 160)))
        row.setdefault(file_column, f"files/{n}.png")
        header += [key for key in row if key not in header]
    if fmt == "csv":
        lines = [",".join(header)] + [",".join(row.get(key, "") for key in header) for row in rows]
        (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        (folder / "items.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return folder


def _build(folder: Path) -> dict[str, dict[str, Any]]:
    out = folder.parent / f"{folder.name}-dist"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    lines = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def _texts(record: dict[str, Any]) -> list[str]:
    """What a person reads about a held item: its message, its fix, and every finding of its evidence."""
    return [record["message"], record.get("fix", ""), *(e["finding"] for e in record["evidence"])]


@pytest.fixture(scope="module")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _folder(tmp_path_factory.mktemp("columns"), "city-museum", MAPPING, [dict(row) for row in EXPORT], "csv")


@pytest.fixture(scope="module")
def export(export_folder: Path) -> dict[str, dict[str, Any]]:
    return _build(export_folder)  # its report.html beside rejected.jsonl, in city-museum-dist/


def _what_to_change(report_html: str) -> dict[str, str]:
    """Each held-back item's "What to change" cell in report.html, by id (the last cell of its row)."""
    rows = re.findall(r'<tr class="[a-z]+-row">.*?<strong>([^<]*)</strong>.*?<td>([^<]*)</td></tr>', report_html)
    return {html.unescape(item_id): html.unescape(text) for item_id, text in rows}


def test_no_message_about_a_mapped_collection_uses_pdpacks_field_names(export: dict[str, dict[str, Any]]) -> None:
    assert sorted(export) == sorted(row["Object Number"] for row in EXPORT)
    for record in export.values():
        for text in _texts(record):
            said = text.replace("overrules copyright_notice", "")  # review.csv's own word for the override
            assert not [name for name in OUR_NAMES if name in said], (record["id"], text)


def test_an_empty_rights_cell_is_named_as_the_export_names_it(export: dict[str, dict[str, Any]]) -> None:
    assert export["empty"]["reason"] == "rights:undetermined"
    assert export["empty"]["message"].startswith(
        "no rights statement: items.csv column 'Rights Statement' is empty and collection.yaml sets no default"
    )


def test_a_notice_conflict_names_the_notice_and_the_rights_columns(export: dict[str, dict[str, Any]]) -> None:
    notice = export["notice"]
    assert notice["reason"] == "rights:conflict"
    assert notice["message"] == (
        "items.csv column 'Copyright Line' says '© Estate of Piet Bos 2019'; but the item's rights statement "
        "(Public Domain Mark 1.0) says public domain."
    )
    assert notice["fix"].startswith("If items.csv column 'Copyright Line' is out of date")
    assert notice["fix"].endswith("correct the rights statement in items.csv column 'Rights Statement'.")
    claim = next(e for e in notice["evidence"] if e["field"] == "copyright_notice" and e["source"] == "manifest")
    assert claim["finding"] == "items.csv column 'Copyright Line': copyright notice '© Estate of Piet Bos 2019'"


def test_a_running_term_names_the_cells_it_was_counted_from(export: dict[str, dict[str, Any]]) -> None:
    term = export["term"]
    assert term["reason"] == "rights:conflict"
    assert term["fix"].startswith("Check items.csv column 'Artist Death' against your catalogue. If it is right,")


def test_a_term_counted_from_several_cells_names_each_column(export: dict[str, dict[str, Any]]) -> None:
    anonymous = export["anonymous"]
    assert anonymous["reason"] == "rights:conflict"
    assert anonymous["fix"].startswith(
        "Check items.csv columns 'Artist' and 'First Published' against your catalogue. If they are right,"
    )


def test_a_statement_conflict_says_which_column_to_correct(export: dict[str, dict[str, Any]]) -> None:
    inc = export["inc"]
    assert inc["reason"] == "rights:conflict"
    assert "correct items.csv column 'Rights Statement', e.g. " + PDM in inc["fix"]
    stated = inc["evidence"][0]
    assert stated["finding"] == "items.csv column 'Rights Statement': In Copyright"


def test_an_ai_preference_names_its_column(export: dict[str, dict[str, Any]]) -> None:
    ai = export["ai"]
    assert ai["reason"] == "preference:no-ai-training"
    assert ai["message"] == "items.csv column 'AI Use': AI preference 'train-ai=n' refuses train-ai"


def test_a_workshop_attribution_names_the_artist_and_death_columns(export: dict[str, dict[str, Any]]) -> None:
    notes = [e["finding"] for e in export["workshop"]["evidence"] if e["field"] == "creator"]
    assert notes == [
        "items.csv column 'Artist' 'Workshop of Rembrandt' is an attribution to someone else's circle or a copy "
        "after them: the death year 1669 (items.csv column 'Artist Death') is the named master's, not the maker's, "
        "so the rules for unknown makers apply"
    ]


def test_validate_prints_the_contributors_columns(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "city-museum", MAPPING, [dict(row) for row in EXPORT], "csv")
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", AS_OF])
    assert "  - ai (row 7): items.csv column 'AI Use': AI preference 'train-ai=n' refuses train-ai\n" in result.output
    assert "what to do: If items.csv column 'Copyright Line' is out of date" in result.output


def test_report_html_says_what_to_change_in_the_exports_columns(
    export: dict[str, dict[str, Any]], export_folder: Path
) -> None:
    page = (export_folder.parent / "city-museum-dist" / "report.html").read_text(encoding="utf-8")
    changes = _what_to_change(page)
    assert sorted(changes) == sorted(export)
    # The reasons' general advice (no finding of the item's own decides it), in the export's column names.
    assert changes["empty"] == (
        "Give a rights statement in items.csv column 'Rights Statement' (e.g. "
        f"{PDM}), or the creator's death year in items.csv column 'Artist Death' and the date in "
        "items.csv column 'Object Date'; or have a steward record a decision for this id in review.csv."
    )
    assert changes["ai"].startswith(
        "The AI preference (train-ai=n) in items.csv column 'AI Use' or in collection.yaml's ai_preferences keeps"
    )
    for item_id, text in changes.items():
        said = text.replace("overrules copyright_notice", "").replace("collection.yaml's ai_preferences", "")
        assert not [name for name in OUR_NAMES if name in said], (item_id, text)
        assert "{" not in text and " cell" not in text, (item_id, text)


def test_validate_explain_names_each_piece_of_evidence_by_the_exports_column(export_folder: Path) -> None:
    ids = [flag for item_id in ("notice", "ai", "term", "empty") for flag in ("--explain", item_id)]
    result = CliRunner().invoke(cli, ["validate", str(export_folder), "--as-of", AS_OF, *ids])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  - [")]
    assert f"  - [public_domain] items.csv column 'Rights Statement' = '{PDM}': Public Domain Mark 1.0 (" in (
        result.output
    )
    assert (
        "  - [not_public_domain] items.csv column 'Copyright Line' = '© Estate of Piet Bos 2019': "
        "copyright notice '© Estate of Piet Bos 2019'"
    ) in lines
    assert "  - [info] items.csv column 'AI Use' = 'train-ai=n': AI preference train-ai=n" in lines
    assert any(
        line.startswith("  - [undetermined] term rules on items.csv columns 'Artist Death' and 'Object Date' = ")
        for line in lines
    )
    assert (
        "  - [undetermined] no rights statement: items.csv column 'Rights Statement' is empty and collection.yaml "
        "sets no default"
    ) in lines
    for line in lines:
        said = line.replace("conflict copyright_notice", "")  # review.csv's own word for what an override names
        assert not line.startswith(("  - [info] manifest", "  - [public_domain] manifest")), line
        assert not [name for name in OUR_NAMES if name in said], line


def test_validate_explain_names_a_collection_default_by_its_key(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "city-default", MAPPING, [{"Object Number": "plain", "Object Date": "1840"}], "csv")
    with (folder / "collection.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"rights: {PDM}\n")
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", AS_OF, "--explain", "plain"])
    assert result.exit_code == 0, result.output
    assert f"  - [public_domain] collection.yaml rights = '{PDM}': Public Domain Mark 1.0 (" in result.output


def test_validate_explain_does_not_put_collection_yaml_labels_in_a_column(tmp_path: Path) -> None:
    # Local Contexts labels from collection.yaml and the row's are one piece of evidence: no one cell holds them.
    columns = {**MAPPING, "local_contexts": "Community Labels"}
    folder = _folder(tmp_path, "city-labels", columns, [{"Object Number": "mask", "Rights Statement": PDM}], "csv")
    with (folder / "collection.yaml").open("a", encoding="utf-8") as handle:
        handle.write('local_contexts: ["TK Attribution"]\n')
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", AS_OF, "--explain", "mask"])
    assert "  - [info] Local Contexts = 'TK Attribution': Local Contexts labels\n" in result.output, result.output
    assert "column 'Community Labels' =" not in result.output  # the row has none: they are collection.yaml's


def test_a_header_matched_forgivingly_is_named_as_the_file_spells_it(tmp_path: Path) -> None:
    # No columns: mapping: "Copyright Notice" and "Creator Death Year" are read as pdpack's fields.
    rows = [
        {"ID": "notice", "Rights": PDM, "Copyright Notice": "© Estate 2019", "Creator Death Year": "1850",
         "Date": "1840"},
        {"ID": "term", "Rights": PDM, "Copyright Notice": "", "Creator Death Year": "1960", "Date": "1940"},
        {"ID": "inc", "Rights": IN_C, "Copyright Notice": "", "Creator Death Year": "1850", "Date": "1840"},
    ]  # fmt: skip
    held = _build(_folder(tmp_path, "forgiving", None, rows, "csv"))
    assert held["notice"]["message"].startswith("items.csv column 'Copyright Notice' says '© Estate 2019'; but ")
    assert held["term"]["fix"].startswith("Check items.csv column 'Creator Death Year' against your catalogue.")
    assert "correct items.csv column 'Rights', e.g. " in held["inc"]["fix"]


def test_items_jsonl_keys_are_named_with_the_file(tmp_path: Path) -> None:
    rows = [dict(row) for row in EXPORT if row["Object Number"] in {"notice", "empty"}]
    held = _build(_folder(tmp_path, "city-jsonl", MAPPING, rows, "jsonl"))
    assert held["notice"]["message"].startswith("items.jsonl column 'Copyright Line' says ")
    assert held["empty"]["message"].startswith("no rights statement: items.jsonl column 'Rights Statement' is empty")


def test_iiif_rights_are_named_as_the_manifest_property(tmp_path: Path) -> None:
    folder = tmp_path / "iiif-museum"
    (folder / "iiif").mkdir(parents=True)
    (folder / "files").mkdir()
    (folder / "files" / "a.png").write_bytes(image_bytes())
    (folder / "collection.yaml").write_text(
        'id: iiif-museum\ntitle: IIIF\ninstitution: {name: "Harbour Museum", url: "https://museum.example"}\n',
        encoding="utf-8",
    )
    body = {"id": "files/a.png", "type": "Image", "format": "image/png"}
    annotation = {"id": "https://x.example/a/1", "type": "Annotation", "motivation": "painting", "body": body}
    canvas = {
        "id": "https://x.example/c/1",
        "type": "Canvas",
        "items": [{"id": "https://x.example/p/1", "type": "AnnotationPage", "items": [annotation]}],
    }
    manifest = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": "https://x.example/m.json",
        "type": "Manifest",
        "label": {"en": ["Harbour"]},
        "rights": NKC,
        "items": [canvas],
    }
    (folder / "iiif" / "harbour.json").write_text(json.dumps(manifest), encoding="utf-8")
    (held,) = _build(folder).values()
    assert held["evidence"][0]["finding"].startswith(
        "the IIIF manifest's 'rights' (2.1: 'license'): No Known Copyright"
    )
    assert held["message"].startswith("the IIIF manifest's 'rights' (2.1: 'license'): No Known Copyright")
