"""Benchmark: how many bytes a build's own state takes per item, and what its checkpoint writes over a build.

Run on demand (never by pytest), from the repository root:

    .venv/bin/python bench/state_size.py                 # 1,000 items, 32x32 JPEGs
    .venv/bin/python bench/state_size.py --items 5000

It builds the set (``pdpack build --workers 2 --shard-max-count 1000``), then reports, per item:

  records     the partition records (.pdpack/partitions/, published with every release) as written
  as JSON     the same records as they were kept before (indented JSON, one .json per partition)

and what the resume state writes over a build of P partitions: the checkpoint as it is now (its
checkpoint.json once, its progress.json after every partition) against the checkpoint that listed
every completed shard and was rewritten after every partition (its bytes measured on this build's
shard list, summed over P saves), projected to PD12M's 12,400 partitions.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c

from packager.builder.checkpoint import CHECKPOINT, PROGRESS, state_dir
from packager.builder.records import PartitionRecord
from packager.builder.reuse import PUBLISHED_RECORDS, record_files
from packager.jsonutil import dumps_pretty

PD12M_PARTITIONS = 12_400


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    images = c.image_set(args.items, 32, 32)
    out = c.fresh(c.OUT / "runs" / "pdpack-state-size")
    subprocess.run(c.pdpack_cmd(images.collection, out, 2, ["--shard-max-count", "1000"]), check=True)
    shipped, items = c.pdpack_shipped(out)
    files = record_files(out / PUBLISHED_RECORDS)
    records = [PartitionRecord.from_bytes(path.read_bytes()) for _, _, path in files]
    now = sum(path.stat().st_size for _, _, path in files)
    before = sum(len(dumps_pretty(record.to_json()).encode()) for record in records)
    print(f"{items:,} items ({shipped:,} shipped) in {len(records)} partition(s)")
    print(f"records now       {now:>10,} bytes  {now / items:7.1f} bytes per item")
    print(f"records as JSON   {before:>10,} bytes  {before / items:7.1f} bytes per item  ({before / now:.1f}x)")

    state = state_dir(out)
    header = (state / CHECKPOINT).stat().st_size
    progress = (state / PROGRESS).stat().st_size
    shards = [shard.to_json() for record in records for shard in record.shards]
    inputs = json.loads((state / CHECKPOINT).read_text(encoding="utf-8"))["inputs"]
    # The old checkpoint after the last partition; each save held every shard so far, one or more per partition.
    last = len(dumps_pretty({"consumed": items, "shards": shards, "inputs": inputs, "fingerprint": "0" * 64}))
    per_shard = (last - header) / max(1, len(shards))
    partitions = PD12M_PARTITIONS
    old_total = partitions * header + per_shard * partitions * (partitions + 1) / 2
    new_total = header + partitions * progress
    print(f"checkpoint.json {header:,} bytes once; progress.json {progress:,} bytes per partition")
    print(f"old checkpoint: {per_shard:.0f} bytes per listed shard, rewritten after every partition")
    print(
        f"over {partitions:,} partitions: now {new_total / 1e6:.2f} MB written, "
        f"before {old_total / 1e9:.1f} GB (one shard per partition)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
