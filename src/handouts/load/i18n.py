"""Take a language code and give back its day names and date format, from CLDR through Babel.

Words that belong to the clinic's text (titles, "Opening hours", "Closed") live in
``content/strings.yaml``; words a locale library knows better than we do (the names of the
days, how a date is written) come from here, so no language needs a hand-written table.
"""

from __future__ import annotations

import datetime as dt
import functools
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
