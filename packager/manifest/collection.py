"""A collection folder: collection.yaml read and checked, and its item manifest found (the items: ``rows``).

A collection folder holds ``collection.yaml`` and ``items.csv``, ``items.jsonl``
or ``iiif/*.json`` (IIIF Presentation manifests, read by ``packager.manifest.iiif``).
Problems with the collection as a whole raise ManifestError (the build cannot
go on); problems with one row become a Rejection for that row, so that every
row ends somewhere.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import yaml

from packager.captions.template import check_caption_template
from packager.manifest.csv_reader import UNUSED_MAPPING, read_csv
from packager.manifest.iiif import IIIF_FOLDER, manifest_files
from packager.manifest.jsonl_reader import jsonl_header
from packager.manifest.schema import require_valid_collection
from packager.manifest.yamlsafe import load_yaml
from packager.markdown import url_problem
from packager.model import (
    COLLECTION_FILE,
    COLLECTION_KEYS,
    DEFAULT_ATTRIBUTION,
    ID_PATTERN,
    ITEM_FIELDS,
    MAX_YAML_BYTES,
    TEMPLATE_FIELDS,
    Collection,
    Institution,
    ManifestError,
)
from packager.safepath import require_inside

MANIFEST_NAMES = ("items.csv", "items.jsonl")


def load_collection(folder: Path | str) -> Collection:
    """Read and check a collection folder's ``collection.yaml`` and find its item manifest.

    Raises ManifestError naming the file, and the row and key where known. The items themselves are
    read later, one at a time, by ``read_items``.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ManifestError(root, "not a folder; give the path of a collection folder")
    meta_path = root / COLLECTION_FILE
    require_inside(root, meta_path)
    if not meta_path.is_file():
        raise ManifestError(meta_path, "missing; every collection folder needs a collection.yaml")
    if meta_path.stat().st_size > MAX_YAML_BYTES:
        raise ManifestError(meta_path, f"larger than {MAX_YAML_BYTES} bytes; this file should be a few lines")
    try:
        meta = load_yaml(meta_path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ManifestError(meta_path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise yaml_error(meta_path, exc) from exc
    if not isinstance(meta, dict):
        raise ManifestError(meta_path, "must be a mapping of keys such as id, title, institution")

    def text(key: str, required: bool = False) -> str | None:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ManifestError(meta_path, "is required", column=key)
            return None
        if not isinstance(value, str):
            raise ManifestError(meta_path, f"must be text, not {type(value).__name__}", column=key)
        return value.strip()

    collection_id = text("id", required=True)
    assert collection_id is not None
    if not ID_PATTERN.match(collection_id):
        raise ManifestError(
            meta_path,
            f"{collection_id!r} is not a valid id: use lower-case letters, digits and '-' (e.g. 'city-museum-prints')",
            column="id",
        )
    institution = _institution(meta.get("institution"), meta_path)
    for key in ("rights",):
        default = text(key)
        if default and _looks_like_url(default):
            _check_url(default, meta_path, key)
    attribution = text("attribution") or DEFAULT_ATTRIBUTION
    check_template(attribution, meta_path, "attribution")
    warnings = [
        f"{COLLECTION_FILE}: unknown key '{key}' is ignored"
        for key in sorted(map(str, meta))
        if key not in COLLECTION_KEYS
    ]
    if institution.url and is_placeholder_url(institution.url):
        warnings.append(
            f"{COLLECTION_FILE}: institution url {institution.url!r} is the placeholder pdpack init wrote; "
            "give your institution's web address (a release refuses the placeholder)"
        )
    manifest = _find_manifest(root)
    columns = _column_map(meta.get("columns"), meta_path)
    values = _value_map(meta.get("values"), meta_path)
    notes: list[str] = []
    headers: dict[str, str] = {}
    if manifest.suffix == ".csv":
        # Fail on a broken header now, before any item is processed.
        rows = read_csv(manifest, columns, notes, headers)
        try:
            next(rows, None)
        finally:
            rows.close()
        warnings += [note for note in notes if note.startswith(UNUSED_MAPPING)]
        notes = [note for note in notes if not note.startswith(UNUSED_MAPPING)]
    elif manifest.suffix == ".jsonl":
        match = jsonl_header(manifest, columns)
        notes, headers = [f"{manifest.name}: {note}" for note in match.notes], match.sources
    title = text("title", required=True) or ""
    caption_template = text("caption_template")
    if caption_template:
        try:
            check_caption_template(caption_template)
        except ValueError as exc:
            raise ManifestError(meta_path, str(exc), column="caption_template") from exc
    require_valid_collection(meta, meta_path)  # its warnings repeat the unknown-key ones above
    return Collection(
        id=collection_id,
        root=root,
        title=title,
        institution=institution,
        manifest=manifest,
        rights=text("rights"),
        jurisdiction=(text("jurisdiction") or "").upper() or None,
        attribution=attribution,
        description=text("description"),
        ai_preferences=text("ai_preferences"),
        local_contexts=_labels(meta.get("local_contexts"), meta_path),
        columns=columns,
        values=values,
        caption_template=caption_template,
        warnings=tuple(warnings),
        notes=tuple(notes),
        headers=headers,
    )


# pdpack init's default institution url: it must not reach a release's credits.
PLACEHOLDER_URL = "https://www.example.org"


def is_placeholder_url(url: str) -> bool:
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/", 1)[0]
    return host.removeprefix("www.") in {"example.org", "example.com", "example.net"}


# A quoted line of collection.yaml is cut here: a hostile file's line can be megabytes long.
_QUOTED_LINE_CHARS = 200


def yaml_error(path: Path, exc: yaml.YAMLError) -> ManifestError:
    """A YAML syntax error with its line and column, the line itself, and the likely cause."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return ManifestError(path, f"not valid YAML: {problem}")
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    message = f"not valid YAML at {where}: {problem}"
    buffer = getattr(mark, "buffer", None)
    text = ""
    if isinstance(buffer, str):
        lines = buffer.rstrip("\0").splitlines()
        if mark.line < len(lines):
            text = lines[mark.line]
            shown = text if len(text) <= _QUOTED_LINE_CHARS else text[:_QUOTED_LINE_CHARS] + " ..."
            message += f"\n    {mark.line + 1} | {shown}"
    if "mapping values are not allowed" in problem and ":" in text[: mark.column]:
        key = text.split(":", 1)[0].strip()
        message += (
            f"\n  The value of '{key}' holds ': ' (a colon and a space), which YAML reads as a new key: "
            f'put the value in quotes, e.g. {key}: "{text.split(":", 1)[1].strip()}"'
        )
    elif "mapping values are not allowed" in problem or "expected <block end>" in problem:
        message += (
            "\n  Check the indenting of this line against the lines above: keys at one level start in one column."
        )
    elif "found character '\\t'" in problem:
        message += "\n  YAML does not allow tabs for indenting: use spaces."
    error = ManifestError(path, message)
    error.line = mark.line + 1
    return error


def check_template(template: str, file: Path, key: str) -> None:
    """Allow only plain ``{name}`` fields: attribute or index lookups would let a manifest reach into Python."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ManifestError(file, f"is not a valid template: {exc}", column=key) from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            allowed = ", ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS))
            raise ManifestError(file, f"uses '{{{name}}}'; allowed fields are {allowed}", column=key)


