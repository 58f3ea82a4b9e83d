"""Take the YAML files under ``content/`` and give back checked blocks, handout recipes and page strings.

A block's language-neutral facts (kind, review date, sources, references) sit at the top level;
its words sit under ``text:``, one mapping per language with the same fields, so a missing
translation is a missing ``es:`` that an editor can see.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ContentError, HandoutError, raise_all, show
from ..files import path_problem
from .kinds import KIND_TEXT, KINDS
from .schema import (
    INVALID,
    LANG_CODE,
    SLUG,
    Boolean,
    Checker,
    Choice,
    Date,
    Field,
    Length,
    ListOf,
    MapOf,
    Passthrough,
    Record,
    Text,
)
from .yamlio import YList, YMap, load_yaml

REGIONAL_CODE = re.compile(LANG_CODE.pattern[:-1] + r"(@[A-Z]{2})?$")
BASE_REGION = "US"  # the plain text.<lang> is written for this region; others override fields with <lang>@<REGION>
_icon = Text(pattern=SLUG, pattern_hint="is not an icon name (a file in art/icons/ without .svg)")
_icon_or_none = Text(pattern=re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*)?$"), pattern_hint="is not an icon name")
CONTACT_PARTS = ("address", "practitioners", "phone", "email", "website", "hours", "booking")

BLOCK_FIELDS: dict[str, Field] = {
    "kind": Field(Choice(KINDS), required=True, doc="what the block is; decides the fields of text"),
    "reviewed": Field(Date(), required=True, doc="when a practitioner last reviewed it, YYYY-MM-DD"),
    "sources": Field(ListOf(Text(), min_items=1), required=True, doc="what the block is based on"),
    "references": Field(ListOf(Text()), default=list, doc="citations a reader can look up"),
    "tone": Field(
        Choice(("warning", "note", "lead")),
        default="note",
        doc="callout: warning or note; prose: lead sets it as opening words, a size up in the brand colour",
    ),
    "show": Field(
        ListOf(Choice(CONTACT_PARTS), unique=True),
        default=lambda: list(CONTACT_PARTS),
        doc="contact only: which clinic details to show",
    ),
    "text": Field(
        MapOf(
            Text(pattern=REGIONAL_CODE, pattern_hint="is not a language code (or language@REGION, e.g. en@GB)"),
            Passthrough(),
        ),
        required=True,
        doc="the words, per language; en@GB: fields that differ in that region (the plain en: is for the US)",
    ),
    "image": Field(Text(), doc="figure only: an .svg, .png or .jpg file inside the project, e.g. art/figures/x.svg"),
    "credit": Field(Text(max_len=200), doc="figure only: who made the picture, printed under the caption"),
    "width": Field(Length(minimum=36), doc="figure only: printed width (default 1.9in; 1.5x in large print)"),
    "optional": Field(
        Boolean(),
        default=False,
        doc="figure only: printed unless leaving it out saves a page (the HTML twin always shows it)",
    ),
    "icon": Field(_icon, doc="an icon from art/icons/ beside the block's title (or its box)"),
    "form_field": Field(
        Text(pattern=SLUG, pattern_hint="is not a field name"),
        doc="prose only: its body becomes the label of a line to write on, with a fillable PDF field of this name",
    ),
    "icons": Field(
        ListOf(_icon_or_none, max_items=60),
        default=list,
        doc="one icon per list item or step, in order ('' for none)",
    ),
}

HANDOUT_FIELDS: dict[str, Field] = {
    "layout": Field(Text(pattern=SLUG, pattern_hint="is not a layout id"), required=True, doc="a file in layouts/"),
    "text": Field(
        MapOf(
            Text(pattern=LANG_CODE, pattern_hint="is not a language code"),
            Record(
                {
                    "title": Field(Text(max_len=120), required=True),
                    "subtitle": Field(Text(max_len=200)),
                    "headline": Field(Text(max_len=80), doc="what a brochure's cover asks the reader"),
                }
            ),
        ),
        required=True,
        doc="title (and subtitle) per language",
    ),
    "tags": Field(
        Record(
            {
                "condition": Field(Text(pattern=SLUG, pattern_hint="is not a slug"), doc="the condition filter"),
                "topic": Field(Text(pattern=SLUG, pattern_hint="is not a slug")),
                "symptoms": Field(
                    MapOf(
                        Text(pattern=LANG_CODE, pattern_hint="is not a language code"),
                        ListOf(Text(max_len=60), min_items=1, max_items=40, unique=True),
                    ),
                    default=dict,
                    doc="the words patients use, per language (back pain, numb feet): the gallery's search finds them",
                ),
            }
        ),
        default=dict,
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
    regional: dict[str, dict[str, Any]] = field(default_factory=dict)  # {"en@GB": {field: value}}
    region: str = BASE_REGION

    image: Path | None = None  # figure: the resolved file, inside the project
    credit: str | None = None
    width: float | None = None
    optional: bool = False  # figure: left out of a PDF where that saves a page
    icon: Path | None = None  # resolved files in art/icons/
    icons: tuple[Path | None, ...] = ()
    form_field: str | None = None

    def _words(self, lang: str, field_name: str | None = None) -> tuple[str, YMap | None]:
        """Return the key under ``text:`` that holds ``field_name`` in this block's region, and its mapping."""
        text = self.lines.get("text")
        if not isinstance(text, YMap):
            return lang, None
        key = f"{lang}@{self.region}"
        over = text.get(key)
        if isinstance(over, YMap) and (field_name is None or field_name in over):
            return key, over
        words = text.get(lang)
        return lang, words if isinstance(words, YMap) else None

    def line_of(self, lang: str, field: str, index: int | None = None) -> int:
        """Return the file line of ``text.<lang>.<field>`` (or its item, or its regional form), for error messages."""
        _, fields = self._words(lang, field)
        if fields is None:
            return self.lines.line_of("text")
        if index is not None and isinstance(fields.get(field), list):
            return fields[field].line_of(index)
        return fields.line_of(field)

    def text_line(self, lang: str) -> int:
        """Return the file line of ``text.<lang>``: where the block's words in ``lang`` begin."""
        text = self.lines.get("text")
        return text.line_of(lang) if isinstance(text, YMap) else self.lines.line_of("text")

    def fields(self, lang: str) -> list[tuple[str, int, str]]:
        """Return every text of ``text.<lang>`` in this block's region as ``(field path, line, text)``."""
        text = self.lines.get("text")
        words = text.get(lang) if isinstance(text, YMap) else None
        out = _texts(words, f"text.{lang}", words.line) if isinstance(words, YMap) else []
        key, over = self._words(lang, None)
        if key != lang and isinstance(over, YMap):
            out = [t for t in out if t[0].split(".")[2].split("[")[0] not in over]
            out += _texts(over, f"text.{key}", over.line)
        return out

    def in_region(self, region: str) -> Block:
        """Return this block as read in ``region``: ``text.<lang>@<region>`` fields over ``text.<lang>``."""
        if region == self.region or not self.regional:
            return self if region == self.region else replace(self, region=region)
        text = {lang: {**words, **self.regional.get(f"{lang}@{region}", {})} for lang, words in self.text.items()}
        return replace(self, text=text, region=region)

    def regions_lacking(self, lang: str, region: str) -> bool:
        """True when the block words ``lang`` by region (it has some ``lang@XX``) but has none for ``region``."""
        if region == BASE_REGION:
            return False
        overlays = [k for k in self.regional if k.split("@")[0] == lang]
        return bool(overlays) and f"{lang}@{region}" not in overlays


