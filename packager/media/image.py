"""Images: decode and check, record what they are, and pass them on as shippable bytes.

JPEG, PNG and WebP pass through byte for byte unless a resize or a re-encoding is
asked for; other formats (TIFF masters, BMP, GIF) are converted, PNG by default.
Every image is decoded to the end of its data once, so truncated and corrupt files
are caught here rather than by whoever trains on the data.

A JPEG that ships as it is, or is resized, is decoded in draft mode: libjpeg still
reads and Huffman-decodes every coefficient of every scan (which is where damage
shows), but rebuilds the pixels at 1/2 to 1/8 scale, which is most of the cost of
a full decode. ``ImageOptions(full_decode=True)`` rebuilds every pixel instead.

Files up to ``READ_WHOLE_LIMIT`` are read once, and the same bytes are hashed,
decoded and shipped. Larger ones are opened from disk rather than read into memory
first: a several-hundred-megabyte TIFF master is decoded once and never held as
raw bytes beside its pixels.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy
from PIL import Image, ImageOps, UnidentifiedImageError

from packager.digest import file_sha256_and_size

PASSTHROUGH = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONVERTIBLE = {"TIFF", "BMP", "GIF", "MPO"}
ENCODINGS = ("original", "jpg", "png", "webp")
_PIL_FORMAT = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Pillow's own bomb limit (89 Mpx warns, twice that raises); we treat the warning as fatal too.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}
# Where a file can carry the rights tags ExifTool reads; a file with none of them has nothing to find.
_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "iptc", "Copyright", "Rights")
_TIFF_METADATA_TAGS = (33432, 33723, 34377, 700)  # Copyright, IPTC, Photoshop, XMP
READ_WHOLE_LIMIT = 64 * 1024 * 1024
# The perceptual hash is taken from the image reduced by up to this factor (a JPEG's DCT
# scaling and a box filter give the same small image), so it costs the same for every format.
HASH_REDUCTION = 8
HASH_MIN_SIDE = 32  # imagehash's pHash looks at a 32x32 image


class MediaError(Exception):
    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class ImageOptions:
    """How shipped images are made: untouched by default."""

    max_side: int | None = None  # longest side in pixels; larger images are resized
    encode: str = "original"  # original | jpg | png | webp
    quality: int = 90  # for jpg and webp
    # Rebuild every pixel of JPEGs too (slower; draft decoding already catches the same damage).
    full_decode: bool = False

    def __post_init__(self) -> None:
        if self.encode not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encode!r}; choose one of {', '.join(ENCODINGS)}")
        if self.max_side is not None and self.max_side < 16:
            raise ValueError("max_side must be at least 16 pixels")
        if not 1 <= self.quality <= 100:
            raise ValueError("quality must be between 1 and 100")


@dataclass(frozen=True)
class ImageData:
    """A checked image: the bytes to ship and what we learned about the original."""

    payload: bytes
    extension: str  # jpg | png | webp: the tar member's extension
    original_format: str
    width: int  # of the shipped image
    height: int
    original_width: int
    original_height: int
    sha256: str  # of the original bytes
    original_size: int
    converted: bool  # the shipped bytes are not the original bytes
    phash: str  # perceptual hash (imagehash.phash, as perceptual_hash computes it), 16 hex digits
    has_metadata: bool  # the file has EXIF, XMP, IPTC or text blocks that may carry rights


def inspect_image(source: bytes | Path, options: ImageOptions | None = None) -> ImageData:
    """Decode ``source`` to the end and return what to ship, or raise MediaError with a reason code."""
    options = options or ImageOptions()
    if isinstance(source, Path) and source.stat().st_size <= READ_WHOLE_LIMIT:
        source = source.read_bytes()
    if isinstance(source, Path):
        digest, size = file_sha256_and_size(source)
    else:
        digest, size = hashlib.sha256(source).hexdigest(), len(source)
    if size == 0:
        raise MediaError("image:unreadable", "the file is empty (0 bytes)")
    handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with handle, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(handle, source, digest, size, options)
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


def _decode(handle: IO[bytes], source: bytes | Path, digest: str, size: int, options: ImageOptions) -> ImageData:
    with Image.open(handle) as image:
        fmt = image.format or "unknown"
        if fmt not in PASSTHROUGH and fmt not in CONVERTIBLE:
            raise MediaError("image:unsupported-format", f"{fmt} images are not accepted")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise MediaError(
                "image:decompression-bomb", f"{width}x{height} pixels is over the limit of {MAX_PIXELS} pixels"
            )
        has_metadata = _has_metadata(image)
        resize = options.max_side is not None and max(width, height) > options.max_side
        target = _target_extension(fmt, options)
        passthrough = not resize and target == PASSTHROUGH.get(fmt)
        hash_factor = _hash_factor(width, height)
        if fmt == "JPEG" and (resize or (passthrough and not options.full_decode)):
            # The smallest DCT scale that still gives what is needed: the resize target, or the hash's input.
            factor = hash_factor
            if resize:
                assert options.max_side is not None
                factor = min(factor, _power_of_two_at_most(max(width, height) / options.max_side))
            if factor > 1:
                # Pillow picks the largest scale with size // requested >= scale, so ask with floor division.
                image.draft(image.mode, (max(1, width // factor), max(1, height // factor)))
        image.load()
        drafted = max(1, round(width / image.width))
        phash = perceptual_hash(_hash_input(image, max(1, hash_factor // drafted)))
        if passthrough:
            payload = source.read_bytes() if isinstance(source, Path) else source
            return ImageData(
                payload, target, fmt, width, height, width, height, digest, size, False, phash, has_metadata
            )
        frame = _first_frame(image)
        if resize:
            # In place: the file's image is not used again, and a copy of every pixel (what the default makes
            # even when there is nothing to turn) cost as much as a fifth of a resize.
            ImageOps.exif_transpose(frame, in_place=True)
            assert options.max_side is not None
            frame.thumbnail((options.max_side, options.max_side), Image.Resampling.LANCZOS)
        payload = _encode(frame, target, options.quality)
        return ImageData(
            payload, target, fmt, frame.width, frame.height, width, height, digest, size, True, phash, has_metadata
        )


def _power_of_two_at_most(value: float) -> int:
    """1, 2, 4 or 8: the JPEG DCT scales Pillow's draft mode can pick."""
    for factor in (8, 4, 2):
        if value >= factor:
            return factor
    return 1


