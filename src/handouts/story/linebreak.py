"""Take Chinese text in a paragraph style and give back lines that follow the Chinese line-breaking rules.

No line starts with closing punctuation ("，", "。", "）"), and none ends with an opening bracket
or quote. reportlab knows the first rule for Japanese only; ``chinese_line_rules`` adds the
full-width punctuation of Chinese to its lists, where a Chinese style or paragraph is made.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from reportlab.lib import textsplit
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph

from .cjkdraw import MAX_SPREAD, end_word, install, is_han, word_char, word_glyphs
from .hyphens import SOFT, SPLIT_HOLE, soft_hyphens
from .para import Para
from .punct import Glyph, room, squeeze
from .rag import width_at

# what may not start a line (added to reportlab's own lists) and what may not end one
CHINESE_CANNOT_START = "，。、：；！？）」』】〕〉》”’…·～"
CANNOT_END = "（［｛〔〈《「『【“‘(["


def chinese_line_rules() -> None:
    """Add Chinese closing punctuation to reportlab's characters that may not start a line, justify Chinese
    lines by spacing characters, and centre a line that ends in a mark by its ink (once)."""
    for module in (textsplit, rl_paragraph):  # one copy for single-style paragraphs, one for mixed ones
        module.ALL_CANNOT_START += "".join(ch for ch in CHINESE_CANNOT_START if ch not in module.ALL_CANNOT_START)
        # where a line overflows inside a Latin word, reportlab breaks it after a space or a Chinese character
        # (a space's category, Zs): after a soft hyphen too (``hyphens``)
        module.category = _category  # type: ignore[attr-defined]
    install()


def _category(ch: str) -> str:
    return "Zs" if ch == SOFT else unicodedata.category(ch)


class CJKParagraph(Para):
    """A paragraph of Chinese text where no line starts with closing punctuation.

    reportlab's CJK wrapping lets one such character hang at the end of a line, but not two
    ("”。"): the second then starts the next line. Here, when a line would start with one, the line
    before takes it where the blank part of its em lets its ink end inside the column (pushed in, as
    Chinese typesetting sets a line-end mark half-width); else that line is given less room, so the
    character before the punctuation moves down with it.
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        given = list(widths)
        limits = self.__dict__.get("_limits")  # a balanced caption's lines end clauses (``Para._balance``)
        if limits:
            rest = width_at(widths, len(limits))
            widths = [*(min(width_at(widths, n), limit) for n, limit in enumerate(limits)), rest]
        result = self._ruled(widths, given)
        # a line given less room by a rule is still justified to the column's edge: its extra space
        # counts from the width the column gives, not from the room the rule left it
        for n, line in enumerate(result.lines):
            gain = width_at(given, n) - width_at(widths, n)
            if gain:  # less than nothing where a mark was pushed in: the line runs over by its blank part
                if result.kind == 0:
                    result.lines[n] = (line[0] + gain, *line[1:])
                else:
                    line.extraSpace += gain
        return result

    def _clause_end(self, n: int) -> bool:
        """True where line ``n`` ends in a mark that closes a clause ("，", "：", "）"). (Not before an opening
        bracket: "額頭 / （V1）" parts a word from its label.)"""
        return _line_end(self.blPara.lines[n], self.blPara) in CHINESE_CANNOT_START

    def _ruled(self, widths: list[float], given: list[float]) -> Any:
        """Return reportlab's lines, re-broken with less (or, pushing a mark in, more) room on a line until no
        rule is broken."""
        full = widths[-1]  # reportlab reuses the last width for every later line: keep it the full width
        chinese_line_rules()
        cannot_start = rl_paragraph.ALL_CANNOT_START  # with Chinese punctuation, by chinese_line_rules
        give = self.style.alignment == TA_JUSTIFY  # a justified line may close up its marks (drawn so above)
        stuck: set[int] = set()  # line starts that no shorter line before them can mend (a word wider than a line)
        pushed: set[int] = set()  # lines given the room to take the mark that would open the next one
        for _ in range(64):  # each round moves one character; a paragraph never needs many
            result = super().breakLinesCJK(list(widths))
            starts = [_line_start(line, result) for line in result.lines]
            opens = (n for n in range(1, len(starts)) if n not in stuck and not _forced(result, n - 1))
            bad = next((n for n in opens if starts[n] in cannot_start), None)
            if bad is None:
                # a line may not end with an opening bracket or quote: move it down to what it opens
                ends = [_line_end(line, result) for line in result.lines[:-1]]
                ended = (n for n, ch in enumerate(ends) if ch and ch in CANNOT_END)
                open_end = next((n for n in ended if not _forced(result, n)), None)
                if open_end is None:
                    # a Latin word or a number ("MedlinePlus", "(555) 010-2233") is not split between lines
                    split = _split_run(result, stuck)
                    if split is not None:
                        _narrow(widths, split[0], split[1], full)
                        continue
                    push = _push_line(result, widths, given, pushed, give)
                    if push is not None:
                        pushed.add(push[0])
                        _narrow(widths, push[0], push[1], full)
                        continue
                    # no punctuation hangs past the column: a line that runs over takes one character less
                    lines = enumerate(result.lines)
                    over = next((n for n, line in lines if _over(n, line, result, widths, given, give)), None)
                    if over is None:
                        grow = _taken_up(result, given, cannot_start, pushed) if give else None
                        if grow is not None:  # a last line of one or two taken up by the line before, closed up
                            pushed.add(grow[0])
                            _narrow(widths, grow[0], grow[1], full)
                            continue
                        over = _lone_last(result, cannot_start, full, give)
                        if over is None:
                            return result
                    room = _without_last(_line_chars(result.lines[over], result), cannot_start)
                    if room is None:
                        return result
                    _narrow(widths, over, room, full)
                    continue
                chars = _line_chars(result.lines[open_end], result)
                if len(chars) < 2:
                    return result
                _narrow(widths, open_end, sum(w for _, w in chars) - chars[-1][1] / 2, full)
                continue
            prev = _line_chars(result.lines[bad - 1], result)
            wider = _push_room(result, bad, prev, width_at(given, bad - 1), give)
            if wider is not None and bad - 1 not in pushed:
                pushed.add(bad - 1)
                _narrow(widths, bad - 1, wider, full)
                continue
            trailing = 0
            while trailing < len(prev) and prev[-1 - trailing][0] in cannot_start:
                trailing += 1
            if trailing >= len(prev) - 1:
                return result  # nothing left to move down: keep reportlab's lines
            first = len(prev) - 1 - trailing  # the character that goes down with the punctuation...
            last = first
            while first and word_char(prev[first][0]) and word_char(prev[first - 1][0]):
                first -= 1  # ...with the whole of its Latin word
            while first and prev[first - 1][0] in CANNOT_END:
                first -= 1
            first = _syllable(prev, first, last, _extra(result.lines[bad - 1], result))
            if first < 1:
                stuck.add(bad)
                continue
            _narrow(widths, bad - 1, sum(w for _, w in prev[:first]) + prev[first][1] / 2, full)
        return result


