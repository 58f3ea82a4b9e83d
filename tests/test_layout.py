"""Tests for layout geometry (plain numbers in points) and for units.to_points."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.errors import HandoutError, LayoutError
from handouts.load.layout import Layout, Rect, load_layout, resolve
from handouts.load.layout_fields import MIN_SAFE
from handouts.units import to_points

REPO = Path(__file__).resolve().parent.parent
INCH = 72.0
DISPLAY = "layouts/lay.yaml"
SHEETS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def shipped_sheet() -> Layout:
    return load_layout(REPO / "layouts" / "sheet.yaml", "layouts/sheet.yaml")


def layout_from(tmp_path: Path, text: str) -> Layout:
    path = tmp_path / "lay.yaml"
    path.write_text(text, encoding="utf-8")
    return load_layout(path, DISPLAY)


def layout_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(HandoutError) as info:
        layout_from(tmp_path, text)
    return info.value.format_message()


def one_panel(panel: str, head: str = "") -> str:
    return f"name: T\n{head}pages:\n  - id: one\n    panels:\n      - {{id: main, slot: body{panel}}}\n"


# --- units.to_points ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("2cm", 56.692913),
        ("11pt", 11.0),
        ("0.5in", 36.0),
        ("12mm", 34.015748),
        ("1pc", 12.0),
        (" 3 in ", 216.0),
        (".25in", 18.0),
        ("-0.5in", -36.0),
        ("0", 0.0),
        (7, 7.0),
        (7.5, 7.5),
    ],
)
def test_to_points(value, points):
    assert to_points(value) == pytest.approx(points)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2 furlongs", "unknown unit 'furlongs' in '2 furlongs': use one of pt, in, mm, cm, pc"),
        ("3ft", "unknown unit 'ft' in '3ft': use one of pt, in, mm, cm, pc"),
        ("12", "'12' has no unit: write for example '12pt' or '12mm'"),
        ("wide", "expected a length such as '0.5in' or '12mm', got 'wide'"),
        ("2IN", "expected a length such as '0.5in' or '12mm', got '2IN'"),
        (True, "expected a length such as '0.5in', got True"),
    ],
)
def test_to_points_refuses(value, message):
    with pytest.raises(ValueError) as info:
        to_points(value)
    assert str(info.value) == message


# --- the shipped sheet layout --------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_size_in_points(paper):
    geo = resolve(shipped_sheet(), paper)
    assert geo.paper == paper
    assert (geo.width, geo.height) == pytest.approx(SHEETS[paper], abs=0.01)
    assert geo.safe == MIN_SAFE == 18.0


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_panels_are_two_columns_inside_the_margins(paper):
    geo = resolve(shipped_sheet(), paper)
    width, _ = SHEETS[paper]
    margin, gap, bottom = 0.6 * INCH, 0.35 * INCH, 1.1 * INCH
    column = (width - 2 * margin - gap) / 2
    assert [page.id for page in geo.pages] == ["first", "next"]
    for page in geo.pages:
        left, right = page.panels
        assert (left.slot, right.slot) == ("body", "body")
        assert left.rect.x == pytest.approx(margin)
        assert left.rect.width == pytest.approx(column, abs=0.01)
        assert right.rect.x == pytest.approx(left.rect.right + gap)
        assert right.rect.width == pytest.approx(left.rect.width)
        assert width - right.rect.right == pytest.approx(margin, abs=0.01)
        assert left.rect.y == right.rect.y == pytest.approx(bottom)
        assert left.rect.top == right.rect.top
    assert geo.pages[0].panels[0].rect.height < geo.pages[1].panels[0].rect.height  # the first page has a header
    assert shipped_sheet().slots() == ["body"]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_panels_do_not_overlap_page_furniture(paper):
    geo = resolve(shipped_sheet(), paper)
    for page in geo.pages:
        assert page.panels and page.elements
        for panel in page.panels:
            for el in page.elements:
                apart = (
                    el.rect.right <= panel.rect.x
                    or panel.rect.right <= el.rect.x
                    or el.rect.top <= panel.rect.y
                    or panel.rect.top <= el.rect.y
                )
                assert apart, (page.id, panel.id, el.index, el.type)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_text_keeps_the_safe_distance_from_every_edge(paper):
    geo = resolve(shipped_sheet(), paper)
    rects = [panel.frame for page in geo.pages for panel in page.panels]
    rects += [el.rect for page in geo.pages for el in page.elements if el.type in ("text", "logo", "qr")]
    assert len(rects) > 4
    for rect in rects:
        assert min(rect.x, rect.y, geo.width - rect.right, geo.height - rect.top) >= 18.0 - 1e-6, rect
    for page in geo.pages:
        for panel in page.panels:
            frame, box = panel.frame, panel.rect
            assert box.x <= frame.x and frame.right <= box.right and box.y <= frame.y and frame.top <= box.top


# --- errors: safe distance ---------------------------------------------------------------------


def test_panel_too_near_the_left_edge(tmp_path):
    assert layout_error(tmp_path, one_panel(", left: 0.2in")) == (
        f"{DISPLAY}:5: pages[1].panels[1] (main): 0.2in from the left sheet edge; keep at least 0.25in"
    )


def test_margin_too_near_the_top_edge(tmp_path):
    head = "margins: {top: 0.1in, right: 0.5in, bottom: 0.5in, left: 0.5in}\n"
    assert layout_error(tmp_path, one_panel("", head)) == (
        f"{DISPLAY}:6: pages[1].panels[1] (main): 0.1in from the top sheet edge; keep at least 0.25in"
    )


def test_text_element_too_near_the_edge(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    elements:\n      - {type: text, top: 0.1in, height: 0.3in, text: hi}\n"
        "    panels:\n      - {id: main, slot: body}\n"
    )
    assert layout_error(tmp_path, text) == (
        f"{DISPLAY}:5: pages[1].elements[1] (text): 0.1in from the top sheet edge; keep at least 0.25in"
    )


def test_a_logo_set_below_a_panel_that_is_not_on_its_page_is_named(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    elements:\n"
        "      - {type: logo, top: 1in, height: 0.5in, left: 1in, width: 1in, below: back}\n"
        "    panels:\n      - {id: main, slot: body}\n"
    )
    assert layout_error(tmp_path, text) == (
        f"{DISPLAY}:5: pages[1].elements[1].below: no panel 'back' on this page: name one of ['main']"
    )


def test_bands_may_touch_the_edge_and_padding_keeps_text_safe(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    elements:\n      - {type: band, top: 0, height: 0.3in, left: 0, right: 0}\n"
        "    panels:\n      - {id: main, slot: body, left: 0.1in, padding: 0.2in}\n"
    )
    geo = resolve(layout_from(tmp_path, text), "letter")
    band = geo.pages[0].elements[0].rect
    assert (band.x, band.width, band.top) == pytest.approx((0.0, 612.0, 792.0))
    panel = geo.pages[0].panels[0]
    assert panel.rect.x == pytest.approx(0.1 * INCH)
    assert panel.frame.x == pytest.approx(0.3 * INCH)
    assert panel.frame.width == pytest.approx(panel.rect.width - 0.4 * INCH)


FOLDED = """\
name: T
orientation: landscape
margins: {{top: 0.5in, right: 0.5in, bottom: 0.5in, left: 0.5in}}
pages:
  - id: one
    columns: {{widths: [1fr, 1fr, 1fr], gap: {gap}, lines: fold}}
    panels:
      - {{id: a, column: [1], slot: body}}
      - {{id: b, column: [2], slot: body}}
      - {{id: c, column: [3], slot: body}}
