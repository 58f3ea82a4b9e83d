"""Take content blocks in one language and give back reportlab flowables, each tagged with its block id.

Every piece of text goes through ``render.render_text`` (sandboxed Jinja) and ``render.to_markup``
(escaping and the safe inline markup), and each character is checked against the font that will
draw it, so a missing glyph is an error naming the block, never a box on paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors as rl_colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from .assets import Family
from .colors import INK, WHITE, contrast, text_on, tint
from .config import DAYS, Clinic
from .content import Block
from .errors import ContentError, LayoutError
from .render import Styling, link, render_text, to_markup

WARNING_RED = "#a4262c"
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


@dataclass
class Theme:
    """Fonts, colours, sizes and page strings for one handout in one language."""

    body: Family
    heading: Family
    primary: str
    accent: str
    warning: str
    sizes: dict[str, float]
    leading: float
    strings: dict[str, str]
    lang: str
    gray: Any  # callable mapping a colour to what the variant prints
    _styles: dict[tuple[str, str], ParagraphStyle] = field(default_factory=dict)

    def color(self, role: str) -> str:
        """Return the colour a layout's role name (primary, accent, tint, …) or ``#rrggbb`` stands for."""
        named = {
            "primary": self.primary,
            "accent": self.accent,
            "white": WHITE,
            "black": "#000000",
            "ink": INK,
            "tint": tint(self.primary, 0.88),
            "accent-tint": tint(self.accent, 0.85),
        }
        return named.get(role, role)

    def ink_on(self, fill: str) -> str:
        """Return the body text colour for a panel filled with ``fill`` (``none`` is white paper)."""
        return INK if fill in ("none", WHITE) else text_on(fill)

    def heading_on(self, fill: str) -> str:
        """Return the heading colour: the brand colour where it reads well, else plain ink."""
        if fill in ("none", WHITE):
            return self.primary if contrast(self.primary, WHITE) >= 4.5 else INK
        return text_on(fill)

    def style(self, name: str, fill: str = "none") -> ParagraphStyle:
        """Return the paragraph style ``name`` (title, subtitle, heading, subheading, body, small,
        strong, bullet) for text on ``fill``."""
        key = (name, fill)
        if key in self._styles:
            return self._styles[key]
        size_name = {"strong": "body", "bullet": "body", "callout": "body"}.get(name, name)
        size = self.sizes[size_name]
        heading = name in ("title", "heading", "subheading")
        family = self.heading if heading else self.body
        font = (family.bold or family.regular) if heading or name == "strong" else family.regular
        color = self.heading_on(fill) if heading else self.ink_on(fill)
        st = ParagraphStyle(
            f"{name}-{fill}",
            fontName=font,
            fontSize=size,
            leading=size * (1.2 if heading or name == "title" else self.leading),
            textColor=rl_colors.HexColor(self.gray(color)),
            spaceBefore={"heading": size * 0.9, "subheading": size * 0.6}.get(name, 0),
            spaceAfter={
                "heading": size * 0.35,
                "subheading": size * 0.2,
                "body": size * 0.45,
                "bullet": size * 0.25,
                "small": size * 0.3,
                "strong": size * 0.15,
            }.get(name, 0),
            bulletFontName=self.body.bold or self.body.regular,
            bulletFontSize=size,
            bulletColor=rl_colors.HexColor(self.gray(self.accent if fill in ("none", WHITE) else color)),
        )
        if name == "bullet":
            st.leftIndent = size * 1.6
            st.bulletIndent = size * 0.2
        self._styles[key] = st
        return st


