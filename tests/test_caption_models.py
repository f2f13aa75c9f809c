"""Model captions and alignment scores with real open_clip code on tiny, randomly initialised models.

Nothing is downloaded: the models are registered by tests/tiny_clip.py and built with random
weights (or loaded from a checkpoint file written here); the missing-weights tests run with the
Hugging Face hub in offline mode against an empty cache.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
open_clip = pytest.importorskip("open_clip")

from packager.captions.clean import clean_text  # noqa: E402
from packager.captions.model import (  # noqa: E402
    Captioner,
    ModelError,
    ModelUnavailable,
    last_position_logits,
    load_captioner,
    load_open_clip,
    pick_device,
)
from packager.captions.score import load_scorer  # noqa: E402
from packager.captions.select import caption_stage, decide_captions  # noqa: E402
from packager.captions.weights import resolve_names  # noqa: E402
from tests.tiny_clip import TINY_CLIP, TINY_COCA, build_model, register, sample_images, save_checkpoint  # noqa: E402

IMAGES = 4


@pytest.fixture(scope="module", autouse=True)
def _tiny_models() -> Iterator[None]:
    register()
    # Tiny tensors: threads only add overhead, and other test processes share the cores.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def images() -> list[Any]:
    return sample_images(IMAGES)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Weights large enough that the tiny CoCa writes different captions for different pictures."""
    return save_checkpoint(build_model(TINY_COCA), tmp_path_factory.mktemp("weights") / "tiny-coca.pt")


@pytest.fixture(scope="module")
def captioner(checkpoint: Path) -> Captioner:
    return load_captioner(TINY_COCA, str(checkpoint), device="cpu", num_beams=1)


@pytest.fixture(scope="module")
def beam_captioner(checkpoint: Path) -> Captioner:
    return load_captioner(TINY_COCA, str(checkpoint), device="cpu", num_beams=2)


# --- captions ---------------------------------------------------------------------------------------------


def test_generate_by_registered_name_with_random_weights(images: list[Any]) -> None:
    captioner = load_captioner(TINY_COCA, None, device="cpu", num_beams=1)
    assert captioner.loaded.pretrained is None
    assert captioner.description == f"{TINY_COCA}/random-init"
    first = captioner.generate(images)
    assert len(first) == len(images) and all(isinstance(text, str) for text in first)
    assert captioner.generate(images) == first
    # Random weights are seeded: a second load writes the same captions.
    assert load_captioner(TINY_COCA, None, device="cpu", num_beams=1).generate(images) == first
    assert captioner.generate([]) == []


@pytest.mark.parametrize("which", ["greedy", "beam"])
def test_generate_is_deterministic_and_batch_independent(
    which: str, captioner: Captioner, beam_captioner: Captioner, images: list[Any]
) -> None:
    model = captioner if which == "greedy" else beam_captioner
    batched = model.generate(images, batch_size=16)
    assert len(batched) == len(images)
    assert len(set(batched)) > 1, "the test model should caption different pictures differently"
    assert model.generate(images, batch_size=16) == batched
    assert model.generate(images, batch_size=4) == batched
    assert [model.generate([image], batch_size=1)[0] for image in images] == batched


def test_captions_are_clean_text_without_special_tokens(
    captioner: Captioner, beam_captioner: Captioner, images: list[Any]
) -> None:
    for text in captioner.generate(images) + beam_captioner.generate(images):
        assert "<start_of_text>" not in text and "<end_of_text>" not in text
        assert clean_text(text) == text
        assert text[:1] == text[:1].upper()


def test_token_text_stops_at_the_end_token(captioner: Captioner) -> None:
    tokenizer = captioner.loaded.tokenizer
    words = tokenizer.encode("a painting of a harbour .")
    sot, eot = tokenizer.sot_token_id, tokenizer.eot_token_id
    assert captioner._text([*words, eot, eot, 0, 0]) == "A painting of a harbour."
    assert captioner._text([sot, *words]) == "A painting of a harbour."
    assert captioner._text([eot, *words]) == ""


def test_beam_search_with_one_beam_is_greedy(captioner: Captioner, images: list[Any]) -> None:
    pixels = captioner.loaded.pixels(images)
    with torch.inference_mode():
        greedy = captioner._greedy(pixels)
        beam = captioner._beam_search(pixels)
    assert [captioner._text(t) for t in greedy] == [captioner._text(t) for t in beam]


