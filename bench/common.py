"""Shared pieces of the on-demand benchmarks in bench/ (never collected by pytest).

* a deterministic set of photo-like JPEGs, generated once and cached under bench/out/sets/:
  a pdpack collection folder (collection.yaml with CC0 rights, items.csv with id,file,title)
  and an img2dataset input (img2dataset.csv with url=file:///abs/path and caption);
* wall-clock timing of whole commands, from process start to process exit;
* running ``pdpack build``, img2dataset (from its own venv, bench/.venv-img2dataset), the
  Pillow decode floor and a plain ``tar``, each checked for having handled every image;
* peak memory of a process tree (main process and children sampled separately).

Also runnable, for the decode floor (spawned as its own process so that it is timed
like the tools, interpreter start included):

    .venv/bin/python bench/common.py decode-floor FOLDER --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import datetime as dt
import glob
import json
import multiprocessing
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
PYTHON = REPO / ".venv" / "bin" / "python"
PDPACK = REPO / ".venv" / "bin" / "pdpack"
I2D_VENV = BENCH / ".venv-img2dataset"
I2D = I2D_VENV / "bin" / "img2dataset"
AS_OF = "2026-11-30"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
COLLECTION_ID = "bench-photos"

# ---------------------------------------------------------------------------------------------
# The image set


@dataclass(frozen=True)
class ImageSet:
    root: Path  # bench/out/sets/<name>/
    count: int
    width: int
    height: int

    @property
    def collection(self) -> Path:
        return self.root / "collection"

    @property
    def files_dir(self) -> Path:
        return self.collection / "files"

    @property
    def i2d_csv(self) -> Path:
        return self.root / "img2dataset.csv"

    def files(self) -> list[Path]:
        return [self.files_dir / _name(i) for i in range(self.count)]

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files())


def _name(i: int) -> str:
    return f"{i:06d}.jpg"


_NOISE: dict[tuple[int, int], object] = {}
_NOISE_MARGIN = 64


def _noise(width: int, height: int):  # type: ignore[no-untyped-def]
    """A per-process tile of Gaussian noise (sigma 10) a little larger than the image; each image
    takes it at its own random offset, which is far cheaper than drawing new noise per image."""
    import numpy as np

    if (width, height) not in _NOISE:
        rng = np.random.default_rng([width, height])
        shape = (height + _NOISE_MARGIN, width + _NOISE_MARGIN, 3)
        _NOISE[width, height] = np.rint(rng.standard_normal(shape, dtype=np.float32) * 10).astype(np.int16)
    return _NOISE[width, height]


def _make_one(args: tuple[Path, int, int, int, int, int]) -> None:
    """One photo-like JPEG: a smooth random field (distinct low frequencies, so a distinct pHash)
    plus per-pixel noise (so it compresses like a photograph, not like a flat test card)."""
    import numpy as np
    from PIL import Image

    path, index, width, height, quality, seed = args
    rng = np.random.default_rng([seed, index])
    grid = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)  # coarse random colours
    base = np.asarray(Image.fromarray(grid, "RGB").resize((width, height), Image.Resampling.BICUBIC), np.int16)
    # A random linear gradient on top, so neighbouring images differ in their overall shading too.
    angle, strength = rng.uniform(0, 2 * np.pi), rng.uniform(-40, 40)
    ramp_x = (np.cos(angle) * strength * np.arange(width) / width).astype(np.int16)
    ramp_y = (np.sin(angle) * strength * np.arange(height) / height).astype(np.int16)
    dy, dx = rng.integers(0, _NOISE_MARGIN, size=2)
    noise = _noise(width, height)[dy : dy + height, dx : dx + width]
    pixels = base + ramp_x[None, :, None] + ramp_y[:, None, None] + noise
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=quality)


def image_set(
    count: int, width: int = 1024, height: int = 768, quality: int = 90, seed: int = 20261130, workers: int = 2
) -> ImageSet:
    """The set of ``count`` JPEGs of ``width`` x ``height``; generated on first use, then reused."""
    name = f"{count}-{width}x{height}-q{quality}-s{seed}"
    images = ImageSet(OUT / "sets" / name, count, width, height)
    marker = images.root / "complete.json"
    if marker.is_file():
        return images
    shutil.rmtree(images.root, ignore_errors=True)
    images.files_dir.mkdir(parents=True)
    started = time.perf_counter()
    jobs = [(images.files_dir / _name(i), i, width, height, quality, seed) for i in range(count)]
    with multiprocessing.Pool(workers) as pool:
        for _ in pool.imap_unordered(_make_one, jobs, chunksize=max(1, count // (workers * 16))):
            pass
    (images.collection / "collection.yaml").write_text(
        f"id: {COLLECTION_ID}\n"
        'title: "Benchmark photographs (generated)"\n'
        'institution: {name: "pdpack benchmarks", url: "https://example.org/pdpack-bench"}\n'
        f"rights: {CC0}\n"
        "jurisdiction: US\n",
        encoding="utf-8",
    )
    with (images.collection / "items.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "file", "title"])
        for i in range(count):
            writer.writerow([f"img-{i:06d}", f"files/{_name(i)}", f"Generated photograph number {i}"])
    with images.i2d_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "caption"])
        for i, path in enumerate(images.files()):
            writer.writerow([path.as_uri(), f"Generated photograph number {i}"])
    marker.write_text(json.dumps({"count": count, "width": width, "height": height, "quality": quality, "seed": seed}))
    print(
        f"generated {count} JPEGs of {width}x{height} (q{quality}) in {time.perf_counter() - started:.1f} s "
        f"into {images.root}, {images.total_bytes() / 1e6:.1f} MB",
        flush=True,
    )
    return images


def warm_cache(images: ImageSet) -> None:
    """Read every file once so that no tool pays for the first read from disk."""
    for path in images.files():
        with path.open("rb") as handle:
            while handle.read(1 << 20):
                pass


# ---------------------------------------------------------------------------------------------
# Timing commands


@dataclass
class Timing:
    label: str
    seconds: float
    images: int  # images handled successfully
    cpu: float = 0.0  # user + system seconds of the command and all its descendants
    note: str = ""
    others: float = 0.0  # cores kept busy by other processes during the run, on average

    @property
    def cores(self) -> float:
        """Cores this run kept busy on average (CPU seconds / wall seconds)."""
        return self.cpu / self.seconds if self.seconds else float("nan")

    @property
    def rate(self) -> float:
        return self.images / self.seconds if self.seconds else float("nan")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _become_subreaper() -> None:
    """Adopt orphaned descendants, so that their CPU time can be counted.

    pdpack's pool workers are forked by a multiprocessing fork server, which outlives the pdpack
    process by a moment and is then re-parented. Without this, nobody that we wait for reaps it,
    and its workers' CPU time never reaches ``RUSAGE_CHILDREN``.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans() -> None:
    """Wait for every adopted descendant (fork server, resource tracker) to exit."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


_become_subreaper()


def machine_busy() -> float:
    """CPU seconds spent so far by the whole machine (every process), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# Set by the benchmarks' --wait-idle: before each timed run, wait (at most this many seconds) until
