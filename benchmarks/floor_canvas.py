"""The floor: the same sheet drawn with a bare reportlab canvas at precomputed positions.

``prepare`` does all the thinking once, outside the timing: it wraps every text into lines
(``stringWidth`` per column width, bold runs included), flows them down the two columns of
``layouts/sheet.yaml`` onto pages, and turns the result into a flat list of drawing operations
per page. ``render`` then only replays them: setFont/setFillColor/drawString at fixed
coordinates, the bands and rules, the logo (drawImage) and the QR code as one filled path from
a precomputed module matrix. That is the least any tool must do to produce this PDF with the
same fonts embedded; no tool can render it faster with reportlab.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline_platypus import (
    BODY,
    BOLD,
    BOTTOM,
    COL_W,
    COL_X,
    FIRST_TOP,
    FOOTER_NOTE_TOP,
    FOOTER_RULE_Y,
    FOOTER_Y,
    HEADING,
    INK,
    LEADING,
    MARGIN_X,
    NEXT_TOP,
    PAGE_H,
    PAGE_W,
    REGULAR,
    SMALL,
    SUBHEADING,
    SUBTITLE,
    TITLE,
)
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

Op = tuple[Any, ...]


@dataclass
class Lines:
    """Everything ``render`` needs: per page, a list of drawing operations in order."""

    pages: list[list[Op]]
    title: str
    author: str
    lang: str
    logo: ImageReader = field(repr=False)
    forms: dict[str, Drawing] = field(default_factory=dict, repr=False)  # the icons and figures, parsed once


def _runs(text: str) -> list[tuple[str, bool]]:
    """Split ``**bold**`` markup into (word, bold) pairs."""
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(r"\*\*", text)):
        out += [(w, i % 2 == 1) for w in part.split()]
    return out


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[list[tuple[str, float, str]]]:
    """Greedy line breaking; each line is a list of (font, x offset, text) segments."""
    space = stringWidth(" ", REGULAR, size)
    lines: list[list[tuple[str, float, str]]] = []
    line: list[tuple[str, float, str]] = []
    x = 0.0
    for word, strong in _runs(text):
        font = BOLD if (strong or bold) else REGULAR
        w = stringWidth(word, font, size)
        if line and x + space + w > width:
            lines.append(line)
            line, x = [], 0.0
        start = x + space if line else 0.0
        if line and line[-1][0] == font:
            f, x0, t = line[-1]
            line[-1] = (f, x0, f"{t} {word}")
        else:
            line.append((font, start, word))
        x = start + w
    if line:
        lines.append(line)
    return lines


class _Flow:
    """Pours lines down the two columns and onto new pages, recording drawing operations."""

    def __init__(self) -> None:
        self.pages: list[list[Op]] = [[]]
        self.col = 0
        self.y = FIRST_TOP
        self.forms: dict[str, Drawing] = {}

    def art(self, path: str, width: float) -> tuple[str, float]:
        """Parse an SVG once, ``width`` points wide, as a form drawn once per PDF; return its name and height."""
        name = f"art{Path(path).stem}{width:.0f}".replace("-", "")
        if name not in self.forms:
            drawing = svg2rlg(path)
            assert drawing is not None
            scale = width / drawing.width
            drawing.scale(scale, scale)
            drawing.width, drawing.height = width, drawing.height * scale
            self.forms[name] = drawing
        return name, self.forms[name].height

    @property
    def top(self) -> float:
        return FIRST_TOP if len(self.pages) == 1 else NEXT_TOP

    @property
    def x(self) -> float:
        return COL_X[self.col]

    def at_top(self) -> bool:
        return self.y >= self.top - 0.01

    def ensure(self, height: float) -> None:
        if self.y - height < BOTTOM - 0.01 and not self.at_top():
            if self.col == 0:
                self.col = 1
            else:
                self.pages.append([])
                self.col = 0
            self.y = self.top

    def space(self, amount: float) -> None:
        if not self.at_top():
            self.y -= amount

    def forms_at(self, icon: tuple[str, float]) -> tuple[str, float]:
        return self.art(*icon)

    def op(self, *op: Any) -> None:
        self.pages[-1].append(op)

    def font(self, name: str, size: float) -> None:
        self.op("font", name, size)  # repeats are dropped by _resync

    def fill(self, color: str) -> None:
        self.op("fill", colors.HexColor(color))

    def paragraph(
        self,
        text: str,
        size: float,
        leading: float,
        color: str,
        before: float = 0.0,
        after: float = 0.0,
        bold: bool = False,
        indent: float = 0.0,
        right: float = 0.0,
        bullet: tuple[str, str] | None = None,
        keep: float = 0.0,
        icon: tuple[str, float] | None = None,
    ) -> None:
        lines = wrap(text, COL_W - indent - right, size, bold)
        self.space(before)
        self.ensure(leading * (1 if not keep else len(lines)) + keep)
        for i, line in enumerate(lines):
            self.ensure(leading)
            base = self.y - size
            if icon and i == 0:  # a form (``art``) in the gutter, its top at the line's top
                name, height = self.forms_at(icon)
                self.op("form", name, self.x + indent - icon[1] - size * 0.45, self.y - height)
            if bullet and i == 0:
                self.fill(bullet[1])
                self.font(BOLD, size)
                self.op("text", self.x + (indent - size * 1.6) + size * 0.2, base, bullet[0])
            self.fill(color)
            for font, dx, words in line:
                self.font(font, size)
                self.op("text", self.x + indent + dx, base, words)
            self.y -= leading
        self.y -= after


def _height(text: str, width: float, size: float, leading: float) -> float:
    return len(wrap(text, width, size)) * leading


def _qr_rects(modules: tuple[tuple[bool, ...], ...], x: float, y: float, size: float) -> list[tuple[float, ...]]:
    box = size / (len(modules) + 8)
    rects = []
    for r, row in enumerate(modules):
        top = y + size - (r + 5) * box
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                rects.append(((start + 4) * box + x, top, (c - start) * box, box))
            else:
                c += 1
    return rects


def prepare(content: dict[str, Any]) -> Lines:
    """Lay the sheet out once: wrap, flow and position every line. Not timed."""
    c, clinic, s = content["colors"], content["clinic"], content["strings"]
    primary, accent, warning = c["primary"], c["accent"], c["warning"]
    body_lead, small_lead = BODY * LEADING, SMALL * LEADING
    flow = _Flow()

    def heading(text: str) -> None:
        flow.paragraph(
            text, HEADING, HEADING * 1.2, primary, HEADING * 0.9, HEADING * 0.35, bold=True, keep=2 * body_lead
        )

    def items(
        texts: list[str], numbered: bool, indent: float = 0.0, right: float = 0.0, icons: list[str] | None = None
    ) -> None:
        for i, t in enumerate(texts):
            left = indent + BODY * 1.6
            if icons:  # the icon in the gutter, the step's number before its text
                text = f"**{i + 1}** {t}" if numbered else t
                icon = (icons[i], BODY * 1.6)
                flow.paragraph(text, BODY, body_lead, INK, after=BODY * 0.25, indent=left + BODY * 0.45, icon=icon)
                continue
            mark = f"{i + 1}." if numbered else "\u2022"
            flow.paragraph(t, BODY, body_lead, INK, after=BODY * 0.25, indent=left, right=right, bullet=(mark, accent))

    for b in content["blocks"]:
        kind = b["kind"]
        if kind in ("bullets", "steps"):
            heading(b["title"])
            if b["intro"]:
                flow.paragraph(b["intro"], BODY, body_lead, INK, after=BODY * 0.45)
            items(b["items"], kind == "steps", icons=b["icons"])
            if b["outro"]:
                flow.paragraph(b["outro"], BODY, body_lead, INK, after=BODY * 0.45)
        elif kind == "figure":
            name, height = flow.art(b["image"], b["width"])
            flow.space(BODY * 0.5)
            flow.ensure(height + 2 * small_lead)
            flow.op("form", name, flow.x + (COL_W - b["width"]) / 2, flow.y - height)
            flow.y -= height + 2
            flow.paragraph(b["caption"], SMALL + 0.5, (SMALL + 0.5) * 1.3, INK, after=BODY * 0.8)
        elif kind == "callout":
            pad = BODY * 0.7
            inner = COL_W - 2 * pad
            height = pad * 0.8 + body_lead + BODY * 0.15 + pad * 0.6
            height += _height(b["intro"], inner, BODY, body_lead) + BODY * 0.45
            height += sum(_height(t, inner - BODY * 1.6, BODY, body_lead) + BODY * 0.25 for t in b["items"])
            height += _height(b["body"], inner, BODY, body_lead) + BODY * 0.45
            flow.space(BODY * 0.6)
            flow.ensure(height)
            border = warning if b["tone"] == "warning" else accent
            box_colors = colors.HexColor(border), colors.HexColor(c["warning_tint"])
            flow.op("box", flow.x, flow.y - height, COL_W, height, *box_colors)
            flow.y -= pad * 0.8
            icon = b["icon"] or (clinic["icons"]["alert-triangle"] if b["tone"] == "warning" else "")
            title_in = pad + (BODY * 1.95 if icon else 0.0)
            flow.paragraph(
                b["title"], BODY, body_lead, INK, after=BODY * 0.15, bold=True, indent=title_in, right=pad,
                icon=(icon, BODY * 1.5) if icon else None,
            )  # fmt: skip
            flow.paragraph(b["intro"], BODY, body_lead, INK, after=BODY * 0.45, indent=pad, right=pad)
            items(b["items"], False, indent=pad, right=pad, icons=b["icons"])
            flow.paragraph(b["body"], BODY, body_lead, INK, after=BODY * 0.45, indent=pad, right=pad)
            flow.y -= pad * 0.6 + BODY * 0.8
        elif kind == "contact":
            heading(b["title"])
            flow.paragraph(b["intro"], BODY, body_lead, INK, after=BODY * 0.45, keep=body_lead)
            icons, size = clinic["icons"], BODY * 1.3
            beside = size + BODY * 0.45  # every contact line starts after the icons' gutter
            flow.paragraph(f"**{clinic['name']}**", BODY, body_lead, INK, indent=beside, icon=(icons["map-pin"], size))
            for line in clinic["address"]:
                flow.paragraph(line, BODY, body_lead, INK, indent=beside)
            phone = f"{s['call_us']}: {clinic['phone']}"
            flow.paragraph(phone, BODY, body_lead, INK, indent=beside, icon=(icons["phone"], size))
            if not b["show"] or "email" in b["show"]:
                flow.paragraph(clinic["email"], BODY, body_lead, primary, indent=beside, icon=(icons["email"], size))
            web = clinic["website_short"]
            flow.paragraph(web, BODY, body_lead, primary, indent=beside, icon=(icons["globe"], size))
            flow.paragraph(s["hours"], BODY, body_lead, INK, bold=True, indent=beside, icon=(icons["clock"], size))
            for days, hours in clinic["hours"]:
                flow.paragraph(f"{days}: {hours}", BODY, body_lead, INK, indent=beside)
            size = BODY * 7
            flow.ensure(size)
            flow.op("qr", _qr_rects(content["qr_modules"], flow.x, flow.y - size, size), colors.black)
            flow.y -= size + 2
            flow.paragraph(f"{s['scan_to_book']}: {clinic['booking_short']}", SMALL, small_lead, INK, after=SMALL * 0.3)
        elif kind == "disclaimer":
            continue  # printed in the footer, as the sheet layout prints it (disclaimer_in_footer)
        else:
            raise ValueError(f"the floor does not draw {kind!r} blocks")

    total = len(flow.pages)
    note = wrap(content["footer_note"], PAGE_W - 2 * MARGIN_X, SMALL)
    logo = ImageReader(clinic["logo"])
    iw, ih = logo.getSize()
    scale = min(1.7 * inch / iw, 0.85 * inch / ih)
    lw, lh = iw * scale, ih * scale
    pages: list[list[Op]] = []
    for number, ops in enumerate(flow.pages, start=1):
        fur: list[Op] = [("fill", colors.HexColor(primary)), ("rect", 0, PAGE_H - 0.16 * inch, PAGE_W, 0.16 * inch)]
        if number == 1:
            name_w = stringWidth(clinic["name"], BOLD, HEADING)
            tag_w = stringWidth(clinic["tagline"], REGULAR, SMALL)
            fur += [
                ("image", logo, MARGIN_X, PAGE_H - 0.42 * inch - (0.85 * inch + lh) / 2, lw, lh),
                ("font", BOLD, HEADING),
                ("text", PAGE_W - MARGIN_X - name_w, PAGE_H - 0.82 * inch, clinic["name"]),
                ("rect", 0, PAGE_H - 2.52 * inch, PAGE_W, 1.1 * inch),
                ("fill", colors.white),
                ("font", BOLD, TITLE),
                ("text", MARGIN_X, PAGE_H - 2.08 * inch, content["title"]),
                ("font", REGULAR, SUBTITLE),
                ("text", MARGIN_X, PAGE_H - 2.16 * inch - SUBTITLE, content["subtitle"]),
                ("fill", colors.HexColor(INK)),
                ("font", REGULAR, SMALL),
                ("text", PAGE_W - MARGIN_X - tag_w, PAGE_H - 0.88 * inch - SMALL, clinic["tagline"]),
            ]
        else:
            name_w = stringWidth(clinic["name"], REGULAR, SMALL)
            header_rule = PAGE_H - 0.78 * inch
            fur += [
                ("font", BOLD, SUBHEADING),
                ("text", MARGIN_X, PAGE_H - 0.4 * inch - SUBHEADING, content["title"]),
                ("fill", colors.HexColor(INK)),
                ("font", REGULAR, SMALL),
                ("text", PAGE_W - MARGIN_X - name_w, PAGE_H - 0.55 * inch - SMALL / 3, clinic["name"]),
                ("rule", MARGIN_X, header_rule, PAGE_W - MARGIN_X, header_rule, colors.HexColor(accent), 1),
            ]
        page_of = s["page_of"].format(page=number, pages=total)
        fur += [
            ("rule", MARGIN_X, FOOTER_RULE_Y, PAGE_W - MARGIN_X, FOOTER_RULE_Y, colors.HexColor(accent), 1),
            ("text", MARGIN_X, FOOTER_Y, content["footer"]),
            ("text", PAGE_W - MARGIN_X - stringWidth(page_of, REGULAR, SMALL), FOOTER_Y, page_of),
        ]
        fur += [
            ("text", MARGIN_X, FOOTER_NOTE_TOP - SMALL - i * SMALL * LEADING, line[0][2]) for i, line in enumerate(note)
        ]
        pages.append(fur + ops)
    return Lines(
        pages=_resync(pages), title=content["title"], author=clinic["name"], lang=content["lang"], logo=logo,
        forms=flow.forms,
    )  # fmt: skip


def _resync(pages: list[list[Op]]) -> list[list[Op]]:
    """Drop only the setFont/setFillColor operations that repeat the state already set on the page."""
    out = []
    for ops in pages:
        kept: list[Op] = []
        font: Any = None
        fill: Any = None
        for op in ops:
            if op[0] == "font":
                if op[1:] == font:
                    continue
                font = op[1:]
            elif op[0] == "fill":
                if op[1] == fill:
                    continue
                fill = op[1]
            elif op[0] in ("box", "qr", "form"):
                fill = None  # these set their own fill colour
            kept.append(op)
        out.append(kept)
    return out


def render(lines: Lines) -> bytes:
    """Replay the prepared operations onto a canvas; the timed part."""
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), lang=lines.lang, initialFontName=REGULAR)
    for name, drawing in lines.forms.items():  # each icon and figure once per PDF, drawn where used by name
        canv.beginForm(name)
        renderPDF.draw(drawing, canv, 0, 0)
        canv.endForm()
    for ops in lines.pages:
        for op in ops:
            kind = op[0]
            if kind == "text":
                canv.drawString(op[1], op[2], op[3])
            elif kind == "font":
                canv.setFont(op[1], op[2])
            elif kind == "fill":
                canv.setFillColor(op[1])
            elif kind == "rect":
                canv.rect(op[1], op[2], op[3], op[4], stroke=0, fill=1)
            elif kind == "rule":
                canv.setStrokeColor(op[5])
                canv.setLineWidth(op[6])
                canv.line(op[1], op[2], op[3], op[4])
            elif kind == "box":
                canv.setStrokeColor(op[5])
                canv.setFillColor(op[6])
                canv.setLineWidth(1.5)
                canv.rect(op[1], op[2], op[3], op[4], stroke=1, fill=1)
            elif kind == "image":
                canv.drawImage(op[1], op[2], op[3], op[4], op[5], mask="auto")
            elif kind == "form":
                canv.saveState()
                canv.translate(op[2], op[3])
                canv.doForm(op[1])
                canv.restoreState()
            elif kind == "qr":
                path = canv.beginPath()
                for x, y, w, h in op[1]:
                    path.rect(x, y, w, h)
                canv.setFillColor(op[2])
                canv.drawPath(path, stroke=0, fill=1)
        canv.showPage()
    canv.setTitle(lines.title)
    canv.setAuthor(lines.author)
    canv.save()
    return buffer.getvalue()


if __name__ == "__main__":
    import sys

    from baseline_platypus import load_content

    from handouts.pdf import pin_reportlab_settings

    pin_reportlab_settings()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "floor.pdf")
    out.write_bytes(render(prepare(load_content(Path.cwd()))))
    print(f"wrote {out}")
