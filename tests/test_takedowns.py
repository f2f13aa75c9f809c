"""Takedowns: reading manifests/takedowns.csv, matching items by id and by image hash, and the build hook."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.manifest.collection import ManifestError
from packager.manifest.takedowns import (
    COLUMNS,
    TakedownEntry,
    Takedowns,
    load_takedowns,
    load_takedowns_cached,
    main,
)
from tests.helpers import EXAMPLES, REPO

HEADER = ",".join(COLUMNS) + "\n"
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4


def write(tmp_path: Path, body: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "takedowns.csv"
    path.write_bytes((header + body).encode(encoding))
    return path


def error_of(path: Path) -> ManifestError:
    with pytest.raises(ManifestError) as info:
        load_takedowns(path)
    return info.value


# --- matching ----------------------------------------------------------------------------------------


@pytest.fixture
def takedowns(tmp_path: Path) -> Takedowns:
    return load_takedowns(
        write(
            tmp_path,
            "city-museum,1889.12,,2026-11-01,Rights holder request\n"
            f"*,PR/0042,,2026-11-02,Privacy\n"
            f"other-museum,,{SHA_A},2026-11-03,Same image anywhere\n"
            f"city-museum,1901.3,{SHA_B},2026-11-04,Both named\n",
        )
    )


def test_id_matches_only_within_its_collection(takedowns: Takedowns) -> None:
    entry = takedowns.match("city-museum", "1889.12")
    assert entry is not None
    assert (entry.collection, entry.id, entry.date, entry.reason, entry.row) == (
        "city-museum",
        "1889.12",
        "2026-11-01",
        "Rights holder request",
        2,
    )
    assert takedowns.match("other-museum", "1889.12") is None
    assert takedowns.match("city-museum", "1889.13") is None
    assert takedowns.match("city-museum", "1889.12 ") is None  # ids are exact


def test_star_collection_matches_the_id_in_any_collection(takedowns: Takedowns) -> None:
    for collection in ("city-museum", "other-museum", "a"):
        entry = takedowns.match(collection, "PR/0042")
        assert entry is not None and entry.reason == "Privacy"


def test_sha256_matches_in_every_collection_whatever_the_row_says(takedowns: Takedowns) -> None:
    for collection, item in (("other-museum", "x"), ("city-museum", "y"), ("third", "z")):
        entry = takedowns.match(collection, item, SHA_A)
        assert entry is not None and entry.row == 4
    assert takedowns.match("other-museum", "x", SHA_A.upper()).row == 4  # type: ignore[union-attr]
    assert takedowns.match("other-museum", "x", "b" * 64) is None
    assert takedowns.match("other-museum", "x", None) is None  # the id alone: this row names no id


def test_a_row_with_id_and_sha256_matches_either(takedowns: Takedowns) -> None:
    assert takedowns.match("city-museum", "1901.3").row == 5  # type: ignore[union-attr]
    assert takedowns.match("elsewhere", "other-id", SHA_B).row == 5  # type: ignore[union-attr]
    assert takedowns.match("elsewhere", "1901.3") is None


def test_the_earliest_row_wins_when_several_match(tmp_path: Path) -> None:
    found = load_takedowns(
        write(
            tmp_path,
            f"*,,{SHA_A},2026-01-01,By hash first\n"
            "museum,item,,2026-02-01,By id later\n"
            "museum,item,,2026-03-01,Repeated request\n",
        )
    )
    entry = found.match("museum", "item", SHA_A)
    assert entry is not None and (entry.row, entry.reason) == (2, "By hash first")
    entry = found.match("museum", "item")
    assert entry is not None and (entry.row, entry.reason) == (3, "By id later")
    assert len(found) == 3


def test_message_carries_date_reason_and_row() -> None:
    entry = TakedownEntry("museum", "1", None, "2026-12-01", "Rights holder request", 7)
    assert entry.message == "taken down on 2026-12-01: Rights holder request (takedowns.csv row 7)"


def test_no_takedowns_matches_nothing() -> None:
    assert Takedowns().match("museum", "1", SHA_A) is None
    assert len(Takedowns()) == 0


# --- reading the file --------------------------------------------------------------------------------


def test_reads_bom_case_spaces_blank_lines_and_quoted_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '\n museum ,"id, with comma",, 2026-12-01 ,"Reason with ""quotes"""\n\n,,,,\n',
        header="\ufeffCollection, ID ,SHA256,Date,Reason\n",
    )
    (entry,) = load_takedowns(path)
    assert (entry.collection, entry.id, entry.sha256, entry.date, entry.reason, entry.row) == (
        "museum",
        "id, with comma",
        None,
        "2026-12-01",
        'Reason with "quotes"',
        3,
    )


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, f"2026-12-01,why,{SHA_A.upper()},,*\n", header="date,reason,sha256,id,collection\n")
    (entry,) = load_takedowns(path)
    assert (entry.collection, entry.id, entry.sha256) == ("*", None, SHA_A)


