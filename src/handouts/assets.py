"""Take a clinic's font and image files and give back registered reportlab fonts and safe, upright images.

Fonts and logos come from clinic staff, so each file is checked for what it claims to be before
use: fonts must parse as TrueType, images must be PNG or JPEG under a pixel limit (read from the
header, before decoding), and photos are turned upright from their EXIF orientation.
"""

from __future__ import annotations

import functools
import mmap
import struct
import warnings
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import font_source_sans_pro
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .errors import ConfigError
from .files import sha256_file
from .load.config import Clinic, FontFamily
from .stamps import identity

MAX_IMAGE_PIXELS = 25_000_000  # a 5000 x 5000 logo is already far more than print needs
# Source Sans Pro (SIL OFL), from a pinned pip package: the Latin design of Source Han Sans, i.e. of
# the Noto Sans SC and TC the Chinese handouts use, so every language of a clinic reads as one family.
_SOURCE_SANS = Path(font_source_sans_pro.font_directory)
DEFAULT_FAMILY = FontFamily(
    regular=_SOURCE_SANS / "SourceSansPro-Regular.ttf",
    bold=_SOURCE_SANS / "SourceSansPro-Bold.ttf",
    italic=_SOURCE_SANS / "SourceSansPro-It.ttf",
    bold_italic=_SOURCE_SANS / "SourceSansPro-BoldIt.ttf",
    field="(default font, Source Sans Pro)",
)


@dataclass(frozen=True)
class Family:
    """A registered font family: reportlab names per face, and what each face can draw."""

    label: str
    regular: str
    bold: str | None
    italic: str | None
    bold_italic: str | None

    def face(self, bold: bool = False, italic: bool = False) -> str | None:
        """Return the registered name of a face, or None when the family lacks it."""
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        if italic:
            return self.italic
        return self.regular

    def missing(self, text: str, bold: bool = False, italic: bool = False) -> list[str]:
        """Return every character of ``text`` the face cannot draw, each once, in the order they appear."""
        name = self.face(bold, italic) or self.regular
        cmap = _cmap(name)
        return list(dict.fromkeys(ch for ch in text if ord(ch) >= 32 and ord(ch) not in cmap and not ch.isspace()))


MAX_CHECKED_CHARS = 6000  # a Latin family maps a few hundred to a few thousand characters


