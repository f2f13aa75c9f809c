"""IIIF Presentation 3.0 and 2.1 manifests as an item source (iiif/*.json)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.manifest import iiif
from packager.manifest.collection import ManifestError, load_collection
from packager.manifest.rows import read_items
from packager.model import Item, Rejection
from tests.helpers import CC0, image_bytes, only_shard

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
NOC_US = "http://rightsstatements.org/vocab/NoC-US/1.0/"
IN_C = "http://rightsstatements.org/vocab/InC/1.0/"
CTX3 = ["http://www.w3.org/ns/anno.jsonld", "http://iiif.io/api/presentation/3/context.json"]
CTX2 = "http://iiif.io/api/presentation/2/context.json"
BASE = "https://iiif.museum.example"


def iiif_collection(
    root: Path,
    manifests: dict[str, Any],
    files: dict[str, bytes] | None = None,
    rights: str | None = None,
    collection_id: str = "iiif-museum",
) -> Path:
    """A collection folder with collection.yaml and iiif/<name> for each manifest (a dict is written as JSON)."""
    folder = root / collection_id
    (folder / "iiif").mkdir(parents=True)
    lines = [
        f"id: {collection_id}",
        "title: IIIF test collection",
        'institution: {name: "Harbour Museum", url: "https://museum.example"}',
        "jurisdiction: US",
    ]
    if rights:
        lines.append(f"rights: {rights}")
    (folder / "collection.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, content in manifests.items():
        data = content if isinstance(content, bytes) else json.dumps(content, indent=2).encode()
        (folder / "iiif" / name).write_bytes(data)
    for name, data in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def read_all(folder: Path) -> list[Item | Rejection]:
    return list(read_items(load_collection(folder)))


def canvas3(n: int, body: Any, label: str | None = None, rights: str | None = None, **extra: Any) -> dict[str, Any]:
    canvas: dict[str, Any] = {
        "id": f"{BASE}/canvas/p{n}",
        "type": "Canvas",
        "height": 1800,
        "width": 1200,
        "items": [
            {
                "id": f"{BASE}/page/p{n}/1",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{BASE}/annotation/p{n}-image",
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": body,
                        "target": f"{BASE}/canvas/p{n}",
                    }
                ],
            }
        ],
        **extra,
    }
    if label is not None:
        canvas["label"] = {"en": [label]}
    if rights is not None:
        canvas["rights"] = rights
    return canvas


def image3(ref: str, **extra: Any) -> dict[str, Any]:
    return {"id": ref, "type": "Image", "format": "image/png", "height": 1800, "width": 1200, **extra}


def manifest3(*canvases: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "@context": CTX3,
        "id": f"{BASE}/object-12/manifest.json",
        "type": "Manifest",
        "label": {"en": ["View of the Harbour"]},
        **fields,
        "items": list(canvases),
    }


HARBOUR_3 = manifest3(
    canvas3(1, image3("files/a.png"), label="Recto"),
    summary={"en": ["Etching of the harbour at dawn, <i>first state</i>."]},
    metadata=[
        {"label": {"en": ["Artist"]}, "value": {"none": ["Anna Smith (1850–1901)"]}},
        {"label": {"en": ["Date Created"]}, "value": {"en": ["1890"]}},
        {"label": {"en": ["Medium"]}, "value": {"en": ["Etching on laid paper"]}},
        {"label": {"en": ["Object number"]}, "value": {"none": ["1921.12"]}},
    ],
    rights=CC0,
    requiredStatement={
        "label": {"en": ["Attribution"]},
        "value": {"en": ["Harbour Museum, gift of B. Jones, 1921"]},
    },
    provider=[
        {
            "id": "https://museum.example/about",
            "type": "Agent",
            "label": {"en": ["Harbour Museum"]},
            "homepage": [{"id": "https://museum.example/", "type": "Text", "label": {"en": ["Home"]}}],
        }
    ],
    homepage=[
        {
            "id": "https://museum.example/collection/object-12",
            "type": "Text",
            "label": {"en": ["View of the Harbour"]},
            "format": "text/html",
        }
    ],
)


def canvas2(n: int, url: str, label: str, **extra: Any) -> dict[str, Any]:
    return {
        "@id": f"{BASE}/ms-7/canvas/f{n}",
        "@type": "sc:Canvas",
        "label": label,
        "height": 3000,
        "width": 2000,
        "images": [
            {
                "@id": f"{BASE}/ms-7/annotation/f{n}",
                "@type": "oa:Annotation",
                "motivation": "sc:painting",
                "on": f"{BASE}/ms-7/canvas/f{n}",
                "resource": {
                    "@id": url,
                    "@type": "dctypes:Image",
                    "format": "image/jpeg",
                    "service": {
                        "@context": "http://iiif.io/api/image/2/context.json",
                        "@id": url.rsplit("/full/", 1)[0],
                        "profile": "http://iiif.io/api/image/2/level1.json",
                    },
                },
            }
        ],
        **extra,
    }


def manifest2(*canvases: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "@context": CTX2,
        "@id": f"{BASE}/ms-7/manifest",
        "@type": "sc:Manifest",
        **fields,
        "sequences": [{"@id": f"{BASE}/ms-7/sequence/normal", "@type": "sc:Sequence", "canvases": list(canvases)}],
    }


LEDGER_2 = manifest2(
    canvas2(1, f"{BASE}/image/ms7-f1/full/full/0/default.jpg", "f. 1r"),
    canvas2(2, f"{BASE}/image/ms7-f2/full/full/0/default.jpg", "f. 1v"),
    label="Harbour master's ledger",
    description=[
        {"@value": "Ledger of ships entering the harbour.", "@language": "en"},
        {"@value": "Registre des navires.", "@language": "fr"},
    ],
    metadata=[
        {"label": "Maker", "value": "Harbour Office"},
        {"label": "Date", "value": "1851-1853"},
        {"label": "Shelfmark", "value": "MS 7"},
    ],
    license=NOC_US,
    attribution="Provided by the Harbour Museum Library",
    related={"@id": "https://museum.example/library/ms-7", "format": "text/html"},
)


# --- finding the manifests ----------------------------------------------------------------------------------


def test_iiif_folder_is_the_manifest(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {"object-12.json": HARBOUR_3})
    assert load_collection(folder).manifest == folder / "iiif"


def test_iiif_and_items_csv_both_present(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {"object-12.json": HARBOUR_3})
    (folder / "items.csv").write_text("id,file\na,files/a.png\n", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message == "both items.csv and iiif/*.json exist; keep one"


def test_iiif_and_items_jsonl_both_present(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {"object-12.json": HARBOUR_3})
    (folder / "items.jsonl").write_text('{"id": "a", "file": "files/a.png"}\n', encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message == "both items.jsonl and iiif/*.json exist; keep one"


def test_iiif_folder_without_json_files_is_no_manifest(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {})
    (folder / "iiif" / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.message.startswith("no item manifest")


def test_an_empty_iiif_folder_next_to_items_csv_is_ignored(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {})
    (folder / "items.csv").write_text("id,file\na,files/a.png\n", encoding="utf-8")
    assert load_collection(folder).manifest == folder / "items.csv"


def test_manifest_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = iiif_collection(tmp_path, {"object-12.json": HARBOUR_3})
    monkeypatch.setattr(iiif, "MAX_MANIFEST_BYTES", 100)
    with pytest.raises(ManifestError) as info:
        load_collection(folder)
    assert info.value.file == str(folder / "iiif" / "object-12.json")
    assert info.value.message.startswith("larger than 100 bytes")


# --- Presentation 3.0 ---------------------------------------------------------------------------------------


def test_v3_manifest_with_one_local_canvas(tmp_path: Path) -> None:
    assert read_all(iiif_collection(tmp_path, {"object-12.json": HARBOUR_3})) == [
        Item(
            collection="iiif-museum",
            id="object-12",
            row=1,
            file="files/a.png",
            url=None,
            title="View of the Harbour",
            creator="Anna Smith (1850–1901)",
            description="Etching of the harbour at dawn, <i>first state</i>.",
            caption=None,
            date="1890",
            creator_death_year=None,
            rights=CC0,
            source_url="https://museum.example/collection/object-12",
            credit_line="Harbour Museum, gift of B. Jones, 1921",
            extra={"Medium": "Etching on laid paper", "Object number": "1921.12", "provider": "Harbour Museum"},
            notices=(
                (
                    "iiif/object-12.json, canvas 1, manifest 'requiredStatement'",
                    "Harbour Museum, gift of B. Jones, 1921",
                ),
            ),
        )
    ]


def test_v3_canvas_rights_override_manifest_rights(tmp_path: Path) -> None:
    manifest = manifest3(
        canvas3(1, image3(f"{BASE}/image/p1/full/max/0/default.jpg"), rights=PDM),
        canvas3(2, image3(f"{BASE}/image/p2/full/max/0/default.jpg")),
        canvas3(3, image3(f"{BASE}/image/p3/full/max/0/default.jpg", rights=NOC_US), rights=PDM),
        rights=IN_C,
    )
    items = read_all(iiif_collection(tmp_path, {"album.json": manifest}))
    assert [(i.id, i.row, i.rights, i.url) for i in items if isinstance(i, Item)] == [
        ("album-1", 1, PDM, f"{BASE}/image/p1/full/max/0/default.jpg"),
        ("album-2", 2, IN_C, f"{BASE}/image/p2/full/max/0/default.jpg"),
        ("album-3", 3, NOC_US, f"{BASE}/image/p3/full/max/0/default.jpg"),
    ]


def test_v3_no_rights_anywhere_leaves_rights_empty_and_source_url_is_the_manifest_id(tmp_path: Path) -> None:
    folder = iiif_collection(tmp_path, {"a.json": manifest3(canvas3(1, image3("files/a.png")))}, rights=PDM)
    [item] = read_all(folder)
    assert isinstance(item, Item)
    assert item.rights is None  # the rights stage falls back to collection.yaml
    assert item.source_url == f"{BASE}/object-12/manifest.json"  # no homepage: the manifest id


def test_v3_choice_body_takes_the_first_item(tmp_path: Path) -> None:
    choice = {
        "type": "Choice",
        "items": [image3("files/natural.png", rights=PDM), image3("files/xray.png", rights=IN_C)],
    }
    [item] = read_all(iiif_collection(tmp_path, {"a.json": manifest3(canvas3(1, choice))}))
    assert isinstance(item, Item)
    assert (item.file, item.rights) == ("files/natural.png", PDM)


def test_v3_label_languages(tmp_path: Path) -> None:
    manifests = {
        "a.json": manifest3(canvas3(1, image3("files/a.png")), label={"fr": ["Le port"], "en": ["The harbour"]}),
        "b.json": manifest3(canvas3(1, image3("files/b.png")), label={"de": ["Der Hafen"], "none": ["Hafen 1890"]}),
        "c.json": manifest3(canvas3(1, image3("files/c.png")), label={"nl": ["De haven", "Haven"], "de": ["Hafen"]}),
        "d.json": manifest3(canvas3(1, image3("files/d.png")), label={"en": ["Harbour", " ", "second state"]}),
        "e.json": manifest3(canvas3(1, image3("files/e.png")), label={"none": ["1890.4"], "en": ["Quay"]}),
    }
    titles = [i.title for i in read_all(iiif_collection(tmp_path, manifests))]
    assert titles == ["The harbour", "Hafen 1890", "De haven; Haven", "Harbour; second state", "Quay"]


def test_v3_metadata_canvas_values_override_manifest_values(tmp_path: Path) -> None:
    manifest = manifest3(
        canvas3(
            1,
            image3("files/a.png"),
            label="Plate 1",
            metadata=[{"label": {"en": ["date"]}, "value": {"none": ["1891"]}}],
        ),
        canvas3(2, image3("files/b.png"), label="Plate 2"),
        metadata=[
            {"label": {"en": ["Creator"]}, "value": {"none": ["Anna Smith"]}},
            {"label": {"en": ["Maker"]}, "value": {"none": ["Smith & Sons"]}},
            {"label": {"en": ["ARTIST"]}, "value": {"none": ["Anna Smith"]}},
            {"label": {"en": ["Date"]}, "value": {"none": ["1890"]}},
            {"label": {"en": ["Notes"]}, "value": {"en": ["<p>Bound <b>album</b></p>", "Rebacked"]}},
        ],
    )
    items = read_all(iiif_collection(tmp_path, {"album.json": manifest}))
    assert [(i.id, i.creator, i.date, i.extra) for i in items if isinstance(i, Item)] == [
        (
            "album-1",
            "Anna Smith; Smith & Sons",
            "1891",
            {"Notes": "<p>Bound <b>album</b></p>; Rebacked", "canvas_label": "Plate 1"},
        ),
        (
            "album-2",
            "Anna Smith; Smith & Sons",
            "1890",
            {"Notes": "<p>Bound <b>album</b></p>; Rebacked", "canvas_label": "Plate 2"},
        ),
    ]


def test_ids_are_zero_padded_to_the_width_of_the_count(tmp_path: Path) -> None:
    canvases = [canvas3(n, image3(f"files/p{n}.png")) for n in range(1, 13)]
    items = read_all(iiif_collection(tmp_path, {"book.json": manifest3(*canvases)}))
    assert [(i.id, i.row) for i in items][:2] == [("book-01", 1), ("book-02", 2)]
    assert [(i.id, i.row) for i in items][-1] == ("book-12", 12)
    assert read_all(iiif_collection(tmp_path / "again", {"book.json": manifest3(*canvases)})) == items


def test_files_are_read_in_name_order(tmp_path: Path) -> None:
    manifests = {name: manifest3(canvas3(1, image3(f"files/{name}.png"))) for name in ("b.json", "a.json", "C.json")}
    assert [i.id for i in read_all(iiif_collection(tmp_path, manifests))] == ["C", "a", "b"]


def test_https_context_is_accepted(tmp_path: Path) -> None:
    manifest = {**manifest3(canvas3(1, image3("files/a.png"))), "@context": CTX3[1].replace("http:", "https:")}
    [item] = read_all(iiif_collection(tmp_path, {"a.json": manifest}))
    assert isinstance(item, Item)


# --- Presentation 2.1 ---------------------------------------------------------------------------------------


def test_v2_manifest_with_two_canvases(tmp_path: Path) -> None:
    common = {
        "collection": "iiif-museum",
        "title": "Harbour master's ledger",
        "creator": "Harbour Office",
        "description": "Ledger of ships entering the harbour.",
        "date": "1851-1853",
        "rights": NOC_US,
        "source_url": "https://museum.example/library/ms-7",
        "credit_line": "Provided by the Harbour Museum Library",
    }
    assert read_all(iiif_collection(tmp_path, {"ms-7.json": LEDGER_2})) == [
        Item(
            id="ms-7-1",
            row=1,
            url=f"{BASE}/image/ms7-f1/full/full/0/default.jpg",
            extra={"Shelfmark": "MS 7", "canvas_label": "f. 1r"},
            notices=(("iiif/ms-7.json, canvas 1, manifest 'attribution'", "Provided by the Harbour Museum Library"),),
            **common,
        ),
        Item(
            id="ms-7-2",
            row=2,
            url=f"{BASE}/image/ms7-f2/full/full/0/default.jpg",
            extra={"Shelfmark": "MS 7", "canvas_label": "f. 1v"},
            notices=(("iiif/ms-7.json, canvas 2, manifest 'attribution'", "Provided by the Harbour Museum Library"),),
            **common,
        ),
    ]


def test_v2_two_different_licenses_are_joined(tmp_path: Path) -> None:
    manifest = {**LEDGER_2, "license": [PDM, "https://creativecommons.org/licenses/by/4.0/", PDM]}
    items = read_all(iiif_collection(tmp_path, {"ms-7.json": manifest}, rights=CC0))
    assert [i.rights for i in items] == [f"{PDM} | https://creativecommons.org/licenses/by/4.0/"] * 2


def test_v2_same_license_twice_is_one_statement(tmp_path: Path) -> None:
    manifest = {**LEDGER_2, "license": [PDM, {"@id": PDM}]}
    assert {i.rights for i in read_all(iiif_collection(tmp_path, {"ms-7.json": manifest}))} == {PDM}


def test_v2_canvas_license_overrides_manifest_license(tmp_path: Path) -> None:
    first, second = LEDGER_2["sequences"][0]["canvases"]
    manifest = {**LEDGER_2, "sequences": [{"canvases": [{**first, "license": PDM}, second]}]}
    assert [i.rights for i in read_all(iiif_collection(tmp_path, {"ms-7.json": manifest}))] == [PDM, NOC_US]


def test_v2_language_lists_and_source_url_fallback(tmp_path: Path) -> None:
    manifest = {
        **LEDGER_2,
        "label": [{"@value": "Registre", "@language": "fr"}, {"@value": "Ledger", "@language": "en"}],
        "attribution": ["Harbour Museum", "Public domain"],
        "related": None,
    }
    items = read_all(iiif_collection(tmp_path, {"ms-7.json": manifest}))
    assert {(i.title, i.credit_line, i.source_url) for i in items} == {
        ("Ledger", "Harbour Museum; Public domain", f"{BASE}/ms-7/manifest")
    }


def test_v2_choice_takes_the_default_image(tmp_path: Path) -> None:
    canvas = canvas2(1, f"{BASE}/image/x/full/full/0/default.jpg", "f. 1r")
    canvas["images"][0]["resource"] = {
        "@type": "oa:Choice",
        "default": {"@id": f"{BASE}/image/colour.jpg", "@type": "dctypes:Image"},
        "item": [{"@id": f"{BASE}/image/uv.jpg", "@type": "dctypes:Image"}],
    }
    [item] = read_all(iiif_collection(tmp_path, {"leaf.json": manifest2(canvas, label="Leaf")}))
    assert isinstance(item, Item)
    assert (item.id, item.url) == ("leaf", f"{BASE}/image/colour.jpg")


# --- what cannot be read becomes a Rejection ----------------------------------------------------------------


def test_malformed_json_and_collection_documents_are_rejected_others_still_read(tmp_path: Path) -> None:
    collection_doc = {
        "@context": CTX3[1],
        "id": f"{BASE}/collection/top",
        "type": "Collection",
        "label": {"en": ["All objects"]},
        "items": [{"id": f"{BASE}/object-12/manifest.json", "type": "Manifest", "label": {"en": ["Harbour"]}}],
    }
    folder = iiif_collection(
        tmp_path,
        {
            "broken.json": b'{"@context": "http://iiif.io/api/presentation/3/context.json",\n  "id": }',
            "index.json": collection_doc,
            "object-12.json": HARBOUR_3,
            "plain.json": {"id": "a", "file": "files/a.png"},
            "latin1.json": '{"label": "Caf\xe9"}'.encode("latin-1"),
            "list.json": [HARBOUR_3],
        },
    )
    results = read_all(folder)
    rejections = [r for r in results if isinstance(r, Rejection)]
    assert [(r.id, r.reason, r.row) for r in rejections] == [
        ("broken", "manifest:invalid-row", None),
        ("index", "manifest:invalid-row", None),
        ("latin1", "manifest:invalid-row", None),
        ("list", "manifest:invalid-row", None),
        ("plain", "manifest:invalid-row", None),
    ]
    messages = [r.message for r in rejections]
    assert messages[0] == "iiif/broken.json: is not valid JSON (Expecting value at line 2, column 9)"
    assert messages[1] == (
        "iiif/index.json: is a IIIF Collection, not a Manifest; save each Manifest it lists as its own file in iiif/"
    )
    assert messages[2] == "iiif/latin1.json: is not UTF-8 text (byte 0xe9)"
    assert messages[3].startswith("iiif/list.json: is not a IIIF Presentation 3.0 or 2.1 document")
    assert messages[4].startswith("iiif/plain.json: is not a IIIF Presentation 3.0 or 2.1 document")
    assert [i.id for i in results if isinstance(i, Item)] == ["object-12"]


def test_other_manifest_types_are_rejected(tmp_path: Path) -> None:
    canvas_doc = {**canvas3(1, image3("files/a.png")), "@context": CTX3[1]}
    [rejection] = read_all(iiif_collection(tmp_path, {"canvas.json": canvas_doc}))
    assert isinstance(rejection, Rejection)
    assert rejection.message == "iiif/canvas.json: 'type' is 'Canvas'; only a Manifest can be read"


def test_canvas_without_an_image_is_rejected_and_the_others_kept(tmp_path: Path) -> None:
    no_page = {"id": f"{BASE}/canvas/p2", "type": "Canvas", "height": 10, "width": 10, "items": []}
    video = canvas3(3, {"id": "files/film.mp4", "type": "Video", "format": "video/mp4"})
    no_id = canvas3(4, {"type": "Image", "format": "image/png"})
    manifest = manifest3(canvas3(1, image3("files/a.png")), no_page, video, no_id)
    results = read_all(iiif_collection(tmp_path, {"object-12.json": manifest}))
    assert isinstance(results[0], Item)
    assert [(r.id, r.reason, r.row, r.message) for r in results[1:] if isinstance(r, Rejection)] == [
        (
            "object-12-2",
            "manifest:no-source",
            2,
            "iiif/object-12.json, canvas 2: the canvas has no painting annotation, so there is no image",
        ),
        (
            "object-12-3",
            "manifest:no-source",
            3,
            "iiif/object-12.json, canvas 3: the painting annotation's body is 'Video', not an image",
        ),
        (
            "object-12-4",
            "manifest:no-source",
            4,
            "iiif/object-12.json, canvas 4: the image has no 'id', so there is nothing to read",
        ),
    ]


def test_v2_canvas_without_images_is_rejected(tmp_path: Path) -> None:
    first, _ = LEDGER_2["sequences"][0]["canvases"]
    manifest = {**LEDGER_2, "sequences": [{"canvases": [first, {"@id": "x", "@type": "sc:Canvas", "label": "b"}]}]}
    results = read_all(iiif_collection(tmp_path, {"ms-7.json": manifest}))
    assert isinstance(results[0], Item)
    assert isinstance(results[1], Rejection)
    assert (results[1].id, results[1].reason, results[1].message) == (
        "ms-7-2",
        "manifest:no-source",
        "iiif/ms-7.json, canvas 2: the canvas has no 'images', so there is no image",
    )


def test_manifest_without_canvases_is_rejected(tmp_path: Path) -> None:
    [rejection] = read_all(iiif_collection(tmp_path, {"empty.json": manifest3()}))
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason) == ("empty", "manifest:no-source")
    assert rejection.message == "iiif/empty.json: the manifest has no canvases, so there is no image to package"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "file:///etc/passwd",
            "'file:///etc/passwd' uses the 'file:' scheme; give an http(s) URL or a path inside the collection "
            "folder such as files/a.jpg",
        ),
        (
            "data:image/png;base64,iVBORw0KGgo=",
            "'data:image/png;base64,iVBORw0KGgo=' uses the 'data:' scheme; give an http(s) URL or a path inside "
            "the collection folder such as files/a.jpg",
        ),
        ("//cdn.example/a.jpg", "'//cdn.example/a.jpg' names another host without a scheme; give a full https:// URL"),
        ("https:///a.jpg", "'https:///a.jpg' has no host name"),
    ],
)
def test_image_reference_with_another_scheme_is_rejected(tmp_path: Path, reference: str, message: str) -> None:
    manifest = manifest3(canvas3(1, image3("files/a.png")), canvas3(2, image3(reference)))
    results = read_all(iiif_collection(tmp_path, {"object-12.json": manifest}))
    assert isinstance(results[0], Item)
    assert isinstance(results[1], Rejection)
    assert (results[1].id, results[1].reason, results[1].row) == ("object-12-2", "manifest:invalid-row", 2)
    assert results[1].message == f"iiif/object-12.json, canvas 2, body 'id': {message}"


def test_relative_reference_is_a_file_and_percent_escapes_are_decoded(tmp_path: Path) -> None:
    manifest = manifest3(canvas3(1, image3("files/harbour%20view.png")))
    [item] = read_all(iiif_collection(tmp_path, {"a.json": manifest}))
    assert isinstance(item, Item)
    assert (item.file, item.url) == ("files/harbour view.png", None)


def test_value_of_the_wrong_shape_names_the_field(tmp_path: Path) -> None:
    manifests = {
        "a.json": manifest3(canvas3(1, image3("files/a.png")), rights=42),
        "b.json": manifest3(canvas3(1, image3("files/b.png")), label={"en": [{"nested": True}]}),
        "c.json": manifest3(canvas3(1, image3("files/c.png")), metadata={"Artist": "Anna Smith"}),
    }
    results = read_all(iiif_collection(tmp_path, manifests))
    assert [(r.reason, r.message) for r in results if isinstance(r, Rejection)] == [
        ("manifest:invalid-row", "iiif/a.json, canvas 1, manifest 'rights': must be a URI, not int"),
        ("manifest:invalid-row", "iiif/b.json, canvas 1, manifest 'label': must hold text, not dict"),
        ("manifest:invalid-row", "iiif/c.json, canvas 1, manifest 'metadata': must be a list of {label, value} pairs"),
    ]


def test_manifest_symlinked_from_outside_is_rejected(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(HARBOUR_3), encoding="utf-8")
    folder = iiif_collection(tmp_path / "c", {"object-12.json": HARBOUR_3})
    (folder / "iiif" / "elsewhere.json").symlink_to(outside)
    rejection, item = read_all(folder)
    assert isinstance(rejection, Rejection)
    assert (rejection.id, rejection.reason) == ("elsewhere", "path:escapes-collection")
    assert rejection.message.startswith("iiif/elsewhere.json: 'iiif/elsewhere.json' resolves outside")
    assert isinstance(item, Item)
    assert item.id == "object-12"


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    manifests = {
        "a-1.json": manifest3(canvas3(1, image3("files/x.png"))),
        "a.json": manifest3(canvas3(1, image3("files/y.png")), canvas3(2, image3("files/z.png"))),
    }
    results = read_all(iiif_collection(tmp_path, manifests))
    assert [(type(r).__name__, r.id, r.row) for r in results] == [
        ("Item", "a-1", 1),
        ("Rejection", "a-1", 1),
        ("Item", "a-2", 2),
    ]
    duplicate = results[1]
    assert isinstance(duplicate, Rejection)
    assert duplicate.reason == "manifest:duplicate-id"
    assert duplicate.message == "iiif/a.json, canvas 1: 'a-1' is already used by iiif/a-1.json, canvas 1"


# --- end to end ---------------------------------------------------------------------------------------------


def test_build_ships_a_v3_manifest_with_a_local_image(tmp_path: Path) -> None:
    folder = iiif_collection(
        tmp_path / "collections",
        {
            "broken.json": b"{not json",
            "index.json": {"@context": CTX3[1], "id": f"{BASE}/c", "type": "Collection", "label": {"en": ["All"]}},
            "object-12.json": HARBOUR_3,
        },
        files={"files/a.png": image_bytes("PNG", size=(40, 30))},
    )
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings())
    assert report["totals"]["items"] == 3
    assert report["totals"]["shipped"] == 1
    assert report["totals"]["rejected"] == 2

    with tarfile.open(only_shard(out)) as tar:
        names = sorted(tar.getnames())
        json_name = next(n for n in names if n.endswith(".json"))
        member = tar.extractfile(json_name)
        assert member is not None
        sample = json.loads(member.read())
    assert any(n.endswith(".png") for n in names)
    assert sample["id"] == "object-12"
    assert sample["collection"] == "iiif-museum"
    assert sample["title"] == "View of the Harbour"
    assert sample["creator"] == "Anna Smith (1850–1901)"
    assert sample["date"] == "1890"
    # The requiredStatement is an acquisition credit: kept, and the attribution is built the TASL way.
    assert sample["acquisition_credit"] == "Harbour Museum, gift of B. Jones, 1921"
    assert sample["credit_line"] == (
        "View of the Harbour, Anna Smith (1850–1901). Harbour Museum, https://museum.example/collection/object-12. "
        "CC0 1.0."
    )
    assert sample["rights"]["statement"] == CC0
    assert sample["rights"]["status"] == "public_domain"
    assert sample["source_url"] == "https://museum.example/collection/object-12"
    assert sample["source"] == "files/a.png"
    assert (sample["width"], sample["height"]) == (40, 30)
    assert {"name": "provider", "value": "Harbour Museum"} in sample["extra"]

    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["id"], r["reason"]) for r in rejected) == [
        ("broken", "manifest:invalid-row"),
        ("index", "manifest:invalid-row"),
    ]
    assert all(r["message"].startswith(f"iiif/{r['id']}.json: ") for r in rejected)


def test_build_two_licenses_end_undetermined_and_no_rights_falls_back_to_the_collection(tmp_path: Path) -> None:
    two_licenses = manifest2(
        canvas2(1, "files/a.png", "f. 1r"),
        label="Ledger",
        license=[PDM, "https://creativecommons.org/licenses/by/4.0/"],
    )
    no_rights = manifest3(canvas3(1, image3("files/b.png")), label={"en": ["Quay"]})
    folder = iiif_collection(
        tmp_path / "collections",
        {"ledger.json": two_licenses, "quay.json": no_rights},
        files={"files/a.png": image_bytes("PNG"), "files/b.png": image_bytes("PNG")},
        rights=CC0,
    )
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings())
    assert (report["totals"]["shipped"], report["totals"]["rejected"]) == (1, 1)
    [rejected] = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (rejected["id"], rejected["reason"]) == ("ledger", "rights:undetermined")
    with tarfile.open(only_shard(out)) as tar:
        member = tar.extractfile(next(n for n in tar.getnames() if n.endswith(".json")))
        assert member is not None
        sample = json.loads(member.read())
    assert (sample["id"], sample["rights"]["statement"]) == ("quay", CC0)


# --- texts that state rights, wrapped images, many works in one manifest --------------------------------------


def built(folder: Path, out: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(samples by id, rejections by id) of a real build of ``folder``."""
    build(load_collections([folder]), out, Settings(as_of="2026-11-30"))
    held = {r["id"]: r for r in map(json.loads, (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines())}
    samples: dict[str, dict[str, Any]] = {}
    for shard in sorted((out / "data").rglob("*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar:
                if member.name.endswith(".json"):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    sample = json.loads(handle.read())
                    samples[sample["id"]] = sample
    return samples, held


RESERVED = "Copyright (c) The Board of Trustees of the Harbour Museum. All rights reserved."
BY_NC = "Photo: Harbour Museum. Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)"
BY_NC_SA = "https://creativecommons.org/licenses/by-nc-sa/4.0/"


def test_credit_texts_that_claim_copyright_or_a_licence_hold_items_back_over_a_collection_default(
    tmp_path: Path,
) -> None:
    """2.1 attribution and 3.0 requiredStatement are evidence like copyright_notice: never overruled by a default."""
    files = {f"files/{n}.png": image_bytes("PNG", color=(40 * n, 90, 30)) for n in range(1, 6)}
    reserved = manifest2(
        *(canvas2(n, f"files/{n}.png", f"Plate {n}") for n in range(1, 4)), label="Ships", attribution=RESERVED
    )
    licensed = manifest3(
        canvas3(1, image3("files/4.png")),
        label={"en": ["Quay"]},
        requiredStatement={"label": {"en": ["Attribution"]}, "value": {"en": [BY_NC]}},
    )
    uri = manifest2(canvas2(1, "files/5.png", "f. 1r"), label="Ledger", attribution=BY_NC_SA)
    plain = manifest3(
        canvas3(1, image3("files/1.png")),
        label={"en": ["Harbour"]},
        requiredStatement={"label": {"en": ["Attribution"]}, "value": {"en": ["Provided by the Harbour Museum"]}},
        metadata=[{"label": {"en": ["Rights"]}, "value": {"en": ["No known restrictions on publication"]}}],
    )
    noted = manifest3(
        canvas3(1, image3("files/2.png")),
        label={"en": ["Mole"]},
        metadata=[{"label": {"en": ["Copyright"]}, "value": {"en": ["© Estate of the photographer"]}}],
    )
    folder = iiif_collection(
        tmp_path / "collections",
        {"reserved.json": reserved, "licensed.json": licensed, "uri.json": uri, "plain.json": plain,
         "noted.json": noted},
        files=files,
        rights=PDM,
    )  # fmt: skip
    samples, held = built(folder, tmp_path / "dist")

    assert sorted(samples) == ["plain"]
    assert {k: v["reason"] for k, v in held.items()} == {
        "reserved-1": "rights:conflict",
        "reserved-2": "rights:conflict",
        "reserved-3": "rights:conflict",
        "licensed": "rights:conflict",
        "uri": "rights:conflict",
        "noted": "rights:conflict",
    }
    claims = {
        k: [e for e in v["evidence"] if e["source"] == "manifest" and e["field"] == "notice"] for k, v in held.items()
    }
    assert claims["reserved-2"][0]["finding"] == (
        f"iiif/reserved.json, canvas 2, manifest 'attribution': copyright notice {RESERVED!r}"
    )
    assert claims["licensed"][0]["finding"].startswith(
        "iiif/licensed.json, canvas 1, manifest 'requiredStatement': licence CC BY-NC 4.0 "
    )
    assert "Creative Commons licence" in claims["uri"][0]["finding"]
    assert claims["noted"][0]["finding"].startswith("iiif/noted.json, canvas 1, manifest metadata 'Copyright': ")
    assert all(v["evidence"][0]["source"] == "collection" for v in held.values())  # the default did not win
    assert samples["plain"]["rights"]["statement"] == PDM


def test_a_claim_in_a_csv_credit_line_or_copyright_notice_licence_holds_the_item(tmp_path: Path) -> None:
    from tests.helpers import write_collection

    rows = [
        {"id": "a", "file": "files/a.png", "title": "A", "credit_line": "Photo © Harbour Museum 2019",
         "copyright_notice": ""},
        {"id": "b", "file": "files/b.png", "title": "B", "credit_line": "", "copyright_notice": "CC BY-SA 4.0"},
        {"id": "c", "file": "files/c.png", "title": "C", "credit_line": "Gift of B. Jones, 1921",
         "copyright_notice": ""},
    ]  # fmt: skip
    files = {f"files/{n}.png": image_bytes("PNG", color=(c, 20, 90)) for n, c in (("a", 10), ("b", 120), ("c", 230))}
    folder = write_collection(tmp_path / "collections", rows, files=files, rights=PDM)
    samples, held = built(folder, tmp_path / "dist")
    assert sorted(samples) == ["c"] and sorted(held) == ["a", "b"]
    assert "items.csv column 'credit_line': copyright notice 'Photo © Harbour Museum 2019'" in held["a"]["message"]
    assert held["b"]["message"].startswith("items.csv column 'copyright_notice' says 'CC BY-SA 4.0'; but ")

    assert any(
        e["finding"].startswith("items.csv column 'copyright_notice': Creative Commons licence")
        for e in held["b"]["evidence"]
    )


def test_an_unmapped_rights_column_is_read_for_claims(tmp_path: Path) -> None:
    """The Met's 'Rights and Reproduction' column, left unmapped, still holds an item whose cell claims copyright."""
    from tests.helpers import write_collection

    rows = [
        {"id": "a", "file": "files/a.png", "title": "A", "Rights and Reproduction": "© Walker Evans Archive"},
        {"id": "b", "file": "files/b.png", "title": "B", "Rights and Reproduction": ""},
        {"id": "c", "file": "files/c.png", "title": "C", "Rights and Reproduction": "Public domain"},
    ]
    files = {f"files/{n}.png": image_bytes("PNG", color=(c, 20, 90)) for n, c in (("a", 10), ("b", 120), ("c", 230))}
    folder = write_collection(tmp_path / "collections", rows, files=files, rights=PDM)
    samples, held = built(folder, tmp_path / "dist")
    assert sorted(samples) == ["b", "c"] and sorted(held) == ["a"]
    assert held["a"]["message"].startswith(
        "items.csv column 'Rights and Reproduction': copyright notice '© Walker Evans Archive'; but "
    )
    assert {"name": "Rights and Reproduction", "value": "Public domain"} in samples["c"]["extra"]


def test_specific_resource_bodies_are_read_from_their_source(tmp_path: Path) -> None:
    """The Cookbook's rotation recipe (3.0) and a 2.1 oa:SpecificResource: the wrapper's own id is never fetched."""
    rotated = manifest3(
        canvas3(
            1,
            {
                "id": f"{BASE}/recipe/0040/body/v0001-image",  # not an image: fetching it would fail
                "type": "SpecificResource",
                "source": image3("files/a.png", rights=CC0),
                "selector": {"type": "ImageApiSelector", "rotation": "90"},
            },
        ),
        label={"en": ["Rotated"]},
    )
    by_id = manifest3(
        canvas3(1, {"type": "SpecificResource", "source": "files/b.png"}), label={"en": ["Region"]}, rights=CC0
    )
    resource = {
        "@id": f"{BASE}/ms-7/specific",
        "@type": "oa:SpecificResource",
        "full": {"@id": "files/c.png", "@type": "dctypes:Image"},
        "selector": {"@type": "iiif:ImageApiSelector", "region": "0,0,10,10"},
    }
    old = manifest2(canvas2(1, "unused", "f. 1r"), label="Old", license=CC0)
    old["sequences"][0]["canvases"][0]["images"][0]["resource"] = resource
    files = {f"files/{n}.png": image_bytes("PNG", color=(c, 200, 40)) for n, c in (("a", 10), ("b", 120), ("c", 230))}
    folder = iiif_collection(
        tmp_path / "collections", {"rotated.json": rotated, "by-id.json": by_id, "old.json": old}, files=files
    )
    items = {i.id: i for i in read_all(folder) if isinstance(i, Item)}
    assert {k: (i.file, i.url, i.rights) for k, i in items.items()} == {
        "by-id": ("files/b.png", None, CC0),
        "old": ("files/c.png", None, CC0),
        "rotated": ("files/a.png", None, CC0),
    }
    samples, held = built(folder, tmp_path / "dist")
    assert sorted(samples) == ["by-id", "old", "rotated"] and held == {}


def test_canvas_labels_that_name_works_are_the_titles(tmp_path: Path) -> None:
    """A museum's highlights in one manifest: each item is titled by its canvas; pages of a book are not."""
    highlights = manifest3(
        canvas3(1, image3(f"{BASE}/image/h1/full/max/0/default.jpg"), label="The Harbour at Dawn",
                summary={"en": ["Oil on canvas."]}),
        canvas3(2, image3(f"{BASE}/image/h2/full/max/0/default.jpg"), label="Portrait of a Pilot"),
        canvas3(3, image3(f"{BASE}/image/h3/full/max/0/default.jpg"), label="Plate 3"),
        label={"en": ["Highlights of the collection"]},
        summary={"en": ["Twelve works chosen by the curators."]},
    )  # fmt: skip
    items = {i.id: i for i in read_all(iiif_collection(tmp_path, {"highlights.json": highlights}))}
    one, two, three = (items[f"highlights-{n}"] for n in (1, 2, 3))
    assert isinstance(one, Item) and isinstance(two, Item) and isinstance(three, Item)
    assert (one.title, one.description) == ("The Harbour at Dawn", "Oil on canvas.")
    assert (two.title, two.description) == ("Portrait of a Pilot", None)
    assert one.extra["manifest_label"] == "Highlights of the collection" and "canvas_label" not in one.extra
    # "Plate 3" names a page, not a work: the manifest's label stays the title.
    assert (three.title, three.extra["canvas_label"]) == ("Highlights of the collection", "Plate 3")
    for label, names in [("f. 1r", False), ("p. 12", False), ("Recto", False), ("Front cover", False),
                         ("Detail 2", False), ("IV", False), ("[3]", False), ("Vase with Sunflowers", True),
                         ("The Bridge", True)]:  # fmt: skip
        assert iiif.names_a_work(label) is names, label


def test_cookbook_rotation_recipe_is_fetched_from_its_source_over_http(tmp_path: Path) -> None:
    """The Cookbook's 0040 recipe (manifest-service.json) as published, its image served on 127.0.0.1: the
    wrapper's own id (a 404 here) is never asked for; the source is, and the item ships."""
    from tests.http_server import serve

    with serve({"page1.jpg": image_bytes("JPEG", size=(40, 56))}) as server:
        recipe = {
            "@context": CTX3[1],
            "id": f"{server.base}/recipe/0040/manifest-service.json",
            "type": "Manifest",
            "label": {"ca": ["[Conoximent de las orines] Ihesus, Ihesus."]},
            "rights": CC0,
            "items": [
                {
                    "id": f"{server.base}/recipe/0040/canvas/p1",
                    "type": "Canvas",
                    "label": {"en": ["inside cover; 1r"]},
                    "width": 2105,
                    "height": 1523,
                    "items": [
                        {
                            "id": f"{server.base}/recipe/0040/p1/1",
                            "type": "AnnotationPage",
                            "items": [
                                {
                                    "id": f"{server.base}/recipe/0040/annotation/v0001-image",
                                    "type": "Annotation",
                                    "motivation": "painting",
                                    "body": {
                                        "id": f"{server.base}/file/body-v0001-image",
                                        "type": "SpecificResource",
                                        "source": {
                                            "id": f"{server.base}/file/page1.jpg",
                                            "type": "Image",
                                            "format": "image/jpeg",
                                            "width": 1523,
                                            "height": 2105,
                                            "service": [
                                                {"id": f"{server.base}/iiif/page1", "type": "ImageService3",
                                                 "profile": "level1"}
                                            ],
                                        },
                                        "selector": {
                                            "@context": "http://iiif.io/api/annex/openannotation/context.json",
                                            "type": "iiif:ImageApiSelector",
                                            "rotation": "90",
                                        },
                                    },
                                    "target": f"{server.base}/recipe/0040/canvas/p1",
                                }
                            ],
                        }
                    ],
                }
            ],
        }  # fmt: skip
        folder = iiif_collection(tmp_path / "collections", {"rotation.json": recipe})
        out = tmp_path / "dist"
        settings = Settings(as_of="2026-11-30", fetch_retries=0, allow_private_urls=True)
        report = build(load_collections([folder]), out, settings)
        hits = dict(server.hits)
    assert report["totals"]["shipped"] == 1, (out / "rejected.jsonl").read_text(encoding="utf-8")
    assert not any("body-v0001-image" in path for path in hits) and any("page1.jpg" in path for path in hits)
