"""Take a loaded YAML mapping and a declared schema and give back checked, converted values.

Every problem is collected (not raised at the first one) as ``path:line: field: message``, so a
clinic manager sees all five mistakes of a file at once. Unknown keys are errors with a
did-you-mean, because a misspelt ``primary_colour`` silently ignored prints an off-brand handout.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..colors import parse_hex
from ..errors import HandoutError
from ..units import to_points
from .yamlio import YList, YMap


class _Invalid:
    """Marker for a value that failed its check (the problem is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()

LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# control characters, and the bidi embedding/override/isolate marks: the PDF does not apply them, so
# pasted in they only hide or reorder what a reader sees
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


class Checker:
    """Collects the problems of one file."""

    def __init__(self, display: str, error_type: type[HandoutError]) -> None:
        self.display = display
        self.error_type = error_type
        self.errors: list[HandoutError] = []

    def fail(self, line: int | None, where: str, message: str) -> Any:
        """Record a problem at ``where`` (a dotted field path) and return ``INVALID``."""
        text = f"{where}: {message}" if where else message
        self.errors.append(self.error_type(text, self.display, line or None))
        return INVALID


def _join(parent: str, child: str | int) -> str:
    if isinstance(child, int):
        return f"{parent}[{child + 1}]"
    return f"{parent}.{child}" if parent else child


def describe(value: Any) -> str:
    """Describe a wrongly typed value the way a clinic manager would recognise it."""
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.datetime | dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


class Spec:
    """One kind of value."""

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        """Return the converted value, or record a problem and return ``INVALID``."""
        raise NotImplementedError


@dataclass
class Text(Spec):
    """Text. Numbers, yes/no values and dates are refused with a 'quote it' hint."""

    max_len: int = 20_000
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    allow_empty: bool = False
    ascii_only: bool = False  # links: a look-alike character (U+2215 for /) must not pass for the real one

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if not isinstance(value, str):
            if isinstance(value, bool | int | float | dt.date):
                return ck.fail(
                    line,
                    where,
                    f"expected text, but YAML read {describe(value)}: put the value in quotes",
                )
            return ck.fail(line, where, f"expected text, found {describe(value)}")
        if not value.strip() and not self.allow_empty:
            return ck.fail(line, where, "is empty")
        if len(value) > self.max_len:
            return ck.fail(line, where, f"is longer than {self.max_len:,} characters")
        bad = _CONTROL.search(value)
        if bad:
            return ck.fail(line, where, f"contains the invisible control character U+{ord(bad.group()):04X}")
        if self.ascii_only and (odd := non_ascii(value)):
            return ck.fail(line, where, f"{value!r}: {odd}")
        if self.pattern and not self.pattern.fullmatch(value):
            return ck.fail(line, where, f"{value!r} {self.pattern_hint}")
        return value


@dataclass
class Localized(Spec):
    """Text in one or more languages: plain text (the same in every language) or ``{lang: text}``.

    In the mapping form, ``"*"`` stands for every language not listed.
    """

    text: Text = field(default_factory=Text)

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if isinstance(value, dict):
            out: dict[str, str] = {}
            for lang, text in value.items():
                sub = _join(where, str(lang))
                if not isinstance(lang, str) or not (lang == "*" or LANG_CODE.fullmatch(lang)):
                    ck.fail(value.line_of(lang), sub, 'is not a language code such as en, es, zh-Hans (or "*")')
                    continue
                out[lang] = self.text.check(text, ck, sub, value.line_of(lang))
            if any(v is INVALID for v in out.values()):
                return INVALID
            return out
        checked = self.text.check(value, ck, where, line)
        return INVALID if checked is INVALID else {"*": checked}


@dataclass
class Choice(Spec):
    """One of a fixed set of words."""

    choices: tuple[str, ...]
    example: str = ""  # shown with the message, e.g. "paper: a4"

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if isinstance(value, str) and value in self.choices:
            return value
        options = ", ".join(self.choices)
        close = difflib.get_close_matches(str(value), self.choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        example = f" (for example `{self.example}`)" if self.example else ""
        return ck.fail(line, where, f"{describe(value)} is not one of: {options}{hint}{example}")


class Date(Spec):
    """A calendar date written as YYYY-MM-DD."""

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return ck.fail(line, where, f"expected a date such as 2026-11-20, found {describe(value)}")


class Color(Spec):
    """A colour written as ``"#rrggbb"``."""

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        try:
            parse_hex(value)
        except ValueError:
            hint = " (quote it: a bare # starts a YAML comment)" if value is None else ""
            return ck.fail(line, where, f"expected a colour such as '#1f6f5c', found {describe(value)}{hint}")
        return value.lower()


_RELATIVE = re.compile(r"\$[a-z0-9][a-z0-9-]*|\d+(\.\d+)?(%|fr)")


class Length(Spec):
    """A length with a unit, such as ``0.5in``, ``12mm``, ``10pt``: never negative, above zero where ``positive``."""

    def __init__(self, minimum: float | None = None, allow_var: bool = False, positive: bool = False) -> None:
        self.minimum = minimum
        self.allow_var = allow_var
        self.positive = positive

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if self.allow_var and isinstance(value, str) and (value.startswith("$") or value.endswith(("%", "fr"))):
            if not _RELATIVE.fullmatch(value.strip()):
                return ck.fail(line, where, f"{value!r} is not a length: write '$name', '50%' or '1fr' (not negative)")
            if self.positive and re.fullmatch(r"0+(\.0+)?(%|fr)", value.strip()):
                return ck.fail(line, where, f"{value!r} is zero: give a size above zero")
            return value  # resolved later, against the paper size
        try:
            points = to_points(value)
        except ValueError as exc:
            return ck.fail(line, where, str(exc))
        if points < 0:
            return ck.fail(line, where, f"{value!r} is negative: lengths are measured inwards from the sheet's edges")
        if self.positive and points == 0:
            return ck.fail(line, where, f"{value!r} is zero: give a size above zero")
        if self.minimum is not None and points < self.minimum:
            return ck.fail(line, where, f"{value!r} is less than the minimum of {self.minimum:g}pt")
        return points


@dataclass
class Number(Spec):
    """A number in a range."""

    minimum: float
    maximum: float
    integer: bool = False

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        ok_type = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            kind = "a whole number" if self.integer else "a number"
            return ck.fail(line, where, f"expected {kind}, found {describe(value)}")
        if not self.minimum <= value <= self.maximum:
            return ck.fail(line, where, f"{value} is outside {self.minimum:g}–{self.maximum:g}")
        return value


class Passthrough(Spec):
    """Any value, checked later by code that knows more (a block's words depend on its kind)."""

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if not isinstance(value, dict):
            return ck.fail(line, where, f"expected a mapping of fields, found {describe(value)}")
        return value


class Boolean(Spec):
    """``true`` or ``false``."""

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if isinstance(value, bool):
            return value
        return ck.fail(line, where, f"expected true or false, found {describe(value)}")


@dataclass
class ListOf(Spec):
    """A list whose items all match ``item``."""

    item: Spec
    min_items: int = 0
    max_items: int = 500
    unique: bool = False

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if not isinstance(value, list):
            return ck.fail(line, where, f"expected a list ('- item' lines), found {describe(value)}")
        if len(value) < self.min_items:
            return ck.fail(line, where, f"needs at least {self.min_items} item(s)")
        if len(value) > self.max_items:
            return ck.fail(line, where, f"has more than {self.max_items} items")
        lines = value.item_lines if isinstance(value, YList) else []
        out = []
        for i, item in enumerate(value):
            item_line = lines[i] if i < len(lines) else line
            out.append(self.item.check(item, ck, _join(where, i), item_line))
        if self.unique:
            seen: set[Any] = set()
            for i, item in enumerate(out):
                if item is not INVALID and item in seen:
                    ck.fail(lines[i] if i < len(lines) else line, _join(where, i), f"{item!r} is listed twice")
                seen.add(item)
        return INVALID if any(v is INVALID for v in out) else out


@dataclass
class MapOf(Spec):
    """A mapping with keys checked by ``key`` and values by ``value``."""

    key: Spec
    value: Spec

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if not isinstance(value, dict):
            return ck.fail(line, where, f"expected a mapping, found {describe(value)}")
        out = {}
        for k, v in value.items():
            kline = value.line_of(k) if isinstance(value, YMap) else line
            ck_key = self.key.check(k, ck, _join(where, str(k)), kline)
            out[ck_key] = self.value.check(v, ck, _join(where, str(k)), kline)
        return INVALID if INVALID in out or any(v is INVALID for v in out.values()) else out


@dataclass
class Field:
    """One declared field: what it holds, whether it must be given, its default, what it means."""

    spec: Spec
    required: bool = False
    default: Any = None
    doc: str = ""


@dataclass
class Record(Spec):
    """A mapping with declared fields; unknown fields are errors with a did-you-mean."""

    fields: dict[str, Field]
    validate: Callable[[dict[str, Any], YMap, Checker, str], None] | None = None

    def check(self, value: Any, ck: Checker, where: str, line: int) -> Any:
        if not isinstance(value, dict):
            return ck.fail(line, where, f"expected a mapping of fields, found {describe(value)}")
        ymap = value if isinstance(value, YMap) else YMap(value)
        for key in value:
            if isinstance(key, bool):
                ck.fail(
                    ymap.line_of(key),
                    _join(where, str(key).lower()),
                    "YAML reads a bare yes/no/on/off key as true/false: put the key in quotes",
                )
            elif key not in self.fields:
                ck.fail(ymap.line_of(key), _join(where, str(key)), _unknown(str(key), self.fields))
        out: dict[str, Any] = {}
        for name, decl in self.fields.items():
            if name in value:
                out[name] = decl.spec.check(value[name], ck, _join(where, name), ymap.line_of(name))
            elif decl.required:
                out[name] = ck.fail(ymap.line or 1, _join(where, name), "is missing: this field is required")
            elif isinstance(decl.spec, Record) and decl.default is dict:
                # an absent sub-record still gets its own fields' defaults
                out[name] = decl.spec.check(YMap(), ck, _join(where, name), ymap.line or 1)
            else:
                out[name] = decl.default() if callable(decl.default) else decl.default
        if self.validate and not any(v is INVALID for v in out.values()):
            self.validate(out, ymap, ck, where)
        return out


def _unknown(key: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean {close[0]!r}?"
    return "unknown field; expected one of: " + ", ".join(known)


def did_you_mean(name: str, known: list[str] | tuple[str, ...] | set[str] | Mapping[str, Any]) -> str:
    """Return '; did you mean 'x'?' for the closest known name, or ''."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def non_ascii(link: str) -> str | None:
    """Return what is wrong with a link that is not plain ASCII (naming the first odd character), or None."""
    import unicodedata

    for char in link:
        if ord(char) > 0x7E or ord(char) < 0x21:
            name = unicodedata.name(char, "an unnamed character")
            return (
                f"the character {char!r} (U+{ord(char):04X} {name}) is not plain ASCII and may only look like one: "
                "type the address again by hand (an international domain name goes in its xn-- form)"
            )
    return None
