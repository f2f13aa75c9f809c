"""The build configuration: everything that changes what a build writes, in one frozen dataclass.

``Settings`` is the single place a build option lives. Its fields, less those marked as machine
fields, are what ``report.json`` records under ``settings`` and what the resume fingerprint hashes
(``recorded``), so an option that changes the output cannot be left out of either. Machine fields
(where downloads are cached, how many run at once per host) change how fast a build runs, never
what it writes. ``pdpack build`` and ``pdpack release`` make it from the same command-line options
(``packager.cli.options``), and the library's ``build`` and ``release`` take it as it is.

``preflight`` checks, once and before anything is written, what this machine must provide for a
configuration: the exiftool program when rights are read from the files themselves, and the
caption and scoring models when a model stage runs (loaded there, and handed to the build).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from packager.builder.dedup import MAX_BAND_DISTANCE
from packager.builder.shards import DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE
from packager.captions.select import CAPTION_MODES
from packager.digest import file_sha256
from packager.manifest.takedowns import load_takedowns
from packager.media.fetch import (
    DEFAULT_DEADLINE,
    DEFAULT_FETCH_THREADS,
    DEFAULT_MAX_BYTES,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_PER_HOST,
)
from packager.media.image import ImageOptions
from packager.media.netaddress import Policy
from packager.model import MissingTool
from packager.rights.terms import expand

# A machine field: kept out of report.json and the resume fingerprint.
_MACHINE = {"machine": True}

EXIFTOOL_MISSING = (
    "pdpack needs the exiftool program to read rights from the files themselves. Install it "
    "(Debian/Ubuntu: sudo apt-get install libimage-exiftool-perl; macOS: brew install exiftool)."
)


LEFTOVER_RISK = ("accept", "hold")  # --leftover-risk; the first is the default


DEFAULT_EMBEDDED_DEADLINE = 10.0
# Seconds of work one item may take across its steps (download, ExifTool, decoding): above the sum of the
# steps' own defaults (60 s + 10 s), so that one slow step is reported by its own reason, not this one.
DEFAULT_ITEM_DEADLINE = 120.0


def _today() -> str:
    return dt.date.today().isoformat()


@dataclass(frozen=True)
class Settings:
    """Everything that decides a build's output (and, marked as machine fields, how it fetches)."""

    # worldwide | us | a jurisdiction code from the term table (GB, EU, CA, ...)
    policy: str = "worldwide"
    # The reference date for copyright terms: the same manifest gains items on each Public Domain Day.
    as_of: str = field(default_factory=_today)
    # "accept" ships works the US rules find public domain by when they were made (the museums' practice);
    # "hold" keeps them back, since a first publication after the cutoff could keep them protected.
    leftover_risk: str = LEFTOVER_RISK[0]
    embedded: bool = True  # read rights from the files' own metadata with ExifTool
    # Seconds ExifTool may spend on one file: real files take well under one; XMP nested thousands deep
    # would keep it busy for minutes (the item is then held back as embedded:unreadable).
    embedded_deadline: float = DEFAULT_EMBEDDED_DEADLINE
    fetch_timeout: float = DEFAULT_TIMEOUT  # seconds without data before a download attempt fails
    fetch_retries: int = DEFAULT_RETRIES
    fetch_deadline: float = DEFAULT_DEADLINE  # seconds for a whole download, retries included
    # Seconds of work for a whole item, every step together (item:deadline); waiting for its turn is not counted.
    item_deadline: float = DEFAULT_ITEM_DEADLINE
    max_download_bytes: int = DEFAULT_MAX_BYTES
    # Fetch from loopback and private networks too (in-house image servers, tests); off for contributed URLs.
    allow_private_urls: bool = False
    allow_private_networks: tuple[str, ...] = ()  # or only from these networks (CIDR)
    image: ImageOptions = field(default_factory=ImageOptions)
    # Where fetched images are cached; machine-specific, so neither reported nor fingerprinted.
    fetch_cache: str | None = field(default=None, metadata=_MACHINE)
    max_per_host: int = field(default=MAX_PER_HOST, metadata=_MACHINE)
    fetch_threads: int = field(default=DEFAULT_FETCH_THREADS, metadata=_MACHINE)  # downloads in flight per worker
    # Download nothing (validate --offline): URL items are checked for form and address, then set aside.
    offline: bool = False
    # manifests/takedowns.csv: items removed from every later build, by id or by content hash.
    takedowns: str | None = None
    # Captions: original | metadata | model | best, and the open_clip models that write and score them.
    captions: str = "best"
    caption_model: str | None = None
    caption_pretrained: str | None = None
    score_model: str | None = None
    score_pretrained: str | None = None
    min_alignment: float | None = None
    # Shards: at most this many samples and bytes each.
    shard_max_count: int = DEFAULT_MAX_COUNT
    shard_max_size: int = DEFAULT_MAX_SIZE
    # Pictures within this perceptual-hash distance of an earlier one are held back; None: exact copies only.
    near_duplicates: int | None = MAX_BAND_DISTANCE

    def __post_init__(self) -> None:
        expand(self.policy)  # raises ValueError naming the known policies
        if self.leftover_risk not in LEFTOVER_RISK:
            raise ValueError(f"unknown leftover risk {self.leftover_risk!r}; choose one of {', '.join(LEFTOVER_RISK)}")
        dt.date.fromisoformat(self.as_of)
        if self.takedowns:
            load_takedowns(self.takedowns)  # a broken file stops here, naming its row, not item by item
        if self.captions not in CAPTION_MODES:
            raise ValueError(f"unknown caption mode {self.captions!r}; choose one of {', '.join(CAPTION_MODES)}")
        if not self.item_deadline > 0:
            raise ValueError("item_deadline must be a positive number of seconds")
        if self.shard_max_count < 1 or self.shard_max_size < 1:
            raise ValueError("a shard must be allowed at least one sample and one byte")
        Policy(self.allow_private_urls, self.allow_private_networks)  # ValueError names a malformed network
        if self.near_duplicates is not None and not 0 <= self.near_duplicates <= MAX_BAND_DISTANCE:
            raise ValueError(f"near_duplicates must be between 0 and {MAX_BAND_DISTANCE}, or None")

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    @property
    def accept_leftover_risk(self) -> bool:
        return self.leftover_risk == "accept"

    @property
    def uses_models(self) -> bool:
        """Whether a model stage runs after the per-item stages (it decides captions there)."""
        return (
            self.captions == "model" or bool(self.caption_model or self.score_model) or (self.min_alignment is not None)
        )

    def recorded(self) -> dict[str, Any]:
        """What report.json records and the resume fingerprint hashes: every field but the machine ones."""
        machine = {f.name for f in fields(self) if f.metadata.get("machine")}
        record = {name: value for name, value in asdict(self).items() if name not in machine}
        # The takedowns file by content, not by path: paths differ between machines.
        record["takedowns"] = file_sha256(Path(self.takedowns)) if self.takedowns else None
        return record


