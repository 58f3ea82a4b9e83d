"""Take brand colours as ``#rrggbb`` text and give back contrast ratios, readable text colours and grays."""

from __future__ import annotations

import colorsys
import functools
import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

WHITE = "#ffffff"
BOX_TINT = 0.88  # a box's panel: its colour this far towards white (0.92 faded with no outline round it)
BLACK = "#000000"
INK = "#1a1a1a"  # body text: near-black reads softer than pure black, still ~17:1 on white
WARNING_RED = "#a4262c"  # warning boxes' bar, whatever the brand
AA_BODY = 4.5
AA_LARGE = 3.0  # text of 18 pt and over, and markers (bullets, rules, borders): WCAG 2.1 AA
LARGE_TEXT = 18.0


def parse_hex(value: str) -> tuple[float, float, float]:
    """Return the ``#rrggbb`` colour as three floats 0–1; raises ``ValueError`` for other text."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"expected a colour like '#1f6f5c', got {value!r}")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(value: str) -> float:
    """Return the WCAG relative luminance of a ``#rrggbb`` colour."""
    r, g, b = (_channel(c) for c in parse_hex(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio between two colours, from 1.0 to 21.0."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """Return white or black, whichever reads better on ``background``."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


def to_gray(value: str) -> str:
    """Return the gray of the same luminance as ``value``, so contrast ratios are kept exactly."""
    lum = luminance(value)
    # invert the sRGB transfer function for the gray level
    c = lum * 12.92 if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    level = max(0, min(255, round(c * 255)))
    return f"#{level:02x}{level:02x}{level:02x}"


def tint(value: str, amount: float) -> str:
    """Return ``value`` mixed with white; ``amount`` 0 keeps the colour, 1 gives white."""
    r, g, b = parse_hex(value)
    mix = [round((c + (1 - c) * amount) * 255) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def heading_color(primary: str) -> str:
    """Return the colour of headings and links on white: the brand colour, or its nearest shade reaching WCAG AA."""
    return readable(primary, (WHITE,), AA_BODY)


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c * 255))):02x}" for c in (r, g, b))


GOLD_HUE = 38 / 360  # a dark gold, as a designer mixes it: toward orange, not toward olive
_YELLOWS = (42 / 360, 75 / 360)


def _warmer(hue: float, darker: float) -> float:
    """Return the hue of a yellow darkened by ``darker`` (HLS lightness), turned toward gold.

    A yellow made darker at the same hue reads as olive or mustard; printers' dark golds sit
    nearer orange. The turn grows with the darkening and is whole from 0.3 darker; other hues keep theirs.
    """
    if not _YELLOWS[0] <= hue <= _YELLOWS[1]:
        return hue
    return hue - (hue - GOLD_HUE) * min(1.0, darker / 0.3)


@functools.lru_cache(maxsize=256)
def readable(color: str, backgrounds: tuple[str, ...], ratio: float = AA_BODY) -> str:
    """Return ``color``, or the nearest shade of its hue that reaches ``ratio`` against every one of ``backgrounds``.

    Shades are found by moving the HLS lightness (saturation kept) darker or lighter, whichever
    needs the smaller step, so a light brand gold becomes a darker gold, not black; a yellow
    turns toward orange as it darkens (``_warmer``), so it does not print olive.
    """
    if all(contrast(color, bg) >= ratio for bg in backgrounds):
        return color.lower()
    h, lightness, s = colorsys.rgb_to_hls(*parse_hex(color))
    for step in range(1, 201):
        for direction in (-1, 1):
            level = lightness + direction * step / 200
            if 0 <= level <= 1:
                hue = _warmer(h, lightness - level) if direction < 0 else h
                shade = _hex(*colorsys.hls_to_rgb(hue, level, s))
                if all(contrast(shade, bg) >= ratio for bg in backgrounds):
                    return shade
    return text_on(backgrounds[0])  # no shade of the hue reads on every background


def needed_ratio(size: float) -> float:
    """Return WCAG AA's contrast for text of ``size`` points: 3:1 from 18 pt, else 4.5:1."""
    return AA_LARGE if size >= LARGE_TEXT else AA_BODY
