"""What a worker keeps between PDFs (parsed paragraphs, art's PDF operators) and reportlab's C accelerator
never change a byte: PDFs rendered with caches cleared, warm, in another order, or without the accelerator
are identical."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from conftest import REPO

from handouts.handout import render
from handouts.load.project import load_project
from handouts.plan import Task
from handouts.story import art, para
from handouts.variant import Variant

# icons, a figure, a QR code, a tri-fold, cards, Spanish, grayscale: what the caches hold
TASKS = [
    Task("lotus-acupuncture", "first-visit", "en"),
    Task("lotus-acupuncture", "first-visit", "es"),
    Task("north-star", "first-visit", "en"),
    Task("north-star", "nerve-pain", "en"),
    Task("harmony-centre", "aftercare", "en"),
    Task("lotus-acupuncture", "first-visit", "en", Variant(grayscale=True)),
]


def _clear() -> None:
    para._PARSED.clear()
    art._FORM_OPS.clear()


def test_pdfs_are_the_same_with_cold_and_warm_caches_in_any_order():
    project = load_project(REPO)
    cold = {}
    for task in TASKS:
        _clear()
        cold[task] = render(project, task)
    warm = {task: render(project, task) for task in reversed(TASKS)}
    warm.update({task: render(project, task) for task in TASKS[:2]})  # a third time, from a warm cache
    assert para._PARSED and art._FORM_OPS  # the caches were used
    assert {t: hashlib.sha256(b).hexdigest() for t, b in warm.items()} == {
        t: hashlib.sha256(b).hexdigest() for t, b in cold.items()
    }


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
