"""Take content blocks in one language and give back reportlab flowables, each tagged with its block id.

Every piece of text goes through ``render.render_text`` (sandboxed Jinja) and ``render.to_markup``
(escaping and the safe inline markup), and each character is checked against the font that will
draw it, so a missing glyph is an error naming the block, never a box on paper.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors as rl_colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.flowables import HRFlowable

from .assets import Family
from .cjk import is_cjk
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

    def latin(self, style: ParagraphStyle) -> ParagraphStyle:
        """Return ``style`` wrapping at spaces, for Latin-only text (a reference, an email) in a Chinese handout."""
        key = ("latin:" + style.name, "")
        if key not in self._styles:
            self._styles[key] = style.clone(style.name + "-latin", wordWrap=None)
        return self._styles[key]

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
            # Chinese breaks between characters, keeps Latin words whole where it can, and never
            # starts a line with closing punctuation (reportlab's CJK rules)
            wordWrap="CJK" if is_cjk(self.lang) else None,
        )
        if name == "bullet":
            st.leftIndent = size * 1.6
            st.bulletIndent = size * 0.2
        self._styles[key] = st
        return st


class ShrinkToFit(Flowable):
    """One unbreakable line (an email or web address) that shrinks, to 75% at most, rather than
    break mid-word in a narrow panel; past that it wraps like any paragraph."""

    SMALLEST = 0.75

    def __init__(self, para: Paragraph) -> None:
        super().__init__()
        self.para = para
        self._block_id = getattr(para, "_block_id", None)
        self._used: Paragraph = para

    def _fit(self, aw: float) -> Paragraph:
        style = self.para.style
        need = max(
            stringWidth(word, style.fontName, style.fontSize) for word in self.para.getPlainText().split() or [""]
        )
        if need <= aw:
            return self.para
        size = max(style.fontSize * aw / need * 0.99, style.fontSize * self.SMALLEST)
        smaller = style.clone(style.name + "-fit", fontSize=size, leading=style.leading * size / style.fontSize)
        return Paragraph(self.para.text, smaller)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._used = self._fit(aw)
        self._used.canv = getattr(self, "canv", None)
        return self._used.wrap(aw, ah)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return self._fit(aw).split(aw, ah)

    def getSpaceBefore(self) -> float:
        return self.para.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.para.getSpaceAfter()

    def draw(self) -> None:
        self._used.drawOn(self.canv, 0, 0)


class CJKParagraph(Paragraph):
    """A paragraph of Chinese text where no line starts with closing punctuation.

    reportlab's CJK wrapping lets one such character hang at the end of a line, but not two
    ("”。"): the second then starts the next line. Here, when a line would start with one, the
    line before is given less room, so the character before the punctuation moves down with it.
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        cannot_start = rl_paragraph.ALL_CANNOT_START  # with Chinese punctuation (pdf.pin_reportlab_settings)
        for _ in range(64):  # each round moves one character; a paragraph never needs many
            result = super().breakLinesCJK(list(widths))
            starts = [_line_start(line, result) for line in result.lines]
            bad = next((n for n in range(1, len(starts)) if starts[n] in cannot_start), None)
            if bad is None:
                # a line may not end with an opening bracket or quote: move it down to what it opens
                ends = [_line_end(line, result) for line in result.lines[:-1]]
                open_end = next((n for n, ch in enumerate(ends) if ch and ch in CANNOT_END), None)
                if open_end is None:
                    return result
                chars = _line_chars(result.lines[open_end], result)
                if len(chars) < 2:
                    return result
                while len(widths) <= open_end:
                    widths.append(widths[-1])
                widths[open_end] = sum(w for _, w in chars) - chars[-1][1] / 2
                continue
            prev = _line_chars(result.lines[bad - 1], result)
            trailing = 0
            while trailing < len(prev) and prev[-1 - trailing][0] in cannot_start:
                trailing += 1
            if trailing >= len(prev) - 1:
                return result  # nothing left to move down: keep reportlab's lines
            while len(widths) < bad:
                widths.append(widths[-1])
            used = sum(w for _, w in prev)
            widths[bad - 1] = used - sum(w for _, w in prev[len(prev) - trailing :]) - prev[-1 - trailing][1] / 2
        return result


