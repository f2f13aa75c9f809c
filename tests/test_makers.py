"""Unknown makers as catalogues write them, and death years that belong to a named master."""

from __future__ import annotations

import pytest

from packager.rights.makers import Maker, read_maker


@pytest.mark.parametrize(
    "creator",
    [
        None,
        "",
        "  ",
        "Unknown",
        "unknown artist",
        "Unknown (Japanese)",
        "Anonymous",
        "Anonymous, Flemish",
        "anon.",
        "Unidentified photographer",
        "Artist unknown",
        "maker not known",
        "Master of the Saint Bartholomew Altarpiece",
    ],
)
def test_unknown_makers(creator: str | None) -> None:
    assert read_maker(creator, None) == Maker(unknown=True, death_year=None)


@pytest.mark.parametrize(
    "creator",
    [
        "Workshop of Rembrandt van Rijn",
        "Studio of Peter Paul Rubens",
        "Circle of Titian",
        "Follower of Hieronymus Bosch",
        "Followers of Caravaggio",
        "School of Fontainebleau",
        "After Peter Paul Rubens",
        "Copy after Raphael",
        "Manner of Canaletto",
        "Rembrandt van Rijn (workshop of)",
        "Rubens (after)",
        "Rembrandt van Rijn, circle of",
    ],
)
def test_attributions_set_the_masters_death_year_aside(creator: str) -> None:
    maker = read_maker(creator, 1669)
    assert (maker.unknown, maker.death_year) == (True, None)
    assert maker.note is not None
    assert "the death year 1669 (creator_death_year) is the named master's, not the maker's" in maker.note


@pytest.mark.parametrize(
    "creator", ["Rembrandt van Rijn", "Katsushika Hokusai", "Anonymousworks Studio", "Afterglow Photo Co."]
)
def test_named_makers_keep_their_death_year(creator: str) -> None:
    assert read_maker(creator, 1849) == Maker(unknown=False, death_year=1849)


def test_a_blank_creator_with_a_death_year_names_someone() -> None:
    assert read_maker("", 1890) == Maker(unknown=False, death_year=1890)
    # "Anonymous" with a death year: both rules are applied and must agree (term_life.life_based_finding).
    assert read_maker("Anonymous", 1890) == Maker(unknown=True, death_year=1890)
