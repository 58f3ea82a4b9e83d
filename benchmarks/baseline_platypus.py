"""The baseline: the Lotus first-visit sheet written by hand with reportlab platypus.

This is the script a developer would write without ``handouts``: a ``BaseDocTemplate`` with two
page templates (first page with logo, clinic name and title band; later pages with a slim
header), two column frames at the coordinates of ``layouts/sheet.yaml``, a footer with a
"Page X of Y" counted by a canvasmaker, the Bitstream Vera TTF faces embedded, ``ListFlowable``
lists, a ``Table`` for the red callout, and the booking QR code from reportlab's own
``QrCodeWidget`` in a ``Drawing``.

The words are not typed in here: ``load_content`` reads them once from the project through
handouts' own loaders (and its sandboxed Jinja), so the baseline draws exactly the engine's
words. Only ``render`` is timed.
"""

from __future__ import annotations

import inspect
import io
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Indenter,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from svglib.svglib import svg2rlg

# --- fonts: reportlab's bundled Bitstream Vera, embedded as TrueType (what the engine uses by default)
_VERA = Path(reportlab.__file__).parent / "fonts"
for _name in ("Vera", "VeraBd", "VeraIt", "VeraBI"):
    pdfmetrics.registerFont(TTFont(_name, str(_VERA / f"{_name}.ttf")))
pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="VeraBd", italic="VeraIt", boldItalic="VeraBI")
REGULAR, BOLD = "Vera", "VeraBd"

# --- geometry of layouts/sheet.yaml on US Letter, typed in by hand as a developer would
PAGE_W, PAGE_H = letter
MARGIN_X = 0.6 * inch
GAP = 0.35 * inch
COL_W = (PAGE_W - 2 * MARGIN_X - GAP) / 2
COL_X = (MARGIN_X, MARGIN_X + COL_W + GAP)
BOTTOM = 1.1 * inch
FIRST_TOP = PAGE_H - 2.75 * inch
NEXT_TOP = PAGE_H - 0.95 * inch
FOOTER_RULE_Y = 0.98 * inch
FOOTER_Y = 0.94 * inch - 8.5  # baseline of the contact line and "Page X of Y"
FOOTER_NOTE_TOP = 0.70 * inch

# --- type scale of layouts/sheet.yaml
BODY, LEADING, TITLE, SUBTITLE, HEADING, SUBHEADING, SMALL = 11.0, 1.35, 22.0, 12.5, 14.5, 12.0, 8.5
INK = "#1a1a1a"
WHITE = "#ffffff"
WARNING = "#a4262c"


