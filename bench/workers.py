"""Benchmark: speed-up of a passthrough `pdpack build` from 1 to 2 (or more) workers.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/workers.py                        # 2,000 JPEGs, --workers 1 and 2
    .venv/bin/python bench/workers.py --images 500 --workers 1 2 4 --repeat 2

Uses the same generated set as build_throughput.py (bench/common.py). Each build is timed
end to end; rounds are interleaved and the best of each is kept. With --small N (default 200;
0 to skip) the builds are also run on the first N images, so the steady-state speed-up (the
fixed start-up cost taken out) is printed beside the end-to-end one. Prints wall seconds,
images/s, CPU seconds, speed-up against the first worker count and parallel efficiency
(speed-up / worker-count ratio).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c


def timings(images: c.ImageSet, counts: list[int], repeat: int) -> dict[int, c.Timing]:
    collected: dict[int, list[c.Timing]] = {n: [] for n in counts}
    for number in range(repeat):
        print(f"  round {number + 1}/{repeat} on {images.count} images (load average {c.load_average():.1f})")
        for n in counts:
            collected[n].append(c.time_pdpack(f"pdpack passthrough, --workers {n}", images, n))
    return {n: c.best(ts) for n, ts in collected.items()}


def speedups(runs: dict[int, c.Timing], counts: list[int]) -> None:
    base = runs[counts[0]]
    for n in counts[1:]:
        speedup = base.seconds / runs[n].seconds
        efficiency = speedup / (n / counts[0])
        print(f"  --workers {counts[0]} -> {n}: speed-up {speedup:4.2f}x, efficiency {efficiency:4.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_photo_set_arguments(parser)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--small", type=int, default=200, help="also run on this many images (0: skip)")
    args = parser.parse_args()
    c.WAIT_IDLE = args.wait_idle
    counts = sorted(set(args.workers))

    print(f"workers speed-up: {c.machine_line()}")
    images = c.image_set(args.images, args.width, args.height)
    c.warm_cache(images)
    runs = timings(images, counts, args.repeat)
    print(f"\nEnd to end, {images.count} images:")
    c.print_table(list(runs.values()))
    speedups(runs, counts)

    if args.small and args.small < args.images:
        small = c.image_set(args.small, args.width, args.height)
        c.warm_cache(small)
        small_runs = timings(small, counts, args.repeat)
        print(f"\nEnd to end, {small.count} images:")
        c.print_table(list(small_runs.values()))
        steady = {}
        for n in counts:
            big, little = runs[n], small_runs[n]
            extra = big.images - little.images
            steady[n] = c.Timing(big.label, big.seconds - little.seconds, extra, big.cpu - little.cpu)
        print(f"\nSteady state (the {images.count}-image runs less the {small.count}-image runs):")
        c.print_table(list(steady.values()))
        speedups(steady, counts)


if __name__ == "__main__":
    main()
