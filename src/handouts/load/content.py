"""Take the YAML files under ``content/`` and give back checked blocks, handout recipes and page strings.

A block's language-neutral facts (kind, review date, sources, references) sit at the top level;
its words sit under ``text:``, one mapping per language with the same fields, so a missing
translation is a missing ``es:`` that an editor can see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, HandoutError, raise_all
from .schema import (
    INVALID,
    LANG_CODE,
    SLUG,
    Checker,
    Choice,
    Date,
    Field,
    ListOf,
    MapOf,
    Passthrough,
    Record,
    Text,
)
from .yamlio import YList, YMap, load_yaml

_opt = Text()
_items = ListOf(Text(), min_items=1, max_items=60)

# The words of each kind of block, per language.
KIND_TEXT: dict[str, dict[str, Field]] = {
    "prose": {"title": Field(_opt), "body": Field(Text(), required=True)},
    "steps": {
        "title": Field(_opt),
        "intro": Field(_opt),
        "items": Field(_items, required=True),
        "outro": Field(_opt),
    },
    "callout": {
        "title": Field(Text(), required=True),
        "intro": Field(_opt),
        "items": Field(ListOf(Text(), max_items=60)),
        "body": Field(_opt),
    },
    "condition": {
        "name": Field(Text(), required=True),
        "what_it_is": Field(Text(), required=True),
        "symptoms": Field(_items, required=True),
        "causes": Field(_items, required=True),
        "how_acupuncture_may_help": Field(Text(), required=True),
        "what_research_says": Field(Text(), required=True),
        "warning_signs": Field(_items, required=True),
    },
    "faq": {
        "title": Field(_opt),
        "items": Field(
            ListOf(
                Record({"q": Field(Text(), required=True), "a": Field(Text(), required=True)}),
                min_items=1,
            ),
            required=True,
        ),
    },
    "contact": {"title": Field(_opt), "intro": Field(_opt)},
    "disclaimer": {"title": Field(_opt), "body": Field(Text(), required=True)},
}
KIND_TEXT["bullets"] = KIND_TEXT["steps"]
KINDS = tuple(sorted(KIND_TEXT))
CONTACT_PARTS = ("address", "phone", "email", "website", "hours", "booking")

BLOCK_FIELDS: dict[str, Field] = {
    "kind": Field(Choice(KINDS), required=True, doc="what the block is; decides the fields of text"),
    "reviewed": Field(Date(), required=True, doc="when a practitioner last reviewed it, YYYY-MM-DD"),
    "sources": Field(ListOf(Text(), min_items=1), required=True, doc="what the block is based on"),
    "references": Field(ListOf(Text()), default=list, doc="citations a reader can look up"),
    "tone": Field(Choice(("warning", "note")), default="note", doc="callout only: warning or note"),
    "show": Field(
        ListOf(Choice(CONTACT_PARTS), unique=True),
        default=lambda: list(CONTACT_PARTS),
        doc="contact only: which clinic details to show",
    ),
    "text": Field(
        MapOf(Text(pattern=LANG_CODE, pattern_hint="is not a language code"), Passthrough()),
        required=True,
        doc="the words, per language",
    ),
}

HANDOUT_FIELDS: dict[str, Field] = {
    "layout": Field(Text(pattern=SLUG, pattern_hint="is not a layout id"), required=True, doc="a file in layouts/"),
    "text": Field(
        MapOf(
            Text(pattern=LANG_CODE, pattern_hint="is not a language code"),
            Record({"title": Field(Text(max_len=120), required=True), "subtitle": Field(Text(max_len=200))}),
        ),
        required=True,
        doc="title (and subtitle) per language",
    ),
    "tags": Field(
        MapOf(Choice(("condition", "topic")), Text(pattern=SLUG, pattern_hint="is not a slug")), default=dict
    ),
    "slots": Field(
        MapOf(
            Text(pattern=SLUG, pattern_hint="is not a slot name"),
            ListOf(Text(pattern=SLUG, pattern_hint="is not a block id"), min_items=1, unique=True),
        ),
        required=True,
        doc="which blocks go in which of the layout's slots, in order",
    ),
}


@dataclass(frozen=True)
class Block:
    """A checked content block."""

    id: str
    kind: str
    reviewed: dt.date
    sources: tuple[str, ...]
    references: tuple[str, ...]
    tone: str
    show: tuple[str, ...]
    text: dict[str, dict[str, Any]]
    path: Path
    display: str
    lines: YMap

    def line_of(self, lang: str, field: str, index: int | None = None) -> int:
        """Return the file line of ``text.<lang>.<field>`` (or its item), for error messages."""
        text = self.lines.get("text")
        if not isinstance(text, YMap) or not isinstance(text.get(lang), YMap):
            return self.lines.line_of("text")
        fields = text[lang]
        if index is not None and isinstance(fields.get(field), list):
            return fields[field].line_of(index)
        return fields.line_of(field)

    def text_line(self, lang: str) -> int:
        """Return the file line of ``text.<lang>``: where the block's words in ``lang`` begin."""
        text = self.lines.get("text")
        return text.line_of(lang) if isinstance(text, YMap) else self.lines.line_of("text")

    def fields(self, lang: str) -> list[tuple[str, int, str]]:
        """Return every text of ``text.<lang>`` as ``(field path, line, text)``, in file order."""
        text = self.lines.get("text")
        words = text.get(lang) if isinstance(text, YMap) else None
        return _texts(words, f"text.{lang}", words.line) if isinstance(words, YMap) else []


