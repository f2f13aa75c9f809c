"""How well a caption fits its image: cosine similarity of open_clip image and text embeddings.

``load_scorer`` takes the same names as ``load_captioner`` (an architecture with a tag or a
checkpoint path, hf-hub:, local-dir:); any open_clip model with image and text towers scores,
CLIP and CoCa alike. Scores are the raw cosine of the normalised embeddings, in [-1, 1], rounded to
4 decimals so that runs agree digit for digit. Captions longer than the model's text context
(77 tokens for most CLIP models) are scored on their first tokens, as open_clip's tokenizer cuts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from packager.captions.model import LoadedModel, ModelError, load_open_clip, seeded
from packager.captions.weights import SCORE_FLAGS

if TYPE_CHECKING:
    from PIL import Image

SCORE_DECIMALS = 4
DEFAULT_SCORE_MODEL = "ViT-B-32"
DEFAULT_SCORE_PRETRAINED = "laion2b_s34b_b79k"


@dataclass
class Scorer:
    """Image-text alignment scores from an open_clip model."""

    loaded: LoadedModel

    def __post_init__(self) -> None:
        model = self.loaded.model
        if not (hasattr(model, "encode_image") and hasattr(model, "encode_text")):
            raise ModelError(f"{self.loaded.name!r} has no image and text encoders to score captions with")

    @property
    def description(self) -> str:
        return self.loaded.description

    def embed_images(self, images: Sequence[Image.Image], batch_size: int = 32) -> torch.Tensor:
        """Normalised image embeddings, one row per image, on the CPU in float32."""
        rows = []
        with torch.inference_mode(), seeded(0, self.loaded.device):
            for start in range(0, len(images), batch_size):
                pixels = self.loaded.pixels(images[start : start + batch_size])
                rows.append(F.normalize(self.loaded.model.encode_image(pixels).float(), dim=-1).cpu())
        return torch.cat(rows) if rows else torch.empty(0)

    def embed_texts(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor:
        """Normalised text embeddings, one row per text, on the CPU in float32."""
        rows = []
        with torch.inference_mode(), seeded(0, self.loaded.device):
            for start in range(0, len(texts), batch_size):
                tokens = self.loaded.tokenizer(list(texts[start : start + batch_size])).to(self.loaded.device)
                rows.append(F.normalize(self.loaded.model.encode_text(tokens).float(), dim=-1).cpu())
        return torch.cat(rows) if rows else torch.empty(0)

    def score(self, images: Sequence[Image.Image], texts: Sequence[str], batch_size: int = 32) -> list[float]:
        """The cosine similarity of images[i] and texts[i], for each i, rounded to 4 decimals."""
        if len(images) != len(texts):
            raise ValueError(f"{len(images)} images but {len(texts)} texts: give one text per image")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not images:
            return []
        cosine = (self.embed_images(images, batch_size) * self.embed_texts(texts, batch_size)).sum(dim=-1)
        return [_rounded(value) for value in cosine.tolist()]

    def score_candidates(
        self, images: Sequence[Image.Image], candidates: Sequence[Sequence[str]], batch_size: int = 32
    ) -> list[list[float]]:
        """For each image, the score of each of its candidate captions; each image is encoded once."""
        if len(images) != len(candidates):
            raise ValueError(f"{len(images)} images but {len(candidates)} candidate lists")
        if not images:
            return []
        image_rows = self.embed_images(images, batch_size)
        flat = [text for texts in candidates for text in texts]
        text_rows = self.embed_texts(flat, batch_size) if flat else torch.empty(0, image_rows.shape[1])
        result: list[list[float]] = []
        offset = 0
        for index, texts in enumerate(candidates):
            block = text_rows[offset : offset + len(texts)]
            offset += len(texts)
            result.append([_rounded(value) for value in (block @ image_rows[index]).tolist()])
        return result


def _rounded(value: float) -> float:
    # Clamp float noise just past +-1, then round; +0.0 for -0.0 so that JSON output never says "-0.0".
    return round(min(1.0, max(-1.0, value)), SCORE_DECIMALS) + 0.0


def load_scorer(
    name: str = DEFAULT_SCORE_MODEL,
    pretrained: str | None = DEFAULT_SCORE_PRETRAINED,
    device: str | None = None,
    *,
    cache_dir: str | None = None,
) -> Scorer:
    """A Scorer for an open_clip model; raises ModelUnavailable when the weights are missing."""
    return Scorer(load_open_clip(name, pretrained, device, cache_dir, SCORE_FLAGS))
