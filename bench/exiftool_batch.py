"""Benchmark: one long-lived exiftool vs one exiftool process per file.

Run on demand (not part of pytest):

    .venv/bin/python bench/exiftool_batch.py --files 300

It writes N small JPEGs carrying XMP/IPTC/EXIF rights tags into a temporary
folder, then reads every file's rights tags three ways, in the same run:

  (a) EmbeddedReader: one `exiftool -stay_open` process, one read() per file;
  (b) EmbeddedReader.read_many in chunks of --chunk (default 50) files;
  (c) a new `exiftool -j -G1 -n -- FILE` process per file (subprocess), on the
      first --per-process files only (default 40): at ~0.25 s a process, all 300
      would take over a minute on 2 cores. Its rate is still files/second.

and prints files/second for each and the ratios to (c). All three must return
the same tags (compared on the files (c) read). About 20 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from packager.rights.embedded import _READ_ARGS, EmbeddedReader, _select


def make_files(folder: Path, n: int) -> list[Path]:
    template = folder / "template.jpg"
    Image.new("RGB", (64, 48), (90, 60, 30)).save(template, quality=85)
    subprocess.run(
        [
            "exiftool",
            "-q",
            "-overwrite_original",
            "-XMP-dc:Rights=© 2014 Museum",
            "-XMP-xmpRights:WebStatement=http://creativecommons.org/publicdomain/zero/1.0/",
            "-XMP-xmpRights:Marked=False",
            "-IPTC:CopyrightNotice=© Tate",
            "-EXIF:Copyright=(c) 1998 John Smith",
            "-XMP-iptcExt:ArtworkCreator=Rembrandt van Rijn",
            "-XMP-iptcExt:ArtworkDateCreated=1642",
            "--",
            str(template),
        ],
        check=True,
    )
    data = template.read_bytes()
    paths = []
    for i in range(n):
        path = folder / f"img-{i:05d}.jpg"
        path.write_bytes(data)
        paths.append(path)
    return paths


def timed(label: str, func, n: int) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(f"  {label:<52} {elapsed:7.2f} s  {rate:8.1f} files/s")
    return rate, result


def per_process(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        done = subprocess.run(["exiftool", *_READ_ARGS, "--", str(path)], capture_output=True, text=True, check=True)
        out.append(_select(json.loads(done.stdout)[0]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300, help="number of JPEGs (default 300)")
    parser.add_argument("--chunk", type=int, default=50, help="files per read_many call (default 50)")
    parser.add_argument("--per-process", type=int, default=40, help="files read by (c), one process each (default 40)")
    args = parser.parse_args()
    n = args.files

    with tempfile.TemporaryDirectory(prefix="exiftool-bench-") as tmp:
        paths = make_files(Path(tmp), n)
        version = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True, check=True).stdout.strip()
        print(f"exiftool {version}, {n} JPEGs of {paths[0].stat().st_size} bytes, chunk {args.chunk}")

        with EmbeddedReader() as reader:
            reader.read(paths[0])  # startup is not part of the per-file rate
            pid = reader.pid
            rate_a, tags_a = timed(
                "(a) one stay_open process, read() per file", lambda: [reader.read(p) for p in paths], n
            )

            def chunks() -> list[dict]:
                out: list[dict] = []
                for i in range(0, n, args.chunk):
                    out += reader.read_many(paths[i : i + args.chunk])
                return out

            rate_b, tags_b = timed(f"(b) one stay_open process, read_many x{args.chunk}", chunks, n)
            assert reader.pid == pid, "the reader restarted exiftool"

        start = time.perf_counter()
        with EmbeddedReader() as reader:
            reader.read(paths[0])
        startup = time.perf_counter() - start

        sample = paths[: max(1, min(n, args.per_process))]
        label = f"(c) new `exiftool ... -- FILE` per file ({len(sample)} files)"
        rate_c, tags_c = timed(label, lambda: per_process(sample), len(sample))

    assert tags_a == tags_b, "read() and read_many() returned different tags"
    assert tags_a[: len(tags_c)] == tags_c, "the stay_open reader and per-process exiftool disagree"
    assert tags_a[0]["XMP-dc:Rights"] == "© 2014 Museum"
    print(f"  stay_open startup + first read: {startup * 1000:.0f} ms")
    print(f"  ratio (a)/(c) per-file read vs process per file:  {rate_a / rate_c:6.1f}x")
    print(f"  ratio (b)/(c) read_many vs process per file:       {rate_b / rate_c:6.1f}x")
    print(f"  ratio (b)/(a) read_many vs per-file read:          {rate_b / rate_a:6.1f}x")


if __name__ == "__main__":
    main()
