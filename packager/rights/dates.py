"""Read the date strings that museums put on works into a range of years.

Catalogues write dates as "c. 1890", "1728 or 32", "fl. 1787–1808", "480–221 BCE" and
many other ways. ``parse_year_range`` turns one such string into the earliest and
latest year it allows, plus a qualifier saying what kind of statement it was, so that
the copyright-term rules can decide how much margin to add.

The parser is strict on purpose: a string it does not fully recognise gives None
rather than a guess, because a wrong year can put a protected work into a
public-domain dataset. Years BCE are negative numbers (-480 means 480 BCE); there is
no year 0 in the input, and none is produced.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

QUALIFIERS = (
    "exact",
    "circa",
    "decade",
    "century",
    "range",
    "either",
    "active",
    "born",
    "died",
    "exhibited",
    "before",
    "after",
)

# Open ends for "before 1850" and "after 1850": far enough that no real date falls outside.
EARLIEST_OPEN = -10000
LATEST_OPEN = 9999
# No date statement we can read is longer than this; a longer cell is prose, and is not scanned.
MAX_DATE_CHARS = 200


@dataclass(frozen=True)
class YearRange:
    """The years a date string allows: earliest..latest, both inclusive."""

    earliest: int  # negative for BCE: -480 is 480 BCE
    latest: int
    qualifier: str  # one of QUALIFIERS
    text: str  # the string as given


# --- building blocks --------------------------------------------------------------------------------------

# Era words, after lower-casing. "b.c" without a final dot appears once the trailing "." is stripped.
_BCE = r"(?:b\.?\s?c\.?\s?e\.?|b\.?\s?c\.?)"
_CE = r"(?:c\.?\s?e\.?|a\.?\s?d\.?)"
_ERA = rf"(?:{_BCE}|{_CE})"
_AD_PREFIX = r"(?:a\.?\s?d\.?)"
# Longest words first, and never followed by a letter: "ca." must not be read as "c" + "a.".
_CIRCA_WORD = r"(?:circa|cca|ca|c|approximately|approx|about|around|abt)(?![a-z])\.?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# "early 19th century", "second half of the 1890s": the modifier narrows the span, but we keep the
# whole decade or century, which is the wider (more cautious) reading.
_PART = (
    r"(?:(?:early|mid|middle|late|end of|beginning of|start of"
    r"|(?:first|second|1st|2nd) half of|(?:first|second|third|fourth|last|1st|2nd|3rd|4th) quarter of"
    r"|first|second|third|last)[\s-]?(?:the )?)?"
)
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)"
_CENTURY_WORD = r"(?:century|centuries|cent\.?|c\.?)"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:t[\d:.,]*(?:z|[+-]\d{2}:?\d{2})?)?")
_YMD = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_DATE = re.compile(rf"(?:{_DAY},?\s)?{_MONTH},?\s(?:{_DAY},?\s)?(\d{{4}})")
_YEAR = re.compile(r"(\d{3,4})")
_ERA_YEAR = re.compile(rf"(\d{{1,4}})\s?({_ERA})")
_ERA_FIRST_YEAR = re.compile(rf"({_ERA})\s?(\d{{1,4}})")  # "AD 100", and the rarer "B.C. 300"
_DECADE = re.compile(rf"{_PART}(\d{{3}}0)'?s")
_DECADES = re.compile(r"(?:the )?(\d{3}0)'?s\s?(?:-|to)\s?(\d{3}0)'?s")
_CENTURY = re.compile(rf"{_PART}{_ORDINAL}[\s-]{_CENTURY_WORD}(?:\s?({_ERA}))?")
_CENTURIES = re.compile(
    rf"(?:the )?{_ORDINAL}?\s?(?:-|to|or|/|and)\s?(?:the )?{_ORDINAL}[\s-]{_CENTURY_WORD}(?:\s?({_ERA}))?"
)
# One year of a pair: optional circa word, optional "AD" before, digits, optional era after.
_PAIR_YEAR = rf"(?:({_CIRCA_WORD})\s?)?(?:({_AD_PREFIX})\s?)?(\d{{1,4}})(?:\s?({_ERA}))?"
_RANGE = re.compile(rf"(?:between\s)?{_PAIR_YEAR}\s?(-|to|until|till|and)\s?{_PAIR_YEAR}")
_EITHER = re.compile(rf"{_PAIR_YEAR}\s?(/|or)\s?{_PAIR_YEAR}")

# Prefixes that qualify the date that follows them, tried in this order.
_PREFIXES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (qualifier, re.compile(rf"(?:{words})(?![a-z])\.?[\s-]?(.+)"))
    for qualifier, words in (
        ("active", r"active|act|floruit|flourished|flor|fl|working"),
        ("born", r"born|b"),
        ("died", r"died|d"),
        ("exhibited", r"exhibited|exh"),
        ("before", r"before|bef|not after|no later than|by|pre"),
        ("after", r"after|aft|not before|no earlier than|post"),
        ("circa", r"circa|cca|ca|c|approximately|approx|about|around|abt"),
    )
)
# A doubt mark at the end: "1890?", "1890 (?)", "[1890?]".
_DOUBT = re.compile(r"(.+?)\s?(?:\?|\(\?\))")
# A year glossed by an era name and its year (or a cyclical sign and month): "1853 (Kaei 6)", "1853 (Ox 9)",
# "1857 (Man'en 1)". The number has one or two digits, so it cannot be another year of the work.
_ERA_NAME = re.compile(r"(.+?)\s?\([^\W\d_]+(?:['\u2019-][^\W\d_]+)*\s\d{1,2}\)")


def _is_bce(era: str | None) -> bool:
    return era is not None and re.fullmatch(_BCE, era) is not None


def _valid_ce(year: int) -> bool:
    # Catalogue dates run from year 1 to the near future; 0 or five digits means we misread something.
    return 1 <= year <= 2999


# --- core forms (no prefix qualifier) ---------------------------------------------------------------------


def _calendar_date(s: str) -> tuple[int, int, str] | None:
    """Full dates: ISO, day/month/year either way round, month names. Only the year is kept."""
    match = _ISO_DATE.fullmatch(s) or _YMD.fullmatch(s)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31 and _valid_ce(year):
            return year, year, "exact"
        return None
    match = _DMY.fullmatch(s)
    if match:
        a, b, year = (int(g) for g in match.groups())
        # 05/02/1889 may be 5 Feb or 2 May; the year is the same either way, but both parts must be
        # plausible, and one of them must be a month.
        if 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12 and _valid_ce(year):
            return year, year, "exact"
        return None
    match = _MONTH_DATE.fullmatch(s)
    if match:
        year = int(match.group(1))
        return (year, year, "exact") if _valid_ce(year) else None
    return None


def _single_year(s: str) -> tuple[int, int, str] | None:
    match = _YEAR.fullmatch(s)
    if match:
        year = int(match.group(1))
        return (year, year, "exact") if _valid_ce(year) else None
    match = _ERA_YEAR.fullmatch(s)
    if match:
        year = int(match.group(1))
        if year == 0:
            return None
        value = -year if _is_bce(match.group(2)) else year
        return value, value, "exact"
    match = _ERA_FIRST_YEAR.fullmatch(s)
    if match:
        year = int(match.group(2))
        if year == 0:
            return None
        value = -year if _is_bce(match.group(1)) else year
        return value, value, "exact"
    return None


def _century_span(number: int, bce: bool) -> tuple[int, int] | None:
    if not 1 <= number <= 30:
        return None
    if bce:
        # 5th century BCE: 500 BCE .. 401 BCE
        return -(number * 100), -((number - 1) * 100 + 1)
    # Popular usage: the 19th century is 1800–1899 (not 1801–1900); the 1st century starts at year 1.
    return max(1, (number - 1) * 100), number * 100 - 1


def _decade_or_century(s: str) -> tuple[int, int, str] | None:
    match = _DECADES.fullmatch(s)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if first <= second and _valid_ce(first):
            return first, second + 9, "decade"
        return None
    match = _DECADE.fullmatch(s.removeprefix("the "))
    if match:
        start = int(match.group(1))
        if not _valid_ce(start):
            return None
        if start % 100 == 0:
            # "1800s" usually means the whole century; the wider reading is the cautious one.
            return start, start + 99, "century"
        return start, start + 9, "decade"
    match = _CENTURY.fullmatch(s)
    if match:
        span = _century_span(int(match.group(1)), _is_bce(match.group(2)))
        return (*span, "century") if span else None
    match = _CENTURIES.fullmatch(s)
    if match:
        if match.group(1) is None:
            return None
        bce = _is_bce(match.group(3))
        first_span = _century_span(int(match.group(1)), bce)
        second_span = _century_span(int(match.group(2)), bce)
        if first_span is None or second_span is None:
            return None
        earliest, latest = min(first_span[0], second_span[0]), max(first_span[1], second_span[1])
        return earliest, latest, "century"
    return None


def _pair(match: re.Match[str], kind: str) -> tuple[int, int, str] | None:
    """Two years joined by a dash, "to", "or" or "/": a range or an either/or."""
    circa1, ad1, digits1, era1, sep, circa2, ad2, digits2, era2 = match.groups()
    first, second = int(digits1), int(digits2)
    bce1, bce2 = _is_bce(era1), _is_bce(era2)
    ce1 = bool(ad1) or (era1 is not None and not bce1)
    ce2 = bool(ad2) or (era2 is not None and not bce2)
    qualifier = "circa" if (circa1 or circa2) else kind
    if first == 0 or second == 0:
        return None
    if bce2:
        # "480–221 BCE": the era at the end covers both years. No abbreviation ("480–21 BC") is expanded.
        if ce1 or ad2:
            return None
        earliest, latest = -first, -second
    elif bce1:
        # "100 BCE – 50 CE" needs an explicit era on the second year; "100 BC – 50" is ambiguous.
        if not ce2:
            return None
        earliest, latest = -first, second
    elif ce1 or ce2:
        # An explicit CE/AD: short numbers are real years ("AD 50–120"), and nothing is abbreviated.
        earliest, latest = first, second
    else:
        if len(digits1) < 3:
            # Plain numbers such as "12-15" are not years unless an era says so.
            return None
        if len(digits2) < len(digits1):
            # "1775-85" is 1775–1785; "1728 or 32" is 1728 or 1732.
            expanded = int(digits1[: len(digits1) - len(digits2)] + digits2)
            if expanded < first:
                # "1889-05" or "1889/12": a year and a month, not a range running backwards.
                if len(digits2) == 2 and 1 <= second <= 12 and sep in ("-", "/") and not circa2:
                    return (first, first, "exact") if _valid_ce(first) else None
                return None
            second = expanded
        earliest, latest = first, second
    if earliest >= 0 and not (_valid_ce(earliest) and _valid_ce(latest)):
        return None
    if kind == "either":
        earliest, latest = min(earliest, latest), max(earliest, latest)
    if earliest > latest:
        return None
    if earliest == latest and qualifier == kind:
        return earliest, latest, "exact"
    return earliest, latest, qualifier


def _core(s: str) -> tuple[int, int, str] | None:
    for parse in (_calendar_date, _single_year, _decade_or_century):
        found = parse(s)
        if found is not None:
            return found
    match = _RANGE.fullmatch(s)
    if match and (match.group(5) != "and" or s.startswith("between")):
        return _pair(match, "range")
    match = _EITHER.fullmatch(s)
    if match:
        return _pair(match, "either")
    return None


# --- qualifiers and entry point ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).lower()
    s = re.sub(r"[\u2010-\u2015\u2212\ufe58\ufe63]", "-", s)  # every dash is a hyphen
    s = re.sub(r"\s+", " ", s).strip()
    # Square brackets mark a date the cataloguer supplied; the date inside is what counts.
    while len(s) >= 2 and (s[0], s[-1]) in {("[", "]"), ("(", ")")}:
        s = s[1:-1].strip()
    s = re.sub(r"\s?-\s?", "-", s)
    return s.rstrip(" .,;").strip()


def _parse(s: str, depth: int) -> tuple[int, int, str] | None:
    found = _core(s)
    if found is not None:
        return found
    if depth >= 2:
        return None
    era = _ERA_NAME.fullmatch(s)
    if era:
        return _parse(era.group(1), depth + 1)
    doubt = _DOUBT.fullmatch(s)
    if doubt:
        inner = _parse(doubt.group(1).rstrip(" ."), depth + 1)
        return (inner[0], inner[1], "circa") if inner else None
    for qualifier, pattern in _PREFIXES:
        match = pattern.fullmatch(s)
        if not match:
            continue
        inner = _parse(match.group(1), depth + 1)
        if inner is None:
            continue
        earliest, latest, inner_qualifier = inner
        if qualifier == "circa":
            return earliest, latest, "circa"
        if qualifier == "before":
            # "before c. 1850" keeps the doubt about its upper end: the rules add margin to circa dates.
            return EARLIEST_OPEN, latest, "circa" if inner_qualifier == "circa" else "before"
        if qualifier == "after":
            return earliest, LATEST_OPEN, "after"
        if inner_qualifier == "circa" and qualifier in ("exhibited", "died"):
            return earliest, latest, "circa"
        return earliest, latest, qualifier
    return None


def parse_year_range(text: str | None) -> YearRange | None:
    """The years ``text`` allows, or None when it is empty, undated ("n.d.") or not understood."""
    if text is None:
        return None
    if len(text) > MAX_DATE_CHARS:
        return None
    s = _normalise(text)
    if not s or not re.search(r"\d", s):
        # "n.d.", "undated", "unknown", "s.d.": no digits, no year.
        return None
    found = _parse(s, 0)
    if found is None:
        return None
    earliest, latest, qualifier = found
    return YearRange(earliest=earliest, latest=latest, qualifier=qualifier, text=text)


def describe(years: YearRange) -> str:
    """A short human form of the years: "1840–1845", "c. 1890", "1728 or 1732", "1930 or later (born 1930)"."""
    first, last = format_year(years.earliest), format_year(years.latest)
    span = first if years.earliest == years.latest else f"{first}–{last}"
    match years.qualifier:
        case "circa":
            return f"by {last} (c.)" if years.earliest == EARLIEST_OPEN else f"c. {span}"
        case "either":
            return f"{first} or {last}"
        case "before":
            return f"by {last}"
        case "after":
            return f"{first} or later"
        case "born":
            return f"{first} or later (born {span})"
        case "died":
            return f"by {last} (died {span})"
        case "exhibited":
            return f"by {last} (exhibited {span})"
        case "active":
            return f"{span} (active)"
        case _:
            return span


def format_year(year: int) -> str:
    """1850 -> "1850"; -480 -> "480 BCE"."""
    return f"{-year} BCE" if year < 0 else str(year)


def made_by_death(death: int) -> YearRange:
    """The only bound on an undated work's making: its creator's death year (the latest possible date)."""
    return YearRange(earliest=death, latest=death, qualifier="died", text=f"undated; creator died {format_year(death)}")
