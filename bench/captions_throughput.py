"""Benchmark: images per second for caption scoring and caption writing, batched against one at a time.

Run on demand (not part of pytest):

    .venv/bin/python bench/captions_throughput.py
    .venv/bin/python bench/captions_throughput.py --model coca_ViT-L-14 \\
        --pretrained mscoco_finetuned_laion2b_s13b_b90k --score-model ViT-B-32 \\
        --score-pretrained laion2b_s34b_b79k --images 64

By default it uses the tiny test models of tests/tiny_clip.py with random weights (nothing is
downloaded, so it runs offline; the figures then measure pdpack's and open_clip's per-call
overhead more than model compute). A real architecture without --pretrained (e.g. --model
coca_ViT-B-32 --score-model ViT-B-32) is built with random weights: real compute, offline, but a
random CoCa never writes its end token, so every caption runs to the full 30 tokens. Real
captions stop after 10-15, and each step re-reads the whole prefix (open_clip's CoCa has no
key-value cache), so with real weights generation is faster: take these rates as a lower bound.

On the current device (CUDA when present, else the CPU; --device to choose), in the same run, it
times:

  - scoring: Scorer.score over --images pictures with batch sizes 1, 16 and 32;
  - writing: Captioner.generate over --gen-images pictures with batch sizes 1, 16 and 32;

after one warm-up batch each, and prints images/second and the speed-up of each batch size over
batch size 1. Every batch size must give the same scores and captions as batch size 1 (checked).
The pictures are --size-pixel RGB noise, so decoding and resizing cost what a real picture does.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import torch
from PIL import Image

from packager.captions.model import load_captioner
from packager.captions.score import load_scorer
from tests.tiny_clip import TINY_CLIP, TINY_COCA, register


def pictures(count: int, size: int) -> list[Image.Image]:
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 256, (size, size * 4 // 3, 3), dtype=np.uint8)) for _ in range(count)]


def timed(run: Callable[[], Any], device: torch.device) -> tuple[float, Any]:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    result = run()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start, result


def measure(
    label: str, count: int, batch_sizes: list[int], run: Callable[[int], Any], device: torch.device
) -> list[dict[str, Any]]:
    run(min(count, max(batch_sizes)))  # warm-up: first-call allocations, kernel selection
    rows = []
    baseline_rate = None
    baseline_result = None
    for batch in batch_sizes:
        seconds, result = timed(lambda b=batch: run(b), device)
        rate = count / seconds
        if baseline_rate is None:
            baseline_rate, baseline_result = rate, result
        rows.append(
            {
                "task": label,
                "batch_size": batch,
                "images": count,
                "seconds": round(seconds, 3),
                "images_per_second": round(rate, 2),
                "speedup_vs_batch_1": round(rate / baseline_rate, 2),
                "same_output_as_batch_1": result == baseline_result,
            }
        )
        _print_row(rows[-1])
    return rows


def _print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['task']:<9} {row['batch_size']:>5} {row['images']:>6} {row['seconds']:>8.3f} "
        f"{row['images_per_second']:>9.2f} {row['speedup_vs_batch_1']:>7.2f}x  "
        f"{'yes' if row['same_output_as_batch_1'] else 'NO'}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=TINY_COCA, help="open_clip CoCa model that writes captions")
    parser.add_argument("--pretrained", default=None, help="its tag or checkpoint file (default: random weights)")
    parser.add_argument("--score-model", default=TINY_CLIP, help="open_clip model that scores captions")
    parser.add_argument("--score-pretrained", default=None, help="its tag or checkpoint file")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda when present)")
    parser.add_argument("--images", type=int, default=128, help="pictures to score")
    parser.add_argument("--gen-images", type=int, default=32, help="pictures to caption")
    parser.add_argument("--size", type=int, default=256, help="picture height in pixels")
    parser.add_argument("--batch-sizes", default="1,16,32")
    parser.add_argument("--num-beams", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    register()
    if args.threads:
        torch.set_num_threads(args.threads)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    if batch_sizes[0] != 1:
        batch_sizes.insert(0, 1)

    scorer = load_scorer(args.score_model, args.score_pretrained, args.device)
    captioner = load_captioner(args.model, args.pretrained, args.device, num_beams=args.num_beams)
    device = scorer.loaded.device
    hardware = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu"
    print(f"device: {device} ({hardware}), torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"scorer: {scorer.description}; captioner: {captioner.description}, {args.num_beams} beams")

    score_images = pictures(args.images, args.size)
    texts = [f"a painting of a harbour at dawn, number {i}" for i in range(args.images)]
    gen_images = score_images[: args.gen_images]
    print(f"\n{'task':<9} {'batch':>5} {'images':>6} {'seconds':>8} {'images/s':>9} {'speed-up':>8}  same output")
    rows = measure("score", args.images, batch_sizes, lambda b: scorer.score(score_images, texts, batch_size=b), device)
    rows += measure(
        "generate", len(gen_images), batch_sizes, lambda b: captioner.generate(gen_images, batch_size=b), device
    )

    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(row["same_output_as_batch_1"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
