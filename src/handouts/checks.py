"""Take a project and give back the problems a build would meet in its text and colours, without drawing.

Used by ``handouts validate``; imports reportlab only to measure the clinic's text in the layouts' boxes.
"""

from __future__ import annotations

from pathlib import Path

from .colors import AA_BODY, BOX_TINT, WARNING_RED, WHITE, contrast, luminance, readable, tint
from .errors import ConfigError, HandoutError
from .load.config import Clinic
from .load.content import STRINGS_FILE
from .load.layout import Layout
from .load.project import Project, check_references, handout_context, load_project
from .render import Styling, render_text, to_markup

# what each kind of layout element renders through the sandbox
_ELEMENT_TEXT = {"text": "text", "qr": "data"}


def check_texts(project: Project, clinic: Clinic, handout_id: str, lang: str) -> list[HandoutError]:
    """Render every text of the handout's blocks through the sandbox and the markup checker."""
    handout = project.handouts[handout_id]
    context = handout_context(project, clinic, handout, lang)
    out: list[HandoutError] = []
    for ids in handout.slots.values():
        for block_id in ids:
            block = project.block_for(clinic.slug, block_id)
            if block is None or lang not in block.text:
                continue
            for where, line, text in block.fields(lang):
                try:
                    to_markup(
                        render_text(text, context, block.display, line, where), Styling(), block.display, line, where
                    )
                except HandoutError as exc:
                    out.append(exc)
    return out


class ColourNote(ConfigError):
    """A brand colour handouts print in a nearby shade (a note: it does not stop the build)."""

    note = True


def _layouts_of(project: Project, layout_id: str) -> list[Layout]:
    """Return the handout's layout and its large-print layout, those that loaded."""
    layout = project.layouts.get(layout_id)
    if layout is None:
        return []
    large = project.layouts.get(layout.values["large_print"] or "")
    return [layout] + ([large] if large is not None and large is not layout else [])


def check_page_texts(project: Project, clinic: Clinic, handout_id: str, lang: str) -> list[HandoutError]:
    """Render the page texts a build paints, as the painter does: the layouts' text and QR elements
    and the page strings, each through the sandbox and the markup checker, naming its own line.
    """
    handout = project.handouts[handout_id]
    strings = project.strings_for(clinic, lang) if lang in project.strings else None
    context = dict(handout_context(project, clinic, handout, lang), page=1, pages=1)
    context["month"] = context["reviewed"]  # the review line's own name for the date (handout.review_line)
    context["t"] = dict(strings or {})
    out: list[HandoutError] = []

    def check(text: str, display: str, line: int, where: str, markup: bool) -> None:
        try:
            rendered = render_text(text, context, display, line, where)
            if markup:
                for piece in rendered.strip().split("\n"):
                    to_markup(piece, Styling(), display, line, where)
        except HandoutError as exc:
            out.append(exc)

    for layout in _layouts_of(project, handout.layout):
        for p, page in enumerate(layout.values["pages"]):
            for i, element in enumerate(page["elements"]):
                key = _ELEMENT_TEXT.get(element["type"])
                if key and element[key]:
                    where = f"pages.{page['id']}.elements[{i + 1}].{key}"
                    check(element[key], layout.display, layout.element_line(p, i), where, key == "text")
    if strings is not None:  # a missing language is check_references' to report
        for key, text in strings.items():
            check(text, STRINGS_FILE, strings.line_of(key), f"strings.{lang}.{key}", True)
    return out


def check_contrast(clinic: Clinic) -> list[HandoutError]:
    """Note each brand colour that is printed in another shade to meet WCAG AA, at the colour's line.

    Text (headings, links, step numbers, bullets) needs 4.5:1 against white and the tints it sits
    on; rules and box borders 3:1. Text on brand bands is black or white and is never shaded.
    """
    out: list[HandoutError] = []
    lines = clinic.lines.get("branding") or clinic.lines
    accent, warning = tint(clinic.accent_color, BOX_TINT), tint(WARNING_RED, BOX_TINT)
    grounds = (WHITE, accent, warning, tint(clinic.primary_color, 0.88))
    uses = {
        "primary_color": (clinic.primary_color, "headings and links", (WHITE,)),
        "accent_color": (clinic.accent_color, "step numbers and bullets", grounds),
    }
    for field, (color, what, under) in uses.items():
        shade = readable(color, under, AA_BODY)
        if shade == color:
            continue
        worst = min(contrast(color, ground) for ground in under)
        side = "darker" if luminance(shade) < luminance(color) else "lighter"
        out.append(
            ColourNote(
                f"note: branding.{field}: {what} in {color} reach only {worst:.2f}:1 on the paper or tint under "
                f"them (WCAG AA needs 4.5:1), so they print in {shade}, a {side} shade of the same colour; "
                "choose a darker colour to print it as given",
                clinic.display,
                lines.line_of(field) if hasattr(lines, "line_of") else None,
            )
        )
    return out


def check_furniture(project: Project, clinic: Clinic) -> list[HandoutError]:
    """Return the clinic texts (name, tagline, …) that cannot fit a layout box the clinic's handouts use."""
    from .handout import check_furniture as measure  # why: measuring text needs reportlab's font metrics

    return measure(project, clinic)


def check_glyphs(project: Project, clinic: Clinic, handout_id: str, lang: str) -> list[HandoutError]:
    """Return the texts of a handout whose characters its fonts cannot draw, as a build would find them."""
    from .handout import check_glyphs as check  # why: a font's character map is read with reportlab

    return check(project, clinic, handout_id, lang)


def validate(root: Path) -> tuple[Project, list[HandoutError]]:
    """Load and check every file and every reference of the project without drawing anything.

    Returns the project and all problems found (an empty list when all is well). Text is
    rendered through the sandbox too, so ``{{ clinic.phon }}`` is caught here.
    """
    project = load_project(root)
    problems = list(project.shared_problems)
    seen: set[str] = set()
    for slug in project.clinic_slugs():
        problems += project.clinic_problems.get(slug, [])
        clinic = project.clinics.get(slug)
        if clinic is None:
            continue
        problems += check_contrast(clinic)
        problems += check_furniture(project, clinic)
        for handout in project.handouts_for(clinic):
            for lang in clinic.languages:
                found = check_references(project, clinic, handout, lang) + check_texts(project, clinic, handout, lang)
                if not found:  # the same glyph checks as a build, once its texts render
                    found = check_glyphs(project, clinic, handout, lang)
                for p in found + check_page_texts(project, clinic, handout, lang):
                    if p.format_message() not in seen:
                        seen.add(p.format_message())
                        problems.append(p)
    return project, problems
