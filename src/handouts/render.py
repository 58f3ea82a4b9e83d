"""Take a block's text (Jinja over the clinic, plus a small inline markup) and give back safe reportlab markup.

Two steps, both closed to content authors on purpose:

1. Jinja runs in an immutable sandbox with ``StrictUndefined`` (``{{ clinic.phon }}`` is an error,
   never a blank). Only values, conditions, a few filters and text methods that cannot grow text
   are reachable, and all the text one field makes by repeating, adding or joining shares one
   budget, so ``{{ 'a' * 10**9 }}`` or ``{{ 'x'.ljust(10**9) }}`` cannot eat the machine.
   Values it inserts are marked up as literal text, so a clinic named ``*Lotus*`` stays starred.
2. The inline markup is the documented subset ``**bold**``, ``*italic*``, ``[label](url)`` with
   http, https, mailto and tel links only; ``\\*`` is a literal star, and every other backslash
   prints as typed (``C:\\Users``). Bold and italic that cross (``**a *b** c*``) are an error naming
   the field, never a guess. Everything else is escaped, so ``Chen & Wu <Acupuncture>`` prints
   exactly so and reportlab's own tags are unreachable.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from jinja2 import nodes
from jinja2.filters import do_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .errors import ContentError, TemplateError
from .load.schema import non_ascii

MAX_RESULT = 50_000  # characters one expression may produce
MAX_POWER_EXPONENT = 100
MAX_INT_BITS = 4096
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


# What content text may call: text methods that never make text longer, and filters that cannot
# grow text either (``join`` is charged to the budget). Everything else is undefined in the sandbox.
SAFE_METHODS = frozenset(
    {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith", "endswith"}
)
SAFE_FILTERS = frozenset(
    {"abs", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length", "lower",
     "round", "string", "title", "trim", "truncate", "upper", "wordcount"}
)  # fmt: skip
_SPENT: contextvars.ContextVar[list[int]] = contextvars.ContextVar("handouts_template_spent")


def _size(value: Any) -> int:
    """Return how many characters and items ``value`` holds, counting into lists and tuples."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(_size(v) for v in value)
    return 1


def _charge(size: int, doing: str) -> None:
    """Count ``size`` against the text budget of the field being rendered; refuse past the limit."""
    spent = _SPENT.get()
    spent[0] += size
    if spent[0] > MAX_RESULT:
        raise SecurityError(f"{doing} text to {spent[0]:,} characters is over the limit of {MAX_RESULT:,}")


@jinja2.pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: str | int | None = None) -> str:
    items = list(value)
    _charge(len(str(d)) * len(items), "joining")
    return do_join(eval_ctx, items, d, attribute)


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox that refuses expressions that burn CPU or memory."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if callable(value) and not (isinstance(obj, str) and attr in SAFE_METHODS):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, jinja2.Undefined):
            return obj  # an attribute of an undefined name stays undefined, so the error names that name
        if isinstance(obj, dict) and hasattr(obj, "label") and attribute not in obj:
            return self._no_field(obj, attribute)
        if isinstance(obj, tuple) and not attribute.startswith("_"):  # a clinic's list of lines (address, team)
            return self.undefined(
                hint=f"a list of lines has no {attribute!r}: print it whole, or one line of it, such as [0]",
                obj=obj,
                name=attribute,
            )
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, dict) and hasattr(obj, "label") and isinstance(argument, str) and argument not in obj:
            return self._no_field(obj, argument)
        return super().getitem(obj, argument)

    def _no_field(self, obj: dict[str, Any], name: str) -> jinja2.Undefined:
        """Return an undefined value whose error says which record lacks ``name`` and what was meant."""
        close = difflib.get_close_matches(name, [k for k in obj if not k.startswith("_")], n=1, cutoff=0.6)
        hint = f": did you mean {close[0]!r}?" if close else f" (it has: {', '.join(obj)})"
        return self.undefined(hint=f"no field {name!r} on {obj.label}{hint}", obj=obj, name=name)

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format and format_map pad to any width: refused like any other method

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER_EXPONENT:
                raise SecurityError(f"power with exponent {right} is over the limit of {MAX_POWER_EXPONENT}")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
                raise SecurityError(f"the power would have more than {MAX_INT_BITS} bits, over the limit")
            return operator.pow(left, right)
        if operator_name == "%":
            if isinstance(left, str):
                raise SecurityError("formatting text with % is not allowed: insert values with {{ … }}")
            return operator.mod(left, right)
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    _charge(_size(seq) * max(count, 0), "repeating")
            if isinstance(left, int) and isinstance(right, int) and abs(left * 1.0 * right) > 1e30:
                raise SecurityError("number too large")
            return operator.mul(left, right)
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            if len(left) + len(right) > MAX_RESULT:
                raise SecurityError("text longer than the limit")
            _charge(_size(left) + _size(right), "adding")
        return operator.add(left, right)


