"""Benchmark: `pdpack build` of URL items against img2dataset, from a server that answers after 100 ms.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/url_fetch.py                     # 1,000 JPEGs, 2 processes, 100 ms per request
    .venv/bin/python bench/url_fetch.py --repeat 2 --stall  # best of 2; and a stalled URL among them

img2dataset must be installed in its own venv first (see bench/README.md).

The images are the photo-like JPEGs of bench/common.py (1024x768, ~250 KB each). A server on threads
of this process (`common.start_delayed_server`; its CPU is counted for neither tool) serves them over
HTTP/1.1 with keep-alive on 127.0.0.1, answering every request after --delay seconds, as a distant
museum server does. Both tools get the same URLs and
the same number of processes, and every run is timed end to end (process start to exit):

  pdpack                   pdpack build COLL --workers P --fetch-threads T --max-per-host P*T --no-cache
                           --allow-private-urls (the server is on 127.0.0.1); P*T requests in flight at most,
                           as many as img2dataset has
  pdpack, polite default   the same with the default --max-per-host 4 (at most 4 requests to one host)
  img2dataset no decode    processes_count P, thread_count T, resize_mode=no, disable_all_reencoding=True:
                           downloads and stores the bytes, never decodes
  img2dataset decode, keep bytes
                           resize_mode=no, skip_reencode=True: decodes every image (cv2) and ships the
                           original bytes, the same work as pdpack's passthrough
  img2dataset defaults     no resize options: what `img2dataset --url_list ...` does as it comes
                           (image_size 256, resize_mode border: decode, resize, re-encode)

With --stall, pdpack runs once more with one more URL that the server answers only after 120 s:
the build must not take longer than the normal run plus the per-URL deadline (--fetch-deadline, 60 s).

It prints wall seconds, images/s and CPU seconds, then pdpack's images/s over img2dataset's, measured
in the same run (target: >= 1.5 against img2dataset with the same concurrency).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c

TARGET = 1.5
I2D_VARIANTS = {
    "img2dataset no decode": {"resize_mode": "no", "disable_all_reencoding": "True"},
    "img2dataset decode, keep bytes": {"resize_mode": "no", "skip_reencode": "True", "encode_format": "jpg"},
    "img2dataset defaults (resize 256)": {},
}


def write_inputs(images: c.ImageSet, base: str, stalled: bool) -> tuple[Path, Path]:
    """A pdpack collection whose items are URLs on the server, and img2dataset's list of the same URLs."""
    root = c.fresh(c.OUT / "runs" / ("url-collection-stall" if stalled else "url-collection"))
    collection = root / "collection"
    collection.mkdir(parents=True)
    (collection / "collection.yaml").write_text(
        f"id: {c.COLLECTION_ID}-urls\n"
        'title: "Benchmark photographs over HTTP (generated)"\n'
        'institution: {name: "pdpack benchmarks", url: "https://example.org/pdpack-bench"}\n'
        f"rights: {c.CC0}\n"
        "jurisdiction: US\n",
        encoding="utf-8",
    )
    urls = [(f"img-{i:06d}", f"{base}/files/{path.name}") for i, path in enumerate(images.files())]
    if stalled:
        urls.append(("img-stalled", f"{base}/stall/{images.files()[0].name}"))
    with (collection / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "url", "title"])
        for n, (item_id, url) in enumerate(urls):
            writer.writerow([item_id, url, f"Generated photograph number {n}"])
    i2d_csv = root / "img2dataset.csv"
    with i2d_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "caption"])
        for n, (_, url) in enumerate(urls):
            writer.writerow([url, f"Generated photograph number {n}"])
    return collection, i2d_csv


