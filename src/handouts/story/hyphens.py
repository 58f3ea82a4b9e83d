"""Let a long English word in Chinese text break at a syllable, with a hyphen, where moving it down whole would leave
a hole in a justified line ("常用的是卡巴氮平" and six ems of nothing, then "（carbamazepine）").

Chinese text is justified to both edges; a Latin word cannot be spread like Chinese characters, so a line before
one too long for what is left of it is left ragged. Chinese typesetting then breaks the Latin word as English
typesetting would. ``soft_hyphens`` marks where each such word may break (a soft hyphen, U+00AD, at each point the
en_US patterns of LibreOffice's hyphenation dictionaries allow, four letters at least on each side, through
Pyphen); ``linebreak`` breaks there only where the hole would be wider than ``SPLIT_HOLE``; and ``shown`` gives the
text a line draws: the soft hyphens dropped, and a hyphen where the line ends in one. PDF readers join the two
parts of a word broken so again when they extract its text. A soft hyphen is measured as a hyphen wherever it
stands (reportlab measures every character), so a line holding such a word unbroken is measured a little long: a
hyphen's width for each break point, which justifying the line gives back.
"""

from __future__ import annotations

import functools
import re

import pyphen

SOFT = "\u00ad"
SPLIT_HOLE = 2.0  # ems: a hole this wide before a Latin word is filled with the word's first syllables instead
# an English word of eight letters or more in lower case, standing alone: not a name ("Dimitrova", "Cochrane",
# "MedlinePlus", which are not broken), nor part of a web or e-mail address, a number or a code
_WORD = re.compile(r"(?<![A-Za-z0-9./@:\-+#%&=?~_\u00ad])[a-z]{8,}(?![A-Za-z0-9./@:\-+#%&=?~_])")
_TAG = re.compile(r"(<[^>]+>)")


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US", left=4, right=4)


def soft_hyphens(markup: str) -> str:
    """Return Chinese paragraph markup with a soft hyphen at each point where its long English words may break
    (outside tags, so an address or an attribute is never touched)."""
    if not re.search(r"[A-Za-z]{8}", markup):
        return markup
    parts = _TAG.split(markup)
    return "".join(
        part if part.startswith("<") else _WORD.sub(lambda m: _dictionary().inserted(m.group(0), hyphen=SOFT), part)
        for part in parts
    )


def shown(text: str, at_end: bool) -> str:
    """Return the text a line draws: its soft hyphens dropped, and a hyphen in place of the one it ends with
    (``at_end``: this text ends the line)."""
    if SOFT not in text:
        return text
    if at_end and text.endswith(SOFT):
        return text[:-1].replace(SOFT, "") + "-"
    return text.replace(SOFT, "")
