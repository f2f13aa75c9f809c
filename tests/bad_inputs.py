"""Generators of bad (and awkward but legal) input files, for tests/test_bad_input.py.

Every generator returns real bytes built on the spot: no fixture files to go stale, and each one
is what a collection really receives (an export cut short, a PDF renamed .jpg, a hostile PNG).
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from typing import Any

from PIL import Image, TiffImagePlugin

# --- pictures ----------------------------------------------------------------------------------------------
# Every generator takes a seed and draws a different picture for each: the build holds back near
# duplicates (perceptual hash), so two cases drawing the same picture would hide each other.


def picture(seed: int, size: tuple[int, int] = (48, 32), mode: str = "RGB") -> Image.Image:
    """Blocks of 8 x 8 pixels in colours drawn from ``seed``: distinct pictures, stable bytes."""
    rng = random.Random(seed)
    columns, rows = -(-size[0] // 8), -(-size[1] // 8)
    small = Image.new("RGB", (columns, rows))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(columns * rows)])
    image = small.resize((columns * 8, rows * 8), Image.Resampling.NEAREST).crop((0, 0, *size))
    return image if mode == "RGB" else image.convert(mode)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def good_jpeg(seed: int) -> bytes:
    return encode(picture(seed), "JPEG", quality=90)


def good_png(seed: int) -> bytes:
    return encode(picture(seed), "PNG")


# --- broken files ------------------------------------------------------------------------------------------


def zero_bytes(seed: int = 0) -> bytes:
    return b""


def truncated_jpeg(seed: int) -> bytes:
    data = good_jpeg(seed)
    return data[: len(data) // 2]


def truncated_png(seed: int) -> bytes:
    data = encode(picture(seed, (200, 200)), "PNG")
    return data[: len(data) // 2]


def corrupt_jpeg_header(seed: int) -> bytes:
    """A JPEG whose frame header (SOF0) claims a length that runs past the marker segment."""
    data = bytearray(good_jpeg(seed))
    sof = data.index(b"\xff\xc0")
    data[sof + 2 : sof + 4] = b"\xff\xff"
    return bytes(data)


def corrupt_jpeg_scan(seed: int) -> bytes:
    """A JPEG whose compressed scan data is overwritten with noise, markers intact."""
    data = bytearray(encode(picture(seed, (128, 128)), "JPEG", quality=95))
    start = data.index(b"\xff\xda") + 20
    noise = random_bytes(64, seed)
    for offset, value in enumerate(noise):
        data[start + 40 + offset] = value if value != 0xFF else 0x00
    return bytes(data)


def corrupt_png_crc(seed: int) -> bytes:
    """A PNG whose image data fails its checksum."""
    data = bytearray(good_png(seed))
    idat = data.index(b"IDAT")
    data[idat + 8] ^= 0xFF
    return bytes(data)


def random_bytes(size: int = 4096, seed: int = 12345) -> bytes:
    """Deterministic noise with no image signature."""
    return random.Random(seed).randbytes(size)


def noise(seed: int) -> bytes:
    data = random_bytes(4096, seed)
    return b"\x00" + data[1:]  # no accidental signature


# --- other formats posing as images ----------------------------------------------------------------------------

SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">
  <script>alert(document.domain)</script>
  <rect width="100" height="100" fill="red"/>
</svg>
"""

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script><img src=x onerror=alert(1)></body></html>"


def svg_document(seed: int = 0) -> bytes:
    return SVG


def html_document(seed: int = 0) -> bytes:
    return HTML


def pdf_document(seed: int) -> bytes:
    """A real one-page PDF, as Pillow writes it."""
    return encode(picture(seed), "PDF")


def eps_document(marker: str) -> bytes:
    """Encapsulated PostScript that would write a file if Ghostscript ever drew it."""
    return (
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
        + f"({marker}) (w) file closefile\nshowpage\n%%EOF\n".encode()
    )


def ppm_image(seed: int) -> bytes:
    """A real image in a format Pillow reads but pdpack does not accept."""
    return encode(picture(seed), "PPM")


# --- hostile sizes -------------------------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