# A value Jinja inserts (a clinic named *Lotus*) is text, never markup: its markup characters are
# swapped for private-use stand-ins, which the markup step cannot see and turns back on output.
_STAND_INS = {"\\": "\ue000", "*": "\ue001", "[": "\ue002", "]": "\ue003", "(": "\ue004", ")": "\ue005"}
_PROTECT = str.maketrans(_STAND_INS)
_RESTORE = str.maketrans({v: k for k, v in _STAND_INS.items()})


def protect(value: Any) -> str:
    """Return ``value`` as text whose inline-markup characters will print as they are."""
    if value is None:
        return ""
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined raises here, naming what is undefined
    if callable(value):
        # an uncalled method would print as "<built-in method …>", with a memory address
        raise jinja2.TemplateRuntimeError(f"{getattr(value, '__name__', 'a method')} must be called: add ()")
    return str(value).translate(_PROTECT)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the shared sandboxed Jinja environment (one per process)."""
    env = _LimitedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=protect,
        keep_trailing_newline=False,
    )
    env.filters = {k: v for k, v in env.filters.items() if k in SAFE_FILTERS}
    env.filters["join"] = _join
    env.globals.clear()
    return env


_BANNED = {nodes.For: "for", nodes.Macro: "macro", nodes.CallBlock: "call", nodes.FilterBlock: "filter",
           nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "import",
           nodes.Block: "block", nodes.Assign: "set", nodes.AssignBlock: "set", nodes.With: "with"}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _compile(source: str) -> jinja2.Template:
    env = environment()
    tree = env.parse(source)
    for node in tree.find_all(tuple(_BANNED)):
        # content only needs values and conditions; loops, macros and variables (which let a value be
        # reused without paying for it again) are how text bombs are built
        raise jinja2.TemplateSyntaxError(f"'{_BANNED[type(node)]}' blocks are not allowed in content text", node.lineno)
    return env.from_string(tree)


def render_text(source: str, context: dict[str, Any], display: str, line: int, where: str) -> str:
    """Render Jinja ``source`` with ``context``.

    Returns the text (still inline markup); raises ``TemplateError`` naming ``display``,
    the line in the YAML file and the field ``where``.
    """
    if "{" not in source:
        return source
    try:
        template = _compile(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{where}: template syntax: {exc.message}", display, line + (exc.lineno or 1) - 1) from None
    budget = _SPENT.set([0])
    try:
        result = ""
        for chunk in template.generate(context):
            result += chunk
            if len(result) > MAX_RESULT:
                raise SecurityError(f"the text grows past {MAX_RESULT:,} characters, over the limit")
    except jinja2.UndefinedError as exc:
        if str(exc.message).startswith(("no field ", "a list of lines ")):
            raise TemplateError(f"{where}: {exc.message}", display, line) from None
        names = ", ".join(sorted(k for k in context if not k.startswith("_")))
        raise TemplateError(f"{where}: {exc.message} (names you can use: {names})", display, line) from None
    except SecurityError as exc:
        raise TemplateError(f"{where}: not allowed: {exc}", display, line) from None
    except jinja2.TemplateRuntimeError as exc:
        raise TemplateError(f"{where}: {exc}", display, line) from None
    except (TypeError, ValueError, AttributeError, LookupError, ArithmeticError) as exc:
        # a filter or operator given the wrong kind of value
        raise TemplateError(f"{where}: {type(exc).__name__}: {exc}", display, line) from None
    except RecursionError:
        raise TemplateError(f"{where}: too deeply nested", display, line) from None
    finally:
        _SPENT.reset(budget)
    if len(result) > MAX_RESULT:
        raise TemplateError(f"{where}: the text grows to {len(result):,} characters, over the limit", display, line)
    return result


@dataclass(frozen=True)
class Styling:
    """What the fonts can do, so markup never silently asks for a missing face."""

    bold: bool = True
    italic: bool = True
    link_color: str = "#000000"


_TOKEN = re.compile(r"\\(\*)|(\*\*)|(\*)|\[([^\[\]\n]*)\]\(([^()\s]*)\)")


def to_markup(text: str, styling: Styling, display: str, line: int, where: str) -> str:
    """Turn inline markup into reportlab paragraph markup, escaping everything else.

    Returns the markup; raises ``ContentError`` for a link with a scheme other than http, https,
    mailto or tel, and for bold or italic that the font family cannot show.
    """
    tokens: list[tuple[str, str]] = []  # (kind, value)
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            tokens.append(("text", text[pos : m.start()]))
        if m.group(1) is not None:
            tokens.append(("text", m.group(1)))
        elif m.group(2):
            tokens.append(("**", "**"))
        elif m.group(3):
            tokens.append(("*", "*"))
        else:
            tokens.append(("link", m.group(0)))
        pos = m.end()
    if pos < len(text):
        tokens.append(("text", text[pos:]))
    # pair markers; unpaired ones stay literal
    paired: set[int] = set()
    for marker in ("**", "*"):
        open_at: int | None = None
        for i, (kind, _) in enumerate(tokens):
            if kind == marker:
                if open_at is None:
                    open_at = i
                else:
                    paired.update((open_at, i))
                    open_at = None
    out: list[str] = []
    stack: list[str] = []  # open tags, innermost last, so crossed markers still nest properly
    for i, (kind, value) in enumerate(tokens):
        if kind in ("**", "*") and i in paired:
            needed = "bold" if kind == "**" else "italic"
            if not getattr(styling, needed):
                raise ContentError(
                    f"{where}: uses {needed} ({kind}…{kind}) but the font family has no {needed} face: "
                    f"add it under branding.fonts in clinic.yaml or remove the {kind}",
                    display,
                    line,
                )
            tag = "b" if kind == "**" else "i"
            if tag in stack:
                if stack[-1] != tag:
                    raise ContentError(
                        f"{where}: bold (**) and italic (*) cross each other in {literal(text)[:60]!r}: close the "
                        "one opened last first, as in **bold *both*** (or write \\* for a star that is not markup)",
                        display,
                        line,
                    )
                out.append(f"</{tag}>")
                stack.pop()
            else:
                out.append(f"<{tag}>")
                stack.append(tag)
        elif kind == "link":
            m = _TOKEN.match(value)
            assert m is not None
            label, url = literal(m.group(4)), literal(m.group(5))
            if odd := non_ascii(url):
                raise ContentError(f"{where}: link {url!r}: {odd}", display, line)
            if not url.lower().startswith(LINK_SCHEMES):
                raise ContentError(
                    f"{where}: link {url!r} is not allowed: links must start with https://, http://, mailto: or tel:",
                    display,
                    line,
                )
            out.append(link(label or url, url, styling))
        else:
            out.append(escape(value.translate(_RESTORE)))
    out.extend(f"</{t}>" for t in reversed(stack))
    return "".join(out)


def literal(text: str) -> str:
    """Return rendered text as typed, before markup: ``\\*`` as ``*``, inserted values as they were given."""
    return text.replace("\\*", "*").translate(_RESTORE)


def link(label: str, url: str, styling: Styling) -> str:
    """Return markup for a live link; the label is escaped, the URL quoted for the attribute."""
    href = escape(url, {'"': "&quot;"})
    return f'<a href="{href}" color="{styling.link_color}">{escape(label)}</a>'


def bind_last(line: str) -> str:
    """Keep a short last word with the one before it ("Suite 2", "Okafor, L.Ac."): a no-break space."""
    return re.sub(r" (\S{1,8})$", "\u00a0\\1", line.strip())


def short_url(url: str) -> str:
    """Return a web address as a reader types it: without https:// or www. and a trailing slash."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def plain(text: str) -> str:
    """Return ``text`` with inline markup removed, as a reader would see it (for tests and lint)."""
    text = re.sub(r"\[([^\[\]\n]*)\]\(([^()\s]*)\)", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"(?<!\\)\*\*?", "", text)
    return literal(text)


@functools.cache
def page_templates(folder: Path) -> jinja2.Environment:
    """Return the environment of the project's own HTML templates in ``folder`` (the gallery's, the twins'):
    trusted files, so not sandboxed, but every value is escaped and a misspelt name is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
