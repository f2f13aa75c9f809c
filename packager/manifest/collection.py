"""Collections and items: read a contributed collection folder.

A collection folder holds ``collection.yaml`` and ``items.csv``, ``items.jsonl``
or ``iiif/*.json`` (IIIF Presentation manifests, read by ``packager.manifest.iiif``).
Problems with the collection as a whole raise ManifestError (the build cannot
go on); problems with one row become a Rejection for that row, so that every
row ends somewhere.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import string
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

import yaml

from packager.captions.template import check_caption_template
from packager.manifest.headers import (
    SEPARATORS,
    HeaderMatch,
    clean_name,
    columns_snippet,
    death_year_from_life_dates,
    detect_separator,
    looks_like_life_dates,
    match_header,
)
from packager.manifest.iiif import IIIF_FOLDER, manifest_files, read_iiif
from packager.manifest.nesting import MAX_NESTING, deeper_than
from packager.manifest.schema import require_valid_collection
from packager.manifest.yamlsafe import load_yaml
from packager.markdown import url_problem
from packager.model import (
    COLLECTION_FILE,
    COLLECTION_KEYS,
    DEFAULT_ATTRIBUTION,
    ID_PATTERN,
    ITEM_FIELDS,
    ITEM_ID_PATTERN,
    MAX_ITEM_ID_CHARS,
    MAX_YAML_BYTES,
    TEMPLATE_FIELDS,
    Collection,
    Institution,
    Item,
    ManifestError,
    Rejection,
)
from packager.rights.notices import may_state_rights
from packager.safepath import require_inside
from packager.textsafe import printable

MANIFEST_NAMES = ("items.csv", "items.jsonl")
# Ten megabytes per cell: long enough for any real description, short enough to stop runaway files.
MAX_CELL_CHARS = 10_000_000
# What one cell of an item may hold once read: far more than any title or description (captions are cut
# to 1,000 characters; the text travels whole in the sample's JSON), and a bound on every text step.
MAX_TEXT_CHARS = 100_000


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
    if manifest.suffix == ".csv":
        # Fail on a broken header now, before any item is processed.
        rows = _read_csv(manifest, columns, notes)
        try:
            next(rows, None)
        finally:
            rows.close()
        warnings += [note for note in notes if note.startswith(_UNUSED_MAPPING)]
        notes = [note for note in notes if not note.startswith(_UNUSED_MAPPING)]
    elif manifest.suffix == ".jsonl":
        notes = _jsonl_notes(manifest, columns)
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


_UNUSED_MAPPING = "columns: "


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


def count_entries(collection: Collection) -> int:
    """How many rows the manifest has (each becomes a sample or a rejection), read as a stream."""
    return sum(1 for _ in _entries(collection))


def read_items(collection: Collection) -> Iterator[Item | Rejection]:
    """Yield every row of the manifest as an Item, or a Rejection naming what is wrong with it.

    Rows are streamed. Duplicate ids are rejected after the first occurrence.
    """
    seen: dict[str, str] = {}
    for place, result in _entries(collection):
        if isinstance(result, Item):
            result = _checked(collection, place, result)
        if isinstance(result, Item):
            if result.id not in seen:
                seen[result.id] = place
            else:
                where = (
                    place
                    if collection.manifest.is_dir()
                    else f"{collection.manifest.name}, {place}, column '{collection.column_name('id')}'"
                )
                result = Rejection(
                    collection.id,
                    result.id,
                    "manifest:duplicate-id",
                    f"{where}: {result.id!r} is already used by {seen[result.id]}",
                    row=result.row,
                )
        yield result


def _checked(collection: Collection, place: str, item: Item) -> Item | Rejection:
    """The item, or a Rejection when its id breaks ITEM_ID_PATTERN or a cell is longer than MAX_TEXT_CHARS."""

    def where(field: str) -> str:
        if collection.manifest.is_dir():
            return f"{place}, {field}"
        return f"{collection.manifest.name}, {place}, column '{collection.column_name(field)}'"

    if not ITEM_ID_PATTERN.match(item.id):
        shown = item.id if len(item.id) <= MAX_ITEM_ID_CHARS else item.id[:MAX_ITEM_ID_CHARS] + "..."
        return Rejection(
            collection.id,
            printable(item.id[:MAX_ITEM_ID_CHARS]),
            "manifest:invalid-id",
            f"{where('id')}: {shown!r} is not a valid item id",
            row=item.row,
        )
    cells = [(f.name, getattr(item, f.name)) for f in fields(item)] + list(item.extra.items())
    for name, value in cells:
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            return Rejection(
                collection.id,
                item.id,
                "manifest:invalid-row",
                f"{where(name)}: {len(value):,} characters, more than the {MAX_TEXT_CHARS:,} a cell may hold; "
                "keep the full text in your catalogue and give a shorter one here",
                row=item.row,
            )
    return item


def _entries(collection: Collection) -> Iterator[tuple[str, Item | Rejection]]:
    """(place, Item or Rejection) for every row: ``row 3``, or ``iiif/a.json, canvas 2`` for IIIF manifests."""
    if collection.manifest.is_dir():
        yield from read_iiif(collection)
        return
    reader = _read_csv if collection.manifest.suffix == ".csv" else _read_jsonl
    for row, record in reader(collection.manifest, collection.columns):
        yield f"row {row}", _to_item(collection, row, record)


class _UndecodableLine(Exception):
    def __init__(self, error: UnicodeDecodeError):
        self.error = error


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _utf8_lines(handle: IO[bytes]) -> Iterator[str]:
    """Decode line by line, so an encoding error points at the row that holds the bad byte.

    Lines end at \\n, \\r\\n or a lone \\r (old Mac exports); the csv module sees each one.
    """
    for number, raw in enumerate(handle, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _UndecodableLine(exc) from exc
        yield from (part for part in _LONE_CR.split(text) if part)


def _encodable(value: Any) -> bool:
    """Whether every string in a decoded JSON value can be written as UTF-8 (JSON allows lone surrogates)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    return True


