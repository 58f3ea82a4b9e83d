"""Take content blocks in one language and give back the semantic HTML of each: the twin of ``story.writer``.

Text is resolved exactly as the PDF's is: the same ``Writer`` (its Jinja context, theme strings,
clinic and language), ``render.render_text`` in the same sandbox and ``render.to_markup`` for the
inline markup, so regional overlays, translations and every inserted value come out alike.
``HtmlBlocks.KINDS`` has one method per kind in ``Writer.KINDS`` (a test keeps the two in step);
each says which HTML element a piece of text is (h2, h3, ol, ul, li, p, figure, address), where
the writer says which paragraph style it is. Everything is escaped: markup from content is the
documented subset only (bold, italic, links), never raw HTML.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from markupsafe import Markup, escape

from ..load.content import STRINGS_FILE, Block
from ..load.i18n import group_hours
from ..render import Styling, literal, plain, render_text, short_url, to_markup
from ..story.art import RASTER, Palette
from ..story.figures import palette
from ..story.sections import banner_names
from ..story.writer import Writer

_LINK_COLOR = re.compile(r'(<a href="[^"]*") color="[^"]*">')  # to_markup's links carry a PDF colour: CSS sets it
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}\b")


def inline(markup: str) -> Markup:
    """Return reportlab paragraph markup from ``render.to_markup`` as HTML.

    ``to_markup`` escapes all text and writes only ``<b>``, ``<i>`` and ``<a href="…">``, which are
    HTML already; only the links' PDF colour attribute goes (the stylesheet colours links).
    """
    return Markup(_LINK_COLOR.sub(r"\1>", markup))


def svg_data_uri(path: Path, colors: Palette) -> str:
    """Return the art file at ``path`` as a ``data:`` URI, an SVG's colours swapped as ``story.art`` swaps them."""
    if path.suffix.lower() in RASTER:
        kind = "png" if path.suffix.lower() == ".png" else "jpeg"
        return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    swaps = dict(colors.swaps())
    text = path.read_text(encoding="utf-8")
    text = _HEX_COLOR.sub(lambda m: swaps.get(m.group(0).lower()) or colors.plain(m.group(0).lower()), text)
    return "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass
