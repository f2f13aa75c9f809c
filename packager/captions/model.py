"""Captions written by an open_clip CoCa model, with deterministic decoding.

Which model and weights (the same two values open_clip takes):

- ``name`` an open_clip architecture ("coca_ViT-L-14"), and ``pretrained`` one of its tags
  ("mscoco_finetuned_laion2b_s13b_b90k"): the weights come from the Hugging Face cache, or are
  downloaded into it where the machine is online;
- ``name`` an architecture and ``pretrained`` the path of a checkpoint file (.pt, .pth, .bin,
  .safetensors): the weights come from that file. A checkpoint path given as ``name``, with the
  architecture as ``pretrained``, is taken the same way;
- ``name`` "hf-hub:org/repo" or "local-dir:/path" (open_clip's own schemes; ``pretrained`` unused);
- ``pretrained`` None: random weights (seeded, so the same every time); for tests and benchmarks.

When the weights are neither on disk nor downloadable, ``ModelUnavailable`` says which file of
which repository is missing and how to provide it; nothing falls back to other weights.

Decoding is greedy (``num_beams=1``) or beam search, both deterministic, written over CoCa's own
forward pass: open_clip's ``CoCa.generate`` needs the ``transformers`` package (its beam search
uses transformers' BeamSearchScorer), which pdpack does not depend on. torch and open_clip are
imported here only, so the rest of pdpack runs without them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import open_clip
import torch
import torch.nn.functional as F

from packager.captions.clean import clean_text
from packager.captions.weights import (
    CAPTION_FLAGS,
    HF_CONFIG_FILE,
    check_hub_weights,
    check_tag_weights,
    is_checkpoint_path,
    resolve_names,
)
from packager.model import ModelError, ModelUnavailable

if TYPE_CHECKING:
    from PIL import Image

RANDOM_INIT_SEED = 0
SPECIAL_TOKENS = ("<start_of_text>", "<end_of_text>")
# The default captioner: CoCa ViT-L/14 fine-tuned on MS-COCO captions.
DEFAULT_CAPTION_MODEL = "coca_ViT-L-14"
DEFAULT_CAPTION_PRETRAINED = "mscoco_finetuned_laion2b_s13b_b90k"


def pick_device(device: str | None = None) -> torch.device:
    """The device asked for, else CUDA when present, else the CPU."""
    if device:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """torch's random state seeded inside the block and restored after it."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


# --- finding the weights ----------------------------------------------------------------------------------


def _initialise_decoder_projection(model: Any) -> None:
    """Draw CoCa's decoder output projection, which open_clip leaves as uninitialised memory.

    (open_clip's MultimodalTransformer.init_parameters is never called and would fail if it were;
    without this, a randomly initialised CoCa writes different captions from one load to the next.)
    """
    decoder: Any = getattr(model, "text_decoder", None)
    projection = getattr(decoder, "text_projection", None)
    if isinstance(projection, torch.nn.Parameter):
        with torch.no_grad():
            torch.nn.init.normal_(projection, std=decoder.width**-0.5)


@dataclass
class LoadedModel:
    """An open_clip model ready for inference, with its image transform and tokenizer."""

    name: str  # the architecture, or the hf-hub:/local-dir: name
    pretrained: str | None  # the tag or checkpoint path; None for random weights
    model: Any
    preprocess: Any
    tokenizer: Any
    device: torch.device

    @property
    def description(self) -> str:
        return f"{self.name}/{self.pretrained or 'random-init'}"

    def pixels(self, images: Sequence[Image.Image]) -> torch.Tensor:
        return torch.stack([self.preprocess(image) for image in images]).to(self.device)


