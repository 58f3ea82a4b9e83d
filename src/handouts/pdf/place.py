"""Take one handout's stories (flowables per slot) and its layout geometry and give back the measured pages.

Placement draws nothing: every flowable is measured against the panels of its slot and given
a position in points, on a page, so tests can assert on plain numbers. Content that does not
fit is a ``LayoutError`` naming the block and panel.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.doctemplate import LayoutError as RLLayoutError

from ..errors import LayoutError
from ..load.layout import Geometry, PanelGeo

EPS = 0.01
MAX_PAGES = 50


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
class _Job:
    """What placing one handout's slots needs besides the flowables."""

    geometry: Geometry
    where: str  # "handout 'first-visit' for clinic 'lotus' (en)", for messages
    block_files: dict[str, tuple[str, int]]  # block id -> (display path, line of its text in the language)
    canvas: Canvas  # flowables measure themselves with a canvas at hand; nothing is drawn on it


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
    whole = getattr(source, "_whole", source)  # the parts of a split are one structure element (pdf.structure)
    for part in parts:
        part._block_id = block  # type: ignore[attr-defined]
        part._whole = whole  # type: ignore[attr-defined]
    return parts


def _overflow(job: _Job, flowable: Flowable, panel: PanelGeo, page: int, too_big: bool) -> LayoutError:
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
    file, line = job.block_files.get(block, (None, None))
    return LayoutError(f"{job.where}: {detail}", file, line)


def _text_of(flowable: Flowable) -> str:
    if isinstance(flowable, Paragraph):
        return " ".join(flowable.getPlainText().split())
    return ""


def _fill(
    job: _Job,
    slot: str,
    items: list[Flowable],
    pages: dict[int, PageContent],
    keep_whole: bool = True,
    moved: list[Flowable] | None = None,
) -> LayoutError | None:
    """Place ``items`` into the panels of ``slot``, adding to ``pages``; return what does not fit, if anything."""
    canvas = job.canvas
    queue = list(items)
    panels = _panels_for(job.geometry, slot)
    last: tuple[int, PanelGeo] | None = None
    nxt = next(panels, None)
    while queue:
        if nxt is None or nxt[0] >= MAX_PAGES:
            assert last is not None
            return _overflow(job, queue[0], last[1], last[0], too_big=False)
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
                    return _overflow(job, f, panel, index, too_big=True)
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
                        return _overflow(job, f, panel, index, too_big=True)
                break
        except RLLayoutError:
            # reportlab's own check: a part wider than its table cell (a QR code in a narrow panel)
            return _overflow(job, queue[0], panel, index, too_big=True)
        if panel.valign != "top" and placed_here:
            spare = cursor - frame.y
            shift = spare / 2 if panel.valign == "middle" else spare
            for p in placed_here:
                p.y -= shift
        page.placed += placed_here
    return None


def _copy(pages: dict[int, PageContent]) -> dict[int, PageContent]:
    return {i: PageContent(p.template, list(p.placed)) for i, p in pages.items()}


def _fill_slot(job: _Job, slot: str, items: list[Flowable], pages: dict[int, PageContent]) -> dict[int, PageContent]:
    """Fill ``slot`` and return the pages. Boxes move on whole where they fit in the next panel,
    unless that costs a page (or makes the slot overflow) that splitting them would not."""
    moved: list[Flowable] = []
    whole: dict[int, PageContent] | None = _copy(pages)
    error = _fill(job, slot, items, whole, moved=moved)
    if error is not None:
        if not moved:
            raise error
        whole = None
    if not moved:
        assert whole is not None
        return whole
    split: dict[int, PageContent] | None = _copy(pages)
    error = _fill(job, slot, items, split, keep_whole=False)
    if error is not None:
        if whole is None:
            raise error
        split = None
    if split is not None and (whole is None or max(split) < max(whole)):
        return split
    whole = _copy(pages)  # fill again, so every flowable is left measured as this layout places it
    error = _fill(job, slot, items, whole)
    if error is not None:
        raise error
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


def place(
    geometry: Geometry, stories: dict[str, list[Flowable]], where: str, block_files: dict[str, tuple[str, int]]
) -> list[PageContent]:
    """Place each slot's flowables into its panels and return every output page, in order.

    ``where`` names the handout in messages and ``block_files`` maps block ids to their files and lines.
    Raises ``LayoutError`` naming the block and panel for content that does not fit.
    """
    job = _Job(geometry, where, block_files, Canvas(io.BytesIO(), invariant=1))
    # every template page is printed, except a repeating last one, which only appears when content reaches it
    fixed = len(geometry.pages) - (1 if geometry.repeat == "last" and len(geometry.pages) > 1 else 0)
    pages: dict[int, PageContent] = {i: PageContent(i) for i in range(fixed)}
    for slot, items in stories.items():
        pages = _fill_slot(job, slot, items, pages)
    last = len(geometry.pages) - 1
    return [pages.get(index) or PageContent(min(index, last)) for index in range(max(pages) + 1)]
