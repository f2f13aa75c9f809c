"""Tiny open_clip models for tests and the offline benchmark: real open_clip code, random weights.

``register()`` adds two model configs to open_clip's registry, through its public
``add_model_config``:

- ``pdpack-tiny-clip``: a CLIP model (ViT image tower, causal text tower), for alignment scores;
- ``pdpack-tiny-coca``: a CoCa model (the same towers plus a multimodal text decoder), for captions.

Both use open_clip's default SimpleTokenizer, whose BPE vocabulary ships inside the package (so
nothing is downloaded), with 32-pixel images and 16-24 token contexts: they build in well under a
second and caption a batch on a CPU in milliseconds. ``save_checkpoint`` writes a state dict to a
.pt or .safetensors file for the loading-from-a-path tests.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

TINY_CLIP = "pdpack-tiny-clip"
TINY_COCA = "pdpack-tiny-coca"
VOCAB_SIZE = 49408  # open_clip's SimpleTokenizer (bpe_simple_vocab_16e6)

CONFIGS: dict[str, dict[str, Any]] = {
    TINY_CLIP: {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "head_width": 32, "patch_size": 16},
        "text_cfg": {"context_length": 16, "vocab_size": VOCAB_SIZE, "width": 32, "heads": 2, "layers": 1},
    },
    TINY_COCA: {
        "embed_dim": 32,
        "vision_cfg": {
            "image_size": 32,
            "layers": 1,
            "width": 64,
            "head_width": 32,
            "patch_size": 16,
            "attentional_pool": True,
            "attn_pooler_queries": 8,
            "attn_pooler_heads": 4,
            "output_tokens": True,
        },
        "text_cfg": {
            "context_length": 16,
            "vocab_size": VOCAB_SIZE,
            "width": 32,
            "heads": 4,
            "layers": 1,
            "embed_cls": True,
            "output_tokens": True,
        },
        "multimodal_cfg": {
            "context_length": 16,
            "vocab_size": VOCAB_SIZE,
            "width": 32,
            "heads": 4,
            "layers": 1,
            "attn_pooler_heads": 4,
        },
        "custom_text": True,
    },
}

_registered = False


def register() -> tuple[str, str]:
    """Make the tiny models known to open_clip by name (idempotent); return (clip name, coca name)."""
    global _registered
    if not _registered:
        import open_clip

        with tempfile.TemporaryDirectory(prefix="pdpack-tiny-clip-") as folder:
            for name, config in CONFIGS.items():
                (Path(folder) / f"{name}.json").write_text(json.dumps(config), encoding="utf-8")
            # open_clip reads the files now and keeps the configs; the folder may go afterwards.
            open_clip.add_model_config(folder)
        missing = set(CONFIGS) - set(open_clip.list_models())
        assert not missing, f"open_clip did not register {missing}"
        _registered = True
    return TINY_CLIP, TINY_COCA


def save_checkpoint(model: Any, path: Path) -> Path:
    """Write the model's weights to path: safetensors for a .safetensors name, else torch.save."""
    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(path))
    else:
        import torch

        torch.save(state, path)
    return path


def sample_images(count: int, seed: int = 0) -> list[Any]:
    """count different, deterministic RGB noise pictures of a few sizes (not all square)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    sizes = [(40, 48), (48, 48), (64, 36)]
    return [Image.fromarray(rng.integers(0, 256, (*sizes[i % 3], 3), dtype=np.uint8)) for i in range(count)]


def build_model(name: str, seed: int = 1, std: float = 0.3) -> Any:
    """The tiny model with every weight drawn from N(0, std) under seed.

    open_clip's own initialisation makes a random CoCa write the same token for every picture; larger
    weights make the captions differ between pictures, which the batching tests need to mean anything.
    """
    import open_clip
    import torch

    register()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = open_clip.create_model(name)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.normal_(0.0, std)
    return model.eval()
