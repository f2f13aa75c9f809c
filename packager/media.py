"""Images: decode and check, record what they are, and pass them on as shippable bytes.

JPEG, PNG and WebP pass through byte for byte; other formats are converted to
PNG (lossless). Every image is fully decoded once, so truncated and corrupt
files are caught here rather than by whoever trains on the data.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

PASSTHROUGH = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONVERTIBLE = {"TIFF", "BMP", "GIF", "MPO"}
# Pillow's own bomb limit (89 Mpx warns, twice that raises); we treat the warning as fatal too.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}


class MediaError(Exception):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class ImageData:
    """A checked image: the bytes to ship and what we learned about the original."""

    payload: bytes
    extension: str  # jpg | png | webp: the tar member's extension
    original_format: str
    width: int
    height: int
    sha256: str  # of the original bytes
    original_size: int
    converted: bool


def inspect_image(data: bytes) -> ImageData:
    """Decode ``data`` fully and return what to ship, or raise MediaError with a reason code."""
    if not data:
        raise MediaError("image:unreadable", "the file is empty (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or "unknown"
                if fmt not in PASSTHROUGH and fmt not in CONVERTIBLE:
                    raise MediaError("image:unsupported-format", f"{fmt} images are not accepted")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise MediaError(
                        "image:decompression-bomb",
                        f"{width}x{height} pixels is over the limit of {MAX_PIXELS} pixels",
                    )
                image.load()
                if fmt in PASSTHROUGH:
                    return ImageData(data, PASSTHROUGH[fmt], fmt, width, height, digest, len(data), False)
                return ImageData(_to_png(image), "png", fmt, width, height, digest, len(data), True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaError("image:decompression-bomb", str(exc)) from exc
        except UnidentifiedImageError as exc:
            raise MediaError("image:unreadable", "not a recognised image format") from exc
        except OSError as exc:
            if "truncated" in str(exc).lower():
                raise MediaError("image:truncated", str(exc)) from exc
            raise MediaError("image:unreadable", f"the image could not be decoded: {exc}") from exc
        except (ValueError, SyntaxError, EOFError) as exc:
            # Pillow raises these for malformed headers in several plugins.
            raise MediaError("image:unreadable", f"the image could not be decoded: {exc}") from exc


def _to_png(image: Image.Image) -> bytes:
    """Encode the first frame losslessly as PNG, in a mode PNG can hold."""
    image.seek(0)
    frame = image
    if frame.mode.startswith("I;16"):
        pass  # PNG stores 16-bit greyscale in either byte order; converting would clip to 8 bits.
    elif frame.mode == "I":
        frame = frame.convert("I;16")
    elif frame.mode not in PNG_MODES:
        has_alpha = "A" in frame.getbands() or "transparency" in frame.info
        frame = frame.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    # No timestamps or text chunks are written by Pillow's PNG encoder: same pixels, same bytes.
    frame.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
