"""Attribution the TASL way (title, creator, source and link, rights), and acquisition credits kept apart."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli import cli
from packager.manifest.collection import DEFAULT_ATTRIBUTION, Collection, Institution
from packager.model import Item
from packager.outputs.attribution import acquisition_credit, credit_line, is_acquisition_credit
from tests.helpers import CC0, image_bytes, only_shard, write_collection

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"


def make_item(**fields: str | None) -> Item:
    return Item(collection="city-museum", id="p-1", row=2, file="p1.jpg", **fields)  # type: ignore[arg-type]


def make_collection(attribution: str = DEFAULT_ATTRIBUTION) -> Collection:
    return Collection(
        id="city-museum",
        root=Path("collections/city-museum"),
        title="City Museum Prints",
        institution=Institution(name="City Museum", url="https://museum.example"),
        manifest=Path("collections/city-museum/items.csv"),
        attribution=attribution,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Gift of Mrs. Harriet Smith, 1921",
        "Museum purchase",
        "Bequest of John Doe, 1950",
        "Purchased with funds from the Acquisitions Committee",
        "Purchase, Rogers Fund, 1919",
        "Harbour Museum, gift of B. Jones, 1921",
        "Presented by the artist 1960",
        "Partial and promised gift of the Smith family",
        "Accepted by HM Government in lieu of inheritance tax",
        "Transferred from the Library, 1932",
    ],
)
def test_acquisition_credits_are_recognised(text: str) -> None:
    assert is_acquisition_credit(text)


@pytest.mark.parametrize(
    "text",
    ["Courtesy National Gallery of Art, Washington", "Provided by the Harbour Museum Library", "Photo: Jane Doe", ""],
)
def test_credits_for_the_image_are_not_acquisition_credits(text: str) -> None:
    assert not is_acquisition_credit(text)


@pytest.mark.parametrize(
    ("fields", "rights", "expected"),
    [
        (
            {"title": "View of the Harbour", "creator": "Anna Smith", "source_url": "https://museum.example/p-1"},
            "Public Domain Mark 1.0",
            "View of the Harbour, Anna Smith. City Museum, https://museum.example/p-1. Public Domain Mark 1.0.",
        ),
        # No record page: the institution's own address is the link.
        ({"title": "View"}, "CC0 1.0", "View. City Museum, https://museum.example. CC0 1.0."),
        ({}, "Public domain", "City Museum, https://museum.example. Public domain."),
        (
            {"title": "<b>View</b>", "creator": "CafÃ© Society"},
            "",
            "View, Café Society. City Museum, https://museum.example.",
        ),
        # The institution's own credit for the image stands for {institution}.
        (
            {"title": "View", "credit_line": "Courtesy National Gallery of Art, Washington"},
            "Public domain",
            "View. Courtesy National Gallery of Art, Washington, https://museum.example. Public domain.",
        ),
        # An acquisition credit never does.
        (
            {"title": "View", "creator": "Anna Smith", "credit_line": "Gift of Mrs. Harriet Smith, 1921"},
            "Public domain",
            "View, Anna Smith. City Museum, https://museum.example. Public domain.",
        ),
        (
            {"title": "Wait...", "creator": "Anna Smith"},
            "",
            "Wait..., Anna Smith. City Museum, https://museum.example.",
        ),
    ],
)
def test_default_attribution_is_tasl(fields: dict[str, str], rights: str, expected: str) -> None:
    assert credit_line(make_item(**fields), make_collection(), rights) == expected


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        # A template without the link or the rights statement gets them at the end.
        ("Courtesy of {institution}; {creator}", {"creator": "Anna Smith"},
         "Courtesy of City Museum; Anna Smith. https://museum.example. Public domain."),
        ("{creator}: {title}, {date}. {institution}", {"title": "View"},
         "View. City Museum. https://museum.example. Public domain."),
        ("{title}. {collection}, {institution}. {id} {source_url}", {"title": "View", "source_url": "https://m.example/1"},
         "View. City Museum Prints, City Museum. p-1 https://m.example/1. Public domain."),
        ("{title} ({date}). {institution}, {source_url}. {rights}.", {"title": "View"},
         "View. City Museum, https://museum.example. Public domain."),
    ],
)  # fmt: skip
def test_custom_templates_always_name_link_and_rights(template: str, fields: dict[str, str], expected: str) -> None:
    assert credit_line(make_item(**fields), make_collection(template), "Public domain") == expected


def test_acquisition_credit_keeps_both_sources() -> None:
    item = make_item(credit_line="Gift of B. Jones, 1921", acquisition_credit="Museum purchase")
    assert acquisition_credit(item) == "Museum purchase; Gift of B. Jones, 1921"
    assert acquisition_credit(make_item(credit_line="Courtesy City Museum")) is None


# --- through a real build and validate ---------------------------------------------------------------------

MET_YAML = """\
id: met-export
title: Met open access sample
institution: {name: "The Metropolitan Museum of Art", url: "https://www.metmuseum.org"}
rights: http://creativecommons.org/publicdomain/zero/1.0/
columns:
  id: Object ID
  title: Title
  creator: Artist Display Name
  credit_line: Credit Line
  source_url: Link Resource