@functools.lru_cache(maxsize=64)
def _cmap(name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


@functools.lru_cache(maxsize=64)
class _Mapped:
    """A font file that reportlab reads as a memory map rather than a copy in memory.

    A Chinese face is 7 to 10 MB, and reportlab only ever reads slices of it (its tables, then
    the glyphs a PDF uses); mapped, those pages are read on demand and shared by the workers.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    def read(self) -> mmap.mmap:
        with open(self.path, "rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _digest(path: Path) -> str:
    """Return the SHA-256 of a font file, hashed again only when its stat identity changed: every handout
    registers its fonts, and a Chinese face is 10 MB (a cold build hashed them 600 times)."""
    return _sha256_at(path, tuple(identity(path.stat())))


@functools.lru_cache(maxsize=64)
def _sha256_at(path: Path, stamp: tuple[int, ...]) -> str:  # stamp: a changed file is hashed again
    return sha256_file(path)


class _Metrics:
    """A face's horizontal metrics as reportlab reads them, ``(advance, left side bearing)`` per glyph, kept
    in two arrays: a Chinese face has 31,000 glyphs, and a list of pairs holds them in 2.9 MB, these in 0.25."""

    def __init__(self, pairs: list[tuple[int, int]]) -> None:
        self._advance = array("l", (aw for aw, _ in pairs))
        self._bearing = array("l", (lsb for _, lsb in pairs))

    def __len__(self) -> int:
        return len(self._advance)

    def __getitem__(self, glyph: int) -> tuple[int, int]:
        return self._advance[glyph], self._bearing[glyph]


def _compact(face: Any) -> None:
    """Keep what reportlab has parsed of a face in less memory, once it is read, before the next face is.

    reportlab reads ``hmetrics`` and ``glyphPos`` by index only (making a subset); ``glyphToChar`` only
    when it shapes text with HarfBuzz, which handouts never asks of it. A Chinese family's two faces
    held 20 MB in these.
    """
    if isinstance(face.hmetrics, list):
        face.hmetrics = _Metrics(face.hmetrics)
    if isinstance(face.glyphPos, list):
        face.glyphPos = array("q", face.glyphPos)
    face.glyphToChar = {}


def _register(path: Path, display: str, field: str, line: int | None = None, verify: bool = False) -> str:
    """Register one TrueType file under a name derived from its content; return the name.

    With ``verify`` (a clinic's own font), every glyph its character map names is read once through
    reportlab's subsetter, as writing a PDF would, so a damaged glyph table is found here, naming
    the file, rather than deep inside a build.
    """
    try:
        name = "F" + _digest(path)[:12]
        if name in pdfmetrics.getRegisteredFontNames():
            return name
        font = TTFont(name, _Mapped(path))
        if verify:
            font.face.makeSubset(sorted(font.face.charToGlyph)[:MAX_CHECKED_CHARS])
        _compact(font.face)
        pdfmetrics.registerFont(font)
    except (
        TTFError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        AssertionError,
        TypeError,
        ZeroDivisionError,
        OverflowError,
        MemoryError,
        struct.error,
    ):
        # parsing a hostile file can fail in many ways; each means "not a usable font"
        raise ConfigError(
            f"{field}: {path.name} is not a usable TrueType font (the file is damaged or incomplete): "
            "use the .ttf file from the font's download",
            display,
            line,
        ) from None
    return name


def _share_tables(names: dict[str, str | None]) -> None:
    """Let a family's faces share their character maps when they are the same (weights made from
    one variable font are): a Chinese face's maps hold 30,000 entries, and workers keep four faces."""
    regular = pdfmetrics.getFont(names["regular"]).face if names["regular"] else None
    for face in ("bold", "italic", "bold_italic"):
        name = names[face]
        if regular is None or name is None or name == names["regular"]:
            continue
        other = pdfmetrics.getFont(name).face
        if other.charToGlyph is not regular.charToGlyph and other.charToGlyph == regular.charToGlyph:
            other.charToGlyph = regular.charToGlyph


def register_family(family: FontFamily | None, display: str) -> Family:
    """Register a clinic's font family (or the default) and return its face names."""
    fam = family or DEFAULT_FAMILY
    names = {}
    for face in ("regular", "bold", "italic", "bold_italic"):
        path = getattr(fam, face)
        own = not fam.field.startswith("(built-in ")
        names[face] = _register(path, display, f"{fam.field}.{face}", fam.line_of(face), verify=own) if path else None
    regular = names["regular"]
    assert regular is not None
    # so <b> and <i> inside a paragraph switch to this family's own faces (a face the family
    # lacks is never asked for: the markup check refuses ** or * first)
    pdfmetrics.registerFontFamily(
        regular,
        normal=regular,
        bold=names["bold"] or regular,
        italic=names["italic"] or regular,
        boldItalic=names["bold_italic"] or names["bold"] or names["italic"] or regular,
    )
    _share_tables(names)
    builtin = fam.field.startswith("(built-in ")
    label = fam.field.removeprefix("(built-in ").removesuffix(")") if builtin else fam.regular.name
    return Family(label=label, **names)


def families_for(clinic: Clinic, lang: str) -> tuple[Family, Family]:
    """Return the (body, heading) families for ``clinic``'s handouts in ``lang``.

    ``branding.language_fonts.<lang>`` wins; a Chinese language otherwise gets the built-in
    Noto Sans SC or TC for all text (the clinic's Latin fonts cannot draw it); other languages
    get ``branding.fonts``, else Source Sans Pro.
    """
    from . import cjk

    own = clinic.language_fonts.get(lang, {})
    script = cjk.builtin_script(clinic, lang)
    if own.get("body"):
        body_family = own["body"]
    elif script:
        body_family = cjk.family(script)
    else:
        body_family = clinic.body_font or DEFAULT_FAMILY
    if own.get("heading"):
        heading_family = own["heading"]
    elif own or script:
        heading_family = body_family
    else:
        heading_family = clinic.heading_font or body_family
    body = register_family(body_family, clinic.display)
    heading = body if heading_family is body_family else register_family(heading_family, clinic.display)
    return body, heading


@dataclass(frozen=True)
class Logo:
    """An upright logo ready for drawing: the image and its pixel size."""

    image: object  # PIL.Image.Image, typed loosely to keep PIL out of the type surface
    width: int
    height: int


def load_logo(clinic: Clinic) -> Logo | None:
    """Open, check and turn upright the clinic's logo.

    Returns a ``Logo`` (or None when the clinic has none); raises ``ConfigError`` naming the
    ``branding.logo`` field for files that are not PNG/JPEG, are truncated, or are too large.
    """
    if clinic.logo is None:
        return None
    return _load_logo(clinic.logo, clinic.display, clinic.lines.get("branding", {}).line_of("logo"))


@functools.lru_cache(maxsize=32)
def _load_logo(path: Path, display: str, line: int) -> Logo:
    from PIL import Image, ImageOps, UnidentifiedImageError

    where = "branding.logo"
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own check, a backstop at twice this
    try:
        with warnings.catch_warnings():
            # Pillow warns on stderr about the pixel count (checked below, as an error naming the field) and
            # about corrupt EXIF data (then the picture is used as stored): neither belongs in the output
            warnings.simplefilter("ignore")
            with Image.open(path) as probe:
                fmt = probe.format
                w, h = probe.size
                if fmt not in ("PNG", "JPEG", "MPO"):  # MPO: a camera JPEG that carries a second picture
                    raise ConfigError(f"{where}: {path.name} is a {fmt} image, not PNG or JPEG", display, line)
                if w * h > MAX_IMAGE_PIXELS:
                    raise ConfigError(
                        f"{where}: {path.name} is {w}x{h} pixels, over the limit of {MAX_IMAGE_PIXELS:,}: "
                        "save a smaller copy (1000 pixels wide is plenty for print)",
                        display,
                        line,
                    )
                probe.load()
                image = ImageOps.exif_transpose(probe)
                image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    except ConfigError:
        raise
    except Image.DecompressionBombError:
        raise ConfigError(
            f"{where}: {path.name} has more than {2 * MAX_IMAGE_PIXELS:,} pixels, over the limit of "
            f"{MAX_IMAGE_PIXELS:,}: save a smaller copy (1000 pixels wide is plenty for print)",
            display,
            line,
        ) from None
    except UnidentifiedImageError:
        raise ConfigError(
            f"{where}: {path.name} is damaged: its start is not a readable image: export the logo again", display, line
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error):
        raise ConfigError(
            f"{where}: {path.name} is damaged or cut short: export the logo again", display, line
        ) from None
    image = _trimmed(image)
    return Logo(image=image, width=image.width, height=image.height)


def _trimmed(image: Any) -> Any:
    """Return ``image`` cut to its marks: no transparent or white margin, so the logo's left edge is the text's.

    A logo file often comes with a margin round the mark; drawn as it is, the mark sits inside the
    page's text edge by however much margin the file has, a different amount for every clinic.
    """
    from PIL import Image, ImageChops

    white = Image.new("RGB", image.size, (255, 255, 255))
    ink = ImageChops.difference(image.convert("RGB"), white).convert("L").point(lambda v: 255 if v > 12 else 0)
    if image.mode == "RGBA":  # and not see-through: a transparent pixel's colour means nothing
        ink = ImageChops.darker(ink, image.getchannel("A").point(lambda v: 255 if v > 12 else 0))
    box = ink.getbbox()
    if box is None or box == (0, 0, *image.size):
        return image
    return image.crop(box)


# ---------------------------------------------------------------- the logo as painted
_KNOCKOUTS: dict[int, Any] = {}  # logos are cached per process (assets._load_logo), so their id is stable


def knockout(image: Any) -> Any:
    """Return the logo in white on transparency, made once per logo per process."""
    key = id(image)
    if key not in _KNOCKOUTS:
        _KNOCKOUTS[key] = (image, _white(image))
    return _KNOCKOUTS[key][1]


def flatten(image: Any, under: str) -> Any:
    """Return ``image`` without transparency: laid onto the ``under`` colour, as it would print (once per pair)."""
    if image.mode not in ("RGBA", "LA", "PA", "P") and "transparency" not in image.info:
        return image
    key = (id(image), under)
    if key not in _FLAT:
        from PIL import Image

        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, under)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        _FLAT[key] = (image, flat)
    return _FLAT[key][1]


