"""Test helpers: what a block should print, and the text poppler reads from each panel of a PDF."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from handouts.load.config import Clinic
from handouts.load.layout import Geometry
from handouts.load.project import load_project


def drawn_lines(para: Any, width: float) -> tuple[bytes, list[tuple[str, float, float]]]:
    """Draw a paragraph ``width`` points wide, 20 pt from a page's left edge; return the PDF and each of its lines
    read back with pdfplumber: its text, where its ink starts and ends (from the column's left edge)."""
    import io

    import pdfplumber
    from reportlab.pdfgen.canvas import Canvas

    _, height = para.wrap(width, 10_000)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width + 40, height + 40))
    para.drawOn(canvas, 20, 20)
    canvas.save()
    rows: dict[int, list[dict]] = {}
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        for ch in pdf.pages[0].chars:
            rows.setdefault(round(ch["top"]), []).append(ch)
    lines = []
    for top in sorted(rows):
        chars = sorted(rows[top], key=lambda c: c["x0"])
        text = "".join(c["text"] for c in chars).replace("\xa0", " ").strip()
        lines.append((text, chars[0]["x0"] - 20, chars[-1]["x1"] - 20))
    return buffer.getvalue(), lines


def without_continued(text: str, project: Any, slug: str, handout: Any, lang: str) -> str:
    """Return squashed panel text without the headings repeated over a page turn ("What the research says
    (continued)"): page furniture, which may stand between two sentences of a paragraph cut at the turn."""
    root = Path(__file__).resolve().parent.parent
    strings = yaml.safe_load((root / "content" / "strings.yaml").read_text(encoding="utf-8"))[lang]
    word = squash(strings["continued"])
    if word not in text:
        return text
    headings = {v for v in strings.values() if isinstance(v, str) and len(v) < 80}
    for ids in handout.slots.values():
        for block_id in ids:
            block = project.block_for(slug, block_id)
            headings |= {v for v in block.text[lang].values() if isinstance(v, str) and len(v) < 80}
    for heading in sorted(headings, key=len, reverse=True):
        text = text.replace(squash(heading) + word, "")
    return text


def squash(text: str) -> str:
    """Drop all whitespace, so line breaks and column breaks do not matter when comparing."""
    return re.sub(r"\s+", "", text)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


_CLINIC_NAME = re.compile(r"\{\{\s*clinic\.(\w+)\s*\}\}")


# the ambulance numbers governments publish, written here apart from src/handouts/load/regions.py
AMBULANCE = {"US": "911", "CA": "911", "GB": "999", "IE": "112", "AU": "000", "NZ": "111"}


def _clinic_value(clinic: dict, key: str, lang: str) -> str:
    """Return ``clinic.yaml``'s ``key`` as a reader in ``lang`` sees it (a per-language map, or ``*`` for all)."""
    if key == "emergency_number" and not clinic.get(key):
        return AMBULANCE[clinic.get("region", "US")]
    value = clinic.get(key) or ""
    if isinstance(value, dict):
        value = value.get(lang, value.get("*", value.get("en", "")))
    return str(value)


def _visible(text: str) -> str:
    """Return ``text`` as printed: inline markup stars removed (``\\*`` stays a literal star), and a link
    ``[label](address)`` as its label."""
    text = re.sub(r"\[([^\[\]\n]*)\]\(([^()\s]*)\)", lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*?", "", text))


def expected_texts(root: Path, block_file: str, slug: str, lang: str) -> list[str]:
    """Return every piece of text the block in ``block_file`` prints in ``lang`` for clinic ``slug``.

    Read straight from the YAML, independently of the code under test: plain ``yaml.safe_load``,
    ``{{ clinic.x }}`` replaced with the value in the clinic's YAML, the fields of the clinic's
    region (``text.en@GB``) over the language's, markup stars removed, paragraphs split at blank lines.
    """
    block = yaml.safe_load((root / block_file).read_text(encoding="utf-8"))
    clinic = yaml.safe_load((root / "content" / "clinics" / slug / "clinic.yaml").read_text(encoding="utf-8"))
    words = dict(block["text"][lang])
    words.update(block["text"].get(f"{lang}@{clinic.get('region', 'US')}") or {})  # the clinic's regional fields
    words.pop("alt", None)  # a figure's description for screen readers: not printed on the page
    out = []
    for raw in _strings(words):
        visible = _CLINIC_NAME.sub(lambda m: _clinic_value(clinic, m.group(1), lang), _visible(raw))
        assert "{{" not in visible and "{%" not in visible, f"the test reader cannot expand {raw!r}"
        out += [p for p in re.split(r"\n\s*\n", visible) if p.strip()]
    return out + [str(r) for r in block.get("references") or []]


def run_all(commands: Sequence[Sequence[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Run independent commands (qpdf, poppler) side by side on every core; return their results in order."""

    def run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(command), capture_output=True, text=True, check=False)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(run, commands))


def panel_text(pdf: Path, geometry: Geometry, pages: int) -> str:
    """Return the text inside the layout's panels, page by page and panel by panel in order."""
    commands = []
    for number in range(1, pages + 1):
        template = geometry.pages[min(number - 1, len(geometry.pages) - 1)]
        for panel in template.panels:
            r = panel.frame
            top = geometry.height - r.top
            box = {"-x": int(r.x) - 1, "-y": int(top) - 1, "-W": int(r.width) + 3, "-H": int(r.height) + 3}
            args = ["-f", str(number), "-l", str(number), "-r", "72"] + [f for k, v in box.items() for f in (k, str(v))]
            commands.append(["pdftotext", *args, str(pdf), "-"])
    done = run_all(commands)
    for command, result in zip(commands, done, strict=True):
        assert result.returncode == 0, (command, result.stderr)
    return "\n".join(result.stdout for result in done)


def contact_texts(clinic: Clinic) -> list[str]:
    """Return the clinic details a contact block prints."""
    out = [clinic.phone, *clinic.address]
    if clinic.email:
        out.append(clinic.email)
    return out


def footer_rule(page: Any) -> float:
    """Return the top of a sheet page's footer rule (the lowest full-width rule, under any ruled Notes lines that run
    the page's width), read with pdfplumber."""
    return float(
        max(
            r["top"]
            for r in page.lines + page.rects
            if abs(r["top"] - r["bottom"]) < 2 and r["top"] > 0.8 * page.height and r["x1"] - r["x0"] > page.width / 2
        )
    )


def pdf_hex(color: object) -> str | None:
    """Return a colour pdfplumber read (gray or RGB, 0 to 1) as ``#rrggbb``; None for anything else (CMYK, none)."""
    if not isinstance(color, tuple | list) or len(color) not in (1, 3):
        return None
    values = [float(c) for c in color] * (3 if len(color) == 1 else 1)
    return "#" + "".join(f"{round(v * 255):02x}" for v in values)


def with_turns(shipped: Path, turns: tuple[Path, Path], pattern: str) -> Iterator[tuple[Path, Any]]:
    """Yield each PDF of the shipped catalogue matching ``pattern`` in a clinic's folder with the shipped project,
    then each of ``turn_catalogue``'s with its own project (its carpal tunnel block is longer)."""
    project = load_project(Path(__file__).resolve().parent.parent)
    for pdf_path in sorted(shipped.glob(f"*/{pattern}")):
        yield pdf_path, project
    root, out = turns
    project = load_project(root)
    for pdf_path in sorted(out.glob(f"*/{pattern}")):
        yield pdf_path, project
