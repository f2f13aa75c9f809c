"""Benchmark: fetching the previous release from the Hub (``python -m packager.publish.previous``) at scale.

Run on demand (never by pytest), from the repository root:

    flock /work/bench.lock .venv/bin/python bench/previous_fetch.py                  # N = 100, 1,000
    flock /work/bench.lock .venv/bin/python bench/previous_fetch.py --partitions 100 1000 3000

A release of PD12M's size (12.4 million items) has about 12,400 partitions: each publishes a partition
record and (one shard per partition) a parquet index, and the monthly release workflow fetches all of them
from the Hub on a fresh runner. This script measures that fetch against the Hub test server
(tests/hub_server.py, the real huggingface_hub client, ``HF_HUB_DISABLE_XET=1`` as in the tests):

1. it releases a real collection once (1,000 32x32 JPEGs, ``--shard-max-count 1000``), and takes its
   largest partition (record, index and tar) as the model of a partition of realistic size;
2. for each N it makes a release folder of N such partitions, each with its own name: the records are
   written by pdpack's own record writer (so each is distinct, about 103 bytes per item compressed),
   the indexes and tars are hard links to the model's (the fetch never reads them, it lists them);
3. it fills two repos on the server with what a push of that folder publishes, tagged 2026.11:
   the records and indexes as pdpack published them until now (``per-partition``: one file each under
   ``.pdpack/partitions/`` and ``data/``) and as ``push_plan.local_files`` publishes them now (``packs``);
4. it times ``fetch_previous`` of each, counting the requests by endpoint and the bytes the server sent,
   and checks that the fetched folder holds every record (as the build reads them, ``record_files``).

The projection to PD12M (12,400 partitions if full, about 18,500 as the cuts make them) is linear in N
(the two largest N measured), and sets the requests it needs against the Hub's published rate limits
(``/resolve/`` and API requests per 5-minute window).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

# The client reads some settings once, at import: set them before anything imports huggingface_hub.
_HF_HOME = tempfile.mkdtemp(prefix="pdpack-bench-hf-")
TOKEN = "hf_PdpackBenchPreviousFetch0123456789abcd"
os.environ.update(
    HF_HOME=_HF_HOME,
    HF_TOKEN=TOKEN,
    HF_HUB_DISABLE_XET="1",
    HF_HUB_DISABLE_TELEMETRY="1",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
    NO_PROXY="127.0.0.1,localhost",
)

import common as c  # noqa: E402

from packager.builder.records import PartitionRecord  # noqa: E402
from packager.builder.reuse import PUBLISHED_RECORDS, record_files, record_name  # noqa: E402
from packager.publish.push_plan import local_files  # noqa: E402
from packager.sample import shard_stem  # noqa: E402
from tests.hub_server import HubServer, serve  # noqa: E402

# PD12M's 12.4 million items in full partitions of 1,000, and as the cuts make them (about 670 items on average).
PD12M_PARTITIONS = (12_400, 18_500)
VERSION = "2026.11"
# The Hub's rate limits per 5-minute window, by plan: (API, resolvers). https://huggingface.co/docs/hub/rate-limits
# ("current rate limits (in September '25)"); for an organization they apply to each member.
RATE_LIMITS = {
    "free user": (1_000, 5_000),
    "PRO user": (2_500, 12_000),
    "Team organization": (3_000, 20_000),
    "Enterprise organization": (6_000, 50_000),
}
WINDOW_S = 300


@dataclasses.dataclass
class Fetch:
    layout: str
    partitions: int
    files: int  # files the repo holds
    seconds: float
    requests: Counter[str]  # "METHOD endpoint" -> count
    bytes_sent: int
    records: int  # partition records in the fetched folder

    @property
    def resolver(self) -> int:
        return sum(n for k, n in self.requests.items() if k.endswith(" resolve"))

    @property
    def api(self) -> int:
        return sum(n for k, n in self.requests.items() if not k.endswith(" resolve"))


def model_release(workers: int) -> Path:
    """A real release of 1,000 items (cached under bench/out/): the model of one partition."""
    out = c.OUT / "runs" / "previous-fetch" / "model-release"
    if (out / "release.json").is_file():
        return out
    images = c.image_set(1000, 32, 32)
    manifests = c.fresh(c.OUT / "runs" / "previous-fetch" / "manifests")
    shutil.copytree(images.collection, manifests / c.COLLECTION_ID)
    # A release refuses the placeholder address pdpack init writes (and the bench set carries).
    yaml = manifests / c.COLLECTION_ID / "collection.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("example.org", "bench.pdpack.test"), encoding="utf-8")
    c.compile_pdpack()
    command = [str(c.PDPACK), "release", "--manifests", str(manifests), "--out", str(c.fresh(out)), "--as-of"]
    command += [c.AS_OF, "--version", VERSION, "--no-previous", "--shard-max-count", "1000", "--workers", str(workers)]
    command += ["--source-url", "https://git.example/pdpack"]
    subprocess.run(command, check=True, capture_output=True)
    return out


def synthetic_release(model: Path, partitions: int) -> Path:
    """A release folder of ``partitions`` partitions shaped like the model's largest one, each named anew."""
    files = record_files(model / PUBLISHED_RECORDS)
    records = [PartitionRecord.from_bytes(path.read_bytes()) for _, _, path in files]
    template = max(records, key=lambda r: len(r.outcomes))
    (shard,) = template.shards
    out = c.fresh(c.OUT / "runs" / "previous-fetch" / f"release-{partitions}")
    release = json.loads((model / "release.json").read_text(encoding="utf-8"))
    shards = []
    for number in range(partitions):
        name = f"{number:016x}"
        stem = shard_stem(template.collection, name, 0)
        info = dataclasses.replace(shard, name=f"{stem}.tar", index=f"{stem}.parquet")
        record = dataclasses.replace(template, name=name, shards=[info])
        path = out / record_name(record.collection, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(record.to_bytes())
        for suffix, source in ((".tar", shard.name), (".parquet", shard.index)):
            target = out / f"{stem}{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(model / source, target)
        shards.append(info.to_json())
    release["shards"] = shards
    (out / "release.json").write_text(json.dumps(release, indent=2), encoding="utf-8")
    for name in ("rejected.jsonl", "CHANGELOG.md", "README.md"):
        if (model / name).is_file():
            shutil.copy(model / name, out / name)
    return out


def reader() -> Callable[[Path], bytes]:
    """Read files, once per inode: the tars and indexes are hard links of one file, and N copies of them
    in memory (the server keeps every file it holds) would take gigabytes at a few thousand partitions."""
    seen: dict[tuple[int, int], bytes] = {}

    def read(path: Path) -> bytes:
        stat = path.stat()
        key = (stat.st_dev, stat.st_ino)
        if key not in seen:
            seen[key] = path.read_bytes()
        return seen[key]

    return read


def published_per_partition(folder: Path) -> dict[str, bytes]:
    """What a push published until now: every file, and each partition record as its own file."""
    read = reader()
    files = {f.path: read(f.source) for f in local_files(folder) if not f.path.startswith(PUBLISHED_RECORDS)}
    for _, _, path in record_files(folder / PUBLISHED_RECORDS):
        files[path.relative_to(folder).as_posix()] = read(path)
    return files


def published_now(folder: Path) -> dict[str, bytes]:
    """What a push publishes now (pdpack's own rule)."""
    read = reader()
    return {f.path: read(f.source) for f in local_files(folder)}


def fetch(server: HubServer, layout: str, partitions: int, files: dict[str, bytes]) -> Fetch:
    from packager.publish.previous import fetch_previous

    repo_id = f"bench/{layout}-{partitions}"
    server.seed(repo_id, files, tag=VERSION)
    out = c.fresh(c.OUT / "runs" / "previous-fetch" / f"fetched-{layout}-{partitions}")
    server.reset_counters()
    started = time.perf_counter()
    tag = fetch_previous(repo_id, out, before="2026.12", token=TOKEN)
    seconds = time.perf_counter() - started
    assert tag == VERSION, tag
    requests = Counter(f"{method} {endpoint}" for method, endpoint, _ in server.log)
    fetched = len(record_files(out / PUBLISHED_RECORDS))
    with server.lock:
        del server.repos[repo_id]  # measured: its files need not stay in memory
    if fetched != partitions:
        raise RuntimeError(f"{layout}: the fetched folder holds {fetched} records, not {partitions}")
    return Fetch(layout, partitions, len(files), seconds, requests, sum(server.bytes_sent.values()), fetched)


def projection(runs: list[Fetch], target: int) -> dict[str, float]:
    """Requests, seconds and bytes at ``target`` partitions, linear through the two largest runs."""
    small, large = sorted(runs, key=lambda r: r.partitions)[-2:]

    def line(value: str) -> float:
        a, b = getattr(small, value), getattr(large, value)
        slope = (b - a) / (large.partitions - small.partitions)
        return b + slope * (target - large.partitions)

    return {v: line(v) for v in ("resolver", "api", "seconds", "bytes_sent", "files")}


def windows(requests: float, limit: int) -> str:
    """The 5-minute windows a burst of ``requests`` spans at ``limit`` per window, and the least time it takes."""
    count = math.ceil(requests / limit)
    wait = (count - 1) * WINDOW_S / 60
    return f"{count} window(s), at least {wait:.0f} min" if count > 1 else "1 window"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partitions", type=int, nargs="+", default=[100, 1000], metavar="N")
    parser.add_argument("--workers", type=int, default=2, help="workers of the model release (default 2)")
    args = parser.parse_args()
    if len(args.partitions) < 2:
        parser.error("give at least two values of --partitions, for the projection")
    print(c.machine_line(), flush=True)
    model = model_release(args.workers)
    results: dict[str, list[Fetch]] = {"per-partition": [], "packs": []}
    with serve({TOKEN}) as server:
        os.environ["HF_ENDPOINT"] = server.base  # read by pdpack's make_api on each call
        for partitions in sorted(args.partitions):
            folder = synthetic_release(model, partitions)
            for layout, files in (("per-partition", published_per_partition), ("packs", published_now)):
                run = fetch(server, layout, partitions, files(folder))
                results[layout].append(run)
                print(
                    f"{layout:>13}  N={partitions:>6,}  repo files {run.files:>7,}  {run.seconds:7.2f} s  "
                    f"resolver {run.resolver:>6,}  API {run.api:>4,}  sent {run.bytes_sent / 1e6:8.1f} MB  "
                    f"({', '.join(f'{k} {n}' for k, n in sorted(run.requests.items()))})",
                    flush=True,
                )
    for target in PD12M_PARTITIONS:
        print(f"\nProjected to {target:,} partitions (linear through the two largest N):")
        for layout, runs in results.items():
            p = projection(runs, target)
            print(
                f"  {layout}: repo files {p['files']:,.0f}; {p['resolver']:,.0f} resolver and {p['api']:,.0f} API "
                f"requests, {p['bytes_sent'] / 1e9:.2f} GB, {p['seconds']:.0f} s against the local server"
            )
            for plan, (api_limit, resolver_limit) in RATE_LIMITS.items():
                print(
                    f"    {plan:<24} resolvers {resolver_limit:>6,}/5 min: {windows(p['resolver'], resolver_limit)}; "
                    f"API {api_limit:,}/5 min: {windows(p['api'], api_limit)}"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process (server and client): {peak:,.0f} MB")
    shutil.rmtree(_HF_HOME, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