def test_the_repository_takedowns_file_is_valid() -> None:
    load_takedowns(REPO / "manifests" / "takedowns.csv")


@pytest.mark.parametrize(
    ("body", "header", "row", "column", "words"),
    [
        ("", "", 1, None, "is empty"),
        ("", "collection,id,sha256,date\n", 1, "reason", "lacks this column"),
        ("", "collection,id,sha256,date,reason,note\n", 1, "note", "unknown column"),
        ("", "collection,id,id,sha256,date,reason\n", 1, "id", "repeats"),
        (",1,,2026-12-01,why\n", HEADER, 2, "collection", "is empty"),
        ("Bad_Museum,1,,2026-12-01,why\n", HEADER, 2, "collection", "not a collection id"),
        ("museum,,,2026-12-01,why\n", HEADER, 2, "id", "or the sha256"),
        ("museum,,abc,2026-12-01,why\n", HEADER, 2, "sha256", "64 hexadecimal"),
        (f"museum,,{'g' * 64},2026-12-01,why\n", HEADER, 2, "sha256", "not a SHA-256"),
        ("museum,1,,2026-13-01,why\n", HEADER, 2, "date", "not a date"),
        ("museum,1,,20261201,why\n", HEADER, 2, "date", "not a date"),
        ("museum,1,,2026-W49-1,why\n", HEADER, 2, "date", "not a date"),
        ("museum,1,,,why\n", HEADER, 2, "date", "not a date"),
        ("museum,1,,2026-12-01,\n", HEADER, 2, "reason", "say why"),
        ("museum,1,,2026-12-01,why\nmuseum,2,,2026-12-01,why,extra\n", HEADER, 3, None, "6 cells"),
    ],
)
def test_errors_name_file_row_and_column(
    tmp_path: Path, body: str, header: str, row: int, column: str | None, words: str
) -> None:
    path = write(tmp_path, body, header=header)
    error = error_of(path)
    assert error.file == str(path)
    assert (error.row, error.column) == (row, column)
    assert words in error.message
    assert str(error).startswith(f"{path}, row {row}")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    missing = error_of(tmp_path / "nope.csv")
    assert "missing" in missing.message and missing.file.endswith("nope.csv")
    latin = write(tmp_path, "museum,caf\xe9,,2026-12-01,why\n", encoding="latin-1")
    assert "not UTF-8" in error_of(latin).message


def test_cached_load_rereads_a_changed_file(tmp_path: Path) -> None:
    path = write(tmp_path, "museum,1,,2026-12-01,why\n")
    first = load_takedowns_cached(path)
    assert load_takedowns_cached(path) is first
    # A longer file: its size changes whatever the file system's timestamp resolution.
    path.write_text(HEADER + "museum,1,,2026-12-01,why\nmuseum,2,,2026-12-01,why\n", encoding="utf-8")
    assert len(load_takedowns_cached(path)) == 2
    with pytest.raises(ManifestError):
        load_takedowns_cached(tmp_path / "gone.csv")


def test_command_line_check_prints_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "museum,1,,2026-12-01,why\n")
    assert main([str(good)]) == 0
    assert "1 takedown(s)" in capsys.readouterr().out
    bad = tmp_path / "bad, file.csv"
    bad.write_text(HEADER + "museum,1,,2026-12-01,why\nmuseum,2,,someday,100% sure\n", encoding="utf-8")
    assert main([str(bad), "--format", "github"]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("::error file=")
    assert "bad%2C file.csv,line=3::" in out
    assert "'someday' is not a date" in out
    assert main([str(bad)]) == 1
    assert "row 3, column 'date'" in capsys.readouterr().err


# --- the build hook ----------------------------------------------------------------------------------


def test_build_holds_back_taken_down_items(tmp_path: Path) -> None:
    gallery = EXAMPLES / "scikit-image-gallery"
    coffee_sha = hashlib.sha256((gallery / "files" / "coffee.png").read_bytes()).hexdigest()
    path = write(
        tmp_path,
        "scikit-image-gallery,camera,,2026-11-20,Rights holder request\n"
        f"*,,{coffee_sha},2026-11-21,Same photograph everywhere\n",
    )
    collections = load_collections(sorted(p for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file()))
    out = tmp_path / "dist"
    report = build(collections, out, Settings(as_of="2026-11-30", takedowns=str(path)))
    rejected = {
        (r["collection"], r["id"]): r
        for r in map(json.loads, (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines())
    }
    camera = rejected[("scikit-image-gallery", "camera")]
    coffee = rejected[("scikit-image-gallery", "coffee")]
    assert camera["reason"] == coffee["reason"] == "takedown"
    assert "2026-11-20" in camera["message"] and "Rights holder request" in camera["message"]
    assert "2026-11-21" in coffee["message"] and "Same photograph everywhere" in coffee["message"]
    assert report["rejected_by_reason"]["takedown"] == 2
    shipped = {c["id"]: c["shipped"] for c in report["collections"]}
    assert shipped["scikit-image-gallery"] == 5  # 7 ship without takedowns
