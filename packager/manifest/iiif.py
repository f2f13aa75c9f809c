"""IIIF Presentation manifests (3.0 and 2.1) as an item source: ``iiif/*.json`` in a collection folder.

Each file is one Manifest; each Canvas in it becomes one Item. The ids come from
the file name (``object-12.json`` gives ``object-12``; a manifest with several
canvases gives ``object-12-1``, ``object-12-2`` ..., zero-padded to the width of
the count), so they are stable from one build to the next.

Nothing here touches the network or the images: an ``http(s)`` image address
becomes ``Item.url`` and a relative reference becomes ``Item.file``, which the
pipeline later resolves inside the collection folder. A file that cannot be
read as a Manifest, or a canvas without an image, becomes a Rejection that names
the file (and the canvas); the other files still ship.

Texts that may state rights besides ``rights``/``license`` (the 3.0 ``requiredStatement``, the 2.1
``attribution``, metadata pairs labelled Rights, Copyright, License, ...) go into ``Item.notices``
with where they were found: a copyright notice or a licence in one holds the item back
(``packager.rights.notices``), whatever the collection's default rights say.

An image body wrapped in a ``SpecificResource`` (3.0 ``source``, 2.1 ``full``: a rotation or a
region, as in the IIIF Cookbook) is the image of its source. When a manifest with several
canvases names a work on each canvas (a museum's highlights, not the pages of one book), each
item's title is its canvas's label: a label that names a page or a view ("f. 1r", "p. 3",
"Recto", "Detail") is not a title, and those items keep the manifest's label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packager.manifest.iiif_fields import InvalidField, field_text, fields_v2, fields_v3
from packager.manifest.nesting import MAX_IIIF_NESTING, deeper_than
from packager.model import Collection, Item, ManifestError, Rejection
from packager.safepath import PathEscapeError, resolve_inside

IIIF_FOLDER = "iiif"
MAX_MANIFEST_BYTES = 50_000_000
CONTEXT_3 = "http://iiif.io/api/presentation/3/context.json"
CONTEXT_2 = "http://iiif.io/api/presentation/2/context.json"
# Words a canvas label may be made of when it names a page or a view of one work, not a work of its own.
_VIEW_WORDS_TEXT = """
p pp pg page pages f ff fol fols folio folios leaf leaves plate pl image img canvas view sheet scan seq
sequence no nr number side part frame photo figure fig front back recto verso r v obverse reverse cover
covers inside outside spine detail details overall top bottom left right interior exterior edge base
mount upper lower board boards endpaper endpapers flyleaf title a b c d of and the
"""
VIEW_WORDS = frozenset(_VIEW_WORDS_TEXT.split())
_LABEL_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_ROMAN = re.compile(r"^[ivxlcdm]+$")
# Not images: a painting annotation with one of these bodies gives no sample.
NOT_IMAGES = {"video", "sound", "audio", "text", "model", "dctypes:sound", "dctypes:movingimage", "dctypes:text"}


def manifest_files(folder: Path) -> list[Path]:
    """The ``*.json`` files in ``folder``, in name order; ManifestError for one over the size limit."""
    if not folder.is_dir():
        return []
    files = sorted((p for p in folder.iterdir() if p.suffix.lower() == ".json" and p.is_file()), key=lambda p: p.name)
    for path in files:
        # lstat: a symlink is checked (and refused if it points out) when it is read, never followed here.
        if path.lstat().st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(path, f"larger than {MAX_MANIFEST_BYTES} bytes; split it into one manifest per object")
    return files


def read_iiif(collection: Collection) -> Iterator[tuple[str, Item | Rejection]]:
    """Yield (place, Item or Rejection) for every canvas of every manifest file, in file then canvas order.

    ``place`` names the file and canvas (``iiif/a.json, canvas 2``) for messages about duplicate ids.
    """
    for path in manifest_files(collection.manifest):
        name = f"{IIIF_FOLDER}/{path.name}"
        try:
            yield from _read_file(collection, path, name)
        except ManifestError:
            raise
        except Exception as exc:  # a bug must cost one file, not the whole build
            yield name, Rejection(collection.id, path.stem, "internal:error", f"{name}: {type(exc).__name__}: {exc}")


def _read_file(collection: Collection, path: Path, name: str) -> Iterator[tuple[str, Item | Rejection]]:
    stem = path.stem

    def file_rejection(reason: str, message: str) -> tuple[str, Rejection]:
        return name, Rejection(collection.id, stem, reason, f"{name}: {message}")

    try:
        real = resolve_inside(collection.root, name)
        with real.open("rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except PathEscapeError as exc:
        yield file_rejection("path:escapes-collection", str(exc))
        return
    except OSError as exc:
        yield file_rejection("file:unreadable", exc.strerror or str(exc))
        return
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(path, f"larger than {MAX_MANIFEST_BYTES} bytes; split it into one manifest per object")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield file_rejection("manifest:invalid-row", f"is not UTF-8 text (byte 0x{data[exc.start]:02x})")
        return
    except json.JSONDecodeError as exc:
        yield file_rejection(
            "manifest:invalid-row", f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        )
        return
    except RecursionError:
        document = None  # deeper than the parser goes, so certainly deeper than the limit
        too_deep = True
    except ValueError as exc:
        yield file_rejection("manifest:invalid-row", f"is not valid JSON ({exc})")
        return
    else:
        too_deep = deeper_than(document, MAX_IIIF_NESTING)
    if too_deep:
        yield file_rejection("manifest:invalid-row", f"nests values more than {MAX_IIIF_NESTING} levels deep")
        return

    version = _version(document)
    if version is None:
        yield file_rejection(
            "manifest:invalid-row",
            f"is not a IIIF Presentation 3.0 or 2.1 document: '@context' must be {CONTEXT_3} or {CONTEXT_2}",
        )
        return
    kind = document.get("type" if version == 3 else "@type")
    if kind in ("Collection", "sc:Collection"):
        yield file_rejection(
            "manifest:invalid-row",
            "is a IIIF Collection, not a Manifest; save each Manifest it lists as its own file in iiif/",
        )
        return
    if kind != ("Manifest" if version == 3 else "sc:Manifest"):
        field = "type" if version == 3 else "@type"
        expected = "Manifest" if version == 3 else "sc:Manifest"
        yield file_rejection("manifest:invalid-row", f"'{field}' is {kind!r}; only a {expected} can be read")
        return

    canvases = _canvases(document, version)
    if isinstance(canvases, str):
        yield file_rejection("manifest:invalid-row", canvases)
        return
    if not canvases:
        yield file_rejection("manifest:no-source", "the manifest has no canvases, so there is no image to package")
        return
    width = len(str(len(canvases)))
    for number, canvas in enumerate(canvases, start=1):
        item_id = stem if len(canvases) == 1 else f"{stem}-{number:0{width}d}"
        place = f"{name}, canvas {number}"
        try:
            result = _canvas_item(collection, document, version, canvas, len(canvases), item_id, number, place)
        except Exception as exc:  # a bug must cost one canvas, not the rest of the file
            result = Rejection(
                collection.id, item_id, "internal:error", f"{place}: {type(exc).__name__}: {exc}", row=number
            )
        yield place, result


def _version(document: Any) -> int | None:
    if not isinstance(document, dict):
        return None
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    names = {c.strip().rstrip("/").replace("https://", "http://", 1) for c in contexts if isinstance(c, str)}
    if CONTEXT_3 in names:
        return 3
    if CONTEXT_2 in names:
        return 2
    return None


def _canvases(document: dict[str, Any], version: int) -> list[Any] | str:
    """The canvases of the manifest, or a message saying why they cannot be found."""
    if version == 3:
        canvases = document.get("items")
        if canvases is None:
            return []
        if not isinstance(canvases, list):
            return "'items' must be a list of Canvases"
        return canvases
    sequences = document.get("sequences")
    if sequences is None or sequences == []:
        return []
    if not isinstance(sequences, list) or not isinstance(sequences[0], dict):
        return "'sequences' must be a list of Sequences"
    canvases = sequences[0].get("canvases")
    if canvases is None:
        return []
    if not isinstance(canvases, list):
        return "'sequences[0].canvases' must be a list of Canvases"
    return canvases


def _canvas_item(
    collection: Collection,
    manifest: dict[str, Any],
    version: int,
    canvas: Any,
    count: int,
    item_id: str,
    number: int,
    place: str,
) -> Item | Rejection:
    def reject(reason: str, message: str) -> Rejection:
        return Rejection(collection.id, item_id, reason, f"{place}{message}", row=number)

    if not isinstance(canvas, dict):
        return reject("manifest:invalid-row", f": must be a Canvas object, not {type(canvas).__name__}")
    try:
        found = _image_v3(canvas) if version == 3 else _image_v2(canvas)
        if isinstance(found, str):
            return reject("manifest:no-source", f": {found}")
        chain, reference = found
        file, url = _source(reference, "body 'id'" if version == 3 else "resource '@id'")
        fields = fields_v3(manifest, canvas, chain) if version == 3 else fields_v2(manifest, canvas, chain)
        canvas_label = field_text(canvas.get("label"), "canvas 'label'")
    except InvalidField as exc:
        return reject("manifest:invalid-row", f", {exc.field}: {exc.message}")

    extra: dict[str, str] = fields.pop("extra")
    title, description = fields.get("title"), fields.get("description")
    if count > 1 and canvas_label:
        if names_a_work(canvas_label):
            # One manifest, many works: the canvas's label is this work's title, the manifest's describes the set.
            if title:
                extra.setdefault("manifest_label", title)
            title, description = canvas_label, fields.get("canvas_description")
        else:
            extra.setdefault("canvas_label", canvas_label)
    notices = tuple((f"{place}, {where}", text) for where, text in fields.get("notices", ()))
    return Item(
        collection=collection.id,
        id=item_id,
        row=number,
        file=file,
        url=url,
        title=title or canvas_label,
        creator=fields.get("creator"),
        description=description,
        date=fields.get("date"),
        rights=fields.get("rights"),
        source_url=fields.get("source_url"),
        credit_line=fields.get("credit_line"),
        extra=dict(sorted(extra.items())),
        notices=notices,
    )


def names_a_work(label: str) -> bool:
    """Whether a canvas label names a work of its own, not a page or a view ("f. 1r", "p. 3", "Recto", "Detail 2")."""
    tokens = _LABEL_TOKEN.findall(label.casefold())
    if not tokens:
        return False
    return not all(t.isdigit() or t in VIEW_WORDS or (len(t) <= 6 and _ROMAN.match(t)) for t in tokens)


# --- where the image is ----------------------------------------------------------------------------------


def _image_v3(canvas: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], str] | str:
    """(resources from most to least specific, image reference) of the first painting annotation, or why none."""
    pages = canvas.get("items")
    if not isinstance(pages, list) or not pages:
        return "the canvas has no painting annotation, so there is no image"
    for page in pages:
        annotations = page.get("items") if isinstance(page, dict) else None
        if not isinstance(annotations, list):
            continue
        for annotation in annotations:
            if not isinstance(annotation, dict) or not _is_painting(annotation.get("motivation"), "painting"):
                continue
            body = annotation.get("body")
            if isinstance(body, list):
                body = body[0] if body else None
            chain: list[tuple[str, dict[str, Any]]] = [("annotation", annotation)]
            for _ in range(3):  # a Choice of SpecificResources, or a SpecificResource of a Choice
                if isinstance(body, dict) and body.get("type") == "Choice":
                    chain.insert(0, ("choice", body))
                    choices = body.get("items")
                    body = choices[0] if isinstance(choices, list) and choices else None
                elif isinstance(body, dict) and body.get("type") == "SpecificResource":
                    # A rotation or a region of an image (IIIF Cookbook): the image itself is its source.
                    chain.insert(0, ("specific resource", body))
                    body = body.get("source")
                    if isinstance(body, str) and body.strip():
                        return chain, body.strip()
            if not isinstance(body, dict):
                return "the painting annotation has no body, so there is no image"
            chain.insert(0, ("body", body))
            return _reference(chain, body, "id", "type")
    return "the canvas has no painting annotation, so there is no image"


def _image_v2(canvas: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], str] | str:
    images = canvas.get("images")
    if not isinstance(images, list) or not images:
        return "the canvas has no 'images', so there is no image"
    for annotation in images:
        if not isinstance(annotation, dict) or not _is_painting(annotation.get("motivation"), "sc:painting"):
            continue
        resource = annotation.get("resource")
        chain: list[tuple[str, dict[str, Any]]] = [("image", annotation)]
        if isinstance(resource, str):
            return chain, resource
        for _ in range(3):
            if isinstance(resource, dict) and resource.get("@type") == "oa:Choice":
                chain.insert(0, ("choice", resource))
                choices = resource.get("item")
                resource = resource.get("default") or (choices[0] if isinstance(choices, list) and choices else None)
            elif isinstance(resource, dict) and resource.get("@type") == "oa:SpecificResource":
                chain.insert(0, ("specific resource", resource))
                resource = resource.get("full")
                if isinstance(resource, str) and resource.strip():
                    return chain, resource.strip()
        if not isinstance(resource, dict):
            return "the image annotation has no 'resource', so there is no image"
        chain.insert(0, ("resource", resource))
        return _reference(chain, resource, "@id", "@type")
    return "the canvas has no painting image annotation, so there is no image"


def _is_painting(motivation: Any, painting: str) -> bool:
    """True when the motivation is painting; an absent motivation is taken as painting."""
    if motivation is None:
        return True
    values = motivation if isinstance(motivation, list) else [motivation]
    return any(isinstance(v, str) and v.strip() in (painting, "painting", "sc:painting") for v in values)


def _reference(
    chain: list[tuple[str, dict[str, Any]]], body: dict[str, Any], id_key: str, type_key: str
) -> tuple[list[tuple[str, dict[str, Any]]], str] | str:
    kind = body.get(type_key)
    if isinstance(kind, str) and kind.strip().lower() in NOT_IMAGES:
        return f"the painting annotation's body is {kind!r}, not an image"
    reference = body.get(id_key)
    if reference is None or (isinstance(reference, str) and not reference.strip()):
        return f"the image has no '{id_key}', so there is nothing to read"
    if not isinstance(reference, str):
        raise InvalidField(f"{chain[0][0]} '{id_key}'", f"must be text, not {type(reference).__name__}")
    return chain, reference.strip()


def _source(reference: str, field: str) -> tuple[str | None, str | None]:
    """(file, url): an http(s) URL, or a reference relative to the collection folder."""
    try:
        parts = urlsplit(reference)
    except ValueError as exc:
        raise InvalidField(field, f"{reference!r} is not a valid address ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.netloc:
            raise InvalidField(field, f"{reference!r} has no host name")
        return None, reference
    if scheme:
        raise InvalidField(
            field,
            f"{reference!r} uses the '{scheme}:' scheme; give an http(s) URL or a path inside the collection "
            "folder such as files/a.jpg",
        )
    if parts.netloc:
        raise InvalidField(field, f"{reference!r} names another host without a scheme; give a full https:// URL")
    if parts.query or parts.fragment:
        raise InvalidField(field, f"{reference!r}: a file in the collection folder cannot have a '?' or '#' part")
    return unquote(parts.path), None
