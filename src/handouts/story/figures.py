"""Take a writer, a block and its words and give back the flowables of figures, icons and marked lists.

The writer calls these for ``figure`` blocks, for every list and step (numbers, bullets and
icons in a gutter, so hanging indents are exact), for a block's title icon and for the fill-in
line of a ``form_field`` block. Art comes from ``story.art``: parsed once per process, drawn once
per PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors as rl_colors
from reportlab.lib.enums import TA_CENTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from ..colors import tint
from ..errors import ContentError
from ..load.content import Block
from .art import Art, ArtError, Palette, load_art, readable_shade
from .para import Para, restyled
from .pictures import Figure, FillInLine, FillInRow, IconHeading, Marked

FIGURE_WIDTH = 1.9 * 72  # art/README.md: figures print 1.5–2 in wide
BODY = 11.0  # the body size figures and icons are drawn for; larger type grows them
WARNING_ICONS = ("alert-triangle",)  # a list item with this icon is a warning: its words print in the warning red
WARNING_BAND_TINT = 0.8  # ...on a band of the red this far towards white (the red text keeps 4.5:1 on it)


def palette(writer: Any) -> Palette:
    """Return the palette the art of ``writer``'s handout prints in."""
    theme = writer.theme
    return Palette(theme.primary, theme.accent, theme.gray)


def art(writer: Any, path: Path, block: Block | None = None, key: str = "icon", ink: str | None = None) -> Art:
    """Return the art of ``path`` in the handout's palette, its lines in ``ink`` where given; raises
    ``ContentError`` naming the block.

    A warning icon (``WARNING_ICONS``) draws its lines in the warning red, as its words print.
    """
    theme = writer.theme
    colours = palette(writer) if ink is None else Palette(theme.primary, theme.accent, theme.gray, ink=ink)
    if path.stem in WARNING_ICONS:
        colours = Palette(theme.primary, theme.accent, theme.gray, ink=theme.marker_color(theme.warning))
    try:
        return load_art(path, colours, writer.theme.body.regular)
    except ArtError as exc:
        display = block.display if block else "art/"
        line = block.lines.line_of(key) if block else None
        raise ContentError(f"{key}: {path.name} {exc}", display, line) from None


def builtin_icon(writer: Any, name: str, fill: str = "none") -> Art | None:
    """Return the icon ``art/icons/<name>.svg`` of the project, drawn for ``fill``, or None where the project has
    none."""
    folder: Path | None = getattr(writer, "art_root", None)
    path = folder / "icons" / f"{name}.svg" if folder else None
    if path is None or not path.is_file():
        return None
    return art(writer, path, ink=writer.theme.icon_ink(fill))


def scale(writer: Any) -> float:
    """Return how much larger than at 11 pt body text art is drawn (1.0 on a sheet, 1.6 in large print)."""
    return max(1.0, writer.theme.sizes["body"] / BODY)


def icon_size(writer: Any) -> float:
    """Return the size of a list icon: a little over the body size, so it reads at 0.25 in."""
    return writer.theme.sizes["body"] * 1.6


def marked(
    writer: Any,
    para: Paragraph,
    fill: str,
    mark: str | None = None,
    icon: Art | None = None,
    widest: str = "",
    gap: float = 0.45,
) -> Marked:
    """Return ``para`` with a marker (``mark`` text or ``icon``) in a gutter, ``gap`` of the body size before the
    text; the paragraph loses its own indent."""
    theme = writer.theme
    size = theme.sizes["body"]
    flat = restyled(para.style, "-flat", leftIndent=0, bulletIndent=0, firstLineIndent=0)
    para.style = flat
    if icon is not None:
        side = icon_size(writer)
        return Marked(para, side + size * gap, icon=icon, icon_size=side)
    # one gutter for the whole list, from its widest marker ("10."), so every item's text starts at one x
    gutter = max(size * 1.1, stringWidth(widest or mark or "", flat.bulletFontName, size) + size * 0.45)
    style = restyled(
        flat,
        "-mark",
        fontName=flat.bulletFontName,
        textColor=flat.bulletColor,
        spaceBefore=0,
        spaceAfter=0,
    )
    return Marked(para, gutter, marker=Para(mark or "", style))  # parsed once per (mark, style) in a worker


