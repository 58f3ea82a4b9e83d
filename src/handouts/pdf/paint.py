"""Take measured pages and give back the PDF bytes: furniture, the placed flowables, crop and fold marks.

Painting knows the page count, so text such as "Page {{ page }} of {{ pages }}" is rendered
here, through ``PageText``: the one callback painting needs from the story stage.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors as rl_colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ..assets import Logo, flatten, knockout
from ..colors import contrast, text_on
from ..errors import ConfigError, LayoutError
from ..load.content import STRINGS_FILE, Strings
from ..load.layout import ElementGeo, Geometry, Rect
from ..load.layout_fields import CARD_BLEED, OFFICE_FRAME
from ..render import Styling, literal, render_text, to_markup
from ..story.art import ArtError, Palette, load_art
from ..story.flowables import qr_code
from ..story.linebreak import has_han
from ..story.para import restyled
from ..story.theme import ALIGN, Theme
from ..variant import BLEED, Variant
from .images import draw_image
from .marks import crowded, rule_between
from .place import EPS, PageContent, Placed
from .sheet import draw_cut_marks, draw_office_marks, office_frame, print_shop_sheet, trim_and_bleed
from .structure import Reading, Structure
from .tagged import tag
from .tags import Tagger

KNOCKOUT_CONTRAST = 3.0  # white on the colour under a logo set to knockout: at least this (WCAG 1.4.11, graphics),
# else the logo keeps its own colours (a white mark on a pale yellow band all but vanished)


@dataclass
class Document:
    """The PDF's metadata and the variant it is printed as."""

    title: str
    author: str
    subject: str
    lang: str
    where: str  # "handout 'first-visit' for clinic 'lotus' (en)", for messages
    variant: Variant = field(default_factory=Variant)
    clinic_file: str = ""  # clinic.yaml, where a clinic text too long for its box is reported
    clinic_lines: dict[str, int] = field(default_factory=dict)  # field -> line in clinic.yaml
    review_line: str = ""  # "Reviewed November 2026 · rev 3f9a2c", drawn small on the last page
    art_root: Path | None = None  # the project's art/ folder, for image and icon elements
    cover_image: Path | None = None  # the clinic's photo for image elements with source: cover
    reading: Reading = field(default_factory=Reading)  # reading order and alternative texts, for the tags


@dataclass
class PageText:
    """Text known only after placement: the Jinja context, and a maker of checked paragraphs.

    ``paragraph(markup, style, where, file)`` returns a Paragraph whose characters were checked
    against the fonts (``Writer.page_paragraph``).
    """

    context: dict[str, Any]
    paragraph: Callable[[str, ParagraphStyle, str, str], Paragraph]


@dataclass
class _Job:
    geometry: Geometry
    theme: Theme
    logo: Logo | None
    text: PageText
    document: Document


