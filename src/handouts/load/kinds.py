"""The words of each kind of block: which fields ``text.<lang>`` holds, and which of them are required.

``load.content`` checks every block's ``text:`` against the table here; the Writer and the HTML twin
each have one method per kind (``Writer.KINDS``, ``HtmlBlocks.KINDS``), kept equal to ``KINDS`` by a test.
"""

from __future__ import annotations

from .schema import Field, ListOf, Record, Text

_opt = Text()
_items = ListOf(Text(), min_items=1, max_items=60)

# The words of each kind of block, per language.
KIND_TEXT: dict[str, dict[str, Field]] = {
    "prose": {
        "title": Field(_opt),
        "body": Field(Text(), required=True),
        "fields": Field(ListOf(Text(max_len=40), max_items=6), doc="with form_field: one line to write on per label"),
    },
    "steps": {
        "title": Field(_opt),
        "intro": Field(_opt),
        "items": Field(_items, required=True),
        "outro": Field(_opt),
    },
    "callout": {
        "title": Field(Text(), required=True),
        "intro": Field(_opt),
        "items": Field(ListOf(Text(), max_items=60)),
        "body": Field(_opt),
    },
    "condition": {
        "name": Field(Text(), required=True),
        "what_it_is": Field(Text(), required=True),
        "symptoms": Field(_items, required=True),
        "causes": Field(_items, required=True),
        "how_acupuncture_may_help": Field(Text(), required=True),
        "what_research_says": Field(Text(), required=True),
        "warning_signs": Field(_items, required=True),
    },
    "faq": {
        "title": Field(_opt),
        "items": Field(
            ListOf(
                Record({"q": Field(Text(), required=True), "a": Field(Text(), required=True)}),
                min_items=1,
            ),
            required=True,
        ),
    },
    "contact": {"title": Field(_opt), "intro": Field(_opt)},
    "disclaimer": {"title": Field(_opt), "body": Field(Text(), required=True)},
    "figure": {
        "title": Field(_opt),
        "caption": Field(Text(), required=True),
        "alt": Field(Text(), required=True, doc="what the picture shows, for a reader who cannot see it"),
        "labels": Field(
            ListOf(Text(max_len=30), max_items=4),
            doc="short labels printed over the picture, left to right, each centred over its equal part of the "
            "picture's width (two views side by side: 'Healthy', 'Narrowed')",
        ),
    },
}
KIND_TEXT["bullets"] = KIND_TEXT["steps"]
KINDS = tuple(sorted(KIND_TEXT))