_HAN_LATIN = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u3400-\u9fff])")


def han_latin_space(markup: str) -> str:
    """Return Chinese markup with a space between a Han character and a Latin letter or digit beside it
    ("一项 Cochrane 综述", "2017 年"), as Chinese typesetting sets them apart; tags are left alone."""
    parts = re.split(r"(<[^>]+>)", markup)
    return "".join(part if part.startswith("<") else _HAN_LATIN.sub(" ", part) for part in parts)


_SPACED_DOT = re.compile(r"[ \u00a0]*\u00b7[ \u00a0]*")


def close_dots(markup: str) -> str:
    """Return text set in a Chinese font with the spaces around each middle dot dropped: the font draws "·" an
    em wide, its own room either side, so "審閱於 2026 年 11 月 · 編號" read as a wide gap, a dot, a wide gap
    (rev47b), where Chinese typesetting sets the separator (間隔號) alone."""
    return _SPACED_DOT.sub("\u00b7", markup)


def chinese_markup(markup: str, style: Any) -> str:
    """Return a Chinese paragraph's markup as it is set: a space between Han and Latin (``han_latin_space``), and
    in justified text, a soft hyphen where each long English word may break (``hyphens``)."""
    markup = han_latin_space(markup)
    return soft_hyphens(markup) if style.alignment == TA_JUSTIFY else markup


