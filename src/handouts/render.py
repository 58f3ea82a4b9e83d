"""Take a block's text (Jinja over the clinic, plus a small inline markup) and give back safe reportlab markup.

Two steps, both closed to content authors on purpose:

1. Jinja runs in an immutable sandbox with ``StrictUndefined`` (``{{ clinic.phon }}`` is an error,
   never a blank), with limits on ``*`` and ``**`` so ``{{ 'a' * 10**9 }}`` cannot eat the machine.
   Values it inserts are marked up as literal text, so a clinic named ``*Lotus*`` stays starred.
2. The inline markup is the documented subset ``**bold**``, ``*italic*``, ``[label](url)`` with
   http, https, mailto and tel links only; ``\\*`` is a literal star. Everything else is escaped,
   so ``Chen & Wu <Acupuncture>`` prints exactly so and reportlab's own tags are unreachable.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import ContentError, TemplateError

MAX_RESULT = 50_000  # characters one expression may produce
MAX_POWER_EXPONENT = 100
MAX_INT_BITS = 4096
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox that refuses expressions that burn CPU or memory."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER_EXPONENT:
                raise jinja2.sandbox.SecurityError(
                    f"power with exponent {right} is over the limit of {MAX_POWER_EXPONENT}"
                )
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
                raise jinja2.sandbox.SecurityError(
                    f"the power would have more than {MAX_INT_BITS} bits, over the limit"
                )
            return operator.pow(left, right)
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    if len(seq) * count > MAX_RESULT:
                        raise jinja2.sandbox.SecurityError(
                            f"repeating text to {len(seq) * count:,} characters is over the limit of {MAX_RESULT:,}"
                        )
            if isinstance(left, int) and isinstance(right, int) and abs(left * 1.0 * right) > 1e30:
                raise jinja2.sandbox.SecurityError("number too large")
            return operator.mul(left, right)
        result = operator.add(left, right)
        if isinstance(result, str | list) and len(result) > MAX_RESULT:
            raise jinja2.sandbox.SecurityError("text longer than the limit")
        return result


_SPECIAL = re.compile(r"([\\*\[\]()])")


def protect(value: Any) -> str:
    """Return ``value`` as text whose inline-markup characters are escaped with a backslash."""
    if value is None:
        return ""
    return _SPECIAL.sub(r"\\\1", str(value))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the shared sandboxed Jinja environment (one per process)."""
    env = _LimitedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=protect,
        keep_trailing_newline=False,
    )
    env.filters = {k: v for k, v in env.filters.items() if k not in ("wordwrap", "indent", "center")}
    env.globals.clear()
    return env


@functools.lru_cache(maxsize=4096)
def _compile(source: str) -> jinja2.Template:
    env = environment()
    tree = env.parse(source)
    banned = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.Extends, nodes.Include,
              nodes.Import, nodes.FromImport, nodes.Block)  # fmt: skip
    for node in tree.find_all(banned):
        # content only needs values and conditions; loops and macros are how text bombs are built
        raise jinja2.TemplateSyntaxError(
            f"'{type(node).__name__.lower()}' blocks are not allowed in content text", node.lineno
        )
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
    try:
        result = ""
        for chunk in template.generate(context):
            result += chunk
            if len(result) > MAX_RESULT:
                raise jinja2.sandbox.SecurityError(f"the text grows past {MAX_RESULT:,} characters, over the limit")
    except jinja2.UndefinedError as exc:
        names = ", ".join(sorted(k for k in context if not k.startswith("_")))
        raise TemplateError(f"{where}: {exc.message} (names you can use: {names})", display, line) from None
    except jinja2.sandbox.SecurityError as exc:
        raise TemplateError(f"{where}: not allowed: {exc}", display, line) from None
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError) as exc:
        raise TemplateError(f"{where}: {type(exc).__name__}: {exc}", display, line) from None
    except RecursionError:
        raise TemplateError(f"{where}: too deeply nested", display, line) from None
    if len(result) > MAX_RESULT:
        raise TemplateError(f"{where}: the text grows to {len(result):,} characters, over the limit", display, line)
    return result


@dataclass(frozen=True)
class Styling:
    """What the fonts can do, so markup never silently asks for a missing face."""

    bold: bool = True
    italic: bool = True
    link_color: str = "#000000"


_TOKEN = re.compile(r"\\(.)|(\*\*)|(\*)|\[([^\[\]\n]*)\]\(([^()\s]*)\)", re.S)


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
                # close down to this tag, then reopen the ones opened inside it: **a *b** c* stays well formed
                inner = stack[stack.index(tag) + 1 :]
                out.extend(f"</{t}>" for t in reversed([tag, *inner]))
                del stack[stack.index(tag) :]
                out.extend(f"<{t}>" for t in inner)
                stack.extend(inner)
            else:
                out.append(f"<{tag}>")
                stack.append(tag)
        elif kind == "link":
            m = _TOKEN.match(value)
            assert m is not None
            label, url = _unescape(m.group(4)), _unescape(m.group(5))
            if not url.lower().startswith(LINK_SCHEMES):
                raise ContentError(
                    f"{where}: link {url!r} is not allowed: links must start with https://, http://, mailto: or tel:",
                    display,
                    line,
                )
            out.append(link(label or url, url, styling))
        else:
            out.append(escape(value))
    out.extend(f"</{t}>" for t in reversed(stack))
    return "".join(out)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def link(label: str, url: str, styling: Styling) -> str:
    """Return markup for a live link; the label is escaped, the URL quoted for the attribute."""
    href = escape(url, {'"': "&quot;"})
    return f'<a href="{href}" color="{styling.link_color}">{escape(label)}</a>'


def plain(text: str) -> str:
    """Return ``text`` with inline markup removed, as a reader would see it (for tests and lint)."""
    text = re.sub(r"\[([^\[\]\n]*)\]\(([^()\s]*)\)", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"(?<!\\)\*\*?", "", text)
    return re.sub(r"\\(.)", r"\1", text)