def _read_csv(
    path: Path, renames: dict[str, str] | None = None, notes: list[str] | None = None
) -> Generator[tuple[int, dict[str, Any] | str], None, None]:
    """Yield (row number, record) with the header as row 1, as a spreadsheet counts.

    The separator (comma, semicolon or tab, as European spreadsheet exports use) is the one that
    splits the header; ``notes`` receives what was read forgivingly, in the contributor's words.
    """
    csv.field_size_limit(MAX_CELL_CHARS)
    with path.open("rb") as handle:
        lines = _utf8_lines(handle)
        row = 1
        header: list[str] | None = None
        try:
            first = next(lines, None)
            separator = detect_separator(first) if first is not None else ","
            reader = csv.reader(itertools.chain([first] if first is not None else [], lines), delimiter=separator)
            header = next(reader, None)
            if header is None:
                raise ManifestError(path, "is empty; the first row must name the columns (id, file, ...)")
            match = match_header(header, renames or {}, ITEM_FIELDS)
            columns = _check_header(path, header, match, renames or {}, separator)
            if notes is not None:
                if separator != ",":
                    notes.append(f"{path.name}: the columns are separated by {SEPARATORS[separator]}; read that way")
                notes += [f"{path.name}: {note}" for note in match.notes]
                notes += [
                    f"{_UNUSED_MAPPING}{ours} is mapped to {theirs!r}, which is not a column of {path.name}; "
                    f"its columns are {_names(header)}"
                    for theirs, ours in (renames or {}).items()
                    if ours not in match.sources
                ]
            for row, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) > len(columns):
                    yield row, f"has {len(values)} cells but the header names {len(columns)} columns"
                    continue
                yield row, dict(zip(columns, values, strict=False))
        except _UndecodableLine as exc:
            bad_row = row + 1 if header is not None else 1
            raise ManifestError(
                path,
                f"is not UTF-8 (byte 0x{exc.error.object[exc.error.start]:02x}); "
                "save it as 'CSV UTF-8' from your spreadsheet",
                row=bad_row,
            ) from exc
        except csv.Error as exc:
            raise ManifestError(path, f"cannot be read as CSV: {exc}", row=row + 1) from exc


