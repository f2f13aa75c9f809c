"""Rights vocabulary: URIs and common labels mapped to a rights status.

The table lives in ``vocabulary.csv`` beside this module so that it can be read
and reviewed as data. Matching is exact after normalisation; an unknown URI is
never matched fuzzily.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from packager.model import STATUSES


@dataclass(frozen=True)
class Term:
    """What the vocabulary knows about one statement."""

    status: str
    label: str
    canonical: str
    note: str = ""
    # non-commercial | contractual | other-legal: no copyright, but use is restricted; held for review
    restriction: str = ""


@dataclass(frozen=True)
class _Table:
    uris: dict[str, Term]
    patterns: tuple[tuple[re.Pattern[str], Term], ...]
    labels: dict[str, Term]
    label_patterns: tuple[tuple[re.Pattern[str], Term], ...]


@cache
def _table() -> _Table:
    uris: dict[str, Term] = {}
    patterns: list[tuple[re.Pattern[str], Term]] = []
    labels: dict[str, Term] = {}
    label_patterns: list[tuple[re.Pattern[str], Term]] = []
    text = resources.files("packager.rights").joinpath("vocabulary.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        if row["status"] not in STATUSES:
            raise ValueError(f"vocabulary.csv: unknown status {row['status']!r} for {row['value']!r}")
        term = Term(
            status=row["status"],
            label=row["label"],
            canonical=row["value"],
            note=row["note"] or "",
            restriction=row["restriction"] or "",
        )
        if row["match"] == "uri":
            uris[row["value"].lower()] = term
        elif row["match"] == "uri-pattern":
            patterns.append((re.compile(row["value"] + "$"), term))
        elif row["match"] == "label":
            labels[normalise_label(row["value"])] = term
        elif row["match"] == "label-pattern":
            label_patterns.append((re.compile(row["value"] + "$"), term))
        else:
            raise ValueError(f"vocabulary.csv: unknown match kind {row['match']!r}")
    return _Table(uris, tuple(patterns), labels, tuple(label_patterns))


_DEED_TAIL = re.compile(r"/(deed(\.[a-z_-]+)?|legalcode(\.[a-z_-]+)?|rdf)/?$", re.IGNORECASE)


def normalise_uri(value: str) -> str | None:
    """Canonical lower-case form of a rights URI, or None when ``value`` is not an http(s) URI.

    Folds https to http, ``www.``, ``deed.xx``/``legalcode`` pages, query strings,
    a missing trailing slash, and RightsStatements.org ``/page/`` to ``/vocab/``.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.")
    if host == "europeana.eu":
        host = "www.europeana.eu"
    path = _DEED_TAIL.sub("/", parts.path)
    if host == "rightsstatements.org" and path.startswith("/page/"):
        path = "/vocab/" + path[len("/page/") :]
    if not path.endswith("/"):
        path += "/"
    return f"http://{host}{path}".lower()


def normalise_label(value: str) -> str:
    """Lower case, single spaces, no closing full stop, no Wikimedia template braces."""
    text = re.sub(r"[\s_]+", " ", value.strip().lower())
    text = text.removeprefix("{{").removesuffix("}}").strip()
    return text.rstrip(".").strip()


_PD_ART = re.compile(r"^pd-(?:art|scan)(?:-two)?\|(.+)$")


def lookup(statement: str) -> Term | None:
    """The vocabulary's Term for a URI or label, or None when it is not known."""
    table = _table()
    uri = normalise_uri(statement)
    if uri is not None:
        term = table.uris.get(uri)
        if term is not None:
            return term
        for pattern, generic in table.patterns:
            if pattern.match(uri):
                return Term(status=generic.status, label=generic.label, canonical=uri, note=generic.note)
        return None
    label = normalise_label(statement)
    art = _PD_ART.match(label)
    if art:
        # {{PD-Art|PD-old-100}}: a faithful reproduction of a 2D work; the inner template decides.
        inner = table.labels.get(art.group(1).split("|")[0].strip())
        if inner is None:
            return None
        note = "faithful reproduction of a 2D work; reproduction rights may be claimed outside the US"
        return Term(inner.status, f"PD-Art ({inner.label})", label, note, inner.restriction)
    term = table.labels.get(label)
    if term is not None:
        return term
    for pattern, generic in table.label_patterns:
        if pattern.match(label):
            return Term(generic.status, generic.label, label, generic.note, generic.restriction)
    return None
