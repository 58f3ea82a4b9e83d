"""Take paragraphs and other flowables and give back the custom boxes handouts are made of.

``ShrinkToFit`` (an unbreakable address that shrinks rather than break), ``Rows`` (a box that
splits between rows and fits each panel's width), ``SideBySide`` (details beside a QR code),
``QrCode`` and ``NoteLines`` (ruled lines to write on).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import segno
from reportlab.lib import colors as rl_colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..errors import ContentError
from .para import restyled


class ShrinkToFit(Flowable):
    """One unbreakable line (an email or web address) that shrinks, to 75% at most, rather than
    break mid-word in a narrow panel; past that it wraps like any paragraph."""

    SMALLEST = 0.75

    def __init__(self, para: Paragraph) -> None:
        super().__init__()
        self.para = para
        self.style = para.style  # for a marker beside it, which sits on the first line
        self._block_id = getattr(para, "_block_id", None)
        self._used: Paragraph = para

    def _fit(self, aw: float) -> Paragraph:
        style = self.para.style
        need = max(
            stringWidth(word, style.fontName, style.fontSize) for word in self.para.getPlainText().split() or [""]
        )
        if need <= aw:
            return self.para
        size = max(style.fontSize * aw / need * 0.99, style.fontSize * self.SMALLEST)
        smaller = style.clone(style.name + "-fit", fontSize=size, leading=style.leading * size / style.fontSize)
        return Paragraph(self.para.text, smaller)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._used = self._fit(aw)
        self._used.canv = getattr(self, "canv", None)
        return self._used.wrap(aw, ah)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return self._fit(aw).split(aw, ah)

    def getSpaceBefore(self) -> float:
        return self.para.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.para.getSpaceAfter()

    def draw(self) -> None:
        self._used.drawOn(self.canv, 0, 0)


@functools.lru_cache(maxsize=64)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """Return the dark/light modules of the QR code for ``data`` (error correction M), cached.

    segno picks the smallest version (1 to 40) and the most compact encoding; raises
    ``segno.DataOverflowError`` when ``data`` is more than a QR code holds.
    """
    code = segno.make_qr(data, error="m", boost_error=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


class QrCode(Flowable):
    """A QR code of ``size`` points with a quiet zone of 4 modules, drawn as one filled path. Its modules start at
    its left edge, the text's: the quiet zone on that side hangs into the margin or the gap between columns, white
    paper either way (inside, the modules stood 0.11 in right of the text edge above them: rev54a)."""

    BORDER = 4
    TILE_BORDER = 2  # modules of white round a code on its own tile (``tiled``), on a tinted band

    def __init__(self, modules: tuple[tuple[bool, ...], ...], size: float, color: str) -> None:
        super().__init__()
        self.modules, self.size, self.color = modules, size, color
        self.width = self.height = size
        self.hAlign = "LEFT"
        self.tiled = False  # on a white tile of ``size``, the modules centred on it in a white border of
        # ``TILE_BORDER``: a code placed on a band (the card's foot) has its own quiet zone, and more of its size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Take exactly ``size`` × ``size``."""
        return self.size, self.size

    def draw(self) -> None:
        """Fill every run of dark modules in a row as one rectangle of a single path."""
        count = len(self.modules)
        border = self.TILE_BORDER if self.tiled else self.BORDER
        box = self.size / (count + 2 * border)
        left = border * box if self.tiled else 0.0
        canv = self.canv
        path = canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.size - (r + border + 1) * box
            c = 0
            for dark, run in itertools.groupby(row):
                n = len(list(run))
                if dark:
                    path.rect(left + c * box, y, n * box, box)
                c += n
        canv.saveState()
        if self.tiled:
            canv.setFillColor(rl_colors.white)
            canv.roundRect(0, 0, self.size, self.size, box, stroke=0, fill=1)
        canv.setFillColor(rl_colors.HexColor(self.color))
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()


