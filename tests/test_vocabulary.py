"""Rights vocabulary: normalise_uri and lookup."""

from __future__ import annotations

import pytest

from packager.rights.vocabulary import STATUSES, Term, lookup, normalise_label, normalise_uri

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
RS = "http://rightsstatements.org/vocab/"


# --- normalise_uri ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (CC0, CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/", CC0),
        ("http://creativecommons.org/publicdomain/zero/1.0", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/deed.fr", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/deed.pt_BR", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/deed", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/legalcode", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/legalcode.de", CC0),
        ("https://www.creativecommons.org/publicdomain/zero/1.0/", CC0),
        ("HTTPS://CreativeCommons.org/PublicDomain/Zero/1.0/", CC0),
        ("  https://creativecommons.org/publicdomain/zero/1.0/  ", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/?ref=chooser-v1", CC0),
        ("https://creativecommons.org/publicdomain/zero/1.0/#legal", CC0),
        ("https://rightsstatements.org/page/InC/1.0/?language=en", "http://rightsstatements.org/vocab/inc/1.0/"),
        ("http://rightsstatements.org/vocab/NoC-US/1.0", "http://rightsstatements.org/vocab/noc-us/1.0/"),
        ("https://europeana.eu/rights/rr-f/", "http://www.europeana.eu/rights/rr-f/"),
    ],
)
def test_normalise_uri(raw: str, expected: str) -> None:
    assert normalise_uri(raw) == expected


@pytest.mark.parametrize(
    "raw", ["Public Domain", "CC0", "ftp://creativecommons.org/x/", "https://", "mailto:a@b.c", ""]
)
def test_normalise_uri_returns_none_for_non_http_uris(raw: str) -> None:
    assert normalise_uri(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Public Domain", "public domain"),
        ("  PUBLIC_DOMAIN. ", "public domain"),
        ("No  known\tcopyright", "no known copyright"),
    ],
)
def test_normalise_label(raw: str, expected: str) -> None:
    assert normalise_label(raw) == expected


# --- lookup: Creative Commons -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "label"),
    [
        ("https://creativecommons.org/publicdomain/zero/1.0/deed.fr", "CC0 1.0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0 1.0"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "Public Domain Mark 1.0"),
        ("https://www.creativecommons.org/publicdomain/mark/1.0/deed.en", "Public Domain Mark 1.0"),
        ("http://creativecommons.org/licenses/publicdomain/", "Public Domain (legacy CC)"),
        ("https://creativecommons.org/licenses/publicdomain", "Public Domain (legacy CC)"),
    ],
)
def test_lookup_public_domain_uris(statement: str, label: str) -> None:
    term = lookup(statement)
    assert term is not None
    assert (term.status, term.label) == ("public_domain", label)


def test_lookup_term_for_cc0_is_complete() -> None:
    assert lookup("https://creativecommons.org/publicdomain/zero/1.0/?x=1") == Term(
        status="public_domain", label="CC0 1.0", canonical=CC0, note="Waiver by the rights holder"
    )


@pytest.mark.parametrize(
    ("statement", "canonical"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/"),
        ("https://creativecommons.org/licenses/by/4.0/deed.de", "http://creativecommons.org/licenses/by/4.0/"),
        ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "http://creativecommons.org/licenses/by-sa/4.0/"),
        (
            "http://creativecommons.org/licenses/by-nc-sa/3.0/us/",
            "http://creativecommons.org/licenses/by-nc-sa/3.0/us/",
        ),
        (
            "https://creativecommons.org/licenses/by-nc-nd/2.5/es/deed.es",
            "http://creativecommons.org/licenses/by-nc-nd/2.5/es/",
        ),
        ("http://creativecommons.org/licenses/by-nd-nc/1.0", "http://creativecommons.org/licenses/by-nd-nc/1.0/"),
        ("http://creativecommons.org/licenses/sampling+/1.0/", "http://creativecommons.org/licenses/sampling+/1.0/"),
        ("http://creativecommons.org/licenses/GPL/2.0/", "http://creativecommons.org/licenses/gpl/2.0/"),
    ],
)
def test_lookup_cc_licences_are_not_public_domain(statement: str, canonical: str) -> None:
    term = lookup(statement)
    assert term is not None
    assert term.status == "not_public_domain"
    assert term.canonical == canonical
    assert term.note == "A licence means the work is in copyright"


# --- lookup: RightsStatements.org -------------------------------------------------------------------------


