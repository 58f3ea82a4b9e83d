"""Take one handout's flowables and its layout geometry and give back the PDF as bytes.

Layout and drawing are separate passes: ``_fill`` places every flowable of a slot into the
slot's panels (adding pages where the layout repeats, failing with the block and panel named
where it cannot), then ``_draw`` paints furniture and the placed flowables, now that the page
count for "Page X of Y" is known. Nothing is clipped: what does not fit is an error.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors as rl_colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.doctemplate import LayoutError as RLLayoutError

from .assets import Logo
from .colors import text_on
from .errors import LayoutError
from .layout import MARK_ROOM, ElementGeo, Geometry, PanelGeo, Rect
from .render import Styling, render_text, to_markup
from .story import ALIGN, CHINESE_CANNOT_START, Theme, Writer, qr_code
from .variant import BLEED, SLUG, Variant

EPS = 0.01


def pin_reportlab_settings() -> None:
    """Fix the reportlab settings that keep rendering safe and repeatable.

    reportlab reads ``RL_*`` environment variables and settings files at import; these values
    are set again in code so nothing outside the project can loosen them.
    """
    rl_config.invariant = 1  # identical bytes for identical input
    rl_config.trustedHosts = []  # never fetch images or fonts from the network
    rl_config.trustedSchemes = []
    rl_config.toColorCanUse = "rl_extended_literal_eval"  # literals only, never eval
    rl_config.allowTableBoundsErrors = 0
    rl_config.shapeChecking = 1
    rl_config.pageCompression = 1
    rl_config.useA85 = 0  # binary streams: smaller files, and no slow pure-Python ASCII85 encoding
    rl_config.warnOnMissingFontGlyphs = 0  # checked ourselves, as an error naming the block
    rl_config.hyphenationLang = ""
    # reportlab's list of characters that may not start a line is Japanese; add the full-width
    # punctuation of Chinese, so a line never starts with "，" or "："
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):  # one copy for single-style paragraphs, one for mixed ones
        module.ALL_CANNOT_START += "".join(ch for ch in CHINESE_CANNOT_START if ch not in module.ALL_CANNOT_START)
    rl_config.embeddedHyphenation = 0
    rl_config.platypus_link_underline = 0
    rl_config.allowTTFSubsetting = []
    rl_config.autoGenerateMissingTTFName = 0
    rl_config.ttfAsciiReadable = 1
    rl_config.documentLang = None


pin_reportlab_settings()


@dataclass
class Placed:
    """A flowable at its place on a page."""

    flowable: Flowable
    x: float
    y: float


@dataclass
class PageContent:
    """What one output page holds: its template and the flowables placed on it."""

    template: int
    placed: list[Placed] = field(default_factory=list)


@dataclass
class Job:
    """Everything the PDF stage needs for one handout."""

    geometry: Geometry
    slots: dict[str, list[Flowable]]  # slot -> flowables, in order
    theme: Theme
    writer: Writer
    logo: Logo | None
    context: dict[str, Any]
    title: str
    author: str
    subject: str
    lang: str
    where: str  # "handout 'first-visit' for clinic 'lotus' (en)", for messages
    block_files: dict[str, str]  # block id -> display path
    variant: Variant = field(default_factory=Variant)


def _panels_for(geometry: Geometry, slot: str) -> Iterator[tuple[int, PanelGeo]]:
    pages = geometry.pages
    for index, page in enumerate(pages):
        for panel in page.panels:
            if panel.slot == slot:
                yield index, panel
    last = pages[-1]
    if geometry.repeat == "last" and any(p.slot == slot for p in last.panels):
        index = len(pages)
        while True:
            for panel in last.panels:
                if panel.slot == slot:
                    yield index, panel
            index += 1


def _tag(parts: list[Flowable], source: Flowable) -> list[Flowable]:
    block = getattr(source, "_block_id", None)
    for part in parts:
        part._block_id = block  # type: ignore[attr-defined]
    return parts


def _overflow(job: Job, flowable: Flowable, panel: PanelGeo, page: int, too_big: bool) -> LayoutError:
    block = getattr(flowable, "_block_id", None) or "?"
    text = _text_of(flowable)
    snippet = f" (starting {text[:60]!r})" if text else ""
    if too_big:
        detail = f"block {block!r} has a part too large for panel {panel.id!r}{snippet}: shorten it or split it"
    else:
        detail = (
            f"block {block!r} does not fit: it runs past panel {panel.id!r} (page {page + 1}) of layout "
            f"{job.geometry.layout_id!r}{snippet}: "
            "shorten the text, move a block to another slot, or use a roomier layout"
        )
    return LayoutError(f"{job.where}: {detail}", job.block_files.get(block))


def _text_of(flowable: Flowable) -> str:
    if isinstance(flowable, Paragraph):
        return " ".join(flowable.getPlainText().split())
    return ""


MAX_PAGES = 50


def _fill(
    job: Job,
    slot: str,
    items: list[Flowable],
    pages: dict[int, PageContent],
    canvas: Canvas,
    keep_whole: bool = True,
    moved: list[Flowable] | None = None,
) -> None:
    queue = list(items)
    panels = _panels_for(job.geometry, slot)
    last: tuple[int, PanelGeo] | None = None
    nxt = next(panels, None)
    while queue:
        if nxt is None or nxt[0] >= MAX_PAGES:
            assert last is not None
            raise _overflow(job, queue[0], last[1], last[0], too_big=False)
        index, panel = last = nxt
        nxt = next(panels, None)  # the panel after this one, to know whether a box can move on whole
        page = pages.setdefault(index, PageContent(min(index, len(job.geometry.pages) - 1)))
        frame = panel.frame
        cursor = frame.top
        placed_here: list[Placed] = []
        try:
            while queue:
                f = queue[0]
                f.canv = canvas
                before = f.getSpaceBefore() if placed_here else 0.0
                avail = cursor - frame.y - before
                w, h = f.wrap(frame.width, avail)
                if w > frame.width + EPS:
                    raise _overflow(job, f, panel, index, too_big=True)
                if h <= avail + EPS and not _strands_heading(
                    f, queue, frame.width, avail - h - f.getSpaceAfter(), placed_here
                ):
                    placed_here.append(Placed(f, frame.x, cursor - before - h))
                    cursor -= before + h + f.getSpaceAfter()
                    queue.pop(0)
                    continue
                if keep_whole and placed_here and getattr(f, "keep_whole", False) and _fits_whole(f, nxt):
                    if moved is not None:
                        moved.append(f)
                    break  # a box that fits whole in the next panel moves there rather than split
                parts = f.split(frame.width, avail) if avail > 0 else []
                if parts and len(parts) > 1:
                    queue[0:1] = _tag(parts, f)
                    first = queue[0]
                    _, fh = first.wrap(frame.width, avail)
                    if fh <= avail + EPS:
                        continue
                    queue[0 : len(parts)] = [f]
                if not placed_here:
                    # nothing fits even in an empty panel: a later panel may be bigger, but a
                    # repeating page will never be, so stop before looping forever
                    if index >= len(job.geometry.pages) - 1 and job.geometry.repeat == "last":
                        raise _overflow(job, f, panel, index, too_big=True)
                break
        except RLLayoutError:
            # reportlab's own check: a part wider than its table cell (a QR code in a narrow panel)
            raise _overflow(job, queue[0], panel, index, too_big=True) from None
        if panel.valign != "top" and placed_here:
            spare = cursor - frame.y
            shift = spare / 2 if panel.valign == "middle" else spare
            for p in placed_here:
                p.y -= shift
        page.placed += placed_here


def _copy(pages: dict[int, PageContent]) -> dict[int, PageContent]:
    return {i: PageContent(p.template, list(p.placed)) for i, p in pages.items()}


def _fill_slot(
    job: Job, slot: str, items: list[Flowable], pages: dict[int, PageContent], canvas: Canvas
) -> dict[int, PageContent]:
    """Fill ``slot`` and return the pages. Boxes move on whole where they fit in the next panel,
    unless that costs a page (or makes the slot overflow) that splitting them would not."""
    moved: list[Flowable] = []
    whole: dict[int, PageContent] | None = _copy(pages)
    try:
        _fill(job, slot, items, whole, canvas, moved=moved)
    except LayoutError:
        if not moved:
            raise
        whole = None
    if not moved:
        assert whole is not None
        return whole
    split = _copy(pages)
    try:
        _fill(job, slot, items, split, canvas, keep_whole=False)
    except LayoutError:
        if whole is None:
            raise
        split = None
    if split is not None and (whole is None or max(split) < max(whole)):
        return split
    whole = _copy(pages)  # fill again, so every flowable is left measured as this layout places it
    _fill(job, slot, items, whole, canvas)
    return whole


def _fits_whole(f: Flowable, upcoming: tuple[int, PanelGeo] | None) -> bool:
    """True when ``f`` fits, whole, in the empty ``upcoming`` panel."""
    if upcoming is None or upcoming[0] >= MAX_PAGES:
        return False
    frame = upcoming[1].frame
    w, h = f.wrap(frame.width, frame.height)
    return w <= frame.width + EPS and h <= frame.height + EPS


def _strands_heading(f: Flowable, queue: list[Flowable], width: float, room: float, placed: list[Placed]) -> bool:
    """True when ``f`` keeps with the next flowable and that one (or its chain) cannot start in ``room``."""
    if not getattr(f, "keepWithNext", 0) or len(queue) < 2 or not placed:
        return False
    nxt = queue[1]
    nxt.canv = f.canv
    room -= nxt.getSpaceBefore()
    _, h = nxt.wrap(width, max(room, 0))
    if h <= room + EPS:
        # it fits whole; if it too keeps with the next, that one must be able to start after it
        return _strands_heading(nxt, queue[1:], width, room - h - nxt.getSpaceAfter(), placed)
    if getattr(nxt, "keepWithNext", 0):
        return True
    parts = nxt.split(width, room) if room > 0 else []
    return not (parts and len(parts) > 1)


class Painter:
    """Draws one handout's pages onto a canvas."""

    def __init__(self, job: Job, canvas: Canvas) -> None:
        self.job = job
        self.c = canvas
        self.gray = job.theme.gray
        self.bleed = BLEED[job.geometry.clinic_paper] if job.variant.print_shop else 0.0

    def color(self, role: str) -> str:
        return self.job.theme.color(role)

    def _bled(self, rect: Rect) -> Rect:
        """Extend the edges of ``rect`` that touch the trim into the bleed (print-shop output only)."""
        bleed = self.bleed
        if not bleed:
            return rect
        geo = self.job.geometry
        x0 = rect.x - bleed if rect.x <= EPS else rect.x
        y0 = rect.y - bleed if rect.y <= EPS else rect.y
        x1 = rect.right + bleed if rect.right >= geo.width - EPS else rect.right
        y1 = rect.top + bleed if rect.top >= geo.height - EPS else rect.top
        return Rect(x0, y0, x1 - x0, y1 - y0)

    def fill_rect(self, rect: Rect, role: str) -> None:
        if role == "none":
            return
        self.c.setFillColor(rl_colors.HexColor(self.gray(self.color(role))))
        self.c.rect(rect.x, rect.y, rect.width, rect.height, stroke=0, fill=1)

    def page(self, number: int, total: int, content: PageContent) -> None:
        template = self.job.geometry.pages[content.template]
        context = dict(self.job.context, page=number, pages=total)
        context["t"] = _Strings(self.job.theme.strings, context)
        for el in template.elements:
            if el.type == "band":
                self.fill_rect(self._bled(el.rect) if el.options["bleed"] else el.rect, el.options["fill"])
        for panel in template.panels:
            self.fill_rect(panel.rect, panel.fill)
        for el in template.elements:
            if el.type != "band":
                getattr(self, "_" + el.type)(el, context, template.id)
        for p in content.placed:
            p.flowable.drawOn(self.c, p.x, p.y)

    def _rule(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        self.c.setStrokeColor(rl_colors.HexColor(self.gray(self.color(el.options["fill"]))))
        self.c.setLineWidth(el.options["thickness"])
        y = el.rect.top
        self.c.line(el.rect.x, y, el.rect.right, y)

    def _logo(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        logo = self.job.logo
        if logo is None:
            return
        box = el.rect
        scale = min(box.width / logo.width, box.height / logo.height)
        w, h = logo.width * scale, logo.height * scale
        x = {"left": box.x, "center": box.x + (box.width - w) / 2, "right": box.right - w}[el.options["align"]]
        y = {"top": box.top - h, "middle": box.y + (box.height - h) / 2, "bottom": box.y}[el.options["valign"]]
        image = logo.image
        if self.job.theme.gray("#ff0000") != "#ff0000":
            image = image.convert("LA" if image.mode == "RGBA" else "L")  # type: ignore[attr-defined]
        self.c.drawImage(ImageReader(image), x, y, w, h, mask="auto")

    def _text_value(self, el: ElementGeo, key: str, context: dict[str, Any], page_id: str) -> str:
        where = f"pages.{page_id}.elements[{el.index}].{key}"
        layout_file = f"layouts/{self.job.geometry.layout_id}.yaml"
        return render_text(el.options[key], context, layout_file, 1, where).strip()

    def _text(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        text = self._text_value(el, "text", context, page_id)
        if not text:
            if el.options["optional"]:
                return
        on = self.color(el.options["background"])
        role = el.options["color"]
        color = text_on(on) if role == "auto" else self.color(role)
        base = self.job.theme.style(el.options["style"], "none")
        style = base.clone(
            base.name + "-el",
            textColor=rl_colors.HexColor(self.gray(color)),
            alignment=ALIGN[el.options["align"]],
            spaceBefore=0,
            spaceAfter=0,
        )
        where = f"pages.{page_id}.elements[{el.index}].text"
        layout_file = f"layouts/{self.job.geometry.layout_id}.yaml"
        markup = "<br/>".join(to_markup(line, Styling(), layout_file, 1, where) for line in text.split("\n"))
        para = self.job.writer.paragraph(markup, style, None, where, 1, layout_file, markup=False)
        _, h = para.wrap(el.rect.width, el.rect.height)
        size, floor = style.fontSize, el.options["min_size"] or style.fontSize
        while h > el.rect.height + EPS and size - 0.5 >= floor:
            # documented shrink-to-fit: smaller type, never below min_size, never clipped
            size -= 0.5
            smaller = style.clone(style.name + "-fit", fontSize=size, leading=size * style.leading / style.fontSize)
            para = self.job.writer.paragraph(markup, smaller, None, where, 1, layout_file, markup=False)
            _, h = para.wrap(el.rect.width, el.rect.height)
        if h > el.rect.height + EPS:
            raise LayoutError(
                f"{self.job.where}: {where}: the text {text[:60]!r} needs {h / 72:.2f}in but the element is "
                f"{el.rect.height / 72:.2f}in tall: shorten the text or make the element taller",
                layout_file,
            )
        y = {"top": el.rect.top - h, "middle": el.rect.y + (el.rect.height - h) / 2, "bottom": el.rect.y}[
            el.options["valign"]
        ]
        para.drawOn(self.c, el.rect.x, y)

    def _qr(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        data = self._text_value(el, "data", context, page_id)
        if not data:
            return
        size = min(el.rect.width, el.rect.height)
        drawing = qr_code(data, size, f"layouts/{self.job.geometry.layout_id}.yaml", 1, self.gray)
        x = {"left": el.rect.x, "center": el.rect.x + (el.rect.width - size) / 2, "right": el.rect.right - size}[
            el.options["align"]
        ]
        drawing.drawOn(self.c, x, el.rect.top - size)


class _Strings(dict):
    """Page strings, rendered on use so ``page_of`` can say "Page {{ page }} of {{ pages }}"."""

    def __init__(self, table: dict[str, str], context: dict[str, Any]) -> None:
        super().__init__(table)
        self._context = context

    def __getitem__(self, key: str) -> str:
        raw = super().__getitem__(key)
        return render_text(raw, self._context, "content/strings.yaml", 1, key)


def _sheet(job: Job) -> tuple[float, float, tuple[tuple[float, float], ...]]:
    """Return the output sheet size and where each copy of a design page goes on it."""
    geo = job.geometry
    if job.variant.print_shop:
        return geo.width + 2 * SLUG, geo.height + 2 * SLUG, ((SLUG, SLUG),)
    if geo.impose:
        return geo.impose.width, geo.impose.height, geo.impose.origins
    return geo.width, geo.height, ((0.0, 0.0),)


def _marks(canvas: Canvas, job: Job, origins: tuple[tuple[float, float], ...], template: int) -> None:
    """Draw crop marks outside each copy's trim, and fold marks outside a print-shop sheet."""
    geo = job.geometry
    if not (job.variant.print_shop or geo.impose):
        return
    offset = BLEED[geo.clinic_paper] + 3 if job.variant.print_shop else 3.0
    length = SLUG - offset - 4 if job.variant.print_shop else MARK_ROOM - offset
    canvas.saveState()
    canvas.setStrokeColor(rl_colors.black)
    canvas.setLineWidth(0.5)
    for ox, oy in origins:
        for x in (ox, ox + geo.width):
            for y, direction in ((oy, -1), (oy + geo.height, 1)):
                canvas.line(x, y + direction * offset, x, y + direction * (offset + length))
        for y in (oy, oy + geo.height):
            for x, direction in ((ox, -1), (ox + geo.width, 1)):
                canvas.line(x + direction * offset, y, x + direction * (offset + length), y)
        if job.variant.print_shop:
            canvas.setDash(3, 2)
            for fold in geo.pages[template].folds:
                x = ox + fold
                canvas.line(x, oy - offset, x, oy - offset - length)
                canvas.line(x, oy + geo.height + offset, x, oy + geo.height + offset + length)
            canvas.setDash()
    canvas.restoreState()


def compose(job: Job) -> bytes:
    """Lay out and draw one handout.

    Returns the PDF bytes; raises ``LayoutError`` naming the block and panel for content that
    does not fit, and ``TemplateError``/``ContentError`` for text that cannot be rendered.
    """
    buffer = io.BytesIO()
    geo = job.geometry
    width, height, origins = _sheet(job)
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        invariant=1,
        lang=job.lang,
        pageCompression=1,
        initialFontName=job.theme.body.regular,  # else an unembedded Helvetica is referenced
    )
    if job.variant.print_shop:
        bleed = BLEED[geo.clinic_paper]
        canvas.setTrimBox((SLUG, SLUG, SLUG + geo.width, SLUG + geo.height))
        canvas.setBleedBox((SLUG - bleed, SLUG - bleed, SLUG + geo.width + bleed, SLUG + geo.height + bleed))
    # every template page is printed, except a repeating last one, which only appears when content reaches it
    fixed = len(geo.pages) - (1 if geo.repeat == "last" and len(geo.pages) > 1 else 0)
    pages: dict[int, PageContent] = {i: PageContent(i) for i in range(fixed)}
    for slot, items in job.slots.items():
        pages = _fill_slot(job, slot, items, pages, canvas)
    total = max(pages) + 1
    painter = Painter(job, canvas)
    for index in range(total):
        content = pages.get(index) or PageContent(min(index, len(geo.pages) - 1))
        for ox, oy in origins:
            canvas.saveState()
            canvas.translate(ox, oy)
            painter.page(index + 1, total, content)
            canvas.restoreState()
        _marks(canvas, job, origins, content.template)
        canvas.showPage()
    canvas.setTitle(job.title)
    canvas.setAuthor(job.author)
    canvas.setSubject(job.subject)
    canvas.setCreator("handouts")
    canvas.setProducer("handouts (reportlab)")
    canvas.setViewerPreference("PrintScaling", "None")
    if geo.duplex != "none":
        canvas.setViewerPreference(
            "Duplex", "DuplexFlipShortEdge" if geo.duplex == "short-edge" else "DuplexFlipLongEdge"
        )
    canvas.save()
    return buffer.getvalue()
