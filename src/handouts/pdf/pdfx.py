"""Take a painted PDF opened with pikepdf and make it a PDF/X-4 file in CMYK, for a print shop.

Every RGB colour of the page content and of the Form XObjects becomes CMYK through the print
profile (or the clinic's own ``branding.cmyk`` values for its brand colours), body-colour text and
rules become 100 % K and overprint, RGB images become DeviceCMYK, annotations and form fields go
(a print shop prints paper), and the document gets the PDF/X output intent, version keys and XMP.
Only ``--print-shop`` builds come here; the office path never loads pikepdf or the colour engine.
"""

from __future__ import annotations

import functools
import hashlib
import io
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from ..colors import BLACK, INK
from ..load.config import Clinic

PDFX_VERSION = "PDF/X-4"
PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = PROFILE_DIR / "handouts-fogra39.icc"
# The registered characterization the shipped profile is made from (ICC's registry of printing conditions)
DEFAULT_CONDITION = "FOGRA39"
_REGISTRY = "http://www.color.org"

Cmyk = tuple[float, float, float, float]


@dataclass(frozen=True)
class PrintIntent:
    """What a print-shop file is printed as: the CMYK profile and the colours with fixed CMYK values.

    ``k_only``: ``#rrggbb`` colours printed as 100 % K, overprinting (body text, its rules, black).
    ``fixed``: ``#rrggbb`` to C, M, Y, K (0–1), from the clinic's ``branding.cmyk``.
    """

    profile: Path = DEFAULT_PROFILE
    condition: str = DEFAULT_CONDITION
    k_only: frozenset[str] = frozenset({"#000000"})
    fixed: tuple[tuple[str, Cmyk], ...] = ()


def intent_for(clinic: Clinic, gray: Callable[[str], str]) -> PrintIntent:
    """Return how ``clinic``'s print-shop files print: its ``print_profile`` (else FOGRA39) and ``branding.cmyk``.

    ``gray`` is the theme's colour rule (identity, or ``to_gray`` for ``--grayscale``): body text
    and black print as 100 % K either way.
    """
    fixed = tuple(
        (gray(color), tuple(v / 100 for v in clinic.cmyk[role]))
        for role, color in (("primary", clinic.primary_color), ("accent", clinic.accent_color))
        if role in clinic.cmyk and gray(color) == color
    )
    if clinic.print_profile is None:
        return PrintIntent(k_only=frozenset({INK, BLACK, gray(INK)}), fixed=fixed)  # type: ignore[arg-type]
    return PrintIntent(
        profile=clinic.print_profile,
        condition="Custom",
        k_only=frozenset({INK, BLACK, gray(INK)}),
        fixed=fixed,  # type: ignore[arg-type]
    )


class _Colors:
    """RGB to CMYK through one profile, with the fixed colours and K-only rules applied first."""

    def __init__(self, intent: PrintIntent) -> None:
        self.intent = intent
        self.fixed = dict(intent.fixed)
        self.transform = _transform(intent.profile)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one converter per document; colours repeat thousands of times)
    def cmyk(self, r: int, g: int, b: int) -> tuple[Cmyk, bool]:
        """Return the CMYK of an 8-bit RGB colour and whether it prints as overprinting K only."""
        key = f"#{r:02x}{g:02x}{b:02x}"
        if key in self.intent.k_only:
            return (0.0, 0.0, 0.0, 1.0), True
        if key in self.fixed:
            return self.fixed[key], False
        if r == g == b:  # grays (and white) in K alone: no four-colour registration on gray type or rules
            return (0.0, 0.0, 0.0, round(1 - r / 255, 4)), False
        from PIL import Image, ImageCms

        pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), (r, g, b)), self.transform).getpixel((0, 0))
        return tuple(round(v / 255, 4) for v in pixel), False  # type: ignore[return-value]

    def image(self, rgb: Any) -> Any:
        """Return a PIL RGB image in CMYK: the same conversion as vector colours, fixed colours kept exact."""
        from PIL import Image, ImageChops, ImageCms

        out = ImageCms.applyTransform(rgb, self.transform)
        for hex_color, value in self.fixed.items():
            solid = Image.new("RGB", rgb.size, hex_color)
            masks = [band.point(lambda v: 255 if v == 0 else 0) for band in ImageChops.difference(rgb, solid).split()]
            mask = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
            if mask.getbbox():
                out.paste(tuple(round(v * 255) for v in value), mask=mask)
        return out


@functools.lru_cache(maxsize=4)
def _transform(profile: Path) -> Any:
    """Return the sRGB to CMYK transform of ``profile`` (relative colorimetric with black-point compensation)."""
    from PIL import ImageCms

    # read into memory: a profile opened from a file keeps reading it, through a file descriptor a forked
    # build worker shares with its parent and its siblings ("Could not get profile" when two read at once)
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.ImageCmsProfile(io.BytesIO(profile.read_bytes())),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def _rgb8(operands: list[Any]) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(float(v) * 255))) for v in operands)  # type: ignore[return-value]


