"""Issue 12: a contributed collection is untrusted input. Each test performs one attack or fault."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.builder.config import Settings
from packager.builder.run import build, load_collections
from packager.cli import cli
from packager.manifest.collection import ManifestError, load_collection
from packager.manifest.inputs import collection_inputs
from packager.publish.release import input_hashes
from tests.budget import results_within
from tests.helpers import CC0, image_bytes, write_collection
from tests.test_iiif import canvas3, iiif_collection, image3, manifest3

AS_OF = "2026-11-30"
SECRET = "SECRET-0f9d3c-from-outside"
CONTACT = ("--source-url", "https://github.com/example/pdpack")  # a release needs a removal contact


def run_pdpack(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "packager", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def everything_written(out: Path) -> str:
    """Every file a build wrote, as text, to look for leaked contents."""
    if not out.exists():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


# --- 2. symlinked manifest files -------------------------------------------------------------------------


def outside_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "outside" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def plain_collection(root: Path) -> Path:
    rows = [{"id": "a", "file": "files/a.png", "title": "Harbour"}]
    return write_collection(root, rows, collection_id="linked-museum", files={"files/a.png": image_bytes()})


def link_items_csv(folder: Path, tmp_path: Path) -> str:
    target = outside_file(tmp_path, "passwd.csv", f"id,file,title\n{SECRET},files/a.png,{SECRET}\n")
    (folder / "items.csv").unlink()
    (folder / "items.csv").symlink_to(target)
    return "items.csv"


def link_items_jsonl(folder: Path, tmp_path: Path) -> str:
    target = outside_file(tmp_path, "rows.jsonl", json.dumps({"id": SECRET, "file": "files/a.png"}) + "\n")
    (folder / "items.csv").unlink()
    (folder / "items.jsonl").symlink_to(target)
    return "items.jsonl"


def link_collection_yaml(folder: Path, tmp_path: Path) -> str:
    text = (folder / "collection.yaml").read_text(encoding="utf-8").replace("Test Museum", SECRET)
    target = outside_file(tmp_path, "collection.yaml", text)
    (folder / "collection.yaml").unlink()
    (folder / "collection.yaml").symlink_to(target)
    return "collection.yaml"


def link_review_csv(folder: Path, tmp_path: Path) -> str:
    target = outside_file(tmp_path, "review.csv", f"id,decision,reviewer,date\na,{SECRET},x,2026-01-01\n")
    (folder / "review.csv").symlink_to(target)
    return "review.csv"


def link_iiif_folder(folder: Path, tmp_path: Path) -> str:
    outside = tmp_path / "outside" / "iiif"
    outside.mkdir(parents=True)
    (outside / "a.json").write_text(json.dumps(manifest3(canvas3(1, image3("files/a.png")), label=SECRET)))
    (folder / "items.csv").unlink()
    (folder / "iiif").symlink_to(outside, target_is_directory=True)
    return "iiif"


@pytest.mark.parametrize(
    "attack", [link_items_csv, link_items_jsonl, link_collection_yaml, link_review_csv, link_iiif_folder]
)
def test_symlinked_collection_file_pointing_outside_is_refused_without_echoing_it(
    tmp_path: Path, attack: object
) -> None:
    folder = plain_collection(tmp_path / "repo")
    name = attack(folder, tmp_path)  # type: ignore[operator]
    out = tmp_path / "dist"
    for command in (
        ["validate", str(folder), "--as-of", AS_OF, "--format", "github"],
        ["build", str(folder), "--out", str(out), "--as-of", AS_OF],
    ):
        result = run_pdpack(*command)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{name}: is a symlink that points outside the collection folder" in result.stderr
        assert SECRET not in result.stdout + result.stderr
        assert "outside/" not in result.stderr  # not even where it points
    assert SECRET not in everything_written(out)


def test_symlinked_iiif_manifest_is_rejected_and_never_read(tmp_path: Path) -> None:
    target = outside_file(tmp_path, "secret.json", json.dumps(manifest3(canvas3(1, image3("files/a.png")))))
    folder = iiif_collection(
        tmp_path / "repo", {"a.json": manifest3(canvas3(1, image3("files/a.png")))}, {"files/a.png": image_bytes()}, CC0
    )
    (folder / "iiif" / "zz.json").symlink_to(target)
    collection = load_collection(folder)
    assert [p.name for p in collection_inputs(collection)] == ["collection.yaml", "a.json"]
    out = tmp_path / "dist"
    build([collection], out, Settings(as_of=AS_OF))
    (line,) = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["reason"] == "path:escapes-collection"


def test_symlinked_takedowns_file_stops_the_release(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    plain_collection(manifests)
    target = outside_file(tmp_path, "takedowns.csv", f"collection,id,sha256,date,reason\n{SECRET},a,,2026-01-01,x\n")
    (manifests / "takedowns.csv").symlink_to(target)
    out = tmp_path / "release"
    result = run_pdpack(
        "release", "--manifests", str(manifests), "--out", str(out), "--no-previous", "--as-of", AS_OF, *CONTACT
    )
    assert result.returncode == 1
    assert "takedowns.csv is a symlink that points outside" in result.stderr
    assert SECRET not in result.stdout + result.stderr and not out.exists()


# --- 11. preconditions and single sources ----------------------------------------------------------------


def test_release_without_exiftool_refuses_like_build(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    folder = plain_collection(manifests)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin)}
    out = tmp_path / "out"
    for command in (
        ["release", "--manifests", str(manifests), "--out", str(out), "--no-previous", "--as-of", AS_OF, *CONTACT],
        ["build", str(folder), "--out", str(out), "--as-of", AS_OF],
    ):
        result = run_pdpack(*command, env=env)
        assert result.returncode == 1, result.stdout
        assert "pdpack needs the exiftool program" in result.stderr
        assert not out.exists()  # refused before any work


def test_resume_sees_an_edit_to_an_upper_case_json_manifest(tmp_path: Path) -> None:
    """The fingerprint and the release hash the same files: iiif/A.JSON is an input to both."""
    files = {"files/a.png": image_bytes(), "files/b.png": image_bytes(color=(10, 200, 40))}
    folder = iiif_collection(
        tmp_path / "manifests",
        {
            "a.json": manifest3(canvas3(1, image3("files/a.png"))),
            "B.JSON": manifest3(canvas3(1, image3("files/b.png"))),
        },
        files,
        CC0,
    )
    collection = load_collection(folder)
    assert [p.name for p in collection_inputs(collection)] == ["collection.yaml", "B.JSON", "a.json"]
    assert "manifests/iiif-museum/iiif/B.JSON" in input_hashes([collection], tmp_path / "manifests")
    out = tmp_path / "dist"
    first = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), "--as-of", AS_OF])
    assert first.exit_code == 0, first.output
    edited = manifest3(canvas3(1, image3("files/b.png")), label={"en": ["Another title"]})
    (folder / "iiif" / "B.JSON").write_text(json.dumps(edited), encoding="utf-8")
    again = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), "--as-of", AS_OF, "--resume"])
    assert again.exit_code == 1
    assert "holds a build of other inputs or settings" in again.output


# --- 3. nesting limits -----------------------------------------------------------------------------------


def test_jsonl_row_nested_20000_deep_is_one_rejected_row(tmp_path: Path) -> None:
    files = {"files/a.png": image_bytes(), "files/b.png": image_bytes(color=(20, 160, 90))}
    folder = write_collection(
        tmp_path, [{"id": "a", "file": "files/a.png", "title": "Harbour"}], files=files, fmt="jsonl"
    )
    deep = '{"id": "deep", "file": "files/b.png", "notes": ' + "[" * 20_000 + "]" * 20_000 + "}\n"
    shallow_but_deep = {"id": "nested", "file": "files/b.png", "notes": json.loads("[" * 40 + "]" * 40)}
    with (folder / "items.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(deep + json.dumps(shallow_but_deep) + "\n")
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings(as_of=AS_OF))
    assert report["totals"]["shipped"] == 1 and (out / "report.html").is_file()
    held = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["reason"], r["row"]) for r in held] == [("manifest:invalid-row", 2), ("manifest:invalid-row", 3)]
    assert all("nests values more than 32 levels deep" in r["message"] for r in held)


def test_collection_yaml_nested_20000_deep_is_a_clear_collection_error(tmp_path: Path) -> None:
    folder = plain_collection(tmp_path)
    with (folder / "collection.yaml").open("a", encoding="utf-8") as handle:
        handle.write("description: " + "[" * 20_000 + "]" * 20_000 + "\n")
    result = run_pdpack("validate", str(folder), "--as-of", AS_OF)
    assert result.returncode == 1
    expected = "collection.yaml: not valid YAML at line 6, column 45: nests values more than 32 levels deep"
    assert expected in result.stderr
    assert len(result.stderr) < 1000  # the offending line is quoted, cut short
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


# --- 6. control characters -------------------------------------------------------------------------------


def test_control_characters_in_contributed_text_never_reach_the_log_raw(tmp_path: Path) -> None:
    """Titles and names that would forge or silence GitHub annotations, or drive a terminal, are printed escaped."""
    folder = tmp_path / "ci-museum"
    files = {"files/a.png": image_bytes(), "files/b.png": image_bytes(color=(90, 10, 200))}
    write_collection(tmp_path, [], collection_id="ci-museum", files=files, fmt="jsonl")
    (folder / "collection.yaml").write_text(
        "id: ci-museum\n"
        'title: "Prints\\n::error file=.github/workflows/ci.yml,line=1::forged title"\n'
        'institution: {name: "Museum \\e]0;pwned\\a \\e[31mred\\u2028::stop-commands::token", url: "https://m.example"}\n'
        f"rights: {CC0}\n",
        encoding="utf-8",
    )
    rows = [
        {"id": "a\n::error file=x.py::forged id", "file": "files/a.png", "title": "t"},
        {"id": "b", "file": "files/b.png", "title": "t", "rights": "InC\r\n::stop-commands::token\u0085\x9b31m"},
    ]
    (folder / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for output_format in ("github", "text"):
        result = run_pdpack("validate", str(folder), "--as-of", AS_OF, "--format", output_format, "--explain", "b")
        log = result.stdout + result.stderr
        assert "forged" in log and "stop-commands" in log  # shown, escaped
        for bad in ("\x1b", "\x07", "\r", "\x85", "\x9b", "\u2028"):
            assert bad not in log, repr(bad)
        for line in log.splitlines():
            if line.lstrip().startswith("::"):
                # Only the annotations pdpack writes, each on the manifest and with escaped contents.
                # Properties hold no raw ':' or ',', so the command ends where pdpack means it to.
                command = r"::(error|warning) file=[^,:]*ci-museum/items\.jsonl(,line=\d+)?,title=[^:,]*::"
                assert re.match(command, line), line


# --- 3. an ExifTool budget per file, and one read per distinct file --------------------------------------


def deep_xmp_tiff(depth: int) -> bytes:
    """A real TIFF whose XMP nests ``depth`` levels: ExifTool's time grows with the square of the depth."""
    from PIL import Image, TiffImagePlugin

    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        + '<rdf:Description><x:a rdf:parseType="Resource">' * depth
        + "</x:a></rdf:Description>" * depth
        + '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[700] = packet.encode()
    info.tagtype[700] = 1  # bytes
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format="TIFF", tiffinfo=info)
    return out.getvalue()


