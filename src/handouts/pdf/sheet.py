"""Take a layout's geometry and give back where its pages go on the output sheet, in points: print-shop gangs,
shared cut marks and the office frame. Numbers only, except ``draw_cut_marks``, which draws them.
"""

from __future__ import annotations

from reportlab.lib import colors as rl_colors
from reportlab.pdfgen.canvas import Canvas

from ..load.layout import MARK_ROOM, Geometry, Rect
from ..load.layout_fields import CARD_BLEED, OFFICE_FRAME
from ..variant import BLEED, SLUG_WIDTH
from .place import EPS

Origins = tuple[tuple[float, float], ...]


def print_shop_sheet(geo: Geometry) -> tuple[float, float, Origins]:
    """Return the print-shop sheet's size and each copy's bottom-left corner (its trim).

    One page: the trim with bleed and a slug for marks around it. An imposed layout (cards) is
    ganged as a shop would: the same columns and rows, each copy's bleed meeting its neighbour's
    (a gutter of twice the bleed), with one set of cut marks outside the whole gang.
    """
    bleed = BLEED[geo.clinic_paper]
    if not geo.impose:
        return geo.width + 2 * SLUG_WIDTH, geo.height + 2 * SLUG_WIDTH, ((SLUG_WIDTH, SLUG_WIDTH),)
    xs = sorted({round(x, 3) for x, _ in geo.impose.origins})
    ys = sorted({round(y, 3) for _, y in geo.impose.origins})
    pitch_x, pitch_y = geo.width + 2 * bleed, geo.height + 2 * bleed
    origins = tuple(
        (SLUG_WIDTH + xs.index(round(x, 3)) * pitch_x, SLUG_WIDTH + ys.index(round(y, 3)) * pitch_y)
        for x, y in geo.impose.origins
    )
    width = 2 * SLUG_WIDTH + len(xs) * pitch_x - 2 * bleed
    height = 2 * SLUG_WIDTH + len(ys) * pitch_y - 2 * bleed
    return width, height, origins


def trim_and_bleed(geo: Geometry, origins: Origins) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return the TrimBox (around every copy's trim) and the BleedBox (that plus the bleed) of a print-shop sheet."""
    bleed = BLEED[geo.clinic_paper]
    x0, y0 = min(x for x, _ in origins), min(y for _, y in origins)
    x1, y1 = max(x for x, _ in origins) + geo.width, max(y for _, y in origins) + geo.height
    return (x0, y0, x1, y1), (x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed)


def draw_cut_marks(canvas: Canvas, geo: Geometry, origins: Origins, folds: tuple[float, ...]) -> None:
    """Draw print-shop crop marks in the slug, one per cut line at each end, outside the bleed, and fold marks."""
    bleed = BLEED[geo.clinic_paper]
    offset = bleed + 3
    length = SLUG_WIDTH - offset - 4
    (x0, y0, x1, y1), _ = trim_and_bleed(geo, origins)
    cuts_x = sorted({round(v, 3) for x, _ in origins for v in (x, x + geo.width)})
    cuts_y = sorted({round(v, 3) for _, y in origins for v in (y, y + geo.height)})
    canvas.saveState()
    canvas.setStrokeColor(rl_colors.black)
    canvas.setLineWidth(0.5)
    for x in cuts_x:
        canvas.line(x, y0 - offset, x, y0 - offset - length)
        canvas.line(x, y1 + offset, x, y1 + offset + length)
    for y in cuts_y:
        canvas.line(x0 - offset, y, x0 - offset - length, y)
        canvas.line(x1 + offset, y, x1 + offset + length, y)
    canvas.setDash(3, 2)
    for ox in sorted({x for x, _ in origins}):
        for fold in folds:
            canvas.line(ox + fold, y0 - offset, ox + fold, y0 - offset - length)
            canvas.line(ox + fold, y1 + offset, ox + fold, y1 + offset + length)
    canvas.restoreState()


def draw_office_marks(canvas: Canvas, geo: Geometry, origins: Origins) -> None:
    """Draw an office card sheet's crop marks: short strokes at each card corner, outside its bleed."""
    offset = CARD_BLEED + 1.5
    length = MARK_ROOM - offset
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
    canvas.restoreState()


def _inset(lo: float, hi: float, end: float) -> tuple[float, float]:
    """Return ``lo``–``hi`` kept ``OFFICE_FRAME`` inside 0–``end``; a thin bar at an edge moves in whole."""
    new_lo, new_hi = max(lo, OFFICE_FRAME), min(hi, end - OFFICE_FRAME)
    if new_hi - new_lo >= (hi - lo) / 2 - EPS:
        return new_lo, new_hi
    if lo < OFFICE_FRAME:  # a top or side bar would mostly vanish: keep its depth, just inside the frame
        return OFFICE_FRAME, OFFICE_FRAME + (hi - lo)
    return end - OFFICE_FRAME - (hi - lo), end - OFFICE_FRAME


def office_frame(rect: Rect, width: float, height: float) -> Rect:
    """Return ``rect`` (a colour field on a ``width`` x ``height`` sheet) kept inside the office printer's frame."""
    x0, x1 = _inset(rect.x, rect.right, width)
    y0, y1 = _inset(rect.y, rect.top, height)
    return Rect(x0, y0, x1 - x0, y1 - y0)
