"""Choose where a ragged-right Latin paragraph's lines end, over the whole paragraph, not one line at a time.

reportlab fills each line as full as it can and moves on (first fit). That leaves the right edge
with a deep notch where a long word went down ("electro-acupuncture" after a full line), or a last
line of one word ("people."); binding the last two words instead left the line above them short.
Typesetters (Knuth and Plass's "least raggedness") instead choose every break of a paragraph at
once: here, of all the ways to set its words in the same number of lines as first fit does (so no
paragraph grows, and pagination stays as it is), the one whose lines fall short of the column most
evenly (the sum of each line's squared shortfall, as a share of the column), with a last line that
is not one word (where the line above can give it a word and stay about 80% full) or a sliver.
Only a paragraph whose first-fit lines have such a fault is set again, and only where that is
clearly better (``GAIN``). Where the last line is the only fault, it is mended from the line above
alone (``_mend_last``): every earlier line stays as first fit set it, full.

The new breaks are handed back to reportlab as a width for each line, just wide enough for the
words chosen for it, so reportlab builds its own line structure; the room each line leaves is then
counted from the column again (what justified or centred drawing would read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph

HOLE = 0.18  # a line (not the last) this much short of the column, as a share of it, is a notch in the edge
SHORT_LAST = 0.25  # a last line shorter than this share of the column is a sliver
LAST_WEIGHT = 0.1  # how much a sliver of a last line weighs against the lines' shortfall
RUNT = 0.057  # the cost of a last line of one word: taken down with the word before it where the line above stays
# about 80% full or more (its shortfall squared, 0.2 ** 2, under GAIN times this; at 72% full, "It may ease symptoms
# for" over "some people." read as an early break, rev51-rev53; at 85%, 72 lines of one word were left, rev54b)
MEND_FULL = 0.8  # the least share of the column the line above a mended last line keeps
GAIN = 0.7  # set again only where the new cost is at most this share of first fit's
LONG_WORD = 0.4  # a word at least this share of the column wide (a DOI, a web address): the line above it is
# charged only for the room it would leave with that word in it, as no setting fills it (evening out such a notch
# shortened a reference's first line 0.85 in, "Ju ZY, Wang K, ... Acupuncture" over "for neuropathic", rev46)
MOST_WORDS = 400  # a longer paragraph keeps first fit (none of ours comes near)
_EPSILON = 1e-3  # pt: each line's width is its words' width and this, so no further word fits


@dataclass
class _Words:
    """A paragraph's words as reportlab's ``breakLines`` measures them: each one's width, and that of the space
    after it."""

    widths: list[float] = field(default_factory=list)
    spaces: list[float] = field(default_factory=list)
    bound: list[bool] = field(default_factory=list)  # two words bound by a no-break space ("Suite 2")


def _words(para: Any, width: float) -> _Words | None:
    """Return the paragraph's words (``_Words``), or None for a paragraph this module leaves to first fit (a forced
    break, an image, a word split by reportlab)."""
    frags = para.frags
    if not frags:
        return None
    words = _Words()
    if len(frags) == 1 and not rl_paragraph._processed_frags(frags):
        f = frags[0]
        if hasattr(f, "cbDefn") or hasattr(f, "backColor"):
            return None
        # a paragraph's own text, or the words a split left it (reportlab breaks either, one style)
        text = rl_paragraph.split(rl_paragraph.strip(f.text)) if hasattr(f, "text") else list(f.words)
        if any(type(w) is not str for w in text):
            return None  # a word split or marked by reportlab
        words.widths = [stringWidth(w, f.fontName, f.fontSize) for w in text]
        words.spaces = [stringWidth(" ", f.fontName, f.fontSize)] * len(text)
        words.bound = ["\xa0" in w for w in text]
        return words
    for w in rl_paragraph._getFragWords(frags, width):
        if isinstance(w, (rl_paragraph._InjectedFrag, rl_paragraph._SplitFrag, rl_paragraph._SHYWord)):
            return None
        f = w[-1][0]
        if any(getattr(ff, "_fkind", 0) != rl_paragraph._FK_TEXT or hasattr(ff, "cbDefn") for ff, _ in w[1:]):
            return None
        space = stringWidth(" ", f.fontName, f.fontSize) if isinstance(w, rl_paragraph._HSFrag) else 0.0
        if w[0] > 0:
            words.widths.append(float(w[0]))
            words.spaces.append(space)
            words.bound.append(any("\xa0" in t for _, t in w[1:]))
        elif any(t for _, t in w[1:]):
            return None  # a word of no width that reportlab would count
        elif words.spaces:  # where one style ends and the next begins: no width, but it sets the space after
            words.spaces[-1] = space
    return words


def line_widths(result: Any, limits: list[float]) -> list[float]:
    """Return how wide each line of a ``breakLines`` result is set."""
    lines = result.lines
    if result.kind == 0:
        return [width_at(limits, n) - line[0] for n, line in enumerate(lines)]
    return [width_at(limits, n) - line.extraSpace for n, line in enumerate(lines)]


def _counts(result: Any) -> list[int]:
    """Return how many words each line of a ``breakLines`` result holds."""
    if result.kind == 0:
        return [len(line[1]) for line in result.lines]
    return [int(line.wordCount) for line in result.lines]


def width_at(widths: list[float], n: int) -> float:
    """Return the width of line ``n`` from a paragraph's widths, the last one standing for every later line."""
    return widths[n] if n < len(widths) else widths[-1]