def test_deeply_nested_xmp_costs_one_budget_however_many_rows_point_at_it(tmp_path: Path) -> None:
    """XMP nested 8,000 deep keeps ExifTool busy for minutes (24 s at 2,000 deep here, four times that per
    doubling). With a 2 s budget per file and one read per distinct file, 100 rows pointing at it (and a
    copy under another name) cost one budget: the build finishes far inside a limit that 100 reads would blow."""
    files = {"files/bomb.tif": deep_xmp_tiff(8_000), "files/good.png": image_bytes()}
    files["files/bomb-copy.tif"] = files["files/bomb.tif"]
    rows = [{"id": f"bomb-{n:03d}", "file": "files/bomb.tif", "title": "Nested"} for n in range(100)]
    rows += [
        {"id": "bomb-copy", "file": "files/bomb-copy.tif", "title": "Nested"},
        {"id": "good", "file": "files/good.png", "title": "Harbour"},
    ]
    folder = write_collection(tmp_path, rows, collection_id="xmp-museum", files=files)
    out = tmp_path / "dist"
    settings = Settings(as_of=AS_OF, embedded_deadline=2.0)
    results = results_within([("build", lambda: build(load_collections([folder]), out, settings)["totals"])], 60)
    assert results["build"]["shipped"] == 1
    held = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(held) == 101 and {r["reason"] for r in held} == {"embedded:unreadable"}
    assert all("did not answer in time (2 s)" in r["message"] for r in held)
    copy = next(r for r in held if r["id"] == "bomb-copy")
    assert "bomb-copy.tif" in copy["message"]  # the message names the item's own file


