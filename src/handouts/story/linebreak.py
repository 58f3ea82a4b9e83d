"""Take Chinese text in a paragraph style and give back lines that follow the Chinese line-breaking rules.

No line starts with closing punctuation ("，", "。", "）"), and none ends with an opening bracket
or quote. reportlab knows the first rule for Japanese only; ``chinese_line_rules`` adds the
full-width punctuation of Chinese to its lists, where a Chinese style or paragraph is made.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph

from .para import Para

# what may not start a line (added to reportlab's own lists) and what may not end one
CHINESE_CANNOT_START = "，。、：；！？）」』】〕〉》”’…·～"
CANNOT_END = "（［｛〔〈《「『【“‘(["


def chinese_line_rules() -> None:
    """Add Chinese closing punctuation to reportlab's characters that may not start a line (once)."""
    for module in (textsplit, rl_paragraph):  # one copy for single-style paragraphs, one for mixed ones
        module.ALL_CANNOT_START += "".join(ch for ch in CHINESE_CANNOT_START if ch not in module.ALL_CANNOT_START)


class CJKParagraph(Para):
    """A paragraph of Chinese text where no line starts with closing punctuation.

    reportlab's CJK wrapping lets one such character hang at the end of a line, but not two
    ("”。"): the second then starts the next line. Here, when a line would start with one, the
    line before is given less room, so the character before the punctuation moves down with it.
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        full = widths[-1]  # reportlab reuses the last width for every later line: keep it the full width
        chinese_line_rules()
        cannot_start = rl_paragraph.ALL_CANNOT_START  # with Chinese punctuation, by chinese_line_rules
        for _ in range(64):  # each round moves one character; a paragraph never needs many
            result = super().breakLinesCJK(list(widths))
            starts = [_line_start(line, result) for line in result.lines]
            bad = next((n for n in range(1, len(starts)) if starts[n] in cannot_start), None)
            if bad is None:
                # a line may not end with an opening bracket or quote: move it down to what it opens
                ends = [_line_end(line, result) for line in result.lines[:-1]]
                open_end = next((n for n, ch in enumerate(ends) if ch and ch in CANNOT_END), None)
                if open_end is None:
                    # no punctuation hangs past the column: a line that runs over takes one character less
                    over = next((n for n, line in enumerate(result.lines) if _extra(line, result) < -0.01), None)
                    if over is None:
                        over = _lone_last(result, cannot_start)
                        if over is None:
                            return result
                    room = _without_last(_line_chars(result.lines[over], result), cannot_start)
                    if room is None:
                        return result
                    while len(widths) <= over + 1:
                        widths.append(full)
                    widths[over] = room
                    continue
                chars = _line_chars(result.lines[open_end], result)
                if len(chars) < 2:
                    return result
                while len(widths) <= open_end + 1:
                    widths.append(full)
                widths[open_end] = sum(w for _, w in chars) - chars[-1][1] / 2
                continue
            prev = _line_chars(result.lines[bad - 1], result)
            trailing = 0
            while trailing < len(prev) and prev[-1 - trailing][0] in cannot_start:
                trailing += 1
            if trailing >= len(prev) - 1:
                return result  # nothing left to move down: keep reportlab's lines
            while len(widths) <= bad:
                widths.append(full)  # only line ``bad - 1`` is shortened; the lines after it keep the full width
            used = sum(w for _, w in prev)
            widths[bad - 1] = used - sum(w for _, w in prev[len(prev) - trailing :]) - prev[-1 - trailing][1] / 2
        return result


def _extra(line: Any, result: Any) -> float:
    """Return the room left at the end of a line (negative when it runs past the column)."""
    return float(line[0] if result.kind == 0 else line.extraSpace)


def _lone_last(result: Any, cannot_start: str) -> int | None:
    """Return the line before a last line of one character (and its punctuation), to give that line less room."""
    if len(result.lines) < 2:
        return None
    last = [ch for ch, _ in _line_chars(result.lines[-1], result) if ch not in cannot_start and not ch.isspace()]
    if len(last) != 1 or not _is_han(last[0]):
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


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


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
