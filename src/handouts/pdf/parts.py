"""Take the flowables placed on a page and tell which boxes and lists run across its columns; and give a
slot's flowables in the other orders placement may try.

Levelling a sheet's last page (``pdf.place``) tries shorter and shorter columns; these say whether a
trial cut a box that the plain flow kept whole, or left too little of a list in a column. Placement
also asks here for a story in the recipe's own order (``plain_order``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable

from ..story.flowables import Rows

MIN_LIST_PART = 2  # items: a list cut between two columns leaves at least this many of its items in each


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


def stray_lists(placed: Sequence[Any]) -> set[int]:
    """Return the lists that run across columns with fewer than ``MIN_LIST_PART`` of their items in one of them:
    a column that opens, or ends, on a stray bullet."""
    return {
        token
        for token, xs in list_columns(placed).items()
        if len(xs) > 1 and min(len(items) for items in xs.values()) < MIN_LIST_PART
    }


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
