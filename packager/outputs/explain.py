"""One line per piece of rights evidence (``validate --explain``, ``pdpack review``), in the contributor's words.

A line is ``[status] where = value: finding``. Where the evidence comes from a cell of the manifest,
``where`` is that cell as the collection names it ("items.csv column 'Rights Statement'", or the IIIF
property), never pdpack's own field name; a finding that starts with the same place does not say it twice.
"""

from __future__ import annotations

from typing import Any

from packager.model import ITEM_FIELDS, Collection

COLLECTION_YAML = "collection.yaml"


def evidence_line(evidence: dict[str, Any], collection: Collection) -> str:
    """The evidence as one line, its place named as ``collection`` names it."""
    where, finding = _place(evidence, collection)
    value = f" = {evidence['value']!r}" if evidence["value"] else ""
    if not value and where in finding:
        return f"[{evidence['status']}] {finding}"  # "no rights statement: items.csv column 'X' is empty ..."
    return f"[{evidence['status']}] {where}{value}: {finding}"


def _place(evidence: dict[str, Any], collection: Collection) -> tuple[str, str]:
    """Where the evidence comes from, and its finding without that place where it starts with it."""
    source, field, finding = str(evidence["source"]), str(evidence["field"]), str(evidence["finding"])
    if field == "local_contexts":  # the row's labels and collection.yaml's together: no one place holds them
        return "Local Contexts", finding
    if source in ("manifest", "preference") and field in ITEM_FIELDS:
        # A preference may come from collection.yaml instead of the row: its finding starts with the place.
        cell = collection.cell(field)
        for place, said in ((cell, cell), (COLLECTION_YAML, f"{COLLECTION_YAML} {field}")):
            if finding.startswith(place + ": "):
                return said, finding.removeprefix(place + ": ")
        return cell, finding
    if source == "manifest" and field == "notice":  # a credit line, an IIIF requiredStatement: the finding says which
        return "a text in the record", finding
    if source == "collection":  # the collection's default, under its own key in collection.yaml
        return f"{COLLECTION_YAML} {field}", finding.removeprefix(COLLECTION_YAML + ": ")
    if source == "term-rule":
        names = [name for name in field.split(",") if name in ITEM_FIELDS]
        return (f"term rules on {collection.cells(names)}" if names else "term rules"), finding
    return f"{source} {field}".strip(), finding
