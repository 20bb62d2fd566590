"""The stylesheet's colours meet WCAG AA (4.5:1 for text) in both colour schemes, for every pair of text and
background the templates use; and the stylesheet stays small, with no import and no web font."""

from __future__ import annotations

import re

import pytest
from blog.site.assets import STATIC

CSS = (STATIC / "site.css").read_text()
# (text, background) as the stylesheet pairs them: body text, .lede/.meta/footer, links, tag chips and the
# subscribe panel, the button, the input.
PAIRS = [("fg", "bg"), ("muted", "bg"), ("link", "bg"), ("link", "panel"), ("fg", "panel"), ("muted", "panel"),
         ("button-fg", "button-bg")]  # fmt: skip


def schemes() -> dict[str, dict[str, str]]:
    light = re.search(r"^:root \{(.*?)\}", CSS, re.S | re.M).group(1)
    dark = re.search(r"prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", CSS, re.S).group(1)
    return {name: dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block)) for name, block in
            (("light", light), ("dark", dark))}  # fmt: skip


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_contrast_is_at_least_4_5(scheme, fg, bg):
    colours = schemes()[scheme]
    assert contrast(colours[fg], colours[bg]) >= 4.5, (scheme, fg, bg)


def test_both_schemes_define_the_same_colours():
    light, dark = schemes().values()
    assert set(light) == set(dark) and len(light) >= 8


def test_the_stylesheet_is_small_and_loads_nothing_else():
    assert len(CSS.encode()) < 8 * 1024
    assert "@import" not in CSS and "@font-face" not in CSS and "url(" not in CSS


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