# ----------------------------------------------------------------------------- content (not timed)
def load_content(
    root: Path, clinic_slug: str = "lotus-acupuncture", handout_id: str = "first-visit", lang: str = "en"
) -> dict[str, Any]:
    """Read the handout's words once, through handouts' loaders and Jinja, as plain strings.

    Texts keep their inline ``**bold**``; ``render`` turns it into ``<b>``. Runs outside the timing.
    """
    from handouts.colors import tint
    from handouts.handout import review_line
    from handouts.load.config import clinic_context
    from handouts.load.project import handout_context, load_project
    from handouts.plan import Task
    from handouts.render import render_text
    from handouts.story.flowables import qr_modules
    from handouts.story.writer import group_hours

    project = load_project(root)
    clinic = project.clinics[clinic_slug]
    handout = project.handouts[handout_id]
    context = handout_context(project, clinic, handout, lang)
    strings = project.strings[lang]

    def text(raw: str, **extra: Any) -> str:
        return render_text(raw, {**context, **extra}, "benchmark", 1, "benchmark").strip()

    blocks = []
    for ids in handout.slots.values():
        for block_id in ids:
            block = project.block_for(clinic_slug, block_id)
            assert block is not None
            words = block.text[lang]
            blocks.append(
                {
                    "id": block.id,
                    "kind": block.kind,
                    "tone": block.tone,
                    "title": text(words.get("title") or ""),
                    "intro": text(words.get("intro") or ""),
                    "items": [text(i) for i in words.get("items") or []],
                    "body": text(words.get("body") or ""),
                    "outro": text(words.get("outro") or ""),
                    "show": tuple(block.show),  # a contact block's details (an empty tuple: all of them)
                    "caption": text(words.get("caption") or ""),
                    "image": str(block.image or ""),  # a figure's SVG
                    "width": block.width or 0.0,
                    "icon": str(block.icon or ""),  # beside a box's title
                    "icons": [str(i) for i in block.icons],  # one per list item
                }
            )
    info = clinic_context(clinic, lang)
    # group_hours gained a ``lang`` argument (CLDR day names); accept either signature
    if "lang" in inspect.signature(group_hours).parameters:
        hours = group_hours(clinic.hours, strings, lang)
    else:
        hours = group_hours(clinic.hours, strings)  # type: ignore[call-arg]
    website = info["website"]
    website_short = re.sub(r"^https?://(www\.)?", "", website).rstrip("/")
    return {
        "lang": lang,
        "title": context["handout"]["title"],
        "subtitle": context["handout"]["subtitle"],
        "clinic": {
            "name": info["name"],
            "tagline": info["tagline"],
            "phone": info["phone"],
            "tel": "tel:" + re.sub(r"[^0-9+]", "", info["phone"]),
            "email": info["email"],
            "website": website,
            "website_short": website_short,
            "booking_url": info["booking_url"],
            "booking_short": re.sub(r"^https?://(www\.)?", "", info["booking_url"]).rstrip("/"),
            "address": list(info["address"]),
            "hours": hours,
            "logo": str(clinic.logo),
            # the icons the engine sets by itself, from the project's art/icons/
            "icons": {k: str(root / "art" / "icons" / f"{k}.svg") for k in BUILT_IN_ICONS},
        },
        "colors": {
            "primary": clinic.primary_color,
            "accent": clinic.accent_color,
            "warning": WARNING,
            "warning_tint": tint(WARNING, 0.92),
        },
        "strings": {
            "hours": strings["hours"],
            "call_us": strings["call_us"],
            "scan_to_book": strings["scan_to_book"],
            # "Page {page} of {pages}", filled in by the page-counting canvas
            # "Reviewed <month> · Ref. <code>  ·  Page {page} of {pages}", as the sheet's footer prints it
            "page_of": review_line(project, clinic, handout, Task(clinic_slug, handout_id, lang))
            + "  ·  "
            + text(strings["page_of"], page="{page}", pages="{pages}"),
            "disclaimer_short": text(strings["disclaimer_short"]),
            "continued": strings["continued"],  # the engine's furniture over a page turn (not drawn here)
        },
        # the layout prints the disclaimer in its footer (disclaimer_in_footer): the block's title and body,
        # joined as strings.yaml's colon joins them, else the short disclaimer
        "footer_note": next(
            (str(strings["colon"]).join(p for p in (b["title"], b["body"]) if p)
             for b in blocks if b["kind"] == "disclaimer"),
            text(strings["disclaimer_short"]),
        ),
        "footer": f"{info['phone']}  ·  {website_short}",
        "blocks": blocks,
        # only for the "fast QR" variant: the module matrix, made once, as the engine caches it
        "qr_modules": qr_modules(info["booking_url"]),
    }


# the icons the engine sets by itself: beside the contact lines, and on a warning box's title
BUILT_IN_ICONS = ("map-pin", "phone", "email", "globe", "clock", "alert-triangle")

