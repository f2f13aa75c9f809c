"""Hugging Face ``datasets`` features for pdpack shards.

``datasets`` infers a WebDataset schema from the first five samples only, so a
release that mixes .jpg, .png and .webp images (originals pass through
unchanged) needs the features spelled out. They follow ``SAMPLE_SCHEMA``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packager.media import PASSTHROUGH
from packager.sample import SAMPLE_SCHEMA

if TYPE_CHECKING:
    import datasets


def hf_features() -> datasets.Features:
    """Features for ``load_dataset("webdataset", data_files=..., features=hf_features())``."""
    import datasets

    features = datasets.Features(
        {
            "__key__": datasets.Value("string"),
            "__url__": datasets.Value("string"),
            **{ext: datasets.Image() for ext in sorted(PASSTHROUGH.values())},
            "json": datasets.Features.from_arrow_schema(SAMPLE_SCHEMA),
            "txt": datasets.Value("string"),
        }
    )
    return features
