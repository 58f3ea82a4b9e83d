"""Take a handout's stories and give back the "(continued)" headings placement sets over a page turn.

A section (one block under its heading) that goes on over a page turn starts the new page with its
heading again, followed by "(continued)" in the handout's language, as patient leaflets do, so the
top of a page never opens on bullets a reader cannot place. The repeated heading is page furniture:
the PDF's tags mark it as an artifact (``pdf.structure``) and the HTML twin, which has no pages,
leaves it out. Also here: whether a condition's banner already names it (``banner_names``), so its first
heading is "What is it?" in the PDF and none in the twin.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph

from .para import restyled
from .pictures import IconHeading

SECTION_STYLES = ("heading", "subheading")  # a block's title and its sections' (a condition's "Common causes")


def heading_of(f: Flowable, styles: tuple[str, ...] = SECTION_STYLES) -> Paragraph | None:
    """Return the heading paragraph ``f`` is (with or without its icon) in one of ``styles``, else None."""
    para = f.para if isinstance(f, IconHeading) else f
    if not isinstance(para, Paragraph):
        return None
    return para if para.style.name.split("-")[0] in styles else None


FULL_WIDTH_OPENERS = "（【〔《「『"


class Continued:
    """Make the heading that opens a page where a section goes on; None where the section has no heading.

    Every flowable of the stories is mapped to the heading it comes under in its block (a box's own
    title does not count: a box is closed, and never gets a repeated heading).
    """

    def __init__(self, stories: dict[str, list[Flowable]], word: str) -> None:
        self.word = word
        self.under: dict[int, Paragraph] = {}
        for flowables in stories.values():
            block, current = None, None
            for f in flowables:
                if getattr(f, "_block_id", None) != block:
                    block, current = getattr(f, "_block_id", None), None
                current = heading_of(f) or current
                if current is not None:
                    self.under[id(f)] = current

    def __call__(self, f: Flowable) -> Flowable | None:
        heading = self.under.get(id(getattr(f, "_whole", f)))  # the parts of a split are their whole's
        if heading is None or heading_of(f) is not None:
            return None
        style = restyled(heading.style, "-continued", spaceBefore=0)
        # no space before a full-width bracket ("（续）"): it carries its own spacing, as Chinese type sets it
        gap = "" if self.word[:1] in FULL_WIDTH_OPENERS else " "
        para = type(heading)(f"{heading.text}{gap}{escape(self.word)}", style)  # Chinese stays a Chinese paragraph
        para.keepWithNext = 1
        para._block_id = getattr(f, "_block_id", None)  # type: ignore[attr-defined]
        para._furniture = True  # type: ignore[attr-defined]
        return para


def banner_names(name: str, title: str) -> bool:
    """True when a handout's ``title`` (its banner) is the condition's ``name``, so the block's first heading is
    "What is it?" rather than the banner again (the name is printed, as the title). A name with more words than
    the title ("Spinal stenosis (including lumbar stenosis)") is printed as the heading, every word of it: say
    the rest in the handout's subtitle instead (``lint`` notes such a name)."""
    return name.strip().casefold() == title.strip().casefold()
