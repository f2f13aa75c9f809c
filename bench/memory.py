"""Benchmark: peak memory of `pdpack build` against the number of items.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/memory.py                       # 1,000 and 50,000 items, 32x32 JPEGs
    .venv/bin/python bench/memory.py --large 10000 --workers 1

The images are tiny (32x32 JPEGs, generated once and cached by bench/common.py) so that the
50,000-item build takes minutes: the question is how memory grows with the item count, not
with image size. For each size it runs `pdpack build COLL --workers P --as-of 2026-11-30`
and samples /proc every 50 ms for:

  main      peak RSS (VmHWM) of the pdpack process itself (manifest, sort, dedup, shard writer)
  worker    the largest peak RSS among the pool's worker processes (decode, hash)
  other     the largest peak RSS among other descendants (multiprocessing's resource tracker)
  tree      the largest sum of current RSS over all of them at one sample
  rusage    getrusage(RUSAGE_CHILDREN).ru_maxrss after the build: the kernel's figure for the
            largest single process of the tree (a cross-check of max(main, worker))

and prints each with the ratio large/small (target <= 1.2). --shard-max-count N is passed on
to pdpack: the main process holds one index row per sample of the open shard, so its peak
follows min(items, shard max count).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c


def measure(images: c.ImageSet, workers: int, extra: list[str]) -> c.MemoryPeak:
    out = c.fresh(c.OUT / "runs" / "pdpack-memory")
    peak = c.measure_memory(c.pdpack_cmd(images.collection, out, workers, extra))
    shipped, items = c.pdpack_shipped(out)
    held = f", {items - shipped} held back" if shipped != items else ""
    print(
        f"  {images.count} items: {peak.seconds:.1f} s, {shipped} shipped{held}, "
        f"{peak.workers_seen} worker process(es) seen",
        flush=True,
    )
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="items in the small build (default 1000)")
    parser.add_argument("--large", type=int, default=50000, help="items in the large build (default 50000)")
    parser.add_argument("--side", type=int, default=32, help="image width and height in pixels (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="pdpack --workers (default 2)")
    parser.add_argument(
        "--shard-max-count", type=int, help="pass --shard-max-count to pdpack (default: pdpack's own, 10000)"
    )
    args = parser.parse_args()
    extra = ["--shard-max-count", str(args.shard_max_count)] if args.shard_max_count else []

    print(f"peak memory: {c.machine_line()}")
    sets = [c.image_set(n, args.side, args.side, workers=2) for n in (args.small, args.large)]
    for images in sets:
        c.warm_cache(images)
    flags = " ".join(["--workers", str(args.workers), *extra])
    print(f"  builds with {flags}, {args.side}x{args.side} JPEGs")
    small, large = (measure(images, args.workers, extra) for images in sets)

    rows = [
        ("main process (VmHWM)", small.main_kib, large.main_kib),
        ("largest worker (VmHWM)", small.worker_kib, large.worker_kib),
        ("other children (VmHWM)", small.other_kib, large.other_kib),
        ("whole tree (sum of RSS)", small.tree_kib, large.tree_kib),
        ("rusage children maxrss", small.rusage_children_kib, large.rusage_children_kib),
    ]
    print(f"\n  {'peak RSS, MiB':<26} {args.small:>10} {args.large:>10}   ratio")
    for label, a, b in rows:
        ratio = b / a if a else float("nan")
        mark = c.verdict(ratio, 1.2, at_least=False) if "other" not in label else ""
        print(f"  {label:<26} {a / 1024:10.1f} {b / 1024:10.1f}   {ratio:5.2f}  {mark}")
    print(f"\n  time: {small.seconds:.1f} s and {large.seconds:.1f} s ({args.large / large.seconds:.0f} items/s)")


if __name__ == "__main__":
    main()
