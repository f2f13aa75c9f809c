"""The dataset card a release publishes: README.md with YAML front matter for the Hub, and its prose.

This module writes the front matter (licence, size, tags, data files, features) and puts the card
together; the prose sections are ``packager.outputs.card_body``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from huggingface_hub.repocard_data import DatasetCardData

from packager.outputs.card_body import card_body
from packager.outputs.changelog import Changelog
from packager.outputs.hf import features_yaml
from packager.rights.vocabulary import lookup
from packager.sample import SHARD_GLOB

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
PDM_LINK = "https://creativecommons.org/publicdomain/mark/1.0/"
NOC_US = "http://rightsstatements.org/vocab/NoC-US/1.0/"
TASK_CATEGORIES = ["text-to-image", "image-to-text"]
TAGS = ["public-domain", "cultural-heritage", "glam", "museums", "image", "webdataset", "pdpack"]
DEFAULT_PRETTY_NAME = "Public-domain images from cultural-heritage collections"
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
_SIZES_LARGE = ((10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))

# --- licence -----------------------------------------------------------------------------------------


def rights_kind(status: str, statement: str | None) -> str:
    """cc0 | pdm | pd-us: how a shipped sample's rights read at the level of the whole release."""
    if status == "public_domain_us":
        return "pd-us"
    term = lookup(statement) if statement else None
    if term is not None and (term.canonical.lower() == CC0 or term.label.upper().startswith("CC0")):
        return "cc0"
    return "pdm"


def release_license(statements: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """The card's licence keys from the shipped samples' statements ({status: {statement: count}}).

    ``cc0-1.0`` when every sample carries CC0; otherwise ``other`` with ``license_name``
    ``public-domain-mark`` (or ``public-domain-us`` when US-only works ship).
    """
    kinds = {rights_kind(status, statement or None) for status, table in statements.items() for statement in table}
    if kinds == {"cc0"}:
        return {"license": "cc0-1.0"}
    if "pd-us" in kinds:
        return {"license": "other", "license_name": "public-domain-us", "license_link": NOC_US}
    return {"license": "other", "license_name": "public-domain-mark", "license_link": PDM_LINK}


def size_category(count: int) -> str:
    for limit, name in (*_SIZES, *_SIZES_LARGE):
        if count < limit:
            return name
    return "n>1B"


# --- the card ----------------------------------------------------------------------------------------


def shard_paths(release: Mapping[str, Any]) -> list[str] | str:
    """This release's tar shards, as the card's ``data_files`` (the glob when there are none)."""
    return [shard["name"] for shard in release["shards"]] or SHARD_GLOB


def card_data(release: Mapping[str, Any], pretty_name: str = DEFAULT_PRETTY_NAME) -> DatasetCardData:
    """The YAML front matter: licence, tasks, size, tags, the tar shards as data files, and the features."""
    licence = release["license"]
    return DatasetCardData(
        license=licence["license"],
        license_name=licence.get("license_name"),
        license_link=licence.get("license_link"),
        pretty_name=pretty_name,
        task_categories=list(TASK_CATEGORIES),
        size_categories=[size_category(release["totals"]["shipped"])],
        tags=list(TAGS),
        # The shards by name, not a glob: a shard left on the Hub by a larger earlier release is never loaded.
        configs=[{"config_name": "default", "data_files": [{"split": "train", "path": shard_paths(release)}]}],
        # Features only: `datasets` ignores a splits list without num_bytes, which a WebDataset cannot know.
        dataset_info={"config_name": "default", "features": features_yaml()},
    )


def dataset_card(
    release: Mapping[str, Any],
    report: Mapping[str, Any],
    changelog: Changelog,
    pretty_name: str = DEFAULT_PRETTY_NAME,
    repo_id: str | None = None,
    source_url: str | None = None,
    files: Iterable[str] | None = None,
    contact: str | None = None,
) -> str:
    """The dataset card of a release: YAML front matter and prose, with nothing from a manifest unescaped.

    ``files``: the top-level names in the release folder, so that the card lists only files that exist.
    """
    data = card_data(release, pretty_name)
    body = card_body(release, report, changelog, pretty_name, repo_id, source_url, files, contact)
    return f"---\n{hub_yaml(data)}\n---\n\n{body}"


def hub_yaml(data: DatasetCardData) -> str:
    """The front matter as huggingface_hub's DatasetCard writes it: read back, and written again in the order read.

    DatasetCard itself is not used: its module imports the Hub client, a quarter of a second of every release.
    tests/test_card.py checks that DatasetCard gives back these bytes.
    """
    written = data.to_yaml()
    read = yaml.safe_load(written)
    return DatasetCardData(**read).to_yaml(line_break="\n", original_order=list(read))
