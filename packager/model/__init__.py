"""The model: what a collection, an item and a rejection are, and every reason an item can be held back.

This package imports nothing else from pdpack, so every other module can import it without a cycle; it
is read as one module, ``packager.model``, whose names come from its parts: ``items`` (collections,
items, the keys and fields a collection folder fills), ``reason`` (what a reason is), ``registry`` (the
reasons, in ``reasons_files`` and ``reasons_rights``), ``rejection`` and ``errors``.
The reason registry (``REGISTRY``) is the one place a reason code is defined: its short label, the
plain-words explanation written into ``rejected.jsonl``, what to change, its severity, whether a
steward can settle it in ``review.csv``, whether ``report.html`` may picture the item, and whether it
fails a pull-request check. Exit codes, annotations, report wording and the documentation's reason
table are all derived from it; a new failure mode is one new ``Reason`` in ``reasons_files`` or
``reasons_rights``.
"""

from __future__ import annotations

from packager.model.errors import (
    ManifestError,
    MissingTool,
    ModelError,
    ModelUnavailable,
    PreviousError,
    PushError,
    ReleaseError,
    ResumeError,
)
from packager.model.items import (
    COLLECTION_FILE,
    COLLECTION_KEYS,
    CONTROL_CHARACTERS,
    DEFAULT_ATTRIBUTION,
    ID_PATTERN,
    ITEM_FIELDS,
    ITEM_ID_PATTERN,
    MAX_ITEM_ID_CHARS,
    MAX_YAML_BYTES,
    STATUSES,
    TEMPLATE_FIELDS,
    Collection,
    Institution,
    Item,
)
from packager.model.reason import Picture, Reason, Severity
from packager.model.registry import REGISTRY, REGISTRY_ORDER, reason
from packager.model.rejection import Rejection

__all__ = [
    "COLLECTION_FILE",
    "COLLECTION_KEYS",
    "CONTROL_CHARACTERS",
    "DEFAULT_ATTRIBUTION",
    "ID_PATTERN",
    "ITEM_FIELDS",
    "ITEM_ID_PATTERN",
    "MAX_ITEM_ID_CHARS",
    "MAX_YAML_BYTES",
    "REGISTRY",
    "REGISTRY_ORDER",
    "STATUSES",
    "TEMPLATE_FIELDS",
    "Collection",
    "Institution",
    "Item",
    "ManifestError",
    "MissingTool",
    "ModelError",
    "ModelUnavailable",
    "Picture",
    "PreviousError",
    "PushError",
    "Reason",
    "Rejection",
    "ReleaseError",
    "ResumeError",
    "Severity",
    "reason",
]