@dataclass(frozen=True)
class Handout:
    """A checked handout recipe: a layout and the blocks for each of its slots."""

    id: str
    layout: str
    text: dict[str, dict[str, str]]
    tags: dict[str, str]  # condition, topic
    slots: dict[str, tuple[str, ...]]
    path: Path
    display: str
    lines: YMap
    symptoms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # {"en": ("back pain", ...)}


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
    regional: dict[str, dict[str, Any]] = {}
    if kind in KIND_TEXT and isinstance(text_map, YMap) and values.get("text") is not INVALID:
        text_spec = Record(KIND_TEXT[kind])
        values["text"] = {
            lang: text_spec.check(fields, ck, f"text.{lang}", text_map.line_of(lang))
            for lang, fields in text_map.items()
            if "@" not in lang
        }
        regional = _regional(text_map, KIND_TEXT[kind], ck)
        if not values["text"]:
            ck.fail(text_map.line, "text", "needs at least one language, such as en:")
    root = _root_of(path, display)
    image = _art_file(root, values["image"], data, ck, "image") if isinstance(values.get("image"), str) else None
    if kind == "figure" and values.get("image") is None:
        ck.fail(data.line, "image", "a figure needs image: (an .svg, .png or .jpg file inside the project)")
    if kind != "figure" and values.get("optional") is True:
        ck.fail(data.line_of("optional"), "optional", "only a figure may be optional: remove it, or set it to false")
    for lang, words in (values["text"] if isinstance(values.get("text"), dict) else {}).items():
        if isinstance(words, dict) and words.get("fields") and not values.get("form_field"):
            ck.fail(text_map.line_of(lang), f"text.{lang}.fields", "needs form_field: on the block (names its lines)")
    icon = _icon_file(root, values["icon"], data, ck, "icon") if isinstance(values.get("icon"), str) else None
    names = values.get("icons") if isinstance(values.get("icons"), list) else []
    icons = tuple(
        _icon_file(root, name if isinstance(name, str) else None, data.get("icons"), ck, f"icons[{i + 1}]", index=i)
        for i, name in enumerate(names)
    )
    raise_all(ck.errors)
    return Block(
        image=image,
        credit=values["credit"] if isinstance(values.get("credit"), str) else None,
        width=values["width"] if isinstance(values.get("width"), float) else None,
        optional=values.get("optional") is True,
        icon=icon,
        icons=icons,
        form_field=values["form_field"] if isinstance(values.get("form_field"), str) else None,
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
        regional=regional,
    )


