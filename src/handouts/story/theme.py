"""Take a clinic's fonts, colours and a layout's type sizes and give back paragraph styles and colour roles.

Colour rules live here once: what a layout's role name stands for, the body text colour on a
fill, and the heading colour (the brand colour where it reads well, else plain ink).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors as rl_colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from ..assets import Family
from ..cjk import is_cjk
from ..colors import AA_BODY, AA_LARGE, BOX_TINT, INK, WHITE, contrast, needed_ratio, readable, text_on, tint
from ..load.content import Strings
from .linebreak import chinese_line_rules
from .para import style_key

ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
LIGHT = 1.5  # a fill within this contrast of white paper is a light tint: brand-coloured headings still read on it
QUESTION_RULE = 0.55  # the hairline over an FAQ's question: the heading colour this far toward white
# every theme of the same fonts, colours, sizes and language makes the same styles: made once per worker, so
# each style's key (``style_key``) and its variants (``restyled``) are made once too; no style is changed once made
_MADE: dict[tuple[Any, ...], ParagraphStyle] = {}
_MADE_MAX = 4096


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
    strings: Strings
    lang: str
    gray: Any  # callable mapping a colour to what the variant prints
    _styles: dict[tuple[str, str], ParagraphStyle] = field(default_factory=dict)
    _latin: dict[tuple[str, Any], ParagraphStyle] = field(default_factory=dict)

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

    def text_color(self, color: str, on: str, size: float) -> str:
        """Return ``color`` for text of ``size`` points on ``on``, shaded (same hue) until it meets WCAG AA."""
        return readable(color, (WHITE if on in ("none", "white") else on,), needed_ratio(size))

    def marker_color(self, color: str) -> str:
        """Return ``color`` for rules and box borders on white paper: 3:1 (WCAG AA for graphics), same hue."""
        return readable(color, (WHITE,), AA_LARGE)

    def bullet_color(self) -> str:
        """Return the accent for bullets and step numbers: 4.5:1 on white and on every tinted box they sit in."""
        grounds = (WHITE, tint(self.accent, BOX_TINT), tint(self.warning, BOX_TINT), tint(self.primary, 0.88))
        return readable(self.accent, grounds, AA_BODY)

    def ink_on(self, fill: str) -> str:
        """Return the body text colour for a panel filled with ``fill`` (``none`` is white paper)."""
        return INK if fill in ("none", WHITE) else text_on(fill)

    def heading_on(self, fill: str) -> str:
        """Return the heading colour: the brand colour where it reads well (on paper or a light tint, shaded there
        until it does, same hue), else white or black, whichever reads better on the fill."""
        ground = WHITE if fill in ("none", WHITE) else fill  # paper is the lightest tint
        return readable(self.primary, (ground,), AA_BODY) if _light(ground) else text_on(ground)

    def icon_ink(self, fill: str) -> str:
        """Return the colour of a list, box or contact icon's lines on ``fill``: the brand colour, shaded until it
        reaches 3:1 on paper or a light fill (one family with the steps' discs, where black icons beside brand ones
        read as two sets: rev58b); the text's colour on a dark fill."""
        ground = WHITE if fill in ("none", WHITE) else fill
        return readable(self.primary, (ground,), AA_LARGE) if _light(ground) else self.ink_on(fill)

    def question_rule(self, fill: str) -> str:
        """Return the colour of the hairline over an FAQ's question on ``fill``: a tint of the heading colour."""
        return self.gray(tint(self.heading_on(fill), QUESTION_RULE))

    def bullet_on(self, fill: str, text: str) -> str:
        """Return the bullets' colour on ``fill``: the accent (``bullet_color``) on paper or a light tint, shaded
        there until it reads; the text's own colour (``text``) on any other fill."""
        if fill in ("none", WHITE):
            return self.bullet_color()
        return readable(self.accent, (fill,), AA_BODY) if _light(fill) else text

    def latin(self, style: ParagraphStyle) -> ParagraphStyle:
        """Return ``style`` wrapping at spaces, for Latin-only text (a reference, an email) in a Chinese handout."""
        # keyed by every attribute, not the name: a box's text shrunk to fit is one name at many sizes
        key = ("latin", style_key(style))
        if key not in self._latin:
            self._latin[key] = style.clone(style.name + "-latin", wordWrap=None)
        return self._latin[key]

    def _lead(self) -> float:
        """Return the line height of opening words, a size up: 1.25, or Chinese text's own where that is more
        (at 1.25, the Chinese tri-fold's intro sat tighter than the 1.5 of the body beside it: rev61b)."""
        return max(1.25, self.leading) if is_cjk(self.lang) else 1.25

    def style(self, name: str, fill: str = "none") -> ParagraphStyle:
        """Return the paragraph style ``name`` (title, subtitle, heading, subheading, body, small,
        strong, smallstrong, bullet, boxtitle, warntitle, lead, question) for text on ``fill``."""
        key = (name, fill)
        if key in self._styles:
            return self._styles[key]
        made_key = (self.body, self.heading, self.primary, self.accent, self.warning, tuple(sorted(self.sizes.items())))
        made_key += (self.leading, self.lang, self.gray, name, fill)
        made = _MADE.get(made_key)
        if made is None:
            if len(_MADE) >= _MADE_MAX:
                _MADE.pop(next(iter(_MADE)))  # the oldest
            made = _MADE[made_key] = self._make(name, fill)
        self._styles[key] = made
        return made

    def _make(self, name: str, fill: str) -> ParagraphStyle:
        """Return a new paragraph style ``name`` for text on ``fill`` (``style``)."""
        # boxtitle, warntitle: a box's title, a step above the body (the warning's in its red)
        size_name = {"strong": "body", "bullet": "body", "callout": "body", "smallstrong": "small"}.get(name, name)
        size_name = "subheading" if name in ("boxtitle", "warntitle", "lead", "question") else size_name
        size = self.sizes[size_name]
        heading = name in ("title", "heading", "subheading", "boxtitle", "warntitle")
        family = self.heading if heading else self.body
        bold = heading or name in ("strong", "smallstrong", "question")  # a question: the body's bold, a step up
        font = (family.bold or family.regular) if bold else family.regular
        color = self.heading_on(fill) if heading or name == "question" else self.ink_on(fill)
        if name == "lead":  # opening words a step up, in the body's ink (in the brand colour a paragraph of it
            color = self.ink_on(fill)  # read as low contrast and decoration: rev58a-b)
        if name in ("boxtitle", "warntitle"):  # on the box's tint, in the colours the variant prints
            hue = self.warning if name == "warntitle" else self.primary
            color = self.text_color(self.gray(hue), self.gray(fill), size)
        st = ParagraphStyle(
            f"{name}-{fill}",
            fontName=font,
            fontSize=size,
            leading=size * (1.2 if heading or name == "title" else self._lead() if name == "lead" else self.leading),
            textColor=rl_colors.HexColor(self.gray(color)),
            spaceBefore={"heading": size * 0.9, "subheading": size * 0.6, "question": size * 0.7}.get(name, 0),
            spaceAfter={
                "heading": size * 0.35,
                "subheading": size * 0.2,
                "body": size * 0.45,
                "lead": size * 0.7,
                "bullet": size * 0.25,
                "small": size * 0.3,
                "strong": size * 0.15,
                "question": size * 0.2,
            }.get(name, 0),
            bulletFontName=self.body.bold or self.body.regular,
            bulletFontSize=size,
            bulletColor=rl_colors.HexColor(self.gray(self.bullet_on(fill, color))),
            # Chinese breaks between characters, keeps Latin words whole where it can, and never
            # starts a line with closing punctuation (reportlab's CJK rules)
            wordWrap="CJK" if is_cjk(self.lang) else None,
            allowWidows=0,  # no paragraph leaves its last line alone at the top of a column
        )
        if heading and name != "title":  # the page balances a title itself (paint._balanced)
            st.balance = True  # a heading of two lines breaks where its lines come out even (story.para)
        if st.wordWrap == "CJK":
            chinese_line_rules()
            if name in ("body", "bullet", "lead", "strong", "callout"):
                st.alignment = TA_JUSTIFY  # Chinese is set solid to both edges (linebreak spreads the characters)
        if name == "bullet":
            st.leftIndent = size * 1.6
            st.bulletIndent = size * 0.2
        return st


def _light(fill: str) -> bool:
    """True for a light tint (within ``LIGHT`` of white paper), where the brand's colours still head and mark."""
    return contrast(WHITE, fill) < LIGHT
