"""Take art, markers and paragraphs and give back the flowables pictures are made of.

``Figure`` (a picture with its caption and credit, kept whole), ``Marked`` (a list item or step:
a number, bullet or icon in a gutter beside a paragraph, so every wrapped line starts exactly
where the first line's text starts), ``IconHeading`` (an icon before a title) and ``FillInLine``
(a line to write on, with a PDF form field over it that staff can type in).
"""

from __future__ import annotations

from reportlab.lib import colors as rl_colors
from reportlab.platypus import Flowable, Paragraph

from .art import Art

CAPTION_GAP = 6.5


class Figure(Flowable):
    """A picture ``width`` points wide (narrower only when the panel is), centred, with its caption under it.

    A figure never splits: one that is taller than its panel is reported by placement as too
    large, naming the block. ``alt`` is what it shows, for readers who cannot see it.
    """

    MIN_SHARE = 0.6  # shrinks to fit a narrower panel, to 60% of its width at most
    MAX_GROW = 1.6  # drawn up to this much wider where its column would end short (``grow``; 1.3 left the TCM
    # sheet's meridian figure small and its column 0.8 in short, rev52a-b)
    MIN_FIT = 0.8  # a tall one drawn down to this much of its width to end a column rather than move on

    LABEL_GAP = 3.0  # points between the picture and its labels

    def __init__(self, art: Art, width: float, caption: list[Flowable], alt: str,
                 labels: list[Flowable] | None = None) -> None:  # fmt: skip
        super().__init__()
        self.art, self.want, self.caption, self.alt = art, width, caption, alt
        self.labels = labels or []  # over the picture, left to right, each centred over its share of its width
        self._labels_h = 0.0
        self.keep_whole = True
        self._art_w = width
        self._shrunk = False  # drawn smaller to end level with the column beside it (``shrink``): it does not grow
        self._caption_h: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._art_w = min(self.want, aw) if aw >= self.want * self.MIN_SHARE else self.want
        self._shrunk = False
        self._caption_h = []
        for f in self.caption:
            f.canv = getattr(self, "canv", None)
            self._caption_h.append(f.wrap(aw, ah)[1])
        caption = sum(self._caption_h) + (CAPTION_GAP if self.caption else 0)
        self._labels_h = 0.0
        share = self.want * self.MIN_SHARE * self.MIN_FIT / max(len(self.labels), 1)  # the narrowest they may get
        for f in self.labels:
            f.canv = getattr(self, "canv", None)
            self._labels_h = max(self._labels_h, f.wrap(share, ah)[1] + self.LABEL_GAP)
        caption += self._labels_h
        if self.art.aspect > 1 and (fit := (ah - caption) / self.art.aspect) >= self._art_w * self.MIN_FIT:
            self._art_w = min(self._art_w, fit)  # a tall figure drawn a little smaller ends a column, not a hole
        self.width = max(aw, self._art_w)
        self.height = self._art_w * self.art.aspect + caption
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def _gain(self, drawn: float, panel: float) -> float:
        """Return the points of height a picture drawn ``drawn`` wide gains grown as wide as it may be in a panel
        ``panel`` points wide: ``MAX_GROW`` times its block's width at most."""
        return max(min(self.want * self.MAX_GROW, panel) - drawn, 0.0) * self.art.aspect

    def growth(self, width: float) -> float:
        """Return the points of height ``grow`` may add at most to this figure set at its own width in a panel
        ``width`` points wide (measured from the block, not from the last ``wrap``, which may have been a trial's)."""
        drawn = min(self.want, width) if width >= self.want * self.MIN_SHARE else self.want
        return self._gain(drawn, max(width, drawn))

    def reach(self) -> float:
        """Return the points of height ``grow`` may take at most, as last wrapped (0.0 once drawn smaller)."""
        return 0.0 if self._shrunk else self._gain(self._art_w, self.width)

    def grow(self, room: float) -> float:
        """Draw the picture wider than asked, up to ``MAX_GROW`` times and the panel's width, taking at most
        ``room`` points more height (``reach``); return the points it grew. The next ``wrap`` measures it as asked
        again."""
        grew = min(self.reach(), max(room, 0.0))
        if grew <= 0:
            return 0.0
        self._art_w += grew / self.art.aspect
        self.height += grew
        return grew

    def shrink(self, by: float) -> float:
        """Draw the picture up to ``by`` points less tall, down to ``MIN_FIT`` of its width; return the points it
        gave up. The next ``wrap`` measures it as asked again."""
        art_w = max(self.want * self.MIN_FIT, self._art_w - max(by, 0.0) / self.art.aspect)
        if art_w >= self._art_w:
            return 0.0
        took = (self._art_w - art_w) * self.art.aspect
        self._art_w, self._shrunk = art_w, True
        self.height -= took
        return took

    def draw(self) -> None:
        art_h = self._art_w * self.art.aspect
        left = (self.width - self._art_w) / 2
        share = self._art_w / len(self.labels) if self.labels else 0.0
        for i, f in enumerate(self.labels):  # over the picture, as a table's column heads (under it, they read as
            f.canv = self.canv  # far from what they name where a view's ink ends in a point: rev63a-b)
            f.wrap(share, self._labels_h)
            f.drawOn(self.canv, left + i * share, self.height - self._labels_h + self.LABEL_GAP)
        self.art.draw(self.canv, left, self.height - self._labels_h - art_h, self._art_w)
        y = self.height - art_h - self._labels_h - CAPTION_GAP
        for f, h in zip(self.caption, self._caption_h, strict=True):
            y -= h
            f.drawOn(self.canv, 0, y)