def _regional(text_map: YMap, fields: dict[str, Field], ck: Checker) -> dict[str, dict[str, Any]]:
    """Check a block's ``<lang>@<REGION>`` overlays: fields of its kind, with a plain ``<lang>`` beside them."""
    out: dict[str, dict[str, Any]] = {}
    for key, words in text_map.items():
        if "@" not in key:
            continue
        lang, region = key.split("@")
        line = text_map.line_of(key)
        if lang not in text_map:
            ck.fail(line, f"text.{key}", f"overrides text.{lang}, which the block does not have: add text.{lang} first")
            continue
        if region == BASE_REGION:
            ck.fail(line, f"text.{key}", f"text.{lang} is already the {BASE_REGION} text: move these fields there")
            continue
        optional = {name: Field(decl.spec) for name, decl in fields.items()}  # an overlay gives only what differs
        checked = Record(optional).check(words, ck, f"text.{key}", line)
        if isinstance(checked, dict):
            out[key] = {k: v for k, v in checked.items() if k in words}
    return out


def _root_of(path: Path, display: str) -> Path:
    """Return the project folder a file was read from (its path minus its display path)."""
    depth = len(Path(display).parts)
    return path.parents[depth - 1] if depth <= len(path.parents) else path.parent


def _art_file(root: Path, relative: str, data: YMap, ck: Checker, key: str) -> Path | None:
    """Resolve a picture named by a block, refusing files outside the project (symlinks included)."""
    line = data.line_of(key)
    if Path(relative).is_absolute() or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        ck.fail(line, key, f"{relative!r} is an absolute path: give a file inside the project, e.g. art/figures/x.svg")
        return None
    if Path(relative).suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg"):
        ck.fail(line, key, f"{relative!r} must be an .svg, .png or .jpg file")
        return None
    try:
        resolved = (root / relative).resolve(strict=True)
    except FileNotFoundError:
        ck.fail(line, key, f"file {relative!r} not found in the project")
        return None
    except (OSError, RuntimeError):
        ck.fail(line, key, f"cannot open {relative!r}")
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        ck.fail(line, key, f"{relative!r} leads outside the project (or is not a file): copy the file into art/")
        return None
    return resolved


