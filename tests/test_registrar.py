"""A registrar's first runs of `pdpack validate`, through the real CLI: messages in their own columns' words,
every problem of every item at once, grouped, with counts per reason."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.cli import cli
from packager.model import Collection, Institution, Rejection
from tests.helpers import CC0, image_bytes

pytestmark = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")

AS_OF = "2026-11-30"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"
EXPORT_HEADER = "Object Number;Title;Artist;Artist Dates;Image"


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def museum_export(root: Path, yaml_extra: str = "", header: str = EXPORT_HEADER, rows: list[str] | None = None) -> Path:
    """A semicolon-separated export as a European spreadsheet writes it, with three paintings in files/."""
    folder = root / "turner"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(
        "id: turner\ntitle: Turner paintings\ninstitution: {name: Town Gallery, url: https://gallery.example}\n"
        + yaml_extra,
        encoding="utf-8",
    )
    for number, name in enumerate(["1926.1", "1926.2", "1926.3"]):
        (folder / "files" / f"{name}.jpg").write_bytes(image_bytes("JPEG", color=(40 * number, 90, 20)))
    rows = rows or [
        "1926.1;The Fighting Temeraire;J. M. W. Turner;1775–1851;files/1926.1.jpg",
        "1926.2;Rain, Steam and Speed;J. M. W. Turner;1775–1851;files/1926.2.jpg",
        "1926.3;Snow Storm;J. M. W. Turner;1775–1851;files/1926.3.jpg",
    ]
    (folder / "items.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_unmapped_semicolon_export_gets_the_columns_mapping_to_paste(tmp_path: Path) -> None:
    folder = museum_export(tmp_path)
    result = invoke("validate", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder / 'items.csv'}, row 1, column 'id': the header has no 'id' column; its columns "
        "(separated by semicolons) are 'Object Number', 'Title', 'Artist', 'Artist Dates', 'Image'. If this is an "
        "export from your collection system, keep it as it is and say in collection.yaml which column holds what, "
        'e.g.\n\ncolumns:\n  id: "Object Number"\n  file: "Image"\n  creator: "Artist"\n'
        '  creator_dates: "Artist Dates"\n\n'
    )
    # 'Title' is pdpack's title already (names match whatever the case). Pasting the suggestion is all it
    # takes: the life dates give the death year, and the UK term (life + 70) makes the paintings public domain.
    snippet = result.output.split("e.g.\n\n", 1)[1]
    (folder / "collection.yaml").write_text(
        (folder / "collection.yaml").read_text(encoding="utf-8") + snippet, encoding="utf-8"
    )
    fixed = invoke("validate", str(folder), "--as-of", AS_OF, "--policy", "GB", "--explain", "1926.2")
    assert fixed.exit_code == 0, fixed.output
    assert "  note: items.csv: the columns are separated by semicolons; read that way\n" in fixed.output
    assert "3 item(s) would ship, 0 would be held back." in fixed.output
    assert "death 1851" in fixed.output  # the term rule used the year read from 'Artist Dates'


@pytest.mark.parametrize("separator", [",", "\t"])
def test_comma_and_tab_exports_are_read_too(tmp_path: Path, separator: str) -> None:
    rows = [
        separator.join(['"1926.1"', '"The Fighting Temeraire, 1839"', "Turner", "1775–1851", "files/1926.1.jpg"]),
    ]
    folder = museum_export(
        tmp_path,
        "rights: " + CC0 + "\ncolumns: {id: Object Number, file: Image, title: Title}\n",
        header=EXPORT_HEADER.replace(";", separator),
        rows=rows,
    )
    result = invoke("validate", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "1 item(s) would ship, 0 would be held back." in result.output
    assert ("read that way" in result.output) == (separator == "\t")


def test_header_matched_forgivingly_and_life_dates_named_in_the_users_words(tmp_path: Path) -> None:
    folder = museum_export(
        tmp_path,
        "columns:\n  id: Object Number\n  file: Image\n  title: Title\n  creator_death_year: Artist Dates\n",
        header="\ufeff Object number ;Title;Artist;Artist Dates;Image",
    )
    result = invoke("validate", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 1, result.output  # a problem to fix in the files
    assert (
        "  note: items.csv: the column 'Object number' is read as 'Object Number', which columns: maps to id\n"
        in result.output
    )
    assert "  manifest:invalid-row: 3 item(s)." in result.output
    assert (
        "  - 1926.1 (row 2): items.csv, row 2, column 'Artist Dates': '1775–1851' holds life dates, not a year of "
        "death: map 'Artist Dates' to creator_dates in collection.yaml (columns: {creator_dates: \"Artist Dates\"}); "
        "pdpack reads the death year from them\n" in result.output
    )


def test_a_mapped_column_missing_from_the_header_is_named(tmp_path: Path) -> None:
    folder = museum_export(tmp_path, "columns: {id: Accession Number, file: Image}\n")
    result = invoke("validate", str(folder))
    assert result.exit_code == 1
    assert (
        "column 'Accession Number': collection.yaml maps id to 'Accession Number' (columns: id: ...), but the header "
        "has no such column; its columns are 'Object Number', 'Title', 'Artist', 'Artist Dates', 'Image'"
    ) in result.output


def near_miss_collection(root: Path, missing_count: int = 0) -> Path:
    """Files whose cells drift from the disk (case, a stray space, the folder left out), and plain missing ones."""
    folder = root / "drift"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(
        f"id: drift\ntitle: Drift\ninstitution: Town Gallery\nrights: {CC0}\n", encoding="utf-8"
    )
    for number, name in enumerate(["1926.1.jpg", "1926.3.jpg", "1921.14.jpg"]):
        (folder / "files" / name).write_bytes(image_bytes("JPEG", color=(number * 50, 10, 10)))
    lines = ["id,file,title", "a,files/1926.1.JPG,One", "b,files/1926.3 .jpg,Three", "c,1921.14.jpg,Fourteen"]
    lines += [f"m{n:02d},files/gone-{n}.jpg,Gone {n}" for n in range(missing_count)]
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_missing_files_suggest_the_near_match(tmp_path: Path) -> None:
    folder = near_miss_collection(tmp_path)
    result = invoke("validate", str(folder))
    assert result.exit_code == 1, result.output  # a problem to fix in the files
    for cell, meant in [("files/1926.1.JPG", "files/1926.1.jpg"), ("files/1926.3 .jpg", "files/1926.3.jpg")]:
        assert f"column 'file': {cell!r} does not exist in {folder}; did you mean {meant!r}?" in result.output
    assert f"column 'file': '1921.14.jpg' does not exist in {folder}; did you mean 'files/1921.14.jpg'?" in (
        result.output
    )


def test_many_identical_problems_are_grouped_and_counted(tmp_path: Path) -> None:
    folder = near_miss_collection(tmp_path, missing_count=20)
    result = invoke("validate", str(folder))
    assert result.exit_code == 1, result.output  # a problem to fix in the files
    assert "0 item(s) would ship, 23 would be held back." in result.output
    assert result.output.count("does not exist") == 5  # the first few in full ...
    assert "  - and 18 more with this reason: rows 7–24\n" in result.output  # ... then the rows of the rest
    assert "\nProblems by reason:\n  file:missing  23 item(s)\n\n" in result.output


def test_an_item_held_for_rights_is_checked_for_everything_else_too(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text("id: c\ntitle: C\ninstitution: Town Gallery\n", encoding="utf-8")
    (folder / "files" / "broken.jpg").write_bytes(b"not a picture")
    (folder / "items.csv").write_text(
        f"id,file,title,rights,creator_death_year\n"
        f"gone,files/gone.jpg,Harbour,{NKC},\n"
        f"broken,files/broken.jpg,,{NKC},c. 1890\n",
        encoding="utf-8",
    )
    result = invoke("validate", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 1, result.output  # a problem to fix in the files
    # The first problem in stage order stays the reason; every other one is listed with it.
    assert "  - gone (row 2): items.csv column 'rights': No Known Copyright" in result.output
    assert f"      also file:missing: column 'file': 'files/gone.jpg' does not exist in {folder}\n" in result.output
    assert "  - broken (row 3): items.csv, row 3, column 'creator_death_year': 'c. 1890' is not a year" in (
        result.output
    )
    assert "      also rights:undetermined: " in result.output
    assert "      also image:unreadable: files/broken.jpg: " in result.output
    assert "      also caption:missing: no caption, title, creator, date or description" in result.output
    assert "  rights:undetermined   1 item(s), and 1 more item(s) held for another reason\n" in result.output
    assert "  image:unreadable      1 item(s) held for another reason\n" in result.output
    # The build writes the same findings into rejected.jsonl.
    out = tmp_path / "out"
    built = invoke("build", str(folder), "--out", str(out), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output
    lines = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    by_id = {line["id"]: line for line in lines}
    assert by_id["gone"]["reason"] == "rights:undetermined"
    assert [f["reason"] for f in by_id["gone"]["also"]] == ["file:missing"]
    assert [f["reason"] for f in by_id["broken"]["also"]] == [
        "rights:undetermined",
        "image:unreadable",
        "caption:missing",
    ]


def test_untitled_is_named_as_saying_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(
        f"id: c\ntitle: C\ninstitution: Town Gallery\nrights: {CC0}\ncolumns: {{title: Object Title}}\n",
        encoding="utf-8",
    )
    (folder / "files" / "a.png").write_bytes(image_bytes())
    (folder / "items.csv").write_text("id,file,Object Title\na,files/a.png,Untitled\n", encoding="utf-8")
    result = invoke("validate", str(folder))
    assert (
        "  - a (row 2): column 'Object Title' ('Untitled') says nothing about the picture, and no other cell "
        "describes it: add a caption or a description\n" in result.output
    )


def test_yaml_error_gives_line_column_and_the_likely_cause(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "collection.yaml").write_text(
        "id: c\ntitle: Venice: the Grand Canal\ninstitution: Town Gallery\n", encoding="utf-8"
    )
    (folder / "items.csv").write_text("id,file\na,a.png\n", encoding="utf-8")
    result = invoke("validate", str(folder))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder / 'collection.yaml'}: not valid YAML at line 2, column 14: mapping values are not allowed "
        "here\n    2 | title: Venice: the Grand Canal\n  The value of 'title' holds ': ' (a colon and a space), "
        'which YAML reads as a new key: put the value in quotes, e.g. title: "Venice: the Grand Canal"\n'
    )


def test_validate_counts_duplicates_as_build_does(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(f"id: c\ntitle: C\ninstitution: I\nrights: {CC0}\n", encoding="utf-8")
    (folder / "files" / "a.png").write_bytes(image_bytes())
    (folder / "files" / "b.png").write_bytes(image_bytes(color=(10, 200, 10)))
    (folder / "items.csv").write_text(
        "id,file,title\na,files/a.png,A\nb,files/b.png,B\nc,files/a.png,A again\n", encoding="utf-8"
    )
    checked = invoke("validate", str(folder))
    assert "2 item(s) would ship, 1 would be held back." in checked.output
    assert "  - c (row 4): the same file as c/a, which ships\n" in checked.output
    built = invoke("build", str(folder), "--out", str(tmp_path / "out"))
    assert "Built 2 sample(s) from 3 item(s)" in built.output


def test_init_placeholder_url_is_warned(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    assert invoke("init", str(folder)).exit_code == 0
    result = invoke("validate", str(folder))
    assert (
        "  warning: collection.yaml: institution url 'https://www.example.org' is the placeholder pdpack init "
        "wrote; give your institution's web address (a release refuses the placeholder)\n" in result.output
    )


def test_validate_prints_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    folder = near_miss_collection(tmp_path, missing_count=2)
    quiet = invoke("validate", str(folder))
    assert "checking:" not in quiet.stderr  # the default interval (30 s) has not passed
    result = invoke("validate", str(folder), env={"PDPACK_PROGRESS_SECONDS": "0"})
    assert result.exit_code == 1, result.output  # a problem to fix in the files
    lines = [line for line in result.stderr.splitlines() if line.startswith("checking:")]
    assert len(lines) == 5
    assert lines[-1].startswith("checking: 5 ")


def test_release_refuses_the_init_placeholder_url(tmp_path: Path) -> None:
    from packager.cli.release import release

    manifests = tmp_path / "manifests"
    assert invoke("init", str(manifests / "new-museum")).exit_code == 0
    result = CliRunner().invoke(
        release,
        [
            "--manifests",
            str(manifests),
            "--out",
            str(tmp_path / "rel"),
            "--no-previous",
            "--contact",
            "r@gallery.example",
        ],
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: institution url is pdpack init's placeholder in {manifests / 'new-museum' / 'collection.yaml'} "
        "(https://www.example.org): give the real web address\n"
    )
    assert not (tmp_path / "rel").exists()


# --- review.csv --------------------------------------------------------------------------------------------

INC = "http://rightsstatements.org/vocab/InC/1.0/"
NOC_US = "http://rightsstatements.org/vocab/NoC-US/1.0/"


def steward_collection(root: Path, name: str = "stewards") -> Path:
    """Items a steward can settle (doubt, US only, in copyright), one also missing its file, and one that ships."""
    folder = root / name
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(f"id: {name}\ntitle: S\ninstitution: I\n", encoding="utf-8")
    rows = [("nkc", NKC), ("us", NOC_US), ("inc", INC), ("cc0", CC0)]
    for number, (item_id, _) in enumerate(rows):
        colour = (number * 60, len(name) * 20 % 256, sum(map(ord, name)) % 256)  # a different picture everywhere
        (folder / "files" / f"{item_id}.png").write_bytes(image_bytes(color=colour))
    lines = ["id,file,title,rights", *(f"{i},files/{i}.png,Item {i},{r}" for i, r in rows)]
    lines.append(f"lost,files/lost.png,Lost,{NKC}")
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, check=False)


def test_template_appended_by_the_shell_works_on_first_use_and_after(tmp_path: Path) -> None:
    folder = steward_collection(tmp_path)
    pdpack = f"{shlex.quote(sys.executable)} -m packager"
    # The shell creates review.csv, empty, before pdpack runs: the header must still be written.
    first = shell(f"{pdpack} review stewards --as-of {AS_OF} --template >> stewards/review.csv", tmp_path)
    assert first.returncode == 0, first.stderr
    lines = (folder / "review.csv").read_text(encoding="utf-8").splitlines()
    today = dt.date.today().isoformat()
    assert lines == [
        "id,decision,reviewer,date,note,override,overrules",
        f'"inc","","","{today}","","no",""',
        f'"lost","","","{today}","","no",""',  # held for its missing file, and its rights wait for a steward too
        f'"nkc","","","{today}","","no",""',
        f'"us","","","{today}","","no",""',
    ]
    # Rows not filled in yet change nothing: validate and build read the file.
    checked = invoke("validate", str(folder), "--as-of", AS_OF)
    assert checked.exit_code == 1, checked.output  # a problem to fix in the files
    assert "1 item(s) would ship, 4 would be held back." in checked.output
    # A second append repeats nothing (no duplicate rows), and says why on stderr.
    second = shell(f"{pdpack} review stewards --as-of {AS_OF} --template >> stewards/review.csv", tmp_path)
    assert second.returncode == 0, second.stderr
    assert (folder / "review.csv").read_text(encoding="utf-8").splitlines() == lines
    assert "4 waiting item(s) already have a row in stewards/review.csv; not repeated." in second.stderr
    built = invoke("build", str(folder), "--out", str(tmp_path / "out"), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output


def test_an_empty_review_file_means_no_decisions(tmp_path: Path) -> None:
    folder = steward_collection(tmp_path)
    (folder / "review.csv").write_bytes(b"")
    checked = invoke("validate", str(folder), "--as-of", AS_OF)
    assert checked.exit_code == 1, checked.output  # a problem to fix in the files
    assert "1 item(s) would ship, 4 would be held back." in checked.output
    template = invoke("review", str(folder), "--as-of", AS_OF, "--template")
    assert template.stdout.startswith('id,decision,reviewer,date,note,override,overrules\n"inc",')


def test_review_lists_every_item_a_steward_can_settle_and_unapplied_ships(tmp_path: Path) -> None:
    folder = steward_collection(tmp_path)
    (folder / "review.csv").write_text(
        "id,decision,reviewer,date,note,override,overrules\n"
        "inc,ship,J. Smith,2026-11-01,Out of copyright per file,no,\n"
        "us,ship,J. Smith,2026-11-01,Published 1890 in Paris,no,\n"
        "nkc,,,2026-11-01,,no,\n"
        "gone,hold,J. Smith,2026-11-01,Removed,no,\n",
        encoding="utf-8",
    )
    listed = invoke("review", str(folder), "--as-of", AS_OF)
    assert listed.exit_code == 0, listed.output
    assert "2 item(s) wait for a decision" in listed.output
    assert "  lost (row 6): rights:undetermined\n" in listed.output
    assert "    also file:missing: " in listed.output
    assert "  nkc (row 2): rights:undetermined; review.csv has its row, with no decision yet\n" in listed.output
    # The in-copyright item was decided, but a plain ship does not overrule a claim of copyright: said, with why.
    not_applied = "  review.csv row 2: ship 'inc' is not applied: a decision to ship settles doubt only"
    assert not_applied in listed.output
    assert "  review.csv row 5: 'gone' is not an id in items.csv; the decision is ignored\n" in listed.output
    checked = invoke("validate", str(folder), "--as-of", AS_OF)
    assert not_applied in checked.output
    assert "2 item(s) would ship, 3 would be held back." in checked.output  # the US-only ship was applied
    undecided = invoke("review", str(folder), "--as-of", AS_OF, "--template")
    today = dt.date.today().isoformat()
    assert undecided.stdout.splitlines() == [f'"lost","","","{today}","","no",""']  # the file has a header


def test_in_copyright_items_are_listed_as_needing_an_override(tmp_path: Path) -> None:
    folder = steward_collection(tmp_path)
    listed = invoke("review", str(folder), "--as-of", AS_OF)
    assert (
        "  inc (row 4): rights:not-public-domain\n"
        "    only override=yes, a note and the findings named in overrules can ship it\n" in listed.output
    )
    assert "4 item(s) wait for a decision" in listed.output


# --- a folder of collections -------------------------------------------------------------------------------


def institution_layout(root: Path) -> Path:
    """manifests/ as the repository lays it out: collections, examples/, schema/."""
    manifests = root / "manifests"
    steward_collection(manifests / "museum", "prints")
    steward_collection(manifests / "museum", "photos")
    steward_collection(manifests / "examples", "sample")
    (manifests / "schema").mkdir()
    (manifests / "schema" / "item.schema.json").write_text("{}", encoding="utf-8")
    return manifests


def test_a_folder_without_collection_yaml_means_every_collection_below_it(tmp_path: Path) -> None:
    manifests = institution_layout(tmp_path)
    checked = invoke("validate", str(manifests), "--as-of", AS_OF)
    assert checked.exit_code == 1, checked.output  # a problem to fix in the files
    assert f"{manifests} has no collection.yaml; found 2 collection(s) below it: museum/photos, museum/prints\n" in (
        checked.stderr
    )
    assert "photos: S (I)" in checked.stdout and "prints: S (I)" in checked.stdout
    assert "sample: S (I)" not in checked.stdout
    with_examples = invoke("validate", str(manifests), "--as-of", AS_OF, "--include-examples")
    assert "found 3 collection(s) below it: examples/sample, museum/photos, museum/prints" in with_examples.stderr
    # The examples folder given itself is taken; a shell glob over manifests/*/ works, skipping schema/.
    out = tmp_path / "out"
    built = invoke("build", *sorted(str(p) for p in manifests.iterdir()), "--out", str(out), "--as-of", AS_OF)
    assert built.exit_code == 0, built.output
    assert f"{manifests / 'schema'}: the schema folder, not a collection; skipped" in built.stderr
    assert "Built 3 sample(s) from 15 item(s)" in built.stdout
    listed = invoke("review", str(manifests / "museum"), "--as-of", AS_OF)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.count("item(s) wait for a decision") == 2
    template = invoke("review", str(manifests / "museum"), "--as-of", AS_OF, "--template")
    assert template.exit_code == 2
    assert "--template writes rows for one review.csv: give one collection folder (photos, prints)" in template.output


def test_a_folder_with_no_collection_at_all_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("validate", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: {tmp_path / 'empty'}: no collection: give a folder with a collection.yaml, "
        "or one with collections below it\n"
    )


# --- long runs: Ctrl-C, --resume -------------------------------------------------------------------------


def interruptible_collection(root: Path, base: str) -> Path:
    """Four local pictures, then one whose download waits at the test's server until it is released."""
    folder = root / "long"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(f"id: long\ntitle: L\ninstitution: I\nrights: {CC0}\n", encoding="utf-8")
    lines = ["id,file,url,title"]
    for number in range(4):
        (folder / "files" / f"a{number}.png").write_bytes(image_bytes(color=(number * 50, 100, 30)))
        lines.append(f"a{number},files/a{number}.png,,Picture {number}")
    lines.append(f"z-remote,,{base}/hold/z.png,The last one")
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_ctrl_c_says_what_is_safe_and_resume_finishes_and_says_what_changed(tmp_path: Path) -> None:
    from tests.http_server import serve

    out = tmp_path / "out"
    with serve({"z.png": image_bytes(color=(1, 2, 250))}) as server:
        folder = interruptible_collection(tmp_path, server.base)
        command = [sys.executable, "-m", "packager", "build", str(folder), "--out", str(out), "--no-cache"]
        command += ["--as-of", AS_OF, "--shard-max-count", "1", "--allow-private-urls"]  # the server is local
        build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # The build waits on the last download: four items are done, each its own partition and shard.
            assert server.arrived.wait(timeout=120), "the build never reached the last item"
            build.send_signal(signal.SIGINT)
            _, stderr = build.communicate(timeout=120)
        finally:
            server.release.set()
            if build.poll() is None:
                build.kill()
        assert build.returncode == 130, stderr
        assert "Aborted!" not in stderr and "Traceback" not in stderr
        assert stderr.endswith(
            f"\nInterrupted. 4 item(s) are safe in {out}: 4 complete shard(s) and their entries in rejected.jsonl. "
            "Run the same command with --resume to finish from there.\n"
        )
        assert len(list((out / "data").rglob("*.tar"))) == 4

        # A resume of other inputs is refused, naming each change.
        items = folder / "items.csv"
        original = items.read_text(encoding="utf-8")
        items.write_text(original.replace("Picture 0", "Picture zero"), encoding="utf-8")
        refused = invoke(*command[3:], "--resume", "--as-of", "2026-12-01", "--shard-max-count", "2")
        assert refused.exit_code == 1
        assert refused.stderr == (
            f"Error: {out} holds a build of other inputs or settings: the as-of date was {AS_OF}, now 2026-12-01 "
            f"(it defaults to today: give --as-of {AS_OF} to resume); option --shard-max-count was 1, now 2; "
            "items.csv of collection long changed. Give the same inputs and options, or build without --resume "
            "to start over\n"
        )
        items.write_text(original, encoding="utf-8")

        resumed = invoke(*command[3:], "--resume")
        assert resumed.exit_code == 0, resumed.output
        assert resumed.stderr.startswith(
            f"Resuming the interrupted build in {out}: 4 item(s) are done, in 4 complete shard(s); "
            "carrying on from there.\n"
        )
        assert "Built 5 sample(s) from 5 item(s) in 5 shard(s)" in resumed.stdout
        fresh = invoke(*command[3:], "--out", str(tmp_path / "fresh"), "--resume")  # the last --out counts
        assert fresh.stderr.startswith(f"Nothing to resume in {tmp_path / 'fresh'} (no interrupted build there)")
        assert fresh.exit_code == 0, fresh.output


