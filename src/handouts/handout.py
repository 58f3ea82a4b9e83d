"""Take a project and one task and give back the finished PDF bytes.

``render()`` is the per-handout recipe: the layout for the variant, the theme from the clinic's
branding, a story of flowables per slot, placement (measured pages, numbers only), and painting
(the bytes).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable

from .assets import families_for, load_logo
from .cjk import is_cjk
from .colors import WARNING_RED, tint, to_gray
from .errors import ConfigError, HandoutError, LayoutError, raise_all
from .grow import grown
from .load.config import Clinic, localized
from .load.content import STRINGS_FILE, Block, Handout, Strings
from .load.i18n import month_year
from .load.layout import LEADINGS, Geometry, Layout
from .load.project import Project, check_references, clinic_name, handout_context
from .pdf import pin_reportlab_settings
from .pdf.paint import Document, PageText, measure_clinic_text, paint
from .pdf.parts import foot_room
from .pdf.place import PageContent, Placed, place
from .pdf.structure import Reading
from .plan import Task
from .render import Styling, render_text, to_markup
from .story.figures import centred, held_for_definition
from .story.flowables import NoteLines, references_last
from .story.sections import Continued
from .story.theme import Theme
from .story.writer import Writer
from .twin import PageWords, twin_html
from .variant import LARGE_BODY, Variant


def _same(color: str) -> str:
    return color


def _pour(handout: Handout, order: list[str], into: str) -> Handout:
    """Return ``handout`` with all its blocks in one slot, in the reading order of its own layout's slots."""
    ids: list[str] = []
    for slot in order:
        for block_id in handout.slots.get(slot, ()):
            if block_id not in ids:
                ids.append(block_id)
    return replace(handout, slots={into: tuple(ids)})


def layout_for(project: Project, handout: Handout, variant: Variant) -> tuple[Layout, Handout]:
    """Return the layout a handout uses in ``variant``, and the handout with its blocks in that layout's slots.

    Large print may switch to a roomier layout; a recipe whose slots are for another layout is
    then poured, in reading order, into the first slot. Raises ``LayoutError`` when the
    large-print layout is missing or its body text is under 16 pt.
    """
    layout = project.layouts[handout.layout]
    if not variant.large_print:
        return layout, handout
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
    if large.id != handout.layout and set(handout.slots) - set(large.slots()):
        handout = _pour(handout, layout.reading_order(), large.slots()[0])
    return large, handout


def check_inserted_glyphs(clinic: Clinic, handout: Handout, lang: str, writer: Writer) -> None:
    """Check the words that blocks and layouts insert (the clinic's, the handout's title) against their faces.

    A layout or block that prints ``{{ clinic.name }}`` or ``{{ handout.title }}`` would otherwise report
    a missing character as its own; raises ``LayoutError`` naming the file, line and field it came from.
    """
    body, heading = writer.theme.body, writer.theme.heading
    lines, address, hours = clinic.lines, clinic.lines.get("address"), clinic.lines.get("hours")
    # (file, field, line, text, faces: (family, bold) pairs that print it)
    name_faces = ((body, False), (body, True), (heading, True))  # footer, contact details, page header
    texts = [(clinic.display, "name", lines.line_of("name"), localized(clinic.name, lang), name_faces)]
    texts.append(
        (clinic.display, "short_name", lines.line_of("short_name"), localized(clinic.short_name, lang), name_faces)
    )
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


def render(project: Project, task: Task) -> bytes:
    """Render one task to PDF bytes.

    Raises ``LayoutError``, ``ContentError``, ``TemplateError`` or ``ConfigError`` naming the
    file, block and panel concerned: anything the user can fix.
    """
    return render_both(project, task, twin=False)[0]


