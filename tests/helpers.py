"""Test helpers: what a block should print, and the text poppler reads from each panel of a PDF."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

from handouts.load.config import Clinic
from handouts.load.content import Block
from handouts.load.layout import Geometry
from handouts.render import Styling, render_text, to_markup


def squash(text: str) -> str:
    """Drop all whitespace, so line breaks and column breaks do not matter when comparing."""
    return re.sub(r"\s+", "", text)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def expected_texts(block: Block, lang: str, context: dict) -> list[str]:
    """Return every piece of text ``block`` prints in ``lang``, as a reader sees it."""
    out = []
    for raw in _strings(block.text[lang]):
        text = render_text(raw, context, block.display, 1, "test")
        markup = to_markup(text, Styling(), block.display, 1, "test")
        visible = unescape(re.sub(r"<[^>]+>", "", markup))
        out += [p for p in re.split(r"\n\s*\n", visible) if p.strip()]
    return out + list(block.references)


def panel_text(pdf: Path, geometry: Geometry, pages: int) -> str:
    """Return the text inside the layout's panels, page by page and panel by panel in order."""
    parts = []
    for number in range(1, pages + 1):
        template = geometry.pages[min(number - 1, len(geometry.pages) - 1)]
        for panel in template.panels:
            r = panel.frame
            top = geometry.height - r.top
            args = [
                "-f",
                str(number),
                "-l",
                str(number),
                "-r",
                "72",
                "-x",
                str(int(r.x) - 1),
                "-y",
                str(int(top) - 1),
                "-W",
                str(int(r.width) + 3),
                "-H",
                str(int(r.height) + 3),
            ]
            parts.append(
                subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            )
    return "\n".join(parts)


def contact_texts(clinic: Clinic) -> list[str]:
    """Return the clinic details a contact block prints."""
    out = [clinic.phone, *clinic.address]
    if clinic.email:
        out.append(clinic.email)
    return out
