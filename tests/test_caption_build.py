"""Model captions and alignment scores in a real build, with tiny open_clip models and local checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from packager.cli import cli
from tests.helpers import image_bytes, only_shard
from tests.tiny_clip import TINY_CLIP, TINY_COCA, build_model, register, save_checkpoint


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    register()
    folder = tmp_path_factory.mktemp("weights")
    coca = save_checkpoint(build_model(TINY_COCA, seed=3), folder / "coca.pt")
    clip = save_checkpoint(build_model(TINY_CLIP, seed=4), folder / "clip.pt")
    return coca, clip


def model_args(checkpoints: tuple[Path, Path]) -> list[str]:
    coca, clip = checkpoints
    return [
        "--captions",
        "best",
        "--caption-model",
        TINY_COCA,
        "--caption-pretrained",
        str(coca),
        "--score-model",
        TINY_CLIP,
        "--score-pretrained",
        str(clip),
        "--as-of",
        "2026-11-30",
    ]


def samples(out: Path) -> list[dict[str, Any]]:
    import webdataset as wds

    urls = sorted(str(p) for p in (out / "data").rglob("*.tar"))
    return [json.loads(s["json"]) for s in wds.WebDataset(urls, shardshuffle=False)]


def test_best_captions_with_tiny_local_checkpoints(
    tmp_path: Path, collection_factory: Any, checkpoints: tuple[Path, Path]
) -> None:
    files = {f"files/{n}.png": image_bytes(size=(64, 48), color=(60 * n, 90, 30)) for n in range(3)}
    rows = [
        {"id": "a-captioned", "file": "files/0.png", "caption": "A <b>harbour</b> at dusk", "title": "Harbour"},
        {"id": "b-titled", "file": "files/1.png", "title": "View of a bridge", "creator": "Anna Smith"},
        {"id": "c-bare", "file": "files/2.png"},
    ]
    folder = collection_factory(rows, files=files)
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), *model_args(checkpoints)])
    assert result.exit_code == 0, result.output
    metas = {m["id"]: m for m in samples(out)}
    assert set(metas) == {"a-captioned", "b-titled", "c-bare"}
    assert metas["c-bare"]["caption_source"] == "model" and metas["c-bare"]["caption"]
    for meta in metas.values():
        assert isinstance(meta["caption_alignment"], float) and -1 <= meta["caption_alignment"] <= 1
    index = pq.read_table(only_shard(out, ".parquet")).to_pylist()
    assert [row["caption_alignment"] for row in index] == [metas[row["id"]]["caption_alignment"] for row in index]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["settings"]["caption_model"] == TINY_COCA

    again = tmp_path / "again"
    CliRunner().invoke(cli, ["build", str(folder), "--out", str(again), "--workers", "2", *model_args(checkpoints)])
    for name in (report["shards"][0]["name"], report["shards"][0]["index"]):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_min_alignment_holds_back_misaligned_captions(
    tmp_path: Path, collection_factory: Any, checkpoints: tuple[Path, Path]
) -> None:
    folder = collection_factory(
        [{"id": "x", "file": "files/x.png", "title": "A lighthouse"}], files={"files/x.png": image_bytes()}
    )
    out = tmp_path / "dist"
    args = ["build", str(folder), "--out", str(out), *model_args(checkpoints), "--min-alignment", "0.999"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (line,) = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["reason"] == "caption:misaligned"


def test_bundled_sample_with_best_captions(
    tmp_path: Path, example_folders: list[Path], checkpoints: tuple[Path, Path]
) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", *map(str, example_folders), "--out", str(out), *model_args(checkpoints)])
    assert result.exit_code == 0, result.output
    metas = samples(out)
    assert metas and all(m["caption_alignment"] is not None for m in metas)
    assert {m["caption_source"] for m in metas} <= {"original", "cleaned", "metadata", "model"}
    assert any(m["caption_source"] == "cleaned" for m in metas)


def test_missing_weights_stop_the_build_with_a_clear_message(tmp_path: Path, collection_factory: Any) -> None:
    folder = collection_factory(
        [{"id": "x", "file": "files/x.png", "title": "T"}], files={"files/x.png": image_bytes()}
    )
    result = CliRunner(env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}).invoke(
        cli, ["build", str(folder), "--out", str(tmp_path / "d"), "--captions", "model"]
    )
    assert result.exit_code == 2
    assert "coca_ViT-L-14" in result.output


def test_captions_original_is_the_same_with_and_without_a_scorer(
    tmp_path: Path, collection_factory: Any, checkpoints: tuple[Path, Path]
) -> None:
    """One table decides which captions a mode ships: a scorer must not make a metadata caption eligible or not."""
    files = {"files/0.png": image_bytes(color=(10, 90, 30)), "files/1.png": image_bytes(color=(200, 20, 90))}
    rows = [
        {"id": "own-caption", "file": "files/0.png", "caption": "A harbour at dusk", "title": "Harbour"},
        {"id": "title-only", "file": "files/1.png", "title": "View of a bridge", "creator": "Anna Smith"},
    ]
    folder = collection_factory(rows, files=files)
    _, clip = checkpoints
    scorer = ["--score-model", TINY_CLIP, "--score-pretrained", str(clip)]
    outcomes = []
    for extra in ([], scorer):
        out = tmp_path / f"dist-{len(extra)}"
        args = ["build", str(folder), "--out", str(out), "--captions", "original", "--as-of", "2026-11-30", *extra]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        shipped = {m["id"]: m["caption_source"] for m in samples(out)}
        held = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
        outcomes.append((shipped, [(r["id"], r["reason"], r["message"]) for r in held]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == (
        {"own-caption": "original"},
        [
            (
                "title-only",
                "caption:missing",
                "no caption of the institution's own (--captions original ships only those)",
            )
        ],
    )
