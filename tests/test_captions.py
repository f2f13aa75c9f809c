"""Caption text: clean_text, caption_from_metadata and credit_line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager.captions.clean import clean_text, strip_html
from packager.captions.template import caption_from_metadata, credit_line
from packager.collection import DEFAULT_ATTRIBUTION, Collection, Institution, Item


def make_item(**fields: str | None) -> Item:
    return Item(collection="city-museum", id="p-1", row=2, file="p1.jpg", **fields)  # type: ignore[arg-type]


def make_collection(attribution: str = DEFAULT_ATTRIBUTION) -> Collection:
    return Collection(
        id="city-museum",
        root=Path("collections/city-museum"),
        title="City Museum Prints",
        institution=Institution(name="City Museum", url="https://museum.example"),
        manifest=Path("collections/city-museum/items.csv"),
        attribution=attribution,
    )


# --- clean_text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Harbour at <b>dawn</b></p>", "Harbour at dawn"),
        ("Line one<br>Line two<br/>Line three", "Line one Line two Line three"),
        ("<ul><li>Oil</li><li>Canvas</li></ul>", "Oil Canvas"),
        ('<a href="https://museum.example/p1">View</a> of the harbour', "View of the harbour"),
        ("<i>Nature</i>, 1890", "Nature, 1890"),
        ("&lt;i&gt;Nature&lt;/i&gt;", "Nature"),
    ],
)
def test_clean_text_strips_tags(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith &amp; Sons", "Smith & Sons"),
        ("1890 &ndash; 1900", "1890 – 1900"),
        ("&#233;t&#233;", "été"),
        ("&eacute;t&eacute;", "été"),
        ("&#xE9;t&#xe9;", "été"),
        ("Vue de l&#39;&eacute;glise", "Vue de l'église"),
        ("&nbsp;Harbour&nbsp;", "Harbour"),
        ("Smith &amp;amp; Sons", "Smith & Sons"),
        ("AT&T archive", "AT&T archive"),
        ("a < b > c", "a < b > c"),
    ],
)
def test_clean_text_decodes_entities(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cafÃ©", "café"),
        ("MÃ¼nchen", "München"),
        ("Ã‰glise Saint-Ã‰tienne", "Église Saint-Étienne"),
        ("â€œThe Harbourâ€\x9d", '"The Harbour"'),  # ftfy also straightens curly quotes
        ("Dvořák", "Dvořák"),
        ("Portrait de Mme Ã  la robe", "Portrait de Mme à la robe"),
    ],
)
def test_clean_text_fixes_mojibake(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Harbour<script>alert('x')</script> at dawn", "Harbour at dawn"),
        ("<style>p { color: red }</style>Harbour", "Harbour"),
        ("<SCRIPT type='text/javascript'>var a = '<p>';</SCRIPT>Text", "Text"),
        ("<script>document.write('<b>x</b>')</script>", ""),
    ],
)
def test_clean_text_drops_script_and_style_content(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Harbour \n\n at\tdawn  ", "Harbour at dawn"),
        ("Harbour\u00a0at\u2003dawn", "Harbour at dawn"),
        ("Harbour\r\nat dawn", "Harbour at dawn"),
        ("Harbour , at dawn .", "Harbour, at dawn."),
        ("Harbour\x00 at\x07 dawn\x7f", "Harbour at dawn"),
        ("Harbour\u2028at\u2029dawn\x0c", "Harbour at dawn"),
        ("\n\t ", ""),
        ("", ""),
    ],
)
def test_clean_text_collapses_whitespace_and_control_characters(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_normalises_to_nfc() -> None:
    decomposed = "e\u0301te\u0301"  # e + combining acute accent
    cleaned = clean_text(decomposed)
    assert cleaned == "\u00e9t\u00e9"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text("A\u030angstr\u00f6m") == "\u00c5ngstr\u00f6m"


def test_strip_html_leaves_plain_text_alone() -> None:
    assert strip_html("Harbour at dawn") == "Harbour at dawn"
    assert strip_html("Harbour <b>at</b> dawn") == "Harbour at dawn"


MESSY_CATALOGUE_STRINGS = [
    "<p>View of the Harbour at Dieppe&nbsp;&ndash; etching, 2nd state</p>",
    "Portrait of Mme. RÃ©camier (after J.-L. David) <br/> <i>oil on canvas</i>",
    "&lt;p&gt;Gift of the Friends of the Museum, 1923&lt;/p&gt;",
    "  Untitled   [sketch]  ;  verso: inscription  ",
    "<div class='desc'>Bâtiment de l&#39;Ã‰cole <script>track()</script>des Beaux-Arts</div>",
    "Dimensions: 20 Ã— 30 cm ; Signed l.r. &quot;J.S.&quot;",
    "\ufeffNoord-Hollandsch Archief\u200b \u2013 Haarlem",
    "Ansicht von K\u00f6ln , Rhein .",
    "â€˜Tis the season â€” a caricature",
    "Tokyo 東京 &amp; Kyōto 京都<br>woodblock print",
]


@pytest.mark.parametrize("raw", MESSY_CATALOGUE_STRINGS)
def test_clean_text_is_idempotent_on_catalogue_strings(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once
    assert "<" not in once and "&nbsp;" not in once and "Ã" not in once
    assert once == once.strip() and "  " not in once


def test_clean_text_messy_catalogue_strings_exact() -> None:
    cleaned = [clean_text(s) for s in MESSY_CATALOGUE_STRINGS]
    assert cleaned[0] == "View of the Harbour at Dieppe – etching, 2nd state"
    assert cleaned[1] == "Portrait of Mme. Récamier (after J.-L. David) oil on canvas"
    assert cleaned[2] == "Gift of the Friends of the Museum, 1923"
    assert cleaned[3] == "Untitled [sketch]; verso: inscription"
    assert cleaned[4] == "Bâtiment de l'École des Beaux-Arts"
    assert cleaned[5] == 'Dimensions: 20 × 30 cm; Signed l.r. "J.S."'
    assert cleaned[7] == "Ansicht von Köln, Rhein."
    assert cleaned[9] == "Tokyo 東京 & Kyōto 京都 woodblock print"


def test_clean_text_soft_hyphen_does_not_split_words() -> None:
    assert clean_text("Ver\u00adsailles") == "Versailles"


@pytest.mark.parametrize("separator", ["\x0b", "\x1f", "\x1e"])
def test_clean_text_control_separators_do_not_join_words(separator: str) -> None:
    assert clean_text(f"Line one{separator}Line two") == "Line one Line two"


_FRAGMENTS = st.sampled_from(
    [
        "<", ">", "&", ";", "#", "amp", "lt;", "gt;", "&amp;", "&lt;", "&#233;", "&eacute;", "&nbsp;",
        "<p>", "</p>", "<br/>", "<script>", "</script>", "<!--", "-->", "<b", "='x'", "Ã", "©", "Ã©",
        "â€", "™", "Â", " ", "\n", "\t", "\u00a0", "\u0301", "\u200b", "\ufeff", "\x00", "e", "é",
        ",", ".", " ,", "?", "x", "Köln", "東京",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.lists(_FRAGMENTS, max_size=30).map("".join)))
def test_clean_text_is_idempotent_property(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once


# --- caption_from_metadata --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"title": "View of the Harbour", "creator": "Anna Smith", "date": "1890", "description": "An etching"},
            "View of the Harbour, by Anna Smith, 1890. An etching.",
        ),
        ({"title": "View of the Harbour"}, "View of the Harbour."),
        ({"title": "View of the Harbour", "creator": "Anna Smith"}, "View of the Harbour, by Anna Smith."),
        ({"title": "View of the Harbour", "date": "c. 1890"}, "View of the Harbour, c. 1890."),
        ({"creator": "Anna Smith"}, "By Anna Smith."),
        ({"creator": "Anna Smith", "date": "1890"}, "By Anna Smith, 1890."),
        ({"date": "1890"}, "1890."),
        ({"description": "An etching of the harbour."}, "An etching of the harbour."),
        ({"title": "Is it Spring?", "description": "Woodcut!"}, "Is it Spring? Woodcut!"),
        (
            {"title": "<i>Nature</i> &amp; Art", "creator": "CafÃ© Society", "description": "<p>Two  lines</p>"},
            "Nature & Art, by Café Society. Two lines.",
        ),
    ],
)
def test_caption_from_metadata(fields: dict[str, str], expected: str) -> None:
    assert caption_from_metadata(make_item(**fields)) == expected


@pytest.mark.parametrize("fields", [{}, {"title": "<p> </p>"}, {"title": "", "creator": "&nbsp;", "date": "  "}])
def test_caption_from_metadata_with_nothing_to_say(fields: dict[str, str]) -> None:
    assert caption_from_metadata(make_item(**fields)) is None


def test_caption_ignores_the_caption_and_credit_fields() -> None:
    item = make_item(title="Harbour", caption="Given caption", credit_line="Gift of B.")
    assert caption_from_metadata(item) == "Harbour."


def test_caption_title_ending_with_full_stop() -> None:
    caption = caption_from_metadata(make_item(title="Portrait of a Lady.", creator="Anna Smith"))
    assert caption is not None
    assert ".," not in caption


# --- credit_line ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": "View of the Harbour", "creator": "Anna Smith"}, "View of the Harbour, Anna Smith. City Museum."),
        ({"title": "View of the Harbour"}, "View of the Harbour. City Museum."),
        ({"creator": "Anna Smith"}, "Anna Smith. City Museum."),
        ({}, "City Museum."),
        ({"title": "View", "creator": "J. Smith Jr."}, "View, J. Smith Jr. City Museum."),
        ({"title": "<b>View</b>", "creator": "CafÃ© Society"}, "View, Café Society. City Museum."),
    ],
)
def test_credit_line_default_template_leaves_no_dangling_commas(fields: dict[str, str], expected: str) -> None:
    assert credit_line(make_item(**fields), make_collection()) == expected


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        ("Courtesy of {institution}; {creator}", {"creator": "Anna Smith"}, "Courtesy of City Museum; Anna Smith"),
        ("Courtesy of {institution}; {creator}", {}, "Courtesy of City Museum"),
        ("{creator}: {title}, {date}. {institution}", {"title": "View"}, "View. City Museum"),
        (
            "{creator}: {title}, {date}. {institution}",
            {"title": "View", "creator": "Anna", "date": "1890"},
            "Anna: View, 1890. City Museum",
        ),
        (
            "{title}. {collection}, {institution}. {id} {source_url}",
            {"title": "View", "source_url": "https://museum.example/p-1"},
            "View. City Museum Prints, City Museum. p-1 https://museum.example/p-1",
        ),
        ("{title}, {creator}. {{CC0}}", {"title": "View"}, "View. {CC0}"),
    ],
)
def test_credit_line_custom_templates(template: str, fields: dict[str, str], expected: str) -> None:
    assert credit_line(make_item(**fields), make_collection(template)) == expected


def test_item_credit_line_wins_and_is_cleaned() -> None:
    item = make_item(title="View", creator="Anna Smith", credit_line="  Gift of <b>B. Jones</b> &amp; family, 1923 ")
    assert credit_line(item, make_collection("{title} -- {institution}")) == "Gift of B. Jones & family, 1923"


def test_credit_line_keeps_an_ellipsis_in_the_title() -> None:
    line = credit_line(make_item(title="Wait...", creator="Anna Smith"), make_collection())
    assert line == "Wait..., Anna Smith. City Museum."


def test_credit_line_missing_field_leaves_no_empty_brackets() -> None:
    line = credit_line(make_item(title="View"), make_collection("{title} ({date}). {institution}."))
    assert "()" not in line
