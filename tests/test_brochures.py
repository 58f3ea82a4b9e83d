"""The tri-fold, the card and the output variants, read back from real PDFs."""

from __future__ import annotations

import colorsys
import io
import itertools
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from handouts.build import build
from handouts.handout import render
from handouts.load.layout import resolve
from handouts.load.project import load_project
from handouts.plan import Options, Task
from handouts.variant import Variant

REPO = Path(__file__).resolve().parent.parent
IN = 72.0
MM = 72 / 25.4


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def _reader(project, clinic: str, handout: str, variant: Variant | None = None) -> PdfReader:
    return PdfReader(io.BytesIO(render(project, Task(clinic, handout, "en", variant or Variant()))))


def _columns(page) -> list[tuple[float, float]]:
    return [(p.rect.x, p.rect.right) for p in page.panels]


def test_trifold_letter_panels_are_the_roll_fold_widths(project):
    geo = resolve(project.layouts["trifold"], "letter")
    assert (geo.width, geo.height) == (792.0, 612.0)
    outside, inside = geo.pages
    assert outside.folds == pytest.approx((3.625 * IN, 7.3125 * IN))
    assert inside.folds == pytest.approx((3.6875 * IN, 7.375 * IN))
    # the flap (narrow) is outside left and inside right
    assert [p.id for p in outside.panels] == ["fold-in-flap", "back-panel", "front-cover"]
    assert [p.id for p in inside.panels] == ["inside-1", "inside-2", "inside-3"]
    for page in geo.pages:
        edges = (0.0, *page.folds, geo.width)
        for panel in page.panels:
            f = panel.frame
            assert min(abs(f.x - e) for e in edges) >= 0.25 * IN - 0.01
            assert min(abs(f.right - e) for e in edges) >= 0.25 * IN - 0.01
            assert f.y >= 0.25 * IN and geo.height - f.top >= 0.25 * IN


def test_trifold_a4_panels_are_97_100_100_mm(project):
    geo = resolve(project.layouts["trifold"], "a4")
    assert geo.width == pytest.approx(297 * MM) and geo.height == pytest.approx(210 * MM)
    assert geo.pages[0].folds == pytest.approx((97 * MM, 197 * MM))
    assert geo.pages[1].folds == pytest.approx((100 * MM, 200 * MM))


def _region_text(pdf: bytes, page: int, rect, height: float) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        args = [
            "pdftotext",
            "-f",
            str(page),
            "-l",
            str(page),
            "-r",
            "72",
            "-x",
            str(int(rect.x)),
            "-y",
            str(int(height - rect.top)),
            "-W",
            str(int(rect.width) + 1),
            "-H",
            str(int(rect.height) + 1),
            fh.name,
            "-",
        ]
        return " ".join(subprocess.run(args, capture_output=True, text=True, check=True).stdout.split())


def test_trifold_blocks_land_in_their_panels(project):
    clinic = project.clinics["north-star"]
    pdf = render(project, Task("north-star", "nerve-pain", "en"))
    geo = resolve(project.layouts["trifold"], clinic.paper)
    panels = {p.id: (n + 1, p.rect) for n, page in enumerate(geo.pages) for p in page.panels}

    def text(panel: str) -> str:
        page, rect = panels[panel]
        return _region_text(pdf, page, rect, geo.height)

    # opening the cover, the reader meets the brochure's title over the intro (the cover says the subtitle under
    # its headline), the key points and what nerve pain is, not the safety list
    title = project.handouts["nerve-pain"].text["en"]["title"]
    assert text("fold-in-flap").startswith(f"{title} Nerve pain can burn")
    assert "Key points" in text("fold-in-flap")
    assert "What is nerve pain?" in text("fold-in-flap")
    assert "Keeping you safe" in text("inside-1") + text("inside-2") + text("inside-3")
    assert clinic.phone in text("back-panel") and "When to get medical help" in text("back-panel")
    assert "Acupuncture and nerve pain" not in text("back-panel")
    assert text("front-cover").startswith("Inside:")  # the teasers
    assert "How might acupuncture" in text("inside-1")  # after the figure that opens the inside


