"""Every PDF of the shipped catalogue, built through the CLI and checked by independent readers.

qpdf checks the file structure, poppler lists the fonts (all embedded) and draws every page,
pdfium (pypdfium2, a second engine) opens and draws every page too, the text of each slot's
panels holds every sentence its blocks say, and a second build in another process and in another
order gives the same bytes.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner
from conftest import REPO, pdffonts, unembedded_printed_fonts
from helpers import expected_texts, panel_text, run_all, squash, without_continued
from pypdf import PdfReader

from handouts.cli import cli
from handouts.load.layout import Geometry
from handouts.load.project import Project, load_project


@dataclass
class Catalogue:
    """The shipped catalogue built once: the project and every PDF, by (clinic, handout)."""

    project: Project
    out: Path
    pdfs: dict[tuple[str, str], Path]  # the English PDFs, whose words the text test checks
    every: list[Path]  # every PDF, in every language (test_languages checks the translated words)


@pytest.fixture(scope="module")
def catalogue(shipped_catalogue: Path) -> Catalogue:
    out = shipped_catalogue
    project = load_project(REPO)
    pdfs = {}
    for slug, clinic in project.clinics.items():
        for handout in project.handouts_for(clinic):
            pdfs[(slug, handout)] = out / slug / f"{handout}.pdf"
    every = [
        out / slug / f"{handout}{'' if lang == 'en' else '.' + lang}.pdf"
        for slug, clinic in project.clinics.items()
        for handout in project.handouts_for(clinic)
        for lang in clinic.languages
    ]
    assert sorted(out.rglob("*.pdf")) == sorted(every)
    assert len(pdfs) >= 3 * 17 and len(every) > len(pdfs)
    return Catalogue(project, out, pdfs, every)


def test_every_pdf_passes_qpdf_check(catalogue):
    checks = run_all([["qpdf", "--check", str(pdf)] for pdf in catalogue.every])
    for pdf, done in zip(catalogue.every, checks, strict=True):
        assert done.returncode == 0, (pdf, done.stdout, done.stderr)
        assert "No syntax or stream encoding errors found" in done.stdout, pdf


def test_every_font_is_embedded(catalogue):
    for pdf in catalogue.every:
        fonts = pdffonts(pdf)
        assert fonts, pdf
        assert unembedded_printed_fonts(pdf) == [], (pdf, fonts)


def test_poppler_draws_every_page_without_complaint(catalogue, tmp_path):
    draws = run_all(
        [
            ["pdftoppm", "-r", "12", "-png", str(pdf), str(tmp_path / f"{pdf.parent.name}-{pdf.stem}")]
            for pdf in catalogue.every
        ]
    )
    for pdf, done in zip(catalogue.every, draws, strict=True):
        slug, handout = pdf.parent.name, pdf.stem
        assert (done.returncode, done.stderr) == (0, ""), pdf
        assert len(list(tmp_path.glob(f"{slug}-{handout}-*.png"))) == len(PdfReader(pdf).pages)


def test_pdfium_opens_and_draws_every_page(catalogue):
    for pdf in catalogue.every:
        document = pypdfium2.PdfDocument(pdf)
        try:
            assert len(document) == len(PdfReader(pdf).pages)
            words = ""
            for page in document:
                image = page.render(scale=0.25).to_pil().convert("L")
                low, high = image.getextrema()
                assert low < 128 < high, (pdf, "blank page")  # something dark on something light
                words += page.get_textpage().get_text_bounded()
            handout, _, lang = pdf.stem.partition(".")
            title = catalogue.project.handouts[handout].text[lang or "en"]["title"]
            assert squash(title) in squash(words), pdf
        finally:
            document.close()


def _panel_text(pdf: Path, geometry: Geometry, pages: int) -> str:
    """Return the text of every panel, page by page in the layout's panel order (first copy of an imposed sheet)."""
    ox, oy = geometry.impose.origins[0] if geometry.impose else (0.0, 0.0)
    sheet_height = geometry.impose.height if geometry.impose else geometry.height
    commands = []
    for number in range(1, pages + 1):
        for panel in geometry.pages[min(number - 1, len(geometry.pages) - 1)].panels:
            r = panel.frame
            box = [int(ox + r.x) - 1, int(sheet_height - oy - r.top) - 1, int(r.width) + 3, int(r.height) + 3]
            args = ["-f", str(number), "-l", str(number), "-r", "72", "-raw"]
            args += [f for flag, value in zip(("-x", "-y", "-W", "-H"), box, strict=True) for f in (flag, str(value))]
            commands.append(["pdftotext", *args, str(pdf), "-"])
    done = run_all(commands)
    assert [d.returncode for d in done] == [0] * len(done), [d.stderr for d in done]
    return "\n".join(d.stdout for d in done)