@functools.cache
def png_bomb(seed: int = 0, side: int = 30_000) -> bytes:
    """A real decompression bomb: a 1-bit ``side`` x ``side`` PNG of zeros, about 100 KB on disk.

    Decoded to RGB it would take side * side * 3 bytes (2.7 GB at 30 000 px).
    """
    row = b"\x00" + bytes(-(-side // 8))  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (with a valid CRC)."""
    data = bytearray(encode(Image.new("RGB", (4, 4), (1, 2, 3)), "PNG"))
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def png_over_pixel_limit(seed: int = 0) -> bytes:
    """10 000 x 10 000 = 100 Mpx: over the 89 Mpx limit, under Pillow's own hard limit."""
    return png_claiming_size(10_000, 10_000)


def gif_claiming_size(seed: int = 0) -> bytes:
    """A GIF whose screen and frame claim 65 535 x 65 535, the largest size the format can hold."""
    data = bytearray(encode(Image.new("P", (4, 4)), "GIF"))
    struct.pack_into("<HH", data, 6, 65_535, 65_535)
    frame = data.index(b",")  # image descriptor: left, top, width, height
    struct.pack_into("<HH", data, frame + 5, 65_535, 65_535)
    return bytes(data)


def long_thin_png(seed: int) -> bytes:
    """Legal but extreme: 20 000 x 40 pixels (blocks stretched sideways, so the picture keeps some detail)."""
    return encode(picture(seed, (40, 40)).resize((20_000, 40), Image.Resampling.NEAREST), "PNG")


# --- unusual but valid images ------------------------------------------------------------------------------------


def sixteen_bit(seed: int) -> Image.Image:
    """A 16-bit greyscale picture whose values need all 16 bits (above 255)."""
    grey = picture(seed, (40, 32), "L")
    image = Image.new("I;16", grey.size)
    image.putdata([v * 257 for v in grey.tobytes()])
    return image


def png_16bit(seed: int) -> bytes:
    return encode(sixteen_bit(seed), "PNG")


def tiff_16bit(seed: int) -> bytes:
    return encode(sixteen_bit(seed), "TIFF")


def cmyk_jpeg(seed: int) -> bytes:
    return encode(picture(seed, mode="CMYK"), "JPEG", quality=90)


def cmyk_tiff(seed: int) -> bytes:
    return encode(picture(seed, mode="CMYK"), "TIFF")


def palette_picture(seed: int) -> Image.Image:
    """Palette image: index 0 is transparent, the rest are the picture's colours."""
    image = picture(seed).quantize(colors=16)
    image.paste(0, (0, 0, 16, 16))
    return image


def palette_png_with_transparency(seed: int) -> bytes:
    return encode(palette_picture(seed), "PNG", transparency=0)


def palette_gif_with_transparency(seed: int) -> bytes:
    return encode(palette_picture(seed), "GIF", transparency=0)


ORIENTATION = 0x0112


def exif_rotated_jpeg(seed: int) -> bytes:
    """Stored 48 x 32 with EXIF Orientation 6: viewers show it 32 x 48, turned 90 degrees clockwise."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    return encode(picture(seed), "JPEG", quality=90, exif=exif)


def exif_rotated_tiff(seed: int) -> bytes:
    """Stored 48 x 32 with the TIFF Orientation tag 6: meant to be seen 32 x 48."""
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[ORIENTATION] = 6
    return encode(picture(seed), "TIFF", tiffinfo=info)


def frames(seed: int, count: int = 3) -> list[Image.Image]:
    return [picture(seed * 100 + n, (16, 16)) for n in range(count)]


def animated_gif(seed: int) -> bytes:
    first, *rest = frames(seed)
    return encode(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)


def multipage_tiff(seed: int) -> bytes:
    first, *rest = frames(seed)
    return encode(first, "TIFF", save_all=True, append_images=rest)


def animated_png(seed: int) -> bytes:
    first, *rest = frames(seed)
    return encode(first, "PNG", save_all=True, append_images=rest, duration=100, loop=0)


# --- manifests and YAML ------------------------------------------------------------------------------------------


def billion_laughs(key: str = "lol", depth: int = 9) -> str:
    """collection.yaml text with an alias bomb under ``key``: 9**depth strings if expanded."""
    lines = ["id: bomb", 'title: "Bomb"', 'institution: "Test Museum"', 'l0: &l0 ["lol","lol","lol","lol","lol"]']
    for level in range(1, depth):
        refs = ",".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    lines.append(f"{key}: *l{depth - 1}")
    return "\n".join(lines) + "\n"


def alias_bomb_in_values(depth: int = 9) -> str:
    """collection.yaml whose ``values`` table maps a value to an alias bomb."""
    lines = ["id: bomb", 'title: "Bomb"', 'institution: "Test Museum"', 'l0: &l0 ["lol","lol","lol","lol","lol"]']
    for level in range(1, depth):
        refs = ",".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    lines.append(f"values: {{rights: {{yes: *l{depth - 1}}}}}")
    return "\n".join(lines) + "\n"


def unsafe_tag_yaml(marker: str) -> str:
    """collection.yaml that would run a shell command if it were loaded with yaml.load/unsafe_load."""
    return (
        "id: unsafe\n"
        'title: "Unsafe"\n'
        'institution: "Test Museum"\n'
        f'description: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
