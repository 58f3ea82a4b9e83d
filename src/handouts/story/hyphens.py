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
hyphen's width for each break point, which justifying the line gives back. Each word's break points are kept in
the cache folder (``hyphens.json``, for this Pyphen and dictionary only, each entry checked to be the word itself),
so a build reads the patterns only for a word it has not met.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from pathlib import Path

import pyphen

from ..files import cache_dir, sha256_file, write_atomic

SOFT = "\u00ad"
SPLIT_HOLE = 2.0  # ems: a hole this wide before a Latin word is filled with the word's first syllables instead
# an English word of eight letters or more in lower case, standing alone: not a name ("Dimitrova", "Cochrane",
# "MedlinePlus", which are not broken), nor part of a web or e-mail address, a number or a code
_WORD = re.compile(r"(?<![A-Za-z0-9./@:\-+#%&=?~_\u00ad])[a-z]{8,}(?![A-Za-z0-9./@:\-+#%&=?~_])")
_TAG = re.compile(r"(<[^>]+>)")


SIDE = 4  # letters: the least a word keeps on each side of a break
# Medicine names the en_US patterns break in one place or none ("carba-mazepine", "gabapentin"), so a line before one
# keeps a hole; given here as medical dictionaries divide them (like TeX's \hyphenation list). Each word still
# breaks only ``SIDE`` letters or more from either end.
SYLLABLES = {
    "amitriptyline": "am-i-trip-ty-line",
    "capsaicin": "cap-sa-i-cin",
    "carbamazepine": "car-ba-maz-e-pine",
    "duloxetine": "du-lox-e-tine",
    "gabapentin": "gab-a-pen-tin",
    "lidocaine": "li-do-caine",
    "pregabalin": "pre-gab-a-lin",
}
CACHE_FILE = "hyphens.json"  # in the cache folder: each word's break points, kept between builds
_known: dict[str, str] | None = None  # this process's: word -> the word with its soft hyphens


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US", left=SIDE, right=SIDE)  # reading the patterns takes a third of a second


@functools.cache
def _cache_key() -> str:
    """Return what the break points depend on: Pyphen's version, its en_US patterns file, the least a side keeps."""
    patterns = Path(pyphen.LANGUAGES["en_US"])
    digest = sha256_file(patterns) if patterns.is_file() else "none"
    return f"pyphen {getattr(pyphen, '__version__', '?')} en_US {digest} side {SIDE}"


def _plausible(word: str, marked: object) -> bool:
    """True when a cached entry is ``word`` itself with soft hyphens, ``SIDE`` letters or more before the first and
    after the last, none side by side."""
    if not isinstance(marked, str) or marked.replace(SOFT, "") != word:
        return False
    parts = marked.split(SOFT)
    return all(parts) and (len(parts) == 1 or min(len(parts[0]), len(parts[-1])) >= SIDE)


def _load() -> dict[str, str]:
    """Return the cached break points that are for this Pyphen and dictionary, and each plausible; {} else."""
    try:
        data = json.loads((cache_dir() / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    words = data.get("words") if isinstance(data, dict) and data.get("key") == _cache_key() else None
    if not isinstance(words, dict):
        return {}
    return {w: m for w, m in words.items() if isinstance(w, str) and _WORD.fullmatch(w) and _plausible(w, m)}


def _listed(word: str) -> str | None:
    """Return a word of ``SYLLABLES`` with a soft hyphen at each of its points ``SIDE`` letters or more from both
    ends; None for any other word."""
    parts = SYLLABLES.get(word, "").split("-")
    if len(parts) < 2:
        return None
    out, at = parts[0], len(parts[0])
    for part in parts[1:]:
        out += (SOFT if SIDE <= at <= len(word) - SIDE else "") + part
        at += len(part)
    return out


def _marked(word: str) -> str:
    """Return ``word`` with a soft hyphen at each point where it may break: listed (``SYLLABLES``), cached, else from
    the patterns (and the cache written again; a cache folder that cannot be written only costs their reading)."""
    global _known
    listed = _listed(word)
    if listed is not None:
        return listed
    if _known is None:
        _known = _load()
    marked = _known.get(word)
    if marked is None:
        marked = _known[word] = _dictionary().inserted(word, hyphen=SOFT)
        data = json.dumps({"key": _cache_key(), "words": _known}, ensure_ascii=False, sort_keys=True)
        with contextlib.suppress(OSError):
            cache_dir().mkdir(parents=True, exist_ok=True)
            write_atomic(cache_dir() / CACHE_FILE, data.encode("utf-8"), sync=False)
    return marked


def soft_hyphens(markup: str) -> str:
    """Return Chinese paragraph markup with a soft hyphen at each point where its long English words may break
    (outside tags, so an address or an attribute is never touched)."""
    if not re.search(r"[A-Za-z]{8}", markup):
        return markup
    parts = _TAG.split(markup)
    return "".join(part if part.startswith("<") else _WORD.sub(lambda m: _marked(m.group(0)), part) for part in parts)


def shown(text: str, at_end: bool) -> str:
    """Return the text a line draws: its soft hyphens dropped, and a hyphen in place of the one it ends with
    (``at_end``: this text ends the line)."""
    if SOFT not in text:
        return text
    if at_end and text.endswith(SOFT):
        return text[:-1].replace(SOFT, "") + "-"
    return text.replace(SOFT, "")
