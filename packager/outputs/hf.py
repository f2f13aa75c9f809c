"""Hugging Face ``datasets`` features for pdpack shards.

``datasets`` infers a WebDataset schema from the first five samples only, so a
release that mixes .jpg, .png and .webp images (originals pass through
unchanged) needs the features spelled out. They follow ``SAMPLE_SCHEMA``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from packager.media.image import PASSTHROUGH
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


_DTYPES = {"double": "float64", "float": "float32", "halffloat": "float16"}


def _yaml_type(dtype: pa.DataType) -> dict[str, Any]:
    if pa.types.is_struct(dtype):
        return {"struct": [{"name": f.name, **_yaml_type(f.type)} for f in dtype]}
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        inner = _yaml_type(dtype.value_type)
        return {"list": inner["dtype"] if set(inner) == {"dtype"} else inner.get("struct", inner)}
    name = str(dtype)
    return {"dtype": _DTYPES.get(name, name)}


def features_yaml() -> list[dict[str, Any]]:
    """``dataset_info.features`` for the card, as ``packager.outputs.hf.hf_features()._to_yaml_list()`` gives it.

    Written without importing ``datasets``, which a release machine does not need;
    a test checks that both agree.
    """
    return [
        {"name": "__key__", "dtype": "string"},
        {"name": "__url__", "dtype": "string"},
        *({"name": ext, "dtype": "image"} for ext in sorted(PASSTHROUGH.values())),
        {"name": "json", "struct": [{"name": f.name, **_yaml_type(f.type)} for f in SAMPLE_SCHEMA]},
        {"name": "txt", "dtype": "string"},
    ]
