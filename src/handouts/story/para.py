"""Take a paragraph's markup and style and give back a reportlab Paragraph whose markup is parsed once per worker.

reportlab parses a paragraph's markup (``<b>``, ``<font>``, links) into fragments every time a
``Paragraph`` is made, and a chain of clinics makes the same paragraphs again and again: the
same safety text, in the same style, for every clinic that shares the brand font and size.
``Para`` keeps the parse of each (markup, every attribute of the style) and gives each new
paragraph its own copy of the fragments (``_fresh``), so nothing one paragraph does to its fragments
(line breaking, splitting between frames) reaches another. The key holds the whole style, so a
change of font, size, colour or anything else the parser reads is a different entry.
"""

from __future__ import annotations

import copy
from typing import Any

from reportlab.lib.abag import ABag
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

_PARSED: dict[tuple[Any, ...], tuple[ParagraphStyle | None, list[Any], Any]] = {}
_PARSED_MAX = 2048
SHORT_PARAGRAPH = 5  # lines: a paragraph this short never splits between columns or pages
WHOLE_AT_TURN = 14  # lines: a paragraph marked by at_turn this short never turns the page in its middle


def _fresh(value: Any) -> Any:
    """Return a copy of parsed fragments that a paragraph may change freely: every list, tuple and fragment
    (``ParaFrag``, an ``ABag``) is new; what nothing changes in place (text, numbers, ``Color``) is shared.

    ``copy.deepcopy`` did the same and also copied every colour, at a tenth of the render's time.
    """
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, ABag):
        fresh = value.__class__.__new__(value.__class__)
        fresh.__dict__ = {k: _fresh(v) for k, v in value.__dict__.items()}
        return fresh
    return value


def style_key(style: ParagraphStyle) -> tuple[tuple[str, str], ...]:
    """Return every attribute of ``style`` (its parent's included: reportlab copies them in), as text."""
    return tuple(sorted((k, repr(v)) for k, v in vars(style).items() if k != "parent"))


class Para(Paragraph):
    """A reportlab ``Paragraph`` whose markup is parsed once per (markup, style) in this process."""

    def _setup(self, text: str, style: ParagraphStyle, bulletText: Any, frags: Any, cleaner: Any) -> None:
        if frags is not None or not isinstance(bulletText, (str, type(None))):
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (type(self), text, style_key(style), bulletText, self.caseSensitive, cleaner)
        parsed = _PARSED.get(key)
        if parsed is None:
            super()._setup(text, style, bulletText, None, cleaner)
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))  # the oldest
            # kept as parsed, before anything wraps or splits this paragraph; None: the style given
            own_style = None if self.style is style else self.style
            _PARSED[key] = (own_style, copy.deepcopy(self.frags), copy.deepcopy(self.bulletText))
            return
        own_style, parsed_frags, parsed_bullet = parsed
        self.text = cleaner(text)
        self.frags = _fresh(parsed_frags)
        self.style = style if own_style is None else own_style
        self.bulletText = _fresh(parsed_bullet)
        self.debug = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break the lines for ``availWidth``, unless they were just broken for that width.

        Placing a slot tries its flowables again and again (a whole panel, then split, columns
        levelled): a paragraph measured again at the width of its last measure, with nothing
        changed since (same lines, fragments and style objects), keeps that measure.
        """
        last = self.__dict__.get("_measured")
        if (
            last is not None
            and last[0] == availWidth
            and last[1] is self.__dict__.get("blPara")
            and last[2] is self.frags
            and last[3] is self.style
        ):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if getattr(self.style, "balance", False) and len(getattr(self.blPara, "lines", ())) > 1:
            size = self._balance(availWidth, availHeight, len(self.blPara.lines))
        self._measured = (availWidth, self.__dict__.get("blPara"), self.frags, self.style)
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split between columns or pages, except a paragraph of a few lines, which moves on whole: a reader
        never turns a page in the middle of a short paragraph."""
        self.wrap(availWidth, availHeight)
        if len(getattr(self.blPara, "lines", ())) <= SHORT_PARAGRAPH:
            return []
        return list(super().split(availWidth, availHeight))

    def _balance(self, width: float, height: float, lines: int) -> tuple[float, float]:
        """Break a heading's lines at the narrowest width that keeps their number, so no word is left alone
        on the last line ("How might acupuncture / work?" becomes "How might / acupuncture work?")."""
        lo, hi = width * 0.4, width
        while hi - lo > 2:
            mid = (lo + hi) / 2
            super().wrap(mid, height)
            if len(self.blPara.lines) > lines:
                lo = mid
            else:
                hi = mid
        _, h = super().wrap(hi, height)
        self.width = width  # the heading still owns the column's width; its lines are narrower
        return width, h


def optional(flowable: Any) -> Any:
    """Mark a flowable that placement leaves out where that saves a page (``pdf.place``): a helpful heading."""
    flowable._optional = True
    return flowable


def at_turn(para: Any) -> Any:
    """Mark a body paragraph to move on whole at a page turn when it has ``WHOLE_AT_TURN`` lines or fewer and
    the next page has room (``pdf.place``): a reader never turns the page in the middle of a short paragraph."""
    para.keep_whole = "page"
    return para