# other processes use less than IDLE_CORES cores, so that runs start on a quiet machine where possible.
WAIT_IDLE = 0.0
IDLE_CORES = 0.3


def add_photo_set_arguments(parser: argparse.ArgumentParser) -> None:
    """--images, --width, --height, --repeat and --wait-idle, as the photo benchmarks take them."""
    parser.add_argument("--images", type=int, default=2000, help="JPEGs in the set (default 2000)")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best of each is reported (default 1)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to leave the CPUs idle (default 0)",
    )


def wait_until_idle() -> None:
    deadline = time.monotonic() + WAIT_IDLE
    while time.monotonic() < deadline:
        before = machine_busy()
        time.sleep(1.0)
        if machine_busy() - before < IDLE_CORES:
            return


LAST_OTHERS = 0.0  # cores used by other processes during the latest run_timed
LAST_STARTED = 0.0  # time.perf_counter() when the latest run_timed started its command


def run_timed(
    cmd: Sequence[str | Path], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float]:
    """(wall seconds from starting ``cmd`` to its exit, CPU seconds of it and every descendant it reaped).

    CPU time is the figure to trust when other work shares the machine: wall time then also
    counts the time this command waited for a core. Raises with the command's output if it fails.
    """
    global LAST_OTHERS, LAST_STARTED
    wait_until_idle()
    cpu_before = _children_cpu()
    busy_before = machine_busy()
    started = time.perf_counter()
    LAST_STARTED = started
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    _reap_orphans()
    cpu = _children_cpu() - cpu_before
    LAST_OTHERS = max(0.0, (machine_busy() - busy_before - cpu) / seconds)
    if proc.returncode != 0:
        raise RuntimeError(
            f"command failed with status {proc.returncode}: {' '.join(map(str, cmd))}\n"
            f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
        )
    return seconds, cpu