def time_pdpack(label: str, collection: Path, count: int, workers: int, extra: list[str]) -> c.Timing:
    out = c.fresh(c.OUT / "runs" / "pdpack-urls")
    command = c.pdpack_cmd(collection, out, workers, ["--no-cache", "--allow-private-urls", *extra])
    seconds, cpu = c.run_timed(command)
    shipped, items = c.pdpack_shipped(out)
    if items != count:
        raise RuntimeError(f"pdpack saw {items} items, expected {count}")
    note = ""
    if shipped != items:
        reasons: dict[str, int] = {}
        for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines():
            reason = json.loads(line)["reason"]
            reasons[reason] = reasons.get(reason, 0) + 1
        note = f"{items - shipped} held back: {reasons}"
    return c.Timing(label, seconds, shipped, cpu, note, c.LAST_OTHERS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_photo_set_arguments(parser)
    parser.set_defaults(images=1000)
    parser.add_argument("--workers", type=int, default=2, help="processes for every tool (default 2)")
    parser.add_argument("--threads", type=int, default=16, help="requests in flight per process (default 16)")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before the server answers (default 0.1)")
    parser.add_argument("--stall", action="store_true", help="also time a build with one URL stalled for 120 s")
    parser.add_argument("--skip-img2dataset", action="store_true")
    parser.add_argument("--skip-default-limit", action="store_true", help="skip the --max-per-host 4 run")
    args = parser.parse_args()
    c.WAIT_IDLE = args.wait_idle

    images = c.image_set(args.images, args.width, args.height)
    print(f"URL fetching: {c.machine_line()}")
    if not args.skip_img2dataset:
        if not c.i2d_available():
            sys.exit(f"img2dataset is not installed in {c.I2D_VENV}; see bench/README.md (or --skip-img2dataset)")
        print(f"  img2dataset venv: {c.i2d_versions()}")
    print(
        f"  set: {images.count} JPEGs {images.width}x{images.height}, {images.total_bytes() / 1e6:.1f} MB, "
        f"served after {args.delay * 1000:.0f} ms each; {args.workers} processes x {args.threads} requests in flight"
    )
    server = c.start_delayed_server(images.files_dir, args.delay, stall=120.0)
    try:
        collection, i2d_csv = write_inputs(images, server.base, stalled=False)
        concurrency = ["--fetch-threads", str(args.threads), "--max-per-host", str(args.workers * args.threads)]
        rounds: dict[str, list[c.Timing]] = {}
        for round_number in range(args.repeat):
            print(f"  round {round_number + 1}/{args.repeat} (load average {c.load_average():.1f})", flush=True)
            timing = time_pdpack("pdpack", collection, images.count, args.workers, concurrency)
            rounds.setdefault(timing.label, []).append(timing)
            if not args.skip_img2dataset:
                for label, options in I2D_VARIANTS.items():
                    options = {**options, "timeout": "30", "retries": "0"}
                    shard = max(1, -(-images.count // args.workers))
                    timing = c.time_img2dataset(
                        label, images, args.workers, args.threads, shard, options, url_list=i2d_csv
                    )
                    rounds.setdefault(label, []).append(timing)
        runs = {label: c.best(timings) for label, timings in rounds.items()}
        if not args.skip_default_limit:
            threads = ["--fetch-threads", str(args.threads)]
            runs["pdpack, polite default (--max-per-host 4)"] = time_pdpack(
                "pdpack, polite default (--max-per-host 4)", collection, images.count, args.workers, threads
            )
        if args.stall:
            stalled, _ = write_inputs(images, server.base, stalled=True)
            requests_before = server.requests
            label = "pdpack, one URL stalled 120 s"
            runs[label] = time_pdpack(label, stalled, images.count + 1, args.workers, concurrency)
            stall_requests = [
                f"{at - c.LAST_STARTED:.1f} s (after {before - requests_before} requests of that build)"
                for at, before in server.stall_requests
            ]
    finally:
        server.shutdown()

    print(f"\nEnd to end, {images.count} images at {args.delay * 1000:.0f} ms per request:")
    c.print_table(list(runs.values()))
    print("\nRatios (images/s, measured in this run):")
    pdpack = runs["pdpack"]
    for label in I2D_VARIANTS:
        if label in runs:
            ratio = pdpack.rate / runs[label].rate
            print(f"  pdpack / {label:<34} {ratio:5.2f}  {c.verdict(ratio, TARGET, at_least=True)}")
            cpu = runs[label].cpu / pdpack.cpu if pdpack.cpu else float("nan")
            print(f"  (CPU seconds, {label} / pdpack: {cpu:.2f})")
    if args.stall:
        delay = runs["pdpack, one URL stalled 120 s"].seconds - pdpack.seconds
        print(
            f"  a URL stalled for 120 s delayed the build by {delay:.1f} s (deadline 60 s): "
            f"{'meets' if delay <= 60 else 'MISSES'} target <= 60 s"
        )
        print(
            f"  (the stalled URL was requested {' and '.join(stall_requests)} after that build started, the second "
            f"a retry after the first attempt's 30 s without data; the normal build took {pdpack.seconds:.1f} s)"
        )


if __name__ == "__main__":
    main()
