"""Take a length as a designer writes it (``"2cm"``, ``"11pt"``, ``"0.5in"``) and give back points."""

from __future__ import annotations

import math
import re

POINTS_PER_UNIT: dict[str, float] = {
    "pt": 1.0,
    "in": 72.0,
    "mm": 72.0 / 25.4,
    "cm": 72.0 / 2.54,
    "pc": 12.0,
}

PAPER_SIZES: dict[str, tuple[float, float]] = {
    # width, height in points, portrait
    "letter": (612.0, 792.0),
    "a4": (595.2756, 841.8898),
    "half-letter": (396.0, 612.0),
    "a5": (419.5276, 595.2756),
    "legal": (612.0, 1008.0),
}

MAX_POINTS = 72.0 * 200  # 200 in: no sheet, margin or gap comes near it; YAML's .inf and 1e400 do
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*([a-z]*)\s*$")


def to_points(value: str | int | float) -> float:
    """Convert a length to points.

    Numbers and ``"0"`` are taken as points already. Returns a float; raises ``ValueError``
    naming the accepted units for anything else (``"2 furlongs"``, ``"12"`` with no unit
    other than zero, ``"wide"``).
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a length such as '0.5in', got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > MAX_POINTS:
            raise ValueError(f"{value!r} is not a length a page can hold: write for example '0.5in' or '12mm'")
        return float(value)
    match = _LENGTH.fullmatch(str(value))
    if not match:
        raise ValueError(f"expected a length such as '0.5in' or '12mm', got {value!r}")
    number, unit = float(match.group(1)), match.group(2)
    if not unit:
        if number == 0:
            return 0.0
        raise ValueError(f"{value!r} has no unit: write for example '{number:g}pt' or '{number:g}mm'")
    if unit not in POINTS_PER_UNIT:
        units = ", ".join(POINTS_PER_UNIT)
        raise ValueError(f"unknown unit {unit!r} in {value!r}: use one of {units}")
    points = number * POINTS_PER_UNIT[unit]
    if abs(points) > MAX_POINTS:
        raise ValueError(f"{value!r} is longer than any sheet (over {MAX_POINTS / 72:g}in)")
    return points
