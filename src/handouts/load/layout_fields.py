"""Take nothing and give back the declared schema of a layout file: every key, its type, default and doc.

``layout.load_layout`` checks a layout's YAML against ``LAYOUT_FIELDS``; the fields of panels,
elements and the type scale are declared here once, beside the colour roles they may name.
"""

from __future__ import annotations

import re

from ..units import PAPER_SIZES
from .schema import (
    SLUG,
    Boolean,
    Choice,
    Field,
    Length,
    ListOf,
    MapOf,
    Number,
    Record,
    Text,
)

MIN_SAFE = 18.0  # 0.25 in: office printers cannot print nearer the edge, folds and cuts wander
MARK_ROOM = 20.0  # cut marks reach this far outside an imposed card
OFFICE_FRAME = 14.4  # 0.2 in (5 mm and a little): office printers leave this much of the sheet edge unprinted
CARD_BLEED = 9.0  # an office card's colour runs 1/8 in past its trim: a cut a little off shows no white sliver
COLOR_ROLE = re.compile(r"^(primary|accent|white|black|ink|tint|accent-tint|none|#[0-9a-fA-F]{6})$")
STYLES = ("title", "subtitle", "heading", "subheading", "body", "small")
_len = Length(allow_var=True)
_size = Length(allow_var=True, positive=True)  # a width, height or thickness of zero draws nothing, silently
_role = Text(
    pattern=COLOR_ROLE,
    pattern_hint="is not a colour: use primary, accent, white, black, ink, tint, accent-tint, none or '#rrggbb'",
)

_BOX: dict[str, Field] = {
    "column": Field(ListOf(Number(1, 12, integer=True), min_items=1, max_items=2), doc="grid column, or [first, last]"),
    "inset": Field(_len, default=0.0, doc="space kept inside the column on left and right"),
    "x": Field(_len, doc="left edge, from the sheet's left"),
    "width": Field(_size),
    "left": Field(_len, doc="distance from the sheet's left edge (default: the left margin)"),
    "right": Field(_len, doc="distance from the sheet's right edge (default: the right margin)"),
    "top": Field(_len, doc="distance from the sheet's top edge (default: the top margin)"),
    "height": Field(_size),
    "bottom": Field(_len, doc="distance from the sheet's bottom edge (default: the bottom margin)"),
}

PANEL_FIELDS: dict[str, Field] = {
    "id": Field(Text(pattern=SLUG, pattern_hint="is not an id (lowercase, digits, hyphens)"), required=True),
    "slot": Field(Text(pattern=SLUG, pattern_hint="is not a slot name"), doc="the recipe slot this panel takes"),
    "fill": Field(_role, default="none", doc="background colour of the panel"),
    "padding": Field(_len, default=0.0, doc="space between the panel's fill and its text"),
    "valign": Field(
        Choice(("top", "middle", "bottom", "spread", "foot")),
        default="top",
        doc="where content sits when it is shorter than the panel; 'spread': the room left over is shared "
        "between the blocks, at most half a line per gap, then after list items, at most 0.3 of a line each; 'foot': "
        "the last block sits at the panel's foot, the room left above it",
    ),
    "align": Field(
        Choice(("left", "center")),
        default="left",
        doc="'center': the panel's text is set on its centre line, list items one under another without a "
        "marker (a cover's teasers under its centred title)",
    ),
    "grow": Field(
        Length(minimum=6),
        doc="a fixed panel whose text leaves more than an inch of it empty sets that text larger, up to this body "
        "size, while everything still fits (a tri-fold's flap in compact Chinese)",
    ),
    **_BOX,
}

ELEMENT_FIELDS: dict[str, Field] = {
    "type": Field(Choice(("band", "text", "logo", "qr", "rule", "image", "icon")), required=True),
    "source": Field(
        Text(max_len=200),
        doc="image: 'cover' (branding.cover_image, else art/figures/cover-fallback.svg) or a file in art/; "
        "icon: a name in art/icons/",
    ),
    "knockout": Field(Boolean(), default=False, doc="logo: print it in white, for a logo on the brand colour"),
    "text": Field(Text(max_len=2000), doc="text elements: Jinja text, e.g. '{{ clinic.name }}'"),
    "style": Field(Choice(STYLES), default="body"),
    "align": Field(Choice(("left", "center", "right")), default="left"),
    "valign": Field(Choice(("top", "middle", "bottom")), default="top"),
    "color": Field(
        Text(pattern=re.compile(r"^(auto|" + COLOR_ROLE.pattern[2:]), pattern_hint="is not a colour"), default="auto"
    ),
    "background": Field(
        _role, default="white", doc="the colour under a text element, for picking a readable text colour"
    ),
    "fill": Field(_role, default="primary", doc="bands: fill colour"),
    "bleed": Field(Boolean(), default=False, doc="bands: extend into the bleed when printing for a print shop"),
    "thickness": Field(_size, default=0.75),
    "data": Field(Text(max_len=2000), doc="qr elements: Jinja text to encode, e.g. '{{ clinic.booking_url }}'"),
    "optional": Field(Boolean(), default=False, doc="skip quietly when the text or data is empty"),
    "min_size": Field(Length(minimum=6), doc="text elements: shrink to fit, but never below this size"),
    "max_size": Field(
        Length(minimum=6), doc="text elements: grow a text that fits on one line toward this size, while it does"
    ),
    "below": Field(
        Text(pattern=SLUG, pattern_hint="is not a panel id"),
        doc="logo elements: drawn only where the text of this panel, on the same page, ends above the logo (the "
        "tri-fold's back panel signs off with the logo where its text leaves room)",
    ),
    "after_logo": Field(
        Length(minimum=0),
        doc="text elements beside a logo element: start this far right of the logo as drawn, where a logo "
        "narrower than its box leaves room (a title beside a square logo moves in to it)",
    ),
    **_BOX,
}

