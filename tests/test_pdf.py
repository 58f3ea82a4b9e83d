"""End-to-end: build PDFs and read them back with pypdf and poppler."""

from __future__ import annotations

from pathlib import Path

from conftest import pdffonts, pdftotext
from helpers import contact_texts, expected_texts, panel_text, squash
from pypdf import PdfReader

from handouts.build import build
from handouts.cli import cli
from handouts.handout import render
from handouts.load.layout import resolve
from handouts.load.project import load_project
from handouts.plan import Options, Task


def _build(root: Path, **kw) -> Path:
    report = build(root, Options(**kw))
    assert report.ok, [e.format_message() for _, _, e in report.failed]
    return report.out


def test_sheet_pages_size_and_every_sentence(make_project):
    root = make_project()
    out = _build(root)
    pdf = out / "demo" / "welcome.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    project = load_project(root)
    clinic = project.clinics["demo"]
    handout = project.handouts["welcome"]
    geometry = resolve(project.layouts["sheet"], "letter")
    body = squash(panel_text(pdf, geometry, 1))
    page = squash(pdftotext(pdf))
    for block_id in handout.slots["body"]:
        # the sheet prints the disclaimer block in every page's footer (disclaimer_in_footer), outside the panels
        where = page if project.blocks[block_id].kind == "disclaimer" else body
        for text in expected_texts(root, project.blocks[block_id].display, "demo", "en"):
            assert squash(text) in where, (block_id, text)
    for detail in contact_texts(clinic):
        assert squash(detail) in body
    # escaped, not interpreted: the clinic name prints exactly as typed
    assert "Welcome to Chen & Wu <Acupuncture>." in " ".join(pdftotext(pdf).split())


def test_fonts_embedded_and_metadata(make_project):
    out = _build(make_project())
    pdf = out / "demo" / "welcome.pdf"
    fonts = pdffonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    reader = PdfReader(pdf)
    meta = reader.metadata
    assert meta.title == "Welcome sheet"
    assert meta.author == "Chen & Wu <Acupuncture>"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/PrintScaling"] == "/None"


def test_links_are_live(make_project):
    out = _build(make_project())
    reader = PdfReader(out / "demo" / "welcome.pdf")
    uris = {a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])}
    assert {"tel:5550109999", "mailto:desk@chenwu.example.com", "https://chenwu.example.com"} <= uris


def test_rebuild_is_byte_identical(make_project, tmp_path):
    root = make_project()
    project = load_project(root)
    task = Task("demo", "welcome", "en")
    assert render(project, task) == render(load_project(root), task)


def test_cli_output_equals_library_output(make_project, runner):
    from handouts.cli import cli

    root = make_project()
    result = runner.invoke(cli, ["build", "--project", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = (root / "output" / "demo" / "welcome.pdf").read_bytes()
    assert written == render(load_project(root), Task("demo", "welcome", "en"))


def test_content_grows_to_more_pages(make_project):
    long_items = "\n".join(
        f"      - Item number {i} says something useful about a visit, in plain words." for i in range(55)
    )
    root = make_project(
        {
            "content/blocks/steps.yaml": f"kind: steps\nreviewed: 2026-11-01\nsources: [t]\ntext:\n  en:\n    title: Many\n"
            f"    items:\n{long_items}\n",
        }
    )
    out = _build(root)
    pdf = out / "demo" / "welcome.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    geometry = resolve(load_project(root).layouts["sheet"], "letter")
    text = squash(panel_text(pdf, geometry, len(reader.pages)))
    for i in range(55):
        assert squash(f"Item number {i} says something useful about a visit, in plain words.") in text
    assert f"Page 2 of {len(reader.pages)}" in pdftotext(pdf)


TINY_LAYOUT = """\
name: Tiny
pages:
  - id: only
    panels:
      - {id: little-box, slot: body, top: 1in, height: 1in}
"""


def test_content_that_does_not_fit_fails_naming_block_and_panel(make_project, runner):
    from handouts.cli import cli

    root = make_project(
        {
            "layouts/tiny.yaml": TINY_LAYOUT,
            "content/handouts/welcome.yaml": "layout: tiny\ntext:\n  en:\n    title: T\nslots:\n"
            "  body: [intro, steps, disclaimer]\n",
        }
    )
    old = root / "output" / "demo" / "welcome.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF-previous good copy")
    result = runner.invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: content/blocks/steps.yaml:5: handout 'welcome' for clinic 'demo' (en): block 'steps' does not fit: "
        "it runs past panel 'little-box' (page 1) of layout 'tiny' (starting 'What happens'): shorten the text, "
        "move a block to another slot, or use a roomier layout\n"
    )
    # the previous file is untouched, and the summary says it is stale
    assert old.read_bytes() == b"%PDF-previous good copy"
    assert "STALE: output/demo/welcome.pdf" in result.stdout
    assert not [p for p in old.parent.iterdir() if p.name.endswith(".tmp")]


def test_shipped_catalogue_first_visit_sheets(shipped_catalogue: Path):
    """The repository's own example clinics build and carry every sentence of their first-visit blocks.

    Reads the catalogue the session built once with the CLI, rather than rendering them again.
    """
    repo = Path(__file__).resolve().parent.parent
    project = load_project(repo)
    assert len(project.clinics) >= 3
    papers = set()
    for slug, clinic in project.clinics.items():
        pdf = shipped_catalogue / slug / "first-visit.pdf"
        reader = PdfReader(pdf)
        assert 1 <= len(reader.pages) <= 2, slug
        geometry = resolve(project.layouts["sheet"], clinic.paper)
        papers.add(geometry.paper)
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (round(geometry.width), round(geometry.height))
        body = squash(panel_text(pdf, geometry, len(reader.pages)))
        page = squash(pdftotext(pdf))
        handout = project.handouts["first-visit"]
        for block_id in handout.slots["body"]:
            block = project.block_for(slug, block_id)
            where = page if block.kind == "disclaimer" else body  # the sheet prints it in the footer
            for text in expected_texts(repo, block.display, slug, "en"):
                assert squash(text) in where, (slug, block_id, text)
        assert all(f["emb"] == "yes" for f in pdffonts(pdf))
    assert papers == {"letter", "a4"}


def test_inline_bold_is_drawn_in_the_bold_face(runner, make_project):
    """**may help** in the intro block comes out in the bold face, the rest of the sentence in the regular one."""
    from pypdf import PdfReader

    project = make_project()
    result = runner.invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            runs.append((text.strip(), str(font["/BaseFont"])))

    PdfReader(project / "output" / "demo" / "welcome.pdf").pages[0].extract_text(visitor_text=visit)
    bold = [font for text, font in runs if text == "may help"]
    plain = [font for text, font in runs if text.startswith("Acupuncture")]
    assert bold and bold[0].endswith("Bold"), runs
    assert plain and not plain[0].endswith("Bold")
