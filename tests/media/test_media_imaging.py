"""The Pillow pipeline on real images made here: phones' shapes come out right, hostile files are refused
from their header or their first broken byte, never by running out of memory."""

from __future__ import annotations

import io
import resource

import pytest
from media.logic import imaging
from media.logic.rejections import Rejected
from PIL import Image

from tests.media import images


def opened(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def by_width(rendered, fmt="jpeg"):
    return {r.width: r for r in rendered.renditions if r.format == fmt}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_three_widths_in_webp_and_jpeg_with_their_real_sizes():
    rendered = imaging.render(images.jpeg((4000, 3000)), "JPEG")
    assert (rendered.width, rendered.height) == (4000, 3000)
    assert sorted((r.width, r.format) for r in rendered.renditions) == [
        (w, f) for w in (320, 800, 1600) for f in ("jpeg", "webp")
    ]
    for rendition in rendered.renditions:
        image = opened(rendition.body)
        assert image.format == {"jpeg": "JPEG", "webp": "WEBP"}[rendition.format]
        assert image.size == (rendition.width, rendition.height) == (rendition.width, rendition.width * 3 // 4)


def test_never_upscaled_a_small_original_keeps_its_own_width():
    rendered = imaging.render(images.jpeg((1000, 500)), "JPEG")
    assert sorted(by_width(rendered)) == [320, 800, 1000]
    tiny = imaging.render(images.jpeg((200, 100)), "JPEG")
    assert [(r.width, r.height) for r in tiny.renditions] == [(200, 100), (200, 100)]


def test_exif_orientation_6_is_applied_and_dropped():
    # stored landscape 1200x900 with the marker top-left; orientation 6 means "rotate 90° clockwise to view"
    rendered = imaging.render(images.jpeg((1200, 900), orientation=6), "JPEG")
    assert (rendered.width, rendered.height) == (900, 1200)
    image = opened(by_width(rendered)[800].body)
    assert image.size == (800, 1067)
    assert not image.getexif()
    # the blue marker moved from the top-left to the top-right corner
    assert image.getpixel((790, 10))[2] > 150 and image.getpixel((10, 10))[2] < 100


def test_gps_and_every_exif_tag_are_stripped_from_every_rendition():
    original = images.jpeg((2000, 1500), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(images.GPS_IFD)
    for rendition in imaging.render(original, "JPEG").renditions:
        image = opened(rendition.body)
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"PhoneMaker" not in rendition.body and b"Exif" not in rendition.body


def test_png_alpha_stays_in_webp_and_is_flattened_on_white_in_jpeg():
    rendered = imaging.render(images.png_with_alpha(), "PNG")
    webp = opened(by_width(rendered, "webp")[320].body)
    assert webp.mode == "RGBA" and webp.getpixel((2, 2))[3] == 0
    jpeg = opened(by_width(rendered)[320].body)
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((2, 2))) > 240


def test_cmyk_jpeg_comes_out_as_srgb_cyan():
    rendered = imaging.render(images.cmyk_jpeg(), "JPEG")
    for rendition in rendered.renditions:
        red, green, blue = opened(rendition.body).convert("RGB").getpixel((50, 50))
        assert red < 80 and green > 150 and blue > 180, (rendition.format, (red, green, blue))


def test_an_icc_profile_is_converted_and_not_embedded():
    rendered = imaging.render(images.lab_profile_png(), "PNG")
    for rendition in rendered.renditions:
        assert "icc_profile" not in opened(rendition.body).info


def test_large_dimensions_decode_through_draft_in_little_memory():
    body = images.jpeg((8000, 6000))  # 48 MP: 144 MB as a full RGB bitmap
    before = peak_mb()
    rendered = imaging.render(body, "JPEG")
    assert (rendered.width, rendered.height) == (8000, 6000)
    assert max(r.width for r in rendered.renditions) == 1600
    assert peak_mb() - before < 100, f"peak RSS grew {peak_mb() - before:.0f} MB"


def test_webp_uploads_are_accepted():
    assert imaging.render(images.webp(), "WEBP").width == 700


@pytest.mark.parametrize(
    ("body", "declared", "reason"),
    [
        (images.png_bomb(), "PNG", "decompression-bomb"),
        (images.huge_header_jpeg(), "JPEG", "decompression-bomb"),
        (images.truncated_jpeg(), "JPEG", "truncated"),
        (images.pdf(), "JPEG", "unsupported-format"),
        (b"", "JPEG", "empty"),
        (b"just some text, not an image at all", "JPEG", "not-an-image"),
        (images.gif(), "JPEG", "unsupported-format"),
    ],
    ids=["png-bomb", "huge-header-tiny-body", "truncated", "pdf-renamed-jpg", "zero-bytes", "text", "gif"],
)
def test_hostile_files_are_rejected_without_decoding_them(body, declared, reason):
    before = peak_mb()
    with pytest.raises(Rejected) as caught:
        imaging.render(body, declared)
    assert caught.value.reason == reason
    assert peak_mb() - before < 50


def test_the_decompression_bomb_limit_is_kept_and_below_pillows_error_threshold():
    assert Image.MAX_IMAGE_PIXELS == imaging.MAX_PIXELS
    # between 1x and 2x the limit Pillow only warns; the pipeline refuses
    with pytest.raises(Rejected) as caught:
        imaging.render(images.slightly_over_limit_png(imaging.MAX_PIXELS), "PNG")
    assert caught.value.reason == "decompression-bomb"


def test_the_declared_type_must_be_the_files_type():
    with pytest.raises(Rejected) as caught:
        imaging.render(images.png_with_alpha(), "JPEG")
    assert caught.value.reason == "unsupported-format"


def test_only_the_allow_listed_decoders_are_ever_tried(monkeypatch):
    seen = []
    original = Image.open

    def spy(fp, mode="r", formats=None):
        seen.append(formats)
        return original(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    with pytest.raises(Rejected):
        imaging.render(images.gif(), "JPEG")
    assert seen == [imaging.ALLOWED_FORMATS] == [("JPEG", "PNG", "WEBP")]


def test_renditions_are_deterministic():
    body = images.jpeg((2400, 1600), gps=True)
    first, second = imaging.render(body, "JPEG"), imaging.render(body, "JPEG")
    assert [r.body for r in first.renditions] == [r.body for r in second.renditions]


def test_rendering_imports_no_decoder_but_the_three_allowed(tmp_path):
    """Image.init() would import every plugin (FITS, PSD, ...): slower cold starts, and more decoders."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from media.logic import imaging\n"
        "from tests.media import images\n"
        "imaging.render(images.jpeg((900, 600)), 'JPEG')\n"
        "imaging.render(images.webp(), 'WEBP')\n"
        "plugins = sorted(m for m in sys.modules if m.startswith('PIL.') and m.endswith('ImagePlugin'))\n"
        "print(','.join(plugins))\n"
    )
    root = __file__.rsplit("/tests/", 1)[0]
    env = {"PYTHONPATH": f"{root}/services/media/src:{root}/layers/shared:{root}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=root)
    allowed = {"PIL.JpegImagePlugin", "PIL.PngImagePlugin", "PIL.WebPImagePlugin"}
    # preinit() adds BMP, GIF and PPM (registered, never tried: open() is given the allow-list)
    assert set(out.stdout.strip().split(",")) <= allowed | {
        "PIL.BmpImagePlugin",
        "PIL.GifImagePlugin",
        "PIL.PpmImagePlugin",
    }
    assert "PIL.FitsImagePlugin" not in out.stdout


@pytest.mark.parametrize("width", [1599, 1600, 1601, 3198, 3199, 3200, 3201, 6000, 6399, 6400, 12800, 12801, 16000])
def test_draft_decodes_at_the_smallest_scale_that_still_covers_the_largest_rendition(width):
    """Never a decode narrower than 1600 (the 1600 rendition would be upscaled), never one twice as wide
    as needed when a smaller DCT scale covers it; portrait photos by their rotated width."""
    scale = imaging.draft_scale(width, 1600)
    decoded = -(-width // scale)
    assert decoded >= min(width, 1600)
    assert scale == 8 or -(-width // (scale * 2)) < 1600
    image = imaging._decode(Image.open(io.BytesIO(images.jpeg((width, 400)))), min(width, 1600), (width, 400))
    assert image.size[0] == decoded


def test_a_rotated_photo_decodes_wide_enough_for_its_1600_rendition():
    # stored 6000x3300, shown 3300x6000 (orientation 6): 1/2 scale gives 1650 wide, 1/4 would give 825
    rendered = imaging.render(images.jpeg((6000, 3300), orientation=6), "JPEG")
    image = opened(by_width(rendered)[1600].body)
    assert image.size == (1600, 2909)
    assert image.getpixel((1590, 10))[2] > 150  # the marker, rotated to the top-right


def test_an_srgb_profile_is_not_converted_and_other_profiles_build_one_transform(monkeypatch):
    built = []
    original = imaging.ImageCms.buildTransform
    monkeypatch.setattr(imaging.ImageCms, "buildTransform", lambda *a, **k: built.append(a[2:]) or original(*a, **k))
    imaging._srgb_transform.cache_clear()
    srgb = imaging.ImageCms.ImageCmsProfile(imaging.ImageCms.createProfile("sRGB")).tobytes()
    tagged = imaging.render(images.jpeg((900, 600), icc_profile=srgb), "JPEG")
    assert built == []
    assert "icc_profile" not in opened(tagged.renditions[0].body).info
    for _ in range(2):
        imaging.render(images.lab_profile_png(), "PNG")
    assert built == [("RGB", "RGB")]  # once for both uploads
