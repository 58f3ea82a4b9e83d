"""Take one handout's writer, its blocks in reading order and its page words and give back its HTML twin as bytes.

The twin is the accessible version of a PDF: the same blocks and words (from the same ``Writer``,
see ``twin.blocks``), in semantic HTML with the page's language, alt text from the figure blocks,
the logo named, and the QR code as the link it stands for. It needs nothing but itself: the
stylesheet is inline, images are ``data:`` URIs, there is no script, and a Content-Security-Policy
forbids fetching anything. Colours come from the theme with the PDF's contrast rules; the type
sizes are the layout's, never under 16 px on screen.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from ..colors import BOX_TINT, INK, WHITE, text_on, tint
from ..load.content import STRINGS_FILE, Block
from ..render import literal, page_templates, render_text
from ..story.figures import held_for_definition
from ..story.writer import Writer
from .blocks import HtmlBlocks

ASSETS = Path(__file__).with_name("assets")
PT_TO_PX = 96 / 72
SCREEN_MIN_PX = 16.0  # body text on screen: the browsers' default, and a phone's comfortable minimum

FONTS = {  # the reader's own fonts: a twin fetches none
    "latin": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
    "zh-Hans": '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif',
    "zh-Hant": '"Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", "Source Han Sans TC", '
    "sans-serif",
}


@dataclass(frozen=True)
class PageWords:
    """What a twin prints around its blocks, each resolved in the handout's language."""

    title: str
    subtitle: str
    headline: str  # a brochure cover's line above the title; empty when it is the title
    clinic: str
    tagline: str
    review: str  # "Reviewed <Month YYYY> · rev <code>", as the PDF prints it
    logo: Path | None


def _colors(writer: Writer) -> dict[str, str]:
    """Return the twin's CSS colours: the theme's roles, grayed as the variant prints them."""
    theme = writer.theme
    gray = theme.gray
    primary = theme.color("primary")
    return {
        "ink": gray(INK),
        "primary": gray(primary),
        "on-primary": gray(text_on(primary)),  # black or white, whichever reads better: at least 4.58:1
        "heading": gray(theme.heading_on("none")),  # the brand colour where it reaches 4.5:1 on white
        "link": gray(theme.heading_on("none")),
        "marker": gray(theme.bullet_color()),
        "rule": gray(theme.marker_color(theme.accent)),
        "note-edge": gray(theme.marker_color(theme.accent)),
        "note-tint": gray(tint(theme.accent, BOX_TINT)),
        "warning-edge": gray(theme.marker_color(theme.warning)),
        "warning-tint": gray(tint(theme.warning, BOX_TINT)),
        "paper": WHITE,
    }


def _sizes(writer: Writer) -> dict[str, str]:
    """Return the CSS type sizes: the layout's proportions, with body text at least 16 px on screen."""
    sizes = writer.theme.sizes
    body = sizes["body"]

    def em(name: str, floor: float = 0.0) -> str:
        return f"{max(sizes[name] / body, floor):.3f}rem"

    return {
        "base": f"{max(body * PT_TO_PX, SCREEN_MIN_PX):.2f}px",
        "print-base": f"{body:g}pt",
        "leading": f"{writer.theme.leading:g}",
        "h1": em("title", 1.5),
        "h2": em("heading", 1.2),
        "h3": em("subheading", 1.05),
        "subtitle": em("subtitle", 1.0),
        "small": em("small", 0.875),  # a phone's smallest comfortable size
    }


def _css(writer: Writer) -> str:
    lang = writer.theme.lang
    font = FONTS.get(lang, FONTS["latin"]) if lang.startswith("zh") else FONTS["latin"]
    values = {**_colors(writer), **_sizes(writer), "font": font}
    root = ":root {" + " ".join(f"--{k}: {v};" for k, v in values.items()) + "}\n"
    return root + (ASSETS / "twin.css").read_text(encoding="utf-8")


