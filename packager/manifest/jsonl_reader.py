"""items.jsonl read line by line: one JSON object a row, its keys matched like a CSV header."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from packager.manifest.headers import HeaderMatch, match_header
from packager.manifest.nesting import MAX_NESTING, deeper_than
from packager.model import ITEM_FIELDS


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


def jsonl_header(path: Path, renames: dict[str, str]) -> HeaderMatch:
    """The keys of the first record matched like a CSV header: its notes say what was matched forgivingly."""
    rows = read_jsonl(path, None)
    try:
        first = next((record for _, record in rows if isinstance(record, dict)), None)
    finally:
        rows.close()
    return match_header(list(first or {}), renames, ITEM_FIELDS)


def _jsonl_fields(renames: dict[str, str] | None) -> Callable[[str], str]:
    """The pdpack field each JSON key feeds, matched like a CSV header (and remembered per key)."""
    cache: dict[str, str] = {}

    def field_of(key: str) -> str:
        if key not in cache:
            cache[key] = match_header([key], renames or {}, ITEM_FIELDS).fields[0]
        return cache[key]

    return field_of


_TOO_DEEP = object()


def read_jsonl(
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