# --- 3. a new collection may not take an existing collection's id ---------------------------------------


def test_validate_refuses_an_id_already_used_under_manifests(tmp_path: Path) -> None:
    manifests = tmp_path / "pr" / "manifests"
    rows = [{"id": "a", "file": "files/a.png", "title": "Harbour"}]
    write_collection(manifests / "museums", rows, collection_id="city-prints", files={"files/a.png": image_bytes()})
    newcomer = write_collection(manifests, rows, collection_id="city-prints", files={"files/a.png": image_bytes()})
    (newcomer.parent / "newcomer").mkdir()
    newcomer = newcomer.rename(newcomer.parent / "newcomer" / "prints")  # another folder, the same id
    for output_format in ("text", "github"):
        result = run_pdpack("validate", str(newcomer), "--as-of", AS_OF, "--format", output_format)
        assert result.returncode == 1
        assert (
            "id 'city-prints' is already used by manifests/museums/city-prints; every collection under manifests/ "
            "needs an id of its own"
        ) in result.stderr
    # Outside a manifests/ tree (a folder of one's own), nothing else is looked at.
    alone = write_collection(tmp_path / "mine", rows, collection_id="city-prints", files={"files/a.png": image_bytes()})
    assert run_pdpack("validate", str(alone), "--as-of", AS_OF).returncode == 0


