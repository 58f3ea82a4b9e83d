"""Take one handout's stories (flowables per slot) and its layout geometry and give back the measured pages.

Placement draws nothing: every flowable is measured against the panels of its slot and given
a position in points, on a page, so tests can assert on plain numbers. Content that does not
fit is a ``LayoutError`` naming the block and panel.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.doctemplate import LayoutError as RLLayoutError

from ..errors import LayoutError
from ..load.layout import Geometry, PanelGeo, Rect
from ..story.flowables import Rows
from ..story.para import MIN_PART, WHOLE_AT_TURN
from . import parts
from .parts import better, feather, flaws, later_orders, plain_orders, settle, small_section, split_boxes, stray_lists

EPS = 0.01
MAX_PAGES = 50
KEEPS = ("all", "boxes", "none")  # what moves on whole, from most to least: see _fill_slot


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
    continued: Callable[[Flowable], Flowable | None] | None = None  # a section's heading again, over a page turn
    sections: bool = False  # a short section moves on whole over a page turn (``parts.small_section``)


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
    block = getattr(flowable, "_block_id", None)
    what = f"block {block!r}" if block else getattr(flowable, "_what", "text that belongs to no block")
    text = " ".join(flowable.getPlainText().split()) if isinstance(flowable, Paragraph) else ""
    snippet = f" (starting {text[:60]!r})" if text else ""
    if too_big:
        detail = f"{what} has a part too large for panel {panel.id!r}{snippet}: shorten it or split it"
    else:
        detail = (
            f"{what} does not fit: it runs past panel {panel.id!r} (page {page + 1}) of layout "
            f"{job.geometry.layout_id!r}{snippet}: "
            "shorten the text, move a block to another slot, or use a roomier layout"
        )
    file, line = job.block_files.get(block or "", (None, None))
    return LayoutError(f"{job.where}: {detail}", file, line)


def _fill(
    job: _Job,
    slot: str,
    items: list[Flowable],
    pages: dict[int, PageContent],
    keep_whole: str = "all",
    moved: list[Flowable] | None = None,
    panels: Iterator[tuple[int, PanelGeo]] | None = None,
    level: float | None = None,
) -> LayoutError | None:
    """Place ``items`` into the panels of ``slot`` (or into ``panels``), adding to ``pages``; return what does
    not fit, if anything.

    ``level`` is set while levelling the columns of a last page (the panels are cut short to try a
    height): a box that fits whole in a column of that full height then never splits, so it moves
    on, or the height tried is too small.
    """
    canvas = job.canvas
    queue = list(items)
    panels = panels or _panels_for(job.geometry, slot)
    last: tuple[int, PanelGeo] | None = None
    nxt = next(panels, None)
    ended: tuple[int, Placed] | None = None  # the page and the last flowable placed so far
    while queue:
        if nxt is None or nxt[0] >= MAX_PAGES:
            assert last is not None
            return _overflow(job, queue[0], last[1], last[0], too_big=False)
        index, panel = last = nxt
        nxt = next(panels, None)  # the panel after this one, to know whether a box can move on whole
        page = pages.setdefault(index, PageContent(min(index, len(job.geometry.pages) - 1)))
        if ended is not None and ended[0] != index:
            queue[0:0] = _continued(job, ended[1], queue[0])  # the section goes on over a page turn
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
                # levelling, a heading moves on with its text even from the top of a column: the height is retried
                movable = bool(placed_here) or level is not None
                turn = nxt is not None and nxt[0] != index  # the next panel is on the next page
                room = avail - h - f.getSpaceAfter()
                if h <= avail + EPS:
                    short = job.sections and turn and movable and keep_whole == "all" and level is None
                    if not _strands_heading(
                        f, queue, frame.width, room, movable, keep_whole, turn, level is not None
                    ) and not (short and small_section(queue, frame.width, room)):  # a short section moves on whole
                        placed_here.append(Placed(f, frame.x, cursor - before - h))
                        cursor -= before + h + f.getSpaceAfter()
                        queue.pop(0)
                        continue
                    if moved is not None and not _strands_heading(
                        f, queue, frame.width, room, movable, "none", turn, level is not None
                    ):
                        moved.append(f)  # the heading goes with a box or paragraph that moves on whole
                if placed_here and level is None and (parts := _sentences(f, frame.width, avail, turn, keep_whole)):
                    queue[0:1] = _tag(parts, f)  # the page turns between two of its sentences
                    continue
                if (
                    _keeps_whole(f, turn, keep_whole)
                    and (placed_here or level)
                    and _fits_whole(f, nxt, frame.width, level)
                ):
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
        settle(placed_here, cursor - frame.y, panel.valign, ended=not queue)
        page.placed += placed_here
        if placed_here:
            ended = (index, placed_here[-1])
    return None


def _continued(job: _Job, before: Placed, f: Flowable) -> list[Flowable]:
    """Return the heading that opens a page where the section of ``before`` goes on with ``f`` (or nothing).

    Not for a box (its parts are closed boxes with their own look), a heading that is itself what opens
    the page (``Continued`` declines headings), or the rest of a paragraph or item split at the turn inside
    a line (a heading inside a sentence); the rest of a paragraph cut between two sentences (``_sentences``)
    does get one, as does a flowable that keeps with the next (a list's last-but-one item, a lead-in).
    """
    block = getattr(f, "_block_id", None)
    if job.continued is None or block is None or block != getattr(before.flowable, "_block_id", None):
        return []
    if getattr(f, "_whole", f) is not f and not getattr(f, "_new_sentence", False):
        return []
    if isinstance(f, Rows) or getattr(f, "_furniture", False):
        return []
    heading = job.continued(f)
    return [heading] if heading is not None else []


def _copy(pages: dict[int, PageContent]) -> dict[int, PageContent]:
    return {i: PageContent(p.template, list(p.placed)) for i, p in pages.items()}


def _fill_slot(job: _Job, slot: str, items: list[Flowable], pages: dict[int, PageContent]) -> dict[int, PageContent]:
    """Fill ``slot`` and return the pages. Boxes, and short paragraphs at a page turn, move on whole where they
    fit in the next panel, unless that costs a page (or makes the slot overflow) that splitting them would not:
    then only boxes are kept whole, if that still saves the page, else nothing is. A section's heading is
    repeated over a page turn ("(continued)"), and an ``_optional`` flowable printed, unless leaving them out
    saves a page or a box cut in two; a flowable with a ``_plain_before`` goes back there if that saves either.
    At no such cost, each is also done where it leaves less of a column empty, or fewer lists cut with a stray
    bullet (``_flaws``); as is moving a flowable with a ``_later`` after that one."""
    fills = last = _attempts(job, slot, items, pages)
    # a figure after its condition's definition, unless that costs a page (or leaves more holes); a heading that helps
    lean = [f for f in items if not getattr(f, "_optional", False)]
    tries = [(order, True) for order in plain_orders(items)]
    if len(lean) < len(items):  # without it, then also with every flowable back in the recipe's order
        tries += [(lean, False)] + [(order, False) for order in plain_orders(lean)[-1:]]
    for other, keeps in tries:  # (keeps: taken also where it leaves fewer holes)
        if _pages_needed(fills.results) > 0:  # on more than one page: try the next
            last = _attempts(job, slot, other, pages)  # a helpful heading is left out only to save a page or a box
            tie = keeps and _rank(last) == _rank(fills) and better(_flaws(last, slot), _flaws(fills, slot))
            fills = last if _rank(last) < _rank(fills) or tie else fills
    done = [t for t, _ in fills.results.values() if t is not None]  # none: a box fits a page, not under its heading
    if job.continued is not None and (not done or any(parts.repeated_headings(t) for t in done)):
        last = _attempts(replace(fills.job, continued=None), slot, fills.items, pages)
        fills = last if _pages_needed(last.results) < _pages_needed(fills.results) else fills
    now = _flaws(fills, slot)
    for later in later_orders(fills.items) if any(now) else []:  # a figure or box a section on
        other = _attempts(fills.job, slot, later, pages)
        if _rank(other) <= _rank(fills) and better(fewer := _flaws(other, slot), now):
            fills, last, now = other, other, fewer
    if _pages_needed(fills.results) > 0:  # a short section moved on whole at a page turn, where that costs nothing,
        last = _attempts(replace(fills.job, sections=True), slot, fills.items, pages)  # adds no list cut with one
        lone = _flaws(last, slot, 2)[1] <= _flaws(fills, slot, 2)[1]  # item alone (two and two reads well), and
        small = _flaws(last, slot)[0] <= _flaws(fills, slot)[0] + parts.SECTION_HOLE  # leaves no hole (rev50a-b, 57a)
        fills = last if _rank(last) <= _rank(fills) and lone and small else fills
    chosen = _best(fills)
    if chosen is None:
        error = fills.results[fills.order[-1]][1]
        assert error is not None
        raise error
    trial = fills.results[chosen][0]
    assert trial is not None
    if fills is last and chosen == fills.order[-1]:  # the last fill was this one: its flowables are measured so
        return trial
    best = _copy(pages)  # fill again, so every flowable is left measured as this layout places it
    error = _fill(fills.job, slot, fills.items, best, keep_whole=chosen)
    if error is not None:
        raise error
    return best


_Results = dict[str, tuple[dict[int, PageContent] | None, LayoutError | None]]


@dataclass
class _Fills:
    """The fills of one slot's flowables by one job: each keep level tried, in the order tried."""

    job: _Job
    items: list[Flowable]
    results: _Results
    order: list[str]


def _attempts(job: _Job, slot: str, items: list[Flowable], pages: dict[int, PageContent]) -> _Fills:
    """Fill keeping everything that may move on whole; if something did, also keeping nothing, then boxes only."""
    results: _Results = {}
    order: list[str] = []

    def attempt(keep: str) -> bool:
        """Fill with ``keep``; True when something moved on whole (keeping less might save a page)."""
        moved: list[Flowable] = []
        trial = _copy(pages)
        error = _fill(job, slot, items, trial, keep_whole=keep, moved=moved)
        results[keep] = (None if error else trial, error)
        order.append(keep)
        return bool(moved)

    if attempt("all"):
        attempt("none")  # the fewest pages the slot can take
        if _fewest(results, ("all", "none")) != "all":
            attempt("boxes")
    return _Fills(job, items, results, order)


def _flaws(fills: _Fills, slot: str, fewest: int | None = None) -> tuple[float, int]:
    """The column holes and stray bullets (``fewest``) of the best fill of ``fills`` (``parts.flaws``)."""
    best = _best(fills)
    trial = fills.results[best][0] if best else None
    return flaws(trial, fills.job.geometry, slot, fewest) if trial else (0.0, 0)


def _best(fills: _Fills) -> str | None:
    """Return the keep level to use of ``fills``: the first of ``KEEPS`` with the fewest pages (None: all failed)."""
    return _fewest(fills.results, [k for k in KEEPS if k in fills.results])


def _rank(fills: _Fills) -> tuple[float, int]:
    """How good ``fills`` is, least first: the fewest pages, then the most kept whole (no box cut in two)."""
    best = _best(fills)
    return _pages_needed(fills.results), KEEPS.index(best) if best else len(KEEPS)


def _pages_needed(results: _Results) -> float:
    done = [max(trial) for trial, _ in results.values() if trial is not None]
    return min(done) if done else float("inf")


def _fewest(results: _Results, keys: Any) -> str | None:
    """Return the first of ``keys`` whose fill succeeded with the fewest pages, or None when none succeeded."""
    done = [(max(trial), i, k) for i, k in enumerate(keys) if (trial := results[k][0]) is not None]
    return min(done)[2] if done else None


def _fits_whole(f: Flowable, upcoming: tuple[int, PanelGeo] | None, width: float, level: float | None = None) -> bool:
    """True when ``f`` fits, whole, in the empty ``upcoming`` panel (or, levelling, in a column ``level`` tall)."""
    if level is not None:
        _, h = f.wrap(width, level)
        return h <= level + EPS
    if upcoming is None or upcoming[0] >= MAX_PAGES:
        return False
    frame = upcoming[1].frame
    w, h = f.wrap(frame.width, frame.height)
    return w <= frame.width + EPS and h <= frame.height + EPS


def _keeps_whole(f: Flowable, turn: bool, keep: str) -> bool:
    """True when ``f`` moves on whole rather than split: a box always, a short paragraph at a page turn.

    ``keep``: "all" of those, "boxes" only, or "none".
    """
    mode = getattr(f, "keep_whole", False)
    if keep == "none" or not mode:
        return False
    if mode == "page":
        return keep == "all" and turn and len(getattr(getattr(f, "blPara", None), "lines", ())) <= WHOLE_AT_TURN
    return True


def _sentences(f: Flowable, width: float, room: float, turn: bool, keep: str) -> list[Flowable]:
    """Return a short paragraph that would move on whole at a page turn cut in two between sentences, the
    first part fitting ``room`` (``Para.sentence_split``), so its column is not left empty; [] where it cannot be.
    Keeping nothing whole ("none"), only where that costs no line; never one of ``MIN_PART`` lines twice or fewer."""
    if not turn or room <= 0 or getattr(f, "keep_whole", False) != "page":
        return []
    if not 2 * MIN_PART < len(getattr(getattr(f, "blPara", None), "lines", ())) <= WHOLE_AT_TURN:
        return []  # a long paragraph splits where the column ends, a short one moves on whole
    parts = list(f.sentence_split(width, room))
    if keep == "none" and parts and room - parts[0].height >= f.style.leading - EPS:
        return []
    if parts:
        parts[-1]._new_sentence = True  # opens with a sentence: its section's heading may head it ("(continued)")
    return parts


def _keeps_with_next(f: Flowable, keep: str) -> bool:
    """True when ``f`` stays with the flowable after it: a heading always; a list's last-but-one item unless
    nothing is kept whole (``keep`` "none": the fill that tries for the fewest pages)."""
    if not getattr(f, "keepWithNext", 0):
        return False
    alone = getattr(f, "_alone_height", None)  # measured tall enough to end a column by itself
    if alone is not None and getattr(f, "height", 0.0) >= alone:
        return False
    return keep != "none" or not getattr(f, "_soft_keep", False)


def _strands_heading(
    f: Flowable,
    queue: list[Flowable],
    width: float,
    room: float,
    movable: bool,
    keep_whole: str = "all",
    turn: bool = False,
    levelling: bool = False,
) -> bool:
    """True when ``f`` keeps with the next flowable and that one (or its chain) cannot start in ``room``.

    ``movable``: moving ``f`` on would help (something is above it in the column, or a height is being tried).
    """
    if not _keeps_with_next(f, keep_whole) or len(queue) < 2 or not movable:
        return False
    nxt = queue[1]
    nxt.canv = f.canv
    room -= nxt.getSpaceBefore()
    _, h = nxt.wrap(width, max(room, 0))
    if not levelling and h >= getattr(f, "_next_alone_height", float("inf")):
        return False  # what follows is long enough to open a column by itself (levelling keeps them together)
    if h <= room + EPS:
        # it fits whole; if it too keeps with the next, that one must be able to start after it
        rest = room - h - nxt.getSpaceAfter()
        return _strands_heading(nxt, queue[1:], width, rest, movable, keep_whole, turn, levelling)
    if not levelling and _sentences(nxt, width, room, turn, keep_whole):
        return False  # the paragraph's first sentences start here, the page turns after them
    if _keeps_with_next(nxt, keep_whole) or _keeps_whole(nxt, turn, keep_whole):
        # a box that moves on whole takes its heading with it
        return True
    parts = nxt.split(width, room) if room > 0 else []
    return not (parts and len(parts) > 1)


def _balance(job: _Job, slot: str, pages: dict[int, PageContent], before: dict[int, int]) -> None:
    """Level the columns of ``slot`` on its last page: the least panel height that still holds that page's part.

    Only pages whose panels of the slot are two or more top-aligned columns are levelled; content
    only ever moves to a later column of the same page, so nothing moves onto another page.
    """
    last = max((i for i, p in pages.items() if len(p.placed) > before.get(i, 0)), default=None)
    if last is None:
        return
    page = pages[last]
    panels = [p for p in job.geometry.pages[page.template].panels if p.slot == slot]
    if len(panels) < 2 or any(p.valign != "top" for p in panels):
        return
    start = before.get(last, 0)
    items = [pl.flowable for pl in page.placed[start:]]
    tallest = max(p.frame.height for p in panels)
    allowed = split_boxes(page.placed[start:])  # levelling never cuts a box that the plain flow kept whole...
    # ...nor leaves a column a stray bullet: none if it can, else none the plain flow did not leave
    strays = stray_lists(page.placed[start:])

    def trial(height: float, strays: set[int]) -> list[Placed] | None:
        capped = [
            (
                last,
                replace(
                    p,
                    frame=Rect(
                        p.frame.x, p.frame.top - min(height, p.frame.height), p.frame.width, min(height, p.frame.height)
                    ),
                ),
            )
            for p in panels
        ]
        out = {last: PageContent(page.template)}
        if _fill(job, slot, items, out, panels=iter(capped), level=tallest):
            return None
        placed = out[last].placed
        return None if split_boxes(placed) > allowed or stray_lists(placed) - strays else placed

    top = max(p.frame.top for p in panels)
    for allowed_strays in dict.fromkeys((frozenset(), frozenset(strays))):
        low, high = 0.0, tallest
        while high - low > 1.0:  # to a point: level to the eye
            mid = (low + high) / 2
            fitted = trial(mid, set(allowed_strays))
            if fitted is None:
                low = mid
            else:  # the columns it filled are no taller than their deepest flowable: try from there down
                used = top - min(pl.y for pl in fitted)
                high = used if low < used < mid else mid
        placed = trial(high, set(allowed_strays))  # last, so every flowable is left measured as placed
        if placed is not None:
            page.placed[start:] = placed
            return


def place(
    geometry: Geometry,
    stories: dict[str, list[Flowable]],
    where: str,
    block_files: dict[str, tuple[str, int]],
    continued: Callable[[Flowable], Flowable | None] | None = None,
) -> list[PageContent]:
    """Place each slot's flowables into its panels and return every output page, in order.

    ``where`` names the handout in messages and ``block_files`` maps block ids to their files and lines.
    ``continued`` makes the heading that opens a page where a block goes on (``story.sections``).
    Raises ``LayoutError`` naming the block and panel for content that does not fit.
    """
    job = _Job(geometry, where, block_files, Canvas(io.BytesIO(), invariant=1), continued)
    # every template page is printed, except a repeating last one, which only appears when content reaches it
    fixed = len(geometry.pages) - (1 if geometry.repeat == "last" and len(geometry.pages) > 1 else 0)
    pages: dict[int, PageContent] = {i: PageContent(i) for i in range(fixed)}
    for slot, items in stories.items():
        before = {i: len(p.placed) for i, p in pages.items()}
        pages = _fill_slot(job, slot, items, pages)
        if geometry.balance:
            _balance(job, slot, pages, before)
        feather(pages, geometry, slot, before)
    last = len(geometry.pages) - 1
    return [pages.get(index) or PageContent(min(index, last)) for index in range(max(pages) + 1)]
