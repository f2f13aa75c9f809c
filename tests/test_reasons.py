"""The reason registry is the one place a reason code is defined; everything else derives from it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import packager
from packager.cli.review import REVIEWABLE
from packager.model import ITEM_FIELDS, REGISTRY, Picture, Severity
from packager.model.reason import FIELD_PLACE
from packager.outputs import report_data

PACKAGE = Path(packager.__file__).parent
FAMILIES = "manifest|path|file|url|image|rights|preference|sensitivity|review|duplicate|embedded|internal|caption|item"
CODE = re.compile(rf"^(?:(?:{FAMILIES}):[a-z]+(?:-[a-z]+)*|takedown)$")


def _code_literals() -> dict[str, set[str]]:
    """Every string literal in packager/ shaped like a reason code, with the modules that hold it."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                found.setdefault(node.value, set()).add(path.relative_to(PACKAGE).as_posix())
    return found


def test_every_code_in_the_source_is_registered_and_every_registered_code_is_used() -> None:
    literals = _code_literals()
    unknown = sorted(code for code in literals if code not in REGISTRY)
    assert not unknown, f"reason codes used in packager/ but missing from packager.model.REGISTRY: {unknown}"
    unused = sorted(code for code in REGISTRY if not {m for m in literals[code] if not m.startswith("model/")})
    assert not unused, f"registered reasons no module emits: {unused}"


def test_every_reason_is_complete() -> None:
    for code, reason in REGISTRY.items():
        assert reason.code == code
        assert reason.label and len(reason.label) <= 40, code
        assert reason.explanation.endswith(".") and reason.fix.endswith("."), code
        assert len(reason.fix) > 40, code
        if reason.steward:
            assert "review.csv" in reason.fix, code
        if reason.picture is Picture.WITHHELD:
            assert not reason.fails_check, code


def test_a_fix_names_manifest_fields_only_through_placeholders() -> None:
    """A field in a fix is written {field}, so that each collection reads its own column (Reason.fix_in)."""
    spelled_out = re.compile(rf"\bthe (?:{'|'.join(ITEM_FIELDS)}) cells?\b")  # "the rights cell"
    for code, reason in REGISTRY.items():
        named = [name for found in FIELD_PLACE.findall(reason.fix_template) for name in found.split(",")]
        assert set(named) <= set(ITEM_FIELDS), code
        assert "{" not in FIELD_PLACE.sub("", reason.fix_template), code  # no brace left unrendered
        assert not spelled_out.search(reason.fix_template), code
    spelled = {"rights": "the 'Rechte' column", "date": "the 'Datum' column"}
    fix = REGISTRY["rights:undetermined"].fix_in(lambda names: " and ".join(spelled.get(n, n) for n in names))
    assert "in the 'Rechte' column (e.g." in fix and "the date in the 'Datum' column;" in fix
    assert "the rights cell" in REGISTRY["rights:undetermined"].fix  # no collection: pdpack's own names


def test_derived_tables_follow_the_registry() -> None:
    assert {code: r.label for code, r in REGISTRY.items()} == report_data.LABELS
    assert {code: r.fix for code, r in REGISTRY.items()} == report_data.FIXES
    assert set(REVIEWABLE) == {code for code, r in REGISTRY.items() if r.steward}


def test_severity_decides_what_fails_a_pull_request_check() -> None:
    # Problems in the files fail the check; a rights outcome or a duplicate is a warning on the row.
    assert REGISTRY["file:missing"].fails_check and REGISTRY["manifest:duplicate-id"].fails_check
    assert not REGISTRY["rights:not-public-domain"].fails_check
    assert REGISTRY["duplicate:exact"].severity is Severity.INFO and not REGISTRY["duplicate:exact"].fails_check
    assert REGISTRY["takedown"].picture is Picture.WITHHELD
    assert REGISTRY["image:truncated"].picture is Picture.NONE
    assert REGISTRY["rights:conflict"].picture is Picture.SHOWN and REGISTRY["rights:conflict"].steward