@dataclass
class Writer:
    """Turns one handout's blocks into flowables."""

    theme: Theme
    clinic: Clinic
    context: dict[str, Any]
    handout_id: str

    def _text(self, raw: str, where: str, line: int, display: str) -> str:
        return render_text(raw, self.context, display, line, where)

    def paragraph(
        self,
        text: str,
        style: ParagraphStyle,
        block: Block | None,
        where: str,
        line: int,
        display: str,
        bullet: str | None = None,
        markup: bool = True,
    ) -> Paragraph:
        """Render, escape, check glyphs and return one Paragraph tagged with the block id."""
        family = (
            self.theme.heading
            if style.fontName in (self.theme.heading.regular, self.theme.heading.bold)
            and style.name.split("-")[0] in ("title", "heading", "subheading")
            else self.theme.body
        )
        styling = Styling(
            bold=family.bold is not None,
            italic=family.italic is not None,
            link_color=self.theme.gray(self.theme.primary if contrast(self.theme.primary, WHITE) >= 4.5 else INK),
        )
        body = to_markup(text, styling, display, line, where) if markup else text
        self.check_glyphs(body, family, block, where, line, display, bold=style.fontName == family.bold)
        para = Paragraph(body, style, bulletText=bullet)
        para._block_id = block.id if block else None  # type: ignore[attr-defined]
        return para

    def check_glyphs(
        self, markup: str, family: Family, block: Block | None, where: str, line: int, display: str, bold: bool = False
    ) -> None:
        """Raise ``LayoutError`` naming the character, block and font when a glyph is missing."""
        visible = _visible(markup)
        missing = (
            family.missing(visible, bold=bold)
            or (family.missing(_tagged(markup, "b"), bold=True) if "<b>" in markup else None)
            or (family.missing(_tagged(markup, "i"), italic=True) if "<i>" in markup else None)
        )
        if missing:
            what = f"block {block.id!r}" if block else "page text"
            raise LayoutError(
                f"{where}: character {missing!r} (U+{ord(missing):04X}) in {what} is not in the font "
                f"{family.label}: use a font that covers it (branding.fonts in clinic.yaml) or remove the character",
                display,
                line,
            )

    def field(
        self,
        block: Block,
        lang: str,
        name: str,
        style: str,
        fill: str,
        index: int | None = None,
        bullet: str | None = None,
        value: str | None = None,
    ) -> Paragraph:
        """Return a Paragraph for ``text.<lang>.<name>`` (or item ``index`` of it)."""
        raw = value if value is not None else block.text[lang][name]
        where = f"text.{lang}.{name}" + (f"[{index + 1}]" if index is not None else "")
        line = block.line_of(lang, name, index)
        text = self._text(raw, where, line, block.display)
        return self.paragraph(text, self.theme.style(style, fill), block, where, line, block.display, bullet)

    def block(self, block: Block, fill: str) -> list[Flowable]:
        """Return the flowables of one block in the theme's language."""
        lang = self.theme.lang
        if lang not in block.text:
            have = ", ".join(sorted(block.text))
            raise ContentError(
                f"text.{lang}: block {block.id!r} has no {lang!r} translation (it has: {have}): "
                f"add text.{lang} to the block or remove {lang!r} from the clinic's languages",
                block.display,
                block.lines.line_of("text"),
            )
        make = getattr(self, "_" + block.kind)
        flowables: list[Flowable] = make(block, lang, block.text[lang], fill)
        if block.references and block.kind != "condition":
            flowables += self._references(block, fill)
        for f in flowables:
            f._block_id = block.id  # type: ignore[attr-defined]
        return flowables

    def _title(self, block: Block, lang: str, words: dict[str, Any], fill: str, key: str = "title") -> list[Flowable]:
        if not words.get(key):
            return []
        para = self.field(block, lang, key, "heading", fill)
        para.keepWithNext = 1
        return [para]

    def _list(
        self, block: Block, lang: str, words: dict[str, Any], fill: str, numbered: bool, key: str = "items"
    ) -> list[Flowable]:
        out: list[Flowable] = []
        for i, _ in enumerate(words[key]):
            mark = f"{i + 1}." if numbered else "\u2022"
            out.append(self.field(block, lang, key, "bullet", fill, index=i, bullet=mark, value=words[key][i]))
        return out

    def _lines(self, block: Block, lang: str, words: dict[str, Any], fill: str, numbered: bool) -> list[Flowable]:
        out = self._title(block, lang, words, fill)
        if words.get("intro"):
            out.append(self.field(block, lang, "intro", "body", fill))
        out += self._list(block, lang, words, fill, numbered)
        if words.get("outro"):
            out.append(self.field(block, lang, "outro", "body", fill))
        return out

    def _steps(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        return self._lines(block, lang, words, fill, numbered=True)

    def _bullets(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        return self._lines(block, lang, words, fill, numbered=False)

    def _paragraphs(self, block: Block, lang: str, key: str, style: str, fill: str) -> list[Flowable]:
        raw = block.text[lang][key]
        line = block.line_of(lang, key)
        text = self._text(raw, f"text.{lang}.{key}", line, block.display)
        out: list[Flowable] = []
        for chunk in re.split(r"\n\s*\n", text.strip()):
            chunk = " ".join(chunk.split("\n"))
            out.append(
                self.paragraph(chunk, self.theme.style(style, fill), block, f"text.{lang}.{key}", line, block.display)
            )
        return out

    def _prose(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        return self._title(block, lang, words, fill) + self._paragraphs(block, lang, "body", "body", fill)

    def _disclaimer(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        out: list[Flowable] = [
            HRFlowable(
                width="100%",
                thickness=0.5,
                color=rl_colors.HexColor(self.theme.gray(self.theme.ink_on(fill))),
                spaceBefore=6,
                spaceAfter=4,
            )
        ]
        if words.get("title"):
            title = self.field(block, lang, "title", "strong", fill)
            title.keepWithNext = 1
            out.append(title)
        return out + self._paragraphs(block, lang, "body", "small", fill)

    def _faq(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        out = self._title(block, lang, words, fill)
        for i, item in enumerate(words["items"]):
            line = block.line_of(lang, "items", i)
            q = self._text(item["q"], f"text.{lang}.items[{i + 1}].q", line, block.display)
            a = self._text(item["a"], f"text.{lang}.items[{i + 1}].a", line, block.display)
            qp = self.paragraph(
                q, self.theme.style("strong", fill), block, f"text.{lang}.items[{i + 1}].q", line, block.display
            )
            qp.keepWithNext = 1
            out += [
                qp,
                self.paragraph(
                    a, self.theme.style("body", fill), block, f"text.{lang}.items[{i + 1}].a", line, block.display
                ),
            ]
        return out

    def _callout(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        border = self.theme.warning if block.tone == "warning" else self.theme.accent
        inner: list[Flowable] = [self.field(block, lang, "title", "strong", "none")]
        if words.get("intro"):
            inner.append(self.field(block, lang, "intro", "body", "none"))
        if words.get("items"):
            inner += self._list(block, lang, words, "none", numbered=False)
        if words.get("body"):
            inner += self._paragraphs(block, lang, "body", "body", "none")
        return [self.boxed(inner, border)]

    def boxed(self, inner: list[Flowable], border: str) -> Table:
        """Return ``inner`` in a tinted box with a coloured border that can split between rows."""
        table = Table([[f] for f in inner], colWidths=["100%"], splitByRow=1, hAlign="LEFT")
        pad = self.theme.sizes["body"] * 0.7
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.theme.body.regular, self.theme.sizes["body"]),  # else Helvetica 10
                    ("BOX", (0, 0), (-1, -1), 1.5, rl_colors.HexColor(self.theme.gray(border))),
                    ("BACKGROUND", (0, 0), (-1, -1), rl_colors.HexColor(self.theme.gray(tint(border, 0.92)))),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("TOPPADDING", (0, 0), (-1, 0), pad * 0.8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.6),
                ]
            )
        )
        table.spaceBefore = self.theme.sizes["body"] * 0.6
        table.spaceAfter = self.theme.sizes["body"] * 0.8
        return table

    def _heading(self, key: str, fill: str, block: Block) -> Paragraph:
        para = self.paragraph(
            self.theme.strings[key],
            self.theme.style("subheading", fill),
            block,
            f"strings.{self.theme.lang}.{key}",
            1,
            "content/strings.yaml",
        )
        para.keepWithNext = 1
        return para

    def _condition(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        out: list[Flowable] = self._title(block, lang, words, fill, key="name")
        out.append(self.field(block, lang, "what_it_is", "body", fill))
        out.append(self._heading("symptoms", fill, block))
        out += self._list(block, lang, words, fill, numbered=False, key="symptoms")
        out.append(self._heading("causes", fill, block))
        out += self._list(block, lang, words, fill, numbered=False, key="causes")
        out.append(self._heading("how_acupuncture_may_help", fill, block))
        out.append(self.field(block, lang, "how_acupuncture_may_help", "body", fill))
        out.append(self._heading("what_research_says", fill, block))
        out.append(self.field(block, lang, "what_research_says", "body", fill))
        if block.references:
            out += self._references(block, fill)
        warn = [
            self.paragraph(
                self.theme.strings["warning_signs"],
                self.theme.style("strong", "none"),
                block,
                f"strings.{lang}.warning_signs",
                1,
                "content/strings.yaml",
            )
        ]
        warn += self._list(block, lang, words, "none", numbered=False, key="warning_signs")
        out.append(self.boxed(warn, self.theme.warning))
        return out

    def _references(self, block: Block, fill: str) -> list[Flowable]:
        out: list[Flowable] = [self._heading("references", fill, block)]
        refs = block.lines.get("references") or []
        for i, ref in enumerate(block.references):
            line = refs.line_of(i) if hasattr(refs, "line_of") else 1
            out.append(
                self.paragraph(ref, self.theme.style("small", fill), block, f"references[{i + 1}]", line, block.display)
            )
        return out

    def _contact(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        out = self._title(block, lang, words, fill)
        if words.get("intro"):
            intro = self.field(block, lang, "intro", "body", fill)
            intro.keepWithNext = 1  # the details follow the intro; never an intro alone at a column foot
            out.append(intro)
        details: list[Flowable] = []
        c = self.clinic
        body = self.theme.style("body", fill)
        strong = self.theme.style("strong", fill)
        display, cline = c.display, 1

        def add(markup: str, style: ParagraphStyle = body, where: str = "clinic") -> None:
            details.append(self.paragraph(markup, style, block, where, cline, display, markup=False))

        def esc(text: str) -> str:
            from xml.sax.saxutils import escape

            return escape(text)

        styling = Styling(link_color=self.theme.gray(self.theme.heading_on(fill)))
        name = self.context["clinic"]["name"]
        if "address" in block.show:
            add(f"<b>{esc(name)}</b><br/>" + "<br/>".join(esc(a) for a in c.address), body, "address")
        if "phone" in block.show:
            tel = "tel:" + re.sub(r"[^0-9+]", "", c.phone)
            add(f"{esc(self.theme.strings['call_us'])}: " + link(c.phone, tel, styling), body, "phone")
        if "email" in block.show and c.email:
            add(link(c.email, "mailto:" + c.email, styling), body, "email")
        if "website" in block.show and c.website:
            add(link(_short_url(c.website), c.website, styling), body, "website")
        if "hours" in block.show and c.hours:
            add(esc(self.theme.strings["hours"]), strong, "hours")
            for days, hours in group_hours(c.hours, self.theme.strings):
                add(f"{esc(days)}: {esc(hours)}", body, "hours")
        qr: list[Flowable] = []
        if "booking" in block.show and c.booking_url:
            qr.append(
                qr_code(
                    c.booking_url,
                    self.theme.sizes["body"] * 7,
                    c.display,
                    c.lines.line_of("booking_url"),
                    self.theme.gray,
                    self.theme.body.regular,
                )
            )
        out.append(
            SideBySide(
                details,
                qr,
                min_side_width=self.theme.sizes["body"] * 24,
                font=self.theme.body.regular,
                size=self.theme.sizes["body"],
            )
        )
        if qr:
            # the caption runs the full width under both columns, so the link is not broken mid-word
            out.append(
                self.paragraph(
                    esc(self.theme.strings["scan_to_book"])
                    + ": "
                    + link(_short_url(c.booking_url or ""), c.booking_url or "", styling),
                    self.theme.style("small", fill),
                    block,
                    "booking_url",
                    c.lines.line_of("booking_url"),
                    display,
                    markup=False,
                )
            )
        return out


def _short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def group_hours(hours: dict[str, str], strings: dict[str, str]) -> list[tuple[str, str]]:
    """Return ``[(days, hours)]`` with consecutive days of equal hours joined ("Monday – Friday")."""
    out: list[tuple[str, str]] = []
    run: list[str] = []
    for day in (*DAYS, ""):
        value = hours.get(day) if day else None
        if run and (value != hours.get(run[-1]) or not day):
            first, last = strings["day_" + run[0]], strings["day_" + run[-1]]
            label = first if len(run) == 1 else f"{first} \u2013 {last}"
            text = hours[run[0]]
            out.append((label, strings["closed"] if text.strip().lower() == "closed" else text))
            run = []
        if day and value is not None:
            run.append(day)
    return out


def qr_code(data: str, size: float, display: str, line: int, gray: Any, font: str) -> Flowable:
    """Return a QR code drawing of ``size`` points; raises ``ContentError`` when data is too long."""
    try:
        widget = QrCodeWidget(data, barLevel="M", barFillColor=rl_colors.HexColor(gray("#000000")))
        if not _qr_fits(widget.qr):  # else reportlab raises a bare Exception ("code length overflow")
            raise ContentError(
                f"booking_url: {len(data):,} characters are more than a QR code holds: use a shorter link",
                display,
                line,
            )
        x0, y0, x1, y1 = widget.getBounds()
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise ContentError(f"booking_url: cannot make a QR code ({exc}): use a shorter link", display, line) from None
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.hAlign = "LEFT"
    drawing.initialFontName = font  # else the drawing references an unembedded Helvetica
    return drawing


def _qr_fits(qr: Any) -> bool:
    """True when the data given to ``qr`` fits the largest code reportlab makes (its search stops at version 39)."""
    from reportlab.graphics.barcode.qrencoder import QRRSBlock

    capacity = 8 * sum(block.dataCount for block in QRRSBlock.getRSBlocks(39, qr.errorCorrectLevel))
    return sum(4 + data.getLengthBits(39) + data.bitlength for data in qr.dataList) <= capacity


class SideBySide(Flowable):
    """Details beside a QR code where the frame is wide enough, else one above the other.

    Either way the result is a table that splits between rows, so long details flow on.
    """

    def __init__(
        self, left: list[Flowable], right: list[Flowable], min_side_width: float, font: str, size: float
    ) -> None:
        super().__init__()
        self.left, self.right, self.min_side_width, self.font, self.size = left, right, min_side_width, font, size
        self._table: Table | None = None

    def _make(self, width: float) -> Table:
        if self.right and width >= self.min_side_width:
            qr_w = self.right[0].width + 12  # the QR drawing sets the column; its caption wraps under it
            table = Table([[self.left, self.right]], colWidths=[width - qr_w, qr_w])
        else:
            table = Table([[f] for f in self.left + self.right], colWidths=[width], splitByRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.font, self.size),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        table.hAlign = "LEFT"
        return table

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._table = self._make(aw)
        return self._table.wrap(aw, ah)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        table = self._make(aw)
        return table.split(aw, ah)

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


_TAG = re.compile(r"<[^>]+>")


def _visible(markup: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(_TAG.sub("", markup.replace("<br/>", "\n")))


def _tagged(markup: str, tag: str) -> str:
    return " ".join(_visible(m) for m in re.findall(rf"<{tag}>(.*?)</{tag}>", markup, re.S))
