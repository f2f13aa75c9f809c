"""Reading a build back for report.html: held-back records, shipped samples, the words per reason, pictures counted."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from packager.manifest.collection import Collection
from packager.manifest.rows import read_items
from packager.model import REGISTRY, Item, Picture
from packager.sample import ShardInfo, safe_member_name

GALLERY_SIZE = 24  # shipped samples shown: the first ones in build order
IMAGE_EXTENSIONS = ("jpg", "png", "webp")
# Per reason code: a short name for the chart and tables, and what to change to fix it (from the registry),
# its fields named as no collection in particular names them.
LABELS: dict[str, str] = {code: reason.label for code, reason in REGISTRY.items()}
FIXES: dict[str, str] = {code: reason.fix for code, reason in REGISTRY.items()}
STATUS_WORDS = {
    "public_domain": "public domain",
    "public_domain_us": "public domain in the US",
    "not_public_domain": "not public domain",
    "undetermined": "undetermined",
}


def label(code: str) -> str:
    return LABELS.get(code, code)


def fix(code: str, collection: Collection | None = None) -> str:
    """What to change for a reason, naming the collection's own columns ("items.csv column 'Rights Statement'")."""
    known = REGISTRY.get(code)
    if known is None:
        return "See the detail."  # an older build's code
    return known.fix if collection is None else known.fix_in(collection.cells)


def picture_of(code: str) -> Picture:
    """Whether a held-back item may be pictured; an unknown code (an older build's) is not."""
    known = REGISTRY.get(code)
    return known.picture if known is not None else Picture.NONE


@dataclass(frozen=True)
class ShippedSample:
    """A shipped sample as the gallery shows it, read back from a shard."""

    key: str
    metadata: dict[str, Any]
    caption: str
    image: bytes
    extension: str


def read_rejected(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / "rejected.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gallery_shards(shards: Sequence[ShardInfo]) -> list[str]:
    """The tars ``read_samples`` reads (the first shards in build order): what a build must have at hand."""
    needed: list[str] = []
    count = 0
    for shard in shards:
        if count >= GALLERY_SIZE:
            break
        needed.append(shard.name)
        count += shard.count
    return needed


def read_samples(out_dir: Path, report: dict[str, Any], limit: int = GALLERY_SIZE) -> list[ShippedSample]:
    """The first ``limit`` samples in build order, read from the shards the report lists."""
    samples: list[ShippedSample] = []
    for shard in report.get("shards", []):
        if len(samples) >= limit:
            break
        path = out_dir / shard["name"]
        if not path.is_file():
            continue
        with tarfile.open(path) as tar:
            members: dict[str, dict[str, bytes]] = {}
            order: list[str] = []
            for member in tar:
                if not member.isfile() or not safe_member_name(member.name):
                    continue  # never follow a link, a folder or a name that could point outside
                key, _, ext = member.name.partition(".")
                if key not in members:
                    if len(samples) + len(order) >= limit:
                        break
                    members[key] = {}
                    order.append(key)
                handle = tar.extractfile(member)
                if handle is not None:
                    members[key][ext] = handle.read()
        for key in order:
            found = members[key]
            extension = next((ext for ext in IMAGE_EXTENSIONS if ext in found), None)
            if extension is None or "json" not in found:
                continue
            samples.append(
                ShippedSample(
                    key=key,
                    metadata=json.loads(found["json"]),
                    caption=found.get("txt", b"").decode("utf-8", errors="replace"),
                    image=found[extension],
                    extension=extension,
                )
            )
    return samples[:limit]


def held_back_items(
    collections: Sequence[Collection], rejected: Sequence[dict[str, Any]]
) -> dict[tuple[str, str, int | None], Item]:
    """The manifest items behind held-back records, by (collection, id, row); only collections with rejections."""
    wanted: dict[str, set[tuple[str, int | None]]] = {}
    for record in rejected:
        wanted.setdefault(record["collection"], set()).add((record["id"], record.get("row")))
    found: dict[tuple[str, str, int | None], Item] = {}
    for collection in collections:
        keys = wanted.get(collection.id)
        if not keys:
            continue
        try:
            for entry in read_items(collection):
                if isinstance(entry, Item) and (entry.id, entry.row) in keys:
                    found[(collection.id, entry.id, entry.row)] = entry
        except Exception:  # noqa: S112 - a manifest that cannot be read again only costs its pictures
            continue
    return found


# The class of every held-back item's picture; push counts them (held_back_pictures), so keep it stable.
HELD_PICTURE_CLASS = "thumb"


def held_back_pictures(page: str) -> int:
    """How many held-back items a report.html pictures (pages of every pdpack version mark them the same way)."""
    counter = _PictureCounter()
    counter.feed(page)
    counter.close()
    return counter.count


class _PictureCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and HELD_PICTURE_CLASS in (dict(attrs).get("class") or "").split():
            self.count += 1

    handle_startendtag = handle_starttag