"""


def test_panels_beside_folds(tmp_path):
    geo = resolve(layout_from(tmp_path, FOLDED.format(gap="1in")), "letter")
    page = geo.pages[0]
    assert (geo.width, geo.height) == (792.0, 612.0)
    assert page.folds == pytest.approx((264.0, 528.0))
    assert page.cuts == ()
    assert [p.rect.x for p in page.panels] == pytest.approx([36.0, 300.0, 564.0])
    assert [p.rect.width for p in page.panels] == pytest.approx([192.0] * 3)


def test_panel_too_near_a_fold(tmp_path):
    assert layout_error(tmp_path, FOLDED.format(gap="0.2in")) == (
        f"{DISPLAY}:8: pages[1].panels[1] (a): 0.1in from the fold or cut at 3.8in; keep at least 0.25in"
    )


def test_safe_distance_cannot_go_below_the_minimum(tmp_path):
    assert layout_error(tmp_path, one_panel("", "safe_distance: 0.1in\n")) == (
        f"{DISPLAY}:2: safe_distance: '0.1in' is less than the minimum of 18pt"
    )


# --- lengths: variables, percentages, columns, units ----------------------------------------------

VARS = """\
name: T
paper: {letter: half-letter, a4: a5}
vars: {edge: 0.5in}
vars_by_paper: {a5: {edge: 15mm}}
margins: {top: $edge, right: $edge, bottom: $edge, left: $edge}
pages:
  - id: one
    panels:
      - {id: main, slot: body}