def _check_url(url: str | None, meta_path: Path, key: str) -> None:
    """A web address from collection.yaml: http(s), a host, no white space or control characters.

    It is written into ATTRIBUTION.md, the dataset card and every credit line: a line break in it
    would let a contributor add a heading (a fake licence) or a javascript: link there.
    """
    problem = url_problem(url) if url else None
    if problem:
        raise ManifestError(
            meta_path, f"{url!r} {problem}; give a web address such as https://museum.example", column=key
        )


def _looks_like_url(text: str) -> bool:
    return "://" in text[:12]


def _institution(value: Any, meta_path: Path) -> Institution:
    if isinstance(value, str) and value.strip():
        return Institution(name=value.strip())
    if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"].strip():
        url = value.get("url")
        if url is not None and not isinstance(url, str):
            raise ManifestError(meta_path, "institution url must be text", column="institution.url")
        url = url.strip() if url else None
        _check_url(url, meta_path, "institution.url")
        return Institution(name=value["name"].strip(), url=url)
    raise ManifestError(meta_path, 'is required: give {name: "...", url: "https://..."}', column="institution")


def _column_map(value: Any, meta_path: Path) -> dict[str, str]:
    """collection.yaml ``columns: {title: "Object Title", ...}`` as {their column: our field}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(
            meta_path, 'must map pdpack fields to your column names, e.g. {title: "Object Title"}', column="columns"
        )
    renames: dict[str, str] = {}
    for ours, theirs in value.items():
        if ours not in ITEM_FIELDS:
            raise ManifestError(
                meta_path, f"{ours!r} is not a pdpack field ({', '.join(ITEM_FIELDS)})", column="columns"
            )
        if not isinstance(theirs, str) or not theirs.strip():
            raise ManifestError(meta_path, f"the column name for {ours!r} must be text", column=f"columns.{ours}")
        if theirs.strip() in renames:
            raise ManifestError(meta_path, f"column {theirs!r} is named for two fields", column=f"columns.{ours}")
        renames[theirs.strip()] = ours
    return renames


def _value_map(value: Any, meta_path: Path) -> dict[str, dict[str, str]]:
    """collection.yaml ``values: {rights: {"True": "Public Domain", "False": "In Copyright"}}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(meta_path, "must map a field to {your value: pdpack value}", column="values")
    result: dict[str, dict[str, str]] = {}
    for name, table in value.items():
        if name not in ITEM_FIELDS or not isinstance(table, dict):
            raise ManifestError(meta_path, f"{name!r} must be a pdpack field with a mapping of values", column="values")
        if not all(isinstance(v, str | int | float) or v is None for v in [*table.keys(), *table.values()]):
            raise ManifestError(meta_path, "each value must be a single text or number", column=f"values.{name}")
        result[name] = {str(k).strip(): "" if v is None else str(v).strip() for k, v in table.items()}
        for translated in result[name].values():
            if _looks_like_url(translated):
                _check_url(translated, meta_path, f"values.{name}")
    return result


def _labels(value: Any, meta_path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(";") if part.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise ManifestError(meta_path, "must be a list of label names", column="local_contexts")


def _find_manifest(root: Path) -> Path:
    """The one item source: items.csv, items.jsonl, or the iiif/ folder when it holds .json files."""

    present = [root / name for name in MANIFEST_NAMES if (root / name).is_file()]
    for path in [*present, root / IIIF_FOLDER]:
        if path.exists() or path.is_symlink():
            require_inside(root, path)
    if manifest_files(root / IIIF_FOLDER):
        present.append(root / IIIF_FOLDER)
    if not present:
        raise ManifestError(root, f"no item manifest: add {' or '.join(MANIFEST_NAMES)}")
    if len(present) > 1:
        first, second = (p.name if p.is_file() else f"{p.name}/*.json" for p in present[:2])
        raise ManifestError(root, f"both {first} and {second} exist; keep one")
    return present[0]