# --- 5. Markdown injection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://museum.example\n# Licence: CC BY-NC\n[terms](javascript:alert(1))", "control character"),
        ("javascript:alert(document.cookie)", "must start with http:// or https://"),
        ("https://museum.example/ fake", "white space"),
        ("https://", "names no host"),
    ],
)
def test_institution_url_is_checked_when_the_collection_is_loaded(tmp_path: Path, url: str, problem: str) -> None:
    folder = plain_collection(tmp_path)
    meta = folder / "collection.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace('url: "https://museum.example"', f"url: {json.dumps(url)}"),
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == "institution.url" and problem in info.value.message
    result = run_pdpack("validate", str(folder), "--as-of", AS_OF)
    assert result.returncode == 1 and "column 'institution.url'" in result.stderr


def test_attribution_markdown_carries_contributed_text_escaped(tmp_path: Path) -> None:
    name = "Museum\n# Licence: CC BY-NC\n[terms](javascript:alert(1)) <img src=x onerror=alert(1)> \x1b[31mred"
    folder = plain_collection(tmp_path)
    meta = folder / "collection.yaml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace(
        'name: "Test Museum", url: "https://museum.example"',
        f'name: {json.dumps(name)}, url: "https://museum.example/a_(b)"',
    )
    text = text.replace(
        "title: Test collection linked-museum", 'title: "*Prints* | and | [links](https://evil.example)"'
    )
    meta.write_text(text, encoding="utf-8")
    out = tmp_path / "dist"
    build(load_collections([folder]), out, Settings(as_of=AS_OF))
    attribution = (out / "ATTRIBUTION.md").read_text(encoding="utf-8")
    headings = [line for line in attribution.splitlines() if line.startswith("#")]
    assert headings[0] == "# Attribution" and len(headings) == 2  # the institution's, on one line
    assert "](javascript" not in attribution and "<img" not in attribution and "](https://evil" not in attribution
    assert "<https://museum.example/a_%28b%29>" in attribution
    assert "\x1b" not in attribution and "\\\\x1b" in attribution  # shown as an escape, never raw


def test_a_hostile_http_reason_phrase_never_reaches_the_log(tmp_path: Path) -> None:
    """A server's status line carrying an OSC title sequence and a forged annotation: nothing of it is printed."""
    from tests.http_server import serve

    phrase = "Unavailable \x1b]0;pwned\x07 \x1b[31m ::error file=x.py::forged by the server"
    with serve({"a.png": phrase.encode("latin-1")}) as server:
        rows = [{"id": "remote", "url": f"{server.base}/reason/a.png", "title": "Harbour"}]
        folder = write_collection(tmp_path, rows, collection_id="remote-museum", fmt="jsonl")
        for output_format in ("text", "github"):
            result = run_pdpack(
                "validate", str(folder), "--as-of", AS_OF, "--format", output_format, "--allow-private-urls"
            )
            log = result.stdout + result.stderr
            assert "url:http-error" in log and "HTTP 503" in log
            assert "\x1b" not in log and "\x07" not in log and "forged" not in log and "pwned" not in log


def test_the_schema_check_does_not_follow_a_collection_yaml_that_points_outside(tmp_path: Path) -> None:
    from packager.manifest.schema import check_collection_file

    folder = plain_collection(tmp_path / "repo")
    link_collection_yaml(folder, tmp_path)
    (problem,) = check_collection_file(folder)
    assert "symlink that points outside" in problem.message and SECRET not in problem.message
