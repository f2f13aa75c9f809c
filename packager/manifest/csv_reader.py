"""items.csv read row by row: UTF-8 checked line by line, the separator found, the header matched and checked."""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any

from packager.manifest.headers import (
    SEPARATORS,
    HeaderMatch,
    clean_name,
    columns_snippet,
    detect_separator,
    match_header,
)
from packager.model import ITEM_FIELDS, ManifestError

# Ten megabytes per cell: long enough for any real description, short enough to stop runaway files.
MAX_CELL_CHARS = 10_000_000
# A note that starts so says a mapping in collection.yaml names no column: it is a warning, not a note.
UNUSED_MAPPING = "columns: "


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


def read_csv(
    path: Path,
    renames: dict[str, str] | None = None,
    notes: list[str] | None = None,
    sources: dict[str, str] | None = None,
) -> Generator[tuple[int, dict[str, Any] | str], None, None]:
    """Yield (row number, record) with the header as row 1, as a spreadsheet counts.

    The separator (comma, semicolon or tab, as European spreadsheet exports use) is the one that
    splits the header; ``notes`` receives what was read forgivingly, in the contributor's words, and
    ``sources`` the header cell that feeds each pdpack field, as the file spells it.
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
            if sources is not None:
                sources.update(match.sources)
            if notes is not None:
                if separator != ",":
                    notes.append(f"{path.name}: the columns are separated by {SEPARATORS[separator]}; read that way")
                notes += [f"{path.name}: {note}" for note in match.notes]
                notes += [
                    f"{UNUSED_MAPPING}{ours} is mapped to {theirs!r}, which is not a column of {path.name}; "
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