def _num(value: float) -> int | Decimal:
    return int(value) if value in (0.0, 1.0) else Decimal(f"{value:.4f}").normalize()


# Overprint states, named by (fill overprint, stroke overprint); each sets both flags, OPM 1 (so the
# zero C, M, Y of pure-K type leave the inks under it alone)
_OVERPRINT = {(f, s): Name(f"/HXop{int(f)}{int(s)}") for f in (False, True) for s in (False, True)}


class _Rewriter:
    """Rewrites one content stream's colour operators to CMYK, keeping overprint in step with colour."""

    def __init__(self, colors: _Colors) -> None:
        self.colors = colors
        self.used: set[tuple[bool, bool]] = set()

    def rewrite(self, source: pikepdf.Object | pikepdf.Page, known: bool) -> bytes:
        """Return the new content of ``source``; ``known``: the overprint state at its start is the default."""
        out: list[tuple[list[Any], Operator]] = []
        state: list[bool | None] = [False, False] if known else [None, None]
        stack: list[tuple[list[bool | None], list[bool]]] = []
        rgb_space = [False, False]  # fill, stroke: current colour space set to DeviceRGB by cs/CS

        def overprint(index: int, on: bool) -> None:
            if state[index] == on:
                return
            other = state[1 - index]
            new = [False, False] if other is None else [bool(state[0]), bool(state[1])]
            new[index] = on
            out.append(([_OVERPRINT[(new[0], new[1])]], Operator("gs")))
            self.used.add((new[0], new[1]))
            state[:] = new

        for item in pikepdf.parse_content_stream(source):
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                overprint(0, False)
                out.append(item)  # type: ignore[arg-type]
                continue
            operands, op = list(item.operands), str(item.operator)
            index = 1 if op in ("RG", "SC", "SCN", "CS", "G", "K") else 0
            if op == "q":
                stack.append((list(state), list(rgb_space)))
            elif op == "Q" and stack:
                state[:], rgb_space[:] = stack.pop()
            elif op in ("rg", "RG") or (op in ("sc", "scn", "SC", "SCN") and rgb_space[index] and len(operands) == 3):
                value, on = self.colors.cmyk(*_rgb8(operands))
                overprint(index, on)
                out.append(([_num(v) for v in value], Operator("k" if index == 0 else "K")))
                continue
            elif op in ("cs", "CS"):
                rgb_space[index] = operands[0] in (Name.DeviceRGB, Name.CalRGB)
                if rgb_space[index]:
                    operands = [Name.DeviceCMYK]
            elif op in ("g", "G"):
                overprint(index, float(operands[0]) == 0)
            elif op in ("k", "K"):
                overprint(index, False)
            elif op in ("Do", "sh"):
                overprint(0, False)  # images and shadings never overprint
            out.append((operands, Operator(op)))
        return pikepdf.unparse_content_stream(out)


def _is_rgb(space: Any) -> bool:
    """True for DeviceRGB, CalRGB, a three-channel ICC space, and an indexed space over one of them."""
    if isinstance(space, Name):
        return space in (Name.DeviceRGB, Name.CalRGB)
    if isinstance(space, Array) and len(space) > 0:
        if space[0] == Name.ICCBased:
            return int(space[1].get("/N", 0)) == 3
        if space[0] == Name.CalRGB:
            return True
        if space[0] in (Name.Indexed, Name.I):
            return _is_rgb(space[1])
    return False


def _convert_image(image: pikepdf.Stream, colors: _Colors) -> None:
    """Replace an RGB image's pixels with CMYK ones (DeviceCMYK, Flate); its soft mask, if any, stays."""
    from pikepdf import PdfImage

    rgb = PdfImage(image).as_pil_image().convert("RGB")
    cmyk = colors.image(rgb)
    image.write(zlib.compress(cmyk.tobytes(), 9), filter=Name.FlateDecode)
    image.ColorSpace = Name.DeviceCMYK
    image.BitsPerComponent = 8
    for key in ("/DecodeParms", "/Decode"):
        if key in image:
            del image[key]


def _resources(owner: pikepdf.Object) -> Iterator[tuple[pikepdf.Object, pikepdf.Stream]]:
    """Yield (resources, XObject) for each XObject named in ``owner``'s resources."""
    res = owner.get("/Resources")
    if res is None:
        return
    for xobject in (res.get("/XObject") or {}).values():
        yield res, xobject


def _add_states(resources: pikepdf.Object, used: set[tuple[bool, bool]]) -> None:
    if not used:
        return
    if "/ExtGState" not in resources:
        resources.ExtGState = Dictionary()
    for fill, stroke in sorted(used):
        resources.ExtGState[_OVERPRINT[(fill, stroke)]] = Dictionary(Type=Name.ExtGState, op=fill, OP=stroke, OPM=1)


