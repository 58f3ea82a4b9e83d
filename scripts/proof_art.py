#!/usr/bin/env python3
"""Proof sheet for the SVG art in art/.

Loads every SVG under art/ (or the folders given) with svglib, lays them out
on a contact sheet at print size (figures 1.8 in wide, icons 0.35 in), with
the file name under each, then repeats the sheet in grayscale. Any SVG that
svglib cannot load is listed in red on the first page and makes the script
exit non-zero.

    python scripts/proof_art.py [--out /tmp/art-proof.pdf] [DIR ...]
    pdftoppm -png -r 100 /tmp/art-proof.pdf /tmp/art-proof
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

ROOT = Path(__file__).resolve().parent.parent
FIGURE_W = 1.8 * inch
ICON_W = 0.35 * inch
MARGIN = 0.5 * inch


def gray(c):
    """Luminance gray of a reportlab colour (None and transparent kept)."""
    if c is None or not isinstance(c, colors.Color):
        return c
    y = 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue
    return colors.Color(y, y, y, alpha=getattr(c, "alpha", 1))


def to_gray(node):
    for attr in ("fillColor", "strokeColor"):
        if hasattr(node, attr):
            setattr(node, attr, gray(getattr(node, attr)))
    for child in getattr(node, "contents", []) or []:
        to_gray(child)


def scaled(d: Drawing, width: float) -> tuple[Group, float]:
    s = width / d.width
    g = Group(*d.contents)
    g.transform = (s, 0, 0, s, 0, 0)
    return g, d.height * s


def load(paths):
    ok, bad = [], []
    for p in paths:
        try:
            d = svg2rlg(str(p))
        except Exception as e:  # report every failure, whatever svglib raises
            bad.append((p, repr(e)))
            continue
        if d is None or not d.width or not d.height:
            bad.append((p, "svg2rlg returned nothing"))
        else:
            ok.append((p, d))
    return ok, bad


def sheet(c: Canvas, items, width, title, grayscale, label_size):
    pw, ph = letter
    c.setFont("Helvetica-Bold", 12)
    c.drawString(MARGIN, ph - MARGIN, title + (" (grayscale)" if grayscale else ""))
    gap = 0.25 * inch if width > inch else 0.3 * inch
    cell_w = max(width, 0.75 * inch) + gap
    cols = int((pw - 2 * MARGIN + gap) // cell_w)
    x0, y = MARGIN, ph - MARGIN - 0.3 * inch
    row_h = 0
    for i, (p, d) in enumerate(items):
        col = i % cols
        if col == 0 and i:
            y -= row_h + 0.35 * inch
            row_h = 0
        d = copy.deepcopy(d)
        g, h = scaled(d, width)
        if y - h < MARGIN + 0.2 * inch:
            c.showPage()
            c.setFont("Helvetica-Bold", 12)
            c.drawString(MARGIN, ph - MARGIN, title + " (cont.)")
            y = ph - MARGIN - 0.3 * inch
        if grayscale:
            to_gray(g)
        x = x0 + col * cell_w
        dr = Drawing(width, h)
        dr.add(g)
        renderPDF.draw(dr, c, x, y - h)
        c.setStrokeColor(colors.Color(0.85, 0.85, 0.85))
        c.setLineWidth(0.3)
        c.rect(x, y - h, width, h)
        c.setFillColor(colors.black)
        c.setFont("Helvetica", label_size)
        c.drawString(x, y - h - label_size - 2, p.stem)
        if width > inch:
            c.drawString(x, y - h - 2 * label_size - 4, f"{p.stat().st_size / 1024:.1f} KB, {d.width:g}x{d.height:g}")
        row_h = max(row_h, h)
    c.showPage()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/art-proof.pdf")
    ap.add_argument("dirs", nargs="*", type=Path)
    a = ap.parse_args(argv)
    dirs = a.dirs or [ROOT / "art"]
    svgs = sorted(p for d in dirs for p in d.rglob("*.svg"))
    figures = [p for p in svgs if "figures" in p.parts]
    icons = [p for p in svgs if p not in figures]
    figs_ok, bad1 = load(figures)
    icons_ok, bad2 = load(icons)
    bad = bad1 + bad2
    c = Canvas(a.out, pagesize=letter)
    if bad:
        c.setFillColor(colors.red)
        c.setFont("Helvetica", 8)
        for i, (p, err) in enumerate(bad):
            c.drawString(MARGIN, letter[1] - MARGIN - 12 * i, f"FAILED {p}: {err}"[:150])
        c.showPage()
    for gs in (False, True):
        if figs_ok:
            sheet(c, figs_ok, FIGURE_W, "Figures at 1.8 in", gs, 7)
        if icons_ok:
            sheet(c, icons_ok, ICON_W, "Icons at 0.35 in", gs, 5)
    c.save()
    print(f"{len(figs_ok)} figures, {len(icons_ok)} icons, {len(bad)} failed -> {a.out}")
    for p, err in bad:
        print(f"FAILED {p}: {err}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
