"""Draw what a page's flowables ask for around them, as marks that say nothing (``pdf.paint`` tags them as
artifacts): a hairline above a flowable (``_rule_above``); and tell whether
a layout element set ``below`` a panel has room under its text (``crowded``)."""

from __future__ import annotations

import math
from typing import Any

from reportlab.lib import colors as rl_colors
from reportlab.pdfgen.canvas import Canvas

from .parts import lowest
from .place import PageContent, Placed

GAP_ABOVE_LOGO = 0.25 * 72  # an element set 'below' a panel is drawn only this far under its text, at least


def rule_between(canvas: Canvas, prev: Placed, p: Placed) -> None:
    """Draw a hairline in ``p``'s ``_rule_above`` colour, midway between it and ``prev`` above it, to the eye:
    a paragraph's box has its descent below the last line and its line gap above the first."""
    style = getattr(p.flowable, "style", None)
    gap = (style.leading - style.fontSize) / 2 if style is not None else 0.0
    y = (prev.y + p.y + p.flowable.height - gap) / 2
    canvas.saveState()
    canvas.setStrokeColor(rl_colors.HexColor(p.flowable._rule_above))
    canvas.setLineWidth(0.6)
    canvas.line(p.x, y, p.x + p.flowable.width, y)
    canvas.restoreState()


def crowded(el: Any, panels: Any, content: PageContent) -> bool:
    """True for an element set ``below`` a panel whose text on this page reaches down to the element's top."""
    panel = next((p for p in panels if p.id == el.options.get("below")), None)
    if panel is None:
        return False
    return lowest(content.placed, panel.frame, math.inf) < el.rect.top + GAP_ABOVE_LOGO
