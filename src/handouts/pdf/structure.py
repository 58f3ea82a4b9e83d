"""Take the pieces a handout's pages are painted from and give back its structure tree, in reading order.

``Structure`` decides, for each layout element and each placed flowable, which structure element
it is: the title an ``H1``; each block a ``Sect`` (the disclaimer a ``Note``) holding ``H2``/``H3``
headings, ``P`` paragraphs, ``L`` › ``LI`` › ``Lbl``/``LBody`` lists and ``Figure``s with their
alternative text; bands, rules, marks, running headers and footers, page numbers and icons are
artifacts. Nested pieces (a list item's marker, a box's rows) are tagged by giving that one
flowable a ``drawOn`` that marks what it draws, so nothing is drawn twice or re-parsed. A
paragraph split over two panels stays one element with two pieces. Blocks are put in the
order of the layout's ``reading_order``, not the order panels are painted in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from ..load.layout import ElementGeo, Geometry
from ..story.flowables import QrCode, Rows, ShrinkToFit, SideBySide
from ..story.pictures import Figure, FillInLine, FillInRow, IconHeading, Marked
from .tags import Element, Tagger


@dataclass
class Reading:
    """What the structure needs to know about the handout besides its pieces."""

    order: list[str] = field(default_factory=list)  # block ids in reading order
    kinds: dict[str, str] = field(default_factory=dict)  # block id -> kind
    slots: dict[str, str] = field(default_factory=dict)  # block id -> its slot (references are read at its end)
    logo_alt: str = ""  # "<clinic> logo", in the handout's language
    qr_alt: str = ""  # "QR code: book online at <link>", in the handout's language


class Structure:
    """Collects one handout's structure elements while its pages are painted."""

    def __init__(self, tagger: Tagger, reading: Reading, geometry: Geometry) -> None:
        self.tagger = tagger
        self.reading = reading
        self.geometry = geometry
        self.title = Element("H1")
        self.furniture = Element("Div")  # the clinic's name, logo, the cover's words: read after the title
        self.note = Element("Note")  # the disclaimer printed in the footer: read last
        self.loose = Element("Div")  # placed pieces of no block (the review line)
        self.sects: dict[str, Element] = {}
        self._seen: set[str] = set()  # layout texts tagged once already (the title, the footer disclaimer)
        self._wholes: dict[int, tuple[Flowable, Element]] = {}  # a split flowable's original -> its element
        self._titled: set[int] = set()  # sections whose block title has been met (then subheadings are H3)
        self._nested: set[str] = set()  # sections read inside another (a condition's figure)

    # -- layout elements -------------------------------------------------------------------------------

    @contextmanager
    def element(self, el: ElementGeo, template: int) -> Iterator[None]:
        """Mark what layout element ``el`` draws inside the ``with`` as the structure it stands for."""
        self.tagger.fallback = self.loose
        with self.tagger.piece(self.element_owner(el, template)):
            yield

    def element_owner(self, el: ElementGeo, template: int) -> Element | None:
        """Return the structure element a layout element's drawing belongs to, or None for an artifact."""
        if self.tagger.silent:
            return None
        if el.type == "logo":
            return self.furniture.add("Figure", alt=self.reading.logo_alt) if self.reading.logo_alt else None
        if el.type == "qr":
            return self.furniture.add("Figure", alt=self.reading.qr_alt)
        if el.type != "text":
            return None  # bands, rules, icons, the cover picture: decoration
        text = el.options["text"] or ""
        if "page_of" in text:
            return None
        if "disclaimer" in text:
            return self._once(text, self.note)
        if "handout.headline" in text or ("handout.title" in text and "handout.subtitle" not in text):
            return self._once(text, self.title)  # a brochure's cover headline (the title where it has none)
        running = len(self.geometry.pages) > 1 and self.geometry.repeat == "last" and template > 0
        if running or sum(text in [e.options.get("text") for e in p.elements] for p in self.geometry.pages) > 1:
            return None  # a running header or footer
        return self._once(text, None)

    def _once(self, text: str, element: Element | None) -> Element | None:
        if text in self._seen:
            return None
        self._seen.add(text)
        return element if element is not None else self.furniture.add("P")

    # -- placed flowables ------------------------------------------------------------------------------

    @contextmanager
    def placed(self, flowable: Flowable) -> Iterator[None]:
        """Mark what ``flowable`` draws inside the ``with`` as the structure it stands for."""
        whole = getattr(flowable, "_whole", flowable)
        block_id = getattr(flowable, "_block_id", None)
        host = getattr(whole, "_plain_before", None)  # a figure placed after its condition's definition...
        if block_id is not None and block_id not in self.sects and host in self.sects:
            self.sects[block_id] = self.sects[host].add("Sect")  # ...is read there, inside that section
            self._nested.add(block_id)
        parent = self._sect(block_id, getattr(whole, "_reference", False))
        self.tagger.fallback = parent
        with self.tagger.piece(self._visit(flowable, parent)):
            yield

    def _sect(self, block_id: str | None, reference: bool = False) -> Element:
        if block_id is None:
            return self.loose
        if reference:  # a slot's references are printed at its end, under one heading: one section there
            block_id = "references:" + self.reading.slots.get(block_id, "")
        if block_id not in self.sects:
            kind = self.reading.kinds.get(block_id)
            self.sects[block_id] = Element("Note" if kind == "disclaimer" else "Sect")
        return self.sects[block_id]

    def _known(self, flowable: Flowable) -> Element | None:
        whole = getattr(flowable, "_whole", flowable)
        found = self._wholes.get(id(whole))
        return found[1] if found and found[0] is whole else None

    def _remember(self, flowable: Flowable, element: Element) -> Element:
        whole = getattr(flowable, "_whole", flowable)
        self._wholes[id(whole)] = (whole, element)
        return element

    def _visit(self, f: Flowable, parent: Element, heading: bool = False) -> Element | None:
        """Return the element ``f``'s own drawing belongs to (None: an artifact), tagging its nested pieces."""
        if self.tagger.silent:
            return self._known(f)
        if getattr(f, "_furniture", False):
            return None  # a section's heading repeated over a page turn ("(continued)"): the tree has it once
        if isinstance(f, Paragraph | ShrinkToFit):
            return self._known(f) or self._remember(f, parent.add(self._role(f, parent, heading)))
        if isinstance(f, Marked):
            return self._item(f, parent)
        if isinstance(f, IconHeading):
            self._nest(f.para, parent, heading=True)
            return None  # the icon: the title beside it says it
        if isinstance(f, Figure):
            figure = self._known(f) or self._remember(f, parent.add("Figure", alt=f.alt))
            for caption in f.caption:
                self._nest(caption, parent)
            return figure
        if isinstance(f, QrCode):
            return self._known(f) or self._remember(f, parent.add("Figure", alt=self.reading.qr_alt))
        if isinstance(f, FillInRow):
            for cell in f.cells:
                self._nest(cell, parent)
            return None
        if isinstance(f, FillInLine):
            self._nest(f.label, parent)
            return None  # the line to write on; its form field is tagged from the annotation
        if isinstance(f, Rows | SideBySide):
            rows = f.rows if isinstance(f, Rows) else [*f.left, *f.right, *([f.caption] if f.caption else [])]
            whole = getattr(f, "_whole", f)
            first = whole.rows[0] if isinstance(whole, Rows) and whole.rows else None
            for row in rows:
                self._nest(row, parent, heading=row is first)  # a box's first row is its title
            return None  # the box's tint and border
        return None  # rules and other decoration

    def _nest(self, f: Flowable, parent: Element, heading: bool = False) -> None:
        """Tag ``f``, drawn by the flowable it is inside of, as what it stands for in ``parent``."""
        self._owned(f, self._visit(f, parent, heading))

    def _role(self, f: Flowable, parent: Element, heading: bool) -> str:
        style = getattr(f, "style", None)
        base = style.name.split("-")[0] if style is not None else "body"
        key = id(parent)
        if base == "heading" or (base == "subheading" and key not in self._titled):
            self._titled.add(key)
            return "H2"
        if base == "subheading":
            return "H3"
        if base in ("strong", "question") and (heading or getattr(f, "keepWithNext", 0)):
            return "H3" if key in self._titled else "H2"
        return "P"

    def _item(self, f: Marked, parent: Element) -> Element | None:
        """Tag a list item (``L`` › ``LI`` › ``Lbl``, ``LBody``); a contact line with an icon is just its text."""
        style = getattr(f.para, "style", None)
        if style is None or not style.name.startswith("bullet"):
            self._nest(f.para, parent)
            return None
        item = self._known(f)
        if item is None:
            last = parent.kids[-1] if parent.kids else None
            items = last if isinstance(last, Element) and last.role == "L" else parent.add("L")
            item = self._remember(f, items.add("LI"))
            if f.marker is not None:
                self._owned(f.marker, item.add("Lbl"))
            item.add("LBody")
        body = next(k for k in item.kids if isinstance(k, Element) and k.role == "LBody")
        self._owned(f.para, body)
        return None  # an icon in the gutter: decoration

    def _owned(self, f: Flowable, owner: Element | None) -> None:
        """Give ``f`` a ``drawOn`` marking what it draws as ``owner``'s (once: a second card reuses it)."""
        if "drawOn" in vars(f):
            return
        draw = f.drawOn
        tagger = self.tagger

        def tagged(canvas: Any, x: float, y: float, _sW: float = 0) -> None:
            with tagger.piece(owner):
                draw(canvas, x, y, _sW)

        f.drawOn = tagged  # type: ignore[method-assign]

    # -- the tree --------------------------------------------------------------------------------------

    def document(self) -> Element:
        """Return the ``Document`` element: the title, the cover's words, the blocks in reading order, the note."""
        doc = Element("Document")
        order: dict[str, float] = {block: i for i, block in enumerate(self.reading.order)}
        for block, i in list(order.items()):  # a slot's references after its last block
            key = "references:" + self.reading.slots.get(block, "")
            order[key] = max(order.get(key, 0.0), i + 0.5)
        top = [(block, sect) for block, sect in self.sects.items() if block not in self._nested]
        sects = sorted(top, key=lambda item: order.get(item[0], len(order)))
        kids = [self.title, *self.furniture.kids, *(s for _, s in sects), *self.loose.kids, self.note]
        doc.kids = [k for k in kids if k.has_content()]
        return doc
