"""Reading a contributed collection folder: collection.yaml, items.csv and items.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packager.manifest.collection import DEFAULT_ATTRIBUTION, Collection, Institution, ManifestError, load_collection
from packager.manifest.rows import read_items
from packager.model import ITEM_FIELDS, REGISTRY, Item, Rejection

GOOD_YAML = "id: city-museum\ntitle: City Museum Prints\ninstitution: City Museum\n"


def make_collection(
    root: Path,
    yaml_text: str | None = GOOD_YAML,
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """Write a collection folder: collection.yaml (unless None) and the given files, byte for byte."""
    root.mkdir(parents=True, exist_ok=True)
    if yaml_text is not None:
        (root / "collection.yaml").write_bytes(yaml_text.encode("utf-8"))
    for name, content in (files or {}).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (root / name).write_bytes(data)
    return root


def with_csv(root: Path, csv_text: str | bytes, yaml_text: str = GOOD_YAML) -> Path:
    return make_collection(root, yaml_text, {"items.csv": csv_text})


def with_jsonl(root: Path, lines: list[str] | bytes, yaml_text: str = GOOD_YAML) -> Path:
    content: str | bytes = lines if isinstance(lines, bytes) else "".join(line + "\n" for line in lines)
    return make_collection(root, yaml_text, {"items.jsonl": content})


def read_all(folder: Path) -> list[Item | Rejection]:
    """Load the collection and read every row (header problems may surface in either step)."""
    return list(read_items(load_collection(folder)))


def load_error(folder: Path) -> ManifestError:
    with pytest.raises(ManifestError) as info:
        read_all(folder)
    return info.value


def only_item(results: list[Item | Rejection]) -> Item:
    assert len(results) == 1, results
    assert isinstance(results[0], Item), results[0]
    return results[0]


def only_rejection(results: list[Item | Rejection]) -> Rejection:
    assert len(results) == 1, results
    assert isinstance(results[0], Rejection), results[0]
    return results[0]


# --- ManifestError ----------------------------------------------------------------------------------------


def test_manifest_error_str_names_file_row_and_column() -> None:
    error = ManifestError("items.csv", "must be text", row=7, column="title")
    assert str(error) == "items.csv, row 7, column 'title': must be text"
    assert (error.file, error.row, error.column, error.message) == ("items.csv", 7, "title", "must be text")


def test_manifest_error_str_without_row_or_column() -> None:
    assert str(ManifestError(Path("a/collection.yaml"), "missing")) == "a/collection.yaml: missing"
    assert str(ManifestError("f.csv", "bad", column="id")) == "f.csv, column 'id': bad"
    assert str(ManifestError("f.csv", "bad", row=1)) == "f.csv, row 1: bad"


# --- collection.yaml --------------------------------------------------------------------------------------


def test_good_collection_loads(tmp_path: Path) -> None:
    folder = with_csv(
        tmp_path / "c",
        "id,file\na,a.jpg\n",
        GOOD_YAML + "rights: ' http://creativecommons.org/publicdomain/mark/1.0/ '\njurisdiction: us\n"
        "description: Prints.\n",
    )
    collection = load_collection(folder)
    assert collection == Collection(
        id="city-museum",
        root=folder,
        title="City Museum Prints",
        institution=Institution(name="City Museum"),
        manifest=folder / "items.csv",
        rights="http://creativecommons.org/publicdomain/mark/1.0/",
        jurisdiction="US",
        attribution=DEFAULT_ATTRIBUTION,
        description="Prints.",
        warnings=(),
        headers={"id": "id", "file": "file"},
    )


def test_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as info:
        load_collection(tmp_path / "nowhere")
    assert info.value.file == str(tmp_path / "nowhere")
    assert "not a folder" in info.value.message


def test_missing_collection_yaml(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", yaml_text=None, files={"items.csv": "id,file\na,a.jpg\n"})
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.file == str(folder / "collection.yaml")
    assert info.value.message.startswith("missing")
    assert info.value.row is None


def test_invalid_yaml_names_the_row(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", "id: c\ntitle: [unclosed\ninstitution: I\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    error = info.value
    assert error.file == str(folder / "collection.yaml")
    assert error.line == 3
    assert error.message.startswith("not valid YAML at line 3, column 12:")
    assert "    3 | institution: I" in str(error)


def test_yaml_indentation_error_row(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", "id: c\n  title: x\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.line == 2
    assert "mapping values are not allowed here" in info.value.message
    assert "Check the indenting of this line" in info.value.message


def test_yaml_that_is_not_utf8(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", yaml_text=None, files={"items.csv": "id,file\na,a.jpg\n"})
    (folder / "collection.yaml").write_bytes("id: c\ntitle: Caf\xe9\ninstitution: I\n".encode("latin-1"))
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message.startswith("not UTF-8 text")


def test_yaml_with_bom_is_read(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", yaml_text=None, files={"items.csv": "id,file\na,a.jpg\n"})
    (folder / "collection.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD_YAML.encode("utf-8"))
    assert load_collection(folder).id == "city-museum"


@pytest.mark.parametrize("yaml_text", ["- id\n- title\n", "just a sentence\n", "", "42\n"])
def test_yaml_that_is_not_a_mapping(tmp_path: Path, yaml_text: str) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text)
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message == "must be a mapping of keys such as id, title, institution"
    assert info.value.file == str(folder / "collection.yaml")


@pytest.mark.parametrize(
    ("yaml_text", "column"),
    [
        ("title: T\ninstitution: I\n", "id"),
        ("id: '  '\ntitle: T\ninstitution: I\n", "id"),
        ("id: c\ninstitution: I\n", "title"),
        ("id: c\ntitle: ''\ninstitution: I\n", "title"),
        ("id: c\ntitle: T\n", "institution"),
        ("id: c\ntitle: T\ninstitution: '   '\n", "institution"),
        ("id: c\ntitle: T\ninstitution: {url: 'https://museum.example'}\n", "institution"),
    ],
)
def test_required_keys(tmp_path: Path, yaml_text: str, column: str) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text)
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == column
    assert info.value.message.startswith("is required")
    assert f"column '{column}'" in str(info.value)


@pytest.mark.parametrize("bad_id", ["City-Museum", "city_museum", "city museum", "-city", "city-", "a" * 65, "café"])
def test_bad_collection_id(tmp_path: Path, bad_id: str) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", f"id: '{bad_id}'\ntitle: T\ninstitution: I\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == "id"
    assert info.value.message.startswith(f"{bad_id!r} is not a valid id")


@pytest.mark.parametrize("good_id", ["a", "7", "city-museum-prints", "a" * 64, "a--b"])
def test_good_collection_ids(tmp_path: Path, good_id: str) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", f"id: '{good_id}'\ntitle: T\ninstitution: I\n")
    assert load_collection(folder).id == good_id


def test_id_that_is_not_text(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", "id: 12\ntitle: T\ninstitution: I\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert (info.value.column, info.value.message) == ("id", "must be text, not int")


def test_institution_as_string(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", "id: c\ntitle: T\ninstitution: '  City Museum '\n")
    assert load_collection(folder).institution == Institution(name="City Museum", url=None)


def test_institution_as_mapping(tmp_path: Path) -> None:
    yaml_text = "id: c\ntitle: T\ninstitution:\n  name: City Museum\n  url: ' https://museum.example/ '\n"
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text)
    assert load_collection(folder).institution == Institution(name="City Museum", url="https://museum.example/")


def test_institution_mapping_without_url(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", "id: c\ntitle: T\ninstitution: {name: City Museum}\n")
    assert load_collection(folder).institution == Institution(name="City Museum", url=None)


def test_institution_url_must_be_text(tmp_path: Path) -> None:
    yaml_text = "id: c\ntitle: T\ninstitution: {name: City Museum, url: [a, b]}\n"
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text)
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == "institution.url"


def test_unknown_keys_become_warnings(tmp_path: Path) -> None:
    yaml_text = GOOD_YAML + "licence: CC0\nadmin_notes: x\n"
    collection = load_collection(with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text))
    assert collection.warnings == (
        "collection.yaml: unknown key 'admin_notes' is ignored",
        "collection.yaml: unknown key 'licence' is ignored",
    )
    assert collection.rights is None


def test_known_keys_give_no_warnings(tmp_path: Path) -> None:
    yaml_text = GOOD_YAML + "rights: CC0\njurisdiction: FR\nattribution: '{title}. {institution}.'\ndescription: d\n"
    assert load_collection(with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text)).warnings == ()


def test_custom_attribution_is_kept(tmp_path: Path) -> None:
    yaml_text = GOOD_YAML + "attribution: '{title} ({date}), {collection}, {id}. {institution} {source_url}'\n"
    collection = load_collection(with_csv(tmp_path / "c", "id,file\na,a.jpg\n", yaml_text))
    assert collection.attribution == "{title} ({date}), {collection}, {id}. {institution} {source_url}"


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("{title.__class__}", "{title.__class__}"),
        ("{title.__class__.__init__.__globals__}", "{title.__class__.__init__.__globals__}"),
        ("{0}", "{0}"),
        ("{}", "{}"),
        ("{title[0]}", "{title[0]}"),
        ("{publisher}", "{publisher}"),
        ("{title!r}", "{title}"),
        ("{title:>40}", "{title}"),
    ],
)
def test_attribution_template_rejects_anything_but_plain_fields(tmp_path: Path, template: str, shown: str) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", GOOD_YAML + f"attribution: '{template}'\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == "attribution"
    assert info.value.file == str(folder / "collection.yaml")
    assert info.value.message.startswith(f"uses '{shown}'; allowed fields are")
    assert "column 'attribution'" in str(info.value)


def test_attribution_template_that_does_not_parse(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", GOOD_YAML + "attribution: '{title'\n")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.column == "attribution"
    assert info.value.message.startswith("is not a valid template")


def test_attribution_escaped_braces_are_allowed(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file\na,a.jpg\n", GOOD_YAML + "attribution: '{{{title}}}'\n")
    assert load_collection(folder).attribution == "{{{title}}}"


def test_both_manifests_present(tmp_path: Path) -> None:
    folder = make_collection(
        tmp_path / "c", files={"items.csv": "id,file\na,a.jpg\n", "items.jsonl": '{"id": "a", "file": "a.jpg"}\n'}
    )
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.file == str(folder)
    assert info.value.message == "both items.csv and items.jsonl exist; keep one"


def test_no_manifest(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", files={"items.txt": "id,file\n"})
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message == "no item manifest: add items.csv or items.jsonl"


def test_jsonl_manifest_is_found(tmp_path: Path) -> None:
    folder = with_jsonl(tmp_path / "c", ['{"id": "a", "file": "a.jpg"}'])
    assert load_collection(folder).manifest == folder / "items.jsonl"


# --- items.csv --------------------------------------------------------------------------------------------


def test_csv_basic_item(tmp_path: Path) -> None:
    csv_text = (
        "id,file,url,title,creator,description,caption,date,creator_death_year,rights,source_url,credit_line\n"
        "p-1, images/p1.jpg ,,View of the Harbour,Anna Smith,Etching.,A harbour.,1890,1901,"
        "http://creativecommons.org/publicdomain/mark/1.0/,https://museum.example/p-1,Gift of B.\n"
    )
    item = only_item(read_all(with_csv(tmp_path / "c", csv_text)))
    assert item == Item(
        collection="city-museum",
        id="p-1",
        row=2,
        file="images/p1.jpg",
        url=None,
        title="View of the Harbour",
        creator="Anna Smith",
        description="Etching.",
        caption="A harbour.",
        date="1890",
        creator_death_year=1901,
        rights="http://creativecommons.org/publicdomain/mark/1.0/",
        source_url="https://museum.example/p-1",
        credit_line="Gift of B.",
        extra={},
        # The credit line is also read as a text that may state rights (it claims nothing here).
        notices=(("items.csv column 'credit_line'", "Gift of B."),),
    )
    assert item.source == "images/p1.jpg"


@pytest.mark.parametrize("manifest", ["items.csv", "items.jsonl"])
def test_every_item_field_a_row_may_fill_reaches_the_item(tmp_path: Path, manifest: str) -> None:
    """Each column named as a field of ITEM_FIELDS lands in that field (a new Item field included)."""
    given = {name: f"{name} text" for name in ITEM_FIELDS if name not in ("url", "creator_death_year")}
    given |= {"id": "p-1", "creator_death_year": "1890 | 1901"}  # file given: url must stay empty
    if manifest == "items.csv":
        content = ",".join(given) + "\n" + ",".join(f'"{value}"' for value in given.values()) + "\n"
    else:
        content = json.dumps(given) + "\n"
    item = only_item(read_all(make_collection(tmp_path / "c", files={manifest: content})))
    expected = {**given, "url": None, "creator_death_year": 1901}  # the death year is read as the last of them
    assert {name: getattr(item, name) for name in ITEM_FIELDS} == expected
    assert (item.collection, item.row, item.extra, item.problems) == (
        "city-museum",
        2 if manifest == "items.csv" else 1,
        {},
        (),
    )


def test_csv_url_item_source(tmp_path: Path) -> None:
    item = only_item(read_all(with_csv(tmp_path / "c", "id,url\nu1,https://img.example/1.jpg\n")))
    assert (item.file, item.url, item.source) == (None, "https://img.example/1.jpg", "https://img.example/1.jpg")


def test_csv_with_bom_still_has_id_column(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", b"\xef\xbb\xbfid,file,title\r\na,a.jpg,Caf\xc3\xa9\r\n")
    item = only_item(read_all(folder))
    assert (item.id, item.file, item.title, item.extra) == ("a", "a.jpg", "Café", {})


def test_csv_header_is_case_insensitive_for_known_columns(tmp_path: Path) -> None:
    csv_text = "ID,File, Title ,CREATOR,Accession No\na,a.jpg,Harbour,Smith,1923.4\n"
    item = only_item(read_all(with_csv(tmp_path / "c", csv_text)))
    assert (item.id, item.file, item.title, item.creator) == ("a", "a.jpg", "Harbour", "Smith")
    assert item.extra == {"Accession No": "1923.4"}


def test_csv_extra_columns_sorted_and_empty_cells_dropped(tmp_path: Path) -> None:
    csv_text = "zeta,id,file,alpha,Middle,empty\nz,a,a.jpg,  first  ,m,\n"
    item = only_item(read_all(with_csv(tmp_path / "c", csv_text)))
    assert item.extra == {"Middle": "m", "alpha": "first", "zeta": "z"}
    assert list(item.extra) == ["Middle", "alpha", "zeta"]


def test_csv_empty_cells_become_none(tmp_path: Path) -> None:
    item = only_item(read_all(with_csv(tmp_path / "c", "id,file,title,creator\na,a.jpg,  ,\n")))
    assert (item.title, item.creator, item.creator_death_year) == (None, None, None)


def test_csv_short_row_is_read(tmp_path: Path) -> None:
    item = only_item(read_all(with_csv(tmp_path / "c", "id,file,title,creator\na,a.jpg\n")))
    assert (item.id, item.file, item.title) == ("a", "a.jpg", None)


def test_csv_empty_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    csv_text = "id,file\na,a.jpg\n\n , \n,,\nb,b.jpg\n"
    results = read_all(with_csv(tmp_path / "c", csv_text))
    assert [(r.id, r.row) for r in results] == [("a", 2), ("b", 6)]
    assert all(isinstance(r, Item) for r in results)


def test_csv_quoted_newline_inside_a_cell(tmp_path: Path) -> None:
    csv_text = 'id,file,description\na,a.jpg,"Line one,\nline two\r\nline three"\nb,b.jpg,plain\n'
    results = read_all(with_csv(tmp_path / "c", csv_text))
    assert [(r.id, r.row) for r in results] == [("a", 2), ("b", 3)]
    first = results[0]
    assert isinstance(first, Item)
    assert first.description == "Line one,\nline two\r\nline three"


def test_csv_quoted_quotes(tmp_path: Path) -> None:
    item = only_item(read_all(with_csv(tmp_path / "c", 'id,file,title\na,a.jpg,"The ""Blue"" Boy"\n')))
    assert item.title == 'The "Blue" Boy'


def test_csv_missing_id_column(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", "identifier,file\na,a.jpg\n"))
    assert (error.row, error.column) == (1, "id")
    assert error.file.endswith("items.csv")
    assert str(error).startswith(
        f"{error.file}, row 1, column 'id': the header has no 'id' column; its columns are 'identifier', 'file'."
    )
    # The mapping to paste into collection.yaml, guessed from the columns the file has.
    assert error.message.endswith('e.g.\n\ncolumns:\n  id: "identifier"\n')


def test_csv_needs_file_or_url_column(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", "id,title\na,Harbour\n"))
    assert (error.row, error.column) == (1, "file")
    assert error.message.startswith(
        "the header has neither a 'file' nor a 'url' column; its columns are 'id', 'title'."
    )
    assert error.message.endswith(
        "e.g.\n\ncolumns:\n  file: ...          # the column with the image's file name (or url: its web address)\n"
    )


def test_csv_duplicate_header_names(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", "id,file,title,Title\na,a.jpg,x,y\n"))
    assert (error.row, error.column) == (1, "title")
    assert error.message == "the header repeats title"


def test_csv_duplicate_extra_header_names(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", "id,file,notes,notes\na,a.jpg,x,y\n"))
    assert (error.row, error.column) == (1, "notes")


def test_csv_header_with_unnamed_column(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", "id,,file\na,x,a.jpg\n"))
    assert error.row == 1
    assert error.message == "column 2 of the header has no name"


def test_csv_empty_file(tmp_path: Path) -> None:
    error = load_error(with_csv(tmp_path / "c", ""))
    assert error.message.startswith("is empty")


def test_csv_row_with_more_cells_than_header(tmp_path: Path) -> None:
    results = read_all(with_csv(tmp_path / "c", "id,file,title\na,a.jpg,x\nb,b.jpg,Smith, John\n"))
    assert isinstance(results[0], Item)
    rejection = results[1]
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason, rejection.row) == ("row-3", "manifest:invalid-row", 3)
    assert rejection.message == "items.csv, row 3: has 4 cells but the header names 3 columns"
    assert rejection.collection == "city-museum"


def test_csv_row_missing_id(tmp_path: Path) -> None:
    results = read_all(with_csv(tmp_path / "c", "id,file\na,a.jpg\n  ,b.jpg\n"))
    rejection = results[1]
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason, rejection.row) == ("row-3", "manifest:missing-id", 3)
    assert rejection.message == "items.csv, row 3, column 'id': empty"


def test_csv_duplicate_id_names_the_first_row(tmp_path: Path) -> None:
    csv_text = "id,file\na,a.jpg\nb,b.jpg\na,a2.jpg\na,a3.jpg\n"
    results = read_all(with_csv(tmp_path / "c", csv_text))
    assert [type(r).__name__ for r in results] == ["Item", "Item", "Rejection", "Rejection"]
    first = results[0]
    assert isinstance(first, Item) and first.file == "a.jpg"
    for rejection, row in zip(results[2:], (4, 5), strict=True):
        assert isinstance(rejection, Rejection)
        assert (rejection.id, rejection.reason, rejection.row) == ("a", "manifest:duplicate-id", row)
        assert rejection.message == f"items.csv, row {row}, column 'id': 'a' is already used by row 2"


def test_csv_rejected_row_does_not_claim_its_id(tmp_path: Path) -> None:
    # The first 'a' is rejected (no source), so the second 'a' is the first Item with that id.
    results = read_all(with_csv(tmp_path / "c", "id,file\na,\na,a.jpg\n"))
    assert isinstance(results[0], Rejection) and results[0].reason == "manifest:no-source"
    assert isinstance(results[1], Item) and results[1].row == 3


def test_csv_both_sources(tmp_path: Path) -> None:
    rejection = only_rejection(read_all(with_csv(tmp_path / "c", "id,file,url\na,a.jpg,https://x.example/a.jpg\n")))
    assert (rejection.id, rejection.reason, rejection.row) == ("a", "manifest:both-sources", 2)
    assert rejection.message == "items.csv, row 2: both 'file' and 'url' are filled in"


def test_csv_no_source(tmp_path: Path) -> None:
    rejection = only_rejection(read_all(with_csv(tmp_path / "c", "id,file,url,title\na, ,,Harbour\n")))
    assert (rejection.id, rejection.reason, rejection.row) == ("a", "manifest:no-source", 2)
    assert rejection.message == "items.csv, row 2: 'file' and 'url' are both empty"


@pytest.mark.parametrize("year", ["c. 1890", "1890s", "18.5", "unknown"])
def test_csv_bad_creator_death_year(tmp_path: Path, year: str) -> None:
    # The row stays an item, so that its file and rights are still checked; it is held for the cell.
    item = only_item(read_all(with_csv(tmp_path / "c", f"id,file,creator_death_year\na,a.jpg,{year}\n")))
    assert (item.id, item.row, item.creator_death_year) == ("a", 2, None)
    assert item.problems == (
        (
            "manifest:invalid-row",
            f"items.csv, row 2, column 'creator_death_year': {year!r} is not a year; "
            "write the year the creator died, e.g. 1851",
        ),
    )


def test_csv_good_creator_death_year(tmp_path: Path) -> None:
    item = only_item(read_all(with_csv(tmp_path / "c", "id,file,creator_death_year\na,a.jpg, 1890 \n")))
    assert item.creator_death_year == 1890


def test_csv_every_row_ends_somewhere(tmp_path: Path) -> None:
    csv_text = "id,file,url\na,a.jpg,\n,b.jpg,\nc,,\nd,d.jpg,https://x.example/d\na,a.jpg,\ne,e.jpg,,extra\nf,f.jpg,\n"
    results = read_all(with_csv(tmp_path / "c", csv_text))
    summary = [
        (r.row, r.id, r.reason if isinstance(r, Rejection) else (r.problems or [("item",)])[0][0]) for r in results
    ]
    assert summary == [
        (2, "a", "item"),
        (3, "row-3", "manifest:missing-id"),
        (4, "c", "manifest:no-source"),
        (5, "d", "manifest:both-sources"),
        (6, "a", "manifest:duplicate-id"),
        (7, "row-7", "manifest:invalid-row"),
        (8, "f", "item"),
    ]
    assert all(r.reason in REGISTRY for r in results if isinstance(r, Rejection))


def test_csv_latin1_bytes_raise_a_manifest_error(tmp_path: Path) -> None:
    folder = with_csv(tmp_path / "c", "id,file,title\na,a.jpg,Caf\xe9 de Paris\n".encode("latin-1"))
    error = load_error(folder)
    assert error.file == str(folder / "items.csv")
    assert error.row is not None
    assert "UTF-8" in error.message
    assert str(error).startswith(f"{folder / 'items.csv'}, row {error.row}: ")


def test_csv_latin1_error_names_the_row_with_the_bad_byte(tmp_path: Path) -> None:
    rows = [b"id,file,title", b"a,a.jpg,A", b"b,b.jpg,B", b"c,c.jpg,C", "d,d.jpg,Caf\xe9".encode("latin-1")]
    error = load_error(with_csv(tmp_path / "c", b"\n".join(rows) + b"\n"))
    assert error.row == 5


# --- items.jsonl ------------------------------------------------------------------------------------------


def test_jsonl_basic_and_bom_on_first_line(tmp_path: Path) -> None:
    content = (
        b'\xef\xbb\xbf{"id": "a", "file": "a.jpg", "title": "Caf\xc3\xa9"}\n{"id": "b", "url": "https://x.example/b"}\n'
    )
    results = read_all(with_jsonl(tmp_path / "c", content))
    assert [(r.id, r.row) for r in results] == [("a", 1), ("b", 2)]
    first = results[0]
    assert isinstance(first, Item) and first.title == "Café"


def test_jsonl_blank_lines_skipped_but_counted(tmp_path: Path) -> None:
    lines = ['{"id": "a", "file": "a.jpg"}', "", "   ", '{"id": "b", "file": "b.jpg"}']
    results = read_all(with_jsonl(tmp_path / "c", lines))
    assert [(r.id, r.row) for r in results] == [("a", 1), ("b", 4)]


def test_jsonl_invalid_json_line(tmp_path: Path) -> None:
    lines = ['{"id": "a", "file": "a.jpg"}', '{"id": "b", "file": "b.jpg",}', '{"id": "c", "file": "c.jpg"}']
    results = read_all(with_jsonl(tmp_path / "c", lines))
    rejection = results[1]
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason, rejection.row) == ("row-2", "manifest:invalid-row", 2)
    assert rejection.message.startswith("items.jsonl, row 2: is not valid JSON (")
    assert [type(r).__name__ for r in results] == ["Item", "Rejection", "Item"]


@pytest.mark.parametrize("line", ['["a", "a.jpg"]', '"a.jpg"', "42", "null"])
def test_jsonl_line_that_is_not_an_object(tmp_path: Path, line: str) -> None:
    rejection = only_rejection(read_all(with_jsonl(tmp_path / "c", [line])))
    assert (rejection.id, rejection.reason, rejection.row) == ("row-1", "manifest:invalid-row", 1)
    assert rejection.message == 'items.jsonl, row 1: must be a JSON object like {"id": ..., "file": ...}'


def test_jsonl_line_that_is_not_utf8(tmp_path: Path) -> None:
    content = b'{"id": "a", "file": "a.jpg"}\n' + '{"id": "b", "file": "b.jpg", "title": "Caf\xe9"}\n'.encode("latin-1")
    results = read_all(with_jsonl(tmp_path / "c", content))
    rejection = results[1]
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason, rejection.message) == (
        "row-2",
        "manifest:invalid-row",
        "items.jsonl, row 2: is not UTF-8 text",
    )


@pytest.mark.parametrize(
    ("value", "type_name"),
    [('["Smith", "Jones"]', "list"), ('{"name": "Smith"}', "dict"), ("true", "bool")],
)
def test_jsonl_non_text_value_in_known_field(tmp_path: Path, value: str, type_name: str) -> None:
    line = '{"id": "a", "file": "a.jpg", "creator": ' + value + "}"
    rejection = only_rejection(read_all(with_jsonl(tmp_path / "c", [line])))
    assert (rejection.id, rejection.reason, rejection.row) == ("a", "manifest:invalid-row", 1)
    assert rejection.message == f"items.jsonl, row 1, column 'creator': must be text, not {type_name}"


def test_jsonl_list_id_uses_row_fallback(tmp_path: Path) -> None:
    rejection = only_rejection(read_all(with_jsonl(tmp_path / "c", ['{"id": ["a"], "file": "a.jpg"}'])))
    assert (rejection.id, rejection.reason) == ("row-1", "manifest:invalid-row")
    assert "column 'id'" in rejection.message


def test_jsonl_numbers_become_text(tmp_path: Path) -> None:
    line = json.dumps({"id": 17, "file": "a.jpg", "date": 1890.5, "creator_death_year": 1901, "page": 3})
    item = only_item(read_all(with_jsonl(tmp_path / "c", [line])))
    assert (item.id, item.date, item.creator_death_year) == ("17", "1890.5", 1901)
    assert item.extra == {"page": "3"}


def test_jsonl_nested_values_in_extra_fields_become_json_text(tmp_path: Path) -> None:
    record = {
        "id": "a",
        "file": "a.jpg",
        "dimensions": {"width_cm": 20, "height_cm": 30},
        "place": {"name": "Köln"},
        "subjects": ["harbour", "ships"],
        "notes": None,
        "blank": "  ",
    }
    item = only_item(read_all(with_jsonl(tmp_path / "c", [json.dumps(record)])))
    assert item.extra == {
        "dimensions": '{"height_cm": 30, "width_cm": 20}',
        "place": '{"name": "Köln"}',
        "subjects": '["harbour", "ships"]',
    }


def test_jsonl_keys_are_case_insensitive_and_null_is_empty(tmp_path: Path) -> None:
    line = '{"id": "a", " File ": "a.jpg", "Title": "Harbour", "creator": null, "Accession": "X1"}'
    item = only_item(read_all(with_jsonl(tmp_path / "c", [line])))
    assert (item.file, item.title, item.creator, item.extra) == ("a.jpg", "Harbour", None, {"Accession": "X1"})


def test_jsonl_row_checks_match_csv(tmp_path: Path) -> None:
    lines = [
        '{"id": "a", "file": "a.jpg"}',
        '{"file": "b.jpg"}',
        '{"id": "c"}',
        '{"id": "d", "file": "d.jpg", "url": "https://x.example/d"}',
        '{"id": "a", "file": "a2.jpg"}',
        '{"id": "e", "file": "e.jpg", "creator_death_year": "about 1900"}',
    ]
    results = read_all(with_jsonl(tmp_path / "c", lines))
    summary = [
        (r.row, r.id, r.reason if isinstance(r, Rejection) else (r.problems or [("item",)])[0][0]) for r in results
    ]
    assert summary == [
        (1, "a", "item"),
        (2, "row-2", "manifest:missing-id"),
        (3, "c", "manifest:no-source"),
        (4, "d", "manifest:both-sources"),
        (5, "a", "manifest:duplicate-id"),
        (6, "e", "manifest:invalid-row"),
    ]
    duplicate = results[4]
    assert isinstance(duplicate, Rejection)
    assert duplicate.message == "items.jsonl, row 5, column 'id': 'a' is already used by row 1"
