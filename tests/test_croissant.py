"""croissant.json: the files, fields and licences of a release, checked with mlcroissant itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from packager.builder.stages import Settings
from packager.outputs.croissant import CONFORMS_TO, croissant_version
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from packager.sample import INDEX_SCHEMA
from tests.helpers import REPO

# mlcroissant 1.1.1 calls APIs that rdflib and pandas have deprecated.
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index is deprecated"),
]
PROVENANCE = ("id", "collection", "institution", "source_url", "credit_line", "rights_status", "rights_statement")


@pytest.fixture(scope="module")
def sample_release(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    """The bundled sample, released in several shards."""
    return make_release(
        REPO / "manifests",
        tmp_path_factory.mktemp("croissant") / "releases" / "2026.11",
        Settings(as_of="2026-11-30", shard_max_count=5),
        ReleaseOptions(include_examples=True, repo_id="test-org/pd-images", source_url="https://git.example/pdpack"),
    )


@pytest.fixture(scope="module")
def document(sample_release: ReleaseResult) -> dict[str, Any]:
    return json.loads((sample_release.out / "croissant.json").read_text(encoding="utf-8"))


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in (*document["distribution"], *document["recordSet"])}


def test_describes_every_shard_and_index_with_its_checksum(
    document: dict[str, Any], sample_release: ReleaseResult
) -> None:
    assert document["conformsTo"] == CONFORMS_TO
    assert document["@type"] == "sc:Dataset"
    nodes = by_id(document)
    shards = sample_release.release["shards"]
    assert len(shards) > 1
    for shard in shards:
        tar = nodes[shard["name"].rsplit("/", 1)[1]]
        assert tar["@type"] == "cr:FileObject"
        assert (tar["contentUrl"], tar["encodingFormat"], tar["sha256"]) == (
            shard["name"],
            "application/x-tar",
            shard["sha256"],
        )
        assert tar["contentSize"] == f"{shard['bytes']} B"
        index = nodes[shard["index"].rsplit("/", 1)[1]]
        assert (index["contentUrl"], index["encodingFormat"], index["sha256"]) == (
            shard["index"],
            "application/x-parquet",
            shard["index_sha256"],
        )
    images = nodes["image-files"]
    assert images["@type"] == "cr:FileSet"
    assert images["containedIn"] == [{"@id": s["name"].rsplit("/", 1)[1]} for s in shards]
    assert images["includes"] == ["*.jpg", "*.png", "*.webp"]
    assert nodes["record-files"]["includes"] == "*.json"
    assert nodes["caption-files"]["includes"] == "*.txt"


def test_samples_carry_every_index_column_with_the_provenance(document: dict[str, Any]) -> None:
    samples = by_id(document)["samples"]
    fields = {f["name"]: f for f in samples["field"]}
    assert list(fields) == INDEX_SCHEMA.names
    for name in (*PROVENANCE, "sha256"):
        assert fields[name]["source"] == {"fileSet": {"@id": "index-files"}, "extract": {"column": name}}
        assert fields[name]["description"]
    assert fields["width"]["dataType"] == "sc:Integer"
    assert fields["source_url"]["dataType"] == "sc:URL"
    assert samples["key"] == {"@id": "samples/key"}


def test_dataset_metadata(document: dict[str, Any]) -> None:
    assert document["version"] == "2026.11.0"
    assert document["datePublished"] == "2026-11-30"
    assert document["license"] == [
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "https://creativecommons.org/publicdomain/mark/1.0/",
    ]
    assert document["url"] == "https://huggingface.co/datasets/test-org/pd-images"
    assert document["name"] == "pd-images"
    assert "@misc{pdpack_2026_11" in document["citeAs"]
    names = {c["name"] for c in document["creator"]}
    assert names == {"NASA and SpaceX (via scikit-image)", "scikit-image contributors (via scikit-image)"}


@pytest.mark.parametrize(
    ("version", "expected"), [("2026.12", "2026.12.0"), ("2027.01", "2027.1.0"), ("2027.01-rc1", "2027.01-rc1")]
)
def test_croissant_version_is_semver(version: str, expected: str) -> None:
    assert croissant_version(version) == expected


def test_mlcroissant_validates_and_reads_the_samples(sample_release: ReleaseResult) -> None:
    mlc = pytest.importorskip("mlcroissant")
    dataset = mlc.Dataset(jsonld=sample_release.out / "croissant.json")  # raises ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors
    assert not dataset.metadata.ctx.issues.warnings
    records = list(dataset.records("samples"))
    keys = []
    for shard in sample_release.release["shards"]:
        keys += pq.read_table(sample_release.out / shard["index"], columns=["key"]).column("key").to_pylist()
    assert sorted(r["samples/key"].decode() for r in records) == sorted(keys)
    coffee = next(r for r in records if r["samples/id"] == b"coffee")
    assert coffee["samples/collection"] == b"scikit-image-gallery"
    assert coffee["samples/rights_status"] == b"public_domain"
    assert coffee["samples/rights_statement"] == b"http://creativecommons.org/publicdomain/zero/1.0/"
    assert coffee["samples/credit_line"].startswith(b"Coffee cup, Rachel Michetti. Rachel Michetti, courtesy of")
    assert len(coffee["samples/sha256"]) == 64


def test_mlcroissant_reads_the_images_out_of_the_shards(sample_release: ReleaseResult, tmp_path: Path) -> None:
    """In a subprocess: mlcroissant extracts tars into CROISSANT_CACHE, which it reads once at import."""
    pytest.importorskip("mlcroissant")
    script = (
        "import json, sys, mlcroissant as mlc\n"
        "ds = mlc.Dataset(jsonld=sys.argv[1])\n"
        "print(json.dumps({r['images/key'].decode(): list(r['images/image'].size) for r in ds.records('images')}))\n"
    )
    env = {**os.environ, "CROISSANT_CACHE": str(tmp_path / "croissant-cache")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(sample_release.out / "croissant.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(sizes) == sample_release.release["totals"]["shipped"]
    assert sizes["scikit-image-gallery_coffee"] == [600, 400]