def test_a_resumed_progress_bar_starts_where_it_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from packager.cli.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with Progress(desc="building") as progress:
        progress.bar.total = 10
        progress.start_at(7)
        rejection = Rejection("c", "x", "file:missing", "gone")
        for _ in range(3):
            progress.update(Collection("c", Path("c"), "C", Institution("I"), Path("c/items.csv")), rejection)
    assert "10/10" in terminal.getvalue()  # not 3/10: the bar counts the items done before the resume


# --- loading what was built -------------------------------------------------------------------------------


def mixed_formats(root: Path) -> Path:
    """Six PNGs first, then two JPEGs: datasets' inference from the first five samples would drop the JPEGs."""
    folder = root / "mixed"
    (folder / "files").mkdir(parents=True)
    (folder / "collection.yaml").write_text(
        f"id: mixed\ntitle: Mixed\ninstitution: {{name: Town Gallery, url: https://gallery.example}}\nrights: {CC0}\n",
        encoding="utf-8",
    )
    lines = ["id,file,title"]
    for number in range(8):
        fmt, ext = ("PNG", "png") if number < 6 else ("JPEG", "jpg")
        (folder / "files" / f"{number}.{ext}").write_bytes(image_bytes(fmt, color=(number * 30, 200, 9)))
        lines.append(f"item-{number},files/{number}.{ext},Picture {number}")
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def images_per_row(folder: Path) -> list[str]:
    import datasets

    rows = datasets.load_dataset(str(folder), split="train")
    return [next(ext for ext in ("jpg", "png", "webp") if row[ext] is not None) for row in rows]