_FLAT: dict[tuple[int, str], Any] = {}  # keeps the source image alive with its id


def _white(image: Any) -> Any:
    """Return the logo in white on transparency: its alpha where it has one, else its darkness."""
    from PIL import Image, ImageChops, ImageOps

    gray = ImageOps.grayscale(image.convert("RGB"))
    # white paper becomes clear; colour and black become solid (doubled, so a mid-tone mark is not see-through)
    ink = ImageOps.invert(gray).point(lambda v: min(255, v * 2))
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        # where the logo is drawn on transparency its alpha is the shape; a white box behind it is not
        ink = ImageChops.multiply(alpha, ImageOps.autocontrast(ink, cutoff=0)) if _has_white_box(image) else alpha
    white = Image.new("RGBA", image.size, (255, 255, 255, 0))
    white.putalpha(ImageChops.subtract(ink, _seams(image)))
    return white


SEAM = 0.012  # of the logo's larger side: the clear line cut where two of its colours meet (at least a pixel)


def _seams(image: Any) -> Any:
    """Return a mask of where two inks of the logo meet (a dark oval and a gold dot), so its one-colour version
    keeps them apart by a clear line rather than merging them into one white shape (rev51-52: Harmony's mark
    read as a 'peanut' on the card's band); its outline against the paper is not touched."""
    from PIL import ImageChops, ImageFilter, ImageOps

    rgb = image.convert("RGB")
    inked = ImageOps.invert(ImageOps.grayscale(rgb)).point(lambda v: 255 if v > 40 else 0)
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        inked = ImageChops.multiply(inked, image.convert("RGBA").getchannel("A").point(lambda v: 255 if v > 128 else 0))
    size = max(3, 2 * round(SEAM * max(image.size) / 2) + 1)  # odd, for the filters
    edges = ImageOps.grayscale(rgb.filter(ImageFilter.FIND_EDGES)).point(lambda v: 255 if v > 60 else 0)
    inner = inked.filter(ImageFilter.MinFilter(2 * size + 1))  # inside the ink, clear of its edge with the paper
    return ImageChops.multiply(edges.filter(ImageFilter.MaxFilter(size)), inner)


def _has_white_box(image: Any) -> bool:
    """True when a logo with an alpha channel is in fact opaque (a white box around the mark)."""
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] > 250