def _data_uri(path: Path, gray: bool = False) -> str:
    """Return the image at ``path`` as a ``data:`` URI; with ``gray``, in grays, as the grayscale PDF prints it."""
    kind = "png" if path.suffix.lower() == ".png" else "jpeg"
    data = path.read_bytes()
    if gray:
        from PIL import Image  # only grayscale twins need PIL here

        with Image.open(path) as im:
            out = io.BytesIO()
            im.convert("LA" if "A" in im.getbands() or "transparency" in im.info else "L").save(out, "PNG")
        kind, data = "png", out.getvalue()
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _policy(css: str) -> str:
    """Return a Content-Security-Policy that allows this stylesheet and ``data:`` images, and nothing else."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def _string(writer: Writer, key: str) -> str:
    """Return the page string ``key`` in the handout's language, rendered in the writer's context, as plain text."""
    strings = writer.theme.strings
    where = f"strings.{writer.theme.lang}.{key}"
    return literal(render_text(strings[key], writer.context, STRINGS_FILE, strings.line_of(key), where))


def _contact_line(writer: Writer) -> Markup:
    """Return the page foot's contact line, as the PDF's footer has it: phone and website, and the booking page
    (the card's QR code), as links."""
    clinic = writer.clinic
    tel = "tel:" + "".join(ch for ch in clinic.phone if ch.isdigit() or ch == "+")
    parts = [Markup(f'<a href="{escape(tel)}">{escape(clinic.phone)}</a>')]
    if clinic.website:
        parts.append(Markup(f'<a href="{escape(clinic.website)}">{escape(clinic.website)}</a>'))
    if clinic.booking_url:  # the card's foot prints "Book online" by its QR code: here, the link it stands for
        parts.append(Markup(f'<a href="{escape(clinic.booking_url)}">{escape(_string(writer, "book_online"))}</a>'))
    return Markup(" · ").join(parts)


def _slot(emitter: HtmlBlocks, slot: list[Block]) -> Markup:
    """Return one slot's blocks and then its references; a figure just before a condition is read after that
    condition's definition, as the PDF prints and tags it (``story.figures.held_for_definition``)."""
    out = Markup("")
    for i, block in enumerate(slot):
        if held_for_definition(block, slot[i + 1] if i + 1 < len(slot) else None):
            emitter.inside = emitter.block(block)
            continue
        out += emitter.block(block)
        emitter.inside = Markup("")
    return out + emitter.references(slot)


def twin_html(writer: Writer, slots: list[list[Block]], words: PageWords) -> bytes:
    """Return the HTML twin of a handout whose blocks ``writer`` wrote as flowables: each slot's, in reading order.

    As in the PDF (``story.flowables.references_last``), each slot's references follow its blocks.

    Raises ``TemplateError`` or ``ContentError`` naming the block for text that cannot be rendered
    (the PDF's render meets the same error first).
    """
    emitter = HtmlBlocks(writer)
    body = Markup("").join(_slot(emitter, slot) for slot in slots)
    blocks = [b for slot in slots for b in slot]
    css = _css(writer)
    has_disclaimer = any(b.kind == "disclaimer" for b in blocks)
    return (
        page_templates(ASSETS)
        .get_template("twin.html")
        .render(
            lang=writer.theme.lang,
            policy=_policy(css),
            css=Markup(css),
            title=words.title,
            subtitle=words.subtitle,
            headline=words.headline if words.headline.strip() != words.title.strip() else "",
            clinic=words.clinic,
            tagline=words.tagline,
            logo=_data_uri(words.logo, gray=writer.theme.gray("#ff0000") != "#ff0000") if words.logo else None,
            logo_alt=_string(writer, "logo"),
            body=body,
            # the layouts print the short disclaimer in the footer of a handout without a disclaimer block
            disclaimer="" if has_disclaimer else _string(writer, "disclaimer_short"),
            contact=_contact_line(writer),
            review=words.review,
        )
        .encode("utf-8")
    )