def with_icon(writer: Any, flowable: Flowable, name: str, fill: str = "none") -> Flowable:
    """Return a contact line on ``fill`` with the project's icon ``name`` before it (as it is, where there is none)."""
    icon = builtin_icon(writer, name, fill)
    if icon is None:
        return flowable
    size = writer.theme.sizes["body"] * 1.3
    line = Marked(flowable, size + writer.theme.sizes["body"] * 0.4, icon=icon, icon_size=size)  # type: ignore[arg-type]
    line._block_id = getattr(flowable, "_block_id", None)  # type: ignore[attr-defined]
    return line


def under_icons(writer: Any, flowable: Flowable) -> Flowable:
    """Return a contact line that has no icon set on the text edge of the lines that have one (as it is, where
    the project has no icons), so hours and names line up with the phone number, not with the icons."""
    if builtin_icon(writer, "phone") is None:
        return flowable
    line = Marked(flowable, writer.theme.sizes["body"] * 1.7)  # type: ignore[arg-type]
    line._block_id = getattr(flowable, "_block_id", None)  # type: ignore[attr-defined]
    return line


def held_for_definition(block: Block, nxt: Block | None) -> bool:
    """True for a figure block just before a condition block: it is read after that condition's definition (what
    it is, where it is felt, then the symptoms), in the PDF (``handout._after_definition``) and its HTML twin."""
    return block.kind == "figure" and nxt is not None and nxt.kind == "condition"


STEP_NUMBER = 1.3  # times the body size: a numbered step's number, where it leads the step's text (on a fill)
STEP_GAP = 0.4  # lines: the space between two numbered steps with icons
STEP_ICON_GAP = 0.75  # of the body size: between a step's icon and its number (0.45 set them against each other)
STEP_DISC = 2.4  # times the body size: a step's marker on paper, a disc of the brand's tint holding its icon, with
# its number on a badge at the disc's shoulder: one marker, where an icon in the gutter and a number leading the
# text read as two ("marked twice", rev58a-b)
STEP_DISC_TINT = 0.84  # the disc: this far from the brand colour toward white
LONG_FIRST_ITEM = 3  # lines: a first step this long may end a column without the second
CENTRED_GAP = 0.45  # lines: between two centred list items (``centred``)
LONG_OUTRO = 2  # lines: a list's closing paragraph this long may open a column without the list's last item (at 3,
# the last two items waited for a two-line one: a list cut two and two over 1.3 in of empty column, rev46-47)
OUTRO_ABOVE = 0.4  # lines: the space above a list's closing paragraph, so it does not read as one more item (at
# the items' own spacing, the tri-fold flap's "Nerve pain can be hard to treat..." did: rev53a)


def closing(outro: Any) -> Any:
    """Return a list's closing paragraph ``outro``, set off from the list by ``OUTRO_ABOVE`` of a line."""
    outro.style = restyled(outro.style, "-outro", spaceBefore=outro.style.leading * OUTRO_ABOVE)
    return outro


def marked_list(
    writer: Any, block: Block, lang: str, words: dict[str, Any], fill: str, numbered: bool, key: str = "items"
) -> list[Flowable]:
    """Return the items of a list or steps, each with its number, bullet or icon."""
    out: list[Flowable] = []
    icons = block.icons if key == "items" else ()
    whole_list = object()  # what the items share: levelling a last page does not cut a list it found whole
    on_paper = fill in ("none", "#ffffff")
    for i, value in enumerate(words[key]):
        icon_path = icons[i] if i < len(icons) else None
        para = writer.field(block, lang, key, "bullet", fill, index=i, value=value)
        if numbered and icon_path and on_paper:  # one marker: the icon on a disc, the number on its badge
            out.append(_step(writer, block, para, icon_path, i, whole_list))  # (the icon in the disc's ink)
            continue
        icon = art(writer, icon_path, block, "icons", ink=writer.theme.icon_ink(fill)) if icon_path else None
        if numbered and icon is not None:  # the step's number leads its text; the icon sits in the gutter
            color = writer.theme.gray(writer.theme.ink_on(fill))
            size = para.style.fontSize * STEP_NUMBER  # a step's number is the first thing the eye meets: a size up
            number = f"<font color='{color}' size='{size:.2f}'><b>{i + 1}</b></font>"
            numbered_para = type(para)(f"{number}\u2002{para.text}", para.style)
            numbered_para._block_id = block.id  # type: ignore[attr-defined]
            para = numbered_para
        alert = icon_path is not None and icon_path.stem in WARNING_ICONS and on_paper
        if alert:
            para = _in_warning_red(writer, para, block)  # the alert item reads as the warning it is
        if numbered and icon is not None and i:  # steps read as steps: a little air between them
            extra = para.style.leading * STEP_GAP
            para.style = restyled(para.style, "-step", spaceBefore=para.style.spaceBefore + extra)
        mark = f"{i + 1}." if numbered else "\u2022"
        widest = f"{len(words[key])}." if numbered else "\u2022"
        gap = STEP_ICON_GAP if numbered and icon is not None else 0.45  # an icon, then a step's number: apart
        item = marked(writer, para, fill, mark=None if icon else mark, icon=icon, widest=widest, gap=gap)
        if alert:  # on the warning's own tint, as its boxes are: the line a reader finds first
            item.band = writer.theme.gray(tint(writer.theme.warning, WARNING_BAND_TINT))
        item._block_id = block.id  # type: ignore[attr-defined]
        item._list = whole_list  # type: ignore[attr-defined]
        out.append(item)
    if len(out) >= 3:
        out[0].keepWithNext = 1  # a heading with its list takes two items with it, not one alone at a column foot,
        if numbered:  # unless it is a step of three lines or more: the next column goes on at "2", as a reader expects
            out[0]._alone_height = LONG_FIRST_ITEM * out[0].para.style.leading - 0.01  # type: ignore[attr-defined]
        if not getattr(out[-2], "keepWithNext", 0):  # and its last item opens no column alone, where that
            out[-2].keepWithNext, out[-2]._soft_keep = 1, True  # type: ignore[attr-defined]  # costs no page
    return out