"""


def test_vars_and_vars_by_paper(tmp_path):
    layout = layout_from(tmp_path, VARS)
    letter, a4 = resolve(layout, "letter"), resolve(layout, "a4")
    assert (letter.paper, letter.width, letter.height) == ("half-letter", 396.0, 612.0)
    assert letter.pages[0].panels[0].rect.x == pytest.approx(36.0)
    assert letter.pages[0].panels[0].rect.width == pytest.approx(396.0 - 72.0)
    assert (a4.paper, a4.width, a4.height) == pytest.approx(("a5", 419.5276, 595.2756))
    edge = 15 * 72 / 25.4
    assert a4.pages[0].panels[0].rect.x == pytest.approx(edge)
    assert a4.pages[0].panels[0].rect.y == pytest.approx(edge)
    assert a4.pages[0].panels[0].rect.height == pytest.approx(595.2756 - 2 * edge)


def test_unknown_variable(tmp_path):
    assert layout_error(tmp_path, one_panel(", top: $nope")) == (
        f"{DISPLAY}:5: pages[1].panels[1] (main).top: unknown variable '$nope'; define it under vars:"
    )


def test_percent_lengths(tmp_path):
    layout = layout_from(tmp_path, one_panel(", left: 10%, right: 10%, top: 25%, bottom: 25%"))
    rect = resolve(layout, "letter").pages[0].panels[0].rect
    assert (rect.x, rect.width) == pytest.approx((61.2, 612 * 0.8))
    assert (rect.y, rect.height) == pytest.approx((792 * 0.25, 792 * 0.5))


def test_fixed_and_fraction_columns(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    columns: {widths: [2in, 1fr, 2fr], gap: 0.25in}\n    panels:\n"
        "      - {id: a, slot: body, column: [1]}\n      - {id: b, slot: body, column: [2, 3]}\n"
    )
    a, b = resolve(layout_from(tmp_path, text), "letter").pages[0].panels
    assert (a.rect.x, a.rect.width) == pytest.approx((36.0, 144.0))
    assert b.rect.x == pytest.approx(36.0 + 144.0 + 18.0)
    assert b.rect.right == pytest.approx(612.0 - 36.0)


def test_columns_that_do_not_add_up(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    columns: {widths: [3in, 3in], gap: 0.5in}\n"
        "    panels:\n      - {id: main, slot: body, column: [1]}\n"
    )
    with pytest.raises(LayoutError) as info:
        layout_from(tmp_path, text)
    assert info.value.path == DISPLAY
    assert info.value.detail == "pages[1].columns.widths: columns add up to 6.5in but the area is 7.5in wide"


def test_columns_problem_names_its_line(tmp_path):
    first = (
        "name: T\npages:\n  - {id: one, columns: {widths: [3in, 3in], gap: 0.5in}, panels: [{id: main, slot: body}]}\n"
    )
    second = (
        "name: T\npages:\n  - id: one\n    panels:\n      - {id: main, slot: body}\n"
        "  - {id: two, columns: {widths: [3in, 3in], gap: 0.5in}, panels: [{id: next, slot: body}]}\n"
    )
    detail = "columns.widths: columns add up to 6.5in but the area is 7.5in wide"
    assert layout_error(tmp_path, first) == f"{DISPLAY}:3: pages[1].{detail}"
    assert layout_error(tmp_path, second) == f"{DISPLAY}:6: pages[2].{detail}"


def test_unknown_variable_in_margins_names_its_line(tmp_path):
    head = "margins: {top: $edge, right: 1in, bottom: 1in, left: 1in}\n"
    assert layout_error(tmp_path, one_panel("", head)) == (
        f"{DISPLAY}:2: margins.top: unknown variable '$edge'; define it under vars:"
    )


def test_column_out_of_range(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    columns: {widths: [1fr, 1fr]}\n"
        "    panels:\n      - {id: main, slot: body, column: [3]}\n"
    )
    assert layout_error(tmp_path, text) == f"{DISPLAY}:6: pages[1].panels[1] (main).column: the page has 2 column(s)"


@pytest.mark.parametrize(
    ("length", "message"),
    [
        ("2ft", "unknown unit 'ft' in '2ft': use one of pt, in, mm, cm, pc"),
        ("2 furlongs", "unknown unit 'furlongs' in '2 furlongs': use one of pt, in, mm, cm, pc"),
        ("'3'", "'3' has no unit: write for example '3pt' or '3mm'"),
    ],
)
def test_unknown_unit(tmp_path, length, message):
    assert layout_error(tmp_path, one_panel(f", top: {length}")) == (f"{DISPLAY}:5: pages[1].panels[1].top: {message}")


def test_duplicate_panel_id(tmp_path):
    text = (
        "name: T\npages:\n  - id: one\n    panels:\n      - {id: main, slot: body}\n"
        "      - {id: main, slot: body, top: 5in}\n"
    )
    assert layout_error(tmp_path, text) == f"{DISPLAY}:6: pages[1].panels[2].id: 'main' is used twice"


def test_custom_size_with_a_variable(tmp_path):
    head = "size: {letter: {width: $w, height: 2in}, a4: {width: 85mm, height: 55mm}}\nvars: {w: 3.5in}\n"
    layout = layout_from(tmp_path, one_panel(", left: 0.25in, right: 0.25in, top: 0.25in, bottom: 0.25in", head))
    letter, a4 = resolve(layout, "letter"), resolve(layout, "a4")
    assert (letter.paper, letter.width, letter.height) == ("custom", 3.5 * INCH, 2 * INCH)
    assert (a4.width, a4.height) == pytest.approx((85 * 72 / 25.4, 55 * 72 / 25.4))
    assert letter.pages[0].panels[0].rect == Rect(18.0, 18.0, 3 * INCH, 1.5 * INCH)


ROLES = ("primary", "accent", "white", "black", "ink", "tint", "accent-tint", "none")  # the README's panel fills


def test_a_misspelt_fill_names_every_colour_role_a_layout_may_use(tmp_path):
    """A typo in a panel's fill is one message at its line that lists every role; each role it lists is accepted."""
    message = layout_error(tmp_path, one_panel(", fill: acent-tint"))
    assert message.startswith(f"{DISPLAY}:5: pages[1].panels[1].fill: 'acent-tint' is not a colour: use ")
    for role in ROLES:
        assert f" {role}," in message or f" {role} or" in message, role
        layout_from(tmp_path, one_panel(f", fill: {role}"))
