"""Take brand colours as ``#rrggbb`` text and give back contrast ratios, readable text colours and grays."""

from __future__ import annotations

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

WHITE = "#ffffff"
BLACK = "#000000"
INK = "#1a1a1a"  # body text: near-black reads softer than pure black, still ~17:1 on white
AA_BODY = 4.5


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
    """Return the colour of headings and links on white paper: the brand colour where it reaches WCAG AA, else ink."""
    return primary if contrast(primary, WHITE) >= AA_BODY else INK
