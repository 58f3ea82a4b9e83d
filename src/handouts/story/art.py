"""Take an SVG, PNG or JPEG file of the project and a palette and give back art a canvas draws once per PDF.

Each SVG is parsed once per process (``_parse``); its colours follow ``art/README.md``: ``#0f6e6e``
(the highlight) becomes the clinic's brand colour, or a darker shade of it where the brand colour
is too light to see on paper; ``#cfe6e6`` a light tint of it; ``#333333`` stays the outline. In
grayscale every colour becomes its luminance gray. On a canvas, a piece of art is a PDF Form
XObject, made the first time it is drawn and then referred to, so a figure or icon used on
every page, or on both cards of a sheet, costs its bytes once per file.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, String
from reportlab.lib import colors as rl_colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import SvgRenderer, load_svg_file

from ..colors import WHITE, contrast, parse_hex, text_on, tint

HIGHLIGHT, LIGHT, OUTLINE, ACCENT = "#0f6e6e", "#cfe6e6", "#333333", "#e8a33d"
GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11: graphics a reader must see need 3:1 against the paper
RASTER = (".png", ".jpg", ".jpeg")
VECTOR = (".svg",)


class ArtError(ValueError):
    """An art file that cannot be read as an image (the caller knows which block named it)."""


def readable_shade(color: str, on: str = WHITE) -> str:
    """Return ``color``, darkened step by step until it reaches 3:1 against ``on``; on a dark ``on`` (one white
    reads better on: a tri-fold cover in the brand colour), lightened toward white instead (darkened, Lotus's
    copper sun on its teal cover went black: rev68a-b)."""
    r, g, b = parse_hex(color)
    light = text_on(on) == WHITE
    shade = color
    for step in range(1, 21):
        if contrast(shade, on) >= GRAPHIC_CONTRAST:
            return shade
        k = step * 0.05
        mixed = (c + (1 - c) * k for c in (r, g, b)) if light else (c * (1 - k) for c in (r, g, b))
        shade = "#" + "".join(f"{round(c * 255):02x}" for c in mixed)
    return shade


@dataclass(frozen=True)
class Palette:
    """What the art's colours become: the clinic's brand colour, its tint, the accent, and the gray map."""

    primary: str
    accent: str
    gray: Callable[[str], str]
    ink: str = OUTLINE
    paper: str = WHITE  # what the art is drawn on: see-through colours are mixed with it

    def swaps(self) -> tuple[tuple[str, str], ...]:
        """Return ``(art colour, printed colour)`` pairs, grays applied."""
        highlight = readable_shade(self.primary)
        table = {
            HIGHLIGHT: highlight,
            LIGHT: tint(self.primary, 0.68),  # a third of the brand colour: the area reads at arm's length
            OUTLINE: self.ink,
            ACCENT: readable_shade(self.accent, self.paper),  # as the highlight: Harmony's lemon read as a marker pen
        }
        return tuple((k, self.gray(v)) for k, v in table.items())

    def plain(self, color: str) -> str:
        """Return what a colour the convention does not name prints as (only grayed)."""
        return self.gray(color)


@functools.lru_cache(maxsize=256)
def _parse(path: str, stamp: tuple[int, int]) -> Drawing:
    root = load_svg_file(path)  # svglib's own reader (what svg2rlg calls), read once: checked, then drawn
    if root is not None:
        _own_references_only(root)
    drawing = SvgRenderer(path).render(root) if root is not None else None
    if drawing is None or not drawing.width or not drawing.height:
        raise ArtError("is not an SVG drawing svglib can read")
    _mend(drawing)
    trial = Canvas(io.BytesIO())
    try:  # once, here: what svglib reads but reportlab cannot draw fails now, named, not mid-PDF
        renderPDF.draw(copy.deepcopy(drawing), trial, 0, 0, showBoundary=False)
    except Exception as exc:  # any failure to draw a project's file is the file's
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "_fp_" in reason:  # reportlab's number formatting, given an infinite or huge number
            reason = "a size, position or scale in it is out of range"
        raise ArtError(f"cannot be drawn ({reason}): {_RESAVE}") from None
    ops = (op.decode("latin-1") if isinstance(op, bytes) else str(op) for op in trial._code)
    if any(_NOT_A_NUMBER.search(_STRING.sub("", op)) for op in ops):  # "nan w": a PDF reader stops at it
        raise ArtError(f"cannot be drawn (a number in it is not a number): {_RESAVE}")
    return drawing


_RESAVE = "open it in a drawing program and save it again"
_NOT_A_NUMBER = re.compile(r"(?<![\w/])-?(nan|inf)\b", re.IGNORECASE)
_STRING = re.compile(r"\((?:\\.|[^\\)])*\)")  # a PDF string's text, "(nan) Tj", is words, not numbers


_HREFS = ("{http://www.w3.org/1999/xlink}href", "href")


def _own_references_only(root: Any) -> None:
    """Refuse an SVG (its parsed ``root``) that names another file (``<image href="../photo.png">``, ``<use
    href="other.svg#a">``): svglib would read it, from wherever the path leads, into the PDF. Its own parts
    (``#id``) are fine; a picture in it is not, embedded (``data:``) too: reportlab cannot put one in a figure's
    form (a photo is given as its own PNG or JPEG file)."""
    for el in root.iter():
        tag = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
        if tag not in ("image", "use"):
            continue  # what svglib follows; a link (<a href>) is not read
        for key in _HREFS:
            ref = str(el.get(key) or "").strip()
            if tag == "image" and ref:
                raise ArtError(
                    f"line {el.sourceline}: <image> holds a picture, which a drawing may not: give the picture "
                    "as its own .png or .jpg file, or draw it in the SVG"
                )
            if ref and not ref.startswith("#"):
                raise ArtError(
                    f"line {el.sourceline}: <{tag}> refers to another file ({ref[:80]!r}), which a drawing may not: "
                    "draw what it shows in this SVG, or save the art as one file"
                )


def _mend(node: object) -> None:
    """Draw what SVG draws, where reportlab would refuse it or write it into the PDF as it is: a dash pattern
    whose lengths sum to zero, or with a negative one, is solid ("dash cycle should be larger than zero"); a
    negative stroke width is the default, 1 (SVG 2: both are invalid values)."""
    dashes = getattr(node, "strokeDashArray", None)
    if dashes is not None:
        phased = isinstance(dashes, tuple) and len(dashes) == 2 and isinstance(dashes[1], list)
        lengths = dashes[1] if phased else dashes
        try:
            values = [float(v) for v in lengths]
        except (TypeError, ValueError):
            values = []
        if not values or sum(values) <= 0 or min(values) < 0:
            node.strokeDashArray = None  # type: ignore[attr-defined]
    width = getattr(node, "strokeWidth", None)
    if isinstance(width, (int, float)) and width < 0:
        node.strokeWidth = 1  # type: ignore[attr-defined]
    for child in getattr(node, "contents", None) or ():
        _mend(child)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise ArtError(f"cannot be read ({exc.strerror})") from None
    return st.st_mtime_ns, st.st_size


def svg_size(path: Path) -> tuple[float, float]:
    """Return the natural width and height of an SVG in its own units; raises ``ArtError``."""
    drawing = _parse(str(path), _stamp(path))
    return float(drawing.width), float(drawing.height)


def _hex(color: rl_colors.Color) -> str:
    return "#" + color.hexval()[2:].lower()


def _recolor(node: object, swaps: dict[str, str], plain: Callable[[str], str], font: str, paper: str) -> None:
    for attr, opacity in (("fillColor", "fillOpacity"), ("strokeColor", "strokeOpacity")):
        value = getattr(node, attr, None)
        see_through = getattr(node, opacity, None)
        if see_through is not None and see_through != 1:
            # cleared on every shape, a line with no fill in a see-through <g> too: renderPDF would set it as an
            # ExtGState that neither the form's resources nor the page's list ("ExtGState 'gRLs0' is unknown")
            setattr(node, opacity, None)
        if isinstance(value, rl_colors.Color):
            new = swaps.get(_hex(value)) or plain(_hex(value))
            color = rl_colors.HexColor(new)
            if see_through is not None and see_through != 1 and value.alpha == 1:  # svglib puts it in the colour
                value = rl_colors.Color(value.red, value.green, value.blue, alpha=see_through)  # too: counted once
            if value.alpha != 1:
                # mixed with the paper here: a see-through colour inside a Form XObject would need an
                # ExtGState in the form's resources, which reportlab writes to the page's instead
                under, a = rl_colors.HexColor(plain(paper)), value.alpha
                color = rl_colors.Color(*(a * c + (1 - a) * u for c, u in zip(color.rgb(), under.rgb(), strict=True)))
            setattr(node, attr, color)
    if isinstance(node, String):
        node.fontName = font  # an SVG's labels (V1–V3) in the handout's embedded font, never Helvetica
    for child in getattr(node, "contents", None) or ():
        _recolor(child, swaps, plain, font, paper)


@dataclass(frozen=True)
class Art:
    """One piece of art in one palette: its natural size and how to draw it."""

    path: Path
    width: float  # natural size, in the file's units (SVG) or pixels (PNG, JPEG)
    height: float
    palette: Palette
    font: str

    @property
    def aspect(self) -> float:
        """Height over width."""
        return self.height / self.width

    def form_name(self) -> str:
        """Return the name of this art's Form XObject: the same file in the same colours is one form."""
        key = f"{self.path}|{self.palette.swaps()}|{self.palette.gray('#ff0000')}|{self.font}|{self.palette.paper}"
        return "art" + hashlib.sha1(key.encode()).hexdigest()[:16]

    def draw(self, canvas: Canvas, x: float, y: float, width: float, flatten: bool = False) -> None:
        """Draw the art ``width`` points wide with its bottom left at ``(x, y)``.

        ``flatten``: lay a photo with transparency onto the palette's paper colour (print-shop files
        carry no transparency).
        """
        if self.path.suffix.lower() in RASTER:
            image = ImageReader(str(self.path))
            gray = self.palette.gray("#ff0000") != "#ff0000"
            if gray or flatten:
                from PIL import Image  # only grayscale or print-shop photos need PIL here

                with Image.open(self.path) as im:
                    im.load()
                    if flatten and ("A" in im.mode or "transparency" in im.info):
                        rgba = im.convert("RGBA")
                        im = Image.new("RGB", rgba.size, self.palette.plain(self.palette.paper))
                        im.paste(rgba, mask=rgba.getchannel("A"))
                    image = ImageReader(im.convert("LA" if "A" in im.mode else "L") if gray else im.convert("RGB"))
            # reportlab keeps one copy of an image per file, however often it is drawn
            canvas.drawImage(image, x, y, width, width * self.aspect, mask="auto")
            return
        name = self.form_name()
        if not canvas.hasForm(name):
            canvas.beginForm(name, 0, 0, self.width, self.height)
            key = (name, _stamp(self.path))
            ops = _FORM_OPS.get(key)
            if ops is not None:
                canvas._code.extend(ops)  # the operators this drawing made in an earlier PDF, unchanged
            else:
                before = _resources(canvas)
                self._render(canvas)
                if _resources(canvas) == before and not any(_TEXT.search(op) for op in canvas._code):
                    _remember_ops(key, list(canvas._code))
            canvas.endForm()
        canvas.saveState()
        canvas.translate(x, y)
        scale = width / self.width
        canvas.scale(scale, scale)
        canvas.doForm(name)
        canvas.restoreState()

    def _render(self, canvas: Canvas) -> None:
        """Draw a recoloured copy of the parsed SVG into the form being made on ``canvas``."""
        drawing = copy.deepcopy(_parse(str(self.path), _stamp(self.path)))
        _recolor(drawing, dict(self.palette.swaps()), self.palette.plain, self.font, self.palette.paper)
        # the renderer starts every drawing by selecting its default font: make that the embedded
        # body font, or the PDF would name an unembedded Helvetica
        default = STATE_DEFAULTS["fontName"]
        STATE_DEFAULTS["fontName"] = self.font
        try:
            renderPDF.draw(drawing, canvas, 0, 0, showBoundary=False)
        finally:
            STATE_DEFAULTS["fontName"] = default


# The PDF operators of each form made in this process, by (form name, file stamp): a form's content
# depends only on its file, its palette and its font (all in the name), so a later PDF replays them
# instead of copying, recolouring and rendering the drawing again. Only forms that drew no text and
# added no resource (font, colour space, transparency, image) to the canvas are kept: their
# operators name nothing that is numbered per PDF.
_FORM_OPS: dict[tuple[str, tuple[int, int]], list[str]] = {}
_FORM_OPS_MAX = 256
_TEXT = re.compile(r"\b(BT|Tf|Do|gs|sh)\b")


def _resources(canvas: Canvas) -> tuple[object, ...]:
    """What a drawing may add to the PDF's numbered resources besides its operators."""
    return (
        repr(sorted(getattr(canvas, "_colorsUsed", {}).items())),
        repr(canvas._extgstate.getState()),
        repr(getattr(canvas, "_shadingUsed", None)),
        tuple(canvas._formsinuse),
        len(canvas._doc.idToObject),
    )


def _remember_ops(key: tuple[str, tuple[int, int]], ops: list[str]) -> None:
    if len(_FORM_OPS) >= _FORM_OPS_MAX:
        _FORM_OPS.pop(next(iter(_FORM_OPS)))  # the oldest: a chain's clinics come one after another
    _FORM_OPS[key] = ops


def load_art(path: Path, palette: Palette, font: str) -> Art:
    """Return the art of an SVG, PNG or JPEG file; raises ``ArtError`` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix in VECTOR:
        w, h = svg_size(path)
    elif suffix in RASTER:
        w, h = _raster_size(str(path), _stamp(path))
    else:
        raise ArtError("must be an .svg, .png or .jpg file")
    return Art(path, w, h, palette, font)


@functools.lru_cache(maxsize=64)
def _raster_size(path: str, stamp: tuple[int, int]) -> tuple[float, float]:
    try:
        w, h = ImageReader(path).getSize()
    except OSError as exc:
        raise ArtError(f"is not a PNG or JPEG image reportlab can read ({exc})") from None
    return float(w), float(h)