def _step(writer: Any, block: Block, para: Paragraph, icon_path: Path, i: int, whole_list: object) -> Marked:
    """Return step ``i`` of a list on paper: its icon, in the brand colour, on a disc of the brand's tint
    (``STEP_DISC``), its number in white on a badge of the brand colour at the disc's shoulder. The number is the
    item's label (tagged ``Lbl``); the text beside it starts at one x, as every marked item's does."""
    theme = writer.theme
    body = theme.sizes["body"]
    disc = tint(theme.primary, STEP_DISC_TINT)
    number_size = body * STEP_DISC * Marked.BADGE * 0.66
    badge = theme.text_color(theme.primary, "none", number_size)  # white on it reads as the brand on paper would
    ink = readable_shade(theme.primary, disc)  # the icon's lines: 3:1 on the disc
    icon = art(writer, icon_path, block, "icons", ink=ink)
    flat = restyled(para.style, "-flat", leftIndent=0, bulletIndent=0, firstLineIndent=0)
    para.style = flat
    if i:  # steps read as steps: a little air between them
        para.style = restyled(flat, "-step", spaceBefore=flat.spaceBefore + flat.leading * STEP_GAP)
    number = restyled(
        flat,
        "-badge",
        fontName=flat.bulletFontName,
        fontSize=number_size,
        leading=number_size,
        textColor=rl_colors.white,
        alignment=TA_CENTER,
        spaceBefore=0,
        spaceAfter=0,
    )
    item = Marked(para, 0.0, marker=Para(str(i + 1), number), icon=icon, icon_size=body * STEP_DISC)
    item.disc = (theme.gray(disc), theme.gray(badge))
    item.gutter = item.disc_width() + body * 0.5
    item._block_id = block.id  # type: ignore[attr-defined]
    item._list = whole_list  # type: ignore[attr-defined]
    return item


def _in_warning_red(writer: Any, para: Paragraph, block: Block) -> Paragraph:
    """Return ``para`` set in the warning red of the handout's boxes (darkened until it reads on its band)."""
    theme = writer.theme
    red = theme.gray(theme.text_color(theme.warning, tint(theme.warning, WARNING_BAND_TINT), para.style.fontSize))
    style = para.style.clone(para.style.name + "-warning", textColor=rl_colors.HexColor(red))
    warned = type(para)(para.text, style)
    warned._block_id = block.id  # type: ignore[attr-defined]
    return warned


def titled(writer: Any, para: Paragraph, block: Block) -> Flowable:
    """Return a block title with the block's icon before it, when it has one."""
    if block.icon is None:
        return para
    size = para.style.fontSize * 1.5
    heading = IconHeading(art(writer, block.icon, block), para, size)
    heading._block_id = block.id  # type: ignore[attr-defined]
    return heading


