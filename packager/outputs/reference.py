"""Reference pages made from the code: reason tables, the collection schema and the module layout.

The documentation site's hook (``docs/hooks.py``) puts these tables where a page holds a marker
such as ``<!-- pdpack:reasons -->``, so the site can never disagree with the code. Every cell is
escaped with the one Markdown escaper (``packager.markdown.md``) where it holds prose.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from packager.manifest.schemas import COLLECTION_SCHEMA, ITEM_SCHEMA
from packager.markdown import md
from packager.model import REGISTRY, Picture, Severity

SEVERITY_WORDS = {
    Severity.FIX: "fix the files",
    Severity.RIGHTS: "rights outcome",
    Severity.INFO: "information",
}
PICTURE_WORDS = {
    Picture.SHOWN: "pictured for staff",
    Picture.NONE: "no picture (nothing to draw)",
    Picture.WITHHELD: "never pictured",
}


def _cell(text: str) -> str:
    """Prose in a table cell: one line, escaped (the escaper also escapes the pipe that would split the row)."""
    return md(text)


def reason_summary() -> str:
    """Code, label and explanation of every reason, for the staff pages."""
    rows = ["| code | in `report.html` | meaning and what to do |", "| --- | --- | --- |"]
    rows += [f"| `{r.code}` | {_cell(r.label)} | {_cell(r.explanation)} |" for r in REGISTRY.values()]
    return "\n".join(rows) + "\n"


def reason_reference() -> str:
    """Every field of every reason: one section per code, in registry order."""
    parts = [
        "| code | label | severity | fails a pull-request check | a steward can settle it | `report.html` |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in REGISTRY.values():
        parts.append(
            f"| [`{r.code}`](#{_anchor(r.code)}) | {_cell(r.label)} | {SEVERITY_WORDS[r.severity]} | "
            f"{'yes' if r.fails_check else 'no'} | {'yes, in review.csv' if r.steward else 'no'} | "
            f"{PICTURE_WORDS[r.picture]} |"
        )
    for r in REGISTRY.values():
        parts += [
            "",
            f"## `{r.code}` {{ #{_anchor(r.code)} }}",
            "",
            f"**{_cell(r.label)}.** {_cell(r.explanation)}",
            "",
            f"What to change: {_cell(r.fix)}",
        ]
    return "\n".join(parts) + "\n"


def _anchor(code: str) -> str:
    return "reason-" + code.replace(":", "-")


def _type(spec: Mapping[str, Any]) -> str:
    if "oneOf" in spec:
        return " or ".join(_type(option) for option in spec["oneOf"])
    kind = spec.get("type", "any")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
    return " or ".join(kinds) or "null"


def _example(spec: Mapping[str, Any]) -> str:
    examples = spec.get("examples") or []
    if not examples:
        return ""
    shown = json.dumps(examples[0], ensure_ascii=False)
    return "`" + shown.replace("`", "'").replace("|", "\\|") + "`"


def _properties_table(schema: Mapping[str, Any], first_column: str) -> str:
    required = set(schema.get("required", []))
    rows = [f"| {first_column} | required | type | meaning | example |", "| --- | --- | --- | --- | --- |"]
    for name, spec in schema["properties"].items():
        rows.append(
            f"| `{name}` | {'yes' if name in required else 'no'} | {_type(spec)} | "
            f"{_cell(spec.get('description', ''))} | {_example(spec)} |"
        )
    return "\n".join(rows) + "\n"


def collection_keys() -> str:
    """The keys of collection.yaml, from its JSON Schema."""
    return _cell(COLLECTION_SCHEMA.get("description", "")) + "\n\n" + _properties_table(COLLECTION_SCHEMA, "key")


def item_fields() -> str:
    """The fields of one item (a row of items.csv, a line of items.jsonl), from the item schema."""
    return _cell(ITEM_SCHEMA.get("description", "")) + "\n\n" + _properties_table(ITEM_SCHEMA, "field")


def _doc_cell(line: str) -> str:
    """A docstring's first line in a table cell: its ``literals`` as code spans, the rest escaped."""
    parts = re.split(r"``(.+?)``", line)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append("`" + part.replace("`", "'").replace("|", "\\|") + "`")
        elif part.strip():
            # The escaper trims; the spaces next to a code span are kept.
            out.append((" " if part[0].isspace() else "") + _cell(part) + (" " if part[-1].isspace() else ""))
        else:
            out.append(" " if part else "")
    return "".join(out)


def module_table(root: Path | None = None) -> str:
    """Every module of the package with the first line of its docstring: the layout, from the code itself."""
    package = root or Path(str(resources.files("packager")))
    rows = ["| module | job |", "| --- | --- |"]
    for path in sorted(package.rglob("*.py"), key=lambda p: p.relative_to(package).parts):
        if "__pycache__" in path.parts:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        name = "packager/" + path.relative_to(package).as_posix()
        rows.append(f"| `{name}` | {_doc_cell(doc.strip().splitlines()[0] if doc.strip() else '')} |")
    return "\n".join(rows) + "\n"


# Marker in a page -> the function that writes what replaces it.
MARKERS: dict[str, Callable[[], str]] = {
    "<!-- pdpack:reason-summary -->": reason_summary,
    "<!-- pdpack:reasons -->": reason_reference,
    "<!-- pdpack:collection-keys -->": collection_keys,
    "<!-- pdpack:item-fields -->": item_fields,
    "<!-- pdpack:modules -->": module_table,
}


def fill(markdown: str) -> str:
    """A page's Markdown with every marker replaced by its generated table."""
    for marker, make in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
