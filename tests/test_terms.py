"""Copyright-term rules: Public Domain Day, non-retroactive extensions, the US rules, and summaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from packager.rights.dates import YearRange, parse_year_range
from packager.rights.terms import (
    CIRCA_MARGIN,
    TERM_CACHE_SIZE,
    Jurisdiction,
    TermFinding,
    assess_terms,
    expand,
    jurisdictions,
    term_evidence,
    term_findings,
    us_last_expired_publication_year,
)
from packager.rights.verify import Evidence

NEW_YEAR_2026 = date(2026, 1, 1)
EVE_2025 = date(2025, 12, 31)
EU_MEMBERS = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]


def created(text: str) -> YearRange:
    parsed = parse_year_range(text)
    assert parsed is not None, text
    return parsed


def findings(
    codes: list[str],
    *,
    as_of: date = NEW_YEAR_2026,
    death_year: int | None = None,
    date_text: str | None = None,
    published_year: int | None = None,
    us_federal: bool = False,
    anonymous: bool = False,
) -> list[TermFinding]:
    return term_findings(
        as_of=as_of,
        death_year=death_year,
        created=created(date_text) if date_text else None,
        published_year=published_year,
        us_federal=us_federal,
        anonymous=anonymous,
        codes=codes,
    )


def one(code: str, **kwargs: Any) -> TermFinding:
    (finding,) = findings([code], **kwargs)
    assert finding.jurisdiction == code
    return finding


def pd(code: str, **kwargs: Any) -> bool | None:
    return one(code, **kwargs).public_domain


# --- the table --------------------------------------------------------------------------------------------


def test_table_has_every_required_code() -> None:
    table = jurisdictions()
    assert {"US", "GB", "CA", "MX", "JP", "AU", "EU", *EU_MEMBERS} <= set(table)
    assert all(isinstance(j, Jurisdiction) for j in table.values())
    assert all(j.source for j in table.values())
    assert jurisdictions() is table  # cached


@pytest.mark.parametrize(
    ("code", "life"), [("EU", 70), ("GB", 70), ("US", 70), ("AU", 70), ("JP", 70), ("CA", 70), ("MX", 100)]
)
def test_life_terms(code: str, life: int) -> None:
    assert jurisdictions()[code].life_years == life


def test_anonymous_rules_recorded_only_where_the_table_can_decide_them() -> None:
    table = jurisdictions()
    made = {code: j.anonymous_made_years for code, j in table.items() if j.anonymous_made_years is not None}
    assert made == {"EU": 140, **dict.fromkeys(EU_MEMBERS, 140), "GB": 140, "CA": 100}
    published = {code: j.anonymous_years for code, j in table.items() if j.anonymous_years is not None}
    assert published == {"EU": 70, **dict.fromkeys(EU_MEMBERS, 70), "GB": 70, "CA": 75, "JP": 70, "AU": 70}
    # Each bound carries its rule and source in words, for the evidence.
    assert "Directive 2006/116/EC art. 1(3), 1(6)" in table["FR"].anonymous_rule
    assert "CDPA 1988 s. 12(3)" in table["GB"].anonymous_rule
    assert "s. 6.1" in table["CA"].anonymous_rule


def test_expand_eu_has_27_members() -> None:
    members = expand("EU")
    assert len(members) == 27
    assert sorted(members) == sorted(EU_MEMBERS)
    assert expand("eu") == members


def test_expand_worldwide_is_every_country_including_mexico() -> None:
    worldwide = expand("worldwide")
    assert "MX" in worldwide
    assert "EU" not in worldwide  # its members are all there
    assert set(worldwide) == set(jurisdictions()) - {"EU"}
    assert expand("Worldwide") == worldwide


def test_expand_single_code() -> None:
    assert expand("FR") == ["FR"]
    assert expand("us") == ["US"]


def test_expand_unknown_names_the_known_codes() -> None:
    with pytest.raises(ValueError, match=r"unknown jurisdiction 'XX'; known: worldwide, EU, AT"):
        expand("XX")


def test_term_findings_rejects_unknown_code() -> None:
    with pytest.raises(ValueError, match="unknown jurisdiction 'Mars'"):
        findings(["Mars"], death_year=1800)


# --- Public Domain Day ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["EU", "DE", "FR", "IT", "GB"])
def test_died_1955_enters_the_public_domain_on_1_january_2026(code: str) -> None:
    before = one(code, as_of=EVE_2025, death_year=1955)
    after = one(code, as_of=NEW_YEAR_2026, death_year=1955)
    assert before.public_domain is False
    assert before.rule == "life+70"
    assert before.explanation == "author died 1955; life+70 runs to 31 Dec 2025 (public domain from 1 Jan 2026)"
    assert after.public_domain is True
    assert after.explanation == "author died 1955; life+70 ended 31 Dec 2025"


def test_explanation_names_the_years() -> None:
    finding = one("DE", death_year=1850)
    assert finding == TermFinding(
        "DE", True, "life+70", "author died 1850; life+70 ended 31 Dec 1920", (("creator_death_year", "death 1850"),)
    )


def test_us_published_1930_enters_the_public_domain_on_1_january_2026() -> None:
    before = one("US", as_of=EVE_2025, published_year=1930)
    after = one("US", as_of=NEW_YEAR_2026, published_year=1930)
    assert before.public_domain is None
    assert after.public_domain is True
    assert after.rule == "us-published-before-1931"
    assert after.explanation == (
        "published 1930; US terms for works published before 1931 ended by 31 Dec 2025 (95 years from publication)"
    )
    assert one("US", as_of=EVE_2025, published_year=1929).rule == "us-published-before-1930"


# --- extensions that were not retroactive -----------------------------------------------------------------


def test_canada_died_1971_stays_public_domain() -> None:
    finding = one("CA", death_year=1971)
    assert finding.public_domain is True
    assert finding.rule == "not-retroactive-1971"
    assert "life+50 ended 31 Dec 2021" in finding.explanation


def test_canada_died_1972_is_protected_until_2043() -> None:
    assert pd("CA", death_year=1972) is False
    assert pd("CA", death_year=1972, as_of=date(2042, 12, 31)) is False
    assert pd("CA", death_year=1972, as_of=date(2043, 1, 1)) is True
    assert one("CA", death_year=1972).rule == "life+70"


def test_japan_died_1967_versus_1968() -> None:
    assert pd("JP", death_year=1967) is True
    assert one("JP", death_year=1967).rule == "not-retroactive-1967"
    assert pd("JP", death_year=1968) is False
    assert one("JP", death_year=1968).explanation == (
        "author died 1968; life+70 runs to 31 Dec 2038 (public domain from 1 Jan 2039)"
    )
    assert pd("JP", death_year=1968, as_of=date(2039, 1, 1)) is True


def test_mexico_life_plus_100() -> None:
    assert pd("MX", death_year=1925) is True  # 1925 + 100 = 2025, ended at the end of 2025
    assert one("MX", death_year=1925).explanation == "author died 1925; life+100 ended 31 Dec 2025"
    assert pd("MX", death_year=1926) is False
    assert pd("MX", death_year=1926, as_of=date(2027, 1, 1)) is True


def test_australia_died_1954_and_1955() -> None:
    assert pd("AU", death_year=1954) is True
    assert one("AU", death_year=1954).rule == "not-retroactive-1954"
    assert pd("AU", death_year=1955, as_of=EVE_2025) is False
    assert pd("AU", death_year=1955) is True
    assert one("AU", death_year=1955).rule == "life+70"


def test_old_term_applies_only_from_its_own_end() -> None:
    # Japan, as of 2010: an author who died in 1960 still had life+50, to the end of 2010.
    assert pd("JP", death_year=1960, as_of=date(2010, 12, 31)) is False
    assert pd("JP", death_year=1960, as_of=date(2011, 1, 1)) is True


def test_spain_keeps_life_plus_80_for_authors_who_died_before_1988() -> None:
    assert pd("ES", death_year=1955) is False
    assert one("ES", death_year=1955).explanation == (
        "author died 1955, before 1988, so the older life+80 applies;"
        " life+80 runs to 31 Dec 2035 (public domain from 1 Jan 2036)"
    )
    assert pd("ES", death_year=1945) is True
    assert pd("ES", death_year=1990, as_of=date(2061, 1, 1)) is True  # life+70 after 1987


def test_france_war_deaths_are_left_undetermined() -> None:
    finding = one("FR", death_year=1916)
    assert finding.public_domain is None
    assert finding.rule == "unmodelled-extension"
    assert pd("FR", death_year=1919) is True


def test_eu_members_disagree_when_spain_differs() -> None:
    results = findings(expand("EU"), death_year=1955)
    assert {f.jurisdiction for f in results if f.public_domain is not True} == {"ES"}
    evidence = term_evidence(results)
    assert evidence is not None
    assert evidence.status == "undetermined"


# --- the United States ------------------------------------------------------------------------------------


def test_us_federal_work_is_public_domain_in_the_us_only() -> None:
    results = findings(["US", "FR", "GB"], us_federal=True, date_text="2020")
    assert [(f.jurisdiction, f.public_domain) for f in results] == [("US", True), ("FR", None), ("GB", None)]
    assert results[0].rule == "us-federal-work"
    evidence = term_evidence(results)
    assert evidence is not None
    assert evidence.status == "public_domain_us"
    assert evidence.field == "us_federal"


def test_us_life_plus_70_for_a_work_made_before_1931() -> None:
    finding = one("US", death_year=1850, date_text="1840-1845")
    assert finding.public_domain is True
    assert finding.rule == "us-life+70-made-before-1931"
    assert "1931–2002" in finding.explanation  # the residual case is named


def test_us_life_plus_70_needs_the_author_dead_by_1955() -> None:
    assert pd("US", death_year=1955, date_text="1920") is True
    assert pd("US", death_year=1956, date_text="1920") is None
    assert pd("US", death_year=1955, date_text="1920", as_of=EVE_2025) is None


def test_us_creation_cutoff_uses_the_latest_year() -> None:
    assert pd("US", death_year=1940, date_text="1925-1930") is True
    assert pd("US", death_year=1940, date_text="1925-1931") is None
    assert pd("US", death_year=1940, date_text="1920s") is True
    assert pd("US", death_year=1940, date_text="1930s") is None
    assert pd("US", death_year=1950, date_text="before 1930") is True
    assert pd("US", death_year=1950, date_text="after 1900") is None  # no upper bound
    assert pd("US", death_year=1950) is None  # no creation date at all


def test_us_circa_adds_ten_years_margin() -> None:
    assert CIRCA_MARGIN == 10
    assert pd("US", death_year=1950, date_text="c. 1920") is True  # made by 1930
    assert pd("US", death_year=1950, date_text="c. 1921") is None  # made as late as 1931
    assert pd("US", death_year=1950, date_text="1921") is True
    assert pd("US", death_year=1950, date_text="active 1915-1921") is None
    finding = one("US", death_year=1950, date_text="c. 1920")
    assert "made by 1930 ('c. 1920' plus 10 years' margin)" in finding.explanation


def test_us_first_publication_1931_to_2002_blocks_the_life_rule() -> None:
    assert pd("US", death_year=1850, date_text="1840", published_year=1990) is None
    assert pd("US", death_year=1850, date_text="1840", published_year=1950) is None
    assert pd("US", death_year=1850, date_text="1840", published_year=2005) is True


def test_us_anonymous_work_made_by_1905() -> None:
    finding = one("US", anonymous=True, date_text="1890s")
    assert finding.public_domain is True
    assert finding.rule == "us-anonymous-made-before-1906"
    assert pd("US", anonymous=True, date_text="1906") is None
    assert pd("US", anonymous=True) is None


# US publication cutoffs as the law stood on the as-of date: (as-of, last free publication year).
US_CUTOFFS = [
    (date(1997, 6, 1), 1921),  # 75 years from publication: published before 1922
    (date(1998, 3, 1), 1922),  # 1922 works entered the public domain on 1 Jan 1998 ...
    (date(1998, 12, 1), 1922),  # ... and stayed there when the term extension froze everything else
    (date(2001, 6, 1), 1922),
    (date(2012, 8, 30), 1922),
    (date(2018, 12, 31), 1922),
    (date(2019, 1, 1), 1923),  # the freeze ended: published before 1924
    (date(2026, 12, 7), 1930),  # 95 years: published before 1931
]


@pytest.mark.parametrize(("as_of", "last_free"), US_CUTOFFS)
def test_us_publication_cutoff_as_the_law_stood(as_of: date, last_free: int) -> None:
    assert us_last_expired_publication_year(as_of.year) == last_free
    free = one("US", as_of=as_of, published_year=last_free)
    assert (free.public_domain, free.rule) == (True, f"us-published-before-{last_free + 1}")
    assert pd("US", as_of=as_of, published_year=last_free + 1) is None


def test_us_publication_explanations_name_the_law_of_the_day() -> None:
    assert one("US", as_of=date(1997, 6, 1), published_year=1921).explanation == (
        "published 1921; US terms for works published before 1922 ended by 31 Dec 1996 (75 years from publication)"
    )
    assert one("US", as_of=date(2012, 8, 30), published_year=1922).explanation == (
        "published 1922; US terms for works published before 1923 ended by 31 Dec 1997; the 1998 extension to 95"
        " years kept the public domain at works published before 1923 until 2019"
    )


def test_us_before_1978_is_not_modelled() -> None:
    finding = one("US", as_of=date(1977, 6, 1), published_year=1850)
    assert (finding.public_domain, finding.rule) == (None, "us-undetermined")
    assert "before the 1976 Act took effect" in finding.explanation


def test_us_works_made_1917_to_1922_by_creators_dead_by_1941_were_free_in_2012() -> None:
    as_of = date(2012, 8, 30)
    finding = one("US", as_of=as_of, death_year=1941, date_text="1917-1922")
    assert (finding.public_domain, finding.rule) == (True, "us-life+70-made-before-1923")
    assert "leftover risk: the US term would still run if it was first published 1923–2002" in finding.explanation
    assert pd("US", as_of=as_of, death_year=1942, date_text="1920") is None  # life+70 runs to 2012
    assert pd("US", as_of=as_of, death_year=1930, date_text="1923") is None  # made after the cutoff


def test_us_section_303a_unpublished_works_not_free_before_2003() -> None:
    finding = one("US", as_of=date(2001, 6, 1), death_year=1900, date_text="1890")
    assert finding.public_domain is None
    assert "protected to at least 31 Dec 2002 (17 U.S.C. §303(a))" in finding.explanation
    assert pd("US", as_of=date(2002, 12, 31), death_year=1900, date_text="1890") is None
    assert pd("US", as_of=date(2003, 1, 1), death_year=1900, date_text="1890") is True
    assert pd("US", as_of=date(2001, 6, 1), anonymous=True, date_text="1850") is None
    assert pd("US", as_of=date(2003, 1, 1), anonymous=True, date_text="1850") is True
    # A publication before the cutoff is not touched by §303(a).
    assert pd("US", as_of=date(2001, 6, 1), death_year=1900, date_text="1890", published_year=1891) is True


def test_us_section_303a_first_published_1978_to_2002_not_free_before_2048() -> None:
    for published in (1978, 1990, 2002):
        assert pd("US", as_of=date(2047, 12, 31), death_year=1900, date_text="1890", published_year=published) is None
        assert pd("US", as_of=date(2048, 1, 1), death_year=1900, date_text="1890", published_year=published) is True
    # From 2048 the only leftover risk is a first publication up to 1977 (95 years from publication).
    finding = one("US", as_of=date(2048, 1, 1), death_year=1900, date_text="1890")
    assert "first published 1953–1977 (95 years from publication)" in finding.explanation


def test_us_leftover_risk_hold_keeps_works_decided_only_by_when_they_were_made() -> None:
    kwargs: dict[str, Any] = {"as_of": date(2026, 12, 7), "codes": ["US"], "created": created("1900")}
    (accepted,) = term_findings(death_year=1900, published_year=None, us_federal=False, anonymous=False, **kwargs)
    assert accepted.public_domain is True
    assert "leftover risk: the US term would still run if it was first published 1931–2002" in accepted.explanation
    (held,) = term_findings(
        death_year=1900, published_year=None, us_federal=False, anonymous=False, accept_leftover_risk=False, **kwargs
    )
    assert held.public_domain is None
    assert "the leftover risk is not accepted (--leftover-risk hold)" in held.explanation
    (anonymous,) = term_findings(
        death_year=None, published_year=None, us_federal=False, anonymous=True, accept_leftover_risk=False, **kwargs
    )
    assert anonymous.public_domain is None
    # A recorded publication before the cutoff carries no leftover risk.
    (published,) = term_findings(
        death_year=1900, published_year=1901, us_federal=False, anonymous=False, accept_leftover_risk=False, **kwargs
    )
    assert published.public_domain is True


def test_us_is_never_false() -> None:
    finding = one("US", death_year=2000, date_text="1990", published_year=1990)
    assert finding.public_domain is None
    assert finding.rule == "us-undetermined"
    assert finding.explanation.startswith("no US rule applies: ")


# --- anonymous works outside the US -----------------------------------------------------------------------


def test_eu_anonymous_work_counts_from_publication() -> None:
    assert pd("DE", anonymous=True, published_year=1955) is True
    assert pd("DE", anonymous=True, published_year=1956) is False
    assert one("DE", anonymous=True, published_year=1955).explanation == (
        "anonymous, published 1955; 70 years from publication ended 31 Dec 2025"
    )


def test_anonymous_with_only_a_creation_date_is_decided_where_the_law_bounds_it() -> None:
    # EU and GB: 70 years from making available, or from making when not made available within 70 years.
    finding = one("DE", anonymous=True, date_text="1700")
    assert (finding.public_domain, finding.rule) == (True, "anonymous-made+140")
    assert finding.explanation.startswith("unknown maker, made by 1700 ('1700'): the term ended by 31 Dec 1840 at")
    assert "Directive 2006/116/EC art. 1(3), 1(6)" in finding.explanation
    assert finding.inputs == (("creator", "unknown maker"), ("date", "created 1700"))
    # The latest possible year counts: c. 1880 may be 1890, and 1890 + 140 runs to 2030.
    assert pd("DE", anonymous=True, date_text="1885") is True
    assert one("DE", anonymous=True, date_text="c. 1880").rule == "anonymous-may-run"
    assert pd("DE", anonymous=True, date_text="c. 1880") is None
    assert pd("GB", anonymous=True, date_text="1885") is True
    assert pd("GB", anonymous=True, date_text="1886") is None
    # Where the term runs from publication only (Japan, Australia) or no rule is recorded (Mexico): undecided.
    for code in ("JP", "AU", "MX"):
        assert pd(code, anonymous=True, date_text="1700") is None, code
    assert one("JP", anonymous=True, date_text="1700").rule == "no-publication-year"
    assert one("MX", anonymous=True, date_text="1700").rule == "no-anonymous-rule"
    # No date that bounds the making: nothing to count from.
    assert pd("DE", anonymous=True, date_text="after 1700") is None
    assert pd("DE", anonymous=True) is None


def test_canada_anonymous_earlier_of_75_from_publication_and_100_from_making() -> None:
    assert pd("CA", anonymous=True, date_text="1925") is True
    assert pd("CA", anonymous=True, date_text="1926") is None
    assert pd("CA", anonymous=True, published_year=1950) is True
    assert pd("CA", anonymous=True, published_year=1951) is False
    # Made 1925, published 1960: 100 years from making ended first.
    assert pd("CA", anonymous=True, date_text="1925", published_year=1960) is True


def test_a_later_publication_does_not_outlast_the_bound_from_making() -> None:
    # EU: published 1990 but made by 1850, so it was not made available within 70 years of making.
    assert pd("FR", anonymous=True, date_text="1850", published_year=1990) is True
    assert pd("FR", anonymous=True, published_year=1990) is False
    # A publication year after the as-of date is wrong data: no answer, even with an old making date.
    assert pd("FR", anonymous=True, date_text="1850", published_year=2030) is None


def test_japan_anonymous_not_retroactive() -> None:
    assert pd("JP", anonymous=True, published_year=1967) is True
    assert pd("JP", anonymous=True, published_year=1968) is False


def test_no_anonymous_rule_for_mexico() -> None:
    assert one("MX", anonymous=True, published_year=1800).rule == "no-anonymous-rule"
    assert pd("MX", anonymous=True, published_year=1800) is None


# --- data that cannot be trusted --------------------------------------------------------------------------


def test_nga_shape_born_1908_died_2008_is_not_public_domain_anywhere() -> None:
    results = findings(expand("worldwide"), death_year=2008, date_text="born 1908")
    assert all(f.public_domain is not True for f in results)
    assert {f.jurisdiction for f in results if f.public_domain is None} == {"US"}
    evidence = term_evidence(results)
    assert evidence is not None
    assert evidence.status == "undetermined"


def test_death_year_after_as_of_is_not_used() -> None:
    finding = one("DE", death_year=2030)
    assert finding.public_domain is None
    assert finding.rule == "inconsistent-dates"
    assert "2030 is after 2026" in finding.explanation
    assert pd("US", death_year=2030, date_text="1900") is None


def test_death_before_creation_is_inconsistent() -> None:
    assert one("DE", death_year=1800, date_text="1850").rule == "inconsistent-dates"
    assert pd("US", death_year=1800, date_text="1850") is None
    assert pd("DE", death_year=1800, date_text="born 1830") is None
    # circa allows the margin; "exhibited" and "before" say nothing about the earliest year
    assert pd("DE", death_year=1845, date_text="c. 1850") is True
    assert pd("DE", death_year=1800, date_text="exhibited 1818") is True
    assert pd("DE", death_year=1800, date_text="before 1850") is True


def test_died_date_must_match_death_year() -> None:
    assert pd("DE", death_year=1860, date_text="died 1850") is None
    assert pd("DE", death_year=1850, date_text="died 1850") is True


def test_publication_inconsistencies() -> None:
    assert pd("US", published_year=2030) is None
    assert pd("US", published_year=1900, date_text="1920") is None  # published before it was made
    # Nor does a rule counting from the making trust a date that an impossible publication contradicts.
    assert pd("US", published_year=1850, date_text="1900", death_year=1910) is None
    assert pd("US", published_year=1850, anonymous=True, date_text="1860") is None


def test_no_death_year_says_nothing() -> None:
    finding = one("FR")
    assert finding.public_domain is None
    assert finding.rule == "no-death-year"


# --- the longest term wins worldwide ----------------------------------------------------------------------


def test_worldwide_includes_mexico_so_the_longest_term_applies() -> None:
    results = findings(expand("worldwide"), death_year=1950, date_text="1920")
    by_code = {f.jurisdiction: f.public_domain for f in results}
    assert by_code["MX"] is False
    assert by_code["DE"] is True
    assert by_code["US"] is True
    evidence = term_evidence(results)
    assert evidence is not None
    assert evidence.status == "public_domain_us"


# --- term_evidence ----------------------------------------------------------------------------------------


def test_evidence_public_domain_everywhere() -> None:
    evidence = term_evidence(findings(["US", "FR", "MX"], death_year=1850, date_text="1840-1845"))
    assert isinstance(evidence, Evidence)
    assert evidence.source == "term-rule"
    assert evidence.status == "public_domain"
    assert evidence.field == "date,creator_death_year"
    assert evidence.value == "created 1840–1845; death 1850"
    assert "FR: author died 1850; life+70 ended 31 Dec 1920" in evidence.finding
    assert "MX: author died 1850; life+100 ended 31 Dec 1950" in evidence.finding


def test_evidence_groups_jurisdictions_with_one_explanation() -> None:
    evidence = term_evidence(findings(expand("EU"), death_year=1900))
    assert evidence is not None
    assert evidence.status == "public_domain"
    assert evidence.finding.count("life+70 ended 31 Dec 1970") == 1
    assert evidence.finding.startswith("AT, BE, BG,")


def test_evidence_not_public_domain_everywhere() -> None:
    evidence = term_evidence(findings(["FR", "GB", "MX"], death_year=1990))
    assert evidence is not None
    assert evidence.status == "not_public_domain"
    assert evidence.value == "death 1990"


def test_evidence_none_when_no_rule_could_say_anything() -> None:
    assert term_evidence(findings(["US", "FR"], date_text="1900")) is None
    assert term_evidence([]) is None


def test_us_undetermined_says_why() -> None:
    assert one("US", death_year=1850).explanation == (
        "no US rule applies: no creation date that bounds when the work was made"
    )
    assert one("US").explanation == "no US rule applies: no publication year, no death year and not marked anonymous"


# --- the cache --------------------------------------------------------------------------------------------


def test_equal_arguments_give_equal_results_from_the_cache() -> None:
    kwargs: dict[str, Any] = {"death_year": 1850, "date_text": "c. 1840", "anonymous": True, "published_year": 1860}
    first = findings(expand("worldwide"), **kwargs)
    hits = assess_terms.cache_info().hits
    second = findings(expand("worldwide"), **kwargs)
    assert assess_terms.cache_info().hits == hits + 1
    assert second == first
    assert term_evidence(second) == term_evidence(first)


def test_a_caller_changing_its_list_does_not_change_the_cache() -> None:
    first = findings(["FR", "US"], death_year=1850)
    expected = list(first)
    first.clear()
    first.append(TermFinding("FR", False, "poisoned", "poisoned"))
    assert findings(["FR", "US"], death_year=1850) == expected


def test_the_cache_is_bounded() -> None:
    info = assess_terms.cache_info()
    assert info.maxsize == TERM_CACHE_SIZE
    assert info.maxsize is not None and 0 < info.maxsize <= 4096
    assert info.currsize <= info.maxsize


def test_cached_results_match_a_fresh_computation() -> None:
    codes = tuple(expand("worldwide"))
    for death_year, date_text, published, anonymous, us_federal in [
        (1850, "c. 1840", None, False, False),
        (1950, "1930", 1931, False, False),
        (None, "c. 1800", None, True, False),
        (1955, "born 1930", None, False, False),
        (None, "1900", None, False, True),
        (2030, None, None, False, False),
    ]:
        args = (2026, death_year, created(date_text) if date_text else None, published, us_federal, anonymous, codes)
        fresh = assess_terms.__wrapped__(*args)
        assert assess_terms(*args) == fresh
        assert fresh.evidence == term_evidence(list(fresh.findings))


def test_every_day_of_a_year_gives_the_same_findings() -> None:
    # The cache is keyed on the year of the as-of date: the rules must not look at the day.
    for death_year in (1954, 1955, 1956):
        assert findings(expand("worldwide"), as_of=date(2026, 12, 31), death_year=death_year) == findings(
            expand("worldwide"), as_of=NEW_YEAR_2026, death_year=death_year
        )