def convert(pdf: pikepdf.Pdf, intent: PrintIntent) -> None:
    """Make ``pdf`` a PDF/X-4 document printed as ``intent`` says, in place.

    Colours and images become CMYK, annotations and form fields are removed, and the output
    intent, ``GTS_PDFXVersion`` (Info and XMP) and the XMP the standard asks for are added.
    Saving is the caller's (``deterministic_id=True``).
    """
    colors = _Colors(intent)
    done: set[tuple[int, int]] = set()

    def visit(owner: pikepdf.Object) -> None:
        for _, xobject in _resources(owner):
            if xobject.objgen in done:
                continue
            done.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Image:
                if not xobject.get("/ImageMask", False) and _is_rgb(xobject.get("/ColorSpace")):
                    _convert_image(xobject, colors)
            elif xobject.get("/Subtype") == Name.Form:
                rewriter = _Rewriter(colors)
                xobject.write(zlib.compress(rewriter.rewrite(xobject, known=False)), filter=Name.FlateDecode)
                if "/Resources" not in xobject:
                    xobject.Resources = Dictionary()
                _add_states(xobject.Resources, rewriter.used)
                visit(xobject)

    for page in pdf.pages:
        rewriter = _Rewriter(colors)
        page.obj.Contents = pdf.make_stream(zlib.compress(rewriter.rewrite(page, known=True)), Filter=Name.FlateDecode)
        _add_states(page.Resources, rewriter.used)
        visit(page.obj)
        if "/Annots" in page.obj:
            del page.obj["/Annots"]  # links and form fields: nothing to click on paper
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]
    _output_intent(pdf, intent)
    _metadata(pdf)


def _output_intent(pdf: pikepdf.Pdf, intent: PrintIntent) -> None:
    data = intent.profile.read_bytes()
    profile = pdf.make_stream(zlib.compress(data, 9), Filter=Name.FlateDecode, N=4)
    description = _description(data) or intent.profile.stem
    pdf.Root.OutputIntents = Array(
        [
            Dictionary(
                Type=Name.OutputIntent,
                S=Name.GTS_PDFX,
                OutputConditionIdentifier=intent.condition,
                OutputCondition=description,
                Info=description,
                RegistryName=_REGISTRY,
                DestOutputProfile=profile,
            )
        ]
    )


def _description(data: bytes) -> str:
    """Return an ICC profile's description, or ``""``."""
    from PIL import ImageCms

    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except (OSError, ImageCms.PyCMSError):
        return ""


def _metadata(pdf: pikepdf.Pdf) -> None:
    """Add the PDF/X keys to the Info dictionary and XMP, adding to any packet already there, with no clock."""
    info = pdf.docinfo
    info[Name.GTS_PDFXVersion] = PDFX_VERSION
    info[Name.Trapped] = Name("/False")
    created = _xmp_date(str(info.get("/CreationDate", "D:20000101000000+00'00'")))
    modified = _xmp_date(str(info.get("/ModDate", info.get("/CreationDate", "D:20000101000000+00'00'"))))
    # the document's identity comes from its content, so the same inputs give the same bytes
    digest = hashlib.sha256()
    for page in pdf.pages:
        digest.update(page.obj.Contents.read_bytes())
    doc_id = f"uuid:{uuid.UUID(bytes=digest.digest()[:16])}"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfxid:GTS_PDFXVersion"] = PDFX_VERSION
        meta["pdf:Trapped"] = "False"
        if "/Title" in info:
            meta["dc:title"] = str(info.Title)
        if "/Producer" in info:
            meta["pdf:Producer"] = str(info.Producer)
        if "/Creator" in info:
            meta["xmp:CreatorTool"] = str(info.Creator)
        meta["xmp:CreateDate"] = created
        meta["xmp:ModifyDate"] = modified
        meta["xmp:MetadataDate"] = modified
        meta["xmpMM:DocumentID"] = doc_id
        meta["xmpMM:VersionID"] = "1"
        meta["xmpMM:RenditionClass"] = "default"


def _xmp_date(pdf_date: str) -> str:
    """Return a PDF date ``D:20000101000000+00'00'`` as XMP's ``2000-01-01T00:00:00+00:00``."""
    d = pdf_date.removeprefix("D:")
    zone = d[14:].replace("'", "") or "Z"
    zone = "+00:00" if zone in ("Z", "+0000") else f"{zone[:3]}:{zone[3:5]}"
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}{zone}"


def to_pdfx(data: bytes, intent: PrintIntent) -> bytes:
    """Return the PDF ``data`` as a PDF/X-4 file (``convert``), saved deterministically."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        convert(pdf, intent)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()