def load_average() -> float:
    return os.getloadavg()[0]


def best(timings: Sequence[Timing]) -> Timing:
    """The fastest of repeated runs (the least disturbed by other work on the machine), noting all of them."""
    fastest = min(timings, key=lambda t: t.seconds)
    result = Timing(
        fastest.label, fastest.seconds, fastest.images, min(t.cpu for t in timings), fastest.note, fastest.others
    )
    if len(timings) > 1:
        runs = "wall " + "/".join(f"{t.seconds:.1f}" for t in timings)
        result.note = f"{result.note}; {runs}" if result.note else runs
    return result


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


# ---------------------------------------------------------------------------------------------
# The tools


_COMPILED: set[Path] = set()


def compile_pdpack(root: Path = REPO) -> None:
    """Byte-compile pdpack's modules (once per run), as installing a package from a wheel does.

    The project venv installs pdpack in editable mode, so its .pyc files are written on first
    import, unless PYTHONDONTWRITEBYTECODE is set (it is on some machines and containers): then
    every process of every run, the fork server's included, compiles about 60 modules again from
    source, 0.3 s of CPU each time. img2dataset, installed by pip from wheels, never pays that.
    """
    if root not in _COMPILED:
        subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(root / "packager")], check=True, capture_output=True)
        _COMPILED.add(root)


def pdpack_cmd(
    collection: Path, out: Path, workers: int, extra: Sequence[str] = (), tree: Path | None = None
) -> list[str]:
    """``pdpack build`` through the venv's console script; with ``tree``, the pdpack of that checkout
    (for example a ``git worktree`` of an earlier commit) through ``python -m packager``, which runs
    what that commit's console script ran. Run it from ``tree`` (``cwd``): ``-m`` puts the current
    folder first on sys.path, so that is the package it finds, not the venv's editable install."""
    compile_pdpack(tree or REPO)
    program = [str(PDPACK)] if tree is None else [str(PYTHON), "-m", "packager"]
    return [
        *program,
        "build",
        str(collection),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--as-of",
        AS_OF,
        *extra,
    ]


def pdpack_shipped(out: Path) -> tuple[int, int]:
    """(shipped, items) from the build's report.json."""
    totals = json.loads((out / "report.json").read_text(encoding="utf-8"))["totals"]
    return totals["shipped"], totals["items"]


def time_pdpack(
    label: str, images: ImageSet, workers: int, extra: Sequence[str] = (), tree: Path | None = None
) -> Timing:
    out = fresh(OUT / "runs" / "pdpack")
    seconds, cpu = run_timed(pdpack_cmd(images.collection, out, workers, extra, tree), cwd=tree)
    shipped, items = pdpack_shipped(out)
    if items != images.count:
        raise RuntimeError(f"pdpack saw {items} items, expected {images.count}")
    note = "" if shipped == items else f"{items - shipped} held back (see {out}/rejected.jsonl)"
    return Timing(label, seconds, shipped, cpu, note, LAST_OTHERS)


def i2d_available() -> bool:
    return I2D.is_file()


