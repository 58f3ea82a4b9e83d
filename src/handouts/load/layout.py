"""Take a layout file and a paper size and give back page geometry as plain numbers in points.

A layout is data a designer writes: paper, margins, a type scale, and page templates. Each page
template may split its width into columns (whose boundaries may be folds or cut lines), draws
furniture ``elements`` (colour bands, the logo, text such as the clinic name or "Page 1 of 2"),
and holds ``panels``: the boxes that content flows into. A panel takes a ``slot``; the recipe
says which blocks fill each slot, and a slot given to several panels flows through them in order.

Nothing here draws. ``resolve()`` returns rectangles (origin at the sheet's bottom left, as in
PDF) that the PDF stage fills, and checks that no text or logo lies within the safe distance of
a sheet edge, fold or cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LayoutError, raise_all
from ..units import PAPER_SIZES, to_points
from .layout_fields import _BOX, CARD_BLEED, LAYOUT_FIELDS, MARK_ROOM, OFFICE_FRAME
from .schema import (
    Checker,
    Record,
)
from .yamlio import YMap, load_yaml

LEADINGS = ("leading", "leading_cjk")  # the type scale's line heights: ratios, not sizes (never scaled with the type)


@dataclass(frozen=True)
class Rect:
    """A rectangle in points, origin at the sheet's bottom left."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class PanelGeo:
    """A box content flows into."""

    id: str
    slot: str | None
    rect: Rect  # the panel, including padding
    frame: Rect  # where text goes
    fill: str
    valign: str
    grow: float | None = None  # the largest body size its text may set at, where it leaves the panel roomy
    align: str = "left"  # 'center': text on the panel's centre line, list items without markers


@dataclass(frozen=True)
class ElementGeo:
    """A piece of page furniture."""

    type: str
    rect: Rect
    options: dict[str, Any]
    index: int
    line: int = 0  # the layout file's line of its text (or data, or the element), for messages


@dataclass(frozen=True)
class PageGeo:
    """One page template, resolved."""

    id: str
    panels: tuple[PanelGeo, ...]
    elements: tuple[ElementGeo, ...]
    folds: tuple[float, ...]  # x positions of vertical fold lines
    cuts: tuple[float, ...]  # x positions of vertical cut lines


@dataclass(frozen=True)
class Imposition:
    """Copies of the design page on a sheet: the sheet size and where each copy's bottom-left goes."""

    width: float
    height: float
    origins: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Geometry:
    """A layout resolved for one paper size: everything in points."""

    layout_id: str
    width: float
    height: float
    paper: str
    pages: tuple[PageGeo, ...]
    repeat: str
    type: dict[str, float]
    safe: float
    duplex: str
    clinic_paper: str = "letter"
    impose: Imposition | None = None
    balance: bool = False  # the last page's columns end level
    notes: bool = False  # ruled lines for the patient's notes in the room the body leaves on the last page


@dataclass(frozen=True)
class Layout:
    """A checked layout file, still independent of paper size."""

    id: str
    name: str
    label: str
    description: str | None
    print_note: str | None
    values: dict[str, Any]
    path: Path
    display: str
    lines: YMap = field(repr=False)
    geometries: dict[str, Geometry] = field(default_factory=dict, repr=False)  # per clinic paper, from load_layout

    def slots(self) -> list[str]:
        """Return the slot names the layout offers, in page order."""
        out: list[str] = []
        for page in self.values["pages"]:
            for panel in page["panels"]:
                if panel["slot"] and panel["slot"] not in out:
                    out.append(panel["slot"])
        return out

    def reading_order(self) -> list[str]:
        """Return the slots in the order a reader meets them."""
        order = list(self.values["reading_order"] or [])
        return order + [s for s in self.slots() if s not in order]

    def element_line(self, page: int, index: int) -> int:
        """Return the file line of element ``index`` of page ``page`` (both from 0): of its text or data if given."""
        try:
            element = self.lines["pages"][page]["elements"][index]
        except (KeyError, IndexError, TypeError):
            return self.lines.line
        if not isinstance(element, YMap):
            return self.lines["pages"][page]["elements"].line_of(index)
        for key in ("text", "data"):
            if key in element:
                return element.line_of(key)
        return element.line


