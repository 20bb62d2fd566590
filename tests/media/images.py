"""Test photos made with Pillow in the test (no binary fixtures): the shapes phones and attackers send."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size=(1200, 900), color=(200, 60, 30), *, orientation: int | None = None, gps: bool = False, **save) -> bytes:
    image = Image.new("RGB", size, color)
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a marker in the top-left corner
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes() if (orientation or gps) else b"", **save)
    return out.getvalue()


def png_with_alpha(size=(900, 600)) -> bytes:
    image = Image.new("RGBA", size, (0, 128, 255, 0))
    image.paste((0, 128, 255, 255), (size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def cmyk_jpeg(size=(1000, 700), *, with_profile: bool = False) -> bytes:
    """Pure cyan in CMYK: in sRGB it must come out cyan (Adobe-inverted CMYK read the wrong way is red)."""
    image = Image.new("CMYK", size, (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def webp(size=(700, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 160, 90)).save(out, "WEBP")
    return out.getvalue()


def lab_profile_png(size=(400, 300)) -> bytes:
    """A PNG whose ICC profile is not sRGB (LAB's D50 profile stands in for a wide-gamut one)."""
    image = Image.new("RGB", size, (120, 120, 120))
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    out = io.BytesIO()
    image.save(out, "PNG", icc_profile=profile.tobytes())
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width=30_000, height=30_000) -> bytes:
    """900 MP of zeros, a few kilobytes compressed: the classic decompression bomb."""
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    body = b"".join(raw.compress(row) for _ in range(200)) + raw.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def huge_header_jpeg(width=60_000, height=60_000) -> bytes:
    """A real JPEG whose SOF header claims 3.6 gigapixels, with a body of a few hundred bytes."""
    small = jpeg((16, 16))
    at = small.index(b"\xff\xc0")
    return small[: at + 5] + struct.pack(">HH", height, width) + small[at + 9 :]


def truncated_jpeg() -> bytes:
    whole = jpeg((1600, 1200))
    return whole[: len(whole) // 2]


def pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"0" * 2000 + b"\n%%EOF\n"


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (50, 50)).save(out, "GIF")
    return out.getvalue()


def slightly_over_limit_png(pixels: int) -> bytes:
    """Just over `pixels`: Pillow alone would only warn (below 2x its limit); the pipeline must refuse."""
    width = 10_000
    height = pixels // width + 1
    return png_bomb(width, height)
