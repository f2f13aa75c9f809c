"""The items of a collection: rows of items.csv or items.jsonl read, mapped and checked, one at a time."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

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
from packager.manifest.iiif import read_iiif
from packager.manifest.nesting import MAX_NESTING, deeper_than
from packager.model import (
    ITEM_FIELDS,
    ITEM_ID_PATTERN,
    MAX_ITEM_ID_CHARS,
    Collection,
    Item,
    ManifestError,
    Rejection,
)
from packager.rights.notices import may_state_rights
from packager.textsafe import printable

# Ten megabytes per cell: long enough for any real description, short enough to stop runaway files.
MAX_CELL_CHARS = 10_000_000
# What one cell of an item may hold once read: far more than any title or description (captions are cut
# to 1,000 characters; the text travels whole in the sample's JSON), and a bound on every text step.
MAX_TEXT_CHARS = 100_000
_UNUSED_MAPPING = "columns: "


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
