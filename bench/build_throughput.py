"""Benchmark: `pdpack build` against img2dataset, the Pillow decode floor and a plain tar.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/build_throughput.py                 # 2,000 JPEGs of 1024x768, 2 processes
    .venv/bin/python bench/build_throughput.py --images 500 --repeat 3
    .venv/bin/python bench/build_throughput.py --profile       # also a cProfile of a --workers 1 build

img2dataset must be installed in its own venv first (see bench/README.md):

    python3 -m venv bench/.venv-img2dataset && bench/.venv-img2dataset/bin/pip install img2dataset

On one generated set of photo-like JPEGs (bench/common.py; generated once, then reused), with the
same number of processes for every tool, each timed end to end (process start to exit):

  pdpack passthrough     pdpack build COLL --workers P --as-of 2026-11-30 (JPEGs checked by draft decoding)
  ... --full-decode      the same, rebuilding every pixel of every JPEG
  pdpack resize 512      ... --max-side 512 (JPEG kept, quality 90)
  img2dataset, four ways (file:// URLs, webdataset output, processes_count P, thread_count T):
    no decode            resize_mode=no, disable_all_reencoding=True: copies bytes, never decodes
    decode, keep bytes   resize_mode=no, skip_reencode=True: decodes (cv2), ships the original bytes,
                         the same work as pdpack's passthrough
    decode + re-encode   resize_mode=no: decodes and re-encodes every image
    resize 512           resize_mode=keep_ratio_largest, image_size=512, encode_format=jpg, quality 90
  decode floor           multiprocessing.Pool(P) doing Image.open(path).load() on every file, nothing else
  tar                    tar -cf of the files (reference)

It prints wall seconds, images/s and CPU seconds (user+system of the command and all its
children: the figure to trust when other work shares the machine), then the ratios against
the targets: pdpack passthrough / decode floor <= 1.3; pdpack / img2dataset >= 2.5 passthrough,
>= 2 resize. Both tools pay a fixed start-up cost (interpreters, imports, pools), so with
--small N (e.g. 200; off by default, it doubles the run time) everything but tar is also run on
an N-image set and the steady-state rate, (images - N) / (t(images) - t(N)), the CPU cost per
image and the fixed cost are printed as well.
"""

from __future__ import annotations

import argparse
import math
import pstats
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c

PASSTHROUGH_VARIANTS = ("img2dataset no decode", "img2dataset decode, keep bytes", "img2dataset decode + re-encode")
# The img2dataset runs the targets are stated against (issue 15): --targets-only times only these.
TARGET_VARIANTS = ("img2dataset decode, keep bytes", "img2dataset resize 512")


def i2d_variants(quality: int) -> dict[str, dict[str, str]]:
    return {
        "img2dataset no decode": {"resize_mode": "no", "disable_all_reencoding": "True"},
        "img2dataset decode, keep bytes": {"resize_mode": "no", "skip_reencode": "True", "encode_format": "jpg"},
        "img2dataset decode + re-encode": {
            "resize_mode": "no",
            "encode_format": "jpg",
            "encode_quality": str(quality),
        },
        "img2dataset resize 512": {
            "resize_mode": "keep_ratio_largest",
            "image_size": "512",
            "encode_format": "jpg",
            "encode_quality": str(quality),
        },
    }


FULL = "pdpack passthrough, --full-decode"
BASE_PT = "baseline pdpack passthrough"
BASE_RS = "baseline pdpack resize 512"


def measure_all(images: c.ImageSet, args: argparse.Namespace, with_tar: bool) -> dict[str, c.Timing]:
    """One round: every tool once on ``images``, in a fixed order."""
    p = args.workers
    shard = args.i2d_shard_size or math.ceil(images.count / p)
    resize = ["--max-side", "512", "--quality", str(args.quality)]
    runs: dict[str, c.Timing] = {}
    if args.baseline_tree:
        runs[BASE_PT] = c.time_pdpack(BASE_PT, images, p, tree=args.baseline_tree)
    runs["pdpack passthrough"] = c.time_pdpack("pdpack passthrough", images, p)
    if not args.skip_full_decode:
        runs[FULL] = c.time_pdpack(FULL, images, p, ["--full-decode"])
    if args.baseline_tree:
        runs[BASE_RS] = c.time_pdpack(BASE_RS, images, p, resize, tree=args.baseline_tree)
    runs["pdpack resize 512"] = c.time_pdpack("pdpack resize 512", images, p, resize)
    if not args.skip_img2dataset:
        for label, options in i2d_variants(args.quality).items():
            if args.targets_only and label not in TARGET_VARIANTS:
                continue
            runs[label] = c.time_img2dataset(label, images, p, args.threads, shard, options)
    runs["Pillow decode floor"] = c.time_decode_floor(images, p)
    if with_tar:
        runs["tar -cf (reference)"] = c.time_tar(images)
    return runs