def test_last_position_logits_match_open_clips_full_forward(captioner: Captioner, images: list[Any]) -> None:
    model = captioner.loaded.model
    pixels = captioner.loaded.pixels(images)
    tokens = torch.tensor([[49406, 320, 1125, 539, 320]] * len(images))
    with torch.inference_mode():
        full = model(pixels, tokens, output_labels=False)["logits"]
        with last_position_logits(model):
            last = model(pixels, tokens, output_labels=False)["logits"]
        again = model(pixels, tokens, output_labels=False)["logits"]
    assert full.shape[1] == 5 and last.shape[1] == 1
    assert torch.allclose(full[:, -1], last[:, -1], atol=1e-5)
    assert torch.equal(full, again)  # put back on leaving


def test_captions_respect_max_length(checkpoint: Path, images: list[Any]) -> None:
    short = load_captioner(TINY_COCA, str(checkpoint), device="cpu", num_beams=2, max_length=6)
    tokenizer = short.loaded.tokenizer
    for text in short.generate(images):
        assert len(tokenizer.encode(text.lower())) <= 6


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_checkpoint_file_gives_the_original_models_captions(tmp_path: Path, suffix: str, images: list[Any]) -> None:
    original = build_model(TINY_COCA, seed=2)
    loaded = load_open_clip(TINY_COCA, None, device="cpu")
    loaded.model = original
    expected = Captioner(loaded, num_beams=1).generate(images)
    path = save_checkpoint(original, tmp_path / f"weights{suffix}")
    from_file = load_captioner(TINY_COCA, str(path), device="cpu", num_beams=1)
    assert from_file.loaded.pretrained == str(path)
    assert from_file.generate(images) == expected
    if suffix == ".pt":
        # The checkpoint may also be given as the name, with the architecture as pretrained.
        assert load_captioner(str(path), TINY_COCA, device="cpu", num_beams=1).generate(images) == expected
    # Other weights, other captions: the file was really read.
    assert load_captioner(TINY_COCA, None, device="cpu", num_beams=1).generate(images) != expected


def test_a_clip_model_cannot_caption() -> None:
    with pytest.raises(ModelError, match="no text decoder"):
        load_captioner(TINY_CLIP, None, device="cpu")


# --- scores -----------------------------------------------------------------------------------------------


def test_scores_are_rounded_cosines_and_repeatable(images: list[Any]) -> None:
    scorer = load_scorer(TINY_CLIP, None, device="cpu")
    texts = [f"a picture number {i} of a harbour" for i in range(len(images))]
    scores = scorer.score(images, texts)
    assert len(scores) == len(images)
    for value in scores:
        assert isinstance(value, float) and -1.0 <= value <= 1.0
        assert round(value, 4) == value
    assert scorer.score(images, texts) == scores
    assert scorer.score(images, texts, batch_size=1) == scores
    assert load_scorer(TINY_CLIP, None, device="cpu").score(images, texts) == scores
    assert scorer.score([], []) == []
    # The raw cosine of open_clip's own normalised embeddings.
    model, tokenizer = scorer.loaded.model, scorer.loaded.tokenizer
    with torch.inference_mode():
        image = model.encode_image(scorer.loaded.pixels(images[:1]), normalize=True)
        text = model.encode_text(tokenizer(texts[:1]), normalize=True)
    assert math.isclose(scores[0], float((image * text).sum()), abs_tol=1e-4)


def test_score_candidates_matches_score(images: list[Any]) -> None:
    scorer = load_scorer(TINY_CLIP, None, device="cpu")
    candidates = [["a harbour", "a bridge"], ["a cat"], []]
    result = scorer.score_candidates(images[:3], candidates)
    assert [len(r) for r in result] == [2, 1, 0]
    assert result[0] == scorer.score([images[0], images[0]], candidates[0])
    assert result[1] == scorer.score([images[1]], candidates[1])
    with pytest.raises(ValueError):
        scorer.score(images[:2], ["one text"])


def test_a_coca_model_can_score(checkpoint: Path, images: list[Any]) -> None:
    scores = load_scorer(TINY_COCA, str(checkpoint), device="cpu").score(images[:2], ["a harbour", "a bridge"])
    assert all(-1.0 <= s <= 1.0 for s in scores)


def test_decide_captions_with_real_models(captioner: Captioner, images: list[Any]) -> None:
    scorer = load_scorer(TINY_CLIP, None, device="cpu")
    candidates = [[("original", "Harbour at dawn")], [], [("metadata", "View, by Anna Smith.")]]
    decisions = decide_captions(images[:3], candidates, "best", captioner, scorer)
    assert [d.source in ("original", "metadata", "model") for d in decisions] == [True, True, True]
    assert decisions[1].source == "model"
    assert all(d.score is not None and -1 <= d.score <= 1 for d in decisions)
    assert decide_captions(images[:3], candidates, "best", captioner, scorer) == decisions