PAGE_FIELDS: dict[str, Field] = {
    "id": Field(Text(pattern=SLUG, pattern_hint="is not an id"), required=True),
    "columns": Field(
        Record(
            {
                "widths": Field(ListOf(_size, min_items=1, max_items=12), required=True),
                "gap": Field(_len, default=0.0),
                "area": Field(Choice(("margins", "sheet")), default="margins"),
                "lines": Field(Choice(("none", "fold", "cut")), default="none"),
            }
        )
    ),
    "elements": Field(ListOf(Record(ELEMENT_FIELDS)), default=list),
    "panels": Field(ListOf(Record(PANEL_FIELDS)), default=list),
}

TYPE_FIELDS: dict[str, Field] = {
    "body": Field(Length(minimum=6), default=11.0, doc="body text size"),
    "leading": Field(Number(1.0, 2.5), default=1.35, doc="line height as a multiple of the size"),
    "leading_cjk": Field(
        Number(1.0, 2.5),
        doc="line height of Chinese text as a multiple of its size (default: 1.1 times leading; Chinese sets more "
        "open than Latin, every character a full em)",
    ),
    "title": Field(Length(minimum=6), default=22.0),
    "subtitle": Field(Length(minimum=6), default=13.0),
    "heading": Field(Length(minimum=6), default=15.0),
    "subheading": Field(Length(minimum=6), default=12.0),
    "small": Field(Length(minimum=6), default=8.5),
    "min_body": Field(Length(minimum=6), doc="allow shrink-to-fit down to this body size"),
}

LAYOUT_FIELDS: dict[str, Field] = {
    "name": Field(Text(max_len=80), required=True, doc="what the designer calls it"),
    "label": Field(Choice(("sheet", "tri-fold", "card")), default="sheet", doc="kind shown to front-desk staff"),
    "description": Field(Text(max_len=500)),
    "print_note": Field(Text(max_len=500), doc="how to print it, shown in the gallery"),
    "paper": Field(
        MapOf(Choice(("letter", "a4")), Choice(tuple(PAPER_SIZES))),
        doc="sheet size per clinic paper, e.g. {letter: half-letter, a4: a5}; default: the clinic's paper",
    ),
    "orientation": Field(Choice(("portrait", "landscape")), default="portrait"),
    "duplex": Field(Choice(("none", "long-edge", "short-edge")), default="none"),
    "safe_distance": Field(
        Length(minimum=MIN_SAFE), default=MIN_SAFE, doc="text and logos keep at least this far from edges, folds, cuts"
    ),
    "margins": Field(
        Record({k: Field(_len, default=36.0) for k in ("top", "right", "bottom", "left")}),
        default=lambda: {k: 36.0 for k in ("top", "right", "bottom", "left")},
    ),
    "vars": Field(MapOf(Text(pattern=SLUG, pattern_hint="is not a name"), _len), default=dict),
    "vars_by_paper": Field(
        MapOf(Choice(tuple(PAPER_SIZES)), MapOf(Text(pattern=SLUG, pattern_hint="is not a name"), _len)), default=dict
    ),
    "size": Field(
        MapOf(
            Choice(("letter", "a4")),
            Record({"width": Field(_size, required=True), "height": Field(_size, required=True)}),
        ),
        doc="a custom sheet size per clinic paper (cards), instead of paper",
    ),
    "impose": Field(
        Record(
            {
                "columns": Field(Number(1, 6, integer=True), default=2),
                "rows": Field(Number(1, 6, integer=True), default=1),
                "gap": Field(_len, default=36.0, doc="space between copies, where the cut marks go"),
                "orientation": Field(Choice(("portrait", "landscape")), default="landscape"),
            }
        ),
        doc="print several copies to a sheet of the clinic's paper, with cut marks (cards)",
    ),
    "large_print": Field(
        Text(pattern=SLUG, pattern_hint="is not a layout id"),
        doc="layout used for --large-print; omit if this layout is large print itself",
    ),
    "reading_order": Field(
        ListOf(Text(pattern=SLUG, pattern_hint="is not a slot name"), unique=True),
        doc="the order a reader meets the slots (a folded brochure); default: page order",
    ),
    "type": Field(Record(TYPE_FIELDS), default=dict),
    "disclaimer_in_footer": Field(
        Boolean(),
        default=False,
        doc="the page furniture prints the disclaimer on every page, so disclaimer blocks add no body copy",
    ),
    "balance": Field(
        Boolean(),
        default=False,
        doc="the last page's columns end at the same height, rather than one full and one short",
    ),
    "notes": Field(
        Boolean(),
        default=False,
        doc="the room the body leaves on the last page, if 1.25 in or more, gets ruled lines under 'Notes'",
    ),
    "repeat": Field(
        Choice(("none", "last")), default="none", doc="'last': add copies of the last page while content remains"
    ),
    "pages": Field(ListOf(Record(PAGE_FIELDS), min_items=1, max_items=20), required=True),
}
