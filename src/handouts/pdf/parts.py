"""Take the flowables placed on a page and tell which boxes and lists run across its columns; and give a
slot's flowables in the other orders placement may try.

Levelling a sheet's last page (``pdf.place``) tries shorter and shorter columns; these say whether a
trial cut a box that the plain flow kept whole, or left too little of a list in a column. Placement
also asks here how much a fill leaves empty at the foot of its columns (``column_holes``), and for a
story in the recipe's own order (``plain_orders``) or with a figure or box a section later (``later_orders``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable

from ..load.layout import Geometry
from ..story.flowables import Rows
from ..story.pictures import Figure
from ..story.sections import heading_of

MIN_LIST_PART = 3  # items: a list cut between two columns leaves at least this many of its items in each
STRAY = 72.0  # points: a list cut with fewer than MIN_LIST_PART items on a side weighs as an inch of empty column
TURN = 18.0  # points: a section going on over a page turn under its heading again ("(continued)") weighs as a
# quarter inch of empty column (so a short section moves on whole only where it leaves less than that)
SECTION_HOLE = 1.5 * 72  # points: the most a short section moved on whole over a page turn may add to the columns'
# holes (``place``): at 0.8 in, the Spanish cervical radiculopathy sheets cut their research under "(continued)"
# (rev58a-b: keep a section whole); a section that would leave more than ``LEFT_ROOM`` empty still goes on under
# "(continued)" (carpal tunnel's and chemotherapy's first pages ended 1.5 in short in one column: rev57a)
HOLE = 0.13  # of a column's height: a column ending this far above its page's fullest one leaves a hole


def split_boxes(placed: Sequence[Any]) -> int:
    """Return how many boxes (a callout's tint and border) are drawn in parts among ``placed``."""
    wholes = {id(w) for pl in placed if isinstance(pl.flowable, Rows) and (w := getattr(pl.flowable, "_whole", None))}
    return len(wholes)


def list_columns(placed: Sequence[Any]) -> dict[int, dict[int, set[int]]]:
    """Return, per list (``story.figures.marked_list``), the items it has in each column (by the column's x)."""
    columns: dict[int, dict[int, set[int]]] = {}
    for pl in placed:
        whole = getattr(pl.flowable, "_whole", pl.flowable)  # an item split between columns is one item
        token = getattr(whole, "_list", None)
        if token is not None:
            columns.setdefault(id(token), {}).setdefault(round(pl.x), set()).add(id(whole))
    return columns


def stray_lists(placed: Sequence[Any], fewest: int = MIN_LIST_PART) -> set[int]:
    """Return the lists that run across columns with fewer than ``fewest`` of their items in one of them:
    a column that opens, or ends, on a stray bullet."""
    return {
        token
        for token, xs in list_columns(placed).items()
        if len(xs) > 1 and min(len(items) for items in xs.values()) < fewest
    }


def plain_orders(items: list[Flowable]) -> list[list[Flowable]]:
    """Return ``items`` in each order where the flowables that have one ``_plain_before`` (a block id) go back
    before that block's first flowable (the order the recipe gives: a condition's figure before the condition),
    one order per such block and, where there are several, one with all of them back; [] when none has one."""
    targets = [t for t in dict.fromkeys(getattr(f, "_plain_before", None) for f in items) if t is not None]
    picks = [[t] for t in targets] + ([targets] if len(targets) > 1 else [])
    return [_back(items, pick) for pick in picks]


def _back(items: list[Flowable], blocks: list[str]) -> list[Flowable]:
    out = [f for f in items if getattr(f, "_plain_before", None) not in blocks]
    for block in blocks:
        at = next((i for i, f in enumerate(out) if getattr(f, "_block_id", None) == block), len(out))
        out[at:at] = [f for f in items if getattr(f, "_plain_before", None) == block]
    return out


def later_orders(items: list[Flowable]) -> list[list[Flowable]]:
    """Return ``items`` in each order where the flowables that share a ``_later`` (another flowable of the story)
    follow it instead (a condition's figure after the symptoms, a warning box after the next section): one
    order per such group, one with every group moved where there are several, and one for each other place a
    group may go (``_later_too``: a condition's figure after the causes as well)."""
    groups: dict[int, list[Flowable]] = {}
    for f in items:
        target = getattr(f, "_later", None)
        if target is not None and any(g is target for g in items):
            groups.setdefault(id(target), []).append(f)
    moves = [[(g, g[0]._later)] for g in groups.values()]  # type: ignore[attr-defined]
    moves += [[(g, g[0]._later) for g in groups.values()]] if len(groups) > 1 else []  # type: ignore[attr-defined]
    for group in groups.values():
        moves += [[(group, t)] for t in getattr(group[0], "_later_too", ()) if any(g is t for g in items)]
    return [_moved(items, move) for move in moves]


def _moved(items: list[Flowable], moves: list[tuple[list[Flowable], Flowable]]) -> list[Flowable]:
    out = [f for f in items if not any(f is m for group, _ in moves for m in group)]
    for group, target in moves:
        at = next(i for i, g in enumerate(out) if g is target) + 1
        out[at:at] = group
    return out


def column_holes(pages: dict[int, Any], geometry: Geometry, slot: str) -> float:
    """Return the points by which ``slot``'s columns end short of their page's fullest column, summed over every
    page of ``pages`` but its last, counting only gaps of more than ``HOLE`` of a column (0.0: none). A column's
    figure is counted grown into the room under it, as ``feather`` grows it: a figure beside a column an inch
    short fills its own column and leaves the hole beside it (the Spanish carpal tunnel sheet's first page ended
    1.5 in short in both columns, its hand drawn smaller to level them, rev62a-b), and one in a short column
    leaves no hole (the Chinese sciatica sheet's figure went to the fuller column and left the other 1.4 in short)."""
    used = sorted(i for i, page in pages.items() if page.placed)
    total = 0.0
    for index in used[:-1]:
        page = pages[index]
        panels = [p for p in geometry.pages[page.template].panels if p.slot == slot]
        if len(panels) < 2:
            continue
        gaps = [_unfilled(page.placed, panel.frame) for panel in panels]
        least = min(gaps)
        total += sum(g - least for g in gaps if g - least > HOLE * max(p.frame.height for p in panels))
    return total


def _unfilled(placed: Sequence[Any], frame: Any) -> float:
    """Return the points a column leaves empty at its foot, less what its first figure may grow into it."""
    column = inside(placed, frame)
    gap = lowest(placed, frame, frame.top) - frame.y
    at = _first_figure(column)
    return max(gap - column[at].flowable.growth(frame.width), 0.0) if at is not None else gap


def flaws(pages: dict[int, Any], geometry: Geometry, slot: str, fewest: int | None = None) -> tuple[float, int]:
    """Return how far ``slot``'s columns end short on pages before the last (``column_holes``) plus ``TURN`` for
    each heading repeated over a page turn, and how many lists run across columns with fewer than ``fewest``
    (``MIN_LIST_PART``) items on a side (``stray_lists``)."""
    strays = sum(len(stray_lists(page.placed, fewest or MIN_LIST_PART)) for page in pages.values())
    return column_holes(pages, geometry, slot) + TURN * repeated_headings(pages), strays


def repeated_headings(pages: dict[int, Any]) -> int:
    """Return how many headings ``pages`` repeat over a page turn ("(continued)": furniture that is a heading)."""
    placed = (pl.flowable for page in pages.values() for pl in page.placed)
    return sum(bool(getattr(f, "_furniture", False)) and heading_of(f) is not None for f in placed)


def better(flaws: tuple[float, int], than: tuple[float, int]) -> bool:
    """True when ``flaws`` weighs less than ``than``: the points its columns end short, and ``STRAY`` points for
    each list it cuts with a stray bullet (a column left two inches short is worse than a list cut two and two)."""
    return flaws[0] + STRAY * flaws[1] < than[0] + STRAY * than[1] - 0.01


def settle(placed: Sequence[Any], spare: float, valign: str, ended: bool) -> None:
    """Move a panel's flowables ``placed`` within the ``spare`` points their text leaves below, as its ``valign``
    says: 'spread' (a figure first grows into the room, ``Figure.grow``) and 'foot' where the slot ``ended`` in the
    panel, 'middle' and 'bottom' always."""
    if not placed:
        return
    if valign == "spread" and ended:
        spread(placed, spare - _grow_figure(placed, spare))
    elif valign == "foot" and ended:
        to_foot(placed, spare)
    elif valign in ("middle", "bottom"):
        shift = spare / 2 if valign == "middle" else spare
        for p in placed:
            p.y -= shift


def feather(pages: dict[int, Any], geometry: Geometry, slot: str, before: dict[int, int]) -> None:
    """Fill a little of the room a top-aligned column of ``slot`` leaves on every page of it but its last (where
    what followed did not fit): a figure in it grows into the room, down to where the column beside it can end at
    best, so the two end level (grown to the foot beside a column 0.6 in short, the TCM sheet's meridian figure
    read as too tall and its page's foot as ragged: rev63a, rev64a-b), then the gaps before its blocks and headings
    share what is left, at most ``FEATHER_BLOCK`` of a line each, then its list items, at most ``FEATHER_ITEM``;
    the rest stays at the column's foot. (Gaps widened by up to a line read as loose and uneven next to the other
    column's, to both rev42 reviewers; a column left two inches short reads as unfinished, to rev39-rev41.)
    ``before``: how many flowables each page held before the slot was placed. Placement has chosen the pages
    by then: their holes are measured unfilled (``column_holes``)."""
    used = sorted(i for i, page in pages.items() if len(page.placed) > before.get(i, 0))
    for index in used[:-1]:
        page = pages[index]
        mine = page.placed[before.get(index, 0) :]
        panels = [p for p in geometry.pages[page.template].panels if p.slot == slot and p.valign == "top"]
        columns = [(col, p.frame.y) for p in panels if (col := inside(mine, p.frame))]
        _level(columns)
        spares = [min(pl.y for pl in col) - floor for col, floor in columns]
        least = [max(s - _reach(col), 0.0) for s, (col, _) in zip(spares, columns, strict=True)]
        for i, (column, _) in enumerate(columns):
            level = min((x for j, x in enumerate(least) if j != i), default=0.0)  # the other column's foot at best
            grew = _grow_figure(column, spares[i] - level)
            spread(column, spares[i] - grew, True, FEATHER_BLOCK, FEATHER_ITEM)


LEVEL = 0.3 * 72  # pt: columns of a page before the last that end further apart than this are brought nearer level


def _level(columns: list[tuple[list[Any], float]]) -> None:
    """Where the fullest of a page's ``columns`` (each: its placed flowables, its frame's foot) ends more than
    ``LEVEL`` below another, draw the figure in it smaller (``Figure.shrink``, to ``MIN_FIT`` of its width) by up
    to half the difference, moving what is under it up: the two columns then end nearer level, both a little
    short, not one at the footer and one an inch above it (rev53a-b, rev54a-b: "balance the column feet")."""
    if len(columns) < 2:
        return
    spares = [min(pl.y for pl in col) - floor for col, floor in columns]
    fullest = spares.index(min(spares))
    if max(spares) - spares[fullest] <= LEVEL:
        return
    placed = columns[fullest][0]
    at = _first_figure(placed)
    if at is None:
        return
    took = placed[at].flowable.shrink((max(spares) - spares[fullest]) / 2)
    for p in placed[at:]:
        p.y += took


def _first_figure(placed: Sequence[Any]) -> int | None:
    """Return the index of the first figure among ``placed``, or None."""
    return next((i for i, p in enumerate(placed) if isinstance(p.flowable, Figure)), None)


def _reach(placed: Sequence[Any]) -> float:
    """Return the points the first figure among ``placed`` may still grow (``Figure.reach``), 0.0 with none."""
    at = _first_figure(placed)
    return placed[at].flowable.reach() if at is not None else 0.0


def _grow_figure(placed: Sequence[Any], spare: float) -> float:
    """Grow the first figure among ``placed`` into ``spare`` points, moving what is under it down; return the
    points it took."""
    at = _first_figure(placed)
    if at is None:
        return 0.0
    grew = placed[at].flowable.grow(spare)
    for p in placed[at:]:
        p.y -= grew
    return grew


SECTION_LINES = 18.0  # body lines: a section this short under its heading may move over a page turn whole (12 left
# the TCM sheet's research section, 17 lines, three on page 1 and the rest under "(continued)": 32 repeats -> 26)...
LEFT_ROOM = 1.4 * 72  # pt: ...where the room it would leave empty before the turn is at most this (an inch and
# a half of an empty column foot read as a hole; in points, not lines: Chinese lines are taller)


def small_section(queue: Sequence[Flowable], width: float, room: float) -> bool:
    """True when ``queue`` opens with a heading whose section (what follows it in its block, up to the next
    heading or box) does not fit the ``room`` left under the heading, is at most ``SECTION_LINES`` body lines,
    and the room is at most ``LEFT_ROOM``: the section then moves over a page turn whole rather than leave a
    heading and a few lines at a column's foot, or a line or two under a "(continued)" heading (design reviews
    rev39-rev41)."""
    if room > LEFT_ROOM or not queue or not _is_heading(queue[0]) or getattr(queue[0], "_furniture", False):
        return False
    block, section = getattr(queue[0], "_block_id", None), []
    for f in queue[1:]:
        if getattr(f, "_block_id", None) != block or _is_heading(f) or isinstance(f, Rows):
            break  # a box moves on whole by itself
        section.append(f)
    leading = getattr(_style(section[-1]), "leading", 0.0) if section else 0.0
    total = 0.0
    for i, f in enumerate(section):
        total += f.getSpaceBefore() + f.wrap(width, 10_000)[1] + (f.getSpaceAfter() if i < len(section) - 1 else 0.0)
        if total > SECTION_LINES * leading + 0.01:
            return False
    return total > room + 0.01


def _style(f: Flowable) -> Any:
    return getattr(f, "style", None) or getattr(getattr(f, "para", None), "style", None)


HEAD_STYLES = ("heading", "subheading", "question")  # a block's title, a section's, an FAQ's question


def _is_heading(f: Flowable) -> bool:
    """True for a heading that keeps with what it heads (``HEAD_STYLES``), with or without its icon."""
    return bool(getattr(f, "keepWithNext", 0)) and heading_of(f, HEAD_STYLES) is not None


BLOCK_SPREAD = 0.5  # body lines: the most a gap between two blocks grows in a panel set 'spread' (a whole line left the
# tri-fold's research panel 0.5 in gaps around its box, looser than the panels beside it: rev46a-b, rev47a-b)
ITEM_SPREAD = 0.0  # body lines: the most a gap between two items of a list grows in a panel set "spread": none, so
# every list of a spread is spaced alike (0.3, 0.2: the safety list's items 0.09 in apart against 0.04 in in the
# panel beside it, rev50a-b, rev53a; the Chinese safety panel's room now goes to the needles figure)
FEATHER_BLOCK = 0.25  # body lines: the most a gap before a block or heading grows in a sheet's short column (at
# 0.5, headings stood 0.29 to 0.53 in under the text above them on one page, rev54a; the columns now end nearer
# level first, ``_level``)...
FEATHER_ITEM = 0.0  # ...and between two list items: none, so two lists side by side are spaced alike (0.15 set
# "Common symptoms" 0.15 in apart beside "Common causes" at 0.06 in: rev53a-b)


def spread(
    placed: Sequence[Any],
    spare: float,
    sections: bool = False,
    most: float = BLOCK_SPREAD,
    most_item: float = ITEM_SPREAD,
) -> None:
    """Share ``spare`` points between the blocks in ``placed`` (a slot's last panel): each gap between two
    blocks (with ``sections``, also before each heading) grows by the same amount, at most ``most`` lines,
    so a short card reads as laid out, not cut off; what is left, after each item of a list, at most
    ``most_item`` lines each (compact Chinese leaves a tri-fold's panel a third empty, its items close
    together)."""
    # a line of no block (the "Reviewed" line) stays with the block above it
    starts = [
        i
        for i in range(1, len(placed))
        if _block(placed[i]) not in (None, _block(placed[i - 1]))
        or (sections and _is_heading(placed[i].flowable) and not _is_heading(placed[i - 1].flowable))
    ]
    items = [i for i in range(1, len(placed)) if i not in starts and _next_item(placed[i - 1], placed[i])]
    if not (starts or items) or spare <= 0.01:
        return
    line = max(getattr(getattr(p.flowable, "style", None), "leading", 0.0) for p in placed) or 14.0
    grow = min(spare / len(starts), most * line) if starts else 0.0
    rest = spare - grow * len(starts)
    step = min(rest / len(items), most_item * line) if items and rest > 0.01 else 0.0
    shift = 0.0
    for i, p in enumerate(placed):
        shift += grow if i in starts else step if i in items else 0.0
        p.y -= shift


FOOT_ROOM = 2  # lines: the least room a 'foot' panel's text keeps above its foot block, where it spreads


def to_foot(placed: Sequence[Any], spare: float) -> None:
    """Move the last block in ``placed`` (a panel's) down by ``spare`` points, to the panel's foot: a panel set
    'foot' keeps its closing box at the bottom, the room its text leaves above it (the tri-fold's flap), which the
    text shares between its blocks and list items as a 'spread' panel's does, up to ``FOOT_ROOM`` lines above it."""
    last = _block(placed[-1]) if placed else None
    at = len(placed)
    while at and _block(placed[at - 1]) == last:
        at -= 1
    if last is None or at == 0:
        return  # one block alone stays at the top
    placed[at].flowable._foot_room = spare  # what the text leaves, before it spreads (read by ``grow``)
    if spare <= 0.01:
        return
    # the text above shares the room as a 'spread' panel's does, keeping two lines of it above the foot block
    line = max(getattr(getattr(p.flowable, "style", None), "leading", 0.0) for p in placed[:at]) or 14.0
    spread(placed[:at], spare - FOOT_ROOM * line)
    after = placed[-1].flowable.getSpaceAfter()  # the room left counts its space after: it sits on the foot
    for p in placed[at:]:
        p.y -= spare + after


def _next_item(before: Any, placed: Any) -> bool:
    """True when ``before`` ends an item of a list and ``placed`` follows it: the next item, or the text after
    the list (not the rest of a cut item)."""
    this, last = (getattr(p.flowable, "_whole", p.flowable) for p in (placed, before))
    return getattr(last, "_list", None) is not None and this is not last


def _block(placed: Any) -> str | None:
    return getattr(placed.flowable, "_block_id", None)


def foot_room(placed: Sequence[Any], panels: Sequence[Any], gap: float) -> list[tuple[float, float, float, float]]:
    """Return the rooms (x, y, width, height) that ``placed`` leaves at the foot of ``panels`` (a page's columns
    of one slot), ``gap`` below its text, best first: across every column, under the lowest text (one labelled
    block: Notes in one column left the other bare, 1.25 to 3.1 in, or ruled with no heading, rev53a-rev55b),
    then in the one column with the most room; [] when nothing is placed there."""
    bottoms = [(lowest(placed, panel.frame, panel.frame.top + gap), panel.frame) for panel in panels]
    if not any(b < f.top for b, f in bottoms):
        return []
    floor = max(f.y for _, f in bottoms)
    left, right = min(f.x for _, f in bottoms), max(f.x + f.width for _, f in bottoms)
    across = (left, floor, right - left, min(b for b, _ in bottoms) - gap - floor)
    top, frame = max(((b, f) for b, f in bottoms), key=lambda bf: bf[0] - bf[1].y)
    alone = (frame.x, frame.y, frame.width, top - gap - frame.y)
    return [across, alone]


def lowest(placed: Sequence[Any], frame: Any, empty: float) -> float:
    """Return the lowest bottom of what ``placed`` puts in ``frame`` (``empty`` where it puts nothing there)."""
    ys = [pl.y for pl in inside(placed, frame)]
    return min(ys) if ys else empty


def inside(placed: Sequence[Any], frame: Any) -> list[Any]:
    """Return those of ``placed`` (in order) that placement put in ``frame``."""
    return [pl for pl in placed if frame.x - 0.01 <= pl.x <= frame.x + frame.width and pl.y >= frame.y - 0.01]