def render_both(project: Project, task: Task, twin: bool = True) -> tuple[bytes, bytes | None]:
    """Render one task to PDF bytes and, with ``twin``, its HTML twin from the same writer and blocks.

    Raises what ``render`` raises; the twin has the PDF's words, so it meets no error of its own
    that the PDF has not met first.
    """
    pin_reportlab_settings()  # before any font is registered or paragraph measured
    clinic = project.clinics[task.clinic]
    raise_all(check_references(project, clinic, task.handout, task.lang))
    layout, handout = layout_for(project, project.handouts[task.handout], task.variant)
    geometry = layout.geometries[clinic.paper]  # resolved once, when the layout was loaded
    where = f"handout {handout.id!r} for clinic {clinic.slug!r} ({task.lang})"
    steps = type_steps(geometry.type, task.variant)

    def writer_at(sizes: dict[str, float]) -> Writer:
        theme = theme_for(clinic, task.lang, sizes, project.strings_for(clinic, task.lang), task.variant)
        context = handout_context(project, clinic, handout, task.lang)
        in_footer = bool(layout.values.get("disclaimer_in_footer"))
        return Writer(theme, clinic, context, handout.id, art_root=project.root / "art", disclaimer_in_footer=in_footer)

    for tries, sizes in enumerate(steps, start=1):
        writer = writer_at(sizes)
        theme, context = writer.theme, writer.context
        check_inserted_glyphs(clinic, handout, task.lang, writer)
        stories, block_files = _stories(project, clinic, handout, layout.slots(), geometry, writer)
        context["handout"]["review"] = review = review_line(project, clinic, handout, task)
        if not _prints_review(geometry):  # else the page furniture prints it, e.g. in a sheet's footer
            last = [slot for slot in layout.reading_order() if stories.get(slot)][-1]
            fill = next((theme.color(p.fill) for pg in geometry.pages for p in pg.panels if p.slot == last), "none")
            stories[last].append(writer.review_line(review, fill))
        try:
            pages = place(geometry, stories, where, block_files, Continued(stories, theme.strings["continued"]))
            break
        except LayoutError as exc:
            if tries == len(steps):
                raise _at_smallest(exc, sizes, geometry.type) from None
    if tries == 1 and not task.variant.large_print:  # a panel its text leaves half empty sets that text larger

        def place_all(stories: dict[str, list[Flowable]]) -> list[PageContent]:
            return place(geometry, stories, where, block_files, Continued(stories, theme.strings["continued"]))

        def story_at(slot: str, bigger: dict[str, float]) -> list[Flowable]:
            return _stories(project, clinic, handout, [slot], geometry, writer_at(bigger))[0][slot]

        pages = grown(geometry, sizes, stories, pages, place_all, story_at)
    if geometry.notes:
        _add_notes(pages[-1], geometry, theme, writer)
    words = handout.text[task.lang]
    document = Document(
        title=words["title"],
        author=clinic_name(clinic, task.lang),
        subject=words.get("subtitle") or words["title"],
        lang=task.lang,
        where=where,
        variant=task.variant,
        clinic_file=clinic.display,
        clinic_lines={str(k): clinic.lines.line_of(k) for k in clinic.lines},
        art_root=project.root / "art",
        cover_image=clinic.cover_image,
        reading=_reading(project, clinic, handout, layout, task.lang, context),
    )
    pdf = paint(geometry, pages, theme, load_logo(clinic), PageText(context, writer.page_paragraph), document)
    if task.variant.print_shop:
        from .pdf.pdfx import intent_for, to_pdfx  # pikepdf and the colour engine: print-shop builds only

        pdf = to_pdfx(pdf, intent_for(clinic, theme.gray))
    if not twin:
        return pdf, None
    slots = [[b for i in handout.slots.get(slot, ()) if (b := project.block_for(clinic.slug, i))]
             for slot in layout.reading_order()]  # fmt: skip
    page_words = PageWords(
        title=words["title"],
        subtitle=words.get("subtitle") or "",
        headline=words.get("headline") or "",
        clinic=clinic_name(clinic, task.lang),
        tagline=localized(clinic.tagline, task.lang) or "",
        review=review,
        logo=clinic.logo,
    )
    return pdf, twin_html(writer, slots, page_words)


def _reading(
    project: Project, clinic: Clinic, handout: Handout, layout: Layout, lang: str, context: dict[str, Any]
) -> Reading:
    """Return what the PDF's tags need: the blocks in reading order, their kinds, the logo's and QR code's alt text."""
    order = [block_id for slot in layout.reading_order() for block_id in handout.slots.get(slot, ())]
    kinds = {i: block.kind for i in order if (block := project.block_for(clinic.slug, i))}
    slots = {block_id: slot for slot, ids in handout.slots.items() for block_id in ids}
    strings = project.strings_for(clinic, lang)
    alt = {
        key: render_text(strings[key], context, STRINGS_FILE, strings.line_of(key), f"strings.{lang}.{key}")
        for key in ("logo", "qr_alt")
        if key in strings
    }
    name, url = context["clinic"]["name"], clinic.booking_url or ""
    return Reading(order, kinds, slots, alt.get("logo") or str(name), alt.get("qr_alt") or f"QR code: {url}")