def _narrow(widths: list[float], line: int, room: float, full: float) -> None:
    """Give one line ``room``, and every line after it the full width again: they are laid out anew.

    reportlab reuses the last width for every later line, so the list always ends with ``full``.
    A width set for a later line in an earlier round described other words; it is dropped.
    """
    del widths[line + 1 :]
    widths.extend([full] * (line + 1 - len(widths)))
    widths[line] = room
    widths.append(full)


def _over(n: int, line: Any, result: Any, widths: list[float], given: list[float], give: bool) -> bool:
    """True when line ``n`` runs past the column by more than its last mark's blank part (a mark pushed in) and,
    where ``give``, what its other marks can close up."""
    past = width_at(widths, n) - width_at(given, n) - _extra(line, result)
    if past <= 0.01:
        return False
    end = _line_end(line, result)  # measured only for a line that runs over: this runs for every line, every round
    limit = (_squeeze_of(line, result, end) if end else 0.0) + (room(_glyphs(line, result)) if give else 0.0)
    return past > limit + 0.01


def _squeeze_of(line: Any, result: Any, ch: str) -> float:
    """Return the blank part of ``ch`` at the end of ``line``, in points."""
    if result.kind == 0:
        return squeeze(result.fontName, ch) * result.fontSize
    end = end_word(line)
    return squeeze(end.fontName, ch) * end.fontSize if end is not None else 0.0


def _push_room(result: Any, n: int, prev: list[tuple[str, float]], width: float, give: bool) -> float | None:
    """Return the room for line ``n - 1`` to take what opens line ``n``, pushed in: the marks that may not open
    a line (with the ideograph before them, where reportlab moved it down with them), the last mark's ink
    inside the column and, where ``give``, the line's other marks closed up. None when their blank parts are
    too small for that, or nothing would be left."""
    nxt = _line_chars(result.lines[n], result)
    cannot_start = rl_paragraph.ALL_CANNOT_START
    run = 0 if nxt and nxt[0][0] in cannot_start else 1
    if run and not (len(nxt) > 1 and is_han(nxt[0][0]) and nxt[1][0] in cannot_start):
        return None
    while run < len(nxt) and nxt[run][0] in cannot_start:
        run += 1
    if run == len(nxt) and n < len(result.lines) - 1:
        return None  # nothing would be left to open the line
    tail = _squeeze_of(result.lines[n], result, nxt[run - 1][0])
    if give:
        tail += room(_glyphs(result.lines[n - 1], result) + _glyphs(result.lines[n], result)[:run])
    need = sum(w for _, w in prev) + sum(w for _, w in nxt[:run]) - width
    return width + need + 0.01 if tail > 0 and need <= tail else None


def _push_line(
    result: Any, widths: list[float], given: list[float], pushed: set[int], give: bool
) -> tuple[int, float] | None:
    """Return (line, room) for the first line that can take what opens the next one, pushed in, or None."""
    for n in range(1, len(result.lines)):
        if n - 1 in pushed or abs(width_at(widths, n - 1) - width_at(given, n - 1)) > 0.01 or _forced(result, n - 1):
            continue  # pushed already, given less room by a rule, or ended by a forced break
        wider = _push_room(result, n, _line_chars(result.lines[n - 1], result), width_at(given, n - 1), give)
        if wider is not None:
            return n - 1, wider
    return None