def rounds(images: c.ImageSet, args: argparse.Namespace, with_tar: bool) -> dict[str, c.Timing]:
    """``--repeat`` rounds, interleaved (so a burst of other work hurts every tool alike); best of each."""
    collected: dict[str, list[c.Timing]] = {}
    for number in range(args.repeat):
        print(f"  round {number + 1}/{args.repeat} on {images.count} images (load average {c.load_average():.1f})")
        for label, timing in measure_all(images, args, with_tar).items():
            collected.setdefault(label, []).append(timing)
    return {label: c.best(timings) for label, timings in collected.items()}


def ratio_lines(runs: dict[str, c.Timing], rate_of, label: str) -> None:  # type: ignore[no-untyped-def]
    """Print the target ratios with ``rate_of(timing)`` as the throughput (images/s)."""
    floor = runs["Pillow decode floor"]
    print(f"\nRatios ({label}):")

    def line(text: str, value: float, target: str = "") -> None:
        print(f"  {text:<76} {value:6.2f}  {target}".rstrip())

    for key, who, how in (
        ("pdpack passthrough", "pdpack", ""),
        (FULL, "pdpack", ", --full-decode"),
        (BASE_PT, "baseline", ""),
    ):
        if key not in runs:
            continue
        value = rate_of(floor) / rate_of(runs[key])
        line(f"{who} passthrough{how} time / decode floor time", value, c.verdict(value, 1.3, at_least=False))
        for name in PASSTHROUGH_VARIANTS:
            if name in runs:
                value = rate_of(runs[key]) / rate_of(runs[name])
                variant = name.removeprefix("img2dataset ")
                target = c.verdict(value, 2.5, at_least=True)
                line(f"{who}{how} / img2dataset throughput, passthrough ({variant})", value, target)
    if "img2dataset resize 512" in runs:
        for key, who in (("pdpack resize 512", "pdpack"), (BASE_RS, "baseline")):
            if key in runs:
                value = rate_of(runs[key]) / rate_of(runs["img2dataset resize 512"])
                line(f"{who} / img2dataset throughput, resize 512", value, c.verdict(value, 2.0, at_least=True))
    if "tar -cf (reference)" in runs:
        value = rate_of(runs["tar -cf (reference)"]) / rate_of(runs["pdpack passthrough"])
        line("pdpack passthrough time / tar time (reference)", value)


PROFILE_STAGES = {
    ("media.py", "inspect_image"),
    ("digest.py", "file_sha256_and_size"),
    ("media.py", "_decode"),
    ("__init__.py", "phash"),
    ("ImageFile.py", "load"),
    ("pipeline.py", "process_item"),
    ("verify.py", "verify"),
    ("shards.py", "write"),
    ("shards.py", "_finish_shard"),
    ("dedup.py", "check"),
    ("order.py", "sorted_entries"),
    ("report.py", "add"),
    ("sample.py", "members"),
}