# ----------------------------------------------------------------------------- rendering (timed)
def md(text: str) -> str:
    """Escape ``text`` for a Paragraph and turn ``**bold**`` into ``<b>``."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escape(text))


def _styles(c: dict[str, str]) -> dict[str, ParagraphStyle]:
    ink, primary = colors.HexColor(INK), colors.HexColor(c["primary"])
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=BODY, leading=BODY * LEADING, textColor=ink)
    return {
        "heading": ParagraphStyle(
            "heading",
            fontName=BOLD,
            fontSize=HEADING,
            leading=HEADING * 1.2,
            textColor=primary,
            spaceBefore=HEADING * 0.9,
            spaceAfter=HEADING * 0.35,
            keepWithNext=1,
        ),
        "body": ParagraphStyle("body-after", parent=body, spaceAfter=BODY * 0.45),
        "item": ParagraphStyle("item", parent=body, spaceAfter=BODY * 0.25),
        "strong": ParagraphStyle("strong", parent=body, fontName=BOLD, spaceAfter=BODY * 0.15),
        "small": ParagraphStyle(
            "small", fontName=REGULAR, fontSize=SMALL, leading=SMALL * LEADING, textColor=ink, spaceAfter=SMALL * 0.3
        ),
        "detail": body,
        "caption": ParagraphStyle(
            "caption", fontName=REGULAR, fontSize=SMALL + 0.5, leading=(SMALL + 0.5) * 1.3, textColor=ink,
            alignment=TA_CENTER, spaceAfter=BODY * 0.8,
        ),
    }


def _svg(path: str, width: float) -> Drawing:
    """An SVG as a drawing ``width`` points wide: parsed with svglib on every render, as a one-off script would."""
    drawing = svg2rlg(path)
    assert drawing is not None
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def _beside(icon: str, flowable: Flowable, size: float) -> Table:
    """An icon in a narrow first column and the text beside it: the usual way to set one in platypus."""
    table = Table([[_svg(icon, size), flowable]], colWidths=[size + BODY * 0.45, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), BODY * 0.25)]))  # fmt: skip
    return table


def _items(items: list[str], icons: list[str], numbered: bool, style: ParagraphStyle, accent: str) -> list[Flowable]:
    """A list: bullets or numbers, or, where the block gives icons, one icon beside each item."""
    if not icons:
        return [_list(items, numbered, style, accent)]
    number = '<font color="{}"><b>{}</b></font>\u2002{}'
    return [
        _beside(icon, Paragraph(number.format(accent, i + 1, md(t)) if numbered else md(t), style), BODY * 1.6)
        for i, (t, icon) in enumerate(zip(items, icons, strict=False))
    ]


def _list(items: list[str], numbered: bool, style: ParagraphStyle, accent: str) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(md(i), style)) for i in items],
        bulletType="1" if numbered else "bullet",
        start=None if numbered else "\u2022",
        bulletFormat="%s." if numbered else None,
        leftIndent=BODY * 1.6,
        bulletFontName=BOLD,
        bulletFontSize=BODY,
        bulletColor=colors.HexColor(accent),
    )


class ModuleQr(Flowable):
    """A QR code drawn the engine's way, as one filled path from a precomputed module matrix (fast-QR variant)."""

    def __init__(self, modules: tuple[tuple[bool, ...], ...], size: float) -> None:
        super().__init__()
        self.modules, self.width, self.height = modules, size, size

    def draw(self) -> None:
        box = self.width / (len(self.modules) + 8)
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.height - (r + 5) * box
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    path.rect((start + 4) * box, y, (c - start) * box, box)
                else:
                    c += 1
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def _qr(content: dict[str, Any], size: float, fast: bool) -> Flowable:
    if fast:
        return ModuleQr(content["qr_modules"], size)
    # the standard way: reportlab's QR widget in a Drawing (encodes the code and builds one shape per run)
    drawing = Drawing(size, size)
    drawing.add(QrCodeWidget(content["clinic"]["booking_url"], barLevel="M", barWidth=size, barHeight=size))
    return drawing