def _taken_up(result: Any, given: list[float], cannot_start: str, pushed: set[int]) -> tuple[int, float] | None:
    """Return (line, room) for the line before a last line of one or two ideographs (and their punctuation) to
    take that line up, its marks closed up, where they can give the room; else None."""
    n = len(result.lines) - 2
    if n < 0 or n in pushed or _forced(result, n):
        return None
    last = [ch for ch, _ in _line_chars(result.lines[-1], result) if ch not in cannot_start and not ch.isspace()]
    if not last or len(last) >= SHORTEST_LAST or not all(is_han(ch) for ch in last):
        return None
    both = _glyphs(result.lines[n], result) + _glyphs(result.lines[-1], result)
    wide = sum(stringWidth(ch, font, size) for ch, font, size in both)
    need = wide - width_at(given, n)
    tail = _squeeze_of(result.lines[-1], result, both[-1][0])
    return (n, wide + 0.01) if need <= tail + room(both) else None


def _forced(result: Any, n: int) -> bool:
    """True when line ``n`` ends at a forced break (``<br/>``, an address's next line): no rule moves a character
    across it, and a word does not run on over it."""
    return bool(result.kind and getattr(result.lines[n], "lineBreak", False))


def _extra(line: Any, result: Any) -> float:
    """Return the room left at the end of a line (negative when it runs past the column)."""
    return float(line[0] if result.kind == 0 else line.extraSpace)


TWO_SPREAD = 0.05  # ems: a last line of two characters takes a third only where the line before spreads no more
# (at 0.08, a 16-character line spread 0.067 em to send one down read as letter-spaced: rev63a-rev66b)
SHORTEST_LAST = 3  # characters: a paragraph's last line holds at least this many, with its punctuation


def _lone_last(result: Any, cannot_start: str, full: float, justified: bool = True) -> int | None:
    """Return the line before a last line of one or two characters (and their punctuation), to give that line
    less room: one more character then goes down, as Chinese typesetting avoids a last line of one or two.
    For two, only where the line before stays close to solid (spread at most ``TWO_SPREAD``): a gappy line reads
    worse than a short last one; for one with its punctuation ("应）。", not alone on its line), only where the line
    before can still be justified (``MAX_SPREAD``): left ragged, it would read as a mistake. A paragraph not
    ``justified`` has ragged lines anyway: there the line before may always give one."""
    if len(result.lines) < 2 or _forced(result, len(result.lines) - 2):
        return None
    marks_out = cannot_start + CANNOT_END  # "（的": an opening bracket is punctuation as a closing one is
    last = [ch for ch, _ in _line_chars(result.lines[-1], result) if ch not in marks_out and not ch.isspace()]
    if not last or len(last) >= SHORTEST_LAST or not all(is_han(ch) for ch in last):
        return None
    marks = len(_line_chars(result.lines[-1], result)) > len(last)  # "应）。": the character is not alone
    if len(last) > 1 or (marks and justified):  # where the line before stays justified: TWO_SPREAD, MAX_SPREAD
        before = _line_chars(result.lines[-2], result)
        em = max((w for ch, w in before if is_han(ch)), default=0.0)
        room = full - sum(w for _, w in before[:-1])  # after one character goes down, against the column
        if len(before) < 3 or room / (len(before) - 2) > (TWO_SPREAD if len(last) > 1 else MAX_SPREAD) * em:
            return None
    return len(result.lines) - 2


def _without_last(chars: list[tuple[str, float]], cannot_start: str) -> float | None:
    """Return a width that holds a line's characters but its last one and the punctuation after it, or None
    when too little would be left."""
    trailing = 0
    while trailing < len(chars) and chars[-1 - trailing][0] in cannot_start:
        trailing += 1
    keep = len(chars) - trailing - 1
    if keep < 3:
        return None
    return sum(w for _, w in chars[:keep]) + chars[keep][1] / 2