def profile(images: c.ImageSet, top: int) -> None:
    """cProfile of a --workers 1 passthrough build (all work in one process), top functions by own time."""
    out = c.fresh(c.OUT / "runs" / "pdpack-profile")
    stats_file = c.OUT / "pdpack-passthrough.prof"
    cmd = [str(c.PYTHON), "-m", "cProfile", "-o", str(stats_file), str(c.PDPACK)]
    cmd += c.pdpack_cmd(images.collection, out, 1)[1:]
    subprocess.run(cmd, check=True, capture_output=True)
    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]
    print(f"\ncProfile of `pdpack build --workers 1` on {images.count} images: {total:.2f} s in total")
    print(f"  top {top} by own time (tottime), % of the run:")
    for (file, line, name), (_, calls, own, cumulative, _) in sorted(
        entries.items(), key=lambda kv: kv[1][2], reverse=True
    )[:top]:
        where = f"{Path(file).name}:{line}" if line else file
        share = 100 * own / total
        print(f"  {share:5.1f}%  own {own:6.2f} s  cum {cumulative:6.2f} s  {calls:8d} calls  {name}  ({where})")
    print(f"  selected stages by cumulative time, % of the run (stats file: {stats_file}):")
    for (file, line, name), (_, calls, _, cumulative, _) in sorted(
        entries.items(), key=lambda kv: kv[1][3], reverse=True
    ):
        if (Path(file).name, name) in PROFILE_STAGES:
            where = f"{Path(file).parent.name}/{Path(file).name}:{line}"
            share = 100 * cumulative / total
            print(f"  {share:5.1f}%  cum {cumulative:6.2f} s  {calls:8d} calls  {name}  ({where})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_photo_set_arguments(parser)
    parser.add_argument("--workers", type=int, default=2, help="processes for every tool (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="img2dataset thread_count per process (default 4)")
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality where images are re-encoded")
    parser.add_argument(
        "--i2d-shard-size", type=int, default=0, help="img2dataset number_sample_per_shard (default: images / workers)"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=0,
        help="also run everything on this many images, for steady-state rates and fixed costs "
        "(e.g. 200; default 0: skip)",
    )
    parser.add_argument("--skip-img2dataset", action="store_true")
    parser.add_argument(
        "--targets-only",
        action="store_true",
        help="of img2dataset's runs, only those the targets name (decode, keep bytes; resize 512): a shorter run",
    )
    parser.add_argument("--skip-full-decode", action="store_true", help="leave out the --full-decode run")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        metavar="DIR",
        help="also time passthrough and resize with the pdpack of this checkout (e.g. a git worktree of an "
        "earlier commit), interleaved with this tree's runs",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile a --workers 1 passthrough build")
    parser.add_argument("--profile-only", action="store_true", help="only the cProfile run")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args()
    c.WAIT_IDLE = args.wait_idle
    if not args.skip_img2dataset and not c.i2d_available():
        sys.exit(f"img2dataset is not installed at {c.I2D}; see bench/README.md, or pass --skip-img2dataset")

    print(f"build throughput: {c.machine_line()}")
    if not args.skip_img2dataset:
        print(f"  img2dataset venv: {c.i2d_versions()}")
    images = c.image_set(args.images, args.width, args.height, workers=args.workers)
    print(
        f"  set: {images.count} JPEGs {images.width}x{images.height}, {images.total_bytes() / 1e6:.1f} MB, "
        f"{args.workers} processes, img2dataset thread_count {args.threads}"
    )
    c.warm_cache(images)
    if args.profile_only:
        profile(images, args.top)
        return

    runs = rounds(images, args, with_tar=True)
    print(f"\nEnd to end, {images.count} images (load average now {c.load_average():.1f}):")
    c.print_table(list(runs.values()))
    ratio_lines(runs, lambda t: t.rate, "end to end, wall time")
    ratio_lines(runs, lambda t: t.images / t.cpu, "end to end, CPU time")

    if args.small and args.small < args.images:
        small = c.image_set(args.small, args.width, args.height, workers=args.workers)
        c.warm_cache(small)
        small_runs = rounds(small, args, with_tar=False)
        print(f"\nEnd to end, {small.count} images:")
        c.print_table(list(small_runs.values()))
        steady: dict[str, c.Timing] = {}
        print(f"\nSteady state, from the {small.count}- and {images.count}-image runs:")
        print(f"  {'run':<32}  {'images/s':>8}  {'fixed s':>7}  {'CPU ms/image':>12}  {'fixed CPU s':>11}")
        for label, timing in small_runs.items():
            big = runs[label]
            extra_images = big.images - timing.images
            wall = max(big.seconds - timing.seconds, 1e-9)
            cpu = max(big.cpu - timing.cpu, 1e-9)
            steady[label] = c.Timing(label, wall, extra_images, cpu)
            fixed = timing.seconds - timing.images * wall / extra_images
            fixed_cpu = timing.cpu - timing.images * cpu / extra_images
            print(
                f"  {label:<32}  {extra_images / wall:8.1f}  {fixed:7.2f}  {1000 * cpu / extra_images:12.2f}  "
                f"{fixed_cpu:11.2f}"
            )
        ratio_lines(steady, lambda t: t.rate, "steady state, wall time")
        ratio_lines(steady, lambda t: t.images / t.cpu, "steady state, CPU time")

    if args.profile:
        profile(images, args.top)


if __name__ == "__main__":
    main()