def _icon_file(root: Path, name: str | None, data: Any, ck: Checker, key: str, index: int | None = None) -> Path | None:
    """Resolve an icon name to ``art/icons/<name>.svg``, with a did-you-mean when there is none."""
    if not name:
        return None
    folder = root / "art" / "icons"
    path = folder / f"{name}.svg"
    line = (data.line_of(index) if index is not None else data.line_of(key)) if hasattr(data, "line_of") else 1
    if not path.is_file() or not path.resolve().is_relative_to(root.resolve()):
        known = sorted(p.stem for p in folder.glob("*.svg")) if folder.is_dir() else []
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        ck.fail(line, key, f"no icon {name!r} in art/icons/{hint}")
        return None
    return path.resolve()


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
        tags={k: v for k, v in values["tags"].items() if k != "symptoms" and v},
        symptoms={lang: tuple(words) for lang, words in values["tags"]["symptoms"].items()},
        slots={k: tuple(v) for k, v in values["slots"].items()},
        path=path,
        display=display,
        lines=data,
    )


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())


def read_folder(root: Path, folder: Path, reader: Any) -> tuple[dict[str, Any], list[HandoutError]]:
    """Load every YAML file of ``folder`` with ``reader``; return what loaded and the problems."""
    out: dict[str, Any] = {}
    problems: list[HandoutError] = []
    for path in _yaml_files(folder):
        display = path.relative_to(root).as_posix()
        if not SLUG.fullmatch(path.stem):
            problems.append(
                ContentError(f"file name {show(path.name)} must be lowercase letters, digits and hyphens", display)
            )
            continue
        problem = path_problem(path, root)
        if problem:
            problems.append(ContentError(problem, display))
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


def strings_for(strings: dict[str, Strings], lang: str, region: str) -> Strings:
    """Return the page strings of ``lang`` as read in ``region``: ``<lang>@<region>`` keys over ``<lang>``."""
    base = strings[lang]
    over = strings.get(f"{lang}@{region}") or Strings({})
    lines = {**base.lines, **over.lines}
    return Strings({**base, **over}, lines, base.line)


def languages_of(strings: dict[str, Strings]) -> tuple[str, ...]:
    """Return the languages ``strings.yaml`` has, without its regional sections."""
    return tuple(lang for lang in strings if "@" not in lang)


def read_strings(root: Path) -> dict[str, Strings]:
    """Load ``content/strings.yaml``: page furniture words per language.

    Returns ``{lang: Strings}`` (each text with its line); raises ``ContentError`` when a
    language lacks a key that English has, naming the key.
    """
    display = "content/strings.yaml"
    problem = path_problem(root / "content" / "strings.yaml", root)
    if problem:
        raise ContentError(problem, display)
    data = load_yaml(root / "content" / "strings.yaml", display)
    ck = Checker(display, ContentError)
    table = MapOf(
        Text(pattern=REGIONAL_CODE, pattern_hint="is not a language code (or language@REGION, e.g. en@GB)"),
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
        if "@" in lang:
            extra = sorted(set(keys) - set(out["en"]))
            if extra:
                raise ContentError(f"{lang}: {', '.join(extra)} is not a key of en:", display, data.line_of(lang))
            continue  # a regional section overrides only the keys that differ
        missing = sorted(set(out["en"]) - set(keys))
        if missing:
            raise ContentError(
                f"{lang}: missing {', '.join(missing)} (every key under en: needs a translation)",
                display,
                data.line_of(lang),
            )
    return out