def _split_run(result: Any, stuck: set[int]) -> tuple[int, float] | None:
    """Return (line, width) to move a Latin word or a number split at a line end down whole, or None.

    A break may fall between Latin words at a space, but not inside a word, and not at the space
    inside a phone number ("(555) 010-2233"). A run longer than its line is left as it is.
    """
    lines = [_line_chars(line, result) for line in result.lines]
    for n in range(1, len(lines)):
        prev, nxt = lines[n - 1], lines[n]
        if not prev or not nxt or n in stuck or _forced(result, n - 1):
            continue
        end = len(prev)
        space = False
        while end and prev[end - 1][0] == " ":
            end, space = end - 1, True
        head = next((ch for ch, _ in nxt if ch != " "), "")
        if not end or not word_char(prev[end - 1][0]) or not word_char(head):
            continue
        if space and not (_digitish(prev[end - 1][0]) and _digitish(head)):
            continue  # a break at the space between two words is a Latin break
        start = end
        while start and (
            word_char(prev[start - 1][0]) or (prev[start - 1][0] == " " and start > 1 and _digitish(prev[start - 2][0]))
        ):
            start -= 1
        while start < end and prev[start][0] == " ":
            start += 1
        while start and prev[start - 1][0] in CANNOT_END:
            start -= 1  # an opening bracket goes down with the word it opens
        keep = sum(w for _, w in prev[:start])
        if start < 1 or keep <= 0:
            stuck.add(n)
            continue  # the run fills the line: nowhere better to break it
        if prev[end - 1][0] == SOFT and _hole(prev, start, _extra(result.lines[n - 1], result)):
            continue  # a long English word broken at a syllable (drawn with a hyphen) rather than leave a hole
        return n - 1, keep + prev[start][1] / 2
    return None


def _syllable(prev: list[tuple[str, float]], first: int, last: int, extra: float) -> int:
    """Return where the part of a line from ``first`` that goes down begins: at ``first``, or, where that leaves
    a hole (``_hole``), after the last soft hyphen before ``last`` (the word's first syllables stay, hyphenated)."""
    if not _hole(prev, first, extra):
        return first
    return next((k + 1 for k in range(last - 1, first, -1) if prev[k][0] == SOFT), first)


def _hole(prev: list[tuple[str, float]], start: int, extra: float) -> bool:
    """True when moving the Latin run from ``start`` down whole would leave its line short by more than
    ``SPLIT_HOLE`` ems."""
    em = max((w for ch, w in prev if is_han(ch)), default=0.0)
    return bool(em) and sum(w for _, w in prev[start:]) + extra > SPLIT_HOLE * em


def _digitish(ch: str) -> bool:
    return ch.isdigit() or ch in "()+-"


def has_han(text: str) -> bool:
    """True when ``text`` holds a Chinese character (a Chinese title, set top-heavy by ``pdf.paint``)."""
    return any(is_han(ch) for ch in text)


def _line_end(line: Any, result: Any) -> str:
    """Return the last character of one line from ``breakLinesCJK`` ("" for an empty line)."""
    if result.kind == 0:
        return line[1][-1][-1:] if line[1] else ""
    end = end_word(line)
    return end.text[-1] if end is not None else ""


def _line_start(line: Any, result: Any) -> str:
    """Return the first character of one line from ``breakLinesCJK`` ("" for an empty line)."""
    if result.kind == 0:
        return line[1][0][:1] if line[1] else ""
    for word in line.words:
        if getattr(word, "text", ""):
            return word.text[0]
    return ""


def _glyphs(line: Any, result: Any) -> list[Glyph]:
    """Return the (character, font, size) of each character of one line from ``breakLinesCJK``."""
    if result.kind == 0:
        return [(ch, result.fontName, result.fontSize) for ch in "".join(line[1])]
    return word_glyphs(line)


def _line_chars(line: Any, result: Any) -> list[tuple[str, float]]:
    """Return the (character, width) pairs of one line from ``breakLinesCJK``."""
    if result.kind == 0:
        text = "".join(line[1])
        return [(ch, stringWidth(ch, result.fontName, result.fontSize)) for ch in text]
    out = []
    for word in line.words:
        out += [(ch, stringWidth(ch, word.fontName, word.fontSize)) for ch in getattr(word, "text", "")]
    return out
