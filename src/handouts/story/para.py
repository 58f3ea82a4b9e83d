"""Take a paragraph's markup and style and give back a reportlab Paragraph whose markup is parsed once per worker.

reportlab parses a paragraph's markup (``<b>``, ``<font>``, links) into fragments every time a
``Paragraph`` is made, and a chain of clinics makes the same paragraphs again and again: the
same safety text, in the same style, for every clinic that shares the brand font and size.
``Para`` keeps the parse of each (markup, every attribute of the style) and gives each new
paragraph its own copy of the fragments (``_fresh``), so nothing one paragraph does to its fragments
(line breaking, splitting between frames) reaches another. The key holds the whole style, so a
change of font, size, colour or anything else the parser reads is a different entry.

Breaking the lines is kept the same way (``_WRAPPED``): what wrapping at a width set on a paragraph
made from a key, copied to each later paragraph of that key and style at that width. Chinese lines,
broken again until no rule is broken (``linebreak``), cost most, and are shared most.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from reportlab.lib.abag import ABag
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from .rag import even_lines, line_widths

_PARSED: dict[tuple[Any, ...], tuple[ParagraphStyle | None, list[Any], Any, str]] = {}  # + the cleaned text
_PARSED_MAX = 2048
_WRAPPED: dict[tuple[Any, ...], dict[str, Any]] = {}  # (parse key, width) -> what wrapping set on the paragraph
_WRAPPED_MAX = 512  # most hits are a render's own paragraphs made again (placement tries sizes)
_UNSET = object()
_STYLE_KEYS: weakref.WeakKeyDictionary[ParagraphStyle, tuple[tuple[str, str], ...]] = weakref.WeakKeyDictionary()
_ALIGN_SHIFT = {TA_CENTER: 0.5, TA_RIGHT: 1.0}  # how much of a balanced paragraph's spare width lies left of it
EVEN = 0.6  # a balanced paragraph broken where its lines end clauses keeps its shortest line this share of its
# longest at least (as even as a caption is tested to be)
SHORT_PARAGRAPH = 5  # lines: a paragraph this short never splits between columns or pages
WHOLE_AT_TURN = 14  # lines: a paragraph marked by at_turn this short never turns the page in its middle
MIN_PART = 3  # lines: a paragraph cut between two sentences keeps at least this many on each side (with two,
# a last sentence went on alone under "(continued)" over a page turn: rev50a)
# where one sentence ends and the next begins: after . ? ! (and a closing quote or bracket) and a space, before
# what can open a sentence; after a Chinese full stop, question or exclamation mark, and its closing quote
_SENTENCE_END = re.compile(r"[.?!][\"'”’)]*\s+(?=(?:<[^>]*>)*[\"“(¿¡]*[A-Z0-9À-Þ])|[。？！][」』”）]*")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|Dr|Mr|Mrs|Ms|St|vs|No|Sr|Sra|Dra|p\.ej)|\b[A-Z])\.$")
_TAG = re.compile(r"<(/?)[^>]*?(/?)>")


_LEAF: set[type] = {str, int, float, bool, type(None)}  # classes that hold nothing to copy; grows as others are met
_LIST, _TUPLE, _BAG, _WORD, _DICT = range(5)
_KINDS: dict[type, int] = {}


def _kind(cls: type) -> int | None:
    """Return how ``_copy`` copies an instance of ``cls``, or None (adding it to ``_LEAF``) for a class it shares."""
    kind = _KINDS.get(cls)
    if kind is None:
        if issubclass(cls, list):
            kind = _LIST
        elif cls is tuple:
            kind = _TUPLE
        elif issubclass(cls, ABag):
            kind = _BAG
        elif issubclass(cls, str) and "__dict__" in dir(cls):  # a word that carries its fragment (``cjkU``)
            kind = _WORD
        elif cls is dict:
            kind = _DICT
        else:
            _LEAF.add(cls)  # text, numbers, colours: nothing changes them in place
            return None
        _KINDS[cls] = kind
    return kind


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    """Return a copy of a wrapped paragraph's state that a paragraph may change freely, as ``_fresh`` does,
    keeping each list, fragment and word's own class (reportlab marks split words by class) and keeping an
    object that two places share shared in the copy (``memo``, as ``copy.deepcopy`` does)."""
    cls = value.__class__
    if cls in _LEAF:
        return value
    kind = _kind(cls)
    if kind is None:
        return value
    known = memo.get(id(value))
    if known is not None:
        return known
    leaf = _LEAF
    if kind == _TUPLE:
        return tuple(v if v.__class__ in leaf else _copy(v, memo) for v in value)
    if kind == _DICT:
        return {k: v if v.__class__ in leaf else _copy(v, memo) for k, v in value.items()}
    fresh = cls.__new__(cls) if kind != _WORD else str.__new__(cls, value)
    memo[id(value)] = fresh
    if kind == _LIST:
        fresh.extend([v if v.__class__ in leaf else _copy(v, memo) for v in value])
    if kind != _LIST or hasattr(value, "__dict__"):
        fresh.__dict__.update({k: v if v.__class__ in leaf else _copy(v, memo) for k, v in value.__dict__.items()})
    return fresh


def _fresh(value: Any) -> Any:
    """Return a copy of parsed fragments that a paragraph may change freely (``_copy``)."""
    return _copy(value, {})


def style_key(style: ParagraphStyle) -> tuple[tuple[str, str], ...]:
    """Return every attribute of ``style`` (its parent's included: reportlab copies them in), as text.

    Kept per style object for as long as it lives (``_STYLE_KEYS``): a theme's style serves every paragraph
    of its kind, and nothing here changes a style once made (a paragraph that needs another gets a clone).
    """
    key = _STYLE_KEYS.get(style)
    if key is None:
        key = _STYLE_KEYS[style] = tuple(sorted((k, repr(v)) for k, v in vars(style).items() if k != "parent"))
    return key


_RESTYLED: weakref.WeakKeyDictionary[ParagraphStyle, dict[tuple[Any, ...], ParagraphStyle]] = (
    weakref.WeakKeyDictionary()
)


def restyled(style: ParagraphStyle, suffix: str, **changes: Any) -> ParagraphStyle:
    """Return a clone of ``style`` named ``name + suffix`` with ``changes``, made once per style and changes.

    A list's every item, a caption, an element's text: each wants the same variant of a theme style, and one
    object keeps the style's key (``style_key``) computed once. Styles are never changed once made.
    """
    made = _RESTYLED.get(style)
    if made is None:
        made = _RESTYLED[style] = {}
    key = (suffix, *sorted(changes.items()))
    clone = made.get(key)
    if clone is None:
        clone = made[key] = style.clone(style.name + suffix, **changes)
    return clone


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
            # the parse is kept as it is and this paragraph gets a copy, as every later one does
            _PARSED[key] = (own_style, self.frags, self.bulletText, self.text)
            self.bulletText = _fresh(self.bulletText)
        else:
            own_style, self.frags, parsed_bullet, self.text = parsed
            self.style = style if own_style is None else own_style
            self.bulletText = _fresh(parsed_bullet)
            self.debug = 0
        # the parse's fragments are shared until something may change them (``_own_frags``): most paragraphs
        # take their lines from ``_WRAPPED`` and never break or split their own
        self._frags_shared = True
        # what wrapping this paragraph, as it comes from the parse, gives at a width is the same for every
        # paragraph of this key and style: kept once (``wrap``) while nothing has replaced its fragments
        self._parse = (key, self.frags, self.style)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break the lines for ``availWidth``, unless they were just broken for that width, here or for a paragraph
        of the same markup and style (``_WRAPPED``: the same safety text for every clinic of a chain).

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
        key = self._wrap_key(availWidth)
        state = _WRAPPED.pop(key, None) if key is not None else None
        if state is not None:
            _WRAPPED[key] = state  # the most recently used, last out
            # shared, not copied: drawing only reads it, and ``split`` (which changes words) copies it first
            self.__dict__.update(state)
            self._shared = state
            self._measured = (availWidth, self.__dict__.get("blPara"), self.frags, self.style)
            return self.width, self.height
        self._own_state()  # breaking again at another width may change the words it breaks
        self._own_frags()
        self._shift = 0.0  # set again by _balance
        self._limits: list[float] | None = None  # likewise
        before = dict(self.__dict__) if key is not None else None  # what wrapping changes is kept only with a key
        size = super().wrap(availWidth, availHeight)
        if getattr(self.style, "balance", False) and len(getattr(self.blPara, "lines", ())) > 1:
            size = self._balance(availWidth, availHeight, len(self.blPara.lines))
        if before is not None and size == (self.width, self.height):
            if len(_WRAPPED) >= _WRAPPED_MAX:
                _WRAPPED.pop(next(iter(_WRAPPED)))  # the oldest
            changed = {k: v for k, v in self.__dict__.items() if before.get(k, _UNSET) is not v}
            _WRAPPED[key] = _copy(changed, {})  # kept apart from this paragraph, which may yet change its own
        self._measured = (availWidth, self.__dict__.get("blPara"), self.frags, self.style)
        return size

    def _wrap_key(self, width: float) -> tuple[Any, ...] | None:
        """Return the key of what wrapping this paragraph at ``width`` gives, or None where that is its own.

        Only a paragraph never wrapped, with the fragments its parse gave (``_setup``), has one. A list item
        or caption is given a style of its own after it was made (no indent, centred): that style is then
        in the key, as every attribute of the parse's style already is.
        """
        parse = self.__dict__.get("_parse")
        if parse is None or parse[1] is not self.frags or "blPara" in self.__dict__:
            return None
        return (parse[0], width) if parse[2] is self.style else (parse[0], width, style_key(self.style))

    def breakLines(self, width: Any) -> Any:
        """Return reportlab's lines, or where they leave a notch in the right edge or a sliver of a last line, the
        same number of lines set more evenly (``rag``)."""
        return even_lines(self, width, super().breakLines(width))

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split between columns or pages, except a paragraph of a few lines, which moves on whole: a reader
        never turns a page in the middle of a short paragraph."""
        self.wrap(availWidth, availHeight)
        if len(getattr(self.blPara, "lines", ())) <= getattr(self, "_whole_lines", SHORT_PARAGRAPH):
            return []
        self._own_state()
        self._own_frags()
        return list(super().split(availWidth, availHeight))

    def sentence_split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Return this paragraph as two, cut where one sentence ends and the next begins, the first as long as
        fits ``availHeight``, each at least ``MIN_PART`` lines; or [] where no such cut exists.

        For a page turn (``pdf.place``): the reader turns the page between two sentences, never inside one,
        and the column before the turn is not left empty. Cuts are made only outside markup (``<b>`` and
        the like), so each part's markup is whole.
        """
        text = self.text
        for cut in reversed(_sentence_cuts(text)):
            head = type(self)(text[:cut].rstrip(), self.style)  # a paragraph of its own
            _, h = head.wrap(availWidth, availHeight)
            if h > availHeight + 0.01 or len(head.blPara.lines) < MIN_PART:
                continue
            tail = type(self)(text[cut:].lstrip(), self.style)
            tail.wrap(availWidth, 1e9)
            if len(tail.blPara.lines) >= MIN_PART:
                return [head, tail]
        return []

    def _own_frags(self) -> None:
        """Give this paragraph its own copy of the parse's fragments (``_PARSED``) if it still shares them, before
        reportlab breaks or splits its lines, which may change them in place."""
        if not self.__dict__.pop("_frags_shared", False):
            return
        parse = self.__dict__.get("_parse")
        shared = self.frags
        self.frags = _fresh(shared)
        if parse is not None and parse[1] is shared:
            self._parse = (parse[0], self.frags, parse[2])  # still the parse's fragments, for ``_wrap_key``
        last = self.__dict__.get("_measured")
        if last is not None and last[2] is shared:
            self._measured = (last[0], last[1], self.frags, last[3])

    def _own_state(self) -> None:
        """Give this paragraph its own copy of the wrapped state it shares with ``_WRAPPED`` (if it does),
        before anything changes it in place: reportlab's ``split`` adds spaces to words and changes their class."""
        shared = self.__dict__.pop("_shared", None)
        if shared is None:
            return
        own = _copy({k: v for k, v in self.__dict__.items() if k in shared and v is shared[k]}, {})
        self.__dict__.update(own)
        last = self.__dict__.get("_measured")
        if last is not None and last[1] is shared.get("blPara"):
            self._measured = (last[0], self.__dict__.get("blPara"), self.frags, self.style)

    def _balance(self, width: float, height: float, lines: int) -> tuple[float, float]:
        """Break a heading's lines at the narrowest width that keeps their number, so no word is left alone
        on the last line ("How might acupuncture / work?" becomes "How might / acupuncture work?"); a Chinese
        one, where its lines do not end clauses so, where each does if that sets them nearly as evenly
        (``_clause_limits``: a caption broken evenly cut "額/頭", a word, in two: rev67a-b)."""
        lo, hi = width * 0.4, width
        while hi - lo > 2:
            mid = (lo + hi) / 2
            super().wrap(mid, height)
            if len(self.blPara.lines) > lines:
                lo = mid
            else:
                hi = mid
        _, h = super().wrap(hi, height)
        if not all(self._clause_end(n) for n in range(lines - 1)):  # (a Latin paragraph's always do)
            if self._clause_limits(width, height, lines):  # wrapped so, each line centred in the column
                return width, self.height
            _, h = super().wrap(hi, height)  # the tries left their lines
        self.width = width  # the heading still owns the column's width; its lines are narrower
        # centred lines (a caption) are centred in the column, not in the narrower measure they were broken at
        self._shift = (width - hi) * _ALIGN_SHIFT.get(self.style.alignment, 0.0)
        return width, h

    def _clause_limits(self, width: float, height: float, lines: int) -> bool:
        """Wrap with room given each line but the last (``_limits``: ``linebreak`` gives a shortened line back)
        so each ends a clause, as many lines as at ``width``, the shortest ``EVEN`` of the longest at least, and
        return True; False, and no ``_limits``, where no such room exists.
        Each line is given the most room that ends it on a clause, tried from the whole width down, half an em at
        a time (a line-end mark hangs); the one before the last, the room that sets the two most evenly."""
        limits: list[float] = []
        for n in range(lines - 1):
            best: tuple[float, float] | None = None
            limit = width
            while limit > width * 0.4:  # as narrow as balancing goes
                self._limits = [*limits, limit]
                super().wrap(width, height)
                if len(self.blPara.lines) != lines:
                    break
                widths = line_widths(self.blPara, [width])
                if self._clause_end(n):
                    even = min(widths[n:]) / max(widths[n:])
                    if best is None or (n == lines - 2 and even > best[0]):
                        best = (even, limit)
                    if n < lines - 2:
                        break  # the longest that ends a clause; the lines after it are tried next
                limit = min(widths[n], limit) - self.style.fontSize / 2
            if best is None:
                self._limits = None
                return False
            limits.append(best[1])
        self._limits = limits
        super().wrap(width, height)
        widths = line_widths(self.blPara, [width])
        if len(widths) == lines and all(self._clause_end(n) for n in range(lines - 1)) and (
            min(widths) >= EVEN * max(widths)
        ):
            return True
        self._limits = None
        return False

    def _clause_end(self, n: int) -> bool:
        """True where line ``n`` ends where a reader may pause: any break between Latin words (``linebreak``
        says where a Chinese one does)."""
        return True

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        super().drawOn(canvas, x + self.__dict__.get("_shift", 0.0), y, _sW)


def optional(flowable: Any) -> Any:
    """Mark a flowable that placement leaves out where that saves a page (``pdf.place``), or a hole or a stray
    bullet: a helpful heading (an optional figure is left out only to save a page)."""
    flowable._optional = "heading"
    return flowable


def at_turn(para: Any) -> Any:
    """Mark a body paragraph to move on whole at a page turn when it has ``WHOLE_AT_TURN`` lines or fewer and
    the next page has room (``pdf.place``): a reader never turns the page in the middle of a short paragraph."""
    para.keep_whole = "page"
    return para


def _sentence_cuts(text: str) -> list[int]:
    """Return the offsets in the markup ``text`` where a sentence ends and the next begins, outside any tag pair."""
    depth, at, cuts = 0, 0, []
    opened = {}  # offset of each tag -> depth after it
    for m in _TAG.finditer(text):
        if not m.group(2):  # <br/> and the like open nothing
            depth += -1 if m.group(1) else 1
        opened[m.end()] = depth
    ends = sorted(opened)
    for m in _SENTENCE_END.finditer(text):
        while at < len(ends) and ends[at] <= m.start():
            at += 1
        inside = opened[ends[at - 1]] if at else 0
        if inside == 0 and m.end() < len(text.rstrip()) and not _ABBREVIATION.search(text[: m.start() + 1]):
            cuts.append(m.end())
    return cuts