def load_open_clip(
    name: str,
    pretrained: str | None = None,
    device: str | None = None,
    cache_dir: str | None = None,
    flags: tuple[str, str] = CAPTION_FLAGS,
) -> LoadedModel:
    """Any open_clip model by name and tag or checkpoint (see the module docstring), in eval mode.

    ``flags`` are the option names that error messages suggest (CAPTION_FLAGS or SCORE_FLAGS).
    """
    arch, weights = resolve_names(name, pretrained, flags)
    target = pick_device(device)
    if arch.startswith("hf-hub:"):
        check_hub_weights(arch, cache_dir)
    elif arch.startswith("local-dir:"):
        if not (Path(arch.removeprefix("local-dir:")) / HF_CONFIG_FILE).is_file():
            raise ModelUnavailable(f"{arch!r}: the folder has no {HF_CONFIG_FILE} (and weights) for open_clip")
    else:
        arch = arch.replace("/", "-")
        if arch not in open_clip.list_models():
            coca = ", ".join(m for m in open_clip.list_models() if m.startswith("coca")) or "none"
            raise ModelError(
                f"{arch!r} is not an open_clip model name (CoCa models: {coca}; all: open_clip.list_models())"
            )
        if weights is not None:
            if is_checkpoint_path(weights):
                path = Path(weights).expanduser()
                if not path.is_file():
                    raise ModelUnavailable(f"the checkpoint file {str(path)!r} for {arch!r} does not exist")
                weights = str(path)
            else:
                check_tag_weights(arch, weights, cache_dir, flags)
    try:
        with seeded(RANDOM_INIT_SEED, target):
            model, _, preprocess = open_clip.create_model_and_transforms(
                arch, pretrained=weights, device=target, cache_dir=cache_dir
            )
            if weights is None and not arch.startswith(("hf-hub:", "local-dir:")):
                _initialise_decoder_projection(model)
        tokenizer = open_clip.get_tokenizer(arch, cache_dir=cache_dir)
    except ModelError:
        raise
    except (RuntimeError, ValueError, OSError, KeyError) as exc:
        raise ModelError(f"open_clip could not load {arch!r} with {weights!r}: {exc}") from exc
    model.eval()
    return LoadedModel(arch, weights, model, preprocess, tokenizer, target)


# --- captions ---------------------------------------------------------------------------------------------


class _LastPosition(torch.nn.Module):
    """The decoder's final LayerNorm, on the last position only."""

    def __init__(self, norm: torch.nn.Module) -> None:
        super().__init__()
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x[:, -1:])


@contextmanager
def last_position_logits(model: Any) -> Iterator[None]:
    """Inside the block, CoCa's forward computes vocabulary logits for the last position only.

    Decoding needs no others, and projecting every position onto the 49408-token vocabulary at
    every step is most of the work for short captions. The decoder's final LayerNorm (applied just
    before the projection) is wrapped to keep the last position; it is put back on leaving.
    """
    decoder: Any = getattr(model, "text_decoder", None)
    norm = getattr(decoder, "ln_final", None)
    if norm is None or isinstance(norm, _LastPosition):
        yield
        return
    decoder.ln_final = _LastPosition(norm)
    try:
        yield
    finally:
        decoder.ln_final = norm


