"""Take a clinic, a handout recipe and a language and give back the finished PDF bytes.

This is where the stages meet: layout geometry for the clinic's paper, the theme from the
clinic's branding, flowables from the blocks, and the PDF stage.
"""

from __future__ import annotations

from .assets import families_for, load_logo
from .colors import to_gray
from .config import Clinic, localized
from .content import Handout
from .errors import LayoutError
from .layout import Layout
from .pdf import Job, compose
from .project import Project, clinic_name, handout_context
from .story import WARNING_RED, Theme, Writer
from .variant import LARGE_BODY, Variant


def _same(color: str) -> str:
    return color


def _pour(handout: Handout, order: list[str], into: str) -> Handout:
    """Return ``handout`` with all its blocks in one slot, in the reading order of its own layout's slots."""
    from dataclasses import replace

    ids: list[str] = []
    for slot in order:
        for block_id in handout.slots.get(slot, ()):
            if block_id not in ids:
                ids.append(block_id)
    return replace(handout, slots={into: tuple(ids)})


def layout_for(project: Project, handout: Handout, variant: Variant) -> Layout:
    """Return the layout a handout uses in ``variant``: large print may switch to a roomier layout.

    Raises ``LayoutError`` when the large-print layout is missing or its body text is under 16 pt.
    """
    layout = project.layouts[handout.layout]
    if not variant.large_print:
        return layout
    target = layout.values["large_print"] or layout.id
    if target not in project.layouts:
        raise LayoutError(
            f"large_print: no layout {target!r} in layouts/", layout.display, layout.lines.line_of("large_print")
        )
    large = project.layouts[target]
    sizes = large.values["type"]
    for name in ("body", "small", "subheading"):
        if sizes[name] < LARGE_BODY:
            raise LayoutError(
                f"type.{name}: {sizes[name]:g}pt is under {LARGE_BODY:g}pt, so layout {large.id!r} cannot be "
                "used for large print: raise it, or set large_print: to a larger layout",
                large.display,
                large.lines.line_of("type"),
            )
    return large


def check_inserted_glyphs(clinic: Clinic, handout: Handout, lang: str, writer: Writer) -> None:
    """Check the words that blocks and layouts insert (the clinic's, the handout's title) against their faces.

    A layout or block that prints ``{{ clinic.name }}`` or ``{{ handout.title }}`` would otherwise report
    a missing character as its own; raises ``LayoutError`` naming the file, line and field it came from.
    """
    from xml.sax.saxutils import escape

    body, heading = writer.theme.body, writer.theme.heading
    lines, address, hours = clinic.lines, clinic.lines.get("address"), clinic.lines.get("hours")
    # (file, field, line, text, faces: (family, bold) pairs that print it)
    name_faces = ((body, False), (body, True), (heading, True))  # footer, contact details, page header
    texts = [(clinic.display, "name", lines.line_of("name"), localized(clinic.name, lang), name_faces)]
    texts.append(
        (clinic.display, "tagline", lines.line_of("tagline"), localized(clinic.tagline, lang), ((body, False),))
    )
    texts += [(clinic.display, f"address[{i + 1}]", address.line_of(i), a, ((body, False),))
              for i, a in enumerate(clinic.address)]  # fmt: skip
    texts += [(clinic.display, f"hours.{d}", hours.line_of(d), h, ((body, False),)) for d, h in clinic.hours.items()]
    words, wlines = handout.text.get(lang, {}), handout.lines.get("text", {}).get(lang)
    for key, faces in (("title", ((heading, True),)), ("subtitle", ((body, False),))):
        line = wlines.line_of(key) if wlines is not None else handout.lines.line
        texts.append((handout.display, f"text.{lang}.{key}", line, words.get(key), faces))
    for display, where, line, text, faces in texts:
        for family, bold in faces if text else ():
            writer.check_glyphs(escape(text), family, None, where, line, display, bold=bold)


def compose_handout(
    project: Project, clinic: Clinic, handout: Handout, lang: str, variant: Variant | None = None
) -> bytes:
    """Render ``handout`` for ``clinic`` in ``lang`` as ``variant`` (standard by default).

    Returns PDF bytes; raises ``LayoutError``, ``ContentError``, ``TemplateError`` or
    ``ConfigError`` naming the file, block and panel concerned.
    """
    variant = variant or Variant()
    layout = layout_for(project, handout, variant)
    geometry = layout.geometries[clinic.paper]  # resolved once, when the layout was loaded
    if variant.large_print and layout.id != handout.layout:
        if set(handout.slots) - set(layout.slots()):
            # the recipe's slots are for another layout: pour them, in reading order, into the first slot
            handout = _pour(handout, project.layouts[handout.layout].reading_order(), layout.slots()[0])
    body, heading = families_for(clinic, lang)
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
        gray=to_gray if variant.grayscale else _same,
    )
    context = handout_context(project, clinic, handout, lang)
    writer = Writer(theme, clinic, context, handout.id)
    check_inserted_glyphs(clinic, handout, lang, writer)
    fills = {p.slot: theme.color(p.fill) for page in geometry.pages for p in reversed(page.panels) if p.slot}
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
        variant=variant,
    )
    return compose(job)
