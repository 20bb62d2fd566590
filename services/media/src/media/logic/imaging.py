"""Pillow, hardened: an upload's bytes in, its renditions (WebP + JPEG per width) out, or `Rejected`.

What keeps a hostile file harmless and a phone photo right:
- `Image.open(..., formats=ALLOWED_FORMATS)`: no other decoder ever sees the bytes (Pillow's own
  workaround for the FITS and other decoder bombs); the declared type must be the one found.
- The decompression-bomb limit is kept and tightened: more than `MAX_PIXELS` is a rejection, checked from
  the header before any pixel is decoded (Pillow only warns between 1x and 2x its limit; here that warning
  is an error too).
- JPEGs decode once, through `draft()` at the smallest DCT scale that still covers the largest rendition;
  each smaller rendition is resized from the one before it, with `reducing_gap`, so a 50 MP photo never
  becomes a 150 MB bitmap.
- `ImageOps.exif_transpose` applies the orientation; renditions are written without EXIF, GPS, XMP or
  comments. An embedded ICC profile that is not sRGB is converted to sRGB (CMYK JPEGs included), after the
  first shrink, as libvips does, with one cached transform per profile; nothing is embedded back.
- Widths are never upscaled: a rendition wider than the original is replaced by one at its own width.
"""

from __future__ import annotations

import functools
import io
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

# The three decoders, registered by name: otherwise Image.open(formats=...) and save() call Image.init(),
# which imports every one of Pillow's ~45 plugins (most of its cold-start cost) for formats never used.
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin  # noqa: F401

from media.logic.rejections import Rejected

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
WIDTHS = (320, 800, 1600)
MAX_PIXELS = 64_000_000  # a 50 MP phone photo with room to spare; also Pillow's own limit below
JPEG_QUALITY = 82
WEBP_QUALITY = 80
REDUCING_GAP = 2.0
# Measured by bench/media_thumbnails.py --stages: bicubic (Pillow's resize antialiases with every filter)
# is ~3x Lanczos' speed for these downscales, and WebP method 2 ~40% of method 4's time for ~4% more
# bytes. A progressive JPEG costs 2.5x the encode time for ~4% fewer bytes than an optimized baseline one,
# and the JPEG is only the fallback for the rare browser without WebP.
RESAMPLE = Image.Resampling.BICUBIC
WEBP_METHOD = 2
JPEG_PROGRESSIVE = False
DRAFT_SCALES = (8, 4, 2, 1)  # the DCT scales libjpeg decodes at

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is a rejection, never a half-grey rendition

# Magic numbers of formats Pillow could decode but we refuse: named, so the rejection says why.
_OTHER_FORMATS = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"SIMPLE  =", "FITS"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"8BPS", "PSD"),
)
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str  # "webp" or "jpeg"
    extension: str  # "webp" or "jpg"
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Rendered:
    width: int  # of the original, after EXIF rotation
    height: int
    renditions: tuple[Rendition, ...]


def target_widths(width: int) -> list[int]:
    """The rendition widths for an original this wide: WIDTHS, with any wider than it replaced by it."""
    return sorted({min(w, width) for w in WIDTHS})


def _identify_refused(data: bytes) -> str | None:
    head = data[:16]
    for magic, name in _OTHER_FORMATS:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "HEIF/AVIF"
    return None


