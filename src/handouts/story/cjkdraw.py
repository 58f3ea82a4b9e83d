"""Draw a line of Chinese text: justified by spacing its characters, its marks closed up where the line runs over,
a line-start bracket hung, a line-end mark's ink kept inside the column, a centred line centred on its ink.

reportlab draws a paragraph's lines with module-level functions; ``linebreak.chinese_line_rules`` puts these in
their place (once), and they hand every other line back to reportlab's own.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph

from .hyphens import SOFT, shown
from .punct import OPEN, SHUT, CutText, Glyph, cuts, pairs, squeeze


# A centred line that ends in a full-width mark whose ink sits in the left of its em ("困扰吗？") looks
# set off to the left: it is centred on its ink, the mark's blank part counted out. Its pairs of marks close up,
# as a justified line's do (a caption's "頭（V1）、臉頰" left a hole of an em and a half: rev66a-b).
def _center_line(tx: Any, offset: float, extraspace: float, words: list[str], last: int = 0) -> float:
    text = " ".join(words)
    size = tx._fontsize or 10
    blank = squeeze(tx._fontname, text[-1]) * size if text else 0.0
    pair = pairs([(ch, tx._fontname, size) for ch in text], True) if _PAIR.search(text) else {}
    with CutText(tx, pair).drawing() if pair else nullcontext():
        return float(_ORIGINAL["center"](tx, offset, extraspace + blank + sum(pair.values()), words, last))


def _center_frags(tx: Any, offset: float, line: Any, last: int = 0) -> None:
    end = end_word(line)
    extra = line.extraSpace
    text = "".join(getattr(word, "text", "") for word in line.words)
    pair = pairs(word_glyphs(line), True) if _PAIR.search(text) else {}
    if end is not None:
        line.extraSpace = extra + squeeze(end.fontName, end.text[-1]) * end.fontSize + sum(pair.values())
    try:
        with CutText(tx, pair).drawing() if pair else nullcontext():
            _ORIGINAL["center_frags"](tx, offset, line, last)
    finally:
        line.extraSpace = extra


# reportlab justifies a line by widening its spaces; a Chinese line has none, so it stays ragged.
# A justified line with Chinese in it is spread by character spacing (Tc) instead, across every
# character; Latin-only lines (a street address, a reference) and every paragraph's last line stay ragged.
_ORIGINAL: dict[str, Any] = {}


def install() -> None:
    """Put this module's line drawing in the place of reportlab's (once)."""
    if rl_paragraph._justifyDrawParaLine is not _justify_line:
        _ORIGINAL.update(line=rl_paragraph._justifyDrawParaLine, frags=rl_paragraph._justifyDrawParaLineX)
        _ORIGINAL.update(center=rl_paragraph._centerDrawParaLine, center_frags=rl_paragraph._centerDrawParaLineX)
        rl_paragraph._justifyDrawParaLine = _justify_line
        rl_paragraph._justifyDrawParaLineX = _justify_frags
        rl_paragraph._centerDrawParaLine = _center_line
        rl_paragraph._centerDrawParaLineX = _center_frags


_LATIN_RUN = re.compile(r"[A-Za-z0-9+]{3,}")
MAX_SPREAD = 0.16  # the most room between two characters a justified line gets, in ems


def _spread(tx: Any, text: str, extra: float) -> bool:
    """Set the character spacing that spreads ``text`` over ``extra`` more points; False when it should not."""
    if extra <= 1e-6 or len(text) < 2 or not any(is_han(ch) for ch in text) or _LATIN_RUN.search(text):
        return False  # a number or a Latin word would be letter-spaced too: such a line stays ragged
    space = extra / (len(text) - 1)
    if space > MAX_SPREAD * (tx._fontsize or 10):
        return False  # a line short by a long Latin word stays ragged rather than gappy
    tx.setCharSpace(space)
    return True


def _open_up(text: str, extra: float, size: float) -> dict[int, float]:
    """Return the gaps that justify a Chinese line holding a Latin word or a number (which character spacing
    would letter-space): each gap but those inside a Latin word opens by the same share of ``extra``, at most
    ``MAX_SPREAD``; {} for any other line, or where that would be more."""
    if extra <= 1e-6 or not _LATIN_RUN.search(text) or not any(is_han(ch) for ch in text):
        return {}
    gaps = [i for i in range(len(text) - 1) if not (word_char(text[i]) and word_char(text[i + 1]))]
    if not gaps or extra / len(gaps) > MAX_SPREAD * size:
        return {}
    return {i: -extra / len(gaps) for i in gaps}


_PAIR = re.compile(f"[{re.escape(SHUT)}][{re.escape(SHUT + OPEN)}]")  # two marks side by side (``punct.pairs``)


def _together(opened: dict[int, float], pair: dict[int, float]) -> dict[int, float]:
    """Return the gaps a line holding a Latin word opens (``_open_up``) with its pairs of marks closed up as well;
    {} where it opens none (it is then spread or left ragged, its pairs closed up all the same)."""
    if not opened:
        return {}
    return {i: opened.get(i, 0.0) + pair.get(i, 0.0) for i in opened.keys() | pair.keys()}


HALF_WIDTH_AT_START = "（［｛〔〈《「『【"  # full-width openers: their ink sits in the right half of the em


def _hang(text: str, size: float) -> float:
    """Return how far left a line that opens with a full-width bracket starts: the blank half of its em, so
    the bracket's ink lines up with the column's edge (a line-start bracket is set half-width in Chinese)."""
    return 0.5 * size if text and text[0] in HALF_WIDTH_AT_START else 0.0


def _pushed_in(extraspace: float, text: str, font_name: str, size: float) -> float:
    """Return ``extraspace`` with a line-end mark's blank part given back, where the line runs over by no more
    than that (``CJKParagraph`` pushed the mark in): its ink then ends inside the column."""
    if extraspace >= 0 or not text:
        return extraspace
    return extraspace + min(-extraspace, squeeze(font_name, text[-1]) * size)


def _justify_line(tx: Any, offset: float, extraspace: float, words: list[str], last: int = 0) -> float:
    text = " ".join(words)
    if SOFT in text:  # a line of a paragraph whose long English words may break (``hyphens``)
        drawn = shown(text, at_end=True)
        size = tx._fontsize or 10
        extraspace += stringWidth(text, tx._fontname, size) - stringWidth(drawn, tx._fontname, size)
        text, words = drawn, [drawn]
    hang = _hang(text, tx._fontsize or 10)
    ends = bool(last) and extraspace >= 0  # a paragraph's last line, its last mark not pushed in past the edge
    offset, extraspace = offset - hang, _pushed_in(extraspace, text, tx._fontname, tx._fontsize or 10) + hang
    glyphs = [(ch, tx._fontname, tx._fontsize or 10) for ch in text] if _PAIR.search(text) else []
    pair = pairs(glyphs, ends)  # "）。" closes up on every line
    extraspace += sum(pair.values())
    if extraspace < -0.01:  # a line given more room than the column: its marks close up by what it runs over
        cut = cuts(glyphs or [(ch, tx._fontname, tx._fontsize or 10) for ch in text], -extraspace, pair)
    else:  # the line is then justified as it would be
        cut = {} if last else _together(_open_up(text, extraspace, tx._fontsize or 10), pair)
    if cut:  # its marks close up by what it runs over, or the gaps outside its Latin words open
        with CutText(tx, cut).drawing():
            return float(rl_paragraph._leftDrawParaLine(tx, offset, extraspace + sum(cut.values()), words, last))
    with CutText(tx, pair).drawing() if pair else nullcontext():
        if last or not _spread(tx, text, extraspace):  # ragged, as a Latin line in Chinese text is
            return float(rl_paragraph._leftDrawParaLine(tx, offset, extraspace, words, last))
        try:
            return float(_ORIGINAL["line"](tx, offset, 0.0, words, last))
        finally:
            tx.setCharSpace(0)


def _justify_frags(tx: Any, offset: float, line: Any, last: int = 0) -> None:
    soft = [word for word in line.words if SOFT in getattr(word, "text", "")]
    if not soft:
        _justify_shown_frags(tx, offset, line, last)
        return
    # a line of a paragraph whose long English words may break (``hyphens``): drawn as ``shown`` gives them
    texts, extra, end = [word.text for word in soft], line.extraSpace, end_word(line)
    for word in soft:
        drawn = shown(word.text, at_end=word is end)
        line.extraSpace += stringWidth(word.text, word.fontName, word.fontSize)
        line.extraSpace -= stringWidth(drawn, word.fontName, word.fontSize)
        word.text = drawn
    try:
        _justify_shown_frags(tx, offset, line, last)
    finally:  # the line is kept (a paragraph drawn again, or shared with one of the same text): as it was
        for word, text in zip(soft, texts, strict=True):
            word.text = text
        line.extraSpace = extra


def _justify_shown_frags(tx: Any, offset: float, line: Any, last: int = 0) -> None:
    text = "".join(getattr(word, "text", "") for word in line.words)
    first = next((word for word in line.words if getattr(word, "text", "")), None)
    hang = _hang(text, getattr(first, "fontSize", 0.0) or tx._fontsize or 10)
    extra = line.extraSpace
    end = end_word(line)
    size = getattr(end, "fontSize", 0.0) or tx._fontsize or 10
    offset, line.extraSpace = offset - hang, _pushed_in(extra, text, getattr(end, "fontName", ""), size) + hang
    try:
        ends = (bool(last) or bool(getattr(line, "lineBreak", False))) and extra >= 0  # as in ``_justify_line``
        pair = pairs(word_glyphs(line), ends) if _PAIR.search(text) else {}  # "）。" closes up on every line
        line.extraSpace += sum(pair.values())
        if line.extraSpace < -0.01:
            cut = cuts(word_glyphs(line), -line.extraSpace, pair)
        else:  # the line is then justified as it would be
            ragged = last or getattr(line, "lineBreak", False)
            cut = {} if ragged else _together(_open_up(text, line.extraSpace, size), pair)
        if cut:  # its marks close up by what it runs over, or the gaps outside its Latin words open
            line.extraSpace += sum(cut.values())
            with CutText(tx, cut).drawing():
                rl_paragraph._leftDrawParaLineX(tx, offset, line, last)
            return
        with CutText(tx, pair).drawing() if pair else nullcontext():
            if last or getattr(line, "lineBreak", False) or not _spread(tx, text, line.extraSpace):
                rl_paragraph._leftDrawParaLineX(tx, offset, line, last)  # ragged, as a Latin line in Chinese is
                return
            line.extraSpace = 0
            _ORIGINAL["frags"](tx, offset, line, last)
    finally:
        line.extraSpace = extra
        tx.setCharSpace(0)


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def word_char(ch: str) -> bool:
    """Return whether ``ch`` belongs to a Latin word, a number or a web address (not Chinese, not a space;
    a no-break space binds the words on each side of it, a soft hyphen is inside one)."""
    latin = ch.isascii() and (ch.isalnum() or ch in "-./@:_'()+%&#=?~")
    return latin or ch in "\u00a0\u00ad" or "\u00c0" <= ch <= "\u024f"


def end_word(line: Any) -> Any:
    """Return the last fragment with text of a line of a paragraph of several styles (None for an empty line)."""
    return next((word for word in reversed(line.words) if getattr(word, "text", "")), None)


def word_glyphs(line: Any) -> list[Glyph]:
    """Return the (character, font, size) of each character of a line of a paragraph of several styles."""
    return [(ch, w.fontName, w.fontSize) for w in line.words for ch in getattr(w, "text", "")]