RIGHTS_STATEMENTS = [
    ("InC", "not_public_domain", "In Copyright"),
    ("InC-OW-EU", "not_public_domain", "In Copyright - EU Orphan Work"),
    ("InC-EDU", "not_public_domain", "In Copyright - Educational Use Permitted"),
    ("InC-NC", "not_public_domain", "In Copyright - Non-Commercial Use Permitted"),
    ("InC-RUU", "not_public_domain", "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable"),
    ("NoC-US", "public_domain_us", "No Copyright - United States"),
    ("NoC-NC", "undetermined", "No Copyright - Non-Commercial Use Only"),
    ("NoC-CR", "undetermined", "No Copyright - Contractual Restrictions"),
    ("NoC-OKLR", "undetermined", "No Copyright - Other Known Legal Restrictions"),
    ("NKC", "undetermined", "No Known Copyright"),
    ("CNE", "undetermined", "Copyright Not Evaluated"),
    ("UND", "undetermined", "Copyright Undetermined"),
]


def test_all_twelve_rights_statements_are_covered() -> None:
    assert len({code for code, _, _ in RIGHTS_STATEMENTS}) == 12


@pytest.mark.parametrize(("code", "status", "label"), RIGHTS_STATEMENTS)
def test_lookup_rights_statements(code: str, status: str, label: str) -> None:
    for statement in (
        f"{RS}{code}/1.0/",
        f"https://rightsstatements.org/vocab/{code}/1.0",
        f"https://rightsstatements.org/page/{code}/1.0/?language=en",
    ):
        term = lookup(statement)
        assert term is not None, statement
        assert (term.status, term.label) == (status, label), statement


@pytest.mark.parametrize(("code", "status", "label"), RIGHTS_STATEMENTS)
def test_lookup_rights_statement_short_ids_as_labels(code: str, status: str, label: str) -> None:
    term = lookup(code.lower())
    assert term is not None
    assert (term.status, term.label) == (status, label)


# --- lookup: labels and unknowns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "status", "label"),
    [
        ("Public Domain", "public_domain", "Public Domain"),
        ("public domain.", "public_domain", "Public Domain"),
        ("  PUBLIC   DOMAIN  ", "public_domain", "Public Domain"),
        ("CC0", "public_domain", "CC0"),
        ("cc-zero", "public_domain", "CC0"),
        ("PDM", "public_domain", "Public Domain Mark"),
        ("PD-old-100", "public_domain", "PD-old-100"),
        ("PD-old-70", "undetermined", "PD-old-70"),
        ("PD-USGov", "public_domain_us", "PD-USGov"),
        ("No known copyright restrictions", "undetermined", "No known copyright restrictions"),
        ("All rights reserved", "not_public_domain", "All rights reserved"),
        ("CC BY-NC", "not_public_domain", "CC BY-NC"),
    ],
)
def test_lookup_labels(statement: str, status: str, label: str) -> None:
    term = lookup(statement)
    assert term is not None
    assert (term.status, term.label) == (status, label)


@pytest.mark.parametrize(
    "statement",
    [
        "http://example.org/licence/",
        "http://creativecommons.org/publicdomain/zero/9.9/",
        "http://creativecommons.org/publicdomain/zero/",
        "http://creativecommons.org/publicdomain/mark/1.0/extra/",
        "http://creativecommons.org/licenses/by/",
        "http://creativecommons.org/licenses/made-up/4.0/",
        "http://rightsstatements.org/vocab/NoC/1.0/",
        "http://rightsstatements.org/vocab/InC/2.0/",
        "http://creativecommons.org.evil.example/publicdomain/zero/1.0/",
        "Public Domain-ish",
        "free to use",
        "",
    ],
)
def test_lookup_unknown_is_none(statement: str) -> None:
    assert lookup(statement) is None


@pytest.mark.parametrize(
    ("label", "status", "restriction"),
    [
        ("CC BY 4.0", "not_public_domain", ""),
        ("cc by-nc-nd 4.0 international", "not_public_domain", ""),
        ("CC-BY-SA-3.0", "not_public_domain", ""),
        ("{{PD-Art|PD-old-100}}", "public_domain", ""),
        ("PD-Art|PD-old-70", "undetermined", ""),
        ("PD-USGov", "public_domain_us", ""),
        ("PD-US-expired", "public_domain_us", ""),
        ("CC-zero", "public_domain", ""),
        ("NoC-NC", "undetermined", "non-commercial"),
        ("No Copyright - Contractual Restrictions", "undetermined", "contractual"),
        ("http://rightsstatements.org/vocab/NoC-OKLR/1.0/", "undetermined", "other-legal"),
        ("No known copyright restrictions", "undetermined", ""),
    ],
)
def test_labels_templates_and_restrictions(label: str, status: str, restriction: str) -> None:
    term = lookup(label)
    assert term is not None
    assert (term.status, term.restriction) == (status, restriction)


def test_pd_art_with_unknown_inner_template_is_unknown() -> None:
    assert lookup("PD-Art|PD-made-up") is None


def test_every_status_in_the_table_is_known() -> None:
    statuses = {t.status for t in (lookup(CC0), lookup(f"{RS}NoC-US/1.0/"), lookup("InC"), lookup("UND")) if t}
    assert statuses == set(STATUSES)
