"""Take a project and give back the problems a build would meet in its text and colours, without drawing.

Used by ``handouts validate``; imports no reportlab, so it stays fast.
"""

from __future__ import annotations

from .colors import WHITE, contrast, text_on
from .config import Clinic
from .errors import ConfigError, HandoutError
from .project import Project, handout_context
from .render import Styling, render_text, to_markup


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
        if on_band < 4.5:
            out.append(
                ConfigError(
                    f"branding.{field}: text on a {color} band reaches only {on_band:.2f}:1 against {text_on(color)} "
                    "(WCAG AA needs 4.5:1): choose a darker or lighter colour",
                    clinic.display,
                    line,
                )
            )
    ratio = contrast(clinic.primary_color, WHITE)
    if ratio < 4.5:
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
