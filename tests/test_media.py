"""inspect_image: decode real image bytes, pass through or convert to PNG, or reject with a reason code."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from pathlib import Path
from typing import Any

import imagehash
import pytest
from PIL import Image, ImageOps

from packager.media.image import MAX_PIXELS, ImageData, ImageOptions, MediaError, inspect_image, perceptual_hash
from packager.model import REGISTRY


def gradient(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A real picture with varied pixels, so that lossy or lossless coding is visible."""
    width, height = size
    image = Image.new("RGB", size)
    image.putdata([(x * 255 // width, y * 255 // height, (x * y) % 256) for y in range(height) for x in range(width)])
    return image if mode == "RGB" else image.convert(mode)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def media_error(data: bytes) -> MediaError:
    with pytest.raises(MediaError) as info:
        inspect_image(data)
    assert info.value.reason in REGISTRY
    return info.value


def decode(payload: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(payload))
    image.load()
    return image


def png_with_size(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR claims another size, with the chunk CRC fixed so the header is valid."""
    data = bytearray(encode(Image.new("RGB", (4, 4), (1, 2, 3)), "PNG"))
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


# --- passthrough ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "extension", "options"),
    [
        ("JPEG", "jpg", {"quality": 90}),
        ("PNG", "png", {}),
        ("WEBP", "webp", {"quality": 80}),
        ("WEBP", "webp", {"lossless": True}),
    ],
)
def test_passthrough_is_byte_identical(fmt: str, extension: str, options: dict[str, Any]) -> None:
    data = encode(gradient(size=(64, 48)), fmt, **options)
    result = inspect_image(data)
    assert result == ImageData(
        payload=data,
        extension=extension,
        original_format=fmt,
        width=64,
        height=48,
        original_width=64,
        original_height=48,
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
        converted=False,
        phash=result.phash,
        has_metadata=False,
    )
    assert len(result.phash) == 16
    assert result.payload is data


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "LA", "1"])
def test_png_in_other_modes_passes_through(mode: str) -> None:
    data = encode(gradient(mode, (20, 10)), "PNG")
    result = inspect_image(data)
    assert (result.payload, result.extension, result.converted, result.width, result.height) == (
        data,
        "png",
        False,
        20,
        10,
    )


def test_cmyk_jpeg_passes_through() -> None:
    data = encode(gradient("CMYK", (30, 20)), "JPEG")
    result = inspect_image(data)
    assert (result.payload, result.extension, result.original_format) == (data, "jpg", "JPEG")


# --- conversion -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "options"), [("TIFF", {}), ("TIFF", {"compression": "tiff_lzw"}), ("BMP", {})])
def test_lossless_formats_convert_to_png_with_the_same_pixels(fmt: str, options: dict[str, Any]) -> None:
    source = gradient(size=(64, 48))
    data = encode(source, fmt, **options)
    result = inspect_image(data)
    assert (result.extension, result.original_format, result.converted) == ("png", fmt, True)
    assert (result.width, result.height) == (64, 48)
    assert (result.sha256, result.original_size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert result.payload.startswith(b"\x89PNG\r\n\x1a\n")
    back = decode(result.payload)
    assert back.format == "PNG"
    assert (back.mode, back.size) == ("RGB", (64, 48))
    assert back.tobytes() == source.tobytes()


def test_gif_converts_to_png_keeping_palette_pixels() -> None:
    data = encode(gradient(size=(40, 30)), "GIF")
    original = decode(data)
    result = inspect_image(data)
    assert (result.extension, result.original_format, result.converted) == ("png", "GIF", True)
    back = decode(result.payload)
    assert back.size == (40, 30)
    assert back.convert("RGB").tobytes() == original.convert("RGB").tobytes()


def test_animated_gif_ships_its_first_frame() -> None:
    frames = [Image.new("RGB", (12, 8), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    result = inspect_image(out.getvalue())
    back = decode(result.payload)
    assert getattr(back, "n_frames", 1) == 1
    assert back.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_gif_transparency_survives_conversion() -> None:
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    image.paste(1, (0, 0, 5, 10))
    result = inspect_image(encode(image, "GIF", transparency=0))
    back = decode(result.payload).convert("RGBA")
    assert back.getpixel((0, 0)) == (255, 255, 255, 255)
    assert back.getpixel((9, 9))[3] == 0


def test_cmyk_tiff_converts_to_rgb_png() -> None:
    source = gradient("CMYK", (32, 24))
    result = inspect_image(encode(source, "TIFF"))
    back = decode(result.payload)
    assert (result.converted, result.original_format, back.mode, back.size) == (True, "TIFF", "RGB", (32, 24))
    assert back.tobytes() == source.convert("RGB").tobytes()


def test_rgba_tiff_keeps_alpha() -> None:
    source = gradient("RGBA", (16, 8))
    source.putalpha(128)
    back = decode(inspect_image(encode(source, "TIFF")).payload)
    assert back.mode == "RGBA"
    assert back.tobytes() == source.tobytes()


def test_bilevel_group4_tiff_converts() -> None:
    source = gradient("1", (40, 20))
    back = decode(inspect_image(encode(source, "TIFF", compression="group4")).payload)
    assert (back.mode, back.size) == ("1", (40, 20))
    assert back.tobytes() == source.tobytes()


def sixteen_bit(mode: str) -> Image.Image:
    image = Image.new(mode, (4, 1))
    for x, value in enumerate((0, 1000, 30000, 65535)):
        image.putpixel((x, 0), value)
    return image


def test_sixteen_bit_tiff_converts_losslessly() -> None:
    data = encode(sixteen_bit("I;16"), "TIFF")
    assert data[:2] == b"II"
    result = inspect_image(data)
    back = decode(result.payload)
    assert (result.converted, result.extension, back.size) == (True, "png", (4, 1))
    assert [back.getpixel((x, 0)) for x in range(4)] == [0, 1000, 30000, 65535]


def test_big_endian_sixteen_bit_tiff_converts_losslessly() -> None:
    data = encode(sixteen_bit("I;16B"), "TIFF")
    assert data[:2] == b"MM"
    back = decode(inspect_image(data).payload)
    assert [back.getpixel((x, 0)) for x in range(4)] == [0, 1000, 30000, 65535]


def test_conversion_is_deterministic() -> None:
    data = encode(gradient(size=(50, 40)), "TIFF")
    assert inspect_image(data).payload == inspect_image(data).payload


# --- rejection --------------------------------------------------------------------------------------------


def test_empty_bytes_are_unreadable() -> None:
    error = media_error(b"")
    assert (error.reason, str(error)) == ("image:unreadable", "the file is empty (0 bytes)")


def test_truncated_jpeg() -> None:
    data = encode(gradient(size=(64, 48)), "JPEG", quality=95)
    error = media_error(data[: len(data) // 2])
    assert error.reason == "image:truncated"
    assert "truncated" in str(error)


def test_truncated_png() -> None:
    data = encode(gradient(size=(64, 48)), "PNG")
    assert media_error(data[: len(data) // 2]).reason == "image:truncated"


def test_random_bytes_are_unreadable() -> None:
    data = random.Random(20240601).randbytes(4096)
    error = media_error(data)
    assert (error.reason, str(error)) == ("image:unreadable", "not a recognised image format")


def test_png_signature_with_garbage_after_is_unreadable() -> None:
    error = media_error(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert error.reason == "image:unreadable"


@pytest.mark.parametrize(
    "text",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>',
        b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
    ],
)
def test_svg_and_html_are_unreadable(text: bytes) -> None:
    error = media_error(text)
    assert (error.reason, str(error)) == ("image:unreadable", "not a recognised image format")


def test_pdf_is_unreadable() -> None:
    data = encode(gradient(size=(20, 20)), "PDF")
    assert data.startswith(b"%PDF")
    error = media_error(data)
    assert (error.reason, str(error)) == ("image:unreadable", "not a recognised image format")


@pytest.mark.parametrize(("fmt", "name"), [("ICO", "ICO"), ("PPM", "PPM"), ("TGA", "TGA"), ("PCX", "PCX")])
def test_formats_pillow_reads_but_we_do_not_accept(fmt: str, name: str) -> None:
    error = media_error(encode(gradient(size=(16, 16)), fmt))
    assert (error.reason, str(error)) == ("image:unsupported-format", f"{name} images are not accepted")


def test_png_header_claiming_huge_size_is_a_decompression_bomb() -> None:
    data = png_with_size(100_000, 100_000)
    error = media_error(data)
    assert error.reason == "image:decompression-bomb"
    assert "10000000000 pixels" in str(error)


def test_png_header_just_over_the_limit_is_a_decompression_bomb() -> None:
    # 10000 x 10000 is over MAX_PIXELS but under twice it, where Pillow only warns.
    assert MAX_PIXELS < 10_000 * 10_000 < 2 * MAX_PIXELS
    error = media_error(png_with_size(10_000, 10_000))
    assert error.reason == "image:decompression-bomb"
    assert "100000000 pixels" in str(error)


def test_png_header_within_the_limit_but_short_of_data_is_truncated() -> None:
    # The same crafted header at a size under the limit: the 4x4 pixel data runs out, so it is cut short.
    assert media_error(png_with_size(2_000, 2_000)).reason == "image:truncated"


def test_resize_jpeg_uses_draft_and_keeps_aspect(tmp_path: Path) -> None:
    data = encode(gradient(size=(2000, 1000)), "JPEG", quality=90)
    result = inspect_image(data, ImageOptions(max_side=512))
    assert (result.width, result.height) == (512, 256)
    assert (result.original_width, result.original_height) == (2000, 1000)
    assert result.converted and result.extension == "jpg"
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    small = inspect_image(encode(gradient(size=(300, 200)), "JPEG"), ImageOptions(max_side=512))
    assert not small.converted  # already small enough: passed through untouched


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
@pytest.mark.parametrize("orientation", [1, 6, 3])
def test_a_resized_image_is_turned_as_its_orientation_says(fmt: str, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(gradient(size=(96, 64)), fmt, exif=exif)
    result = inspect_image(data, ImageOptions(max_side=32))
    # What Pillow's documented steps give: the image (a JPEG decoded at half scale, as a resize to a third
    # does) turned upright, then scaled down, then encoded.
    with Image.open(io.BytesIO(data)) as image:
        image.draft(image.mode, (48, 32))
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((32, 32), Image.Resampling.LANCZOS)
    expected = io.BytesIO()
    if fmt == "JPEG":
        upright.save(expected, format="JPEG", quality=90, optimize=False, progressive=False)
    else:
        upright.save(expected, format="PNG", optimize=False, compress_level=6)
    assert (result.width, result.height) == ((21, 32) if orientation == 6 else (32, 21))
    assert result.payload == expected.getvalue()


def test_reencode_to_webp_and_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "master.tif"
    path.write_bytes(encode(gradient(size=(640, 480)), "TIFF"))
    result = inspect_image(path, ImageOptions(max_side=320, encode="webp", quality=80))
    assert (result.extension, result.width, result.height) == ("webp", 320, 240)
    assert Image.open(io.BytesIO(result.payload)).format == "WEBP"
    assert result.original_size == path.stat().st_size


def test_truncated_file_is_caught_even_when_resizing() -> None:
    data = encode(gradient(size=(1600, 1200)), "JPEG")
    with pytest.raises(MediaError) as caught:
        inspect_image(data[: len(data) // 2], ImageOptions(max_side=256))
    assert caught.value.reason == "image:truncated"


def test_metadata_presence_is_detected() -> None:
    image = gradient(size=(32, 32))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8298] = "(c) 2001 Someone"
    image.save(out, format="JPEG", exif=exif.tobytes())
    assert inspect_image(out.getvalue()).has_metadata
    assert not inspect_image(encode(image, "JPEG")).has_metadata


def noisy_photo(size: tuple[int, int] = (320, 240), seed: int = 7) -> Image.Image:
    """Smooth colour fields plus noise: compresses like a photograph, with a pHash of its own."""
    rng = random.Random(seed)
    small = Image.new("RGB", (8, 6))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    image = small.resize(size, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(image, noise, 0.15)


@pytest.mark.parametrize("progressive", [False, True])
def test_draft_check_rejects_exactly_what_a_full_decode_rejects(progressive: bool) -> None:
    """Draft decoding rebuilds fewer pixels but reads every coefficient: the same damage is caught."""
    data = encode(noisy_photo(), "JPEG", quality=90, progressive=progressive)
    rng = random.Random(3)
    damaged = [data[:cut] for cut in range(400, len(data), len(data) // 25)]
    for _ in range(25):
        start = rng.randrange(400, len(data) - 64)
        damaged.append(data[:start] + bytes(64) + data[start + 64 :])  # a zeroed run, as on a bad disk

    def outcome(payload: bytes, options: ImageOptions) -> str:
        try:
            return "ok " + inspect_image(payload, options).phash
        except MediaError as exc:
            return exc.reason

    drafted = [outcome(d, ImageOptions()) for d in damaged]
    full = [outcome(d, ImageOptions(full_decode=True)) for d in damaged]
    assert [o.startswith("ok") for o in drafted] == [o.startswith("ok") for o in full]
    assert sum(o == "image:truncated" for o in drafted) >= 20  # every cut before the end of the scan data


def test_perceptual_hash_agrees_across_decode_paths_and_formats() -> None:
    """A JPEG checked in draft mode, fully decoded or resized, and the same pixels as PNG, hash alike."""
    photo = noisy_photo((800, 600))
    jpeg = encode(photo, "JPEG", quality=90)
    png = encode(decode(jpeg), "PNG")
    hashes = [
        inspect_image(jpeg).phash,
        inspect_image(jpeg, ImageOptions(full_decode=True)).phash,
        inspect_image(jpeg, ImageOptions(max_side=256)).phash,
        inspect_image(png).phash,
    ]
    first = imagehash.hex_to_hash(hashes[0])
    assert [imagehash.hex_to_hash(h) - first for h in hashes] == [0, *[pytest.approx(0, abs=2)] * 3]
    other = inspect_image(encode(noisy_photo((800, 600), seed=8), "JPEG", quality=90)).phash
    assert imagehash.hex_to_hash(other) - first > 10  # another picture is far away


def _hash_inputs() -> list[Image.Image]:
    """32x32 greyscale images of every kind a hash meets: noise, flat (every AC term ties), stripes, gradients."""
    rng = random.Random(20261207)
    images = [Image.frombytes("L", (32, 32), rng.randbytes(32 * 32)) for _ in range(300)]
    images += [Image.new("L", (32, 32), value) for value in (0, 1, 128, 255)]
    images += [
        Image.frombytes("L", (32, 32), bytes((x // step % 2) * 255 for _ in range(32) for x in range(32)))
        for step in (1, 2, 4, 16)
    ]
    images += [gradient("L", (32, 32)), gradient("RGB", (32, 32)).convert("L").transpose(Image.Transpose.ROTATE_90)]
    images += [
        noisy_photo((320, 240), seed=n).convert("L").resize((32, 32), Image.Resampling.LANCZOS) for n in range(20)
    ]
    return images


def test_perceptual_hash_is_imagehash_phash_bit_for_bit() -> None:
    for small in _hash_inputs():
        assert perceptual_hash(small) == str(imagehash.phash(small))


def test_full_decode_ships_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(encode(noisy_photo(), "JPEG", quality=85))
    drafted, full = inspect_image(path), inspect_image(path, ImageOptions(full_decode=True))
    assert drafted.payload == full.payload == path.read_bytes()
    assert (drafted.width, drafted.height, drafted.sha256) == (full.width, full.height, full.sha256)