def test_load_dataset_on_a_build_folder_reads_every_image(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = invoke("build", str(mixed_formats(tmp_path)), "--out", str(out), "--shard-max-count", "5")
    assert built.exit_code == 0, built.output
    # Not the parquet index (no images): the shards, with the JPEGs after five PNGs.
    assert images_per_row(out) == ["png"] * 6 + ["jpg"] * 2
    # Someone's own README.md in the output folder is never replaced.
    (out / "README.md").write_text("# our notes\n", encoding="utf-8")
    again = invoke("build", str(tmp_path / "mixed"), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert (out / "README.md").read_text(encoding="utf-8") == "# our notes\n"


def test_load_dataset_on_a_release_folder_reads_every_image(tmp_path: Path) -> None:
    from packager.cli.release import release

    manifests = tmp_path / "manifests"
    mixed_formats(manifests)
    out = tmp_path / "release"
    args = ["--manifests", str(manifests), "--out", str(out), "--no-previous", "--contact", "r@gallery.example"]
    made = CliRunner().invoke(release, args)
    assert made.exit_code == 0, made.output
    assert images_per_row(out) == ["png"] * 6 + ["jpg"] * 2


def test_the_card_licence_table_merges_spellings_of_one_statement(tmp_path: Path) -> None:
    from packager.cli.release import release

    folder = mixed_formats(tmp_path / "manifests")
    spellings = ["Public Domain", "public domain", "PD", "Public Domain", CC0, CC0.replace("http:", "https:"), "", ""]
    lines = (folder / "items.csv").read_text(encoding="utf-8").splitlines()
    rows = [f"{line},{rights}" for line, rights in zip(lines[1:], spellings, strict=True)]
    (folder / "items.csv").write_text("\n".join([lines[0] + ",rights", *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "release"
    args = ["--manifests", str(tmp_path / "manifests"), "--out", str(out), "--no-previous"]
    made = CliRunner().invoke(release, [*args, "--contact", "r@gallery.example"])
    assert made.exit_code == 0, made.output
    card = (out / "README.md").read_text(encoding="utf-8")
    table = [line for line in card.splitlines() if re.fullmatch(r"\| .+ \| `public_domain` \| \d+ \|", line)]
    assert len(table) == 2, table  # one row per statement, not one per spelling
    assert any(line.startswith("| Public Domain |") and line.endswith("| 4 |") for line in table), table
    assert any("CC0" in line and line.endswith("| 4 |") for line in table), table  # the default fills the rest


def test_jsonl_keys_are_matched_forgivingly_too(tmp_path: Path) -> None:
    folder = tmp_path / "j"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "a.png").write_bytes(image_bytes())
    (folder / "collection.yaml").write_text(
        f"id: j\ntitle: J\ninstitution: I\nrights: {CC0}\ncolumns: {{id: Object Number}}\n", encoding="utf-8"
    )
    (folder / "items.jsonl").write_text(
        '{"object number": "a", "File": "files/a.png", "Title ": "A"}\n', encoding="utf-8"
    )
    result = invoke("validate", str(folder))
    assert result.exit_code == 0, result.output
    assert (
        "  note: items.jsonl: the column 'object number' is read as 'Object Number', which columns: maps to id\n"
        in (result.output)
    )
    assert "1 item(s) would ship, 0 would be held back." in result.output
