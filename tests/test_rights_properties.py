"""Property (issue 11): no sample is called public domain where the term rules found a term still running.

Hypothesis writes whole collection folders (creators, dates, publication years, rights statements,
copyright notices, stewards' decisions and overrides), and each example is a real `pdpack build`.
For every shipped sample the term rules are asked again, through the same ``item_terms`` the build
used, where a term still runs; that jurisdiction must not be in ``public_domain_in``, and where the
policy needs it the sample must say it shipped by an override naming that term.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import webdataset as wds
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from packager.cli import cli
from packager.manifest.collection import load_collection
from packager.manifest.rows import read_items
from packager.model import Item
from packager.rights.terms import expand
from packager.rights.verify import all_jurisdictions, item_terms
from tests.helpers import image_bytes, write_collection

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
STATEMENTS = [
    "",
    "http://rightsstatements.org/vocab/NKC/1.0/",
    "http://creativecommons.org/publicdomain/mark/1.0/",
    CC0,
    "http://rightsstatements.org/vocab/InC/1.0/",
    "http://rightsstatements.org/vocab/NoC-US/1.0/",
    "CC BY 4.0",
]
CREATORS = ["", "Unknown", "Anonymous", "Workshop of Rembrandt van Rijn", "After Rubens", "A. Painter"]
DATES = ["", "n.d.", "1700", "c. 1880", "1853 (Ox 9)", "19th century", "1917-1922", "1950s", "after 1900", "1990"]
NAMES = ["statement", "copyright_notice", "term:MX", "term:FR", "term:US", "term:JP", "term:EU", "term:worldwide"]

reviews = st.one_of(
    st.none(),
    st.just(("hold", ())),
    st.just(("ship", ())),
    st.tuples(st.just("ship"), st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)),
)
items = st.fixed_dictionaries(
    {
        "creator": st.sampled_from(CREATORS),
        "creator_death_year": st.one_of(st.none(), st.integers(1600, 2020), st.integers(1900, 1990)),
        "date": st.sampled_from(DATES),
        "published": st.one_of(st.none(), st.integers(1800, 2020)),
        "rights": st.sampled_from(STATEMENTS),
        "copyright_notice": st.sampled_from(["", "", "© 2014 City Museum"]),
        "review": reviews,
    }
)
AS_OF = ["1997-06-01", "2001-06-01", "2012-08-30", "2019-06-01", "2026-12-07", "2050-01-01"]
POLICIES = ["worldwide", "us", "EU", "GB", "MX", "CA"]


def write(root: Path, generated: list[dict[str, Any]]) -> Path:
    rows = []
    files = {}
    decisions = []
    for n, spec in enumerate(generated):
        row = {k: ("" if v is None else str(v)) for k, v in spec.items() if k != "review"}
        row["id"] = f"item-{n}"
        row["file"] = f"files/{n}.png"
        row["title"] = f"Work {n}"
        files[row["file"]] = image_bytes(color=(n * 29 % 256, 255 - n * 17 % 256, n * 53 % 256))
        rows.append(row)
        if spec["review"] is not None:
            decision, named = spec["review"]
            override = "yes" if named else "no"
            note = "Release letter on file" if named else ""
            decisions.append([row["id"], decision, "J. Steward", "2026-11-01", note, override, " ".join(named)])
    folder = write_collection(root, rows, collection_id="prop-museum", files=files, rights=None)
    with (folder / "review.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "decision", "reviewer", "date", "note", "override", "overrules"])
        writer.writerows(decisions)
    return folder


def spec(**fields: Any) -> dict[str, Any]:
    base = {"creator": "A. Painter", "creator_death_year": None, "date": "", "published": None, "rights": ""}
    return {**base, "copyright_notice": "", "review": None, **fields}


@example(  # a term running everywhere but the US, overruled by name: ships, public domain in the US only
    generated=[spec(creator_death_year=1960, date="1950", review=("ship", ["term:worldwide"]))],
    as_of="2026-12-07",
    policy="worldwide",
)
@example(  # a stale notice and Mexico's running term, both named
    generated=[
        spec(
            creator_death_year=1926,
            rights=STATEMENTS[2],
            copyright_notice="© 2014 City Museum",
            review=("ship", ["copyright_notice", "term:MX"]),
        ),
        spec(creator_death_year=1926, rights=STATEMENTS[1], review=("ship", [])),  # a plain ship: GB, not MX
    ],
    as_of="2026-12-07",
    policy="GB",
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    generated=st.lists(items, min_size=1, max_size=6),
    as_of=st.sampled_from(AS_OF),
    policy=st.sampled_from(POLICIES),
)
def test_public_domain_in_never_names_a_running_term(generated: list[dict[str, Any]], as_of: str, policy: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp), generated)
        out = Path(tmp) / "dist"
        result = CliRunner().invoke(
            cli, ["build", str(folder), "--out", str(out), "--as-of", as_of, "--policy", policy]
        )
        assert result.exit_code == 0, result.output
        shards = sorted(str(p) for p in (out / "data").rglob("*.tar"))
        samples = [json.loads(s["json"]) for s in wds.WebDataset(shards, shardshuffle=False)] if shards else []
        collection = load_collection(folder)
        by_id = {e.id: e for e in read_items(collection) if isinstance(e, Item)}
        needed = set(expand(policy))
        for sample in samples:
            rights = sample["rights"]
            assessment, _ = item_terms(by_id[sample["id"]], collection, dt.date.fromisoformat(as_of))
            running = {f.jurisdiction for f in assessment.findings if f.public_domain is False}
            listed = set(rights["public_domain_in"])
            pd_in = set(all_jurisdictions()) if listed == {"worldwide"} else listed
            overruled = {o["overrules"] for o in rights["overrides"]}
            if rights["statement"] == CC0:
                # The rights holder's waiver of a term that may still run: term rules cannot contradict it
                # (README, How the sources combine), so CC0 is the one statement this property leaves aside.
                assert not {o["overrules"] for o in rights["overrides"]} & {f"term:{c}" for c in running}
                continue
            event("a sample ships where a term runs" if running else "a sample ships with no term running")
            assert not running & pd_in, (sample["id"], running & pd_in, rights)
            # Where the policy needs a jurisdiction whose term runs, only an override naming it ships the sample.
            if running & needed:
                event("an override ships a sample where the policy needs a running term")
            for code in running & needed:
                assert rights["overridden"] and f"term:{code}" in overruled, (sample["id"], code, rights)
            assert rights["overridden"] == bool(rights["overrides"])
