"""`pdpack validate --format github`: one exit rule for both formats, the first problems of each file as
annotations, and the whole table in the job summary ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from packager.cli import cli
from packager.outputs.github_summary import ANNOTATIONS_PER_FILE
from tests.helpers import image_bytes

AS_OF = "2026-11-30"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


def validate(folder: Path, *args: str, summary: Path | None = None) -> Result:
    env = {"GITHUB_STEP_SUMMARY": str(summary) if summary else ""}
    return CliRunner().invoke(cli, ["validate", folder.name, "--as-of", AS_OF, *args], env=env)


def annotations(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("::")]


@pytest.fixture
def mixed(collection_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """12 rows whose file is missing (to fix) after 18 in-copyright rows (rights outcomes): 30 held back."""
    rows = [{"id": f"inc-{n:02d}", "file": "files/a.png", "title": f"Held {n}", "rights": INC} for n in range(18)]
    rows += [{"id": f"gone-{n:02d}", "file": f"files/gone-{n}.png", "title": f"Missing {n}"} for n in range(12)]
    rows += [{"id": "fine", "file": "files/b.png", "title": "Ships"}]
    folder = collection_factory(rows, files={"files/a.png": image_bytes(), "files/b.png": image_bytes(color=(1, 2, 3))})
    monkeypatch.chdir(folder.parent)
    return folder


def test_the_exit_status_does_not_depend_on_the_format(
    mixed: Path, collection_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Problems to fix in the files fail in both formats.
    assert validate(mixed).exit_code == 1
    assert validate(mixed, "--format", "github").exit_code == 1
    text = validate(mixed)
    assert "12 item(s) have a problem to fix in the files: exit status 1." in text.output
    # Rights outcomes alone pass in both formats, and fail in both with --strict.
    rights_only = collection_factory(
        [{"id": "inc", "file": "files/a.png", "title": "In copyright", "rights": INC}],
        collection_id="rights-only",
        files={"files/a.png": image_bytes()},
    )
    for fmt in ("text", "github"):
        assert validate(rights_only, "--format", fmt).exit_code == 0, fmt
        assert validate(rights_only, "--format", fmt, "--strict").exit_code == 1, fmt


def test_each_file_gets_its_first_problems_as_annotations_and_a_notice_of_the_rest(mixed: Path, tmp_path: Path) -> None:
    result = validate(mixed, "--format", "github", summary=tmp_path / "summary.md")
    lines = annotations(result)
    assert len(lines) == ANNOTATIONS_PER_FILE + 1  # GitHub would drop everything after 10 errors anyway
    # The problems to fix come first, in manifest order, then a notice pointing at the summary.
    for n, line in enumerate(lines[:ANNOTATIONS_PER_FILE]):
        assert line.startswith(
            f"::error file=test-museum/items.csv,line={20 + n},title=gone-{n:02d}%3A file%3Amissing::"
        )
    notice = lines[-1]
    assert notice.startswith("::notice file=test-museum/items.csv,title=25 more held-back item(s)::")
    assert "the job summary lists every one" in notice


def test_the_job_summary_holds_the_whole_table(mixed: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    validate(mixed, "--format", "github", summary=summary)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## pdpack validate\n")  # appended, as GitHub expects
    assert "**The check fails:** 12 item(s) have a problem to fix in the files." in text
    assert "1 item(s) would ship, 30 would be held back; 12 of them have a problem to fix in the files." in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| Row", "| ---"))]
    assert len(rows) == 30
    for n in range(12):
        assert f"| {20 + n} | gone-{n:02d} | file:missing (error) |" in text
    for n in range(18):
        assert f"| {2 + n} | inc-{n:02d} | rights:not-public-domain (warning) |" in text
    # The text format, or no summary file (outside GitHub Actions), writes nothing there.
    before = summary.read_text(encoding="utf-8")
    validate(mixed, summary=summary)
    assert summary.read_text(encoding="utf-8") == before
    assert validate(mixed, "--format", "github").exit_code == 1


def test_the_summary_escapes_markdown_from_the_manifest(
    collection_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = collection_factory(
        [{"id": "x", "file": "files/<img src=x onerror=alert(1)>|# [y](javascript:z).png", "title": "T"}],
        collection_id="escapes",
        files={"files/a.png": image_bytes()},
    )
    monkeypatch.chdir(folder.parent)
    summary = tmp_path / "summary.md"
    validate(folder, "--format", "github", summary=summary)
    text = summary.read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| 2 |")]
    assert "<img" not in text and "&lt;img src=x onerror=alert\\(1\\)&gt;" in row
    assert "\\|\\# \\[y\\]\\(javascript:z\\)" in row  # no cell break, no heading, no link
    assert row.count(" | ") == 4  # five cells, as the header says


def test_a_collection_that_cannot_be_read_is_in_the_summary(
    collection_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = collection_factory([{"id": "a", "file": "files/a.png"}], collection_id="broken")
    (folder / "items.csv").write_text("identifier,file\nx,a.png\n", encoding="utf-8")
    monkeypatch.chdir(folder.parent)
    summary = tmp_path / "summary.md"
    result = validate(folder, "--format", "github", summary=summary)
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert "**The check fails:** a collection could not be read." in text
    assert "### Manifest error" in text and "broken/items.csv, line 1" in text


def test_the_same_relative_folder_name_in_two_working_directories_is_two_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process, as the tests and a long-lived caller run it: `museum/` in one directory, then in another."""
    from tests.helpers import write_collection

    first = write_collection(tmp_path / "one", [{"id": "a", "file": "files/a.png", "title": "A"}],
                             collection_id="museum", files={"files/a.png": image_bytes()})  # fmt: skip
    second = write_collection(tmp_path / "two", [{"id": "b", "file": "files/b.png", "title": "B"}],
                              collection_id="museum", files={"files/b.png": image_bytes(color=(9, 9, 9))})  # fmt: skip
    for folder in (first, second):
        monkeypatch.chdir(folder.parent)
        result = validate(folder)
        assert result.exit_code == 0, result.output
        assert "1 item(s) would ship, 0 would be held back." in result.output


def test_the_summary_stays_within_what_github_keeps(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packager.outputs import github_summary

    monkeypatch.setattr(github_summary, "SUMMARY_LIMIT", 3000)
    summary = tmp_path / "summary.md"
    summary.write_text("x" * 500 + "\n", encoding="utf-8")  # an earlier step's part counts too
    assert validate(mixed, "--format", "github", summary=summary).exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 3000
    assert "**The check fails:** 12 item(s) have a problem to fix in the files." in text
    assert text.endswith(github_summary.CUT_NOTE)
    assert "| 2 | inc-00 |" in text  # whole rows are kept, the cut falls between lines
    before = text
    assert validate(mixed, "--format", "github", summary=summary).exit_code == 1
    assert summary.read_text(encoding="utf-8") == before  # nothing more fits: nothing more is written