class HtmlBlocks:
    """Turns one handout's blocks into HTML, with the writer the PDF's flowables came from."""

    writer: Writer
    inside: Markup = dataclasses.field(default_factory=Markup)  # a figure the next condition reads after its definition

    @property
    def lang(self) -> str:
        """The handout's language."""
        return self.writer.theme.lang

    def text(self, raw: str, where: str, line: int, display: str) -> Markup:
        """Render Jinja ``raw`` in the writer's context, then its inline markup, as HTML."""
        rendered = render_text(raw, self.writer.context, display, line, where)
        return inline(to_markup(rendered, Styling(), display, line, where))

    def field(self, block: Block, name: str, index: int | None = None, value: str | None = None) -> Markup:
        """Return ``text.<lang>.<name>`` of ``block`` (or item ``index`` of it) as HTML."""
        raw = value if value is not None else block.text[self.lang][name]
        where = f"text.{self.lang}.{name}" + (f"[{index + 1}]" if index is not None else "")
        return self.text(raw, where, block.line_of(self.lang, name, index), block.display)

    def string(self, key: str) -> Markup:
        """Return the page string ``key`` (``strings.yaml``) in the handout's language, escaped."""
        strings = self.writer.theme.strings
        where = f"strings.{self.lang}.{key}"
        text = render_text(strings[key], self.writer.context, STRINGS_FILE, strings.line_of(key), where)
        return escape(literal(text))

    def block(self, block: Block) -> Markup:
        """Return one block as an HTML ``<section>`` (the disclaimer as a note), in the handout's language."""
        words = block.text[self.lang]  # Writer.block has checked that the language is there
        inner = self.KINDS[block.kind](self, block, words)
        role = ' role="note"' if block.kind == "disclaimer" else ""
        opening = f'<section class="block {escape(block.kind)}" id="b-{escape(block.id)}"{role}>'
        return Markup(f"{opening}\n{inner}</section>\n")

    def _title(self, block: Block, words: dict[str, Any], key: str = "title") -> Markup:
        if not words.get(key):
            return Markup("")
        text = self.field(block, key)
        if banner_names(html.unescape(str(text)), str(self.writer.context.get("handout", {}).get("title", ""))):
            return Markup("")  # the page's h1 already says it (a brochure's flap opens with the title)
        return Markup(f"<h2>{text}</h2>\n")

    def _list(self, block: Block, words: dict[str, Any], numbered: bool, key: str = "items") -> Markup:
        tag = "ol" if numbered else "ul"
        items = "".join(f"<li>{self.field(block, key, i, v)}</li>\n" for i, v in enumerate(words[key]))
        return Markup(f"<{tag}>\n{items}</{tag}>\n")

    def _para(self, block: Block, name: str, cls: str = "") -> Markup:
        attr = f' class="{cls}"' if cls else ""
        return Markup(f"<p{attr}>{self.field(block, name)}</p>\n")

    def _paragraphs(self, block: Block, key: str, cls: str = "") -> Markup:
        """Return a field's paragraphs (split at blank lines, as ``Writer._paragraphs`` splits them)."""
        raw = block.text[self.lang][key]
        where, line = f"text.{self.lang}.{key}", block.line_of(self.lang, key)
        rendered = render_text(raw, self.writer.context, block.display, line, where)
        attr = f' class="{cls}"' if cls else ""
        out = []
        for chunk in re.split(r"\n\s*\n", rendered.strip()):
            chunk = " ".join(chunk.split("\n"))
            out.append(f"<p{attr}>{inline(to_markup(chunk, Styling(), block.display, line, where))}</p>\n")
        return Markup("".join(out))

    def _lines(self, block: Block, words: dict[str, Any], numbered: bool) -> Markup:
        out = self._title(block, words)
        if words.get("intro"):
            out += self._para(block, "intro")
        out += self._list(block, words, numbered)
        if words.get("outro"):
            out += self._para(block, "outro")
        return out

    def _steps(self, block: Block, words: dict[str, Any]) -> Markup:
        return self._lines(block, words, numbered=True)

    def _bullets(self, block: Block, words: dict[str, Any]) -> Markup:
        return self._lines(block, words, numbered=False)

    def _prose(self, block: Block, words: dict[str, Any]) -> Markup:
        if block.form_field:  # a line to write on in print; on screen, the words without the blank
            out = self._title(block, words) + self._para(block, "body", "fill-in")
            if words.get("fields"):
                out += self._list(block, words, numbered=False, key="fields")
            return out
        return self._title(block, words) + self._paragraphs(block, "body", "lead" if block.tone == "lead" else "")

    def _disclaimer(self, block: Block, words: dict[str, Any]) -> Markup:
        out = Markup("")
        if words.get("title"):
            out += Markup(f"<p><strong>{self.field(block, 'title')}</strong></p>\n")
        return out + self._paragraphs(block, "body", "small")

    def _faq(self, block: Block, words: dict[str, Any]) -> Markup:
        out = self._title(block, words)
        level = 3 if words.get("title") else 2
        for i, item in enumerate(words["items"]):
            line = block.line_of(self.lang, "items", i)
            q = self.text(item["q"], f"text.{self.lang}.items[{i + 1}].q", line, block.display)
            a = self.text(item["a"], f"text.{self.lang}.items[{i + 1}].a", line, block.display)
            out += Markup(f"<h{level}>{q}</h{level}>\n<p>{a}</p>\n")
        return out

    def _callout(self, block: Block, words: dict[str, Any]) -> Markup:
        tone = "warning" if block.tone == "warning" else "note"
        out = Markup(f'<div class="box {tone}">\n<h2>{self.field(block, "title")}</h2>\n')
        if words.get("intro"):
            out += self._para(block, "intro")
        if words.get("items"):
            out += self._list(block, words, numbered=False)
        if words.get("body"):
            out += self._paragraphs(block, "body")
        return out + Markup("</div>\n")

    def _condition(self, block: Block, words: dict[str, Any]) -> Markup:
        out = Markup("")
        title = str(self.writer.context.get("handout", {}).get("title", ""))
        if not banner_names(words["name"], title):  # else the page's h1 already says it
            out += self._title(block, words, key="name")
        h = "h2"  # as in the PDF, the sections of a condition are headed like blocks
        out += self._para(block, "what_it_is") + self.inside  # the figure of where it is felt
        out += Markup(f"<{h}>{self.string('symptoms')}</{h}>\n") + self._list(block, words, False, "symptoms")
        out += Markup(f"<{h}>{self.string('causes')}</{h}>\n") + self._list(block, words, False, "causes")
        out += Markup(f"<{h}>{self.string('how_acupuncture_may_help')}</{h}>\n")
        out += self._para(block, "how_acupuncture_may_help")
        out += Markup(f"<{h}>{self.string('what_research_says')}</{h}>\n") + self._para(block, "what_research_says")
        out += Markup(f'<div class="box warning">\n<{h}>{self.string("warning_signs")}</{h}>\n')
        return out + self._list(block, words, False, "warning_signs") + Markup("</div>\n")

    def references(self, blocks: list[Block]) -> Markup:
        """Return the references of ``blocks`` under one "References" heading, each once, as the PDF ends a slot.

        A citation with no Chinese in a handout in another language than English is marked as English,
        the language the cited papers are in.
        """
        items: list[str] = []
        for block in blocks:
            refs = block.lines.get("references") or []
            for i, ref in enumerate(block.references):
                line = refs.line_of(i) if hasattr(refs, "line_of") else 1
                html = inline(to_markup(ref, Styling(), block.display, line, f"references[{i + 1}]"))
                lang = ' lang="en"' if self.lang != "en" and ref.isascii() else ""
                item = f"<li{lang}>{html}</li>\n"
                if item not in items:
                    items.append(item)
        if not items:
            return Markup("")
        heading = f"<h2>{self.string('references')}</h2>\n"
        listing = f'<ol class="small">\n{"".join(items)}</ol>\n'
        return Markup(f'<section class="block references">\n{heading}{listing}</section>\n')

    def _contact(self, block: Block, words: dict[str, Any]) -> Markup:
        out = self._title(block, words)
        if words.get("intro"):
            out += self._para(block, "intro")
        c = self.writer.clinic
        colon = self.string("colon")
        lines: list[str] = []
        if "address" in block.show:
            parts = [escape(p) for item in c.address for p in item.split("\n")]
            name = escape(self.writer.context["clinic"]["name"])
            lines.append(f'<p class="where"><strong>{name}</strong><br>' + "<br>".join(parts) + "</p>")
        if "phone" in block.show:
            tel = "tel:" + re.sub(r"[^0-9+]", "", c.phone)
            phone = escape(c.phone.replace(" ", "\u00a0"))
            lines.append(f'<p>{self.string("call_us")}{colon}<a href="{escape(tel)}">{phone}</a></p>')
        if "email" in block.show and c.email:
            lines.append(f'<p><a href="{escape("mailto:" + c.email)}">{escape(c.email)}</a></p>')
        if "website" in block.show and c.website:
            lines.append(f'<p><a href="{escape(c.website)}">{escape(short_url(c.website))}</a></p>')
        if "hours" in block.show and c.hours:
            rows = "".join(
                f"<li>{escape(days)}{colon}{escape(hours)}</li>"
                for days, hours in group_hours(c.hours, self.writer.theme.strings, self.lang, c.region)
            )
            lines.append(f'<p class="label"><strong>{self.string("hours")}</strong></p><ul class="hours">{rows}</ul>')
        if "practitioners" in block.show and c.practitioners:  # last, as the PDF prints them
            team = [f"{who}, {credentials}" if credentials else who for who, credentials in c.practitioners]
            names = Markup("<br>").join(escape(who) for who in team)
            lines.append(f"<p><strong>{self.string('practitioners')}</strong><br>{names}</p>")
        if "booking" in block.show and c.booking_url:
            # the PDF's QR code, as the link it stands for
            url = escape(c.booking_url)
            lines.append(f'<p class="booking">{self.string("book_online")}{colon}<a href="{url}">'
                         f"{escape(short_url(c.booking_url))}</a></p>")  # fmt: skip
        return out + Markup('<address class="contact">\n' + "\n".join(lines) + "\n</address>\n")

    def _figure(self, block: Block, words: dict[str, Any]) -> Markup:
        assert block.image is not None  # read_block requires image: for a figure
        out = Markup("")
        if words.get("title"):
            out += Markup(f"<h2>{self.field(block, 'title')}</h2>\n")
        src = svg_data_uri(block.image, palette(self.writer))
        width = round((block.width or 1.9 * 72) * 96 / 72)  # CSS pixels: as wide as it prints
        alt = escape(plain(render_text(words["alt"], self.writer.context, block.display,
                                 block.line_of(self.lang, "alt"), f"text.{self.lang}.alt")))  # fmt: skip
        caption = self.field(block, "caption")
        labels = Markup("").join(
            Markup("<span>{}</span>").format(self.field(block, "labels", i, label))
            for i, label in enumerate(words.get("labels") or [])
        )
        if labels:  # over the picture, each over its share of it, as the PDF prints them
            labels = Markup('<div class="figure-labels" style="width:{}px">{}</div>\n').format(width, labels)
        if block.credit:
            credit = self.text(block.credit, "credit", block.lines.line_of("credit"), block.display)
            caption += Markup(f'<br><span class="credit">{credit}</span>')
        return out + Markup(
            f'<figure>\n{labels}<img src="{src}" alt="{alt}" style="width:{width}px">\n'
            f"<figcaption>{caption}</figcaption>\n</figure>\n"
        )

    # which method writes each kind of block: the same kinds as Writer.KINDS
    KINDS: ClassVar[dict[str, Callable[..., Markup]]] = {
        "steps": _steps,
        "bullets": _bullets,
        "prose": _prose,
        "disclaimer": _disclaimer,
        "faq": _faq,
        "callout": _callout,
        "condition": _condition,
        "contact": _contact,
        "figure": _figure,
    }
