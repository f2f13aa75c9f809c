"""Benchmark: an incremental release, as the monthly workflow makes one.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/incremental.py                 # 2 + 1,000 + 500 items, at most 100 per shard
    .venv/bin/python bench/incremental.py --side 320      # smaller pictures: the fixed cost weighs more
    .venv/bin/python bench/incremental.py --repeat 3      # on a busy machine: the best of three of each release

Three registered collections (2, 1,000 and 500 items; distinct 1024x768 JPEGs with per-pixel noise, CC0) are released
with `pdpack release --shard-max-count 100 --workers 2` as of 2026-11-30. Then one item is
added to the first, one title changed in the second and one item removed from the third, and
the next month's release is made beside it (as of 2026-12-31; the first is found as the
previous release, and every partition whose inputs are unchanged is taken from it).

Printed: the shard files (tar) of the second release that are not byte-identical to a file of
the same name in the first (what `push` uploads), the first release's shard files that are gone
(what `push` deletes), the tars that differ in all (target <= 4), and the second release's time
as a ratio of the first's (target <= 0.25). A third, cold release of the edited manifests
(no previous) checks that reuse changed no byte: every shard, index and report must be equal; the
second release's time is also given as a ratio of its time (a first release's work, timed once
more: a check on a best first release that other work slowed).

The pictures are flushed to disk (sync) before each timed release, so that no release pays for
writing back what this script has just written. Each release is timed by common.run_timed: CPU
seconds of every process it started (its pool's workers included), and the cores other work used
meanwhile; --wait-idle waits for a quiet machine before each release, as the other benchmarks do.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import shutil
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out" / "incremental"
PDPACK = REPO / ".venv" / "bin" / "pdpack"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
SIZES = {"alpha-prints": 2, "beta-photos": 1000, "gamma-maps": 500}


def picture(seed: int, side: int) -> Image.Image:
    """Distinct pictures (coarse random colours, upscaled, plus noise): no two within near-duplicate distance."""
    rng = random.Random(seed)
    small = Image.new("RGB", (8, 6))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(48)])
    smooth = small.resize((side, side * 3 // 4), Image.Resampling.BICUBIC)
    # Per-pixel noise, as photographs have: about 200 KB at 1024x768, and as costly to check as a real file.
    noise = Image.effect_noise(smooth.size, 40).convert("RGB")
    return Image.blend(smooth, noise, 0.25)


def write_collection(root: Path, cid: str, count: int, side: int, seed: int) -> None:
    folder = root / cid
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "collection.yaml").write_text(
        f"id: {cid}\ntitle: {cid}\ninstitution:\n  name: Bench Museum\n  url: https://museum.example.org\n"
        f"rights: {CC0}\n",
        encoding="utf-8",
    )
    with (folder / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "file", "title"])
        for n in range(count):
            name = f"files/{n:05d}.jpg"
            if not (folder / name).exists():
                picture(seed * 100_000 + n, side).save(folder / name, quality=90)
            writer.writerow([f"{cid}-{n:05d}", name, f"Plate {n} of {cid}"])


def edit(root: Path, side: int) -> None:
    """One item added to the first collection, one title changed in the second, one item removed from the third."""
    first = root / "alpha-prints"
    picture(999_999, side).save(first / "files" / "added.jpg", quality=90)
    with (first / "items.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["alpha-prints-added", "files/added.jpg", "A print added this month"])
    second = root / "beta-photos" / "items.csv"
    second.write_text(
        second.read_text(encoding="utf-8").replace("Plate 437 of beta-photos", "Plate 437 (retitled)"), encoding="utf-8"
    )
    third = root / "gamma-maps" / "items.csv"
    lines = third.read_text(encoding="utf-8").splitlines(keepends=True)
    third.write_text("".join(line for line in lines if not line.startswith("gamma-maps-00250,")), encoding="utf-8")


def snapshot(root: Path) -> dict[Path, str]:
    """Each collection's items.csv as first written, to release the unedited manifests again."""
    return {path: path.read_text(encoding="utf-8") for path in sorted(root.glob("*/items.csv"))}


def restore(root: Path, saved: dict[Path, str]) -> None:
    for path, text in saved.items():
        path.write_text(text, encoding="utf-8")
    (root / "alpha-prints" / "files" / "added.jpg").unlink(missing_ok=True)