"""


def met_folder(root: Path) -> Path:
    rows = [
        {"Object ID": "435809", "file": "files/a.png", "Title": "The Harvesters",
         "Artist Display Name": "Pieter Bruegel the Elder", "Credit Line": "Rogers Fund, 1919; Purchase",
         "Link Resource": "https://www.metmuseum.org/art/collection/search/435809"},
        {"Object ID": "11417", "file": "files/b.png", "Title": "Washington Crossing the Delaware",
         "Artist Display Name": "Emanuel Leutze", "Credit Line": "Gift of John Stewart Kennedy, 1897",
         "Link Resource": "https://www.metmuseum.org/art/collection/search/11417"},
        {"Object ID": "10481", "file": "files/c.png", "Title": "The Beeches",
         "Artist Display Name": "Asher Brown Durand", "Credit Line": "",
         "Link Resource": "https://www.metmuseum.org/art/collection/search/10481"},
    ]  # fmt: skip
    files = {f"files/{n}.png": image_bytes(color=(c, 60, 90)) for n, c in (("a", 10), ("b", 120), ("c", 230))}
    folder = write_collection(root, rows, collection_id="met-export", files=files)
    (folder / "collection.yaml").write_text(MET_YAML, encoding="utf-8")
    return folder


def samples_of(out: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    with tarfile.open(only_shard(out)) as tar:
        for member in tar:
            if member.name.endswith(".json"):
                handle = tar.extractfile(member)
                assert handle is not None
                sample = json.loads(handle.read())
                found[sample["id"]] = sample
    return found


def test_a_museum_credit_line_ships_as_acquisition_credit_never_as_the_attribution(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(load_collections([met_folder(tmp_path / "collections")]), out, Settings(as_of="2026-11-30"))
    samples = samples_of(out)
    harvesters, delaware, beeches = samples["435809"], samples["11417"], samples["10481"]
    assert harvesters["credit_line"] == (
        "The Harvesters, Pieter Bruegel the Elder. The Metropolitan Museum of Art, "
        "https://www.metmuseum.org/art/collection/search/435809. CC0 1.0."
    )
    assert harvesters["acquisition_credit"] == "Rogers Fund, 1919; Purchase"
    assert delaware["acquisition_credit"] == "Gift of John Stewart Kennedy, 1897"
    assert "Gift" not in delaware["credit_line"] and delaware["credit_line"].startswith(
        "Washington Crossing the Delaware, Emanuel Leutze. The Metropolitan Museum of Art, "
    )
    assert beeches["acquisition_credit"] is None
    # The parquet index and the schema carry the same credit line; the acquisition credit is in the JSON.
    assert list(harvesters).index("acquisition_credit") == list(harvesters).index("credit_line") + 1


def test_validate_warns_about_a_credit_line_column_of_acquisition_credits(tmp_path: Path) -> None:
    folder = met_folder(tmp_path / "collections")
    result = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: column 'Credit Line' (credit_line) looks like an acquisition credit in 2 of 2 item(s), e.g. "
        "'Rogers Fund, 1919; Purchase': map it to acquisition_credit in collection.yaml "
        '(columns: {acquisition_credit: "Credit Line"}).' in result.output
    )
    # Mapped as advised, the warning goes and the samples are the same.
    meta = folder / "collection.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("  credit_line:", "  acquisition_credit:"), "utf-8")
    again = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", "2026-11-30"])
    assert again.exit_code == 0, again.output
    assert "acquisition credit" not in again.output


def test_an_iiif_required_statement_that_is_an_acquisition_credit(tmp_path: Path) -> None:
    from tests.test_iiif import HARBOUR_3, iiif_collection

    folder = iiif_collection(
        tmp_path / "collections", {"object-12.json": HARBOUR_3}, files={"files/a.png": image_bytes("PNG")}
    )
    out = tmp_path / "dist"
    build(load_collections([folder]), out, Settings(as_of="2026-11-30"))
    [sample] = samples_of(out).values()
    assert sample["acquisition_credit"] == "Harbour Museum, gift of B. Jones, 1921"
    assert sample["credit_line"] == (
        "View of the Harbour, Anna Smith (1850–1901). Harbour Museum, https://museum.example/collection/object-12. "
        "CC0 1.0."
    )
    assert sample["rights"]["statement"] == CC0 and PDM not in sample["credit_line"]
