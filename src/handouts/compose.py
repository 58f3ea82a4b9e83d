"""Take a clinic, a handout recipe and a language and give back the finished PDF bytes.

This is where the stages meet: layout geometry for the clinic's paper, the theme from the
clinic's branding, flowables from the blocks, and the PDF stage.
"""

from __future__ import annotations

from .assets import load_logo, register_family
from .config import Clinic
from .content import Handout
from .layout import resolve
from .pdf import Job, compose
from .project import Project, clinic_name, handout_context
from .story import WARNING_RED, Theme, Writer


def _same(color: str) -> str:
    return color


def compose_handout(project: Project, clinic: Clinic, handout: Handout, lang: str) -> bytes:
    """Render ``handout`` for ``clinic`` in ``lang``.

    Returns PDF bytes; raises ``LayoutError``, ``ContentError``, ``TemplateError`` or
    ``ConfigError`` naming the file, block and panel concerned.
    """
    layout = project.layouts[handout.layout]
    geometry = resolve(layout, clinic.paper)
    body = register_family(clinic.body_font, clinic.display)
    heading = register_family(clinic.heading_font, clinic.display) if clinic.heading_font else body
    theme = Theme(
        body=body,
        heading=heading,
        primary=clinic.primary_color,
        accent=clinic.accent_color,
        warning=WARNING_RED,
        sizes=geometry.type,
        leading=geometry.type["leading"],
        strings=project.strings[lang],
        lang=lang,
        gray=_same,
    )
    context = handout_context(project, clinic, handout, lang)
    writer = Writer(theme, clinic, context, handout.id)
    fills = {p.slot: p.fill for page in geometry.pages for p in reversed(page.panels) if p.slot}
    slots = {}
    block_files = {}
    for slot in geometry.slots():
        flowables = []
        for block_id in handout.slots.get(slot, ()):
            block = project.block_for(clinic.slug, block_id)
            assert block is not None  # checked by check_references
            block_files[block.id] = block.display
            flowables += writer.block(block, fills.get(slot, "none"))
        slots[slot] = flowables
    words = handout.text[lang]
    job = Job(
        geometry=geometry,
        slots=slots,
        theme=theme,
        writer=writer,
        logo=load_logo(clinic),
        context=context,
        title=words["title"],
        author=clinic_name(clinic, lang),
        subject=words.get("subtitle") or words["title"],
        lang=lang,
        where=f"handout {handout.id!r} for clinic {clinic.slug!r} ({lang})",
        block_files=block_files,
    )
    return compose(job)
