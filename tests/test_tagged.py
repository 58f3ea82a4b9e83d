"""Tagged PDF (PDF/UA-1): read back with poppler's ``pdfinfo -struct-text``, pikepdf and the ``pdfua`` checker.

Expected words come from the YAML the handouts are made from (recipes, blocks, clinic.yaml,
layouts), never from the code under test.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from pdfua import Severity, validate

from handouts.cli import cli

REPO = Path(__file__).resolve().parent.parent
CLINIC = "lotus-acupuncture"


def _yaml(rel: str) -> dict:
    return yaml.safe_load((REPO / rel).read_text(encoding="utf-8"))


def struct_text(pdf: Path) -> list[tuple[int, str, str]]:
    """Return poppler's structure tree as (depth, role, text) rows, text with all whitespace removed.

    Whitespace is dropped because reportlab writes no space where it wraps a line, so poppler
    joins the last word of a line to the first of the next.
    """
    out = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows: list[tuple[int, str, str]] = []
    for line in out.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        body = line.strip()
        if body.startswith('"'):
            role = rows[-1][1] if rows else ""
            rows.append((depth, "text:" + role, re.sub(r"\s+", "", body.strip('"'))))
        elif body:
            rows.append((depth, body.split()[0], ""))
    return rows


def _squash(text: str) -> str:
    return re.sub(r"\s+|\*\*|\*", "", text)


def _in_order(texts: list[str], wanted: list[str]) -> list[int]:
    """Return where each wanted text starts, in the document's text (each searched after the previous one)."""
    whole = "\x00".join(texts)
    at, found = 0, []
    for w in wanted:
        i = whole.find(_squash(w), at)
        assert i >= 0, f"{w!r} not found in reading order after position {at}"
        found.append(i)
        at = i + 1
    return found


def _block_titles(ids: list[str], lang: str) -> list[str]:
    out = []
    for block_id in ids:
        words = _yaml(f"content/blocks/{block_id}.yaml")["text"][lang]
        title = words.get("title") or words.get("name")
        if title and "{{" not in title:
            out.append(title)
    return out


def _reading_order(handout: str) -> list[str]:
    recipe = _yaml(f"content/handouts/{handout}.yaml")
    order = _yaml(f"layouts/{recipe['layout']}.yaml").get("reading_order") or list(recipe["slots"])
    return [b for slot in order for b in recipe["slots"].get(slot, [])]


@pytest.mark.parametrize("handout", ["first-visit", "nerve-pain", "aftercare"])
@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_structure_reads_in_reading_order(shipped_catalogue: Path, handout: str, lang: str):
    """Title first (H1): a brochure's cover headline, the biggest words on it ("Living with nerve pain?", whose
    cover then says its subtitle, the title heading the flap), else the handout's title; then every block title in
    the layout's reading_order (for the tri-fold: cover, flap, inside, back, not the order panels are painted), and
    the disclaimer as a Note."""
    suffix = "" if lang == "en" else f".{lang}"
    rows = struct_text(shipped_catalogue / CLINIC / f"{handout}{suffix}.pdf")
    recipe = _yaml(f"content/handouts/{handout}.yaml")
    title = recipe["text"][lang]["title"]
    headline = recipe["text"][lang].get("headline")  # only a brochure's recipe has one
    assert rows[0][1] == "Document"
    first_text = next(r for r in rows if r[1].startswith("text:"))
    assert first_text == (2, "text:H1", _squash(headline or title))
    texts = [r[2] for r in rows if r[1].startswith("text:")]
    _in_order(texts, [headline or title, *_block_titles(_reading_order(handout), lang)])
    disclaimer = _yaml("content/blocks/disclaimer.yaml")["text"][lang]["body"]
    note = [i for i, r in enumerate(rows) if r[1] == "Note"]
    assert note, "no Note element"
    inside = "".join(r[2] for r in rows[note[0] + 1 :] if r[0] > rows[note[0]][0] and r[1].startswith("text:"))
    assert _squash(disclaimer) in inside


def test_trifold_reads_cover_flap_inside_back(shipped_catalogue: Path):
    """The tri-fold's panels are painted outside (flap, back, cover) then inside; its tags read cover, flap, inside, back."""
    recipe = _yaml("content/handouts/nerve-pain.yaml")
    rows = struct_text(shipped_catalogue / CLINIC / "nerve-pain.pdf")
    texts = [r[2] for r in rows if r[1].startswith("text:")]
    order = _yaml("layouts/trifold.yaml")["reading_order"]
    assert order[0] == "cover" and order[-1] == "back"
    firsts = []
    for slot in order:
        titles = _block_titles(recipe["slots"].get(slot, []), "en")
        firsts += _in_order(texts, titles[:1])
    assert firsts == sorted(firsts)  # painted in the order flap, back, cover, inside: that would not be sorted