def _cost(short: list[float], last: float, alone: bool) -> float:
    """Return the cost of a setting: each line but the last's shortfall squared (shares of the column), and a last
    line that is a sliver or one word."""
    cost = sum(s * s for s in short)
    if short:  # more than one line
        if last < SHORT_LAST:
            cost += LAST_WEIGHT * ((SHORT_LAST - last) / SHORT_LAST) ** 2
        if alone:
            cost += RUNT
    return cost


def _faulty(short: list[float], last: float, alone: bool) -> bool:
    return bool(short) and (max(short) > HOLE or last < SHORT_LAST or alone)


def _alone(result: Any) -> bool:
    """True when the last line of a ``breakLines`` result is one word (two bound by a no-break space are two)."""
    line = result.lines[-1]
    texts = line[1] if result.kind == 0 else [getattr(w, "text", "") for w in line.words]
    text = " ".join(texts).strip()
    return bool(text) and not any(ch in text for ch in " \xa0")


def _plan(words: _Words, limits: list[float], lines: int, shrink: float) -> tuple[float, list[int]] | None:
    """Return the least cost of setting the words in ``lines`` lines, and the index of each line's first word;
    None where they do not fit in that many."""
    m = len(words.widths)
    word_at, space_at = [0.0], [0.0]
    for w, s in zip(words.widths, words.spaces, strict=True):
        word_at.append(word_at[-1] + w)
        space_at.append(space_at[-1] + s)

    def span(i: int, j: int) -> tuple[float, float]:  # words i..j-1: their width, and that of the spaces between
        gaps = space_at[j - 1] - space_at[i]
        return word_at[j] - word_at[i] + gaps, gaps

    inf = float("inf")
    # best[k][j]: the least cost of setting words 0..j-1 as lines 0..k-1 (none of them the last), and where from
    best: list[list[float]] = [[inf] * (m + 1) for _ in range(lines)]
    came: list[list[int]] = [[-1] * (m + 1) for _ in range(lines)]
    best[0][0] = 0.0
    for k in range(1, lines):
        limit = width_at(limits, k - 1)
        for i in range(m):
            if best[k - 1][i] == inf:
                continue
            for j in range(i + 1, m):  # at least one word left for the lines after
                wide, gaps = span(i, j)
                if wide > limit + shrink * gaps + 1e-6:
                    break
                room = limit - wide - (words.widths[j] if words.widths[j] >= LONG_WORD * limit else 0.0)
                cost = best[k - 1][i] + ((room / limit) ** 2 if room > 0 else 0.0)
                if cost < best[k][j]:
                    best[k][j], came[k][j] = cost, i
    limit = width_at(limits, lines - 1)
    total, start = inf, -1
    for i in range(m):
        if best[lines - 1][i] == inf:
            continue
        wide, gaps = span(i, m)
        if wide > limit + shrink * gaps + 1e-6:
            continue
        alone = i == m - 1 and not words.bound[i]
        last = _cost([0.0] if lines > 1 else [], wide / limit, alone)
        if best[lines - 1][i] + last < total:
            total, start = best[lines - 1][i] + last, i
    if start < 0:
        return None
    starts = [start]
    for k in range(lines - 1, 0, -1):
        starts.append(came[k][starts[-1]])
    return total, starts[::-1]


