"""JSON Schemas for collection.yaml and for one item record: the data, and its copies in manifests/schema/."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packager.model import (
    DEFAULT_ATTRIBUTION,
    ITEM_FIELDS,
    TEMPLATE_FIELDS,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_REGEX = r"^\s*[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\s*$"
NOT_BLANK = r"\S"
_TEMPLATE_REGEX = (
    r"^(?:[^{}]|\{\{|\}\}|\{(?:" + "|".join(sorted(TEMPLATE_FIELDS)) + r")\})*$"
)  # plain {name} fields only, as packager.manifest.collection.check_template allows
COMMON_RIGHTS = (
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://rightsstatements.org/vocab/NoC-US/1.0/",
    "http://rightsstatements.org/vocab/NKC/1.0/",
    "http://rightsstatements.org/vocab/InC/1.0/",
)
# Where a YAML file may nest lists and mappings: far more than any real collection.yaml.
MAX_NODES = 10_000
_OPTIONAL_TEXT = {"type": ["string", "null"]}
_ITEM_TEXT = {"type": ["string", "number", "null"]}


def field_names() -> list[str]:
    return list(ITEM_FIELDS)


COLLECTION_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "urn:pdpack:schema:collection",
    "title": "pdpack collection.yaml",
    "description": "Describes one contributed collection: who gave it, what it is called, and defaults for its items.",
    "type": "object",
    "required": ["id", "title", "institution"],
    "additionalProperties": False,
    "properties": {
        "id": {
            "description": "Short name of the collection, used in every sample key: lower-case letters, digits "
            "and '-', starting and ending with a letter or digit, at most 64 characters.",
            "type": "string",
            "pattern": ID_REGEX,
            "patternErrorMessage": "use lower-case letters, digits and '-' only (at most 64 characters), "
            "e.g. id: city-museum-prints",
            "examples": ["city-museum-prints"],
        },
        "title": {
            "description": "The collection's name as people know it.",
            "type": "string",
            "pattern": NOT_BLANK,
            "patternErrorMessage": 'is empty; write the collection\'s name, e.g. title: "Prints and drawings"',
            "examples": ["Prints and drawings, 1500-1900"],
        },
        "institution": {
            "description": "Who contributed the collection: a name, or a name and the address of its website.",
            "errorMessage": 'give the institution\'s name, e.g. institution: {name: "City Museum", '
            'url: "https://city-museum.example"}',
            "oneOf": [
                {
                    "type": "string",
                    "pattern": NOT_BLANK,
                    "patternErrorMessage": 'is empty; write the institution\'s name, e.g. institution: "City Museum"',
                },
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {
                            "type": "string",
                            "pattern": NOT_BLANK,
                            "patternErrorMessage": 'is empty; write the institution\'s name, e.g. name: "City Museum"',
                        },
                        "url": {
                            "type": ["string", "null"],
                            "description": "The institution's website, e.g. https://city-museum.example",
                        },
                    },
                },
            ],
            "examples": [{"name": "City Museum", "url": "https://city-museum.example"}],
        },
        "rights": {
            **_OPTIONAL_TEXT,
            "description": "Rights statement for every item whose own row names none: a rightsstatements.org or "
            "Creative Commons URI, or a label such as 'Public Domain'. Leave it out when items differ.",
            "examples": list(COMMON_RIGHTS),
        },
        "jurisdiction": {
            **_OPTIONAL_TEXT,
            "description": "Two-letter code of the country whose law the institution works under, e.g. US, GB, FR.",
            "examples": ["US", "GB"],
        },
        "attribution": {
            **_OPTIONAL_TEXT,
            "description": "Template of each sample's attribution (title, creator, source, rights); the link and the "
            "rights statement are added when it leaves them out. Fields: "
            + ", ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS)),
            "pattern": _TEMPLATE_REGEX,
            "patternErrorMessage": "may use only these fields: "
            + ", ".join("{" + f + "}" for f in sorted(TEMPLATE_FIELDS))
            + " (write {{ and }} for a literal brace)",
            "examples": [DEFAULT_ATTRIBUTION, "{title}, {creator}. {institution}."],
        },
        "description": {**_OPTIONAL_TEXT, "description": "A sentence or two about the collection."},
        "ai_preferences": {
            **_OPTIONAL_TEXT,
            "description": "IETF AI-preferences for every item, e.g. 'train-ai=n' to keep the collection out of "
            "AI training.",
            "examples": ["train-ai=n"],
        },
        "local_contexts": {
            "description": "Local Contexts TK/BC labels or notices that apply to every item: a list, or text "
            "separated by ';'. Any label holds items back for a decision with the community.",
            "errorMessage": 'must be a list of label names, e.g. local_contexts: ["TK Attribution"]',
            "oneOf": [
                {"type": "null"},
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ],
            "examples": [["TK Attribution", "BC Provenance"]],
        },
        "columns": {
            "description": "Your export's column names for pdpack's fields (pdpack field: your column), so the "
            "export can be used unchanged.",
            "type": ["object", "null"],
            "propertyNames": {"enum": field_names()},
            "additionalProperties": {
                "type": "string",
                "pattern": NOT_BLANK,
                "patternErrorMessage": "is empty; write the name of the column in your file",
            },
            "examples": [{"title": "Object Title", "creator": "Artist Display Name"}],
        },
        "values": {
            "description": "Translations of your values into pdpack's, per field (field: {your value: pdpack "
            "value}), e.g. rights: {'True': 'Public Domain'}.",
            "type": ["object", "null"],
            "propertyNames": {"enum": field_names()},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            },
            "examples": [{"rights": {"True": "Public Domain", "False": "In Copyright"}}],
        },
        "caption_template": {
            "description": "How captions are made from an item's metadata: text with {title}, {creator}, {date}, "
            "{object_type}, {medium}, {description}, {collection} or {institution}; a field that is empty takes "
            "its own words with it.",
            "type": ["string", "null"],
            "examples": ["{object_type} '{title}' by {creator}, {date}."],
        },
    },
}
_FILLED = {"type": ["string", "number"], "pattern": NOT_BLANK}
ITEM_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "urn:pdpack:schema:item",
    "title": "pdpack item",
    "description": "One item: a line of items.jsonl, or a row of items.csv (after the renames in collection.yaml "
    "'columns'). Columns pdpack does not know are kept as extra metadata.",
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {
            "description": "The item's id in your catalogue (accession number); unique within the collection.",
            "type": ["string", "integer"],
            "pattern": NOT_BLANK,
            "patternErrorMessage": "is empty; every item needs an id",
        },
        "file": {
            **_OPTIONAL_TEXT,
            "description": "Path of the image inside the collection folder, e.g. files/1923-45.jpg.",
        },
        "url": {
            **_OPTIONAL_TEXT,
            "description": "Web address of the image, when it is not in the folder (http or https).",
            "pattern": r"^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://",
            "patternErrorMessage": "must be an http:// or https:// address",
        },
        "title": {**_ITEM_TEXT, "description": "The work's title."},
        "creator": {**_ITEM_TEXT, "description": "Who made the work."},
        "description": {**_ITEM_TEXT, "description": "A description of the work."},
        "caption": {**_ITEM_TEXT, "description": "Your own caption; if empty one is made from the title and more."},
        "date": {**_ITEM_TEXT, "description": "When the work was made, as your catalogue writes it (1890, c. 1890)."},
        "creator_death_year": {
            "description": "Year the creator died; several creators as '1890 | 1921'.",
            "type": ["string", "integer", "null"],
            "pattern": r"^\s*$|^\s*\d+\s*(?:[|;,]\s*\d+\s*)*[|;,]?\s*$",
            "patternErrorMessage": "must be a year such as 1890 (several creators: 1890 | 1921)",
        },
        "creator_dates": {
            **_ITEM_TEXT,
            "description": "The creator's life dates as your catalogue writes them, e.g. 1775–1851; "
            "the death year is read from them when creator_death_year is empty.",
        },
        "rights": {
            **_ITEM_TEXT,
            "description": "Rights statement URI or label for this item.",
            "examples": list(COMMON_RIGHTS),
        },
        "source_url": {**_ITEM_TEXT, "description": "Address of the item's record on your website."},
        "credit_line": {
            **_ITEM_TEXT,
            "description": "Your credit for the image (e.g. 'Courtesy City Museum'); it stands for the institution in "
            "the attribution. An acquisition credit ('Gift of ...') belongs in acquisition_credit.",
        },
        "acquisition_credit": {
            **_ITEM_TEXT,
            "description": "How the museum acquired the object ('Gift of Mrs. Harriet Smith, 1921', 'Museum "
            "purchase'): kept with the sample, never used as the attribution.",
        },
        "published": {**_ITEM_TEXT, "description": "Year of first publication."},
        "us_federal_work": {**_ITEM_TEXT, "description": "yes for a work of the US federal government."},
        "ai_preferences": {**_ITEM_TEXT, "description": "IETF AI-preferences, e.g. train-ai=n."},
        "local_contexts": {**_ITEM_TEXT, "description": "Local Contexts labels or notices, separated by ';'."},
        "copyright_notice": {**_ITEM_TEXT, "description": "The record's own copyright line, e.g. '© Tate'."},
    },
    "allOf": [
        {
            "errorMessage": "fill in 'file' (a path in the folder) or 'url' (a web address)",
            "anyOf": [
                {"required": ["file"], "properties": {"file": _FILLED}},
                {"required": ["url"], "properties": {"url": _FILLED}},
            ],
        },
        {
            "errorMessage": "fill in either 'file' or 'url', not both",
            "not": {"required": ["file", "url"], "properties": {"file": _FILLED, "url": _FILLED}},
        },
    ],
}
SCHEMAS = {"collection.schema.json": COLLECTION_SCHEMA, "item.schema.json": ITEM_SCHEMA}


def schema_text(schema: Mapping[str, Any]) -> str:
    """The schema as written to disk: stable, pretty, UTF-8."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
