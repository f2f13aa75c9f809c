"""parse_year_range: the date strings museums use, read into years, and nothing guessed."""

from __future__ import annotations

import pytest

from packager.rights.dates import EARLIEST_OPEN, LATEST_OPEN, QUALIFIERS, YearRange, describe, parse_year_range


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "qualifier"),
    [
        # exact years and full dates: only the year is kept
        ("1889", 1889, 1889, "exact"),
        ("1889-05-02", 1889, 1889, "exact"),
        ("1889-05-02T00:00:00Z", 1889, 1889, "exact"),
        ("05/02/1889", 1889, 1889, "exact"),
        ("25/12/1889", 1889, 1889, "exact"),
        ("12/25/1889", 1889, 1889, "exact"),
        ("1889.05.02", 1889, 1889, "exact"),
        ("May 2, 1889", 1889, 1889, "exact"),
        ("2 May 1889", 1889, 1889, "exact"),
        ("1889-05", 1889, 1889, "exact"),  # year and month, not a range running backwards
        ("[1889]", 1889, 1889, "exact"),
        ("1889.", 1889, 1889, "exact"),
        ("  1889  ", 1889, 1889, "exact"),
        # circa: the years stay as written; the rules add the margin
        ("c. 1890", 1890, 1890, "circa"),
        ("c.1890", 1890, 1890, "circa"),
        ("c 1890", 1890, 1890, "circa"),
        ("ca. 1890", 1890, 1890, "circa"),
        ("ca1890", 1890, 1890, "circa"),
        ("Circa 1890", 1890, 1890, "circa"),
        ("about 1890", 1890, 1890, "circa"),
        ("1890?", 1890, 1890, "circa"),
        ("1890 (?)", 1890, 1890, "circa"),
        ("[ca. 1890]", 1890, 1890, "circa"),
        ("c. 1890s", 1890, 1899, "circa"),
        ("c. 1775–c. 1851", 1775, 1851, "circa"),
        ("1775–85?", 1775, 1785, "circa"),
        ("before c. 1850", EARLIEST_OPEN, 1850, "circa"),
        # decades and centuries: the whole span, whatever "early" or "late" says
        ("1890s", 1890, 1899, "decade"),
        ("1890's", 1890, 1899, "decade"),
        ("early 1890s", 1890, 1899, "decade"),
        ("late 1890s", 1890, 1899, "decade"),
        ("mid-1890s", 1890, 1899, "decade"),
        ("the 1890s", 1890, 1899, "decade"),
        ("1890s–1900s", 1890, 1909, "decade"),
        ("1800s", 1800, 1899, "century"),  # the wider reading of a round "00s"
        ("19th century", 1800, 1899, "century"),
        ("late 19th century", 1800, 1899, "century"),
        ("mid-19th century", 1800, 1899, "century"),
        ("first half of the 19th century", 1800, 1899, "century"),
        ("19th c.", 1800, 1899, "century"),
        ("18th–19th century", 1700, 1899, "century"),
        ("1st century BCE", -100, -1, "century"),
        ("5th century B.C.", -500, -401, "century"),
        ("2nd–1st century BCE", -200, -1, "century"),
        ("1st century", 1, 99, "century"),
        # either/or
        ("1728 or 32", 1728, 1732, "either"),
        ("1728/32", 1728, 1732, "either"),
        ("1728 or 1732", 1728, 1732, "either"),
        ("1810/12", 1810, 1812, "either"),  # a year-or-year reading is wider than December 1810
        # ranges: hyphen, en dash, em dash, "to", "between ... and"
        ("1775–1851", 1775, 1851, "range"),
        ("1775-1851", 1775, 1851, "range"),
        ("1775 — 1851", 1775, 1851, "range"),
        ("1775 - 1851", 1775, 1851, "range"),
        ("1775 to 1851", 1775, 1851, "range"),
        ("between 1775 and 1851", 1775, 1851, "range"),
        ("1775-85", 1775, 1785, "range"),
        ("1775-8", 1775, 1778, "range"),
        ("1810-12", 1810, 1812, "range"),
        # BCE and CE
        ("480-221 BCE", -480, -221, "range"),
        ("480–221 B.C.", -480, -221, "range"),
        ("480 BC–221 BC", -480, -221, "range"),
        ("100 BCE – 50 CE", -100, 50, "range"),
        ("AD 50–120", 50, 120, "range"),
        ("300 BC", -300, -300, "exact"),
        ("300 B.C.", -300, -300, "exact"),
        ("300 BCE", -300, -300, "exact"),
        ("B.C. 300", -300, -300, "exact"),
        ("AD 100", 100, 100, "exact"),
        ("A.D. 100", 100, 100, "exact"),
        ("100 CE", 100, 100, "exact"),
        ("100 C.E.", 100, 100, "exact"),
        # what the maker did, rather than when the work was made
        ("active 1787-1808", 1787, 1808, "active"),
        ("fl. 1787–1808", 1787, 1808, "active"),
        ("flourished 1787", 1787, 1787, "active"),
        ("fl. ca. 1790", 1790, 1790, "active"),
        ("born 1930", 1930, 1930, "born"),
        ("b. 1930", 1930, 1930, "born"),
        ("died 1850", 1850, 1850, "died"),
        ("d. 1850", 1850, 1850, "died"),
        ("exhibited 1818", 1818, 1818, "exhibited"),
        # open-ended
        ("before 1850", EARLIEST_OPEN, 1850, "before"),
        ("pre-1850", EARLIEST_OPEN, 1850, "before"),
        ("after 1850", 1850, LATEST_OPEN, "after"),
        ("post-1850", 1850, LATEST_OPEN, "after"),
        # a year glossed by an era name and its year, or a cyclical sign and month
        ("1853 (Ox 9)", 1853, 1853, "exact"),
        ("1853 (Kaei 6)", 1853, 1853, "exact"),
        ("1857 (Man'en 1)", 1857, 1857, "exact"),
        ("1868 (Meiji 1)", 1868, 1868, "exact"),
        ("c. 1853 (Kaei 6)", 1853, 1853, "circa"),
        ("1853 (Ox 9)?", 1853, 1853, "circa"),
    ],
)
def test_parses(text: str, earliest: int, latest: int, qualifier: str) -> None:
    assert parse_year_range(text) == YearRange(earliest=earliest, latest=latest, qualifier=qualifier, text=text)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "n.d.",
        "N.D.",
        "undated",
        "unknown",
        "s.d.",
        "Date unknown",
        "No. 5",  # a number, not a year
        "12-15",  # too short to be a year without an era
        "0",
        "10000",
        "3000",
        "1851-1775",  # runs backwards
        "1889-13",  # neither a month nor a forward range
        "1775 and 1851",  # "and" without "between"
        "100 BC–50",  # the era of the second year is not said
        "13/13/1889",  # no month
        "1889, cast 1920",  # two dates: we do not choose
        "1890 (printed 1920)",  # the parenthesis holds another year, not an era's
        "1890 (printed)",  # a gloss with no era year: not read
        "1890 (circa)",  # would drop the doubt
        "(Ox 9)",  # an era year alone is not a year of the common era
        "1853 (Ox 123)",  # three digits could be a year
        "spring 1890",
        "after Rubens",
        "Rembrandt",
        "1890 or so on",
        "c. " * 100 + "1890",  # longer than any date statement
    ],
)
def test_gives_none_rather_than_guess(text: str | None) -> None:
    assert parse_year_range(text) is None