def even_lines(para: Any, width: Any, first_fit: Any) -> Any:
    """Return ``first_fit`` (reportlab's lines of ``para`` at ``width``) or, where it leaves a notch or a sliver,
    the same number of lines set more evenly (see the module's doc)."""
    style = para.style
    lines = first_fit.lines
    if (
        style.alignment != TA_LEFT
        or len(lines) < 2
        or getattr(style, "balance", False)
        or getattr(style, "hyphenationLang", "")  # a hyphenation dictionary's breaks inside words
        or style.endDots
        or (first_fit.kind and any(getattr(line, "lineBreak", False) for line in lines))
    ):
        return first_fit
    limits = list(width) if isinstance(width, (list, tuple)) else [width]
    given = list(limits)
    rl_paragraph._handleBulletWidth(para.bulletText, style, limits)  # as breakLines narrows a bullet's line
    counts = _counts(first_fit)
    set_wide = line_widths(first_fit, limits)
    short = [max(0.0, width_at(limits, n) - w) / width_at(limits, n) for n, w in enumerate(set_wide[:-1])]
    last = set_wide[-1] / width_at(limits, len(lines) - 1)
    alone = _alone(first_fit)
    if not _faulty(short, last, alone):
        return first_fit
    words = _words(para, limits[0])
    if words is None or len(words.widths) != sum(counts) or len(words.widths) > MOST_WORDS:
        return first_fit
    for n in range(len(short)):  # a line above a word too long to pull up (``LONG_WORD``)
        head, limit = words.widths[sum(counts[: n + 1])], width_at(limits, n)
        short[n] = max(0.0, short[n] - head / limit) if head >= LONG_WORD * limit else short[n]
    if not _faulty(short, last, alone):
        return first_fit
    if max(short) <= HOLE:  # only the last line is at fault: mend it there, every line above as first fit set it
        mended = _mend_last(words, counts, limits, style.spaceShrinkage or 0.0)
        if mended is not None and _cost([*short[:-1], mended[1]], mended[2], False) <= GAIN * _cost(short, last, alone):
            return _set(para, words, limits, given, mended[0], first_fit)
        # else the whole paragraph, as below, where no line then falls short of MEND_FULL
    plan = _plan(words, limits, len(lines), style.spaceShrinkage or 0.0)
    if plan is None or plan[0] > GAIN * _cost(short, last, alone):
        return first_fit
    if _worst(words, limits, plan[1]) > max(max(short), 1 - MEND_FULL):
        return first_fit  # no line left shorter than first fit's shortest, or than MEND_FULL ("used / only once.")
    return _set(para, words, limits, given, plan[1], first_fit)


def _worst(words: _Words, limits: list[float], starts: list[int]) -> float:
    """Return how far the shortest line but the last of a setting (each line's first word: ``starts``) falls short,
    as a share of the column."""
    wide = _wides(words, starts)[:-1]
    return max((1 - w / width_at(limits, n) for n, w in enumerate(wide)), default=0.0)


def _wides(words: _Words, starts: list[int]) -> list[float]:
    """Return how wide each line of a setting is (each line's first word: ``starts``): its words and the spaces
    between them."""
    ends = [*starts[1:], len(words.widths)]
    return [sum(words.widths[i:j]) + sum(words.spaces[i : j - 1]) for i, j in zip(starts, ends, strict=True)]


def _mend_last(
    words: _Words, counts: list[int], limits: list[float], shrink: float
) -> tuple[list[int], float, float] | None:
    """Return the first word of each line where the line before the last gives it one word, or two, so it is no
    longer one word or a sliver, while that line stays ``MEND_FULL`` of the column or more, with how short
    that line then falls and how full the last is (shares of the column); None where it cannot. Evening the whole
    paragraph out instead left every line a little short ("Acupuncture is not a cure, and it does not" over "help
    everyone. It may ease symptoms for"), which rev45-rev48 read as early breaks."""
    starts = [sum(counts[:n]) for n in range(len(counts))]
    m, lines = len(words.widths), len(counts)
    upper, lower = width_at(limits, lines - 2), width_at(limits, lines - 1)  # the last two lines' widths
    for give in (1, 2):  # the last line then holds two words or more: never one alone
        first = starts[-1] - give
        if first <= starts[-2]:
            return None
        above = sum(words.widths[starts[-2] : first]) + sum(words.spaces[starts[-2] : first - 1])
        gaps = sum(words.spaces[first : m - 1])
        below = sum(words.widths[first:]) + gaps
        if above / upper < MEND_FULL or below > lower + shrink * gaps:
            return None
        if below / lower >= SHORT_LAST:
            return [*starts[:-1], first], 1 - above / upper, below / lower
    return None


def _set(para: Any, words: _Words, limits: list[float], given: list[float], starts: list[int], first_fit: Any) -> Any:
    """Return ``para``'s lines broken before the words ``starts`` (reportlab's own line structure), or
    ``first_fit`` where reportlab counts them otherwise."""
    ends = [*starts[1:], len(words.widths)]
    wides = _wides(words, starts)
    used = [w + _EPSILON if n < len(starts) - 1 else width_at(limits, n) for n, w in enumerate(wides)]
    tight = [used[0] + given[0] - limits[0], *used[1:]]  # breakLines narrows the first line for a bullet again
    chosen = rl_paragraph.Paragraph.breakLines(para, tight)
    if _counts(chosen) != [j - i for i, j in zip(starts, ends, strict=True)]:
        return first_fit  # reportlab counted otherwise: keep its own
    for n, line in enumerate(chosen.lines):  # the room each line leaves, counted from the column again
        gain = width_at(limits, n) - used[n]
        if chosen.kind == 0:
            chosen.lines[n] = (line[0] + gain, line[1])
        else:
            line.extraSpace += gain
    return chosen