def load_layout(path: Path, display: str) -> Layout:
    """Load and check one layout file; raises ``LayoutError`` (or a list of them).

    Geometry is checked too, on every paper the layout can meet, so a designer hears of a panel
    too near a fold before any clinic builds with it.
    """
    data = load_yaml(path, display, LayoutError)
    ck = Checker(display, LayoutError)
    values = Record(LAYOUT_FIELDS).check(data, ck, "", data.line)
    if not ck.errors:
        _check_ids(values, data, ck)
        slots = {p["slot"] for page in values["pages"] for p in page["panels"] if p["slot"]}
        for i, slot in enumerate(values["reading_order"] or []):
            if slot not in slots:
                ck.fail(data["reading_order"].line_of(i), f"reading_order[{i + 1}]", f"no panel takes slot {slot!r}")
    raise_all(ck.errors)
    layout = Layout(
        id=path.stem,
        name=values["name"],
        label=values["label"],
        description=values["description"],
        print_note=values["print_note"],
        values=values,
        path=path,
        display=display,
        lines=data,
    )
    for paper in ("letter", "a4"):
        layout.geometries[paper] = resolve(layout, paper)
    return layout


def _check_ids(values: dict[str, Any], data: YMap, ck: Checker) -> None:
    seen: set[str] = set()
    pages = data["pages"]
    for p, page in enumerate(values["pages"]):
        page_map = pages[p]
        panels = page_map.get("panels") or []
        for i, panel in enumerate(page["panels"]):
            if panel["id"] in seen:
                ck.fail(panels[i].line_of("id"), f"pages[{p + 1}].panels[{i + 1}].id", f"{panel['id']!r} is used twice")
            seen.add(panel["id"])
        elements = page_map.get("elements") or []
        ids = {panel["id"] for panel in page["panels"]}
        for i, el in enumerate(page["elements"]):
            if el.get("below") and el["below"] not in ids:
                where = f"pages[{p + 1}].elements[{i + 1}].below"
                problem = f"no panel {el['below']!r} on this page: name one of {sorted(ids)}"
                ck.fail(elements[i].line_of("below"), where, problem)
            need = {"text": "text", "qr": "data", "image": "source", "icon": "source"}.get(el["type"])
            if need and not el[need]:
                ck.fail(
                    elements[i].line, f"pages[{p + 1}].elements[{i + 1}].{need}", f"a {el['type']} element needs {need}"
                )