SHORT_ITEM = 6  # lines: a list item this short never splits between columns or pages


class Marked(Flowable):
    """A paragraph with a marker in a gutter to its left: a number, a bullet, or an icon.

    The paragraph is set in the width left of the gutter, so wrapped lines line up with the
    first line's text exactly. A split keeps the marker with the first part.
    """

    def __init__(
        self,
        para: Paragraph,
        gutter: float,
        marker: Paragraph | None = None,
        icon: Art | None = None,
        icon_size: float = 0.0,
        first: bool = True,
    ) -> None:
        super().__init__()
        self.para, self.gutter, self.marker, self.icon, self.icon_size = para, gutter, marker, icon, icon_size
        self.first = first
        self._para_h = 0.0
        self._block_id = getattr(para, "_block_id", None)
        self.keepWithNext = getattr(para, "keepWithNext", 0)
        self.band: str | None = None  # a tint behind the item (an emergency line): its text stays where it was
        self.disc: tuple[str, str] | None = None  # a step's marker: (the disc's tint, its number badge's colour);
        # the icon is drawn on the disc, ``icon_size`` across, the marker (the number) on the badge

    BAND_PAD = 3.0  # the band reaches this far above, below and beside the item's lines
    BAND_RULE = 3.0  # the width of the red rule down the band's left edge
    BAND_INSET = 2.0  # an icon on a band starts this far right of the column's edge, clear of the rule
    BADGE = 0.54  # a step's number badge, across, of its disc's width
    ON_DISC = 0.62  # a step's icon, across, of its disc's width (at 0.6 of a disc 2.2 times the body, it read as a
    # micro-icon under its badge: rev58a-b)
    BADGE_OUT = 0.5  # the badge's centre: this many of its radii outside the disc's edge, up and to the left at 45
    # degrees, clear of the icon (centred on the edge, it hid the stethoscope's ear pieces: rev59a-b)
    _SHOULDER = 0.7071

    def _badge_r(self) -> float:
        return self.icon_size * self.BADGE / 2

    def disc_width(self) -> float:
        """Return how far a step's disc reaches from the gutter's left edge: its badge starts at that edge."""
        radius = self.icon_size / 2
        return self._badge_r() + self._badge_off() * self._SHOULDER + radius

    def _badge_off(self) -> float:
        """Return how far the badge's centre is from the disc's."""
        return self.icon_size / 2 + self.BADGE_OUT * self._badge_r()

    def _icon_h(self) -> float:
        if not (self.icon and self.first):
            return 0.0
        if self.disc:  # from the badge's top to the disc's foot: as far as from its left edge to the disc's right
            return self.disc_width()
        return self.icon_size * self.icon.aspect

    def _pad(self) -> float:
        return self.BAND_PAD if self.band else 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.para.canv = getattr(self, "canv", None)
        _, self._para_h = self.para.wrap(aw - self.gutter, ah)
        self.width, self.height = aw, max(self._para_h, self._icon_h()) + 2 * self._pad()
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        if self.band:
            return []  # a highlighted line moves on whole, band and all
        if self.first and self._para_h <= SHORT_ITEM * self.para.style.leading + 0.01:
            return []  # a short step or bullet moves on whole: a reader never turns a column mid-item
        self.para.canv = getattr(self, "canv", None)
        parts = self.para.split(aw - self.gutter, ah)
        if len(parts) < 2:
            return []
        head = Marked(parts[0], self.gutter, self.marker, self.icon, self.icon_size, self.first)
        tail = Marked(parts[1], self.gutter, first=False)
        for part in (head, tail):
            part._block_id = self._block_id
        return [head, tail]

    def getSpaceBefore(self) -> float:
        return self.para.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.para.getSpaceAfter()

    def draw(self) -> None:
        pad = self._pad()
        if self.band:  # square, as the sheets' boxes are, reaching past the text column on the right only
            self.canv.saveState()
            self.canv.setFillColor(rl_colors.HexColor(self.band))
            # a rule of the text's red down its left edge, as the warning boxes have (the same "get help" signal), just
            # outside the column, the icon inset from it (the band reached 0.08 in past the icons: rev58b)
            rule = self.BAND_RULE
            self.canv.rect(-rule, 0, self.width + pad + rule, self.height, stroke=0, fill=1)
            self.canv.setFillColor(self.para.style.textColor)
            self.canv.rect(-rule, 0, rule, self.height, stroke=0, fill=1)
            self.canv.restoreState()
        top_of_text = self.height - pad
        style = self.para.style
        # a one-line alert sits in the middle of its band, as its icon does: reportlab sets a line's extra
        # leading all below it, which left the text 2 pt high in the band; half of it goes above instead
        lines = len(getattr(getattr(self.para, "blPara", None), "lines", ()))
        drop = (style.leading - style.fontSize) / 2 if self.band and lines == 1 else 0.0
        self.para.drawOn(self.canv, self.gutter, top_of_text - self._para_h - drop)
        if not self.first:
            return
        if self.disc is not None and self.icon is not None:
            self._draw_disc(top_of_text)
        elif self.icon is not None:
            # centred on the first line's x-height, the way a bullet sits
            centre = top_of_text - style.leading * 0.5 - style.fontSize * 0.08
            top = min(top_of_text, centre + self._icon_h() / 2)
            inset = self.BAND_INSET if self.band else 0.0  # clear of the band's rule
            self.icon.draw(self.canv, inset, top - self._icon_h(), self.icon_size)
        elif self.marker is not None:
            self.marker.canv = self.canv
            self.marker.wrap(self.gutter, self.height)
            self.marker.drawOn(self.canv, 0, top_of_text - self.marker.height)

    def _draw_disc(self, top: float) -> None:
        """Draw a step's marker: the disc with its icon, then the badge over its shoulder with the number on it."""
        assert self.disc is not None and self.icon is not None
        radius, badge_r = self.icon_size / 2, self._badge_r()
        badge_x, badge_y = badge_r, top - badge_r  # the badge's top is the first line's top
        x, y = badge_x + self._badge_off() * self._SHOULDER, badge_y - self._badge_off() * self._SHOULDER
        canv = self.canv
        canv.saveState()
        canv.setFillColor(rl_colors.HexColor(self.disc[0]))
        canv.circle(x, y, radius, stroke=0, fill=1)
        canv.restoreState()
        side = self.icon_size * self.ON_DISC
        self.icon.draw(canv, x - side / 2, y - side * self.icon.aspect / 2, side)
        canv.saveState()
        canv.setFillColor(rl_colors.HexColor(self.disc[1]))
        canv.setStrokeColor(rl_colors.white)  # a hairline of paper parts the badge from the disc
        canv.setLineWidth(1.2)
        canv.circle(badge_x, badge_y, badge_r, stroke=1, fill=1)
        canv.restoreState()
        if self.marker is not None:
            self.marker.canv = canv
            self.marker.wrap(badge_r * 2, self.height)
            size = self.marker.style.fontSize
            self.marker.drawOn(canv, badge_x - badge_r, badge_y - size * 0.36)  # digits centred on the badge


