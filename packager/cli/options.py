"""Command-line options shared by pdpack's commands, defined once.

``build_options`` are every option that changes what a build writes (and how it fetches):
``pdpack build`` and ``pdpack release`` both take them, and ``settings_from_options`` turns them
into the one build configuration, ``packager.builder.config.Settings``. Defaults come from Settings and
the dataclasses it holds, so each is written once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from packager.builder.config import LEFTOVER_RISK, Settings
from packager.builder.dedup import MAX_BAND_DISTANCE
from packager.builder.engines import ENGINES
from packager.builder.target import is_url, storage_option
from packager.captions.select import CAPTION_MODES
from packager.media.image import ENCODINGS, ImageOptions
from packager.rights.terms import expand

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


class ByteSize(click.ParamType):
    """A size in bytes: ``1000000``, ``500MB``, ``1GB``, ``2GiB``."""

    name = "bytes"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a size; write e.g. 1000000, 500MB or 1GB", param, ctx)
        number, unit = float(match.group(1)), (match.group(2) or "").lower()
        base = 1024 if "i" in unit else 1000
        factor = 1 if unit in {"", "b"} else base ** "kmgt".index(unit[0]) * base
        size = int(number * factor)
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        return size


ENGINE = click.option(
    "--engine",
    "engine_name",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where per-item work runs: local processes (--workers) or a Ray cluster. The output is the same.",
)
RAY_ADDRESS = click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="Ray cluster to use (auto, HOST:PORT, ray://HOST:10001); default: a local Ray with --workers CPUs.",
)
WORKERS = click.option(
    "--workers", "-w", default=1, show_default=True, type=click.IntRange(min=1), help="Processes for per-item work."
)


def _check_storage_options(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, Any]:
    try:
        return dict(storage_option(option) for option in value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def folder_or_url(value: str, hint: str) -> Path | str:
    """A folder, or the fsspec URL it is (its filesystem installed), checked before anything is loaded."""
    if not is_url(value):
        if Path(value).is_file():
            raise click.BadParameter(f"{value} is a file; give a folder or a URL", param_hint=hint)
        return Path(value)
    try:
        import fsspec

        fsspec.get_filesystem_class(value.split("://", 1)[0])
    except (ValueError, ImportError) as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc
    return value


STORAGE_OPTIONS = click.option(
    "--storage-option",
    "storage_options",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_check_storage_options,
    help="An fsspec option for a URL (repeatable), e.g. endpoint_url=http://127.0.0.1:9000; "
    "VALUE is read as JSON where it is JSON. Credentials are best left to the environment (AWS_* variables).",
)


def _check_policy(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        expand(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2027-01-01") from exc


def rights_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--policy, --as-of and --leftover-risk, shared by every command that decides what ships."""
    command = click.option(
        "--leftover-risk",
        type=click.Choice(LEFTOVER_RISK),
        default=LEFTOVER_RISK[0],
        show_default=True,
        help="'hold': do not ship works that the US rules find public domain only because they were made "
        "before the publication cutoff by a creator dead 70+ years (or by an unknown maker 120+ years ago): "
        "a first publication after the cutoff, which the records cannot rule out, could keep them protected.",
    )(command)
    command = click.option(
        "--as-of",
        callback=_check_date,
        metavar="YYYY-MM-DD",
        help="Reference date for copyright terms (default: today). Terms end on 31 December.",
    )(command)
    return click.option(
        "--policy",
        default=_DEFAULT.policy,
        show_default=True,
        callback=_check_policy,
        help="Where an item must be public domain to ship: 'worldwide' (every jurisdiction in the term "
        "table, so the longest term applies), 'us', or a jurisdiction code such as GB, EU, CA, JP.",
    )(command)


_DEFAULT = SimpleNamespace(**{f.name: f.default for f in fields(Settings)})  # each field's default
_IMAGE = ImageOptions()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PDPACK_CACHE_DIR") or Path(base) / "pdpack")


def settings_from_options(
    policy: str = _DEFAULT.policy,
    as_of: str | None = None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    max_per_host: int = _DEFAULT.max_per_host,
    max_side: int | None = _IMAGE.max_side,
    encode: str = _IMAGE.encode,
    quality: int = _IMAGE.quality,
    full_decode: bool = _IMAGE.full_decode,
    near_duplicates: int = MAX_BAND_DISTANCE,
    **fields: Any,
) -> Settings:
    """The build configuration from the options of ``build_options`` (``--as-of`` defaults to today).

    ``fields`` are Settings fields given as they are (``shard_max_count``, ``captions``, ...).
    """
    extra: dict[str, Any] = {"as_of": as_of} if as_of else {}
    return Settings(
        policy=policy,
        image=ImageOptions(max_side=max_side, encode=encode, quality=quality, full_decode=full_decode),
        fetch_cache=None if no_cache else str(cache_dir or default_cache_dir()),
        max_per_host=max_per_host,
        near_duplicates=None if near_duplicates < 0 else near_duplicates,
        **extra,
        **fields,
    )