def _story(content: dict[str, Any], fast_qr: bool) -> list[Flowable]:
    c, clinic, s = content["colors"], content["clinic"], content["strings"]
    st = _styles(c)
    link = c["primary"]
    story: list[Flowable] = []
    for b in content["blocks"]:
        kind = b["kind"]
        if kind in ("bullets", "steps"):
            story.append(Paragraph(md(b["title"]), st["heading"]))
            if b["intro"]:
                story.append(Paragraph(md(b["intro"]), st["body"]))
            story += _items(b["items"], b["icons"], kind == "steps", st["item"], c["accent"])
            if b["outro"]:
                story.append(Paragraph(md(b["outro"]), st["body"]))
        elif kind == "figure":
            figure = _svg(b["image"], b["width"])
            figure.hAlign = "CENTER"
            story += [Spacer(1, BODY * 0.5), figure, Paragraph(md(b["caption"]), st["caption"])]
        elif kind == "callout":
            border = c["warning"] if b["tone"] == "warning" else c["accent"]
            title: Flowable = Paragraph(md(b["title"]), st["strong"])
            icon = b["icon"] or (clinic["icons"]["alert-triangle"] if b["tone"] == "warning" else "")
            rows: list[list[Flowable]] = [[_beside(icon, title, BODY * 1.5) if icon else title]]
            if b["intro"]:
                rows.append([Paragraph(md(b["intro"]), st["body"])])
            if b["items"]:
                rows.append(_items(b["items"], b["icons"], False, st["item"], c["accent"]))  # type: ignore[arg-type]
            if b["body"]:
                rows.append([Paragraph(md(b["body"]), st["body"])])
            pad = BODY * 0.7
            box = Table(rows, colWidths=["100%"], hAlign="LEFT", spaceBefore=BODY * 0.6, spaceAfter=BODY * 0.8)
            box.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), REGULAR, BODY),
                        ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(border)),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(c["warning_tint"])),
                        ("LEFTPADDING", (0, 0), (-1, -1), pad),
                        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                        ("TOPPADDING", (0, 0), (-1, 0), pad * 0.8),
                        ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.6),
                    ]
                )
            )
            story.append(box)
        elif kind == "contact":
            story.append(Paragraph(md(b["title"]), st["heading"]))
            if b["intro"]:
                story.append(Paragraph(md(b["intro"]), ParagraphStyle("intro", parent=st["body"], keepWithNext=1)))
            a = f'<a href="{{}}" color="{link}">{{}}</a>'
            icons, size = clinic["icons"], BODY * 1.3
            details = [
                _beside(icons["map-pin"], Paragraph(
                    f"<b>{escape(clinic['name'])}</b><br/>" + "<br/>".join(escape(x) for x in clinic["address"]),
                    st["detail"],
                ), size),
                _beside(icons["phone"], Paragraph(
                    f"{escape(s['call_us'])}: " + a.format(clinic["tel"], escape(clinic["phone"])), st["detail"]
                ), size),
                *(
                    [_beside(icons["email"], Paragraph(
                        a.format("mailto:" + clinic["email"], escape(clinic["email"])), st["detail"]
                    ), size)]
                    if not b["show"] or "email" in b["show"]
                    else []
                ),
                _beside(icons["globe"], Paragraph(
                    a.format(clinic["website"], escape(clinic["website_short"])), st["detail"]
                ), size),
                _beside(icons["clock"], Paragraph(escape(s["hours"]), st["strong"]), size),
            ]  # fmt: skip
            hours = [Paragraph(f"{escape(d)}: {escape(h)}", st["detail"]) for d, h in clinic["hours"]]
            details.append(Indenter(size + BODY * 0.45))
            details += hours
            details.append(Indenter(-(size + BODY * 0.45)))
            # the column is too narrow to set the QR code beside the details: it follows them, as in the engine
            story += details
            qr = _qr(content, BODY * 7, fast_qr)
            qr.hAlign = "LEFT"
            story.append(qr)
            story.append(
                Paragraph(
                    f"{escape(s['scan_to_book'])}: " + a.format(clinic["booking_url"], escape(clinic["booking_short"])),
                    st["small"],
                )
            )
        elif kind == "disclaimer":
            continue  # printed in the footer, as the sheet layout prints it (disclaimer_in_footer)
        else:
            raise ValueError(f"the baseline does not draw {kind!r} blocks")
    return story


def _page_counting_canvas(content: dict[str, Any]) -> type[Canvas]:
    """The usual recipe: keep each page's state, then write "Page X of Y" once the count is known."""
    page_of = content["strings"]["page_of"]

    class PageCountingCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(REGULAR, SMALL)
                self.setFillColor(colors.HexColor(INK))
                self.drawRightString(PAGE_W - MARGIN_X, FOOTER_Y, page_of.format(page=self._pageNumber, pages=total))
                super().showPage()
            super().save()

    return PageCountingCanvas