@dataclass
class Captioner:
    """Writes one caption per image with a CoCa model. Same images in, same captions out."""

    loaded: LoadedModel
    num_beams: int = 3
    max_length: int = 30  # tokens, the start token included (open_clip's default seq_len)
    min_length: int = 5  # no end token before this length (open_clip's default min_seq_len)
    seed: int = 0
    _sot: int = field(init=False)
    _eot: int = field(init=False)

    def __post_init__(self) -> None:
        model = self.loaded.model
        if not hasattr(model, "text_decoder"):
            raise ModelError(
                f"{self.loaded.name!r} has no text decoder and cannot write captions: use a CoCa model "
                "(coca_ViT-B-32, coca_ViT-L-14); CLIP models can only score captions (--score-model)"
            )
        tokenizer = self.loaded.tokenizer
        self._sot = int(getattr(tokenizer, "sot_token_id", 49406))
        self._eot = int(getattr(tokenizer, "eot_token_id", 49407))
        context = int(getattr(model.text, "context_length", self.max_length))
        self.max_length = max(2, min(self.max_length, context))
        self.min_length = max(1, min(self.min_length, self.max_length - 1))
        if self.num_beams < 1:
            raise ValueError("num_beams must be at least 1")

    @property
    def description(self) -> str:
        return self.loaded.description

    def generate(self, images: Sequence[Image.Image], batch_size: int = 16) -> list[str]:
        """One cleaned caption per image, in order; batches of batch_size images at a time."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        captions: list[str] = []
        with torch.inference_mode(), seeded(self.seed, self.loaded.device), last_position_logits(self.loaded.model):
            for start in range(0, len(images), batch_size):
                pixels = self.loaded.pixels(images[start : start + batch_size])
                sequences = self._beam_search(pixels) if self.num_beams > 1 else self._greedy(pixels)
                captions.extend(self._text(tokens) for tokens in sequences)
        return captions

    def _logits(self, pixels: torch.Tensor, tokens: torch.Tensor, latent: Any, embs: Any) -> torch.Tensor:
        out = self.loaded.model(pixels, tokens, image_latent=latent, image_embs=embs, output_labels=False)
        logits = out["logits"][:, -1].float()
        if tokens.shape[1] < self.min_length:
            logits[:, self._eot] = float("-inf")
        return logits

    def _greedy(self, pixels: torch.Tensor) -> list[list[int]]:
        latent, embs = self.loaded.model._encode_image(pixels)
        count = pixels.shape[0]
        tokens = torch.full((count, 1), self._sot, dtype=torch.long, device=pixels.device)
        done = torch.zeros(count, dtype=torch.bool, device=pixels.device)
        while tokens.shape[1] < self.max_length and not bool(done.all()):
            step = self._logits(pixels, tokens, latent, embs).argmax(dim=-1)
            # A finished caption gets end tokens, which change nothing for the others.
            step = torch.where(done, torch.full_like(step, self._eot), step)
            tokens = torch.cat([tokens, step[:, None]], dim=1)
            done |= step == self._eot
        return [row[1:].tolist() for row in tokens]

    def _beam_search(self, pixels: torch.Tensor) -> list[list[int]]:
        """Beam search, each image on its own: scores are summed log-probabilities over the length."""
        beams = self.num_beams
        count = pixels.shape[0]
        latent, embs = self.loaded.model._encode_image(pixels)
        latent = latent.repeat_interleave(beams, dim=0)
        embs = embs.repeat_interleave(beams, dim=0)
        pixels = pixels.repeat_interleave(beams, dim=0)
        device = pixels.device
        tokens = torch.full((count * beams, 1), self._sot, dtype=torch.long, device=device)
        scores = torch.full((count, beams), float("-inf"), device=device)
        scores[:, 0] = 0.0  # all beams start alike: expand only the first
        finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(count)]
        done = [False] * count
        while tokens.shape[1] < self.max_length and not all(done):
            logprobs = F.log_softmax(self._logits(pixels, tokens, latent, embs), dim=-1)
            vocab = logprobs.shape[-1]
            total = (scores.reshape(-1, 1) + logprobs).reshape(count, beams * vocab)
            top_scores, top_index = total.topk(2 * beams, dim=1)
            top_scores_list, top_index_list = top_scores.tolist(), top_index.tolist()
            length = tokens.shape[1]  # tokens after this step, without the start token
            sources: list[int] = []
            next_tokens: list[int] = []
            next_scores: list[float] = []
            for image in range(count):
                chosen: list[tuple[int, int, float]] = []
                if not done[image]:
                    for rank, (score, index) in enumerate(
                        zip(top_scores_list[image], top_index_list[image], strict=True)
                    ):
                        beam, token = divmod(index, vocab)
                        if score == float("-inf"):
                            break
                        if token == self._eot:
                            if rank < beams:
                                prefix = tokens[image * beams + beam, 1:].tolist()
                                finished[image].append((score / length, prefix))
                            continue
                        chosen.append((beam, token, score))
                        if len(chosen) == beams:
                            break
                    done[image] = len(finished[image]) >= beams
                while len(chosen) < beams:  # a finished image (or too few live beams): filler, never kept
                    chosen.append((0, self._eot, float("-inf")))
                for beam, token, score in chosen:
                    sources.append(image * beams + beam)
                    next_tokens.append(token)
                    next_scores.append(score)
            tokens = torch.cat(
                [tokens[torch.tensor(sources, device=device)], torch.tensor(next_tokens, device=device)[:, None]], dim=1
            )
            scores = torch.tensor(next_scores, device=device).reshape(count, beams)
        # Captions cut by max_length compete with the finished ones.
        length = tokens.shape[1] - 1
        live_scores = scores.tolist()
        for image in range(count):
            if not done[image]:
                for beam in range(beams):
                    if live_scores[image][beam] != float("-inf"):
                        prefix = tokens[image * beams + beam, 1:].tolist()
                        finished[image].append((live_scores[image][beam] / max(1, length), prefix))
        # max() keeps the first of equal scores: deterministic.
        return [max(hyps, key=lambda h: h[0])[1] if hyps else [] for hyps in finished]

    def _text(self, tokens: list[int]) -> str:
        if self._eot in tokens:
            tokens = tokens[: tokens.index(self._eot)]
        tokens = [t for t in tokens if t != self._sot]
        text = self.loaded.tokenizer.decode(tokens) if tokens else ""
        for special in SPECIAL_TOKENS:
            text = text.replace(special, " ")
        text = clean_text(text)
        return text[:1].upper() + text[1:]


def load_captioner(
    name: str = DEFAULT_CAPTION_MODEL,
    pretrained: str | None = DEFAULT_CAPTION_PRETRAINED,
    device: str | None = None,
    *,
    cache_dir: str | None = None,
    num_beams: int = 3,
    max_length: int = 30,
) -> Captioner:
    """A Captioner for a CoCa model: name and pretrained as in the module docstring.

    Raises ModelUnavailable when the weights are missing, ModelError for an unknown name or tag or
    a model that cannot write captions.
    """
    loaded = load_open_clip(name, pretrained, device, cache_dir)
    return Captioner(loaded, num_beams=num_beams, max_length=max_length)
