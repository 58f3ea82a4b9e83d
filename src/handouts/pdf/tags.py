"""Take what a canvas draws, piece by piece, and give back marked content: a structure element's, or an artifact.

While a page is painted, ``Tagger.piece(element)`` says whom the drawing from now on belongs to:
a structure ``Element`` (a heading, a paragraph, a figure) or nobody (``None``: page furniture,
an ``/Artifact``). The operators drawn in each stretch are wrapped afterwards, in the canvas's
own list of operators, in ``/<role> <</MCID n>> BDC … EMC`` or ``/Artifact BMC … EMC``, so
nothing is re-parsed and a stretch that paints nothing is left bare. Annotations made while a
piece was drawn (a link in a paragraph, a form field) are recorded against its element. The
structure tree itself is written by ``pdf.tagged`` from the elements collected here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

# operators that put marks on the page; a stretch without one (only q, Q, cm, colours) needs no marking
_PAINTS = re.compile(r"(?:^|\s)(?:f\*?|F|B\*?|b\*?|S|s|Tj|TJ|'|\"|Do|sh|BI)(?=\s|$)")


@dataclass(frozen=True)
class Content:
    """A marked-content sequence: its page (from 0) and its MCID there."""

    page: int
    mcid: int


@dataclass(frozen=True)
class Annotation:
    """An annotation: its page (from 0) and its index in that page's ``/Annots``."""

    page: int
    index: int


@dataclass(eq=False)
class Element:
    """A structure element: its role, its children in reading order, and its alternative text or language."""

    role: str
    kids: list[Element | Content | Annotation] = field(default_factory=list)
    alt: str | None = None
    lang: str | None = None

    def add(self, role: str, alt: str | None = None) -> Element:
        """Append a new child element of ``role`` and return it."""
        child = Element(role, alt=alt)
        self.kids.append(child)
        return child

    def has_content(self) -> bool:
        """True when the element or one of its descendants marks some content or an annotation."""
        return any(not isinstance(k, Element) or k.has_content() for k in self.kids)


class Tagger:
    """Wraps each stretch of a canvas's drawing in marked content for the element it belongs to."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.page = -1
        self.silent = False  # a second copy on the sheet (cards): everything an artifact
        self.fallback: Element | None = None  # who owns an annotation made outside any element
        self.mcids: list[list[Element]] = []  # per page, the element of each MCID
        self.annotations: list[tuple[Annotation, Element]] = []
        self._owner: list[Element | None] = [None]
        self._start = 0
        self._annots = 0

    def begin_page(self) -> None:
        """Start a page: what reportlab wrote before this (its initial font) is not ours to mark."""
        self.page += 1
        self.mcids.append([])
        self._start = len(self.c._code)
        self._annots = len(self.c._annotationrefs)

    def end_page(self) -> None:
        """Close the page's last stretch (call before ``showPage``)."""
        self._cut()

    @contextmanager
    def piece(self, owner: Element | None) -> Iterator[None]:
        """Mark what is drawn inside as ``owner``'s content (an artifact when None), then resume the outer owner."""
        self._cut()
        self._owner.append(owner)
        try:
            yield
        finally:
            self._cut()
            self._owner.pop()

    @contextmanager
    def artifacts(self) -> Iterator[None]:
        """Mark everything drawn inside as an artifact, whatever its pieces say (a second copy of a card)."""
        self._cut()
        self.silent = True
        try:
            yield
        finally:
            self._cut()
            self.silent = False

    def _cut(self) -> None:
        """Wrap the operators drawn since the last cut in marked content for the current owner."""
        code = self.c._code
        owner = self._owner[-1]
        search = _PAINTS.search  # each entry holds whole operators: no need to join them first
        if len(code) > self._start and any(search(op) for op in code[self._start :]):
            if owner is None or self.silent:
                code.insert(self._start, "/Artifact BMC")
            else:
                mcids = self.mcids[self.page]
                code.insert(self._start, f"/{owner.role} <</MCID {len(mcids)}>> BDC")
                owner.kids.append(Content(self.page, len(mcids)))
                mcids.append(owner)
            code.append("EMC")
        self._start = len(code)
        refs = self.c._annotationrefs
        holder = owner or self.fallback
        for index in range(self._annots, len(refs)):
            if holder is not None:
                self.annotations.append((Annotation(self.page, index), holder))
        self._annots = len(refs)