def test_caption_stage_with_real_models(captioner: Captioner, images: list[Any]) -> None:
    import io

    from packager.manifest.collection import Collection, Institution
    from packager.sample import Sample

    collection = Collection(
        id="city-museum",
        root=Path("."),
        title="City Museum Prints",
        institution=Institution("City Museum"),
        manifest=Path("items.csv"),
    )

    def sample(item_id: str, image: Any, **fields: Any) -> Sample:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        metadata = {"id": item_id, "title": None, "creator": None, "date": None, "description": None}
        metadata.update({"original_caption": None, "extra": [], "caption": "", "caption_source": "", **fields})
        return Sample(key=item_id, extension="png", image=buffer.getvalue(), caption="", metadata=metadata)

    results = [(collection, sample("a", images[0], title="Harbour")), (collection, sample("b", images[1]))]
    scorer = load_scorer(TINY_CLIP, None, device="cpu")
    out = [r for _, r in caption_stage(results, "best", captioner, scorer)]
    assert [r.metadata["caption_source"] for r in out] == [out[0].metadata["caption_source"], "model"]
    assert out[1].caption == captioner.generate([out_image(results[1][1])])[0]
    assert [r.caption for _, r in caption_stage(results, "best", captioner, scorer)] == [r.caption for r in out]


def out_image(sample: Any) -> Any:
    from packager.captions.select import open_for_model

    return open_for_model(sample.image)


# --- names, weights and failures --------------------------------------------------------------------------


@pytest.fixture
def offline_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The Hugging Face hub in offline mode, with an empty cache."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def test_missing_tag_weights_name_the_model_tag_and_the_remedy(offline_hub: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        load_captioner("coca_ViT-B-32", "laion2b_s13b_b90k", device="cpu")
    message = str(caught.value)
    assert "'coca_ViT-B-32'" in message and "'laion2b_s13b_b90k'" in message
    assert "HF_HUB_OFFLINE=1" in message
    assert "hf download laion/CoCa-ViT-B-32-laion2B-s13B-b90k open_clip_pytorch_model.bin" in message
    assert str(offline_hub) in message
    assert "--caption-model coca_ViT-B-32 --caption-pretrained /path/to/open_clip_pytorch_model.bin" in message


def test_missing_scorer_weights(offline_hub: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"'ViT-B-32'.*'laion2b_s34b_b79k'") as caught:
        load_scorer("ViT-B-32", "laion2b_s34b_b79k", device="cpu")
    assert "--score-model ViT-B-32 --score-pretrained /path/to/" in str(caught.value)
    assert "open_clip_model.safetensors" in str(caught.value)
    other_cache = tmp_path / "other"
    with pytest.raises(ModelUnavailable, match="other"):
        load_scorer("ViT-B-32", "laion2b_s34b_b79k", device="cpu", cache_dir=str(other_cache))
    with pytest.raises(ModelUnavailable, match=r"hf download laion/some-model open_clip_config\.json"):
        load_scorer("hf-hub:laion/some-model", None, device="cpu")


def test_missing_url_weights_offline(offline_hub: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import packager.captions.weights as weights_module

    monkeypatch.setattr(
        weights_module, "get_pretrained_cfg", lambda arch, tag: {"url": "https://weights.invalid/rn.pt"}
    )
    with pytest.raises(ModelUnavailable, match=r"offline.*https://weights.invalid/rn.pt"):
        load_scorer(TINY_CLIP, "openai", device="cpu", cache_dir=str(tmp_path))


def test_unknown_names_tags_and_files(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="does not exist"):
        load_captioner(TINY_COCA, str(tmp_path / "missing.pt"), device="cpu")
    with pytest.raises(ModelError, match="nor a pretrained tag") as caught:
        load_captioner("coca_ViT-B-32", "no-such-tag", device="cpu")
    assert not isinstance(caught.value, ModelUnavailable)
    assert "mscoco_finetuned_laion2b_s13b_b90k" in str(caught.value)
    with pytest.raises(ModelError, match="not an open_clip model name"):
        load_captioner("coca_ViT-Z-99", None, device="cpu")
    with pytest.raises(ModelError, match="also name the open_clip architecture"):
        load_captioner(str(tmp_path / "weights.pt"), None, device="cpu")


def test_resolve_names_and_device(tmp_path: Path) -> None:
    assert resolve_names("coca_ViT-L-14", "laion2b_s13b_b90k") == ("coca_ViT-L-14", "laion2b_s13b_b90k")
    assert resolve_names("/ckpt/model.safetensors", "coca_ViT-L-14") == ("coca_ViT-L-14", "/ckpt/model.safetensors")
    assert resolve_names("hf-hub:org/repo", "ignored") == ("hf-hub:org/repo", None)
    assert pick_device("cpu").type == "cpu"
    assert pick_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")