def revision(project: Project, clinic: Clinic, handout: Handout, task: Task) -> str:
    """Return a short code for the inputs of one handout: recipe, blocks, layout, strings, the clinic's files.

    Printed beside the review date, so a paper copy can be matched to its source; it changes
    when any input does and never with the clock.
    """
    digest = hashlib.sha256(f"{task.lang}\n{task.variant}\n".encode())
    root = project.root
    paths = [handout.path, root / "content" / "strings.yaml", root / "layouts" / f"{handout.layout}.yaml"]
    paths += [b.path for ids in handout.slots.values() for i in ids if (b := project.block_for(clinic.slug, i))]
    paths += [p for p in clinic.files() if p.is_file()]  # the same clinic files the build record fingerprints
    for path in paths:
        name = path.relative_to(root) if path.is_relative_to(root) else path.relative_to(clinic.folder.resolve())
        digest.update(name.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:7].upper()  # read aloud or typed as a form reference: no case to mistake


def _prints_review(geometry: Geometry) -> bool:
    """True when a text element of the layout prints ``handout.review``."""
    return any("handout.review" in str(e.options.get("text") or "") for pg in geometry.pages for e in pg.elements)


def review_line(project: Project, clinic: Clinic, handout: Handout, task: Task) -> str:
    """Return "Reviewed <Month YYYY> · Ref. <code>" in the task's language: the oldest review date of its blocks."""
    blocks = [b for ids in handout.slots.values() for i in ids if (b := project.block_for(clinic.slug, i))]
    strings = project.strings_for(clinic, task.lang)
    month = month_year(min(b.reviewed for b in blocks), task.lang)
    reviewed = render_text(
        strings["reviewed"],
        {"month": month},
        STRINGS_FILE,
        strings.line_of("reviewed"),
        f"strings.{task.lang}.reviewed",
    )
    return f"{reviewed} · {strings['revision']} {revision(project, clinic, handout, task)}"


CJK_LEADING = 1.1  # times the layout's leading, for Chinese body text (unless the layout gives type.leading_cjk)


SHRINK_STEP = 0.25  # pt of body size per try, when a layout allows shrink-to-fit (its type.min_body)


def type_steps(sizes: dict[str, float], variant: Variant) -> list[dict[str, float]]:
    """Return the type scales to try, largest first: the layout's own, then smaller ones down to its ``min_body``.

    Content that runs past a fixed panel (a card, a tri-fold panel) is set again a quarter point
    smaller, every size in proportion but the page furniture's title, rather than refused, as far
    as the layout's designer allows. Large print never shrinks.
    """
    body, floor = sizes["body"], sizes.get("min_body")
    if floor is None or floor >= body or variant.large_print:
        return [sizes]
    steps = [sizes]
    size = body - SHRINK_STEP
    while size >= floor - 1e-9:
        scale = size / body
        steps.append({k: (v if k in (*LEADINGS, "title", "min_body") else v * scale) for k, v in sizes.items()})
        size -= SHRINK_STEP
    return steps


def _at_smallest(exc: LayoutError, sizes: dict[str, float], designed: dict[str, float]) -> LayoutError:
    """Return ``exc`` saying that it does not fit even at the smallest body size the layout allows."""
    if sizes is designed:
        return exc
    return LayoutError(
        f"{exc.detail} (even with body text at {sizes['body']:g}pt, the layout's type.min_body)", exc.path, exc.line
    )


def theme_for(clinic: Clinic, lang: str, sizes: dict[str, float], strings: Strings, variant: Variant) -> Theme:
    """Return the theme of ``clinic``'s handouts in ``lang``: its fonts, its colours, the layout's type sizes."""
    body, heading = families_for(clinic, lang)
    return Theme(
        body=body,
        heading=heading,
        primary=clinic.primary_color,
        accent=clinic.accent_color,
        warning=WARNING_RED,
        sizes=sizes,
        # Chinese sets more open than Latin (about 1.5 em, as Chinese book and leaflet typesetting does):
        # every character is a full em, with no ascenders or word spaces to let air in
        leading=sizes.get("leading_cjk", sizes["leading"] * CJK_LEADING) if is_cjk(lang) else sizes["leading"],
        strings=strings,
        lang=lang,
        gray=to_gray if variant.grayscale else _same,
    )


