"""Reading values out of IIIF JSON: a canvas's fields, rights, required statement and metadata, in v3 and v2 shapes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from packager.rights.notices import may_state_rights

CREATOR_LABELS = {"creator", "artist", "maker"}
DATE_LABELS = {"date", "date created"}


class InvalidField(Exception):
    """A value in the manifest has a shape that cannot be read; names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def fields_v3(
    manifest: dict[str, Any], canvas: dict[str, Any], chain: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    levels = [*chain, ("canvas", canvas), ("manifest", manifest)]
    statement = _required_statement(levels)
    fields: dict[str, Any] = {
        "title": field_text(manifest.get("label"), "manifest 'label'"),
        "description": field_text(manifest.get("summary"), "manifest 'summary'"),
        "canvas_description": field_text(canvas.get("summary"), "canvas 'summary'"),
        "rights": _most_specific_rights(levels, "rights"),
        "credit_line": statement[1] if statement else None,
        "notices": [(f"{statement[0]} 'requiredStatement'", statement[1])] if statement else [],
        "source_url": _first_http(
            [
                (canvas.get("homepage"), "canvas 'homepage'"),
                (manifest.get("homepage"), "manifest 'homepage'"),
                (manifest.get("id"), "manifest 'id'"),
            ]
        ),
    }
    extra = _metadata(manifest, canvas, fields)
    providers = manifest.get("provider")
    if providers is not None:
        if not isinstance(providers, list):
            providers = [providers]
        names = []
        for agent in providers:
            if not isinstance(agent, dict):
                raise InvalidField("manifest 'provider'", "must be a list of Agents with a 'label'")
            name = field_text(agent.get("label"), "manifest 'provider' label")
            if name and name not in names:
                names.append(name)
        if names:
            extra.setdefault("provider", "; ".join(names))
    fields["extra"] = extra
    return fields


def fields_v2(
    manifest: dict[str, Any], canvas: dict[str, Any], chain: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    levels = [*chain, ("canvas", canvas), ("manifest", manifest)]
    attribution, notices = None, []
    for level, resource in levels:
        attribution = field_text(resource.get("attribution"), f"{level} 'attribution'")
        if attribution:
            notices.append((f"{level} 'attribution'", attribution))
            break
    fields: dict[str, Any] = {
        "title": field_text(manifest.get("label"), "manifest 'label'"),
        "description": field_text(manifest.get("description"), "manifest 'description'"),
        "canvas_description": field_text(canvas.get("description"), "canvas 'description'"),
        "rights": _most_specific_rights(levels, "license"),
        "credit_line": attribution,
        "notices": notices,
        "source_url": _first_http(
            [(manifest.get("related"), "manifest 'related'"), (manifest.get("@id"), "manifest '@id'")]
        ),
    }
    fields["extra"] = _metadata(manifest, canvas, fields)
    return fields


def _most_specific_rights(levels: list[tuple[str, dict[str, Any]]], key: str) -> str | None:
    """The rights of the most specific resource that states any; several different values are joined with ' | '.

    A joined value is deliberately not a recognised statement, so the item ends as undetermined.
    """
    for level, resource in levels:
        values = _uris(resource.get(key), f"{level} '{key}'")
        if values:
            return " | ".join(values)
    return None


def _required_statement(levels: list[tuple[str, dict[str, Any]]]) -> tuple[str, str] | None:
    """(level, value) of the most specific requiredStatement."""
    for level, resource in levels:
        statement = resource.get("requiredStatement")
        if statement is None:
            continue
        if not isinstance(statement, dict):
            raise InvalidField(f"{level} 'requiredStatement'", 'must be {"label": {...}, "value": {...}}')
        value = field_text(statement.get("value"), f"{level} 'requiredStatement' value")
        if value:
            return level, value
    return None


def _metadata(manifest: dict[str, Any], canvas: dict[str, Any], fields: dict[str, Any]) -> dict[str, str]:
    """Fill creator and date from metadata pairs (canvas over manifest); return the other pairs."""
    extra: dict[str, str] = {}
    for level, resource in (("manifest", manifest), ("canvas", canvas)):
        pairs = resource.get("metadata")
        if pairs is None:
            continue
        if not isinstance(pairs, list):
            raise InvalidField(f"{level} 'metadata'", "must be a list of {label, value} pairs")
        found: dict[str, list[str]] = {}
        for pair in pairs:
            if not isinstance(pair, dict):
                raise InvalidField(f"{level} 'metadata'", "must be a list of {label, value} pairs")
            label = field_text(pair.get("label"), f"{level} 'metadata' label")
            value = field_text(pair.get("value"), f"{level} 'metadata' value for {label!r}")
            if not label or not value:
                continue
            key = label.strip().casefold()
            if may_state_rights(label):
                fields.setdefault("notices", []).append((f"{level} metadata {label!r}", value))
            target = "creator" if key in CREATOR_LABELS else "date" if key in DATE_LABELS else label
            values = found.setdefault(target, [])
            if value not in values:
                values.append(value)
        for target, values in found.items():
            if target in ("creator", "date"):
                fields[target] = "; ".join(values)
            else:
                extra[target] = "; ".join(values)
    return extra


def _first_http(candidates: list[tuple[Any, str]]) -> str | None:
    for value, field in candidates:
        for uri in _uris(value, field):
            if urlsplit(uri).scheme.lower() in ("http", "https"):
                return uri
    return None


def _uris(value: Any, field: str) -> list[str]:
    """A URI given as text, as {"id": ...} / {"@id": ...}, or a list of those; distinct values in order."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        inner = value.get("id", value.get("@id"))
        if isinstance(inner, str):
            return [inner.strip()] if inner.strip() else []
        raise InvalidField(field, 'must be a URI, or an object with an "id"')
    if isinstance(value, list):
        result: list[str] = []
        for entry in value:
            if isinstance(entry, list):
                raise InvalidField(field, "must be a URI or a list of URIs")
            result += [uri for uri in _uris(entry, field) if uri not in result]
        return result
    raise InvalidField(field, f"must be a URI, not {type(value).__name__}")


def field_text(value: Any, field: str) -> str | None:
    """A 3.0 language map or a 2.1 value (text, {"@value", "@language"}, or a list of them) as one string.

    Prefers English, then values with no language, then the first language given; several
    values in that language are joined with "; ". HTML is kept: caption cleaning strips it later.
    """
    if value is None:
        return None
    by_language: dict[str, list[str]] = {}

    def add(language: Any, text: Any) -> None:
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise InvalidField(field, f"must hold text, not {type(text).__name__}")
        text = str(text).strip()
        key = language.strip() if isinstance(language, str) and language.strip() else "none"
        if text and text not in by_language.setdefault(key, []):
            by_language[key].append(text)

    if isinstance(value, dict) and "@value" not in value:
        for language, texts in value.items():
            for text in texts if isinstance(texts, list) else [texts]:
                add(language, text)
    else:
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict):
                if "@value" not in entry:
                    raise InvalidField(field, 'must be text, or {"@value": ..., "@language": ...}')
                add(entry.get("@language"), entry["@value"])
            else:
                add(None, entry)
    chosen = [by_language[k] for k in ("en", "none") if by_language.get(k)]
    chosen += [texts for texts in by_language.values() if texts]
    return "; ".join(chosen[0]) if chosen else None