def open_image(data: bytes, expected_format: str | None = None) -> Image.Image:
    """The image, header read and checked (format, type, pixel count); no pixel decoded yet."""
    if not data:
        raise Rejected("empty", "the file is 0 bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Rejected("decompression-bomb", str(error)) from None
    except Image.UnidentifiedImageError:
        refused = _identify_refused(data)
        if refused:
            raise Rejected("unsupported-format", f"{refused} is not accepted (JPEG, PNG, WebP)") from None
        raise Rejected("not-an-image", "no JPEG, PNG or WebP header") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Rejected("truncated", f"unreadable header: {error}") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        image.close()
        raise Rejected("decompression-bomb", f"{width}x{height} is over {MAX_PIXELS} pixels")
    if expected_format and image.format != expected_format:
        found = image.format
        image.close()
        raise Rejected("unsupported-format", f"declared {expected_format}, the file is {found}")
    return image


def _display_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def draft_scale(display_width: int, largest: int) -> int:
    """The largest DCT scale whose decode is still at least `largest` wide (libjpeg rounds sizes up)."""
    return next((s for s in DRAFT_SCALES if -(-display_width // s) >= largest), 1)


def _decode(image: Image.Image, largest: int, display: tuple[int, int]) -> Image.Image:
    """Decode the pixels, JPEGs at the smallest DCT scale at least `largest` wide once rotated."""
    if image.format == "JPEG":
        scale = draft_scale(display[0], largest)
        if scale > 1:
            width, height = image.size
            # draft() takes the largest scale with size // requested >= scale on both sides: ask for the
            # floor, so that is this one (the ceiling, or `largest` itself, can make it pick a scale less)
            image.draft(image.mode, (max(1, width // scale), max(1, height // scale)))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise Rejected("truncated", str(error)) from None
    return image


def _resizable(image: Image.Image) -> Image.Image:
    """8-bit bands Pillow resizes with the filter (palettes would fall back to nearest, 16 bits to 8 later)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode.startswith("I;16"):
        return image.point(lambda v: v / 256).convert("L")
    if image.mode in ("I", "F", "1"):
        return image.convert("L")
    if image.mode in ("P", "PA", "LA"):
        return image.convert("RGBA" if has_alpha else "RGB")
    return image  # RGB, RGBA, L, CMYK: as decoded, no copy


@functools.lru_cache(maxsize=16)
def _srgb_transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The profile's transform to sRGB, built once per profile (lcms' LUTs take milliseconds to make); None
    when the profile is sRGB already (most phones' JPEGs) or unreadable (treated as sRGB, as browsers do)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if mode in ("RGB", "RGBA") and ImageCms.getProfileDescription(source).strip().startswith("sRGB"):
            return None
        return ImageCms.buildTransform(source, _SRGB, mode, "RGBA" if mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB or RGBA pixels in sRGB: the ICC profile applied when it says otherwise, CMYK converted."""
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        transform = _srgb_transform(icc, image.mode)
        if transform is not None:
            try:
                return ImageCms.applyTransform(image, transform)
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # pixels the profile does not fit: treat them as sRGB
    return image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if image.mode == "RGBA" else "RGB")


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    else:
        _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=JPEG_PROGRESSIVE)
    return out.getvalue()


@contextmanager
def _stage(timings: dict[str, float] | None, name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def render(data: bytes, expected_format: str | None = None, timings: dict[str, float] | None = None) -> Rendered:
    """Every rendition of one upload, or Rejected (empty, not an image, another format, truncated, a bomb).
    `timings`, when given, gets the seconds spent in each stage (bench/media_thumbnails.py --stages)."""
    with open_image(data, expected_format) as image:
        with _stage(timings, "open"):
            original = _display_size(image)  # from the header: draft() shrinks `image.size` below
            widths = target_widths(original[0])
            icc = image.info.get("icc_profile")
        with _stage(timings, "decode"):
            decoded = _decode(image, widths[-1], original)
        with _stage(timings, "transpose"):
            try:
                ImageOps.exif_transpose(decoded, in_place=True)  # also drops the orientation tag
            except (OSError, SyntaxError, ValueError) as error:
                raise Rejected("truncated", str(error)) from None
            current = _resizable(decoded)
    renditions: list[Rendition] = []
    for width in reversed(widths):
        height = max(1, round(original[1] * width / original[0]))
        with _stage(timings, "resize"):
            if current.size != (width, height):
                current = current.resize((width, height), RESAMPLE, reducing_gap=REDUCING_GAP)
        if icc is not None or current.mode not in ("RGB", "RGBA"):
            with _stage(timings, "srgb"):  # once, on the largest rendition: the smaller ones come from it
                current, icc = _to_srgb(current, icc), None
        current.info = {}  # never carry EXIF, XMP, ICC or comments from the original
        for fmt, extension, content_type in (("webp", "webp", "image/webp"), ("jpeg", "jpg", "image/jpeg")):
            with _stage(timings, f"encode {fmt}"):
                body = _encode(current, fmt)
            renditions.append(Rendition(width, height, fmt, extension, content_type, body))
    renditions.sort(key=lambda r: (r.width, r.format))
    return Rendered(original[0], original[1], tuple(renditions))
