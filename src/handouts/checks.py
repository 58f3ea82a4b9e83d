"""Take a project and give back the problems a build would meet in its text and colours, without drawing.

Used by ``handouts validate``; imports no reportlab, so it stays fast.
"""

from __future__ import annotations

from pathlib import Path

from .colors import AA_BODY, WHITE, contrast, heading_color, text_on
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
    strings = project.strings.get(lang)
    context = dict(handout_context(project, clinic, handout, lang), page=1, pages=1)
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
    """Check the colour pairs a clinic's handouts use against WCAG AA.

    Headings in the brand colour on white paper need 4.5:1 (else they fall back to ink, off
    brand); text on brand bands is black or white, whichever is higher, and needs 4.5:1.
    """
    out: list[HandoutError] = []
    lines = clinic.lines.get("branding") or clinic.lines
    for field in ("primary_color", "accent_color"):
        color = getattr(clinic, field)
        on_band = contrast(text_on(color), color)
        line = lines.line_of(field) if hasattr(lines, "line_of") else None
        if on_band < AA_BODY:
            out.append(
                ConfigError(
                    f"branding.{field}: text on a {color} band reaches only {on_band:.2f}:1 against {text_on(color)} "
                    "(WCAG AA needs 4.5:1): choose a darker or lighter colour",
                    clinic.display,
                    line,
                )
            )
    ratio = contrast(clinic.primary_color, WHITE)
    if heading_color(clinic.primary_color) != clinic.primary_color:
        line = lines.line_of("primary_color") if hasattr(lines, "line_of") else None
        out.append(
            ConfigError(
                f"branding.primary_color: headings in {clinic.primary_color} on white reach only {ratio:.2f}:1 "
                "(WCAG AA needs 4.5:1); they will print in black instead: choose a darker colour to keep them on brand",
                clinic.display,
                line,
            )
        )
    return out


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
        for handout in project.handouts_for(clinic):
            for lang in clinic.languages:
                found = check_references(project, clinic, handout, lang) + check_texts(project, clinic, handout, lang)
                for p in found + check_page_texts(project, clinic, handout, lang):
                    if p.format_message() not in seen:
                        seen.add(p.format_message())
                        problems.append(p)
    return project, problems
