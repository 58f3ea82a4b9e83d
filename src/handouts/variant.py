"""Take the output flags of ``handouts build`` and give back a ``Variant``: what changes and its file suffix."""

from __future__ import annotations

from dataclasses import dataclass

BLEED = {"letter": 9.0, "a4": 3 * 72 / 25.4}  # 0.125 in; 3 mm on A4 clinics
SLUG_WIDTH = 36.0  # room outside the bleed for crop and fold marks
LARGE_BODY = 16.0  # the smallest body size that counts as large print


@dataclass(frozen=True)
class Variant:
    """One output variant. The standard PDF is ``Variant()``."""

    print_shop: bool = False
    grayscale: bool = False
    large_print: bool = False

    def suffix(self) -> str:
        """Return the file-name part that keeps variants apart: ``""`` or ``".large-print.grayscale"``."""
        parts = [
            name
            for name, on in (
                ("large-print", self.large_print),
                ("grayscale", self.grayscale),
                ("print-shop", self.print_shop),
            )
            if on
        ]
        return "".join("." + p for p in parts)

    def label(self) -> str:
        """Return a short description for summaries (``standard`` when none)."""
        return ", ".join(self.suffix().strip(".").split(".")) or "standard"
