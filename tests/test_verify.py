"""Rights verdicts: every source combined, conservative by construction."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from packager.manifest.collection import Collection, Institution
from packager.model import Item
from packager.rights.embedded_tags import EmbeddedFindings
from packager.rights.review import ReviewDecision
from packager.rights.verify import Evidence, Verdict, decide, verify

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
RS = "http://rightsstatements.org/vocab/"
AS_OF = dt.date(2026, 11, 30)


def collection(tmp_path: Path, rights: str | None = None, **kwargs: object) -> Collection:
    return Collection(
        id="city-museum",
        root=tmp_path,
        title="City Museum Prints",
        institution=Institution(name="City Museum"),
        manifest=tmp_path / "items.csv",
        rights=rights,
        **kwargs,  # type: ignore[arg-type]
    )


def item(rights: str | None = None, **kwargs: object) -> Item:
    return Item(collection="city-museum", id="p-1", row=2, file="p1.jpg", rights=rights, **kwargs)  # type: ignore[arg-type]


def review(decision: str, override: bool = False, note: str = "", overrules: tuple[str, ...] = ()) -> ReviewDecision:
    return ReviewDecision("p-1", decision, "J. Steward", "2026-11-01", note, override, 2, overrules)


def copyright_notice() -> EmbeddedFindings:
    notice = Evidence("embedded", "IFD0:Copyright", "© 2014 City Museum", "not_public_domain", "embedded © notice")
    return EmbeddedFindings(evidence=(notice,), data_mining_prohibited=None)


def sources(verdict: Verdict) -> list[str]:
    return [e.source for e in verdict.evidence]


def test_cc0_ships_worldwide_decided_by_the_statement(tmp_path: Path) -> None:
    verdict = verify(item(CC0), collection(tmp_path), AS_OF)
    assert (verdict.status, verdict.decided_by, verdict.conflict) == ("public_domain", "statement", False)
    assert verdict.to_json()["public_domain_in"] == ["worldwide"]
    assert decide(verdict, "worldwide") is None


def test_collection_default_applies_when_the_item_names_none(tmp_path: Path) -> None:
    verdict = verify(item(None), collection(tmp_path, PDM), AS_OF)
    assert verdict.status == "public_domain" and verdict.statement == PDM
    assert sources(verdict) == ["collection"]


def test_no_statement_and_no_dates_is_undetermined(tmp_path: Path) -> None:
    verdict = verify(item(None), collection(tmp_path), AS_OF)
    assert verdict.status == "undetermined"
    assert decide(verdict, "worldwide") == (
        "rights:undetermined",
        "no rights statement: items.csv column 'rights' is empty and collection.yaml sets no default",
    )


def test_term_rules_upgrade_nkc_when_the_evidence_is_unambiguous(tmp_path: Path) -> None:
    # Died 1850, made about 1840: past life+100 (Mexico) and made long before the US cutoff.
    verdict = verify(item(f"{RS}NKC/1.0/", creator_death_year=1850, date="c. 1840"), collection(tmp_path), AS_OF)
    assert (verdict.status, verdict.decided_by) == ("public_domain", "term-rule")
    assert "term-rule" in sources(verdict)
    assert decide(verdict, "worldwide") is None


def test_partial_terms_ship_only_under_a_matching_policy(tmp_path: Path) -> None:
    # Died 1950: life+70 has run out (EU, UK), life+100 (Mexico) has not.
    verdict = verify(item(f"{RS}NKC/1.0/", creator_death_year=1950, date="1920"), collection(tmp_path), AS_OF)
    assert verdict.status == "undetermined"
    assert "GB" in verdict.public_domain_in and "MX" not in verdict.public_domain_in
    held = decide(verdict, "worldwide")
    assert held is not None and held[0] == "rights:partial" and "MX" in held[1]
    assert decide(verdict, "GB") is None
    assert decide(verdict, "DE") is None
    # Spain keeps life+80 for authors who died before 1988, so the EU as a whole is not yet covered.
    eu = decide(verdict, "EU")
    assert eu is not None and eu[0] == "rights:partial" and eu[1].endswith("not established for ES")


def test_public_domain_day(tmp_path: Path) -> None:
    entry = item(None, creator_death_year=1955, date="1921")
    before = verify(entry, collection(tmp_path), dt.date(2025, 12, 31))
    after = verify(entry, collection(tmp_path), dt.date(2026, 1, 1))
    assert decide(before, "DE") is not None
    assert decide(after, "DE") is None


def test_invented_death_year_never_makes_public_domain(tmp_path: Path) -> None:
    # NGA-style constituent record: "born 1908" with an invented death year of 2008.
    verdict = verify(item(None, creator_death_year=2008, date="born 1908"), collection(tmp_path), AS_OF)
    assert verdict.status == "undetermined" and not verdict.public_domain_in
    assert decide(verdict, "worldwide") is not None


def test_in_copyright_statement_with_old_dates_is_a_conflict_not_a_release(tmp_path: Path) -> None:
    verdict = verify(item(f"{RS}InC/1.0/", creator_death_year=1850, date="1840"), collection(tmp_path), AS_OF)
    assert verdict.status == "not_public_domain" and verdict.conflict
    assert decide(verdict, "worldwide")[0] == "rights:conflict"  # type: ignore[index]
    assert "conflict" in sources(verdict)


def test_pdm_on_a_recent_work_is_a_conflict(tmp_path: Path) -> None:
    verdict = verify(item(PDM, creator_death_year=1990, date="1975"), collection(tmp_path), AS_OF)
    assert verdict.conflict
    assert decide(verdict, "worldwide")[0] == "rights:conflict"  # type: ignore[index]


def test_cc0_is_a_waiver_that_term_rules_do_not_contradict(tmp_path: Path) -> None:
    verdict = verify(item(CC0, creator_death_year=1990, date="1975"), collection(tmp_path), AS_OF)
    assert not verdict.conflict and decide(verdict, "worldwide") is None


def test_embedded_copyright_notice_conflicts_with_a_public_domain_statement(tmp_path: Path) -> None:
    verdict = verify(item(CC0), collection(tmp_path), AS_OF, embedded=copyright_notice())
    assert verdict.conflict and decide(verdict, "worldwide")[0] == "rights:conflict"  # type: ignore[index]


def test_data_mining_prohibition_holds_even_a_public_domain_work(tmp_path: Path) -> None:
    findings = EmbeddedFindings(evidence=(), data_mining_prohibited="DMI-PROHIBITED-AIMLTRAINING")
    verdict = verify(item(CC0), collection(tmp_path), AS_OF, embedded=findings)
    assert verdict.status == "public_domain"
    assert decide(verdict, "worldwide") == (
        "preference:data-mining-prohibited",
        "XMP-plus:DataMining is DMI-PROHIBITED-AIMLTRAINING",
    )


@pytest.mark.parametrize("where", ["item", "collection"])
def test_ai_training_preference_excludes(tmp_path: Path, where: str) -> None:
    entry = item(CC0, ai_preferences="train-ai=n") if where == "item" else item(CC0)
    coll = collection(tmp_path, ai_preferences="train-ai=n") if where == "collection" else collection(tmp_path)
    verdict = verify(entry, coll, AS_OF)
    assert decide(verdict, "worldwide")[0] == "preference:no-ai-training"  # type: ignore[index]
    assert "preference" in sources(verdict)
    # A steward cannot review a refusal away.
    assert decide(verify(entry, coll, AS_OF, review=review("ship")), "worldwide") is not None


def test_local_contexts_labels(tmp_path: Path) -> None:
    sacred = verify(item(CC0, local_contexts="TK Secret / Sacred"), collection(tmp_path), AS_OF)
    assert decide(sacred, "worldwide")[0] == "sensitivity:local-contexts"  # type: ignore[index]
    notice = verify(item(CC0), collection(tmp_path, local_contexts=("TK Attribution",)), AS_OF)
    assert decide(notice, "worldwide")[0] == "sensitivity:needs-review"  # type: ignore[index]
    settled = verify(item(CC0, local_contexts="TK Attribution"), collection(tmp_path), AS_OF, review=review("ship"))
    assert decide(settled, "worldwide") is None


def test_restricted_statements_wait_for_review(tmp_path: Path) -> None:
    for code in ("NoC-NC", "NoC-CR", "NoC-OKLR"):
        verdict = verify(item(f"{RS}{code}/1.0/", creator_death_year=1800), collection(tmp_path), AS_OF)
        assert decide(verdict, "worldwide")[0] == "rights:restricted"  # type: ignore[index]
        assert not verdict.public_domain_in  # term rules do not lift a restriction
    settled = verify(item(f"{RS}NoC-NC/1.0/"), collection(tmp_path), AS_OF, review=review("ship"))
    assert (settled.status, settled.decided_by, settled.overridden) == ("public_domain", "review", False)
    assert decide(settled, "worldwide") is None


def test_review_hold_keeps_a_public_domain_item_out(tmp_path: Path) -> None:
    verdict = verify(item(CC0), collection(tmp_path), AS_OF, review=review("hold", note="donor asked"))
    assert decide(verdict, "worldwide")[0] == "review:hold"  # type: ignore[index]


def test_review_overrides_copyright_only_explicitly(tmp_path: Path) -> None:
    inc = item(f"{RS}InC/1.0/")
    plain = verify(inc, collection(tmp_path), AS_OF, review=review("ship"))
    assert plain.status == "not_public_domain" and decide(plain, "worldwide") is not None
    assert any("override=yes" in e.finding for e in plain.evidence)
    released = review("ship", override=True, note="estate released it", overrules=("statement",))
    forced = verify(inc, collection(tmp_path), AS_OF, review=released)
    assert (forced.status, forced.overridden) == ("public_domain", True)
    assert forced.overrules == (("statement", "items.csv column 'rights': In Copyright"),)
    notice = verify(item(CC0), collection(tmp_path), AS_OF, embedded=copyright_notice(), review=review("ship"))
    assert decide(notice, "worldwide") is not None


def test_us_federal_work_is_public_domain_in_the_us_only(tmp_path: Path) -> None:
    verdict = verify(item(None, us_federal_work="yes", date="1969"), collection(tmp_path), AS_OF)
    assert verdict.public_domain_in == {"US"} and verdict.status == "public_domain_us"
    assert decide(verdict, "worldwide")[0] == "rights:us-only"  # type: ignore[index]
    assert decide(verdict, "us") is None


def test_published_before_the_us_cutoff(tmp_path: Path) -> None:
    verdict = verify(item(None, published="1930"), collection(tmp_path), AS_OF)
    assert "US" in verdict.public_domain_in
    assert decide(verdict, "us") is None
    later = verify(item(None, published="1931"), collection(tmp_path), AS_OF)
    assert decide(later, "us") is not None


IN_COPYRIGHT = [
    f"{RS}InC/1.0/",
    f"{RS}InC-EDU/1.0/",
    f"{RS}InC-NC/1.0/",
    f"{RS}InC-RUU/1.0/",
    f"{RS}InC-OW-EU/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/3.0/us/",
    "All rights reserved",
    "CC BY-SA 4.0",
]


@pytest.mark.parametrize("statement", IN_COPYRIGHT)
def test_no_in_copyright_item_is_ever_public_domain(tmp_path: Path, statement: str) -> None:
    deaths = [None, 1700, 1900, 1990]
    dates = [None, "1650", "c. 1890", "1990s"]
    published = [None, "1900"]
    reviews = [None, review("ship"), review("hold")]
    embedded = [None, copyright_notice()]
    for death, date, pub, decision, found in itertools.product(deaths, dates, published, reviews, embedded):
        entry = item(statement, creator_death_year=death, date=date, published=pub, us_federal_work="yes")
        verdict = verify(entry, collection(tmp_path, CC0), AS_OF, embedded=found, review=decision)
        assert verdict.status == "not_public_domain", (death, date, pub, decision, found)
        for policy in ("worldwide", "us", "GB", "EU", "MX"):
            assert decide(verdict, policy) is not None