class Painter:
    """Draws one handout's pages onto a canvas."""

    def __init__(self, job: _Job, canvas: Canvas, structure: Structure | None = None) -> None:
        self.job = job
        self.c = canvas
        self.structure = structure
        self.gray = job.theme.gray
        self.print_shop = job.document.variant.print_shop
        # print shop: the paper's bleed; an office card sheet: a little, inside the gutter and the marks' offset
        self.bleed = BLEED[job.geometry.clinic_paper] if self.print_shop else CARD_BLEED if job.geometry.impose else 0.0

    def color(self, role: str) -> str:
        return self.job.theme.color(role)

    def _bled(self, rect: Rect) -> Rect:
        """Extend the edges of ``rect`` that touch the trim into the bleed (print shop, office card sheets)."""
        bleed = self.bleed
        if not bleed:
            return rect
        geo = self.job.geometry
        x0 = rect.x - bleed if rect.x <= EPS else rect.x
        y0 = rect.y - bleed if rect.y <= EPS else rect.y
        x1 = rect.right + bleed if rect.right >= geo.width - EPS else rect.right
        y1 = rect.top + bleed if rect.top >= geo.height - EPS else rect.top
        return Rect(x0, y0, x1 - x0, y1 - y0)

    def _past_folds(self, rect: Rect, folds: tuple[float, ...]) -> Rect:
        """Move the edge of colour that ends at a fold so the folded panel looks designed.

        Where colour bleeds (a print shop), it runs 1/16 in past the fold, so a fold a little off
        shows no white sliver. On an office sheet the printer leaves a white frame at the paper's
        edges, so colour stops the same distance short of the fold: the folded cover shows an even
        frame on all four sides, not white on three and none on the fourth.
        """
        office = not (self.bleed or self.job.geometry.impose)
        shift = -OFFICE_FRAME if office else FOLD_OVERRUN
        x0, x1 = rect.x, rect.right
        for fold in folds:
            if abs(x0 - fold) < 1:
                x0 = fold - shift
            if abs(x1 - fold) < 1:
                x1 = fold + shift
        return Rect(x0, rect.y, x1 - x0, rect.height)

    def fill_rect(self, rect: Rect, role: str) -> None:
        if role == "none":
            return
        geo = self.job.geometry
        if not (self.bleed or geo.impose):  # office: colour stops at the frame printers can reach
            rect = office_frame(rect, geo.width, geo.height)
        self.c.setFillColor(rl_colors.HexColor(self.gray(self.color(role))))
        self.c.rect(rect.x, rect.y, rect.width, rect.height, stroke=0, fill=1)

    def page(self, number: int, total: int, content: PageContent) -> None:
        template = self.job.geometry.pages[content.template]
        context = dict(self.job.text.context, page=number, pages=total)
        context["t"] = _Strings(self.job.theme.strings, self.job.theme.lang, context)
        for el in template.elements:
            if el.type == "band":
                rect = self._past_folds(el.rect, template.folds)
                self.fill_rect(self._bled(rect) if el.options["bleed"] else rect, el.options["fill"])
        for panel in template.panels:
            self.fill_rect(self._past_folds(panel.rect, template.folds), panel.fill)
        tags = self.structure
        for el in template.elements:
            if el.type != "band" and not crowded(el, template.panels, content):
                with tags.element(el, content.template) if tags else nullcontext():
                    getattr(self, "_" + el.type)(el, context, template.id)
        above: dict[float, Placed] = {}  # the last flowable drawn in each column
        for p in content.placed:
            prev = above.get(round(p.x, 1))
            if getattr(p.flowable, "_rule_above", None) and prev is not None and prev.y > p.y:
                with tags.tagger.piece(None) if tags else nullcontext():  # an artifact: it says nothing
                    rule_between(self.c, prev, p)
            above[round(p.x, 1)] = p
            with tags.placed(p.flowable) if tags else nullcontext():
                p.flowable.drawOn(self.c, p.x, p.y)

    def _rule(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        self.c.setStrokeColor(
            rl_colors.HexColor(self.gray(self.job.theme.marker_color(self.color(el.options["fill"]))))
        )
        self.c.setLineWidth(el.options["thickness"])
        y = el.rect.top
        self.c.line(el.rect.x, y, el.rect.right, y)

    def _logo_at(self, el: ElementGeo) -> Rect | None:
        """Return where the clinic's logo is drawn in logo element ``el``: scaled to fit its box, aligned in it."""
        logo = self.job.logo
        if logo is None:
            return None
        box = el.rect
        scale = min(box.width / logo.width, box.height / logo.height)
        w, h = logo.width * scale, logo.height * scale
        x = {"left": box.x, "center": box.x + (box.width - w) / 2, "right": box.right - w}[el.options["align"]]
        y = {"top": box.top - h, "middle": box.y + (box.height - h) / 2, "bottom": box.y}[el.options["valign"]]
        return Rect(x, y, w, h)

    def _box(self, el: ElementGeo, page_id: str) -> Rect:
        """Return a text element's box: moved in to ``after_logo`` past a logo beside it that is drawn narrower."""
        gap = el.options.get("after_logo")
        if gap is None:
            return el.rect
        template = next(t for t in self.job.geometry.pages if t.id == page_id)
        for other in template.elements:
            at = self._logo_at(other) if other.type == "logo" else None
            if at is not None and at.y < el.rect.top and at.top > el.rect.y and at.x < el.rect.x:  # side by side
                left = min(el.rect.x, at.right + gap)
                return Rect(left, el.rect.y, el.rect.right - left, el.rect.height)
        return el.rect

    def _logo(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        at = self._logo_at(el)
        if at is None:
            return
        logo, box = self.job.logo, el.rect
        assert logo is not None
        x, y, w, h = at.x, at.y, at.width, at.height
        image = logo.image
        if el.options.get("knockout") and contrast("#ffffff", self._under(box, page_id)) >= KNOCKOUT_CONTRAST:
            image = knockout(image)  # in white on the brand colour; on a light one, in its own colours
        if self.job.theme.gray("#ff0000") != "#ff0000":
            image = image.convert("LA" if image.mode == "RGBA" else "L")  # type: ignore[attr-defined]
        if self.print_shop:  # no transparency: the logo is flattened onto the colour it sits on
            image = flatten(image, self._under(box, page_id))
        draw_image(self.c, image, x, y, w, h)  # encoded once per process, same bytes as drawImage

    def _under(self, box: Rect, page_id: str) -> str:
        """Return the colour painted under the middle of ``box`` on page template ``page_id`` (white paper if none)."""
        template = next(t for t in self.job.geometry.pages if t.id == page_id)
        fields = [(el.rect, el.options["fill"]) for el in template.elements if el.type == "band"]
        fields += [(panel.rect, panel.fill) for panel in template.panels]
        x, y, color = box.x + box.width / 2, box.y + box.height / 2, "#ffffff"
        for rect, role in fields:
            if role != "none" and rect.x <= x <= rect.right and rect.y <= y <= rect.top:
                color = self.job.theme.gray(self.color(role))
        return color

    def _art(self, el: ElementGeo, path: Path, paper: str = "white") -> None:
        """Draw an SVG, PNG or JPEG as large as fits ``el``'s box, aligned as it says."""
        theme = self.job.theme
        layout_file = f"layouts/{self.job.geometry.layout_id}.yaml"
        try:
            palette = Palette(theme.primary, theme.accent, theme.gray, paper=theme.color(paper))
            art = load_art(path, palette, theme.body.regular)
        except ArtError as exc:
            raise LayoutError(f"elements[{el.index}].source: {path.name} {exc}", layout_file) from None
        box = el.rect
        w = min(box.width, box.height / art.aspect)
        h = w * art.aspect
        x = {"left": box.x, "center": box.x + (box.width - w) / 2, "right": box.right - w}[el.options["align"]]
        y = {"top": box.top - h, "middle": box.y + (box.height - h) / 2, "bottom": box.y}[el.options["valign"]]
        art.draw(self.c, x, y, w, flatten=self.print_shop)

    def _image(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        source, root = el.options["source"], self.job.document.art_root
        if source == "cover":
            path = self.job.document.cover_image or (root / "figures" / "cover-fallback.svg" if root else None)
        else:
            path = root.parent / source if root else None
        if path is not None and path.is_file():
            self._art(el, path, el.options["background"])

    def _icon(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        root = self.job.document.art_root
        path = root / "icons" / f"{el.options['source']}.svg" if root else None
        if path is not None and path.is_file():
            self._art(el, path, el.options["background"])

    def _text_value(self, el: ElementGeo, key: str, context: dict[str, Any], page_id: str) -> str:
        where = f"pages.{page_id}.elements[{el.index}].{key}"
        layout_file = f"layouts/{self.job.geometry.layout_id}.yaml"
        return render_text(el.options[key], context, layout_file, el.line, where).strip()

    def _text(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        fitted = self.fit_text(el, context, page_id)
        if fitted is None:
            return
        para, h = fitted
        box = self._box(el, page_id)
        y = {"top": box.top - h, "middle": box.y + (box.height - h) / 2, "bottom": box.y}[el.options["valign"]]
        para.drawOn(self.c, box.x, y)

    def fit_text(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> tuple[Paragraph, float] | None:
        """Return a text element's paragraph and height, fitted to its box, or None for empty optional text.

        The documented order: the text on one line, from ``max_size`` (if any) shrinking towards ``min_size``;
        then wrapped onto as many lines as the box holds, from the style's size shrinking again; then a
        ``LayoutError`` (a ``ConfigError`` at clinic.yaml when the text is the clinic's own, such as its name).
        """
        text = self._text_value(el, "text", context, page_id)
        if not text and el.options["optional"]:
            return None
        box = self._box(el, page_id)
        on = self.color(el.options["background"])
        role = el.options["color"]
        base = self.job.theme.style(el.options["style"], "none")
        color = text_on(on) if role == "auto" else self.job.theme.text_color(self.color(role), on, base.fontSize)
        style = restyled(
            base,
            "-el",
            textColor=rl_colors.HexColor(self.gray(color)),
            alignment=ALIGN[el.options["align"]],
            spaceBefore=0,
            spaceAfter=0,
        )
        where = f"pages.{page_id}.elements[{el.index}].text"
        layout_file = f"layouts/{self.job.geometry.layout_id}.yaml"
        markup = "<br/>".join(to_markup(line, Styling(), layout_file, el.line, where) for line in text.split("\n"))
        floor = min(el.options["min_size"] or style.fontSize, style.fontSize)
        sizes = [style.fontSize - 0.5 * i for i in range(int((style.fontSize - floor) / 0.5) + 1)]
        top = max(el.options["max_size"] or style.fontSize, style.fontSize)  # a short title grows to fill its box
        sizes = [top - 0.5 * i for i in range(int((top - style.fontSize) / 0.5))] + sizes
        lines_given = text.count("\n") + 1
        for one_line in (True, False):
            for size in sizes if one_line else [x for x in sizes if x <= style.fontSize]:
                fit = (
                    style
                    if size == style.fontSize
                    else style.clone(style.name + "-fit", fontSize=size, leading=size * style.leading / style.fontSize)
                )
                para = self.job.text.paragraph(markup, fit, where, layout_file)
                _, h = para.wrap(box.width, box.height)
                if h <= box.height + EPS and (not one_line or h <= fit.leading * lines_given + EPS):
                    if not one_line and el.options["style"] in ("title", "subtitle", "heading", "subheading"):
                        return self._balanced(markup, fit, where, layout_file, box.width, h, el.options["align"])
                    return para, h
        raise self._too_long(el, text, h, floor, where, layout_file)

    def _balanced(
        self, markup: str, style: Any, where: str, layout_file: str, width: float, height: float, align: str
    ) -> tuple[Paragraph, float]:
        """Return a title wrapped as narrow as it goes without adding a line, so its lines are of a length
        ("Living with / nerve pain?", not "Living with nerve / pain?"), aligned as the element says."""
        low, high = width / 3, width
        while high - low > 2:
            mid = (low + high) / 2
            _, h = self.job.text.paragraph(markup, style, where, layout_file).wrap(mid, 10_000)
            low, high = (low, mid) if h <= height + EPS else (mid, high)
        if has_han(markup):  # Chinese reads top-heavy: "正受神经痛 / 困扰吗？", not "正受神经 / 痛困扰吗？"
            while high + style.fontSize / 2 <= width:
                para = self.job.text.paragraph(markup, style, where, layout_file)
                para.wrap(high, 10_000)
                widths = para.getActualLineWidths0()
                if len(widths) < 2 or widths[0] >= widths[-1] - EPS:
                    break
                high += style.fontSize / 2
        spare = width - high
        left = {"left": 0.0, "center": spare / 2, "right": spare}[align]
        narrow = style.clone(style.name + "-balanced", leftIndent=left, rightIndent=spare - left)
        para = self.job.text.paragraph(markup, narrow, where, layout_file)
        _, h = para.wrap(width, 10_000)
        return para, h

    def _too_long(self, el: ElementGeo, text: str, h: float, floor: float, where: str, layout_file: str) -> Exception:
        """Return the error for text that cannot fit: at clinic.yaml when the clinic's own text is the cause."""
        doc = self.job.document
        used = re.findall(r"clinic\.(\w+)", el.options["text"] or "")
        fields = [f for f in used if f in _CLINIC_BOXED]
        if fields and doc.clinic_file:
            name = fields[0] if fields[0] != "short_name" or "short_name" in doc.clinic_lines else "name"
            fix = (
                "set short_name: in clinic.yaml, a shorter name for headers and footers (it may be per language)"
                if name in ("name", "short_name")
                else f"shorten {name}"
            )
            return ConfigError(
                f"{name}: {text[:70]!r} does not fit {layout_file} ({where}, {el.rect.width / 72:.2f}in wide, "
                f"{el.rect.height / 72:.2f}in tall) even at {floor:g}pt: {fix}",
                doc.clinic_file,
                doc.clinic_lines.get(name),
            )
        return LayoutError(
            f"{doc.where}: {where}: the text {text[:60]!r} needs {h / 72:.2f}in but the element is "
            f"{el.rect.height / 72:.2f}in tall: shorten the text or make the element taller",
            layout_file,
            el.line,
        )

    def _qr(self, el: ElementGeo, context: dict[str, Any], page_id: str) -> None:
        data = literal(self._text_value(el, "data", context, page_id))
        if not data:
            if el.options["optional"]:
                return
            raise LayoutError(
                f"pages.{page_id}.elements[{el.index}].data: the QR code has nothing to encode "
                f"({el.options['data']!r} is empty for this clinic): fill in that clinic field, or set optional: true",
                f"layouts/{self.job.geometry.layout_id}.yaml",
                el.line,
            )
        size = min(el.rect.width, el.rect.height)
        drawing = qr_code(data, size, f"layouts/{self.job.geometry.layout_id}.yaml", el.line, self.gray)
        drawing.tiled = True  # its own white tile and quiet zone: a layout may set it on a band
        x = {"left": el.rect.x, "center": el.rect.x + (el.rect.width - size) / 2, "right": el.rect.right - size}[
            el.options["align"]
        ]
        drawing.drawOn(self.c, x, el.rect.top - size)


# clinic fields printed in a layout's fixed boxes; one that cannot fit is reported at its line in clinic.yaml
_CLINIC_BOXED = ("short_name", "name", "tagline", "address", "hours", "email", "website", "phone", "practitioners")


FOLD_OVERRUN = 4.5  # 1/16 in


class _Strings(dict):
    """Page strings, rendered on use so ``page_of`` can say "Page {{ page }} of {{ pages }}"."""

    def __init__(self, table: Strings, lang: str, context: dict[str, Any]) -> None:
        super().__init__(table)
        self._table = table
        self._lang = lang
        self._context = context

    def __getitem__(self, key: str) -> str:
        raw = super().__getitem__(key)
        return render_text(raw, self._context, STRINGS_FILE, self._table.line_of(key), f"strings.{self._lang}.{key}")


def _sheet(job: _Job) -> tuple[float, float, tuple[tuple[float, float], ...]]:
    """Return the output sheet size and where each copy of a design page goes on it."""
    geo = job.geometry
    if job.document.variant.print_shop:
        return print_shop_sheet(geo)
    if geo.impose:
        return geo.impose.width, geo.impose.height, geo.impose.origins
    return geo.width, geo.height, ((0.0, 0.0),)


def _marks(canvas: Canvas, job: _Job, origins: tuple[tuple[float, float], ...], template: int) -> None:
    """Draw crop marks outside each copy's trim (office card sheets), or a print-shop sheet's cut and fold marks."""
    geo = job.geometry
    if job.document.variant.print_shop:
        draw_cut_marks(canvas, geo, origins, geo.pages[template].folds)
    elif geo.impose:
        draw_office_marks(canvas, geo, origins)


def measure_clinic_text(geometry: Geometry, theme: Theme, text: PageText, document: Document) -> None:
    """Fit every text element that prints the clinic's own words, on every page template, drawing nothing.

    Raises the ``ConfigError`` (at clinic.yaml) that painting would raise for text that cannot fit.
    """
    painter = Painter(_Job(geometry, theme, None, text, document), None)  # type: ignore[arg-type]
    for index, template in enumerate(geometry.pages):
        context = dict(text.context, page=1, pages=max(2, index + 1))
        context["t"] = _Strings(theme.strings, theme.lang, context)
        for el in template.elements:
            if el.type == "text" and re.search(r"clinic\.", el.options["text"] or ""):
                painter.fit_text(el, context, template.id)


def paint(
    geometry: Geometry, pages: list[PageContent], theme: Theme, logo: Logo | None, text: PageText, document: Document
) -> bytes:
    """Draw the measured ``pages`` of one handout and return the PDF bytes.

    Raises ``LayoutError`` for page text that does not fit its element, and
    ``TemplateError``/``ContentError`` for page text that cannot be rendered.
    """
    job = _Job(geometry, theme, logo, text, document)
    buffer = io.BytesIO()
    geo = job.geometry
    width, height, origins = _sheet(job)
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        invariant=1,
        lang=document.lang,
        pageCompression=1,
        pdfVersion=(1, 7),  # PDF/UA-1 is a profile of ISO 32000-1, PDF 1.7
        initialFontName=theme.body.regular,  # else an unembedded Helvetica is referenced
    )
    if job.document.variant.print_shop:
        trim, bleed_box = trim_and_bleed(geo, origins)
        canvas.setTrimBox(trim)
        canvas.setBleedBox(bleed_box)
        canvas._handouts_no_fields = True  # type: ignore[attr-defined]  # paper: the write-on line, no form field
    total = len(pages)
    tagger = Tagger(canvas)
    structure = Structure(tagger, document.reading, geo)
    painter = Painter(job, canvas, structure)
    for index, content in enumerate(pages):
        tagger.begin_page()
        for copy, (ox, oy) in enumerate(origins):
            canvas.saveState()
            canvas.translate(ox, oy)
            with tagger.artifacts() if copy else nullcontext():  # a second card on the sheet: read once
                painter.page(index + 1, total, content)
            canvas.restoreState()
        _marks(canvas, job, origins, content.template)
        tagger.end_page()
        canvas.showPage()
    canvas.setTitle(document.title)
    canvas.setAuthor(document.author)
    canvas.setSubject(document.subject)
    canvas.setCreator("handouts")
    canvas.setProducer("handouts (reportlab)")
    canvas.setViewerPreference("PrintScaling", "None")
    if geo.duplex != "none":
        canvas.setViewerPreference(
            "Duplex", "DuplexFlipShortEdge" if geo.duplex == "short-edge" else "DuplexFlipLongEdge"
        )
    tag(canvas, structure.document(), tagger.annotations, document.title)
    canvas.save()
    return buffer.getvalue()