def _stories(
    project: Project, clinic: Clinic, handout: Handout, slots: list[str], geometry: Geometry, writer: Writer
) -> tuple[dict[str, list[Flowable]], dict[str, tuple[str, int]]]:
    """Return the flowables of each slot, in order, and each block's file and the line of its text in the language."""
    fills = {p.slot: writer.theme.color(p.fill) for page in geometry.pages for p in reversed(page.panels) if p.slot}
    centre = {p.slot for page in geometry.pages for p in page.panels if p.slot and p.align == "center"}
    stories = {}
    block_files: dict[str, tuple[str, int]] = {}
    for slot in slots:
        flowables: list[Flowable] = []
        figure: list[Flowable] = []  # a figure held back to follow the definition of the condition after it
        made_of: list[tuple[Block, list[Flowable]]] = []
        blocks = [project.block_for(clinic.slug, block_id) for block_id in handout.slots.get(slot, ())]
        for i, block in enumerate(blocks):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            assert block is not None  # checked by check_references
            block_files[block.id] = (block.display, block.text_line(writer.theme.lang))
            made = writer.block(block, fills.get(slot, "none"))
            made = centred(made) if slot in centre else made
            made_of.append((block, made))
            if held_for_definition(block, nxt):
                figure = made
                continue
            flowables += _after_definition(made, figure) if figure else made
            figure = []
        _asides_may_follow(made_of)
        stories[slot] = references_last(flowables)
    return stories, block_files


def _add_notes(page: PageContent, geometry: Geometry, theme: Theme, writer: Writer) -> None:
    """Fill the room the text leaves at the foot of the last page, where it holds ``NoteLines.FEWEST`` lines or
    more, with ruled lines under "Notes" (``strings.yaml``), for what the patient is told at the visit (the
    layout's ``notes``). Notes in one column leave the column beside them as its text leaves it: lines there
    without the heading read as stray rules, or as part of what is above them (rev53a-b, rev54b)."""
    panels = [p for p in geometry.pages[page.template].panels if p.slot]
    style = theme.style("subheading")
    where, line = f"strings.{theme.lang}.notes", theme.strings.line_of("notes")
    heading = writer.paragraph(escape(theme.strings["notes"]), style, None, where, line, STRINGS_FILE, markup=False)
    gap, color = style.fontSize * 1.6, theme.gray(tint(theme.primary, 0.5))
    for x, y, width, height in foot_room(page.placed, panels, gap):  # across, else one column
        lines = NoteLines(heading, width, height, color)
        if len(lines.rules()) >= NoteLines.FEWEST:
            page.placed.append(Placed(lines, x, y))
            return


def _asides_may_follow(made_of: list[tuple[Block, list[Flowable]]]) -> None:
    """Let a warning box that ends a block, or a figure between two blocks, move after the section that follows
    it (``_later``, ``pdf.place``) where, moving on whole, it would leave its column empty, or the next section's
    list would be cut with a stray bullet: it is an aside, read as well a section later. (A figure that opens
    the handout stays first, and a condition's figure has its own places: ``_after_definition``.) A condition's
    help box also keeps with that section (softly: ``pdf.place`` drops the keep to save a page), so it opens the
    next page rather than end one."""
    for i, ((block, made), (after, next_made)) in enumerate(itertools.pairwise(made_of)):
        ends = [f for f in next_made if not getattr(f, "_reference", False)]
        own = [f for f in made if not getattr(f, "_reference", False)]
        if after.kind in ("callout", "figure") or not ends or not own:
            continue
        if block.kind == "figure":  # (not past numbered steps: they are read as one sequence, in one column)
            free = all(getattr(f, "_later", None) is None for f in own)
            moving = own if i and free and after.kind != "steps" else []
        else:
            at = len(own)  # the warning boxes that end the block (a callout, or a condition's "See a doctor")
            while at and getattr(own[at - 1], "_warning", False):
                at -= 1
            moving = own[at:]
        for f in moving:
            f._later = ends[-1]  # type: ignore[attr-defined]
            if block.kind == "condition":
                f.keepWithNext, f._soft_keep = 1, True  # type: ignore[attr-defined]


