"""Stewards' decisions on items held for review, read from ``review.csv`` beside the manifest.

Columns: id, decision (ship | hold), reviewer, date (YYYY-MM-DD), note, override (yes | no),
overrules (the findings the override overrules, by name: see ``packager.rights.overrules``).
A decision to ship settles doubt: missing, unclear or unverifiable information. It
overrules an in-copyright or licence statement, a copyright notice or a copyright term
the rules find still running only with ``override=yes``, a note giving the reason, and
that finding named in ``overrules``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.model import Collection, ManifestError
from packager.rights.overrules import CLAIM_NAMES, parse_overrules
from packager.safepath import require_inside

REVIEW_FILE = "review.csv"
COLUMNS = ("id", "decision", "reviewer", "date", "note", "override", "overrules")
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection"):
# `=HYPERLINK(...)` in an id would run when a steward opens the template.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReviewDecision:
    id: str
    decision: str  # ship | hold
    reviewer: str
    date: str
    note: str
    override: bool
    row: int
    # The findings the override names (statement, copyright_notice, embedded, notice, term:XX); empty without override.
    overrules: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reviewer": self.reviewer,
            "date": self.date,
            "note": self.note,
            "override": self.override,
            "overrules": list(self.overrules),
        }

    @property
    def where(self) -> str:
        return f"{REVIEW_FILE} row {self.row}"

    @property
    def summary(self) -> str:
        text = f"{self.where}: {self.decision} by {self.reviewer} on {self.date}"
        if self.override:
            text += f" (override of {', '.join(self.overrules) or 'no named finding'})"
        return text + (f": {self.note}" if self.note else "")


def csv_cell(text: str) -> str:
    """One quoted CSV cell that no spreadsheet reads as a formula: a leading ``'`` before a formula start.

    Every cell is quoted, so a comma, quote or line break inside stays in its cell and its row.
    """
    if text.startswith(FORMULA_START):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def template_row(item_id: str, date: str) -> str:
    """A review.csv row waiting for a decision (``pdpack review --template``): id, date and override=no."""
    cells = {"id": item_id, "date": date, "override": "no"}
    return ",".join(csv_cell(cells.get(column, "")) for column in COLUMNS)


def _item_id(cell: str) -> str:
    """The item id of a review.csv cell, without the ``'`` that ``csv_cell`` put before a formula start.

    Item ids never start with an apostrophe (model.ITEM_ID_PATTERN), so removing it is unambiguous.
    """
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def review_path(collection: Collection) -> Path:
    return collection.root / REVIEW_FILE


def load_reviews(collection: Collection) -> dict[str, ReviewDecision]:
    """The decisions in the collection's review.csv by item id (empty when there is none)."""
    path = review_path(collection)
    if path.is_symlink():
        require_inside(collection.root, path)
    if not path.is_file() or not _has_text(path):
        return {}  # an empty file (as the shell's `>>` leaves it) holds no decisions
    decisions: dict[str, ReviewDecision] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in ("id", "decision", "reviewer", "date") if c not in header]
            if missing:
                raise ManifestError(path, f"the header lacks {', '.join(missing)}", row=1, column=missing[0])
            reader.fieldnames = header
            for row, record in enumerate(reader, start=2):
                cells = {k: (v or "").strip() for k, v in record.items() if k}
                if not cells.get("decision"):
                    continue  # a row still waiting for a decision (as `pdpack review --template` writes them)
                decision = _decision(path, row, cells)
                if decision.id in decisions:
                    first = decisions[decision.id].row
                    raise ManifestError(path, f"{decision.id!r} was already decided in row {first}", row, "id")
                decisions[decision.id] = decision
    except UnicodeDecodeError as exc:
        raise ManifestError(path, "is not UTF-8; save it as 'CSV UTF-8'") from exc
    return decisions


def _has_text(path: Path) -> bool:
    with path.open("rb") as handle:
        return bool(handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n"))


def review_rows(collection: Collection) -> dict[str, bool]:
    """Every id with a row in review.csv, and whether that row has a decision (False: it waits to be filled in)."""
    path = review_path(collection)
    decided = load_reviews(collection)  # checks the file first: a broken one stops here, naming the row
    if not decided and (not path.is_file() or not _has_text(path)):
        return {}
    rows: dict[str, bool] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
        for record in reader:
            item_id = _item_id((record.get("id") or "").strip())
            if item_id:
                rows[item_id] = rows.get(item_id, False) or item_id in decided
    return rows


def _decision(path: Path, row: int, record: dict[str, str]) -> ReviewDecision:
    def required(column: str) -> str:
        value = record.get(column, "")
        if not value:
            raise ManifestError(path, "is empty", row=row, column=column)
        return value

    decision = required("decision").lower()
    if decision not in {"ship", "hold"}:
        raise ManifestError(path, f"{decision!r} is not a decision; write ship or hold", row, "decision")
    date = required("date")
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        raise ManifestError(path, f"{date!r} is not a date like 2026-12-01", row, "date") from exc
    override_text = record.get("override", "").lower()
    if override_text not in {"", "yes", "no", "true", "false"}:
        raise ManifestError(path, f"{override_text!r}: write yes or no", row, "override")
    override = override_text in {"yes", "true"}
    note = record.get("note", "")
    if override and not note:
        raise ManifestError(path, "an override needs a note giving the reason", row, "note")
    try:
        overrules = parse_overrules(record.get("overrules", ""))
    except ValueError as exc:
        raise ManifestError(path, str(exc), row, "overrules") from exc
    if overrules and not override:
        raise ManifestError(path, "naming findings to overrule needs override=yes", row, "overrules")
    if override and not overrules:
        raise ManifestError(
            path,
            f"override=yes must name the findings it overrules ({', '.join([*CLAIM_NAMES, 'term:XX'])})",
            row,
            "overrules",
        )
    if overrules and decision != "ship":
        raise ManifestError(path, "only a decision to ship overrules anything", row, "overrules")
    item_id = _item_id(required("id"))
    return ReviewDecision(item_id, decision, required("reviewer"), date, note, override, row, overrules)