class _Resolver:
    """Turns a layout's lengths into points for one sheet size."""

    def __init__(self, layout: Layout, paper: str, width: float, height: float, line: int | None = None) -> None:
        self.layout = layout
        self.line = line
        self.width = width
        self.height = height
        values = layout.values
        self.vars: dict[str, Any] = dict(values["vars"])
        self.vars.update(values["vars_by_paper"].get(paper, {}))
        self.margins = {k: self.length(v, "margins." + k, k in ("top", "bottom")) for k, v in values["margins"].items()}

    def fail(self, where: str, message: str) -> LayoutError:
        return LayoutError(f"{where}: {message}", self.layout.display, self.line)

    def length(self, value: Any, where: str, vertical: bool = False, depth: int = 0) -> float:
        if isinstance(value, float | int):
            return float(value)
        text = str(value)
        if text.startswith("$"):
            name = text[1:]
            if name not in self.vars or depth > 5:
                raise self.fail(where, f"unknown variable {text!r}; define it under vars:")
            return self.length(self.vars[name], where, vertical, depth + 1)
        if text.endswith("%"):
            try:
                share = float(text[:-1]) / 100
            except ValueError:
                raise self.fail(where, f"{text!r} is not a percentage") from None
            return share * (self.height if vertical else self.width)
        try:
            return to_points(text)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def columns(self, spec: dict[str, Any] | None, where: str) -> tuple[list[tuple[float, float]], list[float]]:
        if not spec:
            return [(self.margins["left"], self.width - self.margins["right"])], []
        if spec["area"] == "sheet":
            left, right = 0.0, self.width
        else:
            left, right = self.margins["left"], self.width - self.margins["right"]
        gap = self.length(spec["gap"], where + ".gap")
        widths: list[tuple[str, float]] = []
        for i, w in enumerate(spec["widths"]):
            if isinstance(w, str) and w.endswith("fr"):
                try:
                    widths.append(("fr", float(w[:-2])))
                except ValueError:
                    raise self.fail(f"{where}.widths[{i + 1}]", f"{w!r} is not a fraction such as 1fr") from None
            else:
                widths.append(("abs", self.length(w, f"{where}.widths[{i + 1}]")))
        fixed = sum(v for k, v in widths if k == "abs") + gap * (len(widths) - 1)
        frs = sum(v for k, v in widths if k == "fr")
        spare = (right - left) - fixed
        if spare < -0.5 or (frs == 0 and abs(spare) > 0.5):
            raise self.fail(
                where + ".widths",
                f"columns add up to {fixed / 72:.4g}in but the area is {(right - left) / 72:.4g}in wide",
            )
        cols: list[tuple[float, float]] = []
        x = left
        for kind, v in widths:
            w = v if kind == "abs" else spare * v / frs
            cols.append((x, x + w))
            x += w + gap
        lines = [cols[i][1] + gap / 2 for i in range(len(cols) - 1)]
        return cols, lines

    def box(self, spec: dict[str, Any], cols: list[tuple[float, float]], where: str) -> Rect:
        if spec.get("column"):
            first, last = spec["column"][0], spec["column"][-1]
            if not 1 <= first <= last <= len(cols):
                raise self.fail(where + ".column", f"the page has {len(cols)} column(s)")
            inset = self.length(spec["inset"], where + ".inset")
            x0, x1 = cols[first - 1][0] + inset, cols[last - 1][1] - inset
        elif spec.get("x") is not None:
            if spec.get("width") is None:
                raise self.fail(where, "x needs width")
            x0 = self.length(spec["x"], where + ".x")
            x1 = x0 + self.length(spec["width"], where + ".width")
        elif spec.get("right") is not None and spec.get("width") is not None and spec.get("left") is None:
            x1 = self.width - self.length(spec["right"], where + ".right")
            x0 = x1 - self.length(spec["width"], where + ".width")
        else:
            left = self.length(spec["left"], where + ".left") if spec.get("left") is not None else self.margins["left"]
            if spec.get("width") is not None:
                x0, x1 = left, left + self.length(spec["width"], where + ".width")
            else:
                right = (
                    self.length(spec["right"], where + ".right")
                    if spec.get("right") is not None
                    else self.margins["right"]
                )
                x0, x1 = left, self.width - right
        if spec.get("bottom") is not None and spec.get("height") is not None and spec.get("top") is None:
            bottom_y = self.length(spec["bottom"], where + ".bottom", True)
            top = self.height - bottom_y - self.length(spec["height"], where + ".height", True)
        else:
            top = self.length(spec["top"], where + ".top", True) if spec.get("top") is not None else self.margins["top"]
            if spec.get("height") is not None:
                bottom_y = self.height - top - self.length(spec["height"], where + ".height", True)
            else:
                bottom = (
                    self.length(spec["bottom"], where + ".bottom", True)
                    if spec.get("bottom") is not None
                    else self.margins["bottom"]
                )
                bottom_y = bottom
        rect = Rect(x0, bottom_y, x1 - x0, self.height - top - bottom_y)
        if rect.width <= 1 or rect.height < 1:
            raise self.fail(where, "the box has no room (width or height is zero or negative)")
        return rect


def paper_for(layout: Layout, clinic_paper: str) -> str:
    """Return the sheet size name a layout uses for a clinic on ``clinic_paper``."""
    return (layout.values["paper"] or {}).get(clinic_paper, clinic_paper)