def figure(writer: Any, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
    """Return a figure block: its title (if any), the picture and its caption and credit."""
    assert block.image is not None  # read_block requires image: for a figure
    picture = art(writer, block.image, block, "image")
    caption: list[Flowable] = []
    small = writer.theme.style("small", fill)
    size = small.fontSize + 0.5
    centred = small.clone(small.name + "-caption", alignment=TA_CENTER, fontSize=size, leading=size * 1.3)
    centred.balance = True  # a caption of two lines breaks where they come out even: no word left alone under it
    caption.append(writer.field(block, lang, "caption", "small", fill))
    caption[0].style = centred
    if block.credit:
        credit = writer.paragraph(
            block.credit,
            centred.clone(centred.name + "-credit", fontSize=small.fontSize - 1, leading=(small.fontSize - 1) * 1.3),
            block,
            "credit",
            block.lines.line_of("credit"),
            block.display,
        )
        caption.append(credit)
    width = (block.width or FIGURE_WIDTH) * scale(writer)
    out: list[Flowable] = []
    if words.get("title"):
        title = writer.field(block, lang, "title", "heading", fill)  # a figure's title heads it as a block's does
        title.keepWithNext = 1
        out.append(title)
    labels = []  # over the picture, each centred over its part of it, in the small bold face
    for i, label in enumerate(words.get("labels") or []):
        para = writer.field(block, lang, "labels", "smallstrong", fill, index=i, value=label)
        para.style = restyled(para.style, "-label", alignment=TA_CENTER)
        labels.append(para)
    pic = Figure(picture, width, caption, words["alt"], labels)
    pic.spaceBefore = writer.theme.sizes["body"] * 0.5
    pic.spaceAfter = writer.theme.sizes["body"] * 0.8
    out.append(pic)
    if block.optional:  # placement leaves it out where that saves a page (pdf.place)
        for f in out:
            f._optional = "figure"
    return out


def fill_in(writer: Any, block: Block, lang: str, fill: str) -> list[Flowable]:
    """Return the fill-in lines of a ``form_field`` block: its body as the label, a line, a form field.

    With ``fields`` (e.g. Date, Time, Practitioner), the body is a heading and each field is a line of
    its own with its label on the left, in the label's own width (``FillInRow`` sets two to a row).
    """
    color = writer.theme.gray(writer.theme.ink_on(fill))
    name = block.form_field or block.id
    size = writer.theme.sizes["body"]
    label = writer.field(block, lang, "body", "heading", fill)  # as loud as the card's own heading
    labels = block.text[lang].get("fields") or []
    if not labels:
        line = FillInLine(label, name, color, size * 1.9)
        line._block_id = block.id  # type: ignore[attr-defined]
        return [line]
    label.keepWithNext = 1
    paras = [writer.field(block, lang, "fields", "body", fill, index=i, value=t) for i, t in enumerate(labels)]
    # each label its own width, so a long one ("Practitioner") does not shorten the lines beside short ones
    lines = [
        FillInLine(p, f"{name}-{i + 1}", color, size * 1.9, beside=_label_width(p) + size * 0.6)
        for i, p in enumerate(paras)
    ]
    for line in lines:
        line._block_id = block.id  # type: ignore[attr-defined]
    return [label, FillInRow(lines, size)]


def _label_width(para: Paragraph) -> float:
    """Return the width a one-line label takes, measured as reportlab sets it."""
    para.wrap(1e4, 1e4)
    return float(max(para.getActualLineWidths0()))


def highlight(writer: Any) -> str:
    """Return the brand colour as graphics print it: dark enough to see on paper."""
    return writer.theme.gray(readable_shade(writer.theme.primary))


def rl_color(value: str) -> rl_colors.Color:
    """Return a reportlab colour of ``#rrggbb``."""
    return rl_colors.HexColor(value)


def centred(flowables: list[Flowable]) -> list[Flowable]:
    """Return ``flowables`` set on their panel's centre line (a panel's ``align: center``): each paragraph and
    heading centred, its lines balanced; a list's items centred one under another, without their markers (a
    cover's "Inside:" teasers under its centred title). An icon or a box keeps its own look."""
    for f in flowables:
        para = f.para if isinstance(f, Marked) and f.icon is None else f
        if not isinstance(para, Paragraph):
            continue
        style = para.style
        if para is f:
            para.style = restyled(style, "-centred", alignment=TA_CENTER, balance=True)
            continue
        # a bullet: the item keeps its place in the list (tagged L, LI), drawn without the mark; half a line
        # apart, so an item on two lines reads as one
        gap = max(style.spaceBefore, style.leading * CENTRED_GAP)
        para.style = restyled(style, "-centred", alignment=TA_CENTER, balance=True, spaceBefore=gap)
        f.marker, f.gutter = None, 0.0
    return flowables
