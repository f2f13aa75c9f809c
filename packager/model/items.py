"""What a collection and an item are, the keys and fields a collection folder may fill, and the rights verdicts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

# The four verdicts, from most to least open. Evidence may also carry "info" (says nothing either way).
STATUSES = ("public_domain", "public_domain_us", "not_public_domain", "undetermined")

COLLECTION_FILE = "collection.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Control characters, as a regex character class body: C0 (tab and line breaks included), DEL and C1
# (CSI, OSC, NEL), the Unicode line and paragraph separators, and the bidirectional marks, overrides and
# isolates. Never allowed in an id or a web address; always escaped when printed (packager.textsafe).
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
# An item id: 1 to 200 characters of any script, with no control characters (C0, C1, DEL, line and
# paragraph separators, bidirectional controls: the characters packager.textsafe escapes), not starting
# or ending with white space and not starting with an apostrophe (spreadsheets mark text with one, and
# `pdpack review --template` uses it before ids that start like a formula).
MAX_ITEM_ID_CHARS = 200
ITEM_ID_PATTERN = re.compile(f"^(?![\\s'])[^{CONTROL_CHARACTERS}]{{1,{MAX_ITEM_ID_CHARS}}}(?<!\\s)$")
MAX_YAML_BYTES = 1_000_000
# TASL: title, creator, the source institution with its link, the rights statement (packager.outputs.attribution).
DEFAULT_ATTRIBUTION = "{title}, {creator}. {institution}, {source_url}. {rights}."
# Fields a credit-line template (``attribution``) may use: plain {name} fields only.
TEMPLATE_FIELDS = {"title", "creator", "date", "institution", "collection", "id", "source_url", "rights"}
# Where an IIIF manifest gives the fields that messages about rights name (packager.manifest.iiif_fields reads them).
IIIF_PROPERTIES = {
    "rights": "'rights' (2.1: 'license')",
    "credit_line": "'requiredStatement' (2.1: 'attribution')",
    "creator": "metadata labelled Creator, Artist or Maker",
    "date": "metadata labelled Date or Date Created",
}


@dataclass(frozen=True)
class Institution:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    root: Path
    title: str
    institution: Institution
    manifest: Path
    rights: str | None = None
    jurisdiction: str | None = None
    attribution: str = DEFAULT_ATTRIBUTION
    description: str | None = None
    ai_preferences: str | None = None
    local_contexts: tuple[str, ...] = ()
    # The institution's own column names for pdpack's fields (their name -> ours), so an export can be
    # dropped in unchanged; and value translations per field (e.g. rights: {"True": "Public Domain"}).
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    caption_template: str | None = None  # how captions are made from metadata (packager.captions.template)
    warnings: tuple[str, ...] = ()
    # How the manifest was read where pdpack had to be forgiving (a separator, a header spelled differently).
    notes: tuple[str, ...] = ()
    # The column of items.csv (the key of items.jsonl's first record) that feeds each pdpack field, as the
    # file spells it: through ``columns``, or matched forgivingly ("Copyright Notice" for copyright_notice).
    headers: dict[str, str] = field(default_factory=dict)

    def column_name(self, name: str) -> str:
        """The contributor's column for a pdpack field: as the file spells it, else the one ``columns`` maps to
        it, else the field's name."""
        if name in self.headers:
            return self.headers[name]
        return next((theirs for theirs, ours in self.columns.items() if ours == name), name)

    def cell(self, name: str) -> str:
        """Where the contributor gives a pdpack field, as messages name it: "items.csv column 'Rights Statement'",
        or for IIIF manifests the property pdpack reads ("the IIIF manifest's 'rights' (2.1: 'license')")."""
        if self.manifest.suffix in (".csv", ".jsonl"):
            return f"{self.manifest.name} column '{self.column_name(name)}'"
        return f"the IIIF manifest's {IIIF_PROPERTIES[name]}" if name in IIIF_PROPERTIES else f"the item's {name}"

    def cells(self, names: Sequence[str]) -> str:
        """Several fields, named as ``cell`` names one: "items.csv columns 'Artist Death' and 'Object Date'"."""
        if len(names) == 1 or self.manifest.suffix not in (".csv", ".jsonl"):
            named = [self.cell(name) for name in names]
            return " and ".join(named) if len(named) < 3 else ", ".join(named[:-1]) + " and " + named[-1]
        quoted = [f"'{self.column_name(name)}'" for name in names]
        return f"{self.manifest.name} columns {', '.join(quoted[:-1])} and {quoted[-1]}"


@dataclass(frozen=True)
class Item:
    collection: str
    id: str
    row: int
    file: str | None = None
    url: str | None = None
    title: str | None = None
    creator: str | None = None
    description: str | None = None
    caption: str | None = None
    date: str | None = None
    creator_death_year: int | None = None
    creator_dates: str | None = None  # life dates as registrars keep them ("1775–1851"); the death year is read
    rights: str | None = None
    source_url: str | None = None
    credit_line: str | None = None
    # How the museum acquired the object ("Gift of ...", "Museum purchase"): kept, never the attribution.
    acquisition_credit: str | None = None
    published: str | None = None  # year of first publication: the evidence US term rules need
    us_federal_work: str | None = None  # yes: a work of the US federal government (17 U.S.C. 105)
    ai_preferences: str | None = None  # IETF AI-preferences, e.g. "train-ai=n"
    local_contexts: str | None = None  # Local Contexts TK/BC labels and notices, separated by ";"
    copyright_notice: str | None = None  # the record's own copyright line, e.g. "© Tate": evidence, checked for claims
    extra: dict[str, str] = field(default_factory=dict)
    # (reason, message) for cells that are wrong but leave the item checkable: the item is held back
    # for the first, and every other stage still runs, so one pass shows everything to fix.
    problems: tuple[tuple[str, str], ...] = ()
    # (where, text) of other texts the source gave that may state rights: the credit line, an IIIF
    # requiredStatement or attribution, metadata labelled Rights or License. Evidence like copyright_notice
    # (packager.rights.notices): a claim in one can only hold the item back. Filled by the readers, not a column.
    notices: tuple[tuple[str, str], ...] = ()

    @property
    def source(self) -> str:
        return self.file if self.file is not None else (self.url or "")


# The fields a manifest row may fill, in the order of Item: adding a field to Item adds it here.
ITEM_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Item) if f.name not in {"collection", "row", "extra", "problems", "notices"}
)
# The keys collection.yaml may hold: the fields of Collection that are not worked out while loading.
COLLECTION_KEYS: frozenset[str] = frozenset(
    f.name for f in fields(Collection) if f.name not in {"root", "manifest", "warnings", "notes", "headers"}
)
