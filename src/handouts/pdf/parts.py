"""Take the flowables placed on a page and tell which boxes and lists run across its columns.

Levelling a sheet's last page (``pdf.place``) tries shorter and shorter columns; these say whether a
trial cut a box, or left too little of a list in a column, that the plain flow kept whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
