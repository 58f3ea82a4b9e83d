"""What a worker keeps between PDFs (parsed and wrapped paragraphs, art's PDF operators) and reportlab's C accelerator
never change a byte: PDFs rendered with caches cleared, warm, in another order, or without the accelerator
are identical."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from conftest import REPO
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from handouts.handout import render
from handouts.load.project import load_project
from handouts.plan import Task
from handouts.story import art, para
from handouts.story.para import Para
from handouts.variant import Variant

# icons, a figure, a QR code, a tri-fold, cards, Spanish, Chinese, grayscale: what the caches hold
TASKS = [
    Task("harmony-centre", "first-visit", "zh-Hant"),
    Task("lotus-acupuncture", "first-visit", "en"),
    Task("lotus-acupuncture", "first-visit", "es"),
    Task("north-star", "first-visit", "en"),
    Task("north-star", "nerve-pain", "en"),
    Task("harmony-centre", "aftercare", "en"),
    Task("lotus-acupuncture", "first-visit", "en", Variant(grayscale=True)),
]


def _clear() -> None:
    para._PARSED.clear()
    para._WRAPPED.clear()
    para._STYLE_KEYS.clear()
    art._FORM_OPS.clear()


class _NeverWrapped(dict):
    """A wrap cache that finds nothing: every paragraph breaks its own lines, as with no cache at all."""

    def pop(self, key, default=None):
        return default


def test_pdfs_are_the_same_with_cold_and_warm_caches_in_any_order(monkeypatch):
    project = load_project(REPO)
    _clear()
    with monkeypatch.context() as patch:
        patch.setattr(para, "_WRAPPED", _NeverWrapped())
        unwrapped = {task: render(project, task) for task in TASKS}
    cold = {}
    for task in TASKS:
        _clear()
        cold[task] = render(project, task)
    warm = {task: render(project, task) for task in reversed(TASKS)}
    warm.update({task: render(project, task) for task in TASKS[:2]})  # a third time, from a warm cache
    assert para._PARSED and para._WRAPPED and art._FORM_OPS  # the caches were used

    def digests(pdfs: dict[Task, bytes]) -> dict[Task, str]:
        return {t: hashlib.sha256(b).hexdigest() for t, b in pdfs.items()}

    assert digests(cold) == digests(unwrapped)
    assert digests(warm) == digests(unwrapped)


def test_a_paragraph_given_another_style_after_it_was_made_breaks_its_lines_for_that_style():
    _clear()
    style = ParagraphStyle("t", fontName="Helvetica", fontSize=10, leading=12)
    text = "Tell us about every medicine you take, " * 6
    plain = Para(text, style)
    plain.wrap(200, 1000)
    indented = Para(text, style)  # as a list item is: made, then given a style of its own
    indented.style = style.clone("t-indented", leftIndent=60)
    indented.wrap(200, 1000)
    again = Para(text, style)
    again.wrap(200, 1000)
    reference = Paragraph(text, style.clone("r", leftIndent=60))  # reportlab's own, no cache
    reference.wrap(200, 1000)
    lines = [[" ".join(words) for _, words in p.blPara.lines] for p in (plain, indented, again, reference)]
    assert lines[1] == lines[3] and lines[0] == lines[2] != lines[3]
    assert para._WRAPPED  # the cache was used


RENDER = """
import hashlib, json, sys
if sys.argv[1] == "without":
    sys.modules["_rl_accel"] = None  # reportlab falls back to its pure-Python functions
from pathlib import Path
from handouts.pdf import pin_reportlab_settings
pin_reportlab_settings()
import reportlab.lib.rl_accel as accel
from handouts.handout import render
from handouts.load.project import load_project
from handouts.plan import Task
project = load_project(Path(sys.argv[2]))
tasks = [Task("lotus-acupuncture", "first-visit", "en"), Task("north-star", "nerve-pain", "es")]
print(json.dumps({"c": accel.fp_str.__module__ != "reportlab.lib.rl_accel",
                  "pdfs": [hashlib.sha256(render(project, t)).hexdigest() for t in tasks]}))
"""


def test_pdfs_are_the_same_with_and_without_reportlabs_c_accelerator():
    runs = {}
    for mode in ("with", "without"):
        done = subprocess.run(
            [sys.executable, "-c", RENDER, mode, str(REPO)], capture_output=True, text=True, check=True
        )
        runs[mode] = json.loads(done.stdout)
    assert runs["with"]["c"] is True and runs["without"]["c"] is False  # each ran as meant
    assert runs["with"]["pdfs"] == runs["without"]["pdfs"]


def test_a_face_kept_in_less_memory_subsets_as_reportlab_s_own():
    """assets._compact keeps a parsed face's metrics and glyph offsets in arrays and drops the shaping map:
    the subset reportlab writes into a PDF from it (glyph data, widths) is byte for byte the one it writes
    from the face as it parsed it, for characters taken across the whole Noto Sans SC map (Latin, marks, Han)."""
    from reportlab.pdfbase.ttfonts import TTFont

    from handouts import assets, cjk

    path = str(cjk.family(cjk.script_for("zh-Hans")).regular)
    plain, compact = TTFont("plain-sc", path), TTFont("compact-sc", path)
    assets._compact(compact.face)
    assert not isinstance(compact.face.hmetrics, list) and not isinstance(compact.face.glyphPos, list)
    chars = sorted(plain.face.charToGlyph)[::97]
    assert len(chars) > 250 and any(0x4E00 <= c <= 0x9FFF for c in chars) and any(c < 0x80 for c in chars)
    assert compact.face.makeSubset(chars) == plain.face.makeSubset(chars)
    glyphs = range(0, len(plain.face.hmetrics), 7)
    assert [compact.face.hmetrics[g] for g in glyphs] == [tuple(plain.face.hmetrics[g]) for g in glyphs]