def _figures(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as doc:
        out: list[str] = []

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/MCR" and "/S" in node:
                if node.S == "/Figure":
                    out.append(str(node.get("/Alt", "")))
                walk(node.get("/K"))

        walk(doc.Root.StructTreeRoot.K)
        return out


@pytest.mark.parametrize("lang", ["en", "es", "zh-Hans", "zh-Hant"])
def test_figures_have_alt_text_in_the_handouts_language(shipped_catalogue: Path, lang: str):
    """Every Figure has /Alt: the figure block's own alt text, the logo's with the clinic's name, the QR code's link."""
    suffix = "" if lang == "en" else f".{lang}"
    alts = _figures(shipped_catalogue / CLINIC / f"nerve-pain{suffix}.pdf")
    assert alts and all(a.strip() for a in alts)
    figure = _yaml("content/blocks/figure-nerve-pain.yaml")["text"][lang]["alt"]
    assert figure in alts
    clinic = _yaml(f"content/clinics/{CLINIC}/clinic.yaml")
    name = clinic["name"].get(lang, clinic["name"]["*"])
    assert any(name in a for a in alts), alts  # the logo
    assert any(clinic["booking_url"] in a for a in alts), alts  # the QR code
    strings = _yaml("content/strings.yaml")[lang]
    assert strings["logo"].replace("{{ clinic.name }}", name) in alts


def test_catalog_and_pages(shipped_catalogue: Path):
    """/Lang from the handout's language, /MarkInfo, DisplayDocTitle, the title in Info and XMP, pdfuaid:part 1,
    /Tabs /S on pages with links, and every link in a Link element with a description."""
    recipe = _yaml("content/handouts/first-visit.yaml")
    for lang, suffix in (("en", ""), ("zh-Hant", ".zh-Hant")):
        with pikepdf.open(shipped_catalogue / CLINIC / f"first-visit{suffix}.pdf") as pdf:
            root = pdf.Root
            assert str(root.Lang) == lang
            assert bool(root.MarkInfo.Marked) is True
            assert bool(root.ViewerPreferences.DisplayDocTitle) is True
            title = recipe["text"][lang]["title"]
            assert str(pdf.docinfo.Title) == title
            meta = pdf.open_metadata()
            assert meta["dc:title"] == title
            assert meta["pdfuaid:part"] == "1"
            links = 0
            for page in pdf.pages:
                annots = page.obj.get("/Annots") or []
                if len(annots):
                    assert page.obj.Tabs == "/S"
                for a in annots:
                    if a.Subtype == "/Link":
                        links += 1
                        assert str(a.Contents).strip()
                        assert "/StructParent" in a
            assert links >= 3  # email, website, booking link (clinic.yaml has all three)


def _problems(pdf: Path) -> list[str]:
    """Return what pdfua (warning level or above, or a rule it could not run), qpdf and pdfium say about ``pdf``."""
    import pypdfium2

    report = validate(str(pdf))
    out = [f"{pdf.name}: skipped {o.rule_id}: {o.skipped_reason}" for o in report.outcomes if o.skipped_reason]
    out += [f"{pdf.name}: {f.rule_id} {f.message}" for f in report.findings if f.severity >= Severity.WARNING]
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    if check.returncode != 0:
        out.append(f"{pdf.name}: qpdf: {check.stdout} {check.stderr}")
    doc = pypdfium2.PdfDocument(str(pdf))
    if not (len(doc) and doc[0].get_textpage().get_text_range().strip()):
        out.append(f"{pdf.name}: pdfium reads no text on page 1")
    doc.close()
    return out


def test_every_shipped_pdf_is_pdfua_clean_and_readable(shipped_catalogue: Path):
    """pdfua (PyPI) finds nothing at warning level or above and skips no rule, qpdf --check passes and pdfium
    reads the text, on every shipped PDF (in a pool of one worker per core: about 190 files)."""
    from concurrent.futures import ProcessPoolExecutor

    pdfs = sorted(shipped_catalogue.rglob("*.pdf"))
    assert len(pdfs) > 100
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        problems = [p for found in pool.map(_problems, pdfs, chunksize=8) for p in found]
    assert problems == []


@pytest.fixture(scope="module")
def variants(tmp_path_factory, runner_module) -> Path:
    out = tmp_path_factory.mktemp("variants")
    for flag in ("--grayscale", "--large-print", "--print-shop"):
        args = ["build", "--project", str(REPO), "--out", str(out), "--clinic", CLINIC, "--lang", "en", flag]
        for handout in ("first-visit", "nerve-pain", "aftercare"):
            args += ["--handout", handout]
        result = runner_module.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return out / CLINIC


@pytest.fixture(scope="module")
def runner_module():
    from click.testing import CliRunner

    return CliRunner()


@pytest.mark.parametrize("variant", ["grayscale", "large-print", "print-shop"])
def test_every_variant_is_tagged(variants: Path, variant: str):
    """Grayscale, large print and print shop are tagged like the standard PDF: title first (a layout that prints
    the recipe's headline, the tri-fold's cover, has it as its H1), blocks in order, clean."""
    pdfs = sorted(variants.glob(f"*.{variant}.pdf"))
    assert len(pdfs) == 3
    for pdf in pdfs:
        handout = pdf.name.split(".")[0]
        rows = struct_text(pdf)
        recipe = _yaml(f"content/handouts/{handout}.yaml")
        layout = recipe["layout"]
        if variant == "large-print":
            layout = _yaml(f"layouts/{layout}.yaml").get("large_print") or layout
        headline = recipe["text"]["en"].get("headline")
        shown = headline if headline and "handout.headline" in str(_yaml(f"layouts/{layout}.yaml")) else None
        title = shown or recipe["text"]["en"]["title"]
        assert next(r for r in rows if r[1].startswith("text:")) == (2, "text:H1", _squash(title))
        _in_order([r[2] for r in rows if r[1].startswith("text:")], _block_titles(_reading_order(handout), "en"))
        report = validate(str(pdf))
        assert [f.rule_id for f in report.findings if f.severity >= Severity.WARNING] == []
        assert [o.rule_id for o in report.outcomes if o.skipped_reason] == []


def test_tagging_is_reproducible(shipped_catalogue: Path, tmp_path: Path):
    """The same inputs give the same tagged bytes (deterministic ID, no clock in the XMP)."""
    from click.testing import CliRunner

    args = ["build", "--project", str(REPO), "--out", str(tmp_path), "--clinic", CLINIC, "--handout", "nerve-pain"]
    args += ["--lang", "es"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    built = tmp_path / CLINIC / "nerve-pain.es.pdf"
    assert built.read_bytes() == (shipped_catalogue / CLINIC / "nerve-pain.es.pdf").read_bytes()