def test_text_is_kept_as_given() -> None:
    parsed = parse_year_range(" c. 1890 ")
    assert parsed is not None
    assert parsed.text == " c. 1890 "


def test_every_qualifier_is_known() -> None:
    samples = ["1889", "c. 1890", "1890s", "19th century", "1775-1851", "1728/32", "fl. 1787", "b. 1930", "d. 1850"]
    samples += ["exhibited 1818", "before 1850", "after 1850"]
    found = {parsed.qualifier for parsed in map(parse_year_range, samples) if parsed is not None}
    assert found == set(QUALIFIERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1840-1845", "1840–1845"),
        ("1889", "1889"),
        ("c. 1890", "c. 1890"),
        ("1728 or 32", "1728 or 1732"),
        ("before 1850", "by 1850"),
        ("after 1850", "1850 or later"),
        ("born 1908", "1908 or later (born 1908)"),
        ("died 1850", "by 1850 (died 1850)"),
        ("exhibited 1818", "by 1818 (exhibited 1818)"),
        ("fl. 1787-1808", "1787–1808 (active)"),
        ("480-221 BCE", "480 BCE–221 BCE"),
    ],
)
def test_describe(text: str, expected: str) -> None:
    parsed = parse_year_range(text)
    assert parsed is not None
    assert describe(parsed) == expected
