"""croissant.json: the release described in Croissant 1.1 JSON-LD (https://mlcommons.org/croissant/).

What it describes:

- every shard (``data/COLLECTION/PARTITION-NNN.tar``, ``application/x-tar``) and every parquet index as a
  ``cr:FileObject`` with its SHA-256;
- the images, captions and JSON records inside the shards as ``cr:FileSet``s contained in them;
- two record sets. ``samples`` reads the parquet indexes: one record per sample with its
  provenance (id, collection, institution, source_url, credit_line, rights statement and
  status, sha256). ``images`` reads the images out of the shards, keyed by the sample key.

Why the records come from the parquet indexes and not from ``KEY.json`` inside the tars:
mlcroissant (1.1.1) reads the members of a tar only as whole files (``fileProperty``
content, filename, path); it applies ``jsonPath`` only to JSON files outside archives,
so it cannot pull fields out of the JSON members. The indexes carry the same provenance
fields, one row per sample, and mlcroissant reads parquet. The ``key`` of a sample joins
the two record sets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from packager.atomic import write_atomic
from packager.jsonutil import dumps_pretty
from packager.markdown import safe_url
from packager.media.image import PASSTHROUGH
from packager.outputs.card import DEFAULT_PRETTY_NAME, TAGS, rights_kind
from packager.sample import INDEX_GLOB, INDEX_SCHEMA

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
# The Croissant 1.1 context, as mlcroissant writes it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
LICENSE_URLS = {
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "pdm": "https://creativecommons.org/publicdomain/mark/1.0/",
    "pd-us": "http://rightsstatements.org/vocab/NoC-US/1.0/",
}
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_YEAR_MONTH = re.compile(r"^(\d{4})\.(\d{1,2})$")

INDEX_NOTES = {
    "key": "The sample's key in the shards: its files are KEY.<image extension>, KEY.txt and KEY.json.",
    "id": "The item id in the contributing institution's manifest.",
    "collection": "The id of the collection the item belongs to.",
    "institution": "The name of the contributing institution.",
    "title": "The work's title, as given by the institution.",
    "creator": "Artist, photographer or maker, as given by the institution.",
    "caption": "The caption (the same text as KEY.txt).",
    "caption_source": "original, cleaned or metadata: where the caption comes from.",
    "rights_statement": "The rights statement the verdict was based on, as written by the institution.",
    "rights_status": "The verdict: public_domain, or public_domain_us in a US-policy release.",
    "credit_line": "How to credit the item.",
    "source_url": "The record's page in the institution's catalogue.",
    "sha256": "SHA-256 of the original image file, before any conversion.",
    "width": "Image width in pixels.",
    "height": "Image height in pixels.",
    "image_extension": "The image member's extension in the shard: jpg, png or webp.",
    "image_bytes": "Size of the image member in bytes.",
}


def _data_type(name: str, dtype: pa.DataType) -> str:
    if name == "source_url":
        return "sc:URL"
    if pa.types.is_integer(dtype):
        return "sc:Integer"
    if pa.types.is_boolean(dtype):
        return "sc:Boolean"
    if pa.types.is_floating(dtype):
        return "sc:Float"
    return "sc:Text"


def croissant_version(version: str) -> str:
    """Croissant wants MAJOR.MINOR.PATCH: release 2027.01 is written 2027.1.0."""
    match = _YEAR_MONTH.match(version)
    return f"{int(match.group(1))}.{int(match.group(2))}.0" if match else version


def croissant(
    release: Mapping[str, Any],
    report: Mapping[str, Any],
    pretty_name: str = DEFAULT_PRETTY_NAME,
    repo_id: str | None = None,
    source_url: str | None = None,
) -> dict[str, Any]:
    """The JSON-LD document for a release (release.json's content and the build report)."""
    shards = release["shards"]
    tar_refs = [{"@id": _file_id(s["name"])} for s in shards]
    distribution: list[dict[str, Any]] = []
    for shard in shards:
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": _file_id(shard["name"]),
                "name": _file_id(shard["name"]),
                "description": f"WebDataset shard with {shard['count']} samples.",
                "contentUrl": shard["name"],
                "contentSize": f"{shard['bytes']} B",
                "encodingFormat": "application/x-tar",
                "sha256": shard["sha256"],
            }
        )
    for shard in shards:
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": _file_id(shard["index"]),
                "name": _file_id(shard["index"]),
                "description": f"Parquet index of {_file_id(shard['name'])}: one row per sample.",
                "contentUrl": shard["index"],
                "encodingFormat": "application/x-parquet",
                "sha256": shard["index_sha256"],
            }
        )
    extensions = sorted(PASSTHROUGH.values())
    distribution += [
        {
            "@type": "cr:FileSet",
            "@id": "image-files",
            "name": "image-files",
            "description": "The images in the shards, in their original format (TIFF, BMP and GIF converted to PNG).",
            "containedIn": tar_refs,
            "encodingFormat": [IMAGE_TYPES[ext] for ext in extensions],
            "includes": [f"*.{ext}" for ext in extensions],
        },
        {
            "@type": "cr:FileSet",
            "@id": "caption-files",
            "name": "caption-files",
            "description": "KEY.txt: the caption of each sample, as UTF-8 text.",
            "containedIn": tar_refs,
            "encodingFormat": "text/plain",
            "includes": "*.txt",
        },
        {
            "@type": "cr:FileSet",
            "@id": "record-files",
            "name": "record-files",
            "description": "KEY.json: the full record of each sample, with the rights evidence.",
            "containedIn": tar_refs,
            "encodingFormat": "application/json",
            "includes": "*.json",
        },
        {
            "@type": "cr:FileSet",
            "@id": "index-files",
            "name": "index-files",
            "description": "The parquet indexes of all shards.",
            "encodingFormat": "application/x-parquet",
            "includes": INDEX_GLOB,
        },
    ]
    samples = {
        "@type": "cr:RecordSet",
        "@id": "samples",
        "name": "samples",
        "description": "One record per sample with its provenance and rights, read from the parquet indexes.",
        "key": {"@id": "samples/key"},
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"samples/{f.name}",
                "name": f.name,
                "description": INDEX_NOTES.get(f.name, f.name),
                "dataType": _data_type(f.name, f.type),
                "source": {"fileSet": {"@id": "index-files"}, "extract": {"column": f.name}},
            }
            for f in INDEX_SCHEMA
        ],
    }
    images = {
        "@type": "cr:RecordSet",
        "@id": "images",
        "name": "images",
        "description": "The image of each sample, read from the shards; key joins samples/key.",
        "key": {"@id": "images/key"},
        "field": [
            {
                "@type": "cr:Field",
                "@id": "images/key",
                "name": "key",
                "description": "The sample key: the image file name up to the first dot.",
                "dataType": "sc:Text",
                "references": {"field": {"@id": "samples/key"}},
                "source": {
                    "fileSet": {"@id": "image-files"},
                    "extract": {"fileProperty": "filename"},
                    "transform": {"regex": "^([^.]+)"},
                },
            },
            {
                "@type": "cr:Field",
                "@id": "images/image",
                "name": "image",
                "description": "The image.",
                "dataType": "sc:ImageObject",
                "source": {"fileSet": {"@id": "image-files"}, "extract": {"fileProperty": "content"}},
            },
        ],
    }
    institutions = sorted(
        {(c["institution"]["name"], c["institution"].get("url") or "") for c in report["collections"] if c["shipped"]}
    )
    kinds = sorted(
        {rights_kind(status, s or None) for status, table in release["shipped_by_statement"].items() for s in table}
    )
    names = identity(release, pretty_name, repo_id, source_url)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": names["name"],
        "alternateName": pretty_name,
        "description": (
            f"{release['totals']['shipped']} public-domain images with captions from cultural-heritage "
            f"collections, release {release['version']} (copyright terms as of {release['as_of']}, "
            f"{release['policy']} policy). Each sample carries its provenance and the evidence for its rights."
        ),
        "citeAs": names["citeAs"],
        "creator": [
            {"@type": "sc:Organization", "name": name, **({"url": inst_url} if safe_url(inst_url) else {})}
            for name, inst_url in institutions
        ],
        "datePublished": release["as_of"],
        "version": croissant_version(release["version"]),
        "license": [LICENSE_URLS[k] for k in kinds] or [LICENSE_URLS["pdm"]],
        "keywords": list(TAGS),
        "isAccessibleForFree": True,
        "distribution": distribution,
        "recordSet": [samples, images],
    }
    if "url" in names:
        document["url"] = names["url"]
    return document