def _hash_factor(width: int, height: int) -> int:
    """How much to shrink an image before hashing it, leaving at least 32 pixels a side."""
    return _power_of_two_at_most(min(HASH_REDUCTION, min(width, height) / HASH_MIN_SIDE))


def _hash_input(image: Image.Image, still_to_reduce: int) -> Image.Image:
    """A small greyscale copy for the perceptual hash, from the image at 1/``_hash_factor`` of full size.

    ``still_to_reduce`` is the part of that reduction a draft decode has not already done. imagehash
    would resize the full image with LANCZOS, as costly as decoding it; a box-reduced copy gives the
    same hash to within a bit or two, which the near-duplicate distance allows for.
    """
    small = _eight_bit(image)
    if small.mode not in ("L", "RGB", "RGBA", "CMYK", "YCbCr", "LA"):
        small = small.convert("L")  # palette indices and 1-bit pixels can't be averaged
    if still_to_reduce > 1:
        small = small.reduce(still_to_reduce)
    return small.convert("L").resize((32, 32), Image.Resampling.LANCZOS)


def perceptual_hash(small: Image.Image) -> str:
    """``str(imagehash.phash(small))`` for the 32x32 greyscale image ``_hash_input`` makes, bit for bit.

    The same DCT calls on the same pixels, and the median of the 64 low frequencies taken as the
    mean of the middle two, as numpy's median does; without imagehash's general-purpose steps
    (converting and resizing an image already 32x32 and greyscale, numpy's median, a hex string
    built one bit at a time), which cost three times the DCT itself on every image.
    """
    import scipy.fftpack  # here, as imagehash does: a quarter second the parent process never needs

    assert small.mode == "L" and small.size == (32, 32)
    pixels = numpy.asarray(small)
    low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    ordered = sorted(low.ravel().tolist())
    median = (ordered[31] + ordered[32]) / 2
    bits = numpy.packbits(low > median)  # row by row, first bit highest: imagehash's order
    return f"{int.from_bytes(bits.tobytes(), 'big'):016x}"


def _eight_bit(image: Image.Image) -> Image.Image:
    """16- and 32-bit greyscale scaled to 8 bits: imagehash would clip them, and every one would hash alike."""
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda v: v / 256).convert("L")
    return image


def _target_extension(fmt: str, options: ImageOptions) -> str:
    if options.encode != "original":
        return options.encode
    return PASSTHROUGH.get(fmt, "png")


def _has_metadata(image: Image.Image) -> bool:
    """Whether the file may carry rights tags. Only formats whose metadata blocks Pillow fully
    exposes can answer no; for any other format (GIF, BMP, ...) ExifTool is always asked."""
    if any(key in image.info for key in _METADATA_KEYS):
        return True
    if image.format == "JPEG":
        # Every APPn segment: APP1 holds EXIF and XMP, APP13 IPTC; others may hold vendor metadata.
        return any(marker != "APP0" for marker, _ in getattr(image, "applist", []))
    if image.format == "TIFF":
        tags = getattr(image, "tag_v2", {})
        return any(tag in tags for tag in _TIFF_METADATA_TAGS)
    if image.format == "PNG":
        # Any text chunk may hold XMP or a copyright line.
        return bool(getattr(image, "text", None))
    return image.format != "WEBP"


def _first_frame(image: Image.Image) -> Image.Image:
    image.seek(0)
    return image


def _encode(frame: Image.Image, extension: str, quality: int) -> bytes:
    out = io.BytesIO()
    if extension == "png":
        frame = _png_mode(frame)
        # No timestamps or text chunks are written by Pillow's PNG encoder: same pixels, same bytes.
        frame.save(out, format="PNG", optimize=False, compress_level=6)
    elif extension == "jpg":
        if frame.mode not in ("RGB", "L"):
            frame = frame.convert("RGB")
        frame.save(out, format="JPEG", quality=quality, optimize=False, progressive=False)
    else:
        if frame.mode not in ("RGB", "RGBA"):
            has_alpha = "A" in frame.getbands() or "transparency" in frame.info
            frame = frame.convert("RGBA" if has_alpha else "RGB")
        frame.save(out, format=_PIL_FORMAT[extension], quality=quality, method=4)
    return out.getvalue()


def _png_mode(frame: Image.Image) -> Image.Image:
    """A mode PNG can hold, keeping 16-bit depth where there is one."""
    if frame.mode.startswith("I;16"):
        return frame  # PNG stores 16-bit greyscale in either byte order; converting would clip to 8 bits.
    if frame.mode == "I":
        return frame.convert("I;16")
    if frame.mode not in PNG_MODES:
        has_alpha = "A" in frame.getbands() or "transparency" in frame.info
        return frame.convert("RGBA" if has_alpha else "RGB")
    return frame
