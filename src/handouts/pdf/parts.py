"""Take the flowables placed on a page and tell which boxes and lists run across its columns, and how empty
its columns end.

Levelling a sheet's last page (``pdf.place``) tries shorter and shorter columns; these say whether a
trial cut a box, or left too little of a list in a column, that the plain flow kept whole. Placement also
asks here whether a box may float to the next column (``floats``), how much a fill leaves empty at the foot
of its columns (``column_holes``), and for a story in the recipe's own order (``plain_order``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable

from ..load.layout import Geometry
from ..story.flowables import Rows

MIN_LIST_PART = 2  # items: a list cut between two columns leaves at least this many of its items in each
FLOAT_HOLE = 0.2  # of a column's height: a box moving on whole would leave a hole this tall, so text may fill it


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


def split_lists(placed: Sequence[Any]) -> set[int]:
    """Return the lists whose items are placed in more than one column."""
    return {token for token, xs in list_columns(placed).items() if len(xs) > 1}


def stray_items(placed: Sequence[Any], split_before: set[int]) -> bool:
    """True when a list not in ``split_before`` runs across columns with fewer than ``MIN_LIST_PART`` of its
    items in one of them: no column opens, or ends, on a stray bullet."""
    return any(
        len(xs) > 1 and token not in split_before and min(len(items) for items in xs.values()) < MIN_LIST_PART
        for token, xs in list_columns(placed).items()
    )


def column_holes(pages: dict[int, Any], geometry: Geometry, slot: str) -> float:
    """Return the points left empty at the foot of ``slot``'s columns on every page of ``pages`` but its last,
    counting the pages where one column leaves more than ``FLOAT_HOLE`` of its height empty (0.0: none does)."""
    used = sorted(i for i, page in pages.items() if page.placed)
    total = 0.0
    for index in used[:-1]:
        page = pages[index]
        panels = [p for p in geometry.pages[page.template].panels if p.slot == slot]
        gaps = []
        for panel in panels:
            f = panel.frame
            bottoms = [pl.y for pl in page.placed if f.x - 0.01 <= pl.x <= f.x + f.width and pl.y >= f.y - 0.01]
            gaps.append(min(bottoms) - f.y if bottoms else f.height)
        if len(panels) > 1 and max(gaps) > FLOAT_HOLE * max(p.frame.height for p in panels):
            total += sum(gaps)
    return total


def floats(f: Any, floated: Any, turn: bool, level: float | None, hole: float) -> bool:
    """True when the box ``f``, moving whole to the next column of this page, lets the text after it fill the hole
    it leaves (``hole``, a share of the column, more than ``FLOAT_HOLE``), as a sidebar does: never over a page
    turn, never while levelling a last page, and one box at a time (``floated``). The box is its own section,
    so the reading order keeps it where the recipe puts it (``pdf.structure``)."""
    box = getattr(f, "keep_whole", False) is True
    return box and floated is None and not turn and level is None and hole > FLOAT_HOLE


def plain_order(items: list[Flowable]) -> list[Flowable] | None:
    """Return ``items`` with every flowable that has a ``_plain_before`` (a block id) put back before that block's
    first flowable (the order the recipe gives), or None when none has one."""
    moved = [f for f in items if getattr(f, "_plain_before", None) is not None]
    if not moved:
        return None
    out = [f for f in items if getattr(f, "_plain_before", None) is None]
    for block in dict.fromkeys(f._plain_before for f in moved):  # type: ignore[attr-defined]
        at = next((i for i, f in enumerate(out) if getattr(f, "_block_id", None) == block), len(out))
        out[at:at] = [f for f in moved if f._plain_before == block]  # type: ignore[attr-defined]
    return out