# Chinese line-breaking rules: what may not start a line (added to reportlab's own lists by
# pdf.pin_reportlab_settings) and what may not end one (CJKParagraph)
CHINESE_CANNOT_START = "，。、：；！？）」』】〕〉》”’…·～"
CANNOT_END = "（［｛〔〈《「『【“‘(["


def _line_end(line: Any, result: Any) -> str:
    """Return the last character of one line from ``breakLinesCJK`` ("" for an empty line)."""
    if result.kind == 0:
        return line[1][-1][-1:] if line[1] else ""
    for word in reversed(line.words):
        if getattr(word, "text", ""):
            return word.text[-1]
    return ""


def _line_start(line: Any, result: Any) -> str:
    """Return the first character of one line from ``breakLinesCJK`` ("" for an empty line)."""
    if result.kind == 0:
        return line[1][0][:1] if line[1] else ""
    for word in line.words:
        if getattr(word, "text", ""):
            return word.text[0]
    return ""


def _line_chars(line: Any, result: Any) -> list[tuple[str, float]]:
    """Return the (character, width) pairs of one line from ``breakLinesCJK``."""
    if result.kind == 0:
        text = "".join(line[1])
        return [(ch, stringWidth(ch, result.fontName, result.fontSize)) for ch in text]
    out = []
    for word in line.words:
        out += [(ch, stringWidth(ch, word.fontName, word.fontSize)) for ch in getattr(word, "text", "")]
    return out


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
        if style.wordWrap == "CJK" and not _HAS_CJK.search(_visible(body)):
            style = self.theme.latin(style)  # a reference, link or number: break at spaces, never mid-word
        para = (
            CJKParagraph(body, style, bulletText=bullet)
            if style.wordWrap == "CJK"
            else Paragraph(body, style, bulletText=bullet)
        )
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

    def boxed(self, inner: list[Flowable], border: str) -> Flowable:
        """Return ``inner`` in a tinted box with a coloured border that can split between rows."""
        pad = self.theme.sizes["body"] * 0.7
        style = [
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
        box = Rows(inner, style)
        box.keep_whole = True  # moves on to the next panel rather than split, when it fits there whole
        box.spaceBefore = self.theme.sizes["body"] * 0.6
        box.spaceAfter = self.theme.sizes["body"] * 0.8
        return box

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
        colon = self.theme.strings["colon"]  # ": ", or "：" in Chinese
        if "address" in block.show:
            add(f"<b>{esc(name)}</b><br/>" + "<br/>".join(esc(a) for a in c.address), body, "address")
        if "phone" in block.show:
            tel = "tel:" + re.sub(r"[^0-9+]", "", c.phone)
            phone = c.phone.replace(" ", "\u00a0")  # never broken across lines
            add(f"{esc(self.theme.strings['call_us'])}{esc(colon)}" + link(phone, tel, styling), body, "phone")
        if "email" in block.show and c.email:
            details.append(
                ShrinkToFit(
                    self.paragraph(
                        link(c.email, "mailto:" + c.email, styling), body, block, "email", cline, display, markup=False
                    )
                )
            )
        if "website" in block.show and c.website:
            details.append(
                ShrinkToFit(
                    self.paragraph(
                        link(_short_url(c.website), c.website, styling),
                        body,
                        block,
                        "website",
                        cline,
                        display,
                        markup=False,
                    )
                )
            )
        if "hours" in block.show and c.hours:
            add(esc(self.theme.strings["hours"]), strong, "hours")
            for days, hours in group_hours(c.hours, self.theme.strings, self.theme.lang):
                add(f"{esc(days)}{esc(colon)}{esc(hours)}", body, "hours")
        qr: list[Flowable] = []
        if "booking" in block.show and c.booking_url:
            qr.append(
                qr_code(
                    c.booking_url,
                    self.theme.sizes["body"] * 7,
                    c.display,
                    c.lines.line_of("booking_url"),
                    self.theme.gray,
                )
            )
        caption = None
        if qr:
            caption = self.paragraph(
                esc(self.theme.strings["scan_to_book"])
                + esc(colon)
                + ("<br/>" if is_cjk(self.theme.lang) else "")  # else the link breaks mid-word
                + link(_short_url(c.booking_url or ""), c.booking_url or "", styling),
                self.theme.style("small", fill),
                block,
                "booking_url",
                c.lines.line_of("booking_url"),
                display,
                markup=False,
            )
        out.append(
            SideBySide(
                details,
                qr,
                caption,
                min_side_width=self.theme.sizes["body"] * 24,
                font=self.theme.body.regular,
                size=self.theme.sizes["body"],
            )
        )
        return out


def _short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def group_hours(hours: dict[str, str], strings: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """Return ``[(days, hours)]`` with consecutive days of equal hours joined ("Monday – Friday").

    Day names come from CLDR (``i18n.day_names``); the joining word is the ``through`` string.
    """
    from .i18n import day_names

    names = day_names(lang)
    out: list[tuple[str, str]] = []
    run: list[str] = []
    for day in (*DAYS, ""):
        value = hours.get(day) if day else None
        if run and (value != hours.get(run[-1]) or not day):
            first, last = names[run[0]], names[run[-1]]
            label = first if len(run) == 1 else f"{first}{strings['through']}{last}"
            label = label[:1].upper() + label[1:]  # it starts a line: "Lunes – jueves"
            text = hours[run[0]]
            out.append((label, strings["closed"] if text.strip().lower() == "closed" else text))
            run = []
        if day and value is not None:
            run.append(day)
    return out


@functools.lru_cache(maxsize=64)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...] | None:
    """Return the dark/light modules of the QR code for ``data`` (error correction M), cached.

    Returns None when ``data`` is over the capacity of the largest code reportlab makes; the
    encoder may also raise ``ValueError``, ``TypeError``, ``IndexError`` or ``OverflowError``.
    """
    widget = QrCodeWidget(data, barLevel="M")
    if not _qr_fits(widget.qr):
        return None
    widget.qr.make()
    return tuple(tuple(bool(m) for m in row) for row in widget.qr.modules)


class QrCode(Flowable):
    """A QR code of ``size`` points with a quiet zone of 4 modules, drawn as one filled path."""

    BORDER = 4

    def __init__(self, modules: tuple[tuple[bool, ...], ...], size: float, color: str) -> None:
        super().__init__()
        self.modules, self.size, self.color = modules, size, color
        self.width = self.height = size
        self.hAlign = "LEFT"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Take exactly ``size`` × ``size``."""
        return self.size, self.size

    def draw(self) -> None:
        """Fill every run of dark modules in a row as one rectangle of a single path."""
        count = len(self.modules)
        box = self.size / (count + 2 * self.BORDER)
        canv = self.canv
        path = canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.size - (r + self.BORDER + 1) * box
            c = 0
            for dark, run in itertools.groupby(row):
                n = len(list(run))
                if dark:
                    path.rect((c + self.BORDER) * box, y, n * box, box)
                c += n
        canv.saveState()
        canv.setFillColor(rl_colors.HexColor(self.color))
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()


def qr_code(data: str, size: float, display: str, line: int, gray: Any) -> Flowable:
    """Return a QR code flowable of ``size`` points; raises ``ContentError`` when data is too long."""
    try:
        modules = qr_modules(data)
        if modules is None:  # else reportlab raises a bare Exception ("code length overflow")
            raise ContentError(
                f"booking_url: {len(data):,} characters are more than a QR code holds: use a shorter link",
                display,
                line,
            )
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise ContentError(f"booking_url: cannot make a QR code ({exc}): use a shorter link", display, line) from None
    return QrCode(modules, size, gray("#000000"))


def _qr_fits(qr: Any) -> bool:
    """True when the data given to ``qr`` fits the largest code reportlab makes (its search stops at version 39)."""
    from reportlab.graphics.barcode.qrencoder import QRRSBlock

    capacity = 8 * sum(block.dataCount for block in QRRSBlock.getRSBlocks(39, qr.errorCorrectLevel))
    return sum(4 + data.getLengthBits(39) + data.bitlength for data in qr.dataList) <= capacity


class Rows(Flowable):
    """Flowables stacked in a one-column table with ``style``, made afresh for each frame's width.

    A reportlab ``Table`` keeps the column widths of the first frame it was measured in, also in
    the parts it splits into; this one builds its table for the width at hand, and the parts of a
    split are ``Rows`` again, so a box that flows from a wide panel on to a narrower one fits both.
    Each part is a closed box: the first and last rows' padding apply to every part.

    A split leaves at least ``min_first`` rows before it and ``min_last`` after it, so a box never
    ends a column with only its title, nor starts the next one with a single stray line; when
    that cannot be, the box does not split here and moves on whole.
    """

    def __init__(self, rows: list[Flowable], style: list[tuple], min_first: int = 3, min_last: int = 2) -> None:
        super().__init__()
        self.rows, self.style, self.min_first, self.min_last = rows, style, min_first, min_last
        self._table: Table | None = None

    def _make(self, width: float) -> Table:
        table = Table([[f] for f in self.rows], colWidths=[width], splitByRow=1, hAlign="LEFT")
        table.setStyle(TableStyle(self.style))
        return table

    def _part(self, rows: list[Flowable]) -> Rows:
        part = Rows(rows, self.style, self.min_first, self.min_last)
        part.spaceBefore = part.spaceAfter = 0
        return part

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._table = self._make(aw)
        self.width, self.height = self._table.wrap(aw, ah)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        parts = self._make(aw).split(aw, ah)
        if len(parts) < 2:
            return []
        fits = len(parts[0]._cellvalues)  # rows that fit in ``ah``
        keep = min(fits, len(self.rows) - self.min_last)
        if keep < min(self.min_first, len(self.rows) - self.min_last) or keep < 1:
            return []
        first, rest = self._part(self.rows[:keep]), self._part(self.rows[keep:])
        first.spaceBefore = self.getSpaceBefore()
        rest.spaceAfter = self.getSpaceAfter()
        return [first, rest]

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


class SideBySide(Flowable):
    """Details beside a QR code where the frame is wide enough, else one above the other; the
    QR code's caption always right under it.

    Side by side it is a two-row table that moves on whole rather than split; stacked, it is
    ``Rows``, which splits between details but keeps the QR code and its caption together.
    """

    def __init__(
        self,
        left: list[Flowable],
        right: list[Flowable],
        caption: Flowable | None,
        min_side_width: float,
        font: str,
        size: float,
    ) -> None:
        super().__init__()
        self.left, self.right, self.caption = left, right, caption
        self.min_side_width, self.font, self.size = min_side_width, font, size
        self._table: Flowable | None = None

    def _style(self) -> list[tuple]:
        return [
            ("FONT", (0, 0), (-1, -1), self.font, self.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]

    def _side_by_side(self, width: float) -> bool:
        return bool(self.right) and width >= self.min_side_width

    def _make(self, width: float) -> Flowable:
        caption = [self.caption] if self.caption else []
        if self._side_by_side(width):
            qr_w = self.right[0].width + 12  # the QR drawing sets the column
            rows: list[list[Any]] = [[self.left, self.right]]
            style = self._style()
            if caption:  # under both columns, so the link is not broken mid-word
                rows.append([caption, ""])
                style.append(("SPAN", (0, 1), (1, 1)))
            table = Table(rows, colWidths=[width - qr_w, qr_w])
            table.setStyle(TableStyle(style))
            table.hAlign = "LEFT"
            return table
        return Rows(
            self.left + self.right + caption, self._style(), min_first=2, min_last=len(self.right + caption) or 1
        )

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._table = self._make(aw)
        return self._table.wrap(aw, ah)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        if self._side_by_side(aw):
            return []  # a few lines beside a QR code: moves on whole
        return self._make(aw).split(aw, ah)

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


_TAG = re.compile(r"<[^>]+>")
# CJK ideographs, kana, hangul and full-width forms: text with none of them wraps as Latin
_HAS_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")


def _visible(markup: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(_TAG.sub("", markup.replace("<br/>", "\n")))


def _tagged(markup: str, tag: str) -> str:
    return " ".join(_visible(m) for m in re.findall(rf"<{tag}>(.*?)</{tag}>", markup, re.S))
