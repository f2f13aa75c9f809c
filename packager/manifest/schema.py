"""collection.yaml and item records checked against the JSON Schemas, with problems written for collection staff.

The schemas (``packager.manifest.schemas``) live in code, so that an installed pdpack always has them (``manifests/`` is
not part of the package). ``manifests/schema/*.schema.json`` are copies for editors and other
tools; regenerate them with ``python -m packager.manifest.schema --write manifests/schema`` (a test fails
when they differ).

The schemas accept what ``packager.manifest.collection`` accepts, with two deliberate differences:

- a key pdpack does not know is reported as a *warning* (``load_collection`` ignores it with
  a warning too); the schema itself says ``additionalProperties: false`` so that editors
  underline a misspelt key;
- a YAML alias (``*name``) that repeats a list or mapping is refused: it is how "billion
  laughs" files blow up, and a collection.yaml is a few lines that never needs one.

``check_collection`` returns problems, each with the key path (``institution.url``,
``columns.title``) and a message that says what to write instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from packager.manifest.schemas import COLLECTION_SCHEMA, ID_REGEX, ITEM_SCHEMA, MAX_NODES, field_names, write_schemas
from packager.manifest.yamlsafe import NoAliasLoader
from packager.model import (
    COLLECTION_FILE,
    MAX_YAML_BYTES,
    ManifestError,
)
from packager.textsafe import printable_line


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a collection.yaml or an item, at a key path such as ``institution.url``."""

    path: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"key '{self.path}': {self.message}" if self.path else self.message

    def describe(self, file: str) -> str:
        """``collection.yaml, key 'institution.url': must be text, ...``: the way ManifestError reads."""
        return f"{file}, {self}" if self.path else f"{file}: {self}"


def check_collection(meta: Any) -> list[Problem]:
    """Check a parsed collection.yaml (the mapping yaml.safe_load returns) against the schema."""
    if not isinstance(meta, dict):
        return [Problem("", f"must be a mapping of keys such as id, title, institution, not {_kind(meta)}")]
    shape = _shape_problems(meta)
    if shape:
        return shape
    return _check(COLLECTION_SCHEMA, _plain(meta))


def check_item(record: Mapping[str, Any]) -> list[Problem]:
    """Check one item record (a items.jsonl line, or a CSV row as {column: value})."""
    shape = _shape_problems(record)
    if shape:
        return shape
    return _check(ITEM_SCHEMA, _plain(record))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def require_valid_collection(meta: Any, meta_path: Path) -> list[str]:
    """Raise ManifestError (file, key path) when collection.yaml breaks the schema; return the warnings.

    For ``load_collection``: call it right after yaml.safe_load, before reading any key.
    """
    problems = check_collection(meta)
    found = errors(problems)
    if found:
        first, rest = found[0], found[1:]
        message = first.message
        if rest:
            message += f" (and {len(rest)} more: " + "; ".join(str(p) for p in rest) + ")"
        raise ManifestError(meta_path, message, column=first.path or None)
    return [p.describe(COLLECTION_FILE) for p in problems if p.severity == "warning"]


def check_collection_file(path: Path | str) -> list[Problem]:
    """Read a collection.yaml (or its folder) safely and check it; never runs code, never expands aliases."""
    path = Path(path)
    if path.is_dir():
        path = path / COLLECTION_FILE
    if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()):
        # Never read a file elsewhere on the machine through a contributed link (nor say what it points at).
        return [Problem("", "is a symlink that points outside the collection folder; commit the file itself")]
    if not path.is_file():
        return [Problem("", f"{path} does not exist; every collection folder needs a {COLLECTION_FILE}")]
    if path.stat().st_size > MAX_YAML_BYTES:
        return [Problem("", f"is larger than {MAX_YAML_BYTES} bytes; this file should be a few lines")]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Problem("", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")]
    try:
        meta = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        return [Problem("", f"is not valid YAML{line}: {getattr(exc, 'problem', None) or exc}")]
    return check_collection(meta)


# --- checking ----------------------------------------------------------------------------------------------


def _check(schema: dict[str, Any], instance: Any) -> list[Problem]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(instance):
        problems.extend(_explain(error, schema))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.severity != "error", p.path, p.message))


