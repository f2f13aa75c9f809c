"""Where a build's partitions are written, and the earlier builds they may be reused from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packager.builder.target import Target


@dataclass(frozen=True)
class Destination:
    """The places one build's partitions go to and come from, handed down as one value.

    ``out_dir`` is always a local folder: the build folder, or, when the build goes to a URL
    (``target``), the driver's own folder for its state, which it mirrors there.
    """

    out_dir: Path
    sources: tuple[str, ...] = ()  # folders whose partition records may be reused (an earlier build, this one)
    target: Target | None = None  # the URL the shards are uploaded to, when the build goes to one
    url_sources: tuple[Target, ...] = ()  # builds at URLs whose records may be reused, their shards copied there