@pytest.mark.parametrize("clinic", ["lotus-acupuncture", "harmony-centre"])
def test_an_office_trifold_cover_shows_an_even_white_frame_when_folded(project, clinic):
    """An office printer leaves the sheet's edges white, so the cover's colour stops as far short of the fold as
    of the three edges: folded, the cover has the same white frame on all four sides (read back from the PDF)."""
    brand = project.clinics[clinic].primary_color
    want = tuple(int(brand[i : i + 2], 16) / 255 for i in (1, 3, 5))
    geo = resolve(project.layouts["trifold"], project.clinics[clinic].paper)
    fold = geo.pages[0].folds[-1]  # the cover's fold, from the layout's panel widths
    data = render(project, Task(clinic, "nerve-pain", "en"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        fills = [
            r
            for r in page.rects
            if r["fill"]
            and tuple(round(float(c), 3) for c in r["non_stroking_color"][:3]) == tuple(round(c, 3) for c in want)
            and r["x0"] > fold - 20
        ]
        cover = max(fills, key=lambda r: r["width"] * r["height"])
        margins = (cover["x0"] - fold, page.width - cover["x1"], cover["top"], page.height - cover["bottom"])
    assert min(margins) > 5, margins  # white all round: no colour at the fold to show as a sliver
    assert max(margins) - min(margins) < 0.5, margins


@pytest.mark.parametrize(
    ("clinic", "lang"), [("lotus-acupuncture", "en"), ("lotus-acupuncture", "es"), ("harmony-centre", "zh-Hant")]
)
def test_the_cover_s_inside_teasers_sit_on_its_centre_line_without_bullets(project, clinic, lang):
    """The cover's title and picture are centred, so its "Inside:" teasers are too (the panel's ``align: center``):
    every line of the heading and of each teaser from trifold-cover-teasers.yaml is centred on the cover's colour
    field (pdfplumber: the brand-coloured rect right of the last fold), within 1.5 pt; no bullet is printed there;
    and the teasers are still a list in the tags (pikepdf: an L with an LI per teaser)."""
    import pikepdf

    words = project.blocks["trifold-cover-teasers"].text[lang]
    brand = project.clinics[clinic].primary_color
    want = tuple(round(int(brand[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))
    fold = resolve(project.layouts["trifold"], project.clinics[clinic].paper).pages[0].folds[-1]
    data = render(project, Task(clinic, "nerve-pain", lang))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        cover = max(
            (
                r
                for r in page.rects
                if r["fill"]
                and r["x0"] > fold - 20
                and tuple(round(float(c), 3) for c in r["non_stroking_color"][:3]) == want
            ),
            key=lambda r: r["width"] * r["height"],
        )
        centre = (cover["x0"] + cover["x1"]) / 2
        lines = page.crop((cover["x0"], cover["top"], cover["x1"], cover["bottom"])).extract_text_lines()
    heading = next(
        i for i, line in enumerate(lines) if line["text"].replace(" ", "") == words["title"].replace(" ", "")
    )
    joined = "".join(line["text"] for line in lines[heading + 1 :]).replace(" ", "")
    teasers = [t.replace(" ", "") for t in words["items"]]
    assert joined.startswith("".join(teasers)), (joined, teasers)  # every word, in order, and no bullet before any
    for line in lines[heading:]:  # the heading, each teaser's lines, and the clinic's name under them
        last = line["chars"][-1]
        # a full-width mark that ends a line ("本冊內容：") is inked in its left half: centred on its ink
        right = last["x0"] + last["width"] / 2 if last["text"] in "：，。；" else last["x1"]
        assert abs((line["x0"] + right) / 2 - centre) < 1.5, (line["text"], line["x0"], right, centre)
    assert "\u2022" not in "".join(line["text"] for line in lines)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        items = []

        def walk(node) -> None:
            kids = node.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") is not None:
                    if kid.get("/S") == "/L":
                        items.append(
                            sum(
                                1
                                for k in kid.get("/K", [])
                                if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/LI"
                            )
                        )
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
    assert len(words["items"]) in items  # the teasers' list, item for item


@pytest.mark.parametrize("clinic", ["lotus-acupuncture", "harmony-centre"])
def test_the_trifold_safety_panel_is_tinted_with_the_clinic_s_accent_to_the_folded_panel_s_frame(project, clinic):
    """The last inside panel (safety) sits on the accent colour mixed 85% with white, computed here from clinic.yaml's
    accent_color; on an office sheet the tint leaves the same white frame at the fold as at the sheet's edges, like the
    cover (read back from the PDF with pdfplumber: the panel's largest fill and its margins)."""
    accent = project.clinics[clinic].accent_color
    want = tuple(round((int(accent[i : i + 2], 16) / 255 * 0.15 + 0.85) * 255) for i in (1, 3, 5))
    geo = resolve(project.layouts["trifold"], project.clinics[clinic].paper)
    fold = geo.pages[1].folds[-1]  # the fold before the last inside panel, from the layout's panel widths
    data = render(project, Task(clinic, "nerve-pain", "en"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[1]
        tinted = [
            r
            for r in page.rects
            if r["fill"] and tuple(round(float(c) * 255) for c in r["non_stroking_color"][:3]) == want
        ]
        assert tinted, (want, [r["non_stroking_color"] for r in page.rects if r["fill"]])
        panel = max(tinted, key=lambda r: r["width"] * r["height"])
        words = page.extract_words(extra_attrs=["non_stroking_color"])
        heading = next(w for w in words if w["x0"] > fold)  # the panel's first words sit on it
        assert panel["x0"] < heading["x0"] and panel["top"] < heading["top"]
        # its heading in the brand colour, as on the white panels (both brands read on the tint as they are)
        brand = project.clinics[clinic].primary_color
        assert tuple(round(float(c) * 255) for c in heading["non_stroking_color"][:3]) == tuple(
            int(brand[i : i + 2], 16) for i in (1, 3, 5)
        )
        left, right, bottom = panel["x0"] - fold, page.width - panel["x1"], page.height - panel["bottom"]
    assert min(left, right, bottom) > 5, (left, right, bottom)
    assert max(left, right, bottom) - min(left, right, bottom) < 0.5, (left, right, bottom)


@pytest.mark.parametrize("clinic", ["lotus-acupuncture", "harmony-centre"])
def test_the_flap_opens_with_its_lead_a_step_up_in_the_body_s_ink(project, clinic):
    """The flap opens with the brochure's lead paragraph set as a standfirst: in the colour of the body text under
    it (not the clinic's primary colour from clinic.yaml: a paragraph in the brand colour read as low contrast,
    rev58a-b) and larger than the body (the layout's subheading against its body size, from trifold.yaml, in
    proportion where the flap's text is set larger), read back from the PDF with pdfplumber."""
    import yaml

    brand = project.clinics[clinic].primary_color
    branded = tuple(round(int(brand[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))
    basics = project.blocks["nerve-pain-basics"].text["en"]["intro"].split()[0]
    sizes = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))["type"]
    lead, body = (float(sizes[k].removesuffix("pt")) for k in ("subheading", "body"))
    first = project.blocks["trifold-cover-intro"].text["en"]["body"].split()[0]
    data = render(project, Task(clinic, "nerve-pain", "en"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["size", "non_stroking_color"])
        word = next(w for w in words if w["text"] == first)
        body_word = next(w for w in words if w["text"] == basics and w["top"] > word["top"])
        flap = _body_size([c for c in page.chars if c["x0"] < word["x0"] + 3 * IN])  # its body, grown or not
    colour = tuple(round(float(c), 3) for c in word["non_stroking_color"][:3])
    assert colour == tuple(round(float(c), 3) for c in body_word["non_stroking_color"][:3]) and colour != branded
    assert abs(word["size"] - lead * flap / body) < 0.02 and lead > body  # a flap set larger keeps the proportion


def test_trifold_asks_for_duplex_short_edge_and_no_scaling(project):
    reader = _reader(project, "lotus-acupuncture", "nerve-pain")
    prefs = reader.trailer["/Root"]["/ViewerPreferences"]
    assert prefs["/Duplex"] == "/DuplexFlipShortEdge"
    assert prefs["/PrintScaling"] == "/None"
    assert len(reader.pages) == 2


def test_card_is_imposed_two_to_a_sheet_with_cut_marks(project):
    reader = _reader(project, "lotus-acupuncture", "aftercare")
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (792.0, 612.0)
    text = page.extract_text()
    assert text.count("After your session") == 2
    geo = resolve(project.layouts["card"], "letter")
    assert (geo.width, geo.height) == (4.75 * IN, 7.5 * IN)
    assert geo.impose.origins == ((0.5 * IN, 0.5 * IN), (5.75 * IN, 0.5 * IN))
    # cut marks: short vertical strokes just outside each card corner
    stream = page.get_contents().get_data().decode("latin-1")
    # the marks stay outside the cards and at least 0.2 in (the office frame) from the sheet edge
    assert "n 36 25.5 m 36 16 l S" in stream, "a cut mark below the first card's left edge, outside its bleed"
    marks = stream[stream.rindex("0 0 0 RG\n.5 w") :]
    for x0, y0, x1, y1 in re.findall(r"n ([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", marks):
        for x, y in ((float(x0), float(y0)), (float(x1), float(y1))):
            assert 14.4 <= x <= 792 - 14.4 and 14.4 <= y <= 612 - 14.4
            inside = [ox < x < ox + geo.width and oy < y < oy + geo.height for ox, oy in geo.impose.origins]
            assert not any(inside)
    # the title band runs past each card's trim (top and sides), and the foot's band past it at the bottom and
    # sides, so a cut a little off leaves no white edge
    data = render(project, Task("lotus-acupuncture", "aftercare", "en", Variant()))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[0]
        bands = [
            r for r in sheet.rects if r["non_stroking_color"] not in (None, (1, 1, 1), [1, 1, 1]) and r["width"] > 200
        ]
        for ox, oy in geo.impose.origins:
            top = sheet.height - (oy + geo.height)  # the card's top edge, from the sheet's top
            bottom = sheet.height - oy  # the card's bottom edge, from the sheet's top
            band = [r for r in bands if r["x0"] < ox + 1 and r["x1"] > ox + geo.width - 1]
            assert band, "no band across the card"
            assert all(r["x0"] <= ox - 8.5 and r["x1"] >= ox + geo.width + 8.5 for r in band)
            assert any(r["top"] <= top - 8.5 for r in band) and any(r["bottom"] >= bottom + 8.5 for r in band)
            assert all(r["top"] <= top - 8.5 or r["bottom"] >= bottom + 8.5 for r in band)


def test_print_shop_has_bleed_trim_and_marks(project):
    reader = _reader(project, "riverside-tcm", "nerve-pain", Variant(print_shop=True))
    page = reader.pages[0]
    trim = [float(v) for v in page.trimbox]
    bleed = [float(v) for v in page.bleedbox]
    assert trim[2] - trim[0] == pytest.approx(297 * MM, abs=0.01)
    assert trim[3] - trim[1] == pytest.approx(210 * MM, abs=0.01)
    assert trim[0] - bleed[0] == pytest.approx(3 * MM)
    assert float(page.mediabox.width) > bleed[2]
    letter = _reader(project, "lotus-acupuncture", "nerve-pain", Variant(print_shop=True)).pages[0]
    assert float(letter.trimbox[0]) - float(letter.bleedbox[0]) == pytest.approx(0.125 * IN)


def _colour_operands(reader: PdfReader) -> list[tuple[str, ...]]:
    ops = []
    for page in reader.pages:
        stream = page.get_contents().get_data().decode("latin-1")
        ops += re.findall(r"([-\d.]+) ([-\d.]+) ([-\d.]+) (?:rg|RG)\b", stream)
        assert not re.search(r"\b(k|K|sc|scn|SC|SCN)\b", stream)
    return ops


def test_grayscale_has_no_colour_left(project):
    reader = _reader(project, "lotus-acupuncture", "first-visit", Variant(grayscale=True))
    ops = _colour_operands(reader)
    assert ops and all(r == g == b for r, g, b in ops)
    for page in reader.pages:
        for image in page.images:
            assert image.image.mode in ("L", "LA")
    colourful = _colour_operands(_reader(project, "lotus-acupuncture", "first-visit"))
    assert any(len({r, g, b}) > 1 for r, g, b in colourful)


def test_large_print_body_is_at_least_16pt(project):
    reader = _reader(project, "north-star", "nerve-pain", Variant(large_print=True))
    sizes = []
    for page in reader.pages:
        sizes += [float(s) for s in re.findall(r"/F\S+ ([\d.]+) Tf", page.get_contents().get_data().decode("latin-1"))]
    assert sizes and min(sizes) >= 16


def test_variants_land_in_distinct_files(make_project):
    root = make_project()
    build(root, Options())
    build(root, Options(variant=Variant(grayscale=True, large_print=True)))
    names = sorted(p.name for p in (root / "output" / "demo").glob("*.pdf"))
    assert names == ["welcome.large-print.grayscale.pdf", "welcome.pdf"]


def test_overflowing_trifold_panel_fails_naming_block_and_panel(make_project):
    long = "\n".join(
        f"      - Safety point {i} is written out in a long sentence to fill the narrow flap." for i in range(40)
    )
    root = make_project(
        {
            "layouts/trifold.yaml": (REPO / "layouts" / "trifold.yaml").read_text(),
            "layouts/sheet-large.yaml": (REPO / "layouts" / "sheet-large.yaml").read_text(),
            "content/blocks/safety.yaml": f"kind: bullets\nreviewed: 2026-11-01\nsources: [t]\ntext:\n  en:\n    title: Safe\n    items:\n{long}\n",
            "content/handouts/brochure.yaml": "layout: trifold\ntext:\n  en:\n    title: B\nslots:\n  flap: [safety]\n  back: [contact, disclaimer]\n",
        }
    )
    report = build(root, Options(handouts=("brochure",)))
    messages = [e.format_message() for _, _, e in report.failed]
    assert len(messages) == 1
    assert messages[0].startswith(
        "content/blocks/safety.yaml:5: handout 'brochure' for clinic 'demo' (en): block 'safety' does not fit: "
        "it runs past panel 'fold-in-flap' (page 1) of layout 'trifold'"
    )


def test_validate_notes_a_low_contrast_brand_colour_and_the_shade_printed_instead(make_project, runner):
    from conftest import CLINIC

    from handouts.cli import cli
    from handouts.colors import contrast

    root = make_project({"content/clinics/demo/clinic.yaml": CLINIC.replace('"#1f5f5b"', '"#7fb3d5"')})
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 0  # a note, not an error: the handout stays readable and on brand
    note = result.stdout.splitlines()[0]
    match = re.fullmatch(
        r"content/clinics/demo/clinic\.yaml:20: note: branding\.primary_color: headings and links in #7fb3d5 reach "
        r"only 2\.26:1 on the paper or tint under them \(WCAG AA needs 4\.5:1\), so they print in (#[0-9a-f]{6}), a "
        r"darker shade of the same colour; choose a darker colour to print it as given",
        note,
    )
    assert match, note
    shade = match[1]
    assert contrast(shade, "#ffffff") >= 4.5
    hue = colorsys.rgb_to_hls(*(int(shade[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    assert abs(hue - colorsys.rgb_to_hls(0x7F / 255, 0xB3 / 255, 0xD5 / 255)[0]) < 0.02  # the same hue, darker


def test_a_light_yellow_brand_colour_darkens_to_a_gold_not_an_olive(make_project, runner):
    """Harmony's light gold printed darker at the same hue reads olive; a printer's dark gold sits nearer orange."""
    from conftest import CLINIC

    from handouts.cli import cli
    from handouts.colors import contrast

    root = make_project({"content/clinics/demo/clinic.yaml": CLINIC.replace('"#1f5f5b"', '"#f5d90a"')})
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    shade = re.search(r"so they print in (#[0-9a-f]{6})", result.stdout)
    assert shade, result.stdout
    assert contrast(shade[1], "#ffffff") >= 4.5
    hue = colorsys.rgb_to_hls(*(int(shade[1][i : i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360
    given = colorsys.rgb_to_hls(0xF5 / 255, 0xD9 / 255, 0x0A / 255)[0] * 360  # 53.5 degrees: yellow
    assert 30 <= hue <= 45 < given, hue  # gold (goldenrod is 43 degrees), not the yellow's olive


def test_text_on_brand_bands_is_black_or_white_by_contrast():
    from handouts.colors import contrast, text_on

    assert text_on("#1f5f5b") == "#ffffff"
    assert text_on("#f5d76e") == "#000000"
    for colour in ("#1f5f5b", "#f5d76e", "#7fb3d5", "#5b2a6e", "#777777"):
        assert contrast(text_on(colour), colour) >= 4.5


@pytest.mark.parametrize("lang", ["en", "es", "zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("clinic", ["lotus-acupuncture", "harmony-centre"])
def test_a_tri_fold_s_inside_panels_run_to_their_foot(project, clinic, lang):
    """Compact Chinese left a tri-fold's inside panels up to 2.1 in short of their foot, the safety list's items
    close together above an empty third. The inside panels are set 'spread' (layouts/trifold.yaml): the room
    left is shared between blocks and after list items, so each panel's lowest text, rule or drawing ends
    within 1.25 in of its foot (the panel's bottom, from the layout), read from the PDF with pdfplumber."""
    clinic_ = project.clinics[clinic]
    if lang not in clinic_.languages:
        pytest.skip(f"{clinic} does not offer {lang}")
    geo = resolve(project.layouts["trifold"], clinic_.paper)
    inside = next(i for i, page in enumerate(geo.pages) if page.id == "inside")
    pdf = render(project, Task(clinic, "nerve-pain", lang))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[inside]
        for panel in geo.pages[inside].panels:
            rect = panel.rect
            objs = [
                o
                for o in page.chars + page.rects + page.curves + page.images
                if rect.x <= o["x0"]
                and o["x1"] <= rect.right
                and o["height"] < rect.height / 2
                and o["top"] > 0.3 * IN  # not the brand bar atop the panel
            ]
            foot = geo.height - rect.y  # the panel's bottom, from the page's top
            assert foot - max(o["bottom"] for o in objs) <= 1.25 * IN, (panel.id, foot, max(o["bottom"] for o in objs))


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_a_tri_fold_s_inside_panel_grows_each_gap_by_half_a_line_at_most(project, lang):
    """A 'spread' panel shares the room its text leaves, but a gap between two blocks grows by half a body line at
    most (a list item's by less), the rest staying at the panel's foot: a whole line left the research panel's
    box 0.5 in from the text above and below it, looser than the panels beside it (rev46a-b, rev47a-b). Each
    inside panel's lines, read with pdfplumber, against the same brochure drawn with nothing spread: same lines,
    in order, none moved up, and no gap between two lines grown by more than half a line. Some gap does grow."""
    import yaml

    from handouts.pdf import parts

    sizes = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))["type"]
    body = float(sizes["body"].removesuffix("pt")) * float(sizes["leading"])  # a body line
    task = Task("lotus-acupuncture", "nerve-pain", lang)
    shipped = render(project, task)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts, "spread", lambda *args, **kwargs: None)  # a figure still grows first, in both
        plain = render(project, task)
    geo = resolve(project.layouts["trifold"], project.clinics["lotus-acupuncture"].paper)
    inside = next(i for i, page in enumerate(geo.pages) if page.id == "inside")
    grew = 0.0
    for panel in geo.pages[inside].panels:
        lines = []
        for data in (shipped, plain):
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                page = pdf.pages[inside]
                box = (panel.rect.x, 0.3 * IN, panel.rect.right, page.height - 0.2 * IN)
                lines.append([ln for ln in page.crop(box).extract_text_lines() if ln["text"].strip()])
        now, before = lines
        assert [ln["text"] for ln in now] == [ln["text"] for ln in before], panel.id
        # half a line: the panel's tallest (a heading's, within a quarter more than a body line's 11.5 x 1.25 pt,
        # layouts/trifold.yaml's type)
        most = 0.5 * 1.25 * body + 0.5
        for i in range(1, len(now)):
            assert now[i]["top"] >= before[i]["top"] - 0.5, (panel.id, now[i]["text"])
            grown = (now[i]["top"] - now[i - 1]["top"]) - (before[i]["top"] - before[i - 1]["top"])
            assert grown <= most, (panel.id, now[i]["text"], round(grown, 1), round(most, 1))
            grew = max(grew, grown)
    assert grew > 2, "no gap grew: the test checks nothing"


def test_the_tri_fold_s_back_panel_opens_with_its_help_box_and_the_contact_details_under_it(project):
    """layouts/trifold.yaml sets the back panel 'top' and the recipe puts the "When to get medical help" box first
    and the contact details after it: the box at the panel's top, the contact details (the clinic's phone, the
    booking link under its QR code) one gap under it, the room left above the fine print at the panel's foot, and
    no logo stacked between them (rev57a-b; rev58a-b read contact details at the top over a floating help box as
    unanchored; rev59a-b read them on the foot, 0.8 to 1.2 in under the box, as a hole in the panel). Every
    clinic's tri-fold in every language it prints, read with pdfplumber against the layout's geometry: the box
    (the panel's tallest rectangle) starts within 0.1 in of the panel's top; the first line under it starts
    within 0.5 in of its foot and holds the contact heading, the phone number (clinic.yaml) under it; every
    line of the panel ends above its foot; no raster image."""
    import yaml

    layout = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))
    outside = next(p for p in layout["pages"] if p["id"] == "outside")
    assert next(p for p in outside["panels"] if p["id"] == "back-panel")["valign"] == "top"
    headings = {lang: words["title"] for lang, words in project.blocks["contact-brochure"].text.items() if "@" not in lang}
    checked = 0
    for slug, clinic in project.clinics.items():
        geo = resolve(project.layouts["trifold"], clinic.paper)
        page_index = next(i for i, page in enumerate(geo.pages) if page.id == "outside")
        panel = next(p for p in geo.pages[page_index].panels if p.id == "back-panel")
        top, foot = geo.height - panel.rect.top, geo.height - panel.rect.y  # from the page's top, as pdfplumber
        phone = clinic.phone.replace(" ", "")
        for lang in clinic.languages:
            with pdfplumber.open(io.BytesIO(render(project, Task(slug, "nerve-pain", lang)))) as pdf:
                page = pdf.pages[page_index]
                rects = [r for r in page.rects if panel.rect.x - 1 <= r["x0"] and r["x1"] <= panel.rect.right + 1]
                box = max(rects, key=lambda r: r["bottom"] - r["top"])
                region = page.crop((panel.rect.x, 0, panel.rect.right, foot))
                lines = region.extract_text_lines()
                at_phone = next(ln for ln in lines if phone in ln["text"].replace(" ", ""))
                images = [im for im in page.images if panel.rect.x - 1 <= im["x0"] and im["x1"] <= panel.rect.right + 1]
            assert abs(box["top"] - top) < 0.1 * IN, (slug, lang, round((box["top"] - top) / IN, 2))
            under = min((ln for ln in lines if ln["top"] > box["bottom"]), key=lambda ln: ln["top"])
            assert under["text"].replace(" ", "") == headings[lang].replace(" ", ""), (slug, lang, under["text"])
            assert under["top"] - box["bottom"] < 0.5 * IN, (slug, lang, round((under["top"] - box["bottom"]) / IN, 2))
            assert at_phone["top"] > under["top"], (slug, lang)
            assert max(ln["bottom"] for ln in lines) <= foot, (slug, lang)
            assert not images, (slug, lang)
            checked += 1
    assert checked >= 11


@pytest.mark.parametrize("lang", ["en", "es", "zh-Hans"])
def test_the_tri_fold_flap_opens_with_its_intro_then_its_key_points(project, lang):
    """The flap reads as the sheets do: its intro at its top, the key points' box right under it (one gap, no
    room pushed in between: rev42's reviewers both read a box set at the flap's foot under an empty band as
    pushed down), then what nerve pain is; the room compact Chinese leaves is at the foot. Read with pdfplumber:
    the box's rectangle, its heading (keypoints-nerve-pain.yaml), the intro's last line and the next heading
    (nerve-pain-basics.yaml)."""
    clinic = project.clinics["lotus-acupuncture"]
    geo = resolve(project.layouts["trifold"], clinic.paper)
    page_index = next(i for i, page in enumerate(geo.pages) if page.id == "outside")
    flap = next(p for p in geo.pages[page_index].panels if p.id == "fold-in-flap")
    title = project.blocks["keypoints-nerve-pain"].text[lang]["title"]
    basics = project.blocks["nerve-pain-basics"].text[lang]["title"].replace(" ", "")
    with pdfplumber.open(io.BytesIO(render(project, Task("lotus-acupuncture", "nerve-pain", lang)))) as pdf:
        page = pdf.pages[page_index]
        region = page.crop((flap.rect.x, 0, flap.rect.right, page.height))
        lines = region.extract_text_lines()
        boxes = [r for r in region.rects if r["width"] > flap.frame.width * 0.8 and r["height"] > 30]
        at = next(i for i, w in enumerate(lines) if w["text"].replace(" ", "").startswith(title[:2]))
        box = next(r for r in boxes if r["top"] <= lines[at]["top"] <= r["bottom"])
        intro = [w for w in lines if w["bottom"] < box["top"]]
        after = next(w for w in lines if w["text"].replace(" ", "") == basics)
    assert intro and intro[0]["top"] < geo.height - flap.frame.top + 20  # the intro opens the flap at its top
    leading = intro[0]["bottom"] - intro[0]["top"]
    assert 0 < box["top"] - intro[-1]["bottom"] < 2.5 * leading, (box["top"], intro[-1]["bottom"])  # right under it
    assert box["bottom"] < after["top"] < box["bottom"] + 3 * leading  # what nerve pain is follows the box
    assert max(c["bottom"] for c in region.chars) < geo.height - flap.frame.y + 1  # all of it in the flap


def _body_size(chars: list[dict]) -> float:
    """Return the size most of ``chars`` are set at (a panel's body text), to a tenth of a point: of its Chinese
    characters where it has any (a Chinese panel's references are small Latin type)."""
    han = [c for c in chars if "\u3400" <= c["text"] <= "\u9fff"]
    sizes = Counter(round(c["size"], 1) for c in han or chars if c["text"].strip())
    return sizes.most_common(1)[0][0]


@pytest.mark.parametrize(
    ("clinic", "lang"),
    [
        *[("lotus-acupuncture", "en"), ("lotus-acupuncture", "es"), ("harmony-centre", "en")],
        *[("lotus-acupuncture", "zh-Hans"), ("lotus-acupuncture", "zh-Hant"), ("harmony-centre", "zh-Hant")],
    ],
)
def test_a_roomy_tri_fold_flap_sets_its_text_larger_up_to_its_grow_size(project, clinic, lang):
    """The flap is set ``grow`` (layouts/trifold.yaml): text that leaves it more than half an inch empty above its
    key points at the layout's body size is set larger, up to the grow size (compact Chinese grows where half a
    point larger still fits, else its text, at its own line height, type.leading_cjk, ends within 0.75 in of the
    flap's foot); a flap kept at the body size was not that roomy; every inside panel keeps the
    layout's body size. Read with pdfplumber: the size most of each panel's characters are set at, against the
    sizes in the layout file; the flap's text still ends a line or more above the key points' box, and no
    character crosses the flap's edges by more than half its em."""
    import yaml

    layout = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))
    body = float(str(layout["type"]["body"]).removesuffix("pt"))
    spec = next(p for page in layout["pages"] for p in page["panels"] if p["id"] == "fold-in-flap")
    most = float(str(spec["grow"]).removesuffix("pt"))
    geo = resolve(project.layouts["trifold"], project.clinics[clinic].paper)
    outside = next(i for i, page in enumerate(geo.pages) if page.id == "outside")
    inside = next(i for i, page in enumerate(geo.pages) if page.id == "inside")
    flap = next(p for p in geo.pages[outside].panels if p.id == "fold-in-flap")
    title = project.blocks["keypoints-nerve-pain"].text[lang]["title"]
    with pdfplumber.open(io.BytesIO(render(project, Task(clinic, "nerve-pain", lang)))) as pdf:
        page = pdf.pages[outside]
        chars = [c for c in page.chars if flap.rect.x - 1 <= c["x0"] < flap.rect.right]
        # a full-width mark's blank half may pass the edge (pushed in, or a bracket hung), its ink inside
        assert all(
            flap.frame.x - c["size"] / 2 <= c["x0"] and c["x1"] <= flap.frame.right + c["size"] / 2 for c in chars
        )
        size = _body_size(chars)
        for panel in geo.pages[inside].panels:
            kept = _body_size([c for c in pdf.pages[inside].chars if panel.rect.x <= c["x0"] < panel.rect.right])
            assert kept == pytest.approx(body, abs=0.05), panel.id
        box = next(
            r
            for r in page.crop((flap.rect.x, 0, flap.rect.right, page.height)).rects
            if r["width"] > flap.frame.width * 0.8
            and any(
                line["text"].replace(" ", "").startswith(title[:2])
                for line in page.crop((r["x0"], r["top"], r["x1"], r["bottom"])).extract_text_lines()
            )
        )
        above = [c for c in chars if c["bottom"] < box["top"]]
    gap = box["top"] - max(c["bottom"] for c in above)
    assert body - 0.05 <= size <= most + 0.05, size
    if lang.startswith("zh"):  # compact Chinese left the flap over an inch to spare at 1.375 its size
        room = (geo.height - flap.frame.y) - max(c["bottom"] for c in chars)
        assert size > body + 0.05 or room <= 0.75 * IN, (size, room / IN)
    if size <= body + 0.05:  # kept: the flap was not roomy (half an inch, and the spacing around the box)
        assert gap <= 0.5 * IN + 2 * size, gap
    assert gap >= size * 1.25, gap  # grown: still a line of room above the key points


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_tri_fold_sets_chinese_at_its_own_line_height(project, lang):
    """layouts/trifold.yaml gives Chinese its own line height (type.leading_cjk): at 1.1 times the Latin leading,
    the compact Chinese panels read as a dense block (rev60a). The research panel's first paragraph, read with
    pdfplumber: the distance from one line's top to the next's is the panel's body size (its most common
    character size) times leading_cjk for Chinese, times leading for English, as the layout file gives them."""
    import yaml

    scale = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))["type"]
    ratio = float(scale["leading_cjk"] if lang.startswith("zh") else scale["leading"])
    clinic = project.clinics["lotus-acupuncture"]
    geo = resolve(project.layouts["trifold"], clinic.paper)
    index = next(i for i, page in enumerate(geo.pages) if page.id == "inside")
    panel = next(p for p in geo.pages[index].panels if p.id == "inside-2")
    with pdfplumber.open(io.BytesIO(render(project, Task("lotus-acupuncture", "nerve-pain", lang)))) as pdf:
        page = pdf.pages[index].crop((panel.rect.x, 0, panel.rect.right, pdf.pages[index].height))
        chars = [c for c in page.chars if c["text"].strip()]
        size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
        tops = sorted({round(c["top"], 1) for c in chars if round(c["size"], 1) == size})
    steps = [b - a for a, b in itertools.pairwise(tops)]
    assert len(steps) >= 6, (lang, tops)
    assert Counter(round(s, 1) for s in steps).most_common(1)[0][0] == pytest.approx(size * ratio, abs=0.15), (
        lang, size, steps[:8])


def test_a_panel_set_foot_keeps_its_last_block_on_the_foot(tmp_path):
    """No shipped layout sets a panel 'foot' any more (the tri-fold's back panel is 'top': rev59a-b), but a
    designer's layout may: the panel's last block sits on its foot, what comes before it at its top. The shipped
    project copied, its tri-fold's back panel set 'foot', read with pdfplumber against the layout's geometry in
    English and Chinese: the help box (the panel's tallest rectangle) starts within 0.1 in of the panel's top,
    and the last line above the fine print (the booking link under the QR code) ends within 0.2 in of its foot."""
    import shutil

    for folder in ("layouts", "content", "art"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    path = tmp_path / "layouts" / "trifold.yaml"
    text = path.read_text(encoding="utf-8")
    assert "slot: back, valign: top}" in text
    path.write_text(text.replace("slot: back, valign: top}", "slot: back, valign: foot}"), encoding="utf-8")
    project = load_project(tmp_path)
    geo = resolve(project.layouts["trifold"], project.clinics["lotus-acupuncture"].paper)
    index = next(i for i, page in enumerate(geo.pages) if page.id == "outside")
    panel = next(p for p in geo.pages[index].panels if p.id == "back-panel")
    assert panel.valign == "foot"
    top, foot = geo.height - panel.rect.top, geo.height - panel.rect.y  # from the page's top, as pdfplumber
    for lang in ("en", "zh-Hans"):
        with pdfplumber.open(io.BytesIO(render(project, Task("lotus-acupuncture", "nerve-pain", lang)))) as pdf:
            page = pdf.pages[index]
            rects = [r for r in page.rects if panel.rect.x - 1 <= r["x0"] and r["x1"] <= panel.rect.right + 1]
            box = max(rects, key=lambda r: r["bottom"] - r["top"])
            lines = page.crop((panel.rect.x, 0, panel.rect.right, foot)).extract_text_lines()
        assert abs(box["top"] - top) < 0.1 * IN, (lang, round((box["top"] - top) / IN, 2))
        last = max(ln["bottom"] for ln in lines)
        assert foot - last < 0.2 * IN, (lang, round((foot - last) / IN, 2))


@pytest.mark.parametrize("clinic", ["lotus-acupuncture", "harmony-centre", "north-star", "riverside-tcm"])
def test_the_cover_picture_s_sun_is_the_clinic_s_accent_and_stands_out_from_the_cover(project, clinic):
    """The fallback cover picture's sun is drawn in the clinic's accent colour, shaded until it reaches 3:1 on
    the brand colour under it: lightened on a dark cover. Darkened, as on white paper, Lotus's copper on its teal
    cover went to black, a hole in the cover (rev68a-b). Read with pdfplumber from each clinic's English tri-fold:
    the largest round fill inside the picture's box (trifold.yaml's cover image: top and height) reaches 3:1
    against the brand colour from clinic.yaml, keeps the accent's hue (within 10 degrees) and is not a gray."""
    import yaml
    from helpers import pdf_hex

    brand, accent = project.clinics[clinic].primary_color, project.clinics[clinic].accent_color
    outside = yaml.safe_load((REPO / "layouts" / "trifold.yaml").read_text(encoding="utf-8"))["pages"][0]
    box = next(e for e in outside["elements"] if e["type"] == "image" and e["source"] == "cover")
    top, height = (float(box[k].removesuffix("in")) * IN for k in ("top", "height"))
    fold = resolve(project.layouts["trifold"], project.clinics[clinic].paper).pages[0].folds[-1]
    data = render(project, Task(clinic, "nerve-pain", "en"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        rounds = [c for c in page.curves if c["fill"] and c["x0"] > fold and top <= c["top"] and c["bottom"] <= top +
                  height and abs(c["width"] - c["height"]) < 1]  # fmt: skip
        sun = max(rounds, key=lambda c: c["width"])
        fill = pdf_hex(sun["non_stroking_color"])
    from handouts.colors import contrast

    assert contrast(fill, brand) >= 3.0 - 0.01, (clinic, fill, brand)

    def hls(value: str) -> tuple[float, float, float]:
        return colorsys.rgb_to_hls(*(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)))

    hue, _, saturation = hls(fill)
    given = hls(accent)[0]
    assert min(abs(hue - given), 1 - abs(hue - given)) * 360 < 10, (clinic, fill, accent)
    assert saturation > 0.2, (clinic, fill)
