"""Command-line options shared by pdpack's commands, defined once."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from packager.media import ImageOptions
from packager.pipeline import Settings
from packager.rights.terms import expand
from packager.shards import DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE

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


WORKERS = click.option(
    "--workers", "-w", default=1, show_default=True, type=click.IntRange(min=1), help="Processes for per-item work."
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
    """--policy and --as-of, shared by every command that decides what ships."""
    command = click.option(
        "--as-of",
        callback=_check_date,
        metavar="YYYY-MM-DD",
        help="Reference date for copyright terms (default: today). Terms end on 31 December.",
    )(command)
    return click.option(
        "--policy",
        default="worldwide",
        show_default=True,
        callback=_check_policy,
        help="Where an item must be public domain to ship: 'worldwide' (every jurisdiction in the term "
        "table, so the longest term applies), 'us', or a jurisdiction code such as GB, EU, CA, JP.",
    )(command)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PDPACK_CACHE_DIR") or Path(base) / "pdpack")


def settings_from_options(
    policy: str,
    as_of: str | None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    max_per_host: int = 4,
    image: ImageOptions | None = None,
) -> Settings:
    """The build settings that ``rights_options`` and ``fetch_options`` give (``--as-of`` defaults to today)."""
    extra: dict[str, Any] = {"as_of": as_of} if as_of else {}
    cache = None if no_cache else str(cache_dir or default_cache_dir())
    return Settings(policy=policy, image=image or ImageOptions(), fetch_cache=cache, max_per_host=max_per_host, **extra)


def fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--cache, --no-cache and --max-per-host, for commands that may download images."""
    command = click.option(
        "--max-per-host",
        type=click.IntRange(min=1),
        default=4,
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
        default=DEFAULT_MAX_SIZE,
        show_default=True,
        type=ByteSize(),
        help="Most bytes in one shard (e.g. 1000000, 500MB, 1GB).",
    )(command)
    return click.option(
        "--shard-max-count",
        default=DEFAULT_MAX_COUNT,
        show_default=True,
        type=click.IntRange(min=1),
        help="Most samples in one shard.",
    )(command)
