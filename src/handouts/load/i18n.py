"""Take a language code and give back its day names and date format, from CLDR through Babel.

Words that belong to the clinic's text (titles, "Opening hours", "Closed") live in
``content/strings.yaml``; words a locale library knows better than we do (the names of the
days, how a date is written) come from here, so no language needs a hand-written table.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

from ..errors import ContentError

if TYPE_CHECKING:
    from babel import Locale

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.lru_cache(maxsize=32)
def _find(lang: str) -> Locale | None:
    """Return Babel's locale for ``lang``, or None when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError  # why: Babel's import is slow; only dates and day names need it

    try:
        return Locale.parse(lang, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def locale(lang: str) -> Locale:
    """Return Babel's locale for a BCP 47 code such as ``en``, ``es`` or ``zh-Hant``.

    Raises ``ContentError`` when CLDR does not know the language.
    """
    found = _find(lang)
    if found is None:
        raise ContentError(
            f"language {lang!r} is not known to the locale library (CLDR): "
            "use a code such as en, es, zh-Hans or zh-Hant"
        )
    return found


def known(lang: str) -> bool:
    """True when CLDR knows ``lang``."""
    return _find(lang) is not None


@functools.lru_cache(maxsize=32)
def day_names(lang: str) -> dict[str, str]:
    """Return ``{"mon": "Monday", …}`` in ``lang`` (the standalone, wide form: "lunes", "星期一")."""
    names = locale(lang).days["stand-alone"]["wide"]
    return {day: names[i] for i, day in enumerate(DAYS)}


def long_date(date: dt.date, lang: str) -> str:
    """Return ``date`` written out in ``lang``: "November 20, 2026", "20 de noviembre de 2026", "2026年11月20日"."""
    from babel.dates import format_date  # why: Babel's import is slow; only dates and day names need it

    return format_date(date, format="long", locale=locale(lang))


@functools.lru_cache(maxsize=1)
def territories() -> dict[str, str]:
    """Return ``{"GB": "United Kingdom", …}``: every ISO 3166-1 alpha-2 code CLDR names, in English."""
    from babel import Locale  # why: Babel's import is slow

    return {code: name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}


def language_alias(code: str, have: tuple[str, ...] | list[str]) -> str | None:
    """Return the language among ``have`` that CLDR says ``code`` stands for (zh-TW → zh-Hant, es-MX → es), or None."""
    found = _find(code)
    if found is None:
        found = _find(code.replace("_", "-"))
    if found is None:
        return None
    for candidate in (
        f"{found.language}-{found.script}" if found.script else None,
        f"{found.language}-{found.territory}" if found.territory else None,
        found.language,
    ):
        if candidate and candidate in have:
            return candidate
    return None


def month_year(date: dt.date, lang: str) -> str:
    """Return the month and year of ``date`` in ``lang`` as CLDR writes them alone: "November 2026", "2026年11月"."""
    from babel.dates import format_skeleton  # why: Babel's import is slow

    return format_skeleton("yMMMM", date, locale=locale(lang))


_CLOCK_RANGE = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*[-\u2013\u2014]\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@functools.lru_cache(maxsize=256)
def clock_range(text: str, lang: str, region: str) -> str:
    """Return opening hours written "9:00–18:00" as the clinic's readers write times: "9:00 AM – 6:00 PM" in
    US English, "9:00 a.m. – 6:00 p.m." in US Spanish, "09:00–18:00" in the UK (CLDR, by language and region).
    Anything else a clinic writes ("9–12, 14–18", "by appointment") prints as written."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_time  # why: Babel's import is slow

    found = _CLOCK_RANGE.match(text)
    if found is None:
        return text
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    try:
        where = Locale.parse(f"{lang.replace('-', '_')}_{region}")
    except (UnknownLocaleError, ValueError):
        where = locale(lang)
    pattern = where.time_formats["short"].pattern
    # each end in full (CLDR's interval drops a shared "p.m.": "12:00–8:00 p.m." beside "8:00 a.m. – 4:00 p.m."
    # reads as a slip in a list of days), with spaces round the dash where the times have words in them
    dash = "\u00a0\u2013\u00a0" if any(ch in pattern for ch in "aBb") else "\u2013"
    out = f"{format_time(start, 'short', locale=where)}{dash}{format_time(end, 'short', locale=where)}"
    return out.replace("\u202f", "\u00a0").replace("\u2009", "\u00a0")  # spaces every font has, that do not break


def group_hours(
    hours: dict[str, str], strings: dict[str, str], lang: str, region: str = "US"
) -> list[tuple[str, str]]:
    """Return ``[(days, hours)]`` with consecutive days of equal hours joined ("Monday – Friday").

    Day names come from CLDR (``i18n.day_names``); the joining word is the ``through`` string; hours
    written as a clock range print in the region's clock (``clock_range``).
    """
    names = day_names(lang)
    out: list[tuple[str, str]] = []
    run: list[str] = []
    for day in (*DAYS, ""):
        value = hours.get(day) if day else None
        if run and (value != hours.get(run[-1]) or not day):
            first, last = names[run[0]], names[run[-1]]
            label = first if len(run) == 1 else f"{first}{strings['through']}{last}"
            label = label[:1].upper() + label[1:]  # it starts a line: "Lunes – jueves"
            text = hours[run[0]]
            shown = strings["closed"] if text.strip().lower() == "closed" else clock_range(text, lang, region)
            out.append((label, shown))
            run = []
        if day and value is not None:
            run.append(day)
    return out