@dataclass(frozen=True)
class Handout:
    """A checked handout recipe: a layout and the blocks for each of its slots."""

    id: str
    layout: str
    text: dict[str, dict[str, str]]
    tags: dict[str, str]
    slots: dict[str, tuple[str, ...]]
    path: Path
    display: str
    lines: YMap


def _texts(value: Any, where: str, line: int) -> list[tuple[str, int, str]]:
    if isinstance(value, str):
        return [(where, line, value)]
    if isinstance(value, YMap):
        return [t for k, v in value.items() for t in _texts(v, f"{where}.{k}", value.line_of(k))]
    if isinstance(value, YList):
        return [t for i, v in enumerate(value) for t in _texts(v, f"{where}[{i + 1}]", value.line_of(i))]
    return []


def read_block(path: Path, display: str) -> Block:
    """Load and check one block file; raises ``ContentError`` (or a list of them)."""
    data = load_yaml(path, display)
    ck = Checker(display, ContentError)
    values = Record(BLOCK_FIELDS).check(data, ck, "", data.line)
    kind = values.get("kind")
    text_map = data.get("text")
    if kind in KIND_TEXT and isinstance(text_map, YMap) and values.get("text") is not INVALID:
        text_spec = Record(KIND_TEXT[kind])
        values["text"] = {
            lang: text_spec.check(fields, ck, f"text.{lang}", text_map.line_of(lang))
            for lang, fields in text_map.items()
        }
        if not values["text"]:
            ck.fail(text_map.line, "text", "needs at least one language, such as en:")
    raise_all(ck.errors)
    return Block(
        id=path.stem,
        kind=values["kind"],
        reviewed=values["reviewed"],
        sources=tuple(values["sources"]),
        references=tuple(values["references"]),
        tone=values["tone"],
        show=tuple(values["show"]),
        text=values["text"],
        path=path,
        display=display,
        lines=data,
    )


def read_handout(path: Path, display: str) -> Handout:
    """Load and check one handout recipe; raises ``ContentError`` (or a list of them)."""
    data = load_yaml(path, display)
    ck = Checker(display, ContentError)
    values = Record(HANDOUT_FIELDS).check(data, ck, "", data.line)
    raise_all(ck.errors)
    return Handout(
        id=path.stem,
        layout=values["layout"],
        text=values["text"],
        tags=values["tags"],
        slots={k: tuple(v) for k, v in values["slots"].items()},
        path=path,
        display=display,
        lines=data,
    )


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def read_folder(root: Path, folder: Path, reader: Any) -> tuple[dict[str, Any], list[HandoutError]]:
    """Load every YAML file of ``folder`` with ``reader``; return what loaded and the problems."""
    out: dict[str, Any] = {}
    problems: list[HandoutError] = []
    for path in _yaml_files(folder):
        display = path.relative_to(root).as_posix()
        if not SLUG.match(path.stem):
            problems.append(ContentError("file name must be lowercase letters, digits and hyphens", display))
            continue
        try:
            out[path.stem] = reader(path, display)
        except HandoutError as exc:
            problems.extend(getattr(exc, "problems", [exc]))
    return out, problems


_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
STRINGS_FILE = "content/strings.yaml"


class Strings(dict[str, str]):
    """One language's page strings, ``{key: text}``, each remembering its line in ``content/strings.yaml``."""

    def __init__(self, table: dict[str, str], lines: dict[str, int] | None = None, line: int = 1) -> None:
        super().__init__(table)
        self.lines: dict[str, int] = dict(lines or {})
        self.line = line

    def line_of(self, key: str) -> int:
        """Return the file line of ``key``, or of the language when the key's line is not known."""
        return self.lines.get(key, self.line)


def read_strings(root: Path) -> dict[str, Strings]:
    """Load ``content/strings.yaml``: page furniture words per language.

    Returns ``{lang: Strings}`` (each text with its line); raises ``ContentError`` when a
    language lacks a key that English has, naming the key.
    """
    display = "content/strings.yaml"
    data = load_yaml(root / "content" / "strings.yaml", display)
    ck = Checker(display, ContentError)
    table = MapOf(
        Text(pattern=LANG_CODE, pattern_hint="is not a language code"),
        MapOf(Text(pattern=_KEY, pattern_hint="is not a key"), Text(max_len=400)),
    ).check(data, ck, "", 1)
    raise_all(ck.errors)
    if "en" not in table:
        raise ContentError("needs an 'en:' section: every other language is checked against it", display, 1)
    out: dict[str, Strings] = {}
    for lang, keys in table.items():
        words = data.get(lang)
        lines = {k: words.line_of(k) for k in keys} if isinstance(words, YMap) else {}
        out[lang] = Strings(keys, lines, data.line_of(lang))
    for lang, keys in out.items():
        missing = sorted(set(out["en"]) - set(keys))
        if missing:
            raise ContentError(
                f"{lang}: missing {', '.join(missing)} (every key under en: needs a translation)",
                display,
                data.line_of(lang),
            )
    return out
