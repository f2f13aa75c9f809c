"""The dataset card: YAML front matter the Hub and `datasets` read, prose with every manifest string escaped."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import DatasetCard
from PIL import Image

from packager.builder.stages import Settings
from packager.markdown import link, md, safe_url
from packager.outputs.card import CC0, NOC_US, PDM, dataset_card, release_license, rights_kind, size_category
from packager.outputs.card_body import code
from packager.outputs.changelog import Change, Changelog, changelog_markdown
from packager.outputs.hf import features_yaml
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from tests.helpers import CC0 as CC0_URI
from tests.helpers import write_collection

# javascript: addresses are refused when the collection is loaded; this one passes that check and must still
# not break out of the card's link.
HOSTILE_URL = "https://museum.example/a)<script>alert(1)</script>[x]"
HOSTILE_TITLE = "<script>alert('title')</script> | *bold* [click](javascript:alert(1)) `tick`"
HOSTILE_INSTITUTION = '<img src=x onerror="alert(1)"> & Sons | Ltd'


def noise_image(fmt: str, seed: int, size: tuple[int, int] = (48, 40)) -> bytes:
    """A small image of random pixels: distinct per seed, so no two are (near) duplicates."""
    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return out.getvalue()


def front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


# --- escaping ----------------------------------------------------------------------------------------


def test_md_turns_html_and_markdown_into_text() -> None:
    out = md("<script>alert(1)</script>\n# not a heading | cell *em* _u_ [a](b) `c` ![i](j) ~s~ \\")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out
    assert "\n" not in out
    for raw in ("|", "*", "_", "[", "]", "`", "!", "~", "#"):
        assert all(out[i - 1] == "\\" for i, ch in enumerate(out) if ch == raw), raw
    assert md("Café & Co.") == "Café &amp; Co."


def test_code_spans_cannot_be_closed_or_split_a_table() -> None:
    assert code("a`b|c\nd") == "`a'b\\|c d`"


def test_links_only_for_http_urls_with_unsafe_characters_encoded() -> None:
    assert link("Museum", "https://museum.example/a b)") == "[Museum](https://museum.example/a%20b%29)"
    assert link("x", "javascript:alert(1)") == "x"
    assert link("x", "data:text/html,<b>") == "x"
    assert link("x", "https:///nohost") == "x"
    assert link("x", None) == "x"
    assert safe_url('http://e.example/"><script>') == "http://e.example/%22%3E%3Cscript%3E"


# --- licence and size --------------------------------------------------------------------------------


def test_licence_is_cc0_only_when_every_sample_is_cc0() -> None:
    assert release_license({"public_domain": {CC0: 5, "CC0": 1}}) == {"license": "cc0-1.0"}
    mixed = release_license({"public_domain": {CC0: 5, PDM: 1}})
    assert mixed == {
        "license": "other",
        "license_name": "public-domain-mark",
        "license_link": "https://creativecommons.org/publicdomain/mark/1.0/",
    }
    assert release_license({"public_domain": {"": 2}})["license_name"] == "public-domain-mark"  # term rules
    us = release_license({"public_domain": {CC0: 1}, "public_domain_us": {NOC_US: 2}})
    assert (us["license"], us["license_name"], us["license_link"]) == ("other", "public-domain-us", NOC_US)


def test_rights_kind_reads_uris_and_labels() -> None:
    assert rights_kind("public_domain", "https://creativecommons.org/publicdomain/zero/1.0/deed.en") == "cc0"
    assert rights_kind("public_domain", "CC0") == "cc0"
    assert rights_kind("public_domain", "Public Domain Mark") == "pdm"
    assert rights_kind("public_domain", None) == "pdm"
    assert rights_kind("public_domain_us", CC0) == "pd-us"


@pytest.mark.parametrize(
    ("count", "category"),
    [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (99_999, "10K<n<100K"), (2_000_000, "1M<n<10M")],
)
def test_size_categories(count: int, category: str) -> None:
    assert size_category(count) == category


def test_features_match_hf_features() -> None:
    pytest.importorskip("datasets")
    from packager.outputs.hf import hf_features

    assert features_yaml() == hf_features()._to_yaml_list()


# --- a card from real manifests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    """A release whose collection title and institution are written to break out of Markdown and HTML."""
    root = tmp_path_factory.mktemp("hostile")
    manifests = root / "manifests"
    rows = [{"id": f"a{i}", "file": f"files/a{i}.png", "title": f"Noise {i}"} for i in range(6)]
    rows += [
        {"id": "b-jpeg", "file": "files/b.jpg", "title": "Noise JPEG"},
        {"id": "c-webp", "file": "files/c.webp", "title": "Noise WebP", "rights": "Public Domain Mark"},
    ]
    files = {f"files/a{i}.png": noise_image("PNG", i) for i in range(6)}
    files |= {"files/b.jpg": noise_image("JPEG", 100), "files/c.webp": noise_image("WEBP", 200)}
    folder = write_collection(manifests, rows, collection_id="hostile-museum", files=files, rights=CC0_URI)
    (folder / "collection.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "hostile-museum",
                "title": HOSTILE_TITLE,
                "institution": {"name": HOSTILE_INSTITUTION, "url": HOSTILE_URL},
                "rights": CC0_URI,
            }
        ),
        encoding="utf-8",
    )
    return make_release(
        manifests,
        root / "releases" / "2026.11",
        Settings(as_of="2026-11-30", shard_max_count=5),
        ReleaseOptions(repo_id="test-org/pd-images", source_url="https://git.example/pdpack"),
    )


def test_card_yaml_declares_licence_tasks_size_shards_and_features(hostile_release: ReleaseResult) -> None:
    text = (hostile_release.out / "README.md").read_text(encoding="utf-8")
    meta = front_matter(text)
    assert meta["license"] == "other"
    assert meta["license_name"] == "public-domain-mark"  # one WebP is PDM, the rest CC0
    assert meta["license_link"] == "https://creativecommons.org/publicdomain/mark/1.0/"
    assert meta["pretty_name"]
    assert meta["task_categories"] == ["text-to-image", "image-to-text"]
    assert meta["size_categories"] == ["n<1K"]
    assert {"public-domain", "webdataset"} <= set(meta["tags"])
    shards = [s["name"] for s in hostile_release.release["shards"]]
    layout = r"data/hostile-museum/([0-9a-f]{2})/\1[0-9a-f]{14}-\d{3}\.tar"
    assert len(shards) > 1 and all(re.fullmatch(layout, s) for s in shards)
    assert meta["configs"] == [{"config_name": "default", "data_files": [{"split": "train", "path": shards}]}]
    assert meta["dataset_info"] == {"config_name": "default", "features": features_yaml()}
    card = DatasetCard.load(hostile_release.out / "README.md")  # what huggingface_hub reads back
    assert card.data.license == "other" and card.data.configs == meta["configs"]


@pytest.mark.parametrize("name", ["Public-domain images", "A \"quoted\" name: with # and 'apostrophes'", "2026.12"])
def test_the_card_is_what_huggingface_hub_writes_back(hostile_release: ReleaseResult, name: str) -> None:
    """The front matter is written without huggingface_hub's DatasetCard (whose module imports the Hub client):
    DatasetCard, reading the card and writing it again, gives the same bytes."""
    text = (hostile_release.out / "README.md").read_text(encoding="utf-8")
    assert str(DatasetCard(text)) == text
    release, report = hostile_release.release, hostile_release.report
    again = dataset_card(release, report, hostile_release.changelog, pretty_name=name)
    assert str(DatasetCard(again)) == again and front_matter(again)["pretty_name"] == name


def test_card_prose_escapes_every_manifest_string(hostile_release: ReleaseResult) -> None:
    text = (hostile_release.out / "README.md").read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in body and '&lt;img src=x onerror="alert\\(1\\)"&gt;' in body
    assert "javascript:" not in body.replace("javascript:alert\\(1\\)", "")  # only as escaped text in the title
    assert "](javascript" not in body
    # The institutions table keeps its five cells despite the '|' in the names.
    row = next(line for line in body.splitlines() if "Sons" in line)
    assert len(re.split(r"(?<!\\)\|", row.strip("|"))) == 5
    assert "\\*bold\\*" in row and "\\[click\\]" in row


def test_card_prose_covers_what_a_user_needs(hostile_release: ReleaseResult) -> None:
    body = (hostile_release.out / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    for heading in (
        "## Licence",
        "## Contributing institutions",
        "## How rights were verified",
        "## Captions",
        "## Loading",
        "## Removal requests",
        "## Changelog",
    ):
        assert heading in body
    assert "as of **2026-11-30**" in body
    assert 'load_dataset("test-org/pd-images", split="train")' in body
    assert 'base = "https://huggingface.co/datasets/test-org/pd-images/resolve/main/"' in body
    assert 'urllib.request.urlopen(base + "release.json"))["shards"]' in body
    assert "manifests/takedowns.csv" in body and "[open an issue](https://git.example/pdpack/issues)" in body
    assert "First release: 8 sample(s) from 1 collection(s)." in body
    assert "| 8 | 8 | 0 |" in body  # samples, items, held back
    # The files table lists what the release folder holds.
    for name in ("release.json", "croissant.json", "CHANGELOG.md", "rejected.jsonl", "report.html"):
        assert (f"| `{name}` |" in body) == (hostile_release.out / name).is_file(), name


def test_load_dataset_uses_the_card_features_for_mixed_formats(hostile_release: ReleaseResult, tmp_path: Path) -> None:
    """Six PNGs first, then a JPEG and a WebP: inference from the first five samples would lose the last two."""
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset(str(hostile_release.out), split="train", cache_dir=str(tmp_path / "cache"))
    assert isinstance(ds.features["webp"], datasets.Image)
    rows = {row["json"]["id"]: row for row in ds}
    assert len(rows) == 8
    assert rows["b-jpeg"]["jpg"] is not None and rows["b-jpeg"]["png"] is None
    assert rows["c-webp"]["webp"].size == (48, 40)
    assert rows["a0"]["png"] is not None and rows["a0"]["json"]["rights"]["status"] == "public_domain"


# --- changelog ---------------------------------------------------------------------------------------


def test_changelog_lists_changes_escaped_and_keeps_earlier_sections() -> None:
    log = Changelog(
        "2027.01",
        "2027-01-02",
        "2026.12",
        previous_as_of="2026-12-02",
        added=[Change("museum", "<b>new</b>", "new in the manifest")],
        removed=[Change("museum", "old|1", "takedown"), Change("museum", "gone", "no longer in the manifest")],
        shipped={"museum": 10},
    )
    earlier = "# Changelog\n\nintro\n\n## 2026.12 (as of 2026-12-02)\n\nFirst release: 11 sample(s).\n"
    text = changelog_markdown(log, earlier)
    assert text.startswith("# Changelog\n")
    assert text.index("## 2027.01") < text.index("## 2026.12")
    assert text.count("# Changelog") == 1
    assert "1 sample(s) added, 2 removed" in text
    assert "| museum | 1 | 2 | no longer in the manifest (1), takedown (1) |" in text
    assert "- &lt;b&gt;new&lt;/b&gt;: new in the manifest" in text
    assert "- old\\|1: takedown" in text
    assert "<b>" not in text