def qr_code(data: str, size: float, display: str, line: int, gray: Any) -> QrCode:
    """Return a QR code flowable of ``size`` points; raises ``ContentError`` when data is too long."""
    try:
        modules = qr_modules(data)
    except segno.DataOverflowError:
        raise ContentError(
            f"booking_url: {len(data):,} characters are more than a QR code holds: use a shorter link", display, line
        ) from None
    except ValueError as exc:  # segno's other refusal (e.g. data it cannot encode)
        raise ContentError(f"booking_url: cannot make a QR code ({exc}): use a shorter link", display, line) from None
    return QrCode(modules, size, gray("#000000"))


class Rows(Flowable):
    """Flowables stacked in a one-column table with ``style``, made afresh for each frame's width.

    A reportlab ``Table`` keeps the column widths of the first frame it was measured in, also in
    the parts it splits into; this one builds its table for the width at hand, and the parts of a
    split are ``Rows`` again, so a box that flows from a wide panel on to a narrower one fits both.
    Each part is a closed box: the first and last rows' padding apply to every part.

    A split leaves at least ``min_first`` rows before it and ``min_last`` after it, so a box never
    ends a column with only its title, nor starts the next one with a single stray line; when
    that cannot be, the box does not split here and moves on whole.
    """

    def __init__(self, rows: list[Flowable], style: list[tuple], min_first: int = 3, min_last: int = 2) -> None:
        super().__init__()
        self.rows, self.style, self.min_first, self.min_last = rows, style, min_first, min_last
        self._table: Table | None = None
        self._width = 0.0  # the width ``_table`` was made for
        self.bar: tuple[float, Any] | None = None  # (width, colour): a bar down the box's left edge, inside it

    def _make(self, width: float) -> Table:
        table = Table([[f] for f in self.rows], colWidths=[width], splitByRow=1, hAlign="LEFT")
        table.setStyle(TableStyle(self.style))
        return table

    def _part(self, rows: list[Flowable]) -> Rows:
        part = Rows(rows, self.style, self.min_first, self.min_last)
        part.spaceBefore = part.spaceAfter = 0
        part.bar = self.bar
        return part

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        if self._table is None or self._width != aw:  # placement measures a box again and again at one width
            table = self._make(aw)
            self.width, self.height = table.wrap(aw, ah)  # kept only once measured: a wrap may raise (too narrow)
            self._table, self._width = table, aw
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        parts = self._make(aw).split(aw, ah)
        if len(parts) < 2:
            return []
        fits = len(parts[0]._cellvalues)  # rows that fit in ``ah``
        keep = min(fits, len(self.rows) - self.min_last)
        if keep < min(self.min_first, len(self.rows) - self.min_last) or keep < 1:
            return []
        first, rest = self._part(self.rows[:keep]), self._part(self.rows[keep:])
        first.spaceBefore = self.getSpaceBefore()
        rest.spaceAfter = self.getSpaceAfter()
        return [first, rest]

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)
        if self.bar is not None:  # a table's rule is centred on the cell's edge: half of it stood outside the column
            self.canv.saveState()
            self.canv.setFillColor(self.bar[1])
            self.canv.rect(0, 0, self.bar[0], self.height, stroke=0, fill=1)
            self.canv.restoreState()


