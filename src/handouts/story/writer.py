"""Take content blocks in one language and give back reportlab flowables, each tagged with its block id.

Every piece of text goes through ``render.render_text`` (sandboxed Jinja) and ``render.to_markup``
(escaping and the safe inline markup), and each character is checked against the font that will
draw it, so a missing glyph is an error naming the block, never a box on paper. ``Writer.KINDS``
says which method writes each kind of block.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape, unescape

from reportlab.lib import colors as rl_colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from ..assets import Family
from ..cjk import is_cjk
from ..colors import BOX_TINT, tint
from ..errors import ContentError, LayoutError
from ..load.config import Clinic
from ..load.content import STRINGS_FILE, Block
from ..load.i18n import group_hours
from ..render import Styling, bind_last, link, plain, render_text, short_url, to_markup
from . import figures
from .flowables import Rows, ShrinkToFit, SideBySide, qr_code
from .linebreak import CJKParagraph, chinese_markup, close_dots
from .para import Para, at_turn, optional
from .sections import banner_names
from .theme import Theme

LARGE_PRINT_MIN = 16.0  # pt: PRODUCT.md's large print
FAQ_WHOLE = 9  # lines: an FAQ's answer this short moves on whole, under its question (cut over a column: rev58a-b)
BAR = 4.5  # pt: a warning box's bar, inside it, over its left padding


@dataclass
class Writer:
    """Turns one handout's blocks into flowables."""

    theme: Theme
    clinic: Clinic
    context: dict[str, Any]
    handout_id: str
    art_root: Path | None = None  # the project's art/ folder: icons for contact lines and warnings
    disclaimer_in_footer: bool = False  # the layout prints the disclaimer on every page: no body copy

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
            link_color=self.theme.gray(self.theme.heading_on("none")),
        )
        body = to_markup(text, styling, display, line, where) if markup else text
        self.check_glyphs(body, family, block, where, line, display, bold=style.fontName == family.bold)
        body = close_dots(body) if style.wordWrap == "CJK" else body  # in a Chinese font, "·" is an em wide
        if style.wordWrap == "CJK" and not _HAS_CJK.search(_visible(body)):
            style = self.theme.latin(style)  # a reference, link or number: break at spaces, never mid-word
        elif style.wordWrap == "CJK":
            body = chinese_markup(body, style)  # Han and Latin set apart; long English words may break
        para = (
            CJKParagraph(body, style, bulletText=bullet)
            if style.wordWrap == "CJK"
            else Para(body, style, bulletText=bullet)
        )
        para._block_id = block.id if block else None  # type: ignore[attr-defined]
        return para

    def review_line(self, text: str, fill: str) -> Paragraph:
        """Return the small "Reviewed <Month YYYY> · rev <code>" line that ends every handout."""
        small = self.theme.style("small", fill)
        # a record for the desk, not for the patient: as small as is legible, except where every word must
        # be large (a large-print layout's small text is itself 16 pt or more)
        size = small.fontSize if small.fontSize >= LARGE_PRINT_MIN else min(small.fontSize, 7.0)
        style = small.clone("small-review", fontSize=size, leading=size * 1.2, spaceBefore=size * 0.3, spaceAfter=0)
        para = self.paragraph(escape(text), style, None, "reviewed", 1, "content/strings.yaml", markup=False)
        para._what = "the review line"  # type: ignore[attr-defined]  # named in a does-not-fit error
        return para

    def page_paragraph(self, markup: str, style: ParagraphStyle, where: str, display: str) -> Paragraph:
        """Return a checked Paragraph of page text (a layout's text element), drawn once the page count is known."""
        return self.paragraph(markup, style, None, where, 1, display, markup=False)

    def check_glyphs(
        self, markup: str, family: Family, block: Block | None, where: str, line: int, display: str, bold: bool = False
    ) -> None:
        """Raise ``LayoutError`` naming the character, block and font when a glyph is missing."""
        visible = _visible(markup)
        missing = family.missing(visible, bold=bold)
        if "<b>" in markup:
            missing += family.missing(_tagged(markup, "b"), bold=True)
        if "<i>" in markup:
            missing += family.missing(_tagged(markup, "i"), italic=True)
        missing = list(dict.fromkeys(missing))
        if missing:
            what = f"block {block.id!r}" if block else "page text"
            chars = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
            noun, verb, them = ("character", "is", "it") if len(missing) == 1 else ("characters", "are", "them")
            raise LayoutError(
                f"{where}: {noun} {chars} in {what} {verb} not in the font {family.label}: use a font that covers "
                f"{them} (branding.fonts in clinic.yaml) or remove the {noun}",
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
        flowables: list[Flowable] = self.KINDS[block.kind](self, block, lang, block.text[lang], fill)
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
        return [figures.titled(self, para, block)]

    def _list(
        self, block: Block, lang: str, words: dict[str, Any], fill: str, numbered: bool, key: str = "items"
    ) -> list[Flowable]:
        return figures.marked_list(self, block, lang, words, fill, numbered, key)

    def _lines(self, block: Block, lang: str, words: dict[str, Any], fill: str, numbered: bool) -> list[Flowable]:
        out = self._title(block, lang, words, fill)
        if words.get("intro"):
            intro = self.field(block, lang, "intro", "body", fill)
            intro.keepWithNext = 1  # a lead-in ("Free websites you can trust:") starts its list in the same column
            out.append(intro)
        items = self._list(block, lang, words, fill, numbered)
        out += items
        if words.get("outro"):
            outro = figures.closing(self.field(block, lang, "outro", "body", fill))
            if items:  # a closing line ("These ideas need testing in people.") ends its list's column; a
                items[-1].keepWithNext = 1  # paragraph of two lines or more may open the next by itself
                items[-1]._next_alone_height = figures.LONG_OUTRO * outro.style.leading - 0.01  # type: ignore[attr-defined]
            out.append(outro)
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
        if block.form_field:
            return [*self._title(block, lang, words, fill), *figures.fill_in(self, block, lang, fill)]
        style = "lead" if block.tone == "lead" else "body"  # opening words, a size up
        paragraphs = [at_turn(p) for p in self._paragraphs(block, lang, "body", style, fill)]
        return self._title(block, lang, words, fill) + paragraphs

    def _disclaimer(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        if self.disclaimer_in_footer:
            # the layout prints it in every page's footer ({{ handout.disclaimer }}): every word of the block
            # goes there, and a second copy in the body would only cost a page
            parts = []
            for key in ("title", "body"):
                if words.get(key):
                    where, line = f"text.{lang}.{key}", block.line_of(lang, key)
                    part = plain(self._text(words[key], where, line, block.display)).strip()
                    self.check_glyphs(escape(part), self.theme.body, block, where, line, block.display)
                    parts.append(part)
            text = self.theme.strings["colon"].join(parts)
            before = self.context["handout"].get("disclaimer")
            self.context["handout"]["disclaimer"] = f"{before} {text}" if before else text
            return []
        # the fine print of a card: small type, its title in bold, never louder than the card's own headings
        out: list[Flowable] = []
        if words.get("title"):
            title = self.field(block, lang, "title", "smallstrong", fill)
            title.keepWithNext = 1
            out.append(title)
        return out + self._paragraphs(block, lang, "body", "small", fill)

    def _faq(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        out = self._title(block, lang, words, fill)
        for i, item in enumerate(words["items"]):
            line, where = block.line_of(lang, "items", i), f"text.{lang}.items[{i + 1}]"
            q = self._text(item["q"], f"{where}.q", line, block.display)
            a = self._text(item["a"], f"{where}.a", line, block.display)
            qp = self.paragraph(  # a question heads its answer: the body's bold, larger, in the heading colour
                q, self.theme.style("question", fill), block, f"{where}.q", line, block.display
            )
            qp.keepWithNext = 1
            # a hairline over every question, the first too (rev62a), none at a column's top (pdf.paint): a pale band
            qp._rule_above = self.theme.question_rule(fill)  # type: ignore[attr-defined]  # read as a form's fields
            answer = self.paragraph(a, self.theme.style("body", fill), block, f"{where}.a", line, block.display)
            answer._whole_lines = FAQ_WHOLE  # type: ignore[attr-defined]  # read under its question, in one column
            out += [qp, answer]
        return out

    def _callout(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        border = self.theme.warning if block.tone == "warning" else self.theme.accent
        title_style = "warntitle" if block.tone == "warning" else "boxtitle"
        on = tint(border, BOX_TINT)  # the title reads on the box's own tint, not on white
        inner: list[Flowable] = [self._box_title(self.field(block, lang, "title", title_style, on), block, on)]
        if words.get("intro"):
            inner.append(self.field(block, lang, "intro", "body", "none"))
        if words.get("items"):
            inner += self._list(block, lang, words, "none", numbered=False)
        if words.get("body"):
            inner += self._paragraphs(block, lang, "body", "body", "none")
        return [self.boxed(inner, border, warning=block.tone == "warning")]

    def _box_title(self, para: Paragraph, block: Block, on: str) -> Flowable:
        """Return a box's title on its tint ``on``, the block's icon (a warning's: alert-triangle) before it."""
        icon = figures.art(self, block.icon, block, ink=self.theme.icon_ink(on)) if block.icon else None
        if icon is None and (block.tone == "warning" or block.kind == "condition"):
            icon = figures.builtin_icon(self, "alert-triangle")
        if icon is None:
            return para
        return figures.IconHeading(icon, para, para.style.fontSize * 1.6)

    def boxed(self, inner: list[Flowable], border: str, warning: bool = False) -> Flowable:
        """Return ``inner`` on a tinted panel that can split between rows, with no outline (a border round a tint
        made every box shout: rev58a-b).

        A warning's panel has a thick bar of its colour down its left side, so it stays unlike any other box
        where colour is lost (grayscale, a black-and-white printer); its text as far from the bar as from its edge."""
        pad = self.theme.sizes["body"] * 0.7
        shift = BAR / 2 if warning else 0.0  # measure kept; as far from the bar as from the edge (1 mm: rev69a-b)
        edge = rl_colors.HexColor(self.theme.gray(self.theme.marker_color(border)))
        for f in inner if warning else ():
            marker = getattr(f, "marker", None)
            if marker is not None:  # a warning's bullets are the warning's colour, not the brand's
                # a new paragraph: one parses its colour when it is made, so a changed style would not show
                f.marker = Paragraph(marker.text, marker.style.clone(marker.style.name + "-warning", textColor=edge))
        style = [
            ("FONT", (0, 0), (-1, -1), self.theme.body.regular, self.theme.sizes["body"]),  # else Helvetica 10
            ("BACKGROUND", (0, 0), (-1, -1), rl_colors.HexColor(self.theme.gray(tint(border, BOX_TINT)))),
            ("LEFTPADDING", (0, 0), (-1, -1), pad + shift),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad - shift),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), pad * 0.8),
            ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.6),
        ]
        box = Rows(inner, style)
        box.bar = (BAR, edge) if warning else None  # inside the box, its edge on the column's (rev62b: 1 mm outside)
        box.keep_whole = True  # moves on to the next panel rather than split, when it fits there whole
        box._warning = warning  # type: ignore[attr-defined]  # an aside placement may move a section on
        box.spaceBefore = self.theme.sizes["body"] * 0.6
        box.spaceAfter = self.theme.sizes["body"] * 0.8
        return box

    def _heading(self, key: str, fill: str, block: Block, style: str = "subheading") -> Paragraph:
        para = self.paragraph(
            self.theme.strings[key],
            self.theme.style(style, fill),
            block,
            f"strings.{self.theme.lang}.{key}",
            self.theme.strings.line_of(key),
            STRINGS_FILE,
        )
        para.keepWithNext = 1
        return para

    def _condition(self, block: Block, lang: str, words: dict[str, Any], fill: str) -> list[Flowable]:
        title = str(self.context.get("handout", {}).get("title", ""))
        out = (self._title(block, lang, words, fill, "name") if not banner_names(words["name"], title)
               else [optional(self._heading("what_it_is", fill, block, "heading"))])  # the banner names it
        out.append(at_turn(self.field(block, lang, "what_it_is", "body", fill)))
        out[-1]._definition = True  # type: ignore[attr-defined]  # a figure before the block follows it here
        out.append(self._heading("symptoms", fill, block, "heading"))
        out += self._list(block, lang, words, fill, numbered=False, key="symptoms")
        out[-1]._section_end = True  # type: ignore[attr-defined]  # a figure may follow the symptoms
        out.append(self._heading("causes", fill, block, "heading"))
        out += self._list(block, lang, words, fill, numbered=False, key="causes")
        out[-1]._section_end = True  # type: ignore[attr-defined]  # ...or the causes
        out.append(self._heading("how_acupuncture_may_help", fill, block, "heading"))
        out.append(at_turn(self.field(block, lang, "how_acupuncture_may_help", "body", fill)))
        out.append(self._heading("what_research_says", fill, block, "heading"))
        out += [at_turn(p) for p in self._paragraphs(block, lang, "what_research_says", "body", fill)]
        if block.references:
            out += self._references(block, fill)
        warn: list[Flowable] = [
            self._box_title(
                self.paragraph(
                    self.theme.strings["warning_signs"],
                    self.theme.style("warntitle", tint(self.theme.warning, BOX_TINT)),
                    block,
                    f"strings.{lang}.warning_signs",
                    self.theme.strings.line_of("warning_signs"),
                    STRINGS_FILE,
                ),
                block, tint(self.theme.warning, BOX_TINT),
            )
        ]
        warn += self._list(block, lang, words, "none", numbered=False, key="warning_signs")
        out.append(self.boxed(warn, self.theme.warning, warning=True))
        return out

    def _references(self, block: Block, fill: str) -> list[Flowable]:
        """The block's references under a "References" heading; ``references_last`` gathers them at the end."""
        out: list[Flowable] = [self._heading("references", fill, block)]
        refs = block.lines.get("references") or []
        for i, ref in enumerate(block.references):
            line = refs.line_of(i) if hasattr(refs, "line_of") else 1
            out.append(
                self.paragraph(ref, self.theme.style("small", fill), block, f"references[{i + 1}]", line, block.display)
            )
        for f in out:
            f._reference = True  # type: ignore[attr-defined]
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

        def add(markup: str, style: ParagraphStyle = body, where: str = "clinic", icon: str | None = None) -> None:
            para = self.paragraph(markup, style, block, where, cline, display, markup=False)
            details.append(figures.with_icon(self, para, icon, fill) if icon else figures.under_icons(self, para))

        esc = escape
        styling = Styling(link_color=self.theme.gray(self.theme.heading_on(fill)))
        name = self.context["clinic"]["name"]
        colon = self.theme.strings["colon"]  # ": ", or "：" in Chinese
        if "address" in block.show:
            lines = [bind_last(part) for item in c.address for part in item.split("\n")]  # a typed line break stays
            add(f"<b>{esc(name)}</b><br/>" + "<br/>".join(esc(a) for a in lines), body, "address", "map-pin")
        if "phone" in block.show:
            tel = "tel:" + re.sub(r"[^0-9+]", "", c.phone)
            phone = c.phone.replace(" ", "\u00a0")  # never broken across lines
            add(f"{esc(self.theme.strings['call_us'])}{esc(colon)}" + link(phone, tel, styling), body, "phone", "phone")
        if "email" in block.show and c.email:
            details.append(
                figures.with_icon(
                    self,
                    ShrinkToFit(
                        self.paragraph(
                            link(c.email, "mailto:" + c.email, styling),
                            body,
                            block,
                            "email",
                            cline,
                            display,
                            markup=False,
                        )
                    ),
                    "email", fill,
                )
            )
        if "website" in block.show and c.website:
            details.append(
                figures.with_icon(
                    self,
                    ShrinkToFit(
                        self.paragraph(
                            link(short_url(c.website), c.website, styling),
                            body,
                            block,
                            "website",
                            cline,
                            display,
                            markup=False,
                        )
                    ),
                    "globe", fill,
                )
            )
        if "hours" in block.show and c.hours:
            add(esc(self.theme.strings["hours"]), strong, "hours", "clock")
            days = group_hours(c.hours, self.theme.strings, self.theme.lang, c.region)  # one a line, as the address's
            add("<br/>".join(f"{esc(d)}{esc(colon)}{esc(h)}" for d, h in days), body, "hours")
        if "practitioners" in block.show and c.practitioners:  # last, under an icon of its own: not the address's
            add(esc(self.theme.strings["practitioners"]), strong, "practitioners", "doctor")
            team = [f"{who}, {credentials}" if credentials else who for who, credentials in c.practitioners]
            add("<br/>".join(esc(bind_last(who)) for who in team), body, "practitioners")  # one a line
        qr: list[Flowable] = []
        if "booking" in block.show and c.booking_url:
            size = self.theme.sizes["body"] * 7
            qr.append(qr_code(c.booking_url, size, c.display, c.lines.line_of("booking_url"), self.theme.gray))
        caption = None
        if qr:
            caption = self.paragraph(
                esc(self.theme.strings["scan_to_book"])
                + esc(colon)
                + ("<br/>" if is_cjk(self.theme.lang) else "")  # else the link breaks mid-word
                + link(short_url(c.booking_url or ""), c.booking_url or "", styling),
                self.theme.style("small", fill),
                block,
                "booking_url",
                c.lines.line_of("booking_url"),
                display,
                markup=False,
            )
        card = SideBySide(
            details,
            qr,
            caption,
            min_side_width=self.theme.sizes["body"] * 24,
            font=self.theme.body.regular,
            size=self.theme.sizes["body"],
        )
        card.keep_whole = True  # the QR code stays with the phone and address it belongs to
        out.append(card)
        return out

    # which method writes each kind of block (content.py checks ``kind`` against the same names)
    KINDS: ClassVar[dict[str, Callable[..., list[Flowable]]]] = {
        "steps": _steps,
        "bullets": _bullets,
        "prose": _prose,
        "disclaimer": _disclaimer,
        "faq": _faq,
        "callout": _callout,
        "condition": _condition,
        "contact": _contact,
        "figure": figures.figure,
    }



_TAG = re.compile(r"<[^>]+>")
# CJK ideographs, kana, hangul and full-width forms: text with none of them wraps as Latin
_HAS_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")


def _visible(markup: str) -> str:
    return unescape(_TAG.sub("", markup.replace("<br/>", "\n")))


def _tagged(markup: str, tag: str) -> str:
    return " ".join(_visible(m) for m in re.findall(rf"<{tag}>(.*?)</{tag}>", markup, re.S))
