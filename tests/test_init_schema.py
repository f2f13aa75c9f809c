"""``pdpack init`` scaffolds, and the JSON Schemas for collection.yaml and items, with messages for staff."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli.init import ITEMS_HEADER, collection_id_for, init_command
from packager.manifest.collection import COLLECTION_KEYS, ManifestError, load_collection
from packager.manifest.schema import (
    check_collection,
    check_collection_file,
    check_item,
    errors,
    main,
    require_valid_collection,
)
from packager.manifest.schemas import SCHEMAS, schema_text
from tests import bad_inputs as bad
from tests.helpers import EXAMPLES, REPO

SCHEMA_DIR = REPO / "manifests" / "schema"


def run_init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(init_command, list(args), prog_name="pdpack init")
    return result.exit_code, result.output


# --- pdpack init -------------------------------------------------------------------------------------------


def test_scaffold_loads_and_validates(tmp_path: Path) -> None:
    folder = tmp_path / "City Museum Prints"
    code, output = run_init(str(folder))
    assert code == 0, output
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.txt",
        "collection.yaml",
        "files",
        "items.csv",
        "items.example.csv",
    ]
    assert (folder / "files").is_dir() and not any((folder / "files").iterdir())
    collection = load_collection(folder)
    assert (collection.id, collection.title) == ("city-museum-prints", "City Museum Prints")
    assert collection.rights is None  # no default that would ship unchecked items
    # The placeholder address init writes must not reach a release's credits unnoticed.
    assert collection.warnings == (
        "collection.yaml: institution url 'https://www.example.org' is the placeholder pdpack init wrote; "
        "give your institution's web address (a release refuses the placeholder)",
    )
    assert check_collection_file(folder) == []
    assert "pdpack validate" in output


def test_every_collection_key_is_explained(tmp_path: Path) -> None:
    run_init(str(tmp_path / "prints"))
    text = (tmp_path / "prints" / "collection.yaml").read_text(encoding="utf-8")
    for key in COLLECTION_KEYS:
        assert f"{key}:" in text, key
    for uri in ("publicdomain/mark/1.0/", "publicdomain/zero/1.0/", "NoC-US", "NKC", "InC/1.0/"):
        assert uri in text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 20


def test_items_csv_is_the_header_and_the_example_rows_validate(tmp_path: Path) -> None:
    run_init(str(tmp_path / "prints"))
    folder = tmp_path / "prints"
    assert (folder / "items.csv").read_text(encoding="utf-8").splitlines() == [",".join(ITEMS_HEADER)]
    with (folder / "items.example.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(ITEMS_HEADER) and len(rows) == 2
    for row in rows:
        assert errors(check_item({k: v for k, v in row.items() if v})) == []
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    for column in ITEMS_HEADER:
        assert column in readme


def test_following_the_example_row_ships_an_item(tmp_path: Path) -> None:
    run_init(str(tmp_path / "prints"), "--institution", "Example Museum")
    folder = tmp_path / "prints"
    lines = (folder / "items.example.csv").read_text(encoding="utf-8").splitlines()
    with (folder / "items.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(lines[1] + "\r\n")  # the row that names a local file
    (folder / "files" / "1923-45.jpg").write_bytes(bad.good_jpeg(1))
    report = build(load_collections([folder]), tmp_path / "dist", Settings(as_of="2026-11-30"))
    assert (report["totals"]["shipped"], report["totals"]["rejected"]) == (1, 0)


def test_refuses_to_overwrite_a_collection(tmp_path: Path) -> None:
    folder = tmp_path / "prints"
    folder.mkdir()
    (folder / "collection.yaml").write_text("id: mine\n", encoding="utf-8")
    code, output = run_init(str(folder))
    assert code == 1 and "already exists" in output
    assert (folder / "collection.yaml").read_text(encoding="utf-8") == "id: mine\n"
    assert not (folder / "items.csv").exists()


def test_keeps_an_existing_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "items.csv").write_text("id,file\nx,files/x.jpg\n", encoding="utf-8")
    code, output = run_init(str(folder))
    assert code == 0 and "kept your existing items.csv" in output
    assert (folder / "items.csv").read_text(encoding="utf-8") == "id,file\nx,files/x.jpg\n"
    assert load_collection(folder).id == "export"


def test_options_are_written_safely(tmp_path: Path) -> None:
    title = 'Prints: "the best" of # 1900'
    code, _ = run_init(str(tmp_path / "p"), "--id", "city-prints", "--title", title, "--institution", "Musée: d'Art")
    assert code == 0
    collection = load_collection(tmp_path / "p")
    assert (collection.id, collection.title, collection.institution.name) == ("city-prints", title, "Musée: d'Art")


def test_bad_id_option_is_refused(tmp_path: Path) -> None:
    code, output = run_init(str(tmp_path / "p"), "--id", "City Prints")
    assert code == 2 and "not a valid id" in output
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("City Museum Prints", "city-museum-prints"),
        ("  Ünïcode__Prints!! ", "unicode-prints"),
        ("1923", "1923"),
        ("!!!", "my-collection"),
        ("x" * 100, "x" * 64),
    ],
)
def test_collection_id_from_folder_name(name: str, expected: str) -> None:
    assert collection_id_for(Path(name)) == expected


def test_help_has_an_example() -> None:
    code, output = run_init("--help")
    assert code == 0 and "Example" in output and "pdpack init city-museum-prints" in output


# --- schemas -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_files_are_the_packaged_schemas(name: str) -> None:
    """manifests/schema/ holds copies: regenerate with `python -m packager.manifest.schema --write manifests/schema`."""
    assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == schema_text(SCHEMAS[name])
    Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8")))


def test_write_command_writes_the_same_files(tmp_path: Path) -> None:
    assert main(["--write", str(tmp_path)]) == 0
    for name in SCHEMAS:
        assert (tmp_path / name).read_bytes() == (SCHEMA_DIR / name).read_bytes()


def example_folders() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file())


@pytest.mark.parametrize("folder", example_folders(), ids=lambda p: p.name)
def test_every_example_collection_validates(folder: Path) -> None:
    assert check_collection_file(folder) == []
    assert main([str(folder)]) == 0


@pytest.mark.parametrize("folder", example_folders(), ids=lambda p: p.name)
def test_every_example_item_validates(folder: Path) -> None:
    with (folder / "items.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            assert errors(check_item({k: v for k, v in row.items() if v})) == [], row["id"]


MISTAKES = [
    ("id: City Museum\ntitle: T\ninstitution: M\n", "id", "'City Museum' is not a valid id: use lower-case letters"),
    ("id: a\ninstitution: M\n", "title", 'is missing; add a line like title: "Prints and drawings'),
    ("id: a\ntitle: '  '\ninstitution: M\n", "title", "is empty; write the collection's name"),
    ("id: 1923\ntitle: T\ninstitution: M\n", "id", "must be text, not a number (1923; put it in quotes"),
    ("id: a\ntitle: 2020-01-01\ninstitution: M\n", "title", "must be text, not a date (2020-01-01; put it in quotes"),
    ("id: a\ntitle: T\n", "institution", "is missing"),
    ("id: a\ntitle: T\ninstitution: {url: 'https://m.example'}\n", "institution.name", "is missing"),
    ("id: a\ntitle: T\ninstitution: {name: M, url: 5}\n", "institution.url", "must be text, not a number"),
    ("id: a\ntitle: T\ninstitution: ''\n", "institution", "is empty; write the institution's name"),
    ("id: a\ntitle: T\ninstitution: [M]\n", "institution", "give the institution's name, e.g. institution:"),
    ("id: a\ntitle: T\ninstitution: M\nattribution: '{title.upper}'\n", "attribution", "may use only these fields"),
    ("id: a\ntitle: T\ninstitution: M\ncolumns: {titel: Name}\n", "columns.titel", "did you mean 'title'?"),
    ("id: a\ntitle: T\ninstitution: M\ncolumns: {title: ''}\n", "columns.title", "is empty; write the name of"),
    ("id: a\ntitle: T\ninstitution: M\ncolumns: Title\n", "columns", "must be a mapping (key: value)"),
    ("id: a\ntitle: T\ninstitution: M\nvalues: {rights: [x]}\n", "values.rights", "must be a mapping"),
    ("id: a\ntitle: T\ninstitution: M\nlocal_contexts: {a: 1}\n", "local_contexts", "must be a list of label names"),
    ("id: a\ntitle: T\ninstitution: M\nlocal_contexts: [1]\n", "local_contexts[0]", "must be text, not a number"),
    ("id: a\ntitle: T\ninstitution: M\nrights: yes\n", "rights", "must be text, not yes/no"),
]


@pytest.mark.parametrize(("text", "path", "message"), MISTAKES, ids=[m[1] + ":" + m[2][:24] for m in MISTAKES])
def test_typical_mistakes_give_readable_messages(tmp_path: Path, text: str, path: str, message: str) -> None:
    problems = errors(check_collection(yaml.safe_load(text)))
    assert any(p.path == path and message in p.message for p in problems), [str(p) for p in problems]
    # The same file refused by load_collection, and by the schema check meant to run inside it.
    (tmp_path / "items.csv").write_text("id,file\n", encoding="utf-8")
    (tmp_path / "collection.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError):
        load_collection(tmp_path)
    with pytest.raises(ManifestError) as info:
        require_valid_collection(yaml.safe_load(text), tmp_path / "collection.yaml")
    assert info.value.column == path or (info.value.column or "").startswith(path.split(".")[0])


def test_unknown_keys_are_warnings_with_a_suggestion() -> None:
    problems = check_collection({"id": "a", "title": "T", "institution": "M", "tittle": "x", "zzz": 1})
    assert errors(problems) == []
    messages = {p.path: p.message for p in problems}
    assert "did you mean 'title'?" in messages["tittle"] and "known keys: " in messages["zzz"]
    assert require_valid_collection(
        {"id": "a", "title": "T", "institution": "M", "tittle": "x"}, Path("collection.yaml")
    ) == ["collection.yaml, key 'tittle': pdpack does not know this key; it is ignored (did you mean 'title'?)"]


def test_problem_text_names_the_file_and_key() -> None:
    (problem,) = check_collection({"id": "a", "title": "T", "institution": {"name": "M", "url": 5}})
    assert problem.describe("collection.yaml").startswith("collection.yaml, key 'institution.url': must be text")
    (whole,) = check_collection(["a"])
    assert whole.describe("collection.yaml") == (
        "collection.yaml: must be a mapping of keys such as id, title, institution, not a list"
    )


@pytest.mark.parametrize(
    "text",
    [
        "id: a\ntitle: T\ninstitution: M\n",
        "id: a\ntitle: T\ninstitution: {name: M}\nrights: CC0\njurisdiction: us\n",
        "id: a\ntitle: T\ninstitution: {name: M, url: null}\nattribution: '{{x}} {title}'\n",
        "id: a\ntitle: T\ninstitution: M\nlocal_contexts: 'TK Attribution; BC Provenance'\n",
        "id: a\ntitle: T\ninstitution: M\nlocal_contexts: [TK Attribution]\nai_preferences: train-ai=n\n",
        "id: a\ntitle: T\ninstitution: M\ncolumns: {title: Object Title, creator: Artist}\n",
        "id: a\ntitle: T\ninstitution: M\nvalues: {rights: {'True': Public Domain, 1: x, yes: y}}\n",
        "id: a\ntitle: T\ninstitution: M\ndescription:\nrights: ''\n",
        "id: 'a-b-c'\ntitle: T\ninstitution: M\nmuseum_notes: kept as a warning\n",
    ],
)
def test_what_load_collection_accepts_the_schema_accepts(tmp_path: Path, text: str) -> None:
    (tmp_path / "items.csv").write_text("id,file\n", encoding="utf-8")
    (tmp_path / "collection.yaml").write_text(text, encoding="utf-8")
    load_collection(tmp_path)
    assert errors(check_collection(yaml.safe_load(text))) == []


def test_yaml_problems_in_a_file(tmp_path: Path) -> None:
    cases = {
        "alias.yaml": ("id: a\ntitle: &t T\ninstitution: *t\n", "uses the alias *t"),
        "broken.yaml": ("id: a\ntitle: [T\n", "is not valid YAML (line 3)"),
        "tag.yaml": ("id: !!python/object/apply:os.system ['true']\n", "is not valid YAML"),
        "latin1.yaml": (None, "is not UTF-8"),
    }
    for name, (text, message) in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        data = text.encode() if text is not None else b"id: a\ntitle: Mus\xe9e\n"
        (folder / "collection.yaml").write_bytes(data)
        problems = check_collection_file(folder)
        assert problems and message in problems[0].message, (name, [str(p) for p in problems])
    assert "does not exist" in check_collection_file(tmp_path / "nowhere")[0].message


ITEM_MISTAKES = [
    ({"id": "x"}, "", "fill in 'file' (a path in the folder) or 'url'"),
    ({"id": "x", "file": "a.jpg", "url": "https://e.org/a.jpg"}, "", "fill in either 'file' or 'url', not both"),
    ({"id": "", "file": "a.jpg"}, "id", "is empty; every item needs an id"),
    ({"file": "a.jpg"}, "id", "is missing"),
    ({"id": "x", "url": "ftp://e.org/a.jpg"}, "url", "must be an http:// or https:// address"),
    ({"id": "x", "file": "a.jpg", "creator_death_year": "c. 1890"}, "creator_death_year", "must be a year such as"),
    ({"id": "x", "file": "a.jpg", "title": ["a"]}, "title", "must be text or a number, not a list"),
]


@pytest.mark.parametrize(("record", "path", "message"), ITEM_MISTAKES, ids=[m[2][:30] for m in ITEM_MISTAKES])
def test_item_mistakes(record: dict[str, object], path: str, message: str) -> None:
    problems = errors(check_item(record))
    assert any(p.path == path and message in p.message for p in problems), [str(p) for p in problems]


def test_items_that_pdpack_reads_pass_the_item_schema() -> None:
    for record in (
        {"id": "1923.45", "file": "files/a.jpg", "creator_death_year": "1890 | 1921"},
        {"id": 12, "url": "https://e.org/a.jpg", "date": 1890, "extra column": {"nested": True}},
        {"id": "x", "file": "a.jpg", "url": "", "creator_death_year": 1890, "title": None},
    ):
        assert errors(check_item(record)) == [], record


def test_schema_check_of_a_copied_example_with_a_typo(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(example_folders()[0], folder)
    text = (folder / "collection.yaml").read_text(encoding="utf-8").replace("title:", "tittle:", 1)
    (folder / "collection.yaml").write_text(text, encoding="utf-8")
    messages = [str(p) for p in check_collection_file(folder)]
    assert "key 'title': is missing; add a line like title: \"Prints and drawings, 1500-1900\"" in messages
    assert any("did you mean 'title'" in m for m in messages)