class SideBySide(Flowable):
    """Details beside a QR code where the frame is wide enough, else one above the other; the
    QR code's caption always right under it.

    Side by side it is a two-row table that moves on whole rather than split; stacked, it is
    ``Rows``, which splits between details but keeps the QR code and its caption together.
    """

    def __init__(
        self,
        left: list[Flowable],
        right: list[Flowable],
        caption: Flowable | None,
        min_side_width: float,
        font: str,
        size: float,
    ) -> None:
        super().__init__()
        self.left, self.right, self.caption = left, right, caption
        self.min_side_width, self.font, self.size = min_side_width, font, size
        self._table: Flowable | None = None
        self._width = 0.0  # the width ``_table`` was made for

    def _style(self) -> list[tuple]:
        return [
            ("FONT", (0, 0), (-1, -1), self.font, self.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]

    def _side_by_side(self, width: float) -> bool:
        return bool(self.right) and width >= self.min_side_width

    def _make(self, width: float) -> Flowable:
        caption = [self.caption] if self.caption else []
        if self._side_by_side(width):
            qr_w = self.right[0].width + 12  # the QR drawing sets the column
            rows: list[list[Any]] = [[self.left, self.right]]
            style = self._style()
            if caption:  # under both columns, so the link is not broken mid-word
                rows.append([caption, ""])
                style.append(("SPAN", (0, 1), (1, 1)))
            table = Table(rows, colWidths=[width - qr_w, qr_w])
            table.setStyle(TableStyle(style))
            table.hAlign = "LEFT"
            return table
        return Rows(
            self.left + self.right + caption, self._style(), min_first=2, min_last=len(self.right + caption) or 1
        )

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        if self._table is None or self._width != aw:  # as Rows: measured again and again at one width
            table = self._make(aw)
            self.width, self.height = table.wrap(aw, ah)  # kept only once measured: a wrap may raise (too narrow)
            self._table, self._width = table, aw
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        if self._side_by_side(aw):
            return []  # a few lines beside a QR code: moves on whole
        return self._make(aw).split(aw, ah)

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)


class NoteLines(Flowable):
    """A "Notes" heading over ruled lines, filling the room the text leaves at the foot of a last page: a
    patient writes down what was said, as the questions box asks. Page furniture (an artifact in the tags)."""

    GAP = 0.33 * 72  # between two lines: room for handwriting (8.4 mm, wide-ruled paper's; at 0.36 in the first-visit
    # sheet's 1.35 in under its QR code held two lines, too few, and stayed bare: rev48a-b)
    FEWEST = 3  # lines: less room than this is left empty (two read as an afterthought: rev42)

    def __init__(self, heading: Paragraph, width: float, height: float, color: str) -> None:
        super().__init__()
        self.heading, self.width, self.height, self.color = heading, width, height, color
        self._furniture = True  # not content: the tagged tree and the HTML twin leave it out

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def rules(self) -> list[float]:
        """Return the heights of the lines under the heading, one ``GAP`` apart, the last clear of the foot."""
        _, h = self.heading.wrap(self.width, self.height)
        y, out = self.height - h - self.GAP, []
        while y >= self.GAP * 0.4:
            out.append(y)
            y -= self.GAP
        return out

    def draw(self) -> None:
        _, h = self.heading.wrapOn(self.canv, self.width, self.height)
        self.heading.drawOn(self.canv, 0, self.height - h)
        self.canv.setStrokeColor(rl_colors.HexColor(self.color))
        self.canv.setLineWidth(0.6)
        for y in self.rules():
            self.canv.line(0, y, self.width, y)


REFS_ABOVE = 1.2  # of its size: the space above the "References" heading (0.6 left it 0.19 in under the QR code's
# caption, read as part of the contact block: rev50a)


def references_last(flowables: list[Flowable]) -> list[Flowable]:
    """Return ``flowables`` with every block's references moved to the end, under one "References" heading.

    A reader meets the advice first and the sources last, as in a journal; the same reference cited
    by two blocks is listed once.
    """
    refs = [f for f in flowables if getattr(f, "_reference", False)]
    if not refs:
        return flowables
    rest = [f for f in flowables if not getattr(f, "_reference", False)]
    heading, seen, items = refs[0], set(), []
    if isinstance(heading, Paragraph):  # set off from the contact block above it, as a section's heading is
        heading.style = restyled(heading.style, "-refs", spaceBefore=heading.style.fontSize * REFS_ABOVE)
    for f in refs:
        if getattr(f, "keepWithNext", 0):
            continue  # a block's own "References" heading: one heading serves them all
        text = " ".join(f.getPlainText().split()) if hasattr(f, "getPlainText") else id(f)
        if text not in seen:
            seen.add(text)
            items.append(f)
    return [*rest, heading, *items]