def _check_networks(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(str(ipaddress.ip_network(network.strip(), strict=False)) for network in value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; write a network such as 10.20.0.0/16, or one address") from exc


def fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How and from where images may be downloaded, and how long an item may take, for every command that
    may download them."""
    command = click.option(
        "--allow-private-network",
        "allow_private_networks",
        multiple=True,
        metavar="CIDR",
        callback=_check_networks,
        help="Also download from this network only, e.g. 10.20.0.0/16 (repeatable); narrower than "
        "--allow-private-urls.",
    )(command)
    command = click.option(
        "--allow-private-urls",
        is_flag=True,
        help="Also download from loopback, private and link-local addresses (an in-house image server). "
        "Off by default: contributed URLs may only reach public internet addresses.",
    )(command)
    command = click.option(
        "--fetch-threads",
        type=click.IntRange(min=1, max=256),
        default=_DEFAULT.fetch_threads,
        show_default=True,
        help="Downloads in flight per worker process (each host still gets at most --max-per-host).",
    )(command)
    command = click.option(
        "--fetch-deadline",
        type=click.FloatRange(min=0.1),
        default=_DEFAULT.fetch_deadline,
        show_default=True,
        metavar="SECONDS",
        help="Most time one image download may take, retries and redirects included (url:deadline).",
    )(command)
    command = click.option(
        "--item-deadline",
        type=click.FloatRange(min=0.1),
        default=_DEFAULT.item_deadline,
        show_default=True,
        metavar="SECONDS",
        help="Most time one item may take, download, ExifTool and decoding together, not counting its wait for "
        "its turn (item:deadline).",
    )(command)
    command = click.option(
        "--max-per-host",
        type=click.IntRange(min=1),
        default=_DEFAULT.max_per_host,
        show_default=True,
        help="Most simultaneous downloads from one host, across all workers.",
    )(command)
    command = click.option("--no-cache", is_flag=True, help="Do not keep or reuse downloaded images.")(command)
    return click.option(
        "--cache",
        "cache_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for downloaded images (default: $PDPACK_CACHE_DIR or ~/.cache/pdpack).",
    )(command)


def shard_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--shard-max-count and --shard-max-size."""
    command = click.option(
        "--shard-max-size",
        default=_DEFAULT.shard_max_size,
        show_default=True,
        type=ByteSize(),
        help="Most bytes in one shard (e.g. 1000000, 500MB, 1GB).",
    )(command)
    return click.option(
        "--shard-max-count",
        default=_DEFAULT.shard_max_count,
        show_default=True,
        type=click.IntRange(min=1),
        help="Most samples in one shard.",
    )(command)


def image_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--max-side, --encode, --quality and --full-decode: how shipped images are made."""
    decorators = [
        click.option(
            "--max-side",
            type=click.IntRange(min=16),
            help="Resize images whose longest side is larger than this (pixels); others pass through untouched.",
        ),
        click.option(
            "--encode",
            type=click.Choice(ENCODINGS),
            default=_IMAGE.encode,
            show_default=True,
            help="Image format in the shards: 'original' keeps JPEG, PNG and WebP as they are.",
        ),
        click.option(
            "--quality",
            type=click.IntRange(1, 100),
            default=_IMAGE.quality,
            show_default=True,
            help="JPEG/WebP quality.",
        ),
        click.option(
            "--full-decode",
            is_flag=True,
            help="Rebuild every pixel of JPEGs when checking them. By default a JPEG is read and "
            "Huffman-decoded to its last byte (which catches the same damage) but its pixels are rebuilt "
            "at up to 1/8 scale, which is faster.",
        ),
        click.option(
            "--near-duplicates",
            type=click.IntRange(-1, MAX_BAND_DISTANCE),
            default=MAX_BAND_DISTANCE,
            show_default=True,
            help="Hold back pictures within this perceptual-hash distance of an earlier one (-1: exact copies only).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def caption_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--captions and the open_clip models that write and score captions."""
    decorators = [
        click.option(
            "--captions",
            type=click.Choice(CAPTION_MODES),
            default=_DEFAULT.captions,
            show_default=True,
            help="Caption source: the institution's (cleaned), one made from metadata, an open_clip model's, or the "
            "best available (with --score-model: the candidate that best matches the picture).",
        ),
        click.option(
            "--caption-model",
            metavar="NAME|PATH",
            help="open_clip CoCa model for --captions model/best, e.g. coca_ViT-L-14 (default), or a checkpoint file.",
        ),
        click.option(
            "--caption-pretrained",
            metavar="TAG|PATH",
            help="Its weights: an open_clip pretrained tag (from the Hugging Face cache) or a local checkpoint path.",
        ),
        click.option(
            "--score-model", metavar="NAME|PATH", help="open_clip CLIP model that scores image-caption alignment."
        ),
        click.option(
            "--score-pretrained", metavar="TAG|PATH", help="Its weights: a pretrained tag or a checkpoint path."
        ),
        click.option(
            "--min-alignment",
            type=click.FloatRange(-1, 1),
            help="Hold back samples whose caption scores below this (reason caption:misaligned); implies a scorer.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def build_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every option that decides what a build writes, and how it fetches: the same for build and release."""
    for decorator in (fetch_options, caption_options, image_options, shard_options, rights_options):
        command = decorator(command)
    return command