def i2d_versions() -> str:
    code = "import importlib.metadata as m; print(' '.join(f'{p}=={m.version(p)}' for p in "
    code += "('img2dataset', 'opencv-python-headless', 'albumentations', 'webdataset', 'numpy', 'pyarrow')))"
    proc = subprocess.run([str(I2D_VENV / "bin" / "python"), "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() or proc.stderr.strip()


def time_img2dataset(
    label: str,
    images: ImageSet,
    processes: int,
    threads: int,
    shard_size: int,
    options: dict[str, str],
    note: str = "",
    url_list: Path | None = None,
) -> Timing:
    """One img2dataset run over the file:// list (or ``url_list``), webdataset output; counts successes
    from its stats files."""
    out = fresh(OUT / "runs" / "img2dataset")
    cmd = [
        str(I2D),
        "--url_list",
        str(url_list or images.i2d_csv),
        "--input_format",
        "csv",
        "--url_col",
        "url",
        "--caption_col",
        "caption",
        "--output_format",
        "webdataset",
        "--output_folder",
        str(out),
        "--processes_count",
        str(processes),
        "--thread_count",
        str(threads),
        "--number_sample_per_shard",
        str(shard_size),
    ]
    for key, value in options.items():
        cmd += [f"--{key}", value]
    # albumentations otherwise asks PyPI for a newer version at import (a network call in every process).
    env = {**os.environ, "NO_ALBUMENTATIONS_UPDATE": "1", "WANDB_MODE": "disabled"}
    seconds, cpu = run_timed(cmd, env=env)
    stats = [json.loads(Path(p).read_text()) for p in glob.glob(str(out / "*_stats.json"))]
    successes = sum(s["successes"] for s in stats)
    count = sum(s["count"] for s in stats)
    if count != images.count:
        raise RuntimeError(f"img2dataset saw {count} urls, expected {images.count}")
    if successes != count:
        failures: dict[str, int] = {}
        for s in stats:
            for message, n in s.get("status_dict", {}).items():
                failures[message] = failures.get(message, 0) + n
        note = (note + "; " if note else "") + f"{count - successes} failed: {failures}"
    return Timing(label, seconds, successes, cpu, note, LAST_OTHERS)


def time_decode_floor(images: ImageSet, workers: int) -> Timing:
    """Pool(workers) doing Image.open(path).load() on every file, as its own process, end to end."""
    seconds, cpu = run_timed(
        [str(PYTHON), str(Path(__file__).resolve()), "decode-floor", str(images.files_dir), "--workers", str(workers)]
    )
    return Timing("Pillow decode floor", seconds, images.count, cpu, "", LAST_OTHERS)


def time_tar(images: ImageSet) -> Timing:
    out = fresh(OUT / "runs" / "tar")
    out.mkdir(parents=True)
    seconds, cpu = run_timed(["tar", "-cf", str(out / "files.tar"), "-C", str(images.collection), "files"])
    return Timing("tar -cf (reference)", seconds, images.count, cpu, "", LAST_OTHERS)


# ---------------------------------------------------------------------------------------------
# Peak memory of a process tree


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(OSError):
            found += [int(x) for x in Path(task).read_text().split()]
    return found


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _is_worker(line: str, parent_line: str) -> bool:
    """A pool worker: started by spawn, or forked by the fork server (whose command line it shares)."""
    if "spawn_main" in line or "multiprocessing.spawn" in line:
        return True
    return "multiprocessing.forkserver" in line and "multiprocessing.forkserver" in parent_line


@dataclass
class MemoryPeak:
    seconds: float
    main_kib: int  # VmHWM of the command's own process
    worker_kib: int  # largest VmHWM among the pool workers (forked by the fork server, or spawned)
    other_kib: int  # largest VmHWM among other descendants (resource tracker, exiftool, ...)
    tree_kib: int  # largest sum of VmRSS over the whole tree at one sample
    rusage_children_kib: int  # getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process, per the kernel
    workers_seen: int


def measure_memory(cmd: Sequence[str | Path], interval: float = 0.05) -> MemoryPeak:
    """Run ``cmd``, sampling /proc for the peak RSS of it and of each descendant until it exits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    main = tree = 0
    peaks: dict[int, int] = {}  # VmHWM per descendant
    kinds: dict[int, str] = {}  # worker | other, from the command line
    # Output to a file, not a pipe: a full pipe would stall the build while we sample.
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, text=True)
        own_line = ""
        while proc.poll() is None:
            main = max(main, _status_kib(proc.pid, "VmHWM"))
            total = _status_kib(proc.pid, "VmRSS")
            own_line = own_line or _cmdline(proc.pid)
            stack = [(pid, own_line) for pid in _children(proc.pid)]
            while stack:
                pid, parent_line = stack.pop()
                # Between fork and exec a child still shows its parent's command line and memory: skip it then.
                line = _cmdline(pid)
                stack += [(child, line) for child in _children(pid)]
                if not line or line == own_line:
                    continue
                kinds[pid] = "worker" if _is_worker(line, parent_line) else "other"
                peaks[pid] = max(peaks.get(pid, 0), _status_kib(pid, "VmHWM"))
                total += _status_kib(pid, "VmRSS")
            tree = max(tree, total)
            time.sleep(interval)
        seconds = time.perf_counter() - started
        _reap_orphans()
        log.seek(0)
        output = log.read()
    if proc.returncode != 0:
        raise RuntimeError(f"command failed with status {proc.returncode}: {' '.join(map(str, cmd))}\n{output[-4000:]}")
    workers = {pid for pid, kind in kinds.items() if kind == "worker"}
    worker = max((peaks[pid] for pid in workers), default=0)
    other = max((peak for pid, peak in peaks.items() if pid not in workers), default=0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return MemoryPeak(seconds, main, worker, other, tree, max(before, after), len(workers))


# ---------------------------------------------------------------------------------------------
# Reporting


def machine_line() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from PIL import __version__ as pillow

    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "packager"], capture_output=True, text=True
    ).stdout.splitlines()
    tree = head.stdout.strip() + (f" + {len(dirty)} changed file(s) under packager/" if dirty else "")
    return (
        f"{dt.datetime.now().isoformat(timespec='seconds')}; {os.cpu_count()} CPUs ({cpu}); {mem:.0f} GiB; "
        f"load average {load_average():.1f}; Python {platform.python_version()}; Pillow {pillow}; pdpack tree {tree}"
    )


def print_table(rows: Sequence[Timing]) -> None:
    width = max(len(r.label) for r in rows)
    print(f"  {'run':<{width}}  {'wall s':>7}  {'images/s':>8}  {'CPU s':>7}  cores  others  images  note")
    for r in rows:
        others = f"{r.others:6.2f}" if r.others else "     -"
        line = f"  {r.label:<{width}}  {r.seconds:7.2f}  {r.rate:8.1f}  {r.cpu:7.2f}  {r.cores:5.2f}  {others}  "
        print((line + f"{r.images:6d}  {r.note}").rstrip())
    print("  (cores: CPU s / wall s of the run; others: cores busy with other processes meanwhile)")


def verdict(value: float, target: float, at_least: bool) -> str:
    ok = value >= target if at_least else value <= target
    return f"{'meets' if ok else 'MISSES'} target {'>=' if at_least else '<='} {target:g}"


# ---------------------------------------------------------------------------------------------
# The decode floor, run as its own process


def _decode(path: str) -> int:
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return image.width


def decode_floor_main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description="Fully decode every JPEG in a folder with Pillow, nothing else.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.folder.glob("*.jpg"))
    with multiprocessing.Pool(args.workers) as pool:
        chunk = max(1, len(paths) // (args.workers * 16))
        decoded = sum(1 for _ in pool.imap_unordered(_decode, paths, chunksize=chunk))
    if decoded != len(paths):
        sys.exit(f"decoded {decoded} of {len(paths)}")


# ---------------------------------------------------------------------------------------------
# A slow image server


def start_delayed_server(folder: Path, delay: float, stall: float = 120.0):  # type: ignore[no-untyped-def]
    """Serve the files of a folder over HTTP/1.1 (keep-alive) on 127.0.0.1, each answer after ``delay``
    seconds, as a distant museum server does; a path under /stall/ is answered after ``stall`` seconds.

    It runs on threads of the benchmark's own process: a child process would be waited for by
    ``run_timed`` (this process reaps every descendant), and its CPU time is counted for no tool.
    Returns the server; ``server.base`` is its address, ``server.stall_requests`` when each /stall/ request
    came (``time.perf_counter()``, and how many requests came before it), ``server.shutdown()`` stops it.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    stop = threading.Event()
    counting = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *log_args: object) -> None:
            pass

        def do_GET(self) -> None:
            kind, _, name = self.path.lstrip("/").partition("/")
            with counting:
                if kind == "stall":
                    server.stall_requests.append((time.perf_counter(), server.requests))  # type: ignore[attr-defined]
                server.requests += 1  # type: ignore[attr-defined]
            stop.wait(stall if kind == "stall" else delay)
            data = files.get(name)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # 32 clients connect at once: the default backlog of 5 would drop SYNs

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that gave up (the stalled URL's deadline) closed its end: not a failure

        def shutdown(self) -> None:
            stop.set()
            super().shutdown()
            self.server_close()

    server = Server(("127.0.0.1", 0), Handler)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    server.requests = 0  # type: ignore[attr-defined]  # requests so far
    server.stall_requests = []  # type: ignore[attr-defined]  # (time.perf_counter(), requests before) of each /stall/ one
    threading.Thread(target=server.serve_forever, name="delayed-server", daemon=True).start()
    return server


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "decode-floor":
        decode_floor_main(sys.argv[2:])
    else:
        sys.exit("usage: common.py decode-floor FOLDER [--workers N]")
