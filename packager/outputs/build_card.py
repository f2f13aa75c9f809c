"""README.md for a build folder, so that ``datasets.load_dataset(FOLDER)`` reads the shards, with every image.

Without a card, ``datasets`` picks the parquet index under data/ (one row per sample, no
image) when given the folder. The card's YAML front matter names the tar shards as the data
files and declares the features, one image column each for jpg, png and webp: ``datasets``
otherwise infers the columns from the first five samples and drops the images of any
other format without a word. A release writes its own, fuller card over this one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from packager.outputs.hf import features_yaml
from packager.sample import INDEX_NAME, SHARD_GLOB

CARD_FILE = "README.md"
MARK = "<!-- written by pdpack build: replaced on every build -->"
RELEASE_FILE = "release.json"


def front_matter(shards: list[str]) -> dict[str, Any]:
    """The card metadata ``datasets`` reads: the tar shards as the train split, and their features.

    The shards by name, in build order: partition names are hashes, so a glob would read them out of order.
    """
    return {
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": shards or SHARD_GLOB}]}],
        "dataset_info": {"config_name": "default", "features": features_yaml()},
    }


def build_card(report: dict[str, Any]) -> str:
    totals = report["totals"]
    shards = [shard["name"] for shard in report["shards"]]
    meta = yaml.safe_dump(front_matter(shards), sort_keys=False, allow_unicode=True)
    lines = [
        "---",
        meta.rstrip("\n"),
        "---",
        MARK,
        "",
        "# pdpack build",
        "",
        f"{totals['shipped']} sample(s) in {totals['shards']} WebDataset shard(s) under `data/`, built by pdpack "
        f"from {totals['items']} item(s); `report.json`, `rejected.jsonl` and `report.html` say what was held back "
        "and why. This is a build, not a release: `pdpack release` writes the dataset card with the licence, "
        "credits and removal requests.",
        "",
        "Load it with [`datasets`](https://huggingface.co/docs/datasets), giving the path of this folder "
        "(or, once pushed, the repo id). The metadata above names the tar shards and declares one image "
        "column each for `jpg`, `png` and `webp`; exactly one is filled in per row:",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'ds = load_dataset(path, split="train")  # path: this folder',
        'image = next(ds[0][ext] for ext in ("jpg", "png", "webp") if ds[0][ext] is not None)',
        "```",
        "",
        f"`{INDEX_NAME}` beside each shard is an index (one row per sample, no image) for "
        "searching and filtering without opening the tar files.",
        "",
    ]
    return "\n".join(lines)


def _ours(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return MARK in handle.read(20_000)


def write_build_card(out_dir: Path, report: dict[str, Any]) -> bool:
    """Write the card unless the folder holds someone else's README.md; whether it was written."""
    path = out_dir / CARD_FILE
    if path.is_file() and not (out_dir / RELEASE_FILE).is_file() and not _ours(path):
        return False  # a build never overwrites a file it did not write
    path.write_text(build_card(report), encoding="utf-8")
    return True


def remove_build_card(out_dir: Path) -> None:
    """Remove an earlier build's card (and only that) when a build starts afresh."""
    path = out_dir / CARD_FILE
    if path.is_file() and _ours(path):
        path.unlink()