def _names(header: list[str]) -> str:
    return ", ".join(repr(clean_name(cell)) for cell in header if clean_name(cell))


def _check_header(
    path: Path, header: list[str], match: HeaderMatch, renames: dict[str, str], separator: str = ","
) -> list[str]:
    columns = match.fields
    for index, name in enumerate(columns, start=1):
        if not name:
            raise ManifestError(path, f"column {index} of the header has no name", row=1)
    duplicates = sorted(name for name, count in Counter(columns).items() if count > 1)
    if duplicates:
        raise ManifestError(path, f"the header repeats {', '.join(duplicates)}", row=1, column=duplicates[0])
    mapped = {ours: theirs for theirs, ours in renames.items()}
    for needed in ("id", "file", "url"):
        if needed in mapped and needed not in columns:
            raise ManifestError(
                path,
                f"collection.yaml maps {needed} to {mapped[needed]!r} (columns: {needed}: ...), but the header has "
                f"no such column; its columns are {_names(header)}",
                row=1,
                column=mapped[needed],
            )
    if "id" not in columns or ("file" not in columns and "url" not in columns):
        lacking = "no 'id' column" if "id" not in columns else "neither a 'file' nor a 'url' column"
        separated = f" (separated by {SEPARATORS[separator]})" if separator != "," else ""
        raise ManifestError(
            path,
            f"the header has {lacking}; its columns{separated} are {_names(header)}. If this is an export from your "
            "collection system, keep it as it is and say in collection.yaml which column holds what, e.g.\n\n"
            + columns_snippet(header, [c for c in columns if c in ITEM_FIELDS])
            + "\n",
            row=1,
            column="id" if "id" not in columns else "file",
        )
    return columns


def _jsonl_notes(path: Path, renames: dict[str, str]) -> list[str]:
    """The keys of the first record that were matched forgivingly, said as for a CSV header."""
    rows = _read_jsonl(path, None)
    try:
        first = next((record for _, record in rows if isinstance(record, dict)), None)
    finally:
        rows.close()
    if first is None:
        return []
    return [f"{path.name}: {note}" for note in match_header(list(first), renames, ITEM_FIELDS).notes]


def _jsonl_fields(renames: dict[str, str] | None) -> Callable[[str], str]:
    """The pdpack field each JSON key feeds, matched like a CSV header (and remembered per key)."""
    cache: dict[str, str] = {}

    def field_of(key: str) -> str:
        if key not in cache:
            cache[key] = match_header([key], renames or {}, ITEM_FIELDS).fields[0]
        return cache[key]

    return field_of


_TOO_DEEP = object()


def _read_jsonl(
    path: Path, renames: dict[str, str] | None = None, notes: list[str] | None = None
) -> Generator[tuple[int, dict[str, Any] | str], None, None]:
    field_of = _jsonl_fields(renames)
    with path.open("rb") as handle:
        for row, raw in enumerate(handle, start=1):
            if row == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield row, "is not UTF-8 text"
                continue
            except json.JSONDecodeError as exc:
                yield row, f"is not valid JSON ({exc.msg} at character {exc.colno})"
                continue
            except RecursionError:
                record = _TOO_DEEP
            if record is _TOO_DEEP or deeper_than(record, MAX_NESTING):
                yield row, f"nests values more than {MAX_NESTING} levels deep; a row needs only a few"
                continue
            if not isinstance(record, dict):
                yield row, 'must be a JSON object like {"id": ..., "file": ...}'
                continue
            if not _encodable(record):
                yield row, "contains text that is not valid Unicode (a lone surrogate such as \\ud800)"
                continue
            yield row, {field_of(str(k)): v for k, v in record.items()}


