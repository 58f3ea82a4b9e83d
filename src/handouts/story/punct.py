"""Measure the blank part of a full-width Chinese punctuation mark's em, and set marks narrower where a line
needs the room (punctuation compression, as Chinese and Japanese typesetting do before spreading a line).

A full-width mark carries its ink in part of its em: Simplified Chinese sets "，" and "。" in the left half,
Traditional Chinese centres them, and "（" sits in the right half. ``squeeze`` gives a line-end mark's blank
right part (``linebreak`` pushes it in past the column's edge); ``room`` gives what a line can lose between
its characters by setting its marks half-width (never more than half an em a mark, its ink kept whole);
``cuts`` shares the points a line runs over between those gaps; ``CutText`` draws a line with them.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

INK_MARGIN = 0.05  # ems: a pushed-in or compressed mark's ink stays this far from its neighbour or the edge
SHUT = "，。、：；！？）」』】〕〉》”’·"  # marks whose blank part may close up (closing marks and the middle dot)
OPEN = "（［｛〔〈《「『【“‘"  # full-width openers: their ink sits in the right half of the em
HALF = 0.5  # ems: a compressed mark keeps at least half its em


def squeeze(font_name: str, ch: str) -> float:
    """Return how much of ``ch``'s em, in ems, is blank on its right in the font registered as ``font_name``
    (at most half, less ``INK_MARGIN``); 0 when its ink is not at the left or its outline is not at hand (a
    built-in or CID font). Simplified Chinese sets "，" and "。" in the left half of the em; Traditional
    Chinese centres them."""
    blanks = _blanks(font_name, ch) if ch else None
    return _closable(blanks[1]) if blanks else 0.0


def sides(font_name: str, ch: str) -> tuple[float, float]:
    """Return how much of a punctuation mark's em, in ems, may close up on its left and on its right: half an em
    in all, from the blank side (a Simplified "，": its right), or a quarter from each side of a centred mark (a
    Traditional "，"); (0, 0) for anything but a full-width mark, or where the font's outline is not at hand."""
    blanks = _blanks(font_name, ch) if ch in SHUT or ch in OPEN else None
    if blanks is None:
        return 0.0, 0.0
    left, right = blanks
    if left >= HALF / 2 and right >= HALF / 2:  # centred: a quarter from each side
        return HALF / 2, HALF / 2
    return (0.0, _closable(right)) if right >= left else (_closable(left), 0.0)


LONE = 0.5  # of what a centred mark may close up (a quarter em a side), what it closes up alone (an eighth)


def _alone(font_name: str, ch: str) -> tuple[float, float]:
    """Return what ``sides`` gives a mark that is not one of a pair: ``LONE`` of it for a centred one."""
    left, right = sides(font_name, ch)
    return (left * LONE, right * LONE) if left and right else (left, right)


@functools.lru_cache(maxsize=512)
def _blanks(font_name: str, ch: str) -> tuple[float, float] | None:
    """Return the blank part of ``ch``'s em left and right of its ink, in ems, less ``INK_MARGIN`` (None where
    the font's outline is not at hand)."""
    box = _ink(getattr(_font(font_name), "face", None), ch)
    if box is None:
        return None
    x_min, x_max, advance, em = box
    return x_min / em - INK_MARGIN, (advance - x_max) / em - INK_MARGIN


def _closable(blank: float) -> float:
    """Return how much of a blank side may close up: at most half an em, none where it is under a fifth (a narrow
    Latin "," has little, whatever its shape)."""
    return min(HALF, blank) if blank >= 0.2 else 0.0


Glyph = tuple[str, str, float]  # a character, the font it is set in, its size


LINE_ROOM = 0.75  # ems: the most a line closes up between its characters (three marks closed up in one line show)


def room(glyphs: list[Glyph]) -> float:
    """Return the points a line of ``glyphs`` can lose between its characters by closing up its marks' blank
    parts (not at its ends: a line-end mark is pushed in, a line-start opener hangs): what its pairs of marks
    close up on every line (``pairs``), and ``LINE_ROOM`` at most more; ``cuts`` then shares what the line runs
    over between all its marks."""
    size = max((size for _, _, size in glyphs), default=0.0)
    pair = pairs(glyphs)
    rest = sum(give for i, give in _gaps(glyphs).items() if i not in pair)
    return sum(pair.values()) + min(rest, LINE_ROOM * size)


def cuts(glyphs: list[Glyph], over: float, closed: dict[int, float] | None = None) -> dict[int, float]:
    """Return, per character, the points to take off the gap after it so the line loses ``over`` points: every
    gap that can close up gives the same share of what it can ({} where nothing can, or nothing is needed);
    a gap ``closed`` already (``pairs``) keeps that, and the result includes it. (A pair closed further would
    have the second mark's em overlap the first's by more than half: poppler reads it as a new line.)"""
    closed = closed or {}
    if over <= 0.01:
        return dict(closed)  # most lines: nothing to close up, and no gaps to measure
    gaps = {i: give for i, give in _gaps(glyphs).items() if i not in closed}  # a pair closes by PAIR, no more
    total = sum(gaps.values())
    share = min(1.0, over / total) if total > 0 else 0.0
    return {i: closed.get(i, 0.0) + gaps.get(i, 0.0) * share for i in closed.keys() | gaps.keys()}


