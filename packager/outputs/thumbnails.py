"""Thumbnails for report.html: decoded again with a build's limits, drawn small, as data: URIs."""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageOps

from packager.manifest.collection import Collection
from packager.model import Item, Picture
from packager.outputs.report_data import (
    held_back_items,
    picture_of,
)
from packager.safepath import PathEscapeError, resolve_inside

THUMBNAIL_LIMIT = 200  # held-back items that get a picture (the table lists up to HELD_ROWS_LIMIT)
HELD_SIDE = 120
GALLERY_SIDE = 280
# A picture and the side of its thumbnail: one task when a build's workers draw them (``draw_thumbnail``).
Drawing = tuple[bytes, int]
MAX_SOURCE_BYTES = 100_000_000  # a held-back file larger than this gets no thumbnail
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
THUMBNAIL_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF", "MPO")  # never EPS, PDF or the like


def held_back_thumbnails(
    collections: Sequence[Collection],
    rejected: Sequence[dict[str, Any]],
    items: dict[tuple[str, str, int | None], Item] | None = None,
    limit: int = THUMBNAIL_LIMIT,
    side: int = HELD_SIDE,
) -> dict[tuple[str, str, int | None], str]:
    """data: URIs of thumbnails for held-back items whose file is local, inside the folder, and decodes."""
    items = held_back_items(collections, rejected) if items is None else items
    roots = {c.id: c.root for c in collections}
    thumbnails: dict[tuple[str, str, int | None], str] = {}
    for record in rejected:
        if len(thumbnails) >= limit:
            break
        if picture_of(str(record.get("reason", ""))) is not Picture.SHOWN:
            continue
        key = (record["collection"], record["id"], record.get("row"))
        item = items.get(key)
        root = roots.get(record["collection"])
        if item is None or item.file is None or root is None:
            continue
        try:
            path = resolve_inside(root, item.file)
            if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
                continue
        except (PathEscapeError, OSError, ValueError):
            continue
        uri = thumbnail_uri(path, side)
        if uri is not None:
            thumbnails[key] = uri
    return thumbnails


def thumbnail_uri(source: bytes | Path, side: int) -> str | None:
    """A small JPEG (or PNG, for pictures with transparency) as a data: URI; None when the source does not decode."""
    try:
        handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
        with handle, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(handle, formats=THUMBNAIL_FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                if image.format == "JPEG":
                    image.draft("RGB", (side, side))  # DCT scaling to no less than the thumbnail
                image.load()  # the whole file: a file that fails to decode gets no picture
                frame = _eight_bit(image)
                ImageOps.exif_transpose(frame, in_place=True)  # not a copy of every pixel: nothing else reads it
                frame.thumbnail((side, side), Image.Resampling.LANCZOS)
                return _encode(frame)
    except Exception:
        return None


def draw_thumbnail(drawing: Drawing) -> str | None:
    """``thumbnail_uri`` as one picklable task, for a build's pool."""
    image, side = drawing
    return thumbnail_uri(image, side)


def _eight_bit(image: Image.Image) -> Image.Image:
    """A mode thumbnails can be made from; 16-bit and 32-bit greyscale scaled, not clipped, to 8 bits."""
    if image.mode.startswith("I;16"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode == "I":
        return image.point(lambda v: v / 256).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode in ("RGB", "L", "RGBA", "LA"):
        return image
    if image.mode == "P" or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _encode(frame: Image.Image) -> str:
    out = io.BytesIO()
    if frame.mode in ("RGBA", "LA"):
        frame.convert("RGBA").save(out, format="PNG", optimize=False, compress_level=9)
        mime = "image/png"
    else:
        frame.convert("RGB").save(out, format="JPEG", quality=82, optimize=False, progressive=False)
        mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"
