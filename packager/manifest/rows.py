"""The items of a collection: rows read (csv_reader, jsonl_reader, iiif), mapped to items and checked, one at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from packager.manifest.csv_reader import read_csv
from packager.manifest.headers import (
    death_year_from_life_dates,
    looks_like_life_dates,
)
from packager.manifest.iiif import read_iiif
from packager.manifest.jsonl_reader import read_jsonl
from packager.model import (
    ITEM_FIELDS,
    ITEM_ID_PATTERN,
    MAX_ITEM_ID_CHARS,
    Collection,
    Item,
    Rejection,
)
from packager.rights.notices import may_state_rights
from packager.textsafe import printable

# What one cell of an item may hold once read: far more than any title or description (captions are cut
# to 1,000 characters; the text travels whole in the sample's JSON), and a bound on every text step.
MAX_TEXT_CHARS = 100_000


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
    reader = read_csv if collection.manifest.suffix == ".csv" else read_jsonl
    for row, record in reader(collection.manifest, collection.columns):
        yield f"row {row}", _to_item(collection, row, record)


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
    # Every cell goes to the Item field of its name, so a field added to Item needs no edit here; only the
    # fields worked out from the cells are given apart.
    cells: dict[str, Any] = {name: values.get(name) for name in ITEM_FIELDS}
    cells.update(id=item_id, creator_death_year=death_year)
    return Item(
        collection=collection.id,
        row=row,
        **cells,
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
    found = [(collection.cell("credit_line"), credit)] if credit else []
    found += [(f"{name} column '{column}'", text) for column, text in extra.items() if may_state_rights(column)]
    return tuple(found)