def resolve(layout: Layout, clinic_paper: str) -> Geometry:
    """Resolve ``layout`` for a clinic on ``clinic_paper`` (letter or a4).

    Returns a ``Geometry`` in points; raises ``LayoutError`` for lengths that cannot be resolved,
    boxes with no room, and text or logos nearer than the safe distance to an edge, fold or cut.
    """
    values = layout.values
    paper = paper_for(layout, clinic_paper)
    w, h = PAPER_SIZES[paper]
    custom = (values["size"] or {}).get(clinic_paper)
    if custom:
        sizer = _Resolver(layout, clinic_paper, 0.0, 0.0, line=layout.lines.line_of("size"))
        w = sizer.length(custom["width"], f"size.{clinic_paper}.width")
        h = sizer.length(custom["height"], f"size.{clinic_paper}.height")
        paper = "custom"
    if values["orientation"] == "landscape":
        w, h = h, w
    r = _Resolver(layout, clinic_paper if custom else paper, w, h, line=layout.lines.line_of("margins"))
    safe = float(values["safe_distance"])
    pages: list[PageGeo] = []
    for p, page in enumerate(values["pages"]):
        where = f"pages[{p + 1}]"
        page_map = layout.lines["pages"][p]
        r.line = page_map.line_of("columns") if isinstance(page_map, YMap) else None
        cols, lines = r.columns(page["columns"], where + ".columns")
        kind = (page["columns"] or {}).get("lines", "none")
        folds = tuple(lines) if kind == "fold" else ()
        cuts = tuple(lines) if kind == "cut" else ()
        panels = []
        for i, spec in enumerate(page["panels"]):
            pw = f"{where}.panels[{i + 1}] ({spec['id']})"
            r.line = _line(layout, p, "panels", i)
            rect = r.box(spec, cols, pw)
            pad = r.length(spec["padding"], pw + ".padding")
            frame = Rect(rect.x + pad, rect.y + pad, rect.width - 2 * pad, rect.height - 2 * pad)
            _check_safe(frame, w, h, folds + cuts, safe, layout, pw, r.line)
            look = (spec["fill"], spec["valign"], spec["grow"], spec["align"])
            panels.append(PanelGeo(spec["id"], spec["slot"], rect, frame, *look))
        elements = []
        for i, spec in enumerate(page["elements"]):
            ew = f"{where}.elements[{i + 1}] ({spec['type']})"
            r.line = _line(layout, p, "elements", i)
            rect = r.box(spec, cols, ew)
            if spec["type"] in ("text", "logo", "qr", "image", "icon"):
                _check_safe(rect, w, h, folds + cuts, safe, layout, ew, r.line)
            options = {k: v for k, v in spec.items() if k not in _BOX}
            options["thickness"] = r.length(spec["thickness"], ew + ".thickness")
            elements.append(ElementGeo(spec["type"], rect, options, i + 1, layout.element_line(p, i)))
        pages.append(PageGeo(page["id"], tuple(panels), tuple(elements), folds, cuts))
    type_scale = {k: float(v) for k, v in values["type"].items() if v is not None}  # sizes, and LEADINGS
    return Geometry(
        layout_id=layout.id,
        width=w,
        height=h,
        paper=paper,
        pages=tuple(pages),
        repeat=values["repeat"],
        type=type_scale,
        safe=safe,
        duplex=values["duplex"],
        clinic_paper=clinic_paper,
        impose=_impose(layout, clinic_paper, w, h, r),
        balance=values["balance"],
        notes=values["notes"],
    )


def _impose(layout: Layout, clinic_paper: str, w: float, h: float, r: _Resolver) -> Imposition | None:
    spec = layout.values["impose"]
    if not spec:
        return None
    sw, sh = PAPER_SIZES[clinic_paper]
    if spec["orientation"] == "landscape":
        sw, sh = sh, sw
    r.line = layout.lines.line_of("impose")
    gap = r.length(spec["gap"], "impose.gap")
    cols, rows = spec["columns"], spec["rows"]
    x0 = (sw - cols * w - (cols - 1) * gap) / 2
    y0 = (sh - rows * h - (rows - 1) * gap) / 2
    room = OFFICE_FRAME + MARK_ROOM
    # a card's marks stop short of its neighbour's bleed, and of the sheet's unprintable edge
    if x0 < room - 0.05 or y0 < room - 0.05 or (gap < MARK_ROOM + CARD_BLEED and cols * rows > 1):
        raise LayoutError(
            f"impose: {cols} x {rows} copies of {w / 72:.3g} x {h / 72:.3g}in with a {gap / 72:.3g}in gap do not fit "
            f"on {clinic_paper}: cut marks need {MARK_ROOM / 72:.3g}in outside each card, and the sheet edge "
            f"{OFFICE_FRAME / 72:.2g}in more",
            layout.display,
            layout.lines.line_of("impose"),
        )
    origins = tuple((x0 + c * (w + gap), y0 + (rows - 1 - r) * (h + gap)) for r in range(rows) for c in range(cols))
    return Imposition(sw, sh, origins)


def _line(layout: Layout, page: int, kind: str, index: int) -> int | None:
    try:
        return layout.lines["pages"][page][kind].line_of(index)
    except (KeyError, IndexError, AttributeError, TypeError):
        return None


def _check_safe(
    rect: Rect, w: float, h: float, lines: tuple[float, ...], safe: float, layout: Layout, where: str, line: int | None
) -> None:
    eps = 0.01
    edges = {
        "left sheet edge": rect.x,
        "right sheet edge": w - rect.right,
        "bottom sheet edge": rect.y,
        "top sheet edge": h - rect.top,
    }
    for name, dist in edges.items():
        if dist < safe - eps:
            raise LayoutError(
                f"{where}: {dist / 72:.3g}in from the {name}; keep at least {safe / 72:.3g}in",
                layout.display,
                line,
            )
    for x in lines:
        if rect.x - safe + eps < x < rect.right + safe - eps:
            dist = min(abs(x - rect.x), abs(x - rect.right))
            raise LayoutError(
                f"{where}: {dist / 72:.3g}in from the fold or cut at {x / 72:.4g}in; keep at least {safe / 72:.3g}in",
                layout.display,
                line,
            )
