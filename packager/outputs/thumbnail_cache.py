"""report.html's gallery thumbnails, kept from one build for the next by the SHA-256 of the picture.

Drawing the gallery (decoding two dozen shipped pictures, scaling and encoding them) is most of
what writing report.html costs, and a release whose first partitions are reused shows the same
pictures as the one before it. A thumbnail depends only on the picture's bytes, its size and the
code that draws it, so it is kept under the SHA-256 of those bytes and its size, in a file of the
build's state folder, marked with the versions of pdpack, Pillow and Pillow's JPEG and zlib
libraries: a file drawn by any other versions is not used, and the picture is drawn again. An
entry is used only when it is a data: URI of the two kinds thumbnails are, so a damaged or edited
file costs the drawing, never the page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import __version__ as pillow_version
from PIL import features

from packager.atomic import write_atomic
from packager.outputs.thumbnails import Drawing, draw_thumbnail, thumbnail_uri
from packager.version import __version__

THUMBNAILS_FILE = "thumbnails.json"
# How a caller draws many thumbnails at once: ``draw_thumbnail`` mapped over the drawings, results in order.
Mapper = Callable[[Callable[[Drawing], str | None], list[Drawing]], Iterable[str | None]]
_URI = re.compile(r"data:image/(?:jpeg|png);base64,[A-Za-z0-9+/]+={0,2}")


def drawn_by() -> str:
    """What a thumbnail's bytes depend on besides the picture: the code that draws and encodes it."""
    libraries = ", ".join(f"{name} {features.version(name)}" for name in ("jpg", "libjpeg_turbo", "zlib"))
    return f"pdpack {__version__}; Pillow {pillow_version}; {libraries}"


class ThumbnailCache:
    """Thumbnails read from earlier builds' files; those asked for in this build are saved for the next."""

    def __init__(self, files: Iterable[Path] = ()) -> None:
        self._tag = drawn_by()
        self._known: dict[str, str | None] = {}
        self._used: dict[str, str | None] = {}
        for path in files:
            self._known.update(self._read(path))

    def _read(self, path: Path) -> dict[str, str | None]:
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none, or unreadable: the pictures are drawn again
        if not isinstance(saved, dict) or saved.get("drawn_by") != self._tag:
            return {}
        entries = saved.get("thumbnails")
        if not isinstance(entries, dict):
            return {}
        return {
            key: uri
            for key, uri in entries.items()
            if isinstance(key, str) and (uri is None or (isinstance(uri, str) and _URI.fullmatch(uri)))
        }

    def uri(self, image: bytes, side: int) -> str | None:
        """The picture's thumbnail as a data: URI, as ``thumbnail_uri`` draws it (None when it does not decode)."""
        key = _key(image, side)
        if key not in self._used:
            self._used[key] = self._known[key] if key in self._known else thumbnail_uri(image, side)
        return self._used[key]

    def draw_ahead(self, images: Iterable[bytes], side: int, mapper: Mapper) -> None:
        """Draw the thumbnails of ``images`` that no earlier build kept with ``mapper`` (a build's idle workers),
        so that ``uri`` finds them instead of drawing each in turn; the same bytes, drawn elsewhere."""
        missing: dict[str, bytes] = {}
        for image in images:
            key = _key(image, side)
            if key not in self._known:
                missing.setdefault(key, image)
        if not missing:
            return
        drawn = mapper(draw_thumbnail, [(image, side) for image in missing.values()])
        self._known.update(zip(missing, drawn, strict=True))

    def save(self, path: Path) -> None:
        """Keep this build's thumbnails (only those): a scratch file, so not flushed to disk."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"drawn_by": self._tag, "thumbnails": self._used}, sort_keys=True)
        write_atomic(path, text, durable=False)


def _key(image: bytes, side: int) -> str:
    return f"{side}:{hashlib.sha256(image).hexdigest()}"
