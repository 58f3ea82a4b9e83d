"""Set a panel's text larger where it leaves the panel half empty (a layout panel's ``grow``).

A tri-fold's panels are fixed: text that runs short leaves a hole, and compact Chinese runs
shorter than the English it was written beside (the flap's text ended at 60% of it). A panel
with ``grow: 13pt`` whose text leaves more than ``ROOMY`` of it empty has that text
set again a step larger (every size of the theme in proportion, so headings stay above body),
up to that size, while the whole handout still places and the panel keeps a line of room; the
other panels keep the layout's sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reportlab.platypus import Flowable

from .errors import LayoutError
from .load.layout import LEADINGS, Geometry, PanelGeo
from .pdf.parts import inside
from .pdf.place import PageContent

GROW_STEP = 0.25  # pt of body size per try (at 0.5, a Chinese flap at its own line height could not grow)
ROOMY = 0.5 * 72  # pt: a panel whose text leaves more than this empty grows (the Spanish flap leaves 0.26 in)

Pages = list[PageContent]
Stories = dict[str, list[Flowable]]


def grown(
    geometry: Geometry,
    sizes: dict[str, float],
    stories: Stories,
    pages: Pages,
    place_all: Callable[[Stories], Pages],
    story_at: Callable[[str, dict[str, float]], list[Flowable]],
) -> Pages:
    """Return ``pages``, or where a panel with ``grow`` is left roomy, the pages with its text set larger.

    ``place_all`` places a story per slot (raising ``LayoutError`` where it does not fit); ``story_at`` makes
    one slot's story at a set of type sizes. A try that is not kept leaves the pages kept as they were: it
    placed new flowables for the panel, and the others' again as the kept pages place them."""
    chosen = stories
    for index, page in enumerate(geometry.pages):
        for panel in page.panels:
            if not panel.grow or not panel.slot or not stories.get(panel.slot):
                continue
            room = _room(pages, index, panel, stories[panel.slot])
            size = sizes["body"] + GROW_STEP
            while room is not None and room > ROOMY and size <= panel.grow + 1e-9:
                bigger = {k: v if k in LEADINGS else v * size / sizes["body"] for k, v in sizes.items()}
                trial = dict(chosen)
                trial[panel.slot] = story_at(panel.slot, bigger)
                try:
                    placed = place_all(trial)
                except LayoutError:
                    break
                room = _room(placed, index, panel, trial[panel.slot])
                if room is None or room < size * sizes["leading"]:
                    break  # no line of room left: the size before
                chosen, pages = trial, placed
                size += GROW_STEP
    return pages


def _room(pages: Pages, index: int, panel: PanelGeo, story: Sequence[Any]) -> float | None:
    """Return the height the panel's text leaves empty on the page of template ``index``: above its foot block
    (``valign: foot``), else below its text; None where its story is not all on one such page."""
    page = next((p for p in pages if p.template == index), None)
    ids = {getattr(f, "_block_id", None) for f in story} - {None}
    frame = panel.frame
    placed = inside(page.placed, frame) if page is not None else []
    if not placed or {getattr(p.flowable, "_block_id", None) for p in placed} - {None} != ids:
        return None
    if panel.valign == "foot":
        last = getattr(placed[-1].flowable, "_block_id", None)
        text = [p for p in placed if getattr(p.flowable, "_block_id", None) != last]
        foot = [p for p in placed if getattr(p.flowable, "_block_id", None) == last]
        if not text:
            return None
        return float(getattr(foot[0].flowable, "_foot_room", 0.0))  # as placed, before the text spread (pdf.parts)
    return min(p.y for p in placed) - frame.y