def _furniture(content: dict[str, Any]) -> tuple[Any, Any]:
    c, clinic = content["colors"], content["clinic"]
    primary, accent, ink = colors.HexColor(c["primary"]), colors.HexColor(c["accent"]), colors.HexColor(INK)
    note = Paragraph(
        escape(content["footer_note"]),
        ParagraphStyle("footnote", fontName=REGULAR, fontSize=SMALL, leading=SMALL * LEADING, textColor=ink),
    )

    def band(canv: Canvas) -> None:
        canv.setFillColor(primary)
        canv.rect(0, PAGE_H - 0.16 * inch, PAGE_W, 0.16 * inch, stroke=0, fill=1)

    def footer(canv: Canvas) -> None:
        canv.setStrokeColor(accent)
        canv.setLineWidth(1)
        canv.line(MARGIN_X, FOOTER_RULE_Y, PAGE_W - MARGIN_X, FOOTER_RULE_Y)
        canv.setFont(REGULAR, SMALL)
        canv.setFillColor(ink)
        canv.drawString(MARGIN_X, FOOTER_Y, content["footer"])
        _, h = note.wrap(PAGE_W - 2 * MARGIN_X, 0.36 * inch)
        note.drawOn(canv, MARGIN_X, FOOTER_NOTE_TOP - h)

    def first(canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        band(canv)
        canv.drawImage(
            ImageReader(clinic["logo"]),
            MARGIN_X,
            PAGE_H - 1.27 * inch,
            1.7 * inch,
            0.85 * inch,
            mask="auto",
            preserveAspectRatio=True,
            anchor="w",
        )
        canv.setFont(BOLD, HEADING)
        canv.setFillColor(primary)
        canv.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 0.82 * inch, clinic["name"])
        canv.setFont(REGULAR, SMALL)
        canv.setFillColor(ink)
        canv.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 0.88 * inch - SMALL, clinic["tagline"])
        canv.setFillColor(primary)
        canv.rect(0, PAGE_H - 2.52 * inch, PAGE_W, 1.1 * inch, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(BOLD, TITLE)
        canv.drawString(MARGIN_X, PAGE_H - 2.08 * inch, content["title"])
        canv.setFont(REGULAR, SUBTITLE)
        canv.drawString(MARGIN_X, PAGE_H - 2.16 * inch - SUBTITLE, content["subtitle"])
        footer(canv)
        canv.restoreState()

    def later(canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        band(canv)
        canv.setFont(BOLD, SUBHEADING)
        canv.setFillColor(primary)
        canv.drawString(MARGIN_X, PAGE_H - 0.4 * inch - SUBHEADING, content["title"])
        canv.setFont(REGULAR, SMALL)
        canv.setFillColor(ink)
        canv.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 0.55 * inch - SMALL / 3, clinic["name"])
        canv.setStrokeColor(accent)
        canv.setLineWidth(1)
        canv.line(MARGIN_X, PAGE_H - 0.78 * inch, PAGE_W - MARGIN_X, PAGE_H - 0.78 * inch)
        footer(canv)
        canv.restoreState()

    return first, later


def _columns(top: float, name: str) -> list[Frame]:
    return [
        Frame(x, BOTTOM, COL_W, top - BOTTOM, 0, 0, 0, 0, id=f"{name}-{i}", showBoundary=0) for i, x in enumerate(COL_X)
    ]


def render(content: dict[str, Any], fast_qr: bool = False) -> bytes:
    """Render the sheet to PDF bytes; ``fast_qr`` draws the QR code the engine's way instead of with QrCodeWidget."""
    buffer = io.BytesIO()
    first, later = _furniture(content)
    doc = BaseDocTemplate(
        buffer,
        pagesize=letter,
        title=content["title"],
        author=content["clinic"]["name"],
        subject=content["subtitle"] or content["title"],
        creator="baseline",
        lang=content["lang"],
        initialFontName=REGULAR,
    )
    doc.addPageTemplates(
        [
            PageTemplate("first", _columns(FIRST_TOP, "first"), onPage=first, autoNextPageTemplate="next"),
            PageTemplate("next", _columns(NEXT_TOP, "next"), onPage=later),
        ]
    )
    doc.build(_story(content, fast_qr), canvasmaker=_page_counting_canvas(content))
    return buffer.getvalue()


if __name__ == "__main__":
    import sys

    from handouts.pdf import pin_reportlab_settings

    pin_reportlab_settings()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "baseline.pdf")
    out.write_bytes(render(load_content(Path.cwd())))
    print(f"wrote {out}")