class IconHeading(Flowable):
    """An icon, then a title paragraph beside it, the icon centred on the title's first line."""

    def __init__(self, icon: Art, para: Paragraph, size: float) -> None:
        super().__init__()
        self.icon, self.para, self.size = icon, para, size
        self.gap = size * 0.35
        self._block_id = getattr(para, "_block_id", None)
        self.keepWithNext = 1

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.para.canv = getattr(self, "canv", None)
        _, h = self.para.wrap(aw - self.size - self.gap, ah)
        self.width, self.height = aw, max(h, self.size * self.icon.aspect)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def getSpaceBefore(self) -> float:
        return self.para.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.para.getSpaceAfter()

    def draw(self) -> None:
        leading = self.para.style.leading
        ih = self.size * self.icon.aspect
        centre = self.height - leading / 2
        self.icon.draw(
            self.canv, 0, min(self.height - ih, centre - ih / 2) if ih < leading else self.height - ih, self.size
        )
        self.para.drawOn(self.canv, self.size + self.gap, self.height - self.para.height)


class FillInLine(Flowable):
    """A label, then a line to write on by hand, with a fillable PDF text field over the line.

    Every copy on a sheet (two cards) gets a field of its own name, numbered in drawing order,
    so the same input gives the same bytes.
    """

    def __init__(self, label: Paragraph, name: str, color: str, height: float, beside: float = 0) -> None:
        super().__init__()
        self.label, self.name, self.color, self.field_h = label, name, color, height
        self.beside = beside  # > 0: the label sits on the line's left, in this width ("Date ____")
        self._block_id = getattr(label, "_block_id", None)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.label.canv = getattr(self, "canv", None)
        _, lh = self.label.wrap(self.beside or aw, ah)
        self.width = aw
        self.height = max(lh, self.field_h) + 2 if self.beside else lh + self.field_h + 2
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def getSpaceBefore(self) -> float:
        return self.label.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.label.getSpaceAfter() + 4

    def draw(self) -> None:
        canv = self.canv
        # beside the line, the label's baseline sits on the line (2.5 pt above it), as on a paper form:
        # reportlab sets a one-line paragraph's baseline one font size below its top
        style = self.label.style
        on_line = 3.5 - (self.label.height - style.fontSize)
        self.label.drawOn(canv, 0, on_line if self.beside else self.height - self.label.height)
        canv.saveState()
        canv.setStrokeColor(rl_colors.HexColor(self.color))
        canv.setLineWidth(0.8)
        canv.line(self.beside, 1, self.width, 1)
        canv.restoreState()
        if getattr(canv, "_handouts_no_fields", False):
            return  # a print-shop file: paper has the line to write on, and PDF/X allows no form field
        count = getattr(canv, "_handouts_fields", 0) + 1
        canv._handouts_fields = count  # type: ignore[attr-defined]
        canv.acroForm.textfield(
            name=f"{self.name}-{count}",
            tooltip=self.label.getPlainText(),
            x=self.beside,
            y=2,
            width=self.width - self.beside,
            height=self.field_h,
            borderWidth=0,
            borderColor=None,
            fillColor=None,
            textColor=rl_colors.HexColor(self.color),
            fontName="Helvetica",
            fontSize=min(12, self.field_h * 0.7),
            relative=True,
        )