def release(manifests: Path, out: Path, as_of: str, workers: int, *extra: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of the release and every process it started, cores other work used meanwhile)."""
    command = [
        str(PDPACK), "release", "--manifests", str(manifests), "--out", str(out), "--as-of", as_of,
        "--source-url", "https://git.example/pdpack", "--shard-max-count", "100", "--workers", str(workers), *extra,
    ]  # fmt: skip
    try:
        seconds, cpu = c.run_timed(command)
    except RuntimeError as exc:
        sys.exit(f"release failed:\n{exc}")
    return seconds, cpu, c.LAST_OTHERS


def digests(folder: Path, pattern: str) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((folder / "data").rglob(pattern))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=1024, help="picture width in pixels (default 1024, as 1024x768)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="time the first and second release this many times (the best counts)"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each release, wait up to this long for other processes to leave the CPUs idle (default 0)",
    )
    args = parser.parse_args()
    c.WAIT_IDLE = args.wait_idle

    c.compile_pdpack()  # as a wheel install has it; else every process compiles pdpack from source
    shutil.rmtree(OUT, ignore_errors=True)
    manifests, releases = OUT / "manifests", OUT / "releases"
    for seed, (cid, count) in enumerate(SIZES.items()):
        write_collection(manifests, cid, count, args.side, seed)
    original = snapshot(manifests)
    firsts: list[tuple[float, float, float]] = []
    seconds: list[tuple[float, float, float]] = []
    for run in range(args.repeat):
        if run:
            restore(manifests, original)
            shutil.rmtree(releases)
        os.sync()  # the pictures this script just wrote are not flushed to disk during a timed release
        firsts.append(release(manifests, releases / "2026.11", "2026-11-30", args.workers))
        edit(manifests, args.side)
        os.sync()
        seconds.append(release(manifests, releases / "2026.12", "2026-12-31", args.workers))
    (first_time, first_cpu, first_others), (second_time, second_cpu, second_others) = min(firsts), min(seconds)
    cold_time, cold_cpu, cold_others = release(
        manifests, OUT / "cold" / "2026.12", "2026-12-31", args.workers, "--no-previous"
    )
    empty = OUT / "empty-manifests"
    write_collection(empty, "alpha-prints", 1, args.side, 0)
    fixed_time, fixed_cpu, fixed_others = release(
        empty, OUT / "fixed" / "2026.12", "2026-12-31", args.workers, "--no-previous"
    )

    before, after = digests(releases / "2026.11", "*.tar"), digests(releases / "2026.12", "*.tar")
    uploaded = sorted(name for name, sha in after.items() if before.get(name) != sha)
    deleted = sorted(set(before) - set(after))
    print(f"incremental release: {sum(SIZES.values())} items in {len(SIZES)} collections, {args.side}px JPEGs")
    items = sum(SIZES.values())
    print("  (CPU s: the release's processes, its workers included; others: cores other work used meanwhile)")
    best = " (best of " + ", ".join(f"{t:.2f}" for t, _, _ in firsts) + ")" if args.repeat > 1 else ""
    print(
        f"  first release   {first_time:7.2f} s ({first_cpu:6.2f} CPU s, others {first_others:.1f}), "
        f"{len(before)} shard files{best}"
    )
    best = " (best of " + ", ".join(f"{t:.2f}" for t, _, _ in seconds) + ")" if args.repeat > 1 else ""
    print(
        f"  second release  {second_time:7.2f} s ({second_cpu:6.2f} CPU s, others {second_others:.1f}), "
        f"{len(after)} shard files{best}"
    )
    if args.repeat > 1:
        ratios = ", ".join(f"{s / f:.3f}" for (f, _, _), (s, _, _) in zip(firsts, seconds, strict=True))
        print(f"  second / first of each run: {ratios}")
    print(
        f"  cold release of the edited manifests (no previous): {cold_time:.2f} s "
        f"({cold_cpu:.2f} CPU s, others {cold_others:.1f})"
    )
    print(f"  fixed cost (a one-item release): {fixed_time:.2f} s ({fixed_cpu:.2f} CPU s, others {fixed_others:.1f})")
    # Wall time with --workers processes, less the fixed cost of a release (start-up, card, report): the
    # per-image figures bench/README.md projects a PD12M-size release from.
    per_image = (cold_time - fixed_time) / items
    per_reused = (second_time - fixed_time) / items
    print(
        f"  wall per image built: {per_image * 1000:.2f} ms; per item reused (3 partitions built): "
        f"{per_reused * 1000:.2f} ms  (with {args.workers} workers, fixed cost taken off)"
    )
    print(f"  shard files new or changed (uploaded): {len(uploaded)}  {uploaded}")
    print(f"  shard files gone (deleted by push):    {len(deleted)}  {deleted}")
    differ = len(uploaded) + len(deleted)
    print(f"  shard files that differ: {differ}   target <= 4: {'met' if differ <= 4 else 'NOT met'}")
    ratio = second_time / first_time
    print(f"  second / first time: {ratio:.3f}   target <= 0.25: {'met' if ratio <= 0.25 else 'NOT met'}")
    # The cold release is a first release's work on the edited manifests: a check on a first release that
    # shared the machine (others above 0), which makes the ratio above look better than pdpack is.
    print(f"  second / cold release (a first release's work): {second_time / cold_time:.3f}")

    cold = OUT / "cold" / "2026.12"
    same = digests(cold, "*.*") == digests(releases / "2026.12", "*.*") and all(
        (cold / name).read_bytes() == (releases / "2026.12" / name).read_bytes()
        for name in ("report.json", "rejected.jsonl", "ATTRIBUTION.md")
    )
    print(f"  reused release byte-identical to a cold build of the same manifests: {same}")


if __name__ == "__main__":
    main()