def identity(
    release: Mapping[str, Any], pretty_name: str, repo_id: str | None, source_url: str | None = None
) -> dict[str, str]:
    """The fields that name the dataset and where it lives: ``name``, ``citeAs`` and, when known, ``url``.

    ``pdpack push`` sets them again for the repo it pushes to (``pretty_name`` is kept as ``alternateName``).
    """
    url = f"https://huggingface.co/datasets/{repo_id}" if repo_id else safe_url(source_url)
    names = {
        "name": repo_id.split("/", 1)[1] if repo_id else pretty_name,
        "citeAs": _cite_as(release, pretty_name, url),
    }
    return {**names, "url": url} if url else names


def write_croissant(path: Path, document: Mapping[str, Any]) -> None:
    write_atomic(path, dumps_pretty(document))


def _file_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _cite_as(release: Mapping[str, Any], pretty_name: str, url: str | None) -> str:
    key = "pdpack_" + re.sub(r"[^A-Za-z0-9]+", "_", str(release["version"]))
    title = pretty_name.replace("{", "(").replace("}", ")")
    fields = [f"title={{{title}}}", f"version={{{release['version']}}}", f"year={{{release['as_of'][:4]}}}"]
    if url:
        fields.append(f"url={{{url}}}")
    return f"@misc{{{key}, " + ", ".join(fields) + "}"