class FillInRow(Flowable):
    """Fill-in lines two to a row where the width leaves each line room to write on, else one to a row.

    "Date ____  Time ____" above "Practitioner ____": each line keeps at least ``room`` points to write on
    past its label, so a narrow panel or large print stacks them.
    """

    def __init__(self, cells: list[FillInLine], gap: float, room: float = 80) -> None:
        super().__init__()
        self.cells, self.gap, self.room = cells, gap, room
        self._block_id = cells[0]._block_id if cells else None
        self.per_row, self.share, self.heights = 1, 0.0, [0.0]

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        half = (aw - self.gap) / 2
        paired = self.cells[: len(self.cells) - len(self.cells) % 2]  # a last line alone takes the whole width
        self.per_row = 2 if all(half - cell.beside >= self.room for cell in paired) else 1
        self.share = half if self.per_row == 2 else aw
        rows = [self.cells[i : i + self.per_row] for i in range(0, len(self.cells), self.per_row)]
        for cell in self.cells:
            cell.canv = getattr(self, "canv", None)
        # a line alone on the last row takes the whole width, as "Practitioner" does under "Date" and "Time"
        self.heights = [max(cell.wrap(self.share if len(row) > 1 else aw, ah)[1] for cell in row) for row in rows]
        self.width, self.height = aw, sum(self.heights) + self.gap * 0.5 * (len(rows) - 1)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def getSpaceBefore(self) -> float:
        return self.cells[0].getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.cells[-1].getSpaceAfter()

    def draw(self) -> None:
        top = self.height
        for r, height in enumerate(self.heights):
            for i, cell in enumerate(self.cells[r * self.per_row : (r + 1) * self.per_row]):
                cell.drawOn(self.canv, i * (self.share + self.gap), top - height)
            top -= height + self.gap * 0.5