def _gaps(glyphs: list[Glyph]) -> dict[int, float]:
    """Return, per character but the last, the points the gap after it can close up: its own blank right part
    and the next character's blank left part (the line's last mark's left part too, its right being pushed in).
    A centred mark (Traditional Chinese "，") gives half as much on its own (``LONE``): closed up a quarter em
    each side it read as squeezed between its neighbours ("作用,也", rev67a-b), and Taiwan's printers leave
    single marks full width (W3C clreq 3.1.6); not closed up at all, more lines ran a character short and were
    letter-spaced (a tri-fold panel no longer fitting at its body size). In a pair it closes up fully (``pairs``)."""
    out: dict[int, float] = {}
    for i in range(len(glyphs) - 1):
        (ch, font, size), (nxt, nfont, nsize) = glyphs[i], glyphs[i + 1]
        give = _alone(font, ch)[1] * size + _alone(nfont, nxt)[0] * nsize
        if give > 0:
            out[i] = give
    return out


PAIR = 0.5  # ems: the most two marks side by side ("）。", "，「") close up between them, on every line
END_PAIR = 0.4  # ems: the most the pair that ends a paragraph closes up (at half an em, with nothing after it,
# poppler read its last mark as a line of its own: "生命线）/。")


def pairs(glyphs: list[Glyph], last: bool = False) -> dict[int, float]:
    """Return, per closing mark followed by another mark that closes or opens ("）。", "，「"), the points the gap
    between them closes up on any line (Chinese typesetting sets such a pair in an em and a half): the blank
    parts facing each other, ``PAIR`` of an em at most ({} for a line without such a pair). Not at the end of a
    line that runs on, where the last mark's blank part already goes past the column (and poppler, reading the two
    ems overlapping there, would set the last mark on a line of its own); at the end of a paragraph's ``last``
    line too, which is ragged, where its last mark is not pushed in, by ``END_PAIR`` at most ("应）。" left open read
    as a hole: rev59a-b)."""
    out: dict[int, float] = {}
    for i in range(len(glyphs) - (1 if last else 2)):  # not a pair that ends a line its last mark is pushed in on
        (ch, font, size), (nxt, nfont, nsize) = glyphs[i], glyphs[i + 1]
        if ch in SHUT and (nxt in SHUT or nxt in OPEN):
            most = END_PAIR if i == len(glyphs) - 2 else PAIR  # the pair that ends a paragraph: ``END_PAIR``
            give = min(sides(font, ch)[1] * size + sides(nfont, nxt)[0] * nsize, most * max(size, nsize))
            if give > 0:
                out[i] = give
    return out


class CutText:
    """Draw a line's text through a reportlab text object with its gaps closed up: after each character with a
    cut, the text goes on from where that character ends, less the cut (a text-line move, ``Td``, which every
    reader applies; a character spacing set for one character, pdfminer does not)."""

    def __init__(self, tx: Any, cut: dict[int, float]) -> None:
        self.tx, self.cut, self.at = tx, cut, 0
        self.shift = 0.0  # how far the line's start has moved
        self.since = 0.0  # how far the text has run from there (a line of several fonts is drawn in several parts)

    def out(self, text: str, t_star: int = 0) -> None:
        """Draw ``text`` as reportlab's ``_textOut`` does, its characters counted from the line's start."""
        tx, start = self.tx, 0
        for j in (j for j in range(len(text)) if self.at + j in self.cut):
            self._draw(text[start : j + 1], 0)
            move = self.since - self.cut[self.at + j]
            tx.setXPos(move)  # the line's start moves (Td): the next part is drawn from there
            self.shift, self.since = self.shift + move, 0.0
            start = j + 1
        self.at += len(text)
        self._draw(text[start:], t_star)
        if t_star and self.shift:  # the next line starts where this one did
            tx.setXPos(-self.shift)
            self.shift, self.since = 0.0, 0.0

    def _draw(self, part: str, t_star: int) -> None:
        tx = self.tx
        self.original(part, t_star)
        self.since += stringWidth(part, tx._fontname, tx._fontsize) + getattr(tx, "_charSpace", 0.0) * len(part)
        self.since += getattr(tx, "_wordSpace", 0.0) * part.count(" ")

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """While inside, the text object's ``_textOut`` (which reportlab's line drawing calls) draws cut."""
        self.original = self.tx._textOut
        self.tx._textOut = self.out
        try:
            yield
        finally:
            del self.tx._textOut  # the class's own method again


def _font(name: str) -> Any:
    try:
        return getFont(name)
    except KeyError:
        return None


def _ink(face: Any, ch: str) -> tuple[float, float, float, float] | None:
    """Return the left and right edges of ``ch``'s ink, its advance and the em, in font units, from the TrueType
    tables reportlab has parsed (the glyph's own header in 'glyf': its bounding box), or None where they are not
    at hand."""
    try:
        glyph = face.charToGlyph[ord(ch)]
        start, end = face.glyphPos[glyph], face.glyphPos[glyph + 1]
        advance = face.hmetrics[min(glyph, len(face.hmetrics) - 1)][0]
        at = face.table["glyf"]["offset"] + start
        header = bytes(face._ttf_data[at : at + 10])
        em = float(face.unitsPerEm)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None
    if end - start < 10 or len(header) < 10 or advance <= 0 or em <= 0:
        return None  # a blank glyph, or a table too short
    _, x_min, _, x_max, _ = struct.unpack(">hhhhh", header)
    return float(x_min), float(x_max), float(advance), em