def test_every_pdf_has_the_text_its_content_says(catalogue):
    project = catalogue.project
    for (slug, handout_id), pdf in catalogue.pdfs.items():
        clinic, handout = project.clinics[slug], project.handouts[handout_id]
        geometry = project.layouts[handout.layout].geometries[clinic.paper]
        what = (project, slug, handout, "en")  # a heading repeated over a page turn is furniture: read past it
        text = without_continued(squash(_panel_text(pdf, geometry, len(PdfReader(pdf).pages))), *what)
        # poppler's reading order too: in content-stream order a split item's bullet can land between its parts,
        # and the footer's disclaimer and the banner's title lie outside the panels
        flowing = without_continued(squash(panel_text(pdf, geometry, len(PdfReader(pdf).pages))), *what)
        flowing += squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        for block_id in [b for ids in handout.slots.values() for b in ids]:
            block = project.block_for(slug, block_id)
            sentences = expected_texts(REPO, block.display, slug, "en")
            if block.optional:  # a figure printed whole, or left out whole where it would cost a page
                assert len({squash(s) in text or squash(s) in flowing for s in sentences}) <= 1, (slug, block_id)
                continue
            for sentence in sentences:
                assert squash(sentence) in text or squash(sentence) in flowing, (slug, handout_id, block_id, sentence)
            if block.kind == "contact":
                for detail in _contact_details(clinic, block.show):
                    assert squash(detail) in text, (slug, handout_id, detail)
        everything = squash(
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        )
        assert squash(handout.text["en"]["title"]) in everything, (slug, handout_id)


def _contact_details(clinic, show: tuple[str, ...]) -> list[str]:
    """Return the clinic details a contact block that shows ``show`` prints."""
    details = {"phone": [clinic.phone], "address": list(clinic.address), "email": [clinic.email or ""]}
    return [d for part in show for d in details.get(part, []) if d]


def test_builds_in_another_order_and_process_are_byte_identical(catalogue, reverse_catalogue):
    """A fresh process building the clinics in reverse order, in one worker instead of one per core,
    writes the same bytes as the first build (it was started when the first build was done)."""
    clinics = reverse_catalogue.clinics
    assert clinics == sorted({slug for slug, _ in catalogue.pdfs}, reverse=True)
    code, stdout, stderr = reverse_catalogue.wait()
    assert code == 0, stderr
    assert stdout.splitlines()[0].startswith(f"{min(clinics)}: ")  # the summary is sorted, the work was not
    _assert_same_files(catalogue.out, reverse_catalogue.out)


def test_builds_one_handout_at_a_time_in_reverse_are_byte_identical(catalogue, tmp_path):
    """Handouts built singly, last first, in a process that has already built them all: nothing carries over."""
    slug = "riverside-tcm"  # its own fonts and a JPEG logo
    third = tmp_path / "third"
    runner = CliRunner()
    for handout in sorted((h for s, h in catalogue.pdfs if s == slug), reverse=True):
        args = ["build", "--project", str(REPO), "--out", str(third), "--clinic", slug, "--handout", handout]
        assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    _assert_same_files(catalogue.out / slug, third / slug)


def _assert_same_files(first: Path, second: Path) -> None:
    names = sorted(p.relative_to(first) for p in first.rglob("*.pdf"))
    assert names == sorted(p.relative_to(second) for p in second.rglob("*.pdf"))
    different = [str(n) for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert different == []