def _after_definition(condition: list[Flowable], figure: list[Flowable]) -> list[Flowable]:
    """Put a condition's figure right after its definition, so a condition sheet reads: what it is, where it
    is felt, then the symptoms. Placement puts it back before the block where this would cost a page (a
    long definition can leave the figure no room in its column): ``_plain_before``, ``pdf.place``; or after
    the symptoms or the causes where the figure, moving on whole, would leave its column empty below the
    definition, or the column beside it short (``_later``, ``_later_too``)."""
    at = next((i + 1 for i, f in enumerate(condition) if getattr(f, "_definition", False)), 0)
    if at == 0:
        return figure + condition
    ends = [f for f in condition[at:] if getattr(f, "_section_end", False)]
    for f in figure:
        f._plain_before = getattr(condition[0], "_block_id", None)  # type: ignore[attr-defined]
        f._later = ends[0] if ends else None  # type: ignore[attr-defined]  # or after the symptoms, where that fills a column
        f._later_too = tuple(ends[1:])  # type: ignore[attr-defined]  # or after the causes
    return condition[:at] + figure + condition[at:]


def check_furniture(project: Project, clinic: Clinic) -> list[HandoutError]:
    """Measure the clinic's own text (name, tagline, contact line) in every layout box its handouts print it in.

    Returns one ``ConfigError`` per field that cannot fit, at that field's line in clinic.yaml
    (set ``short_name``, or shorten the text), the same error a build would meet; draws nothing.
    """
    pin_reportlab_settings()
    out: dict[str, HandoutError] = {}
    seen: set[tuple[str, str]] = set()
    for handout_id in project.handouts_for(clinic):
        handout = project.handouts[handout_id]
        layout = project.layouts.get(handout.layout)
        for lang in clinic.languages:
            if layout is None or (layout.id, lang) in seen or lang not in project.strings or lang not in handout.text:
                continue
            seen.add((layout.id, lang))
            geometry, theme, writer = _standard_writer(project, clinic, handout, layout, lang)
            document = Document(
                title="", author="", subject="", lang=lang, where=f"layout {layout.id!r} ({lang})",
                clinic_file=clinic.display, clinic_lines={str(k): clinic.lines.line_of(k) for k in clinic.lines},
            )  # fmt: skip
            text = PageText(writer.context, writer.page_paragraph)
            try:
                measure_clinic_text(geometry, theme, text, document)
            except ConfigError as exc:
                out.setdefault(exc.format_message(), exc)
            except HandoutError:
                continue  # another file's problem (a glyph, a template): validate reports it elsewhere
    return list(out.values())


def _standard_writer(
    project: Project, clinic: Clinic, handout: Handout, layout: Layout, lang: str
) -> tuple[Geometry, Theme, Writer]:
    """Return the geometry, theme and writer a standard build of ``handout`` in ``lang`` uses (validate's checks)."""
    geometry = layout.geometries[clinic.paper]
    theme = theme_for(clinic, lang, geometry.type, project.strings_for(clinic, lang), Variant())
    return geometry, theme, Writer(theme, clinic, handout_context(project, clinic, handout, lang), handout.id)


def check_glyphs(project: Project, clinic: Clinic, handout_id: str, lang: str) -> list[HandoutError]:
    """Check every character the handout prints in ``lang`` against the fonts that would print it, as a build does.

    Returns one ``LayoutError`` per text with characters its font lacks (named at the block's, the
    recipe's or clinic.yaml's line); draws nothing. Used by ``handouts validate``.
    """
    pin_reportlab_settings()
    handout = project.handouts[handout_id]
    layout = project.layouts.get(handout.layout)
    if layout is None or lang not in project.strings or lang not in handout.text:
        return []  # check_references reports these
    _, theme, writer = _standard_writer(project, clinic, handout, layout, lang)
    out: list[HandoutError] = []
    try:
        check_inserted_glyphs(clinic, handout, lang, writer)
    except HandoutError as exc:
        out.append(exc)
    for block in filter(None, (project.block_for(clinic.slug, i) for ids in handout.slots.values() for i in ids)):
        for where, line, text in block.fields(lang) if lang in block.text else ():
            heading = where.rsplit(".", 1)[-1] in ("title", "name")
            try:
                rendered = render_text(text, writer.context, block.display, line, where)
                markup = to_markup(rendered, Styling(), block.display, line, where)
                family = theme.heading if heading else theme.body
                writer.check_glyphs(markup, family, block, where, line, block.display, bold=heading)
            except HandoutError as exc:
                out.append(exc)
    return out