def _explain(error: Any, root: dict[str, Any]) -> Iterator[Problem]:
    path = _key_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    if kind == "required":
        for key in error.validator_value:
            if isinstance(error.instance, dict) and key not in error.instance:
                yield Problem(
                    _join(path, key), "is missing" + _example(_property(error, key), key, "; add a line like ")
                )
    elif kind == "additionalProperties":
        known = sorted((schema.get("properties") or {}).keys())
        extras = [k for k in error.instance if k not in known] if isinstance(error.instance, dict) else []
        if schema.get("additionalProperties") is False:
            for key in extras:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; known keys: {', '.join(known)}"
                yield Problem(_join(path, key), f"pdpack does not know this key; it is ignored{suggestion}", "warning")
    elif kind in {"propertyNames", "enum"} and _under_property_names(error):
        name = error.instance
        fields = field_names()
        hint = difflib.get_close_matches(str(name), fields, n=1)
        suggestion = f"did you mean '{hint[0]}'? " if hint else ""
        yield Problem(
            _join(path, str(name)),
            f"'{name}' is not a pdpack field; {suggestion}use one of: {', '.join(fields)}",
        )
    elif kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = [_TYPE_WORDS[t] for t in expected if t != "null"]
        wanted = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        key = str(error.absolute_path[-1]) if error.absolute_path else ""
        yield Problem(path, f"must be {wanted}, not {_kind(error.instance)}" + _example(schema, key))
    elif kind == "pattern":
        message = schema.get("patternErrorMessage") or f"{_short(error.instance)} is not in the expected form"
        if schema.get("pattern") == ID_REGEX:
            message = f"{_short(error.instance)} is not a valid id: {message}"
        yield Problem(path, message)
    elif kind in {"oneOf", "anyOf"}:
        specific = _branch_errors(error)
        if specific:
            for sub in specific:
                yield from _explain(sub, root)
        else:
            yield Problem(path, schema.get("errorMessage") or "is not in a form pdpack understands")
    elif kind == "not":
        yield Problem(path, schema.get("errorMessage") or "is not allowed")
    else:
        yield Problem(path, schema.get("errorMessage") or error.message)


def _branch_errors(error: Any) -> list[Any]:
    """For oneOf/anyOf: the errors of the branch meant for this kind of value (a mapping, a list, text)."""
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.schema_path[0], []).append(sub)
    branches = error.schema.get("oneOf") or error.schema.get("anyOf") or []
    for index, branch in enumerate(branches):
        wanted = branch.get("type") if isinstance(branch, dict) else None
        wanted = wanted if isinstance(wanted, list) else [wanted]
        if any(_is_type(error.instance, t) for t in wanted if t) and by_branch.get(index):
            subs = by_branch[index]
            # A type error in its own branch means no branch fits: the general message says more.
            if not any(s.validator == "type" and not s.path for s in subs):
                return subs
    return []


def _under_property_names(error: Any) -> bool:
    return "propertyNames" in error.schema_path


def _property(error: Any, key: str) -> dict[str, Any]:
    properties = error.schema.get("properties") if isinstance(error.schema, dict) else None
    value = (properties or {}).get(key)
    return value if isinstance(value, dict) else {}


def _example(schema: dict[str, Any], key: str, lead: str = ", e.g. ") -> str:
    """``, e.g. title: "Prints and drawings"`` from the schema's first example (JSON text is valid YAML)."""
    examples = schema.get("examples") if isinstance(schema, dict) else None
    if not examples or not key or key.isdigit():
        return ""
    return f"{lead}{key}: {json.dumps(examples[0], ensure_ascii=False)}"


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping (key: value)",
    "array": "a list",
    "boolean": "yes/no",
    "null": "empty",
}


def _is_type(value: Any, kind: str) -> bool:
    checks = {
        "string": isinstance(value, str),
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "null": value is None,
        "boolean": isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
    }
    return checks.get(kind, False)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()}; put text in quotes)"
    if isinstance(value, int | float):
        return f"a number ({value}; put it in quotes to make it text)"
    if isinstance(value, str):
        return f"text ({_short(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.datetime | dt.date):
        return f"a date ({value.isoformat()}; put it in quotes to make it text)"
    return type(value).__name__


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_path(parts: Any) -> str:
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, str(part))
    return path


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _shape_problems(value: Any) -> list[Problem]:
    """Refuse shared (aliased) lists and mappings and runaway nesting before anything walks the value."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", value)]
    nodes = 0
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict | list):
            nodes += 1
            if id(node) in seen:
                return [Problem(path, "repeats a list or mapping through a YAML alias (*name); write it out instead")]
            if nodes > MAX_NODES:
                return [Problem("", f"holds more than {MAX_NODES} lists and mappings; this file should be a few lines")]
            seen.add(id(node))
            children = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in children:
                child_path = f"{path}[{key}]" if isinstance(node, list) else _join(path, key)
                stack.append((child_path, child))
    return []


def _plain(value: Any) -> Any:
    """Mapping keys as text (YAML may give numbers, dates or yes/no as keys), as collection.py reads them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Write or check pdpack's JSON Schemas, or check collection folders.")
    parser.add_argument("--write", metavar="DIR", type=Path, help="write the schema files into DIR")
    parser.add_argument("folders", nargs="*", type=Path, help="collection folders (or collection.yaml files) to check")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_schemas(args.write):
            print(f"wrote {path}")
    status = 0
    for folder in args.folders:
        for problem in check_collection_file(folder):
            print(printable_line(f"{folder}: {problem.severity}: {problem}"))
            status = max(status, problem.severity == "error")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