MACHINE_SETTINGS = tuple(f.name for f in fields(Settings) if f.metadata.get("machine"))


@dataclass(frozen=True)
class Models:
    """The open_clip models a configuration asks for, loaded (None where it asks for none)."""

    captioner: Any = None
    scorer: Any = None


def require_tools(settings: Settings) -> None:
    """Raise MissingTool when this machine lacks a program the configuration needs."""
    if settings.embedded and shutil.which("exiftool") is None:
        raise MissingTool(EXIFTOOL_MISSING)


def load_models(settings: Settings) -> Models:
    """Load the captioner and scorer the settings ask for; raises ModelError / ModelUnavailable.

    The model modules are imported only here, when a configuration asks for a model: they need
    torch and open_clip (the ``models`` extra), which the rest of pdpack runs without.
    """
    captioner = scorer = None
    if settings.captions == "model" or settings.caption_model:
        from packager.captions.model import DEFAULT_CAPTION_MODEL, DEFAULT_CAPTION_PRETRAINED, load_captioner

        name = settings.caption_model or DEFAULT_CAPTION_MODEL
        pretrained = settings.caption_pretrained or (None if settings.caption_model else DEFAULT_CAPTION_PRETRAINED)
        captioner = load_captioner(name, pretrained, None)
    if settings.score_model or settings.min_alignment is not None:
        from packager.captions.score import DEFAULT_SCORE_MODEL, DEFAULT_SCORE_PRETRAINED, load_scorer

        name = settings.score_model or DEFAULT_SCORE_MODEL
        pretrained = settings.score_pretrained or (None if settings.score_model else DEFAULT_SCORE_PRETRAINED)
        scorer = load_scorer(name, pretrained, None)
    return Models(captioner, scorer)


def preflight(settings: Settings) -> Models:
    """Check the machine for this configuration, once, before a build writes anything; return its models."""
    require_tools(settings)
    return load_models(settings) if settings.uses_models else Models()