def _to_item(collection: Collection, row: int, record: dict[str, Any] | str) -> Item | Rejection:
    name = collection.manifest.name
    fallback_id = f"row-{row}"
    if isinstance(record, str):
        return Rejection(collection.id, fallback_id, "manifest:invalid-row", f"{name}, row {row}: {record}", row=row)
    values: dict[str, str | None] = {}
    extra: dict[str, str] = {}
    for key, value in record.items():
        target = key.lower() if key.lower() in ITEM_FIELDS else key
        if value is None:
            text = None
        elif isinstance(value, str):
            text = value.strip() or None
        elif target in ITEM_FIELDS and isinstance(value, bool | list | dict):
            raw_id = record.get("id")
            return Rejection(
                collection.id,
                str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip() else fallback_id,
                "manifest:invalid-row",
                f"{name}, row {row}, column '{collection.column_name(target)}': "
                f"must be text, not {type(value).__name__}",
                row=row,
            )
        elif isinstance(value, int | float):
            text = str(value)
        else:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if target in ITEM_FIELDS:
            translations = collection.values.get(target)
            if translations and text is not None and text in translations:
                text = translations[text] or None
            values[target] = text
        elif text is not None:
            extra[target] = text
    item_id = values.get("id")
    if not item_id:
        return Rejection(
            collection.id,
            fallback_id,
            "manifest:missing-id",
            f"{name}, row {row}, column '{collection.column_name('id')}': empty",
            row=row,
        )
    file_column, url_column = collection.column_name("file"), collection.column_name("url")
    if values.get("file") and values.get("url"):
        return Rejection(
            collection.id,
            item_id,
            "manifest:both-sources",
            f"{name}, row {row}: both '{file_column}' and '{url_column}' are filled in",
            row=row,
        )
    if not values.get("file") and not values.get("url"):
        return Rejection(
            collection.id,
            item_id,
            "manifest:no-source",
            f"{name}, row {row}: '{file_column}' and '{url_column}' are both empty",
            row=row,
        )
    death_year: int | None = None
    problems: list[tuple[str, str]] = []
    if values.get("creator_death_year"):
        death_year, problem = _death_year(collection, str(values["creator_death_year"]))
        if problem:
            problems.append(("manifest:invalid-row", f"{name}, row {row}, {problem}"))
    elif values.get("creator_dates"):
        death_year = death_year_from_life_dates(str(values["creator_dates"]))
    return Item(
        collection=collection.id,
        id=item_id,
        row=row,
        file=values.get("file"),
        url=values.get("url"),
        title=values.get("title"),
        creator=values.get("creator"),
        description=values.get("description"),
        caption=values.get("caption"),
        date=values.get("date"),
        creator_death_year=death_year,
        creator_dates=values.get("creator_dates"),
        rights=values.get("rights"),
        source_url=values.get("source_url"),
        credit_line=values.get("credit_line"),
        acquisition_credit=values.get("acquisition_credit"),
        published=values.get("published"),
        us_federal_work=values.get("us_federal_work"),
        ai_preferences=values.get("ai_preferences"),
        local_contexts=values.get("local_contexts"),
        copyright_notice=values.get("copyright_notice"),
        extra=dict(sorted(extra.items())),
        problems=tuple(problems),
        notices=_notices(collection, values.get("credit_line"), extra),
    )


def _death_year(collection: Collection, text: str) -> tuple[int | None, str | None]:
    """The year of death in a creator_death_year cell, or what is wrong with the cell, in the contributor's words.

    Several creators ("1890 | 1921", as the Met exports them): the term runs from the last death.
    """
    try:
        return max(int(part) for part in re.split(r"[|;,]", text) if part.strip()), None
    except ValueError:
        pass
    column = collection.column_name("creator_death_year")
    if looks_like_life_dates(text):
        return None, (
            f"column '{column}': {text!r} holds life dates, not a year of death: map '{column}' to creator_dates "
            f'in collection.yaml (columns: {{creator_dates: "{column}"}}); pdpack reads the death year from them'
        )
    return None, f"column '{column}': {text!r} is not a year; write the year the creator died, e.g. 1851"


def _notices(collection: Collection, credit: str | None, extra: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Texts that may state rights besides the rights and copyright_notice cells, named as the contributor
    names them: the credit line ("Photo © Museum 2019"), and columns such as "Rights and Reproduction"."""
    name = collection.manifest.name
    found = [(f"{name} column '{collection.column_name('credit_line')}'", credit)] if credit else []
    found += [(f"{name} column '{column}'", text) for column, text in extra.items() if may_state_rights(column)]
    return tuple(found)
