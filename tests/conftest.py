"""Shared fixtures: a CLI runner, and fixture projects built in tmp_path from {relative path: text} dicts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent

CLINIC = """\
name: Chen & Wu <Acupuncture>
tagline: Gentle care
practitioners:
  - name: Ana Chen
    credentials: L.Ac.
phone: "(555) 010-9999"
email: desk@chenwu.example.com
website: https://chenwu.example.com
booking_url: https://chenwu.example.com/book
address:
  - 1 Test Street
  - Testville, TS 00001
hours:
  mon: "9:00–17:00"
  tue: "9:00–17:00"
  sat: closed
paper: letter
languages: [en]
branding:
  primary_color: "#1f5f5b"
  accent_color: "#99531a"
  logo: logo.png
"""

BLOCKS = {
    "content/blocks/intro.yaml": """\
kind: prose
reviewed: 2026-11-01
sources: [test]
text:
  en:
    title: Welcome
    body: |
      Welcome to {{ clinic.name }}. Call us on {{ clinic.phone }}.

      Acupuncture **may help** some people with nerve pain.
""",
    "content/blocks/steps.yaml": """\
kind: steps
reviewed: 2026-11-01
sources: [test]
text:
  en:
    title: What happens
    items:
      - We talk about your health.
      - The needles go in.
""",
    "content/blocks/contact.yaml": """\
kind: contact
reviewed: 2026-11-01
sources: [clinic details]
text:
  en:
    title: Contact us
""",
    "content/blocks/disclaimer.yaml": """\
kind: disclaimer
reviewed: 2026-11-01
sources: [PRODUCT.md]
text:
  en:
    body: For education only. Keep seeing your doctor.
""",
    "content/handouts/welcome.yaml": """\
layout: sheet
text:
  en:
    title: Welcome sheet
slots:
  body: [intro, steps, contact, disclaimer]
""",
}


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``; ``None`` deletes the path."""
    for rel, data in files.items():
        path = root / rel
        if data is None:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def base_files() -> dict[str, str | bytes | None]:
    """Return a small, valid project: the shipped sheet layout and strings, one clinic, four blocks."""
    files: dict[str, str | bytes | None] = {
        "layouts/sheet.yaml": (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8"),
        "layouts/sheet-large.yaml": (REPO / "layouts" / "sheet-large.yaml").read_text(encoding="utf-8"),
        "content/strings.yaml": (REPO / "content" / "strings.yaml").read_text(encoding="utf-8"),
        "content/clinics/demo/clinic.yaml": CLINIC,
        "content/clinics/demo/logo.png": (REPO / "content" / "clinics" / "north-star" / "logo.png").read_bytes(),
    }
    files.update(BLOCKS)
    return files


@pytest.fixture
def make_project(tmp_path: Path):
    """Build a project in ``tmp_path`` from the base files updated with ``changes``; return its root."""

    def make(changes: dict[str, str | bytes | None] | None = None) -> Path:
        files = base_files()
        files.update(changes or {})
        return write_tree(tmp_path / "project", files)

    return make


@dataclass
class ReverseBuild:
    """A second build of the whole catalogue: a fresh process, clinics in reverse order, one worker."""

    out: Path
    clinics: list[str]
    process: subprocess.Popen[str]

    def wait(self) -> tuple[int, str, str]:
        """Return (exit code, stdout, stderr) once the build has finished."""
        stdout, stderr = self.process.communicate()
        return self.process.returncode, stdout, stderr


@pytest.fixture(scope="session")
def _catalogues(tmp_path_factory) -> Iterator[tuple[Path, ReverseBuild]]:
    """Build the shipped catalogue once in this process with the CLI, then start the reverse build.

    The reverse build runs in its own process while the rest of the suite goes on (pytest uses one
    core; it uses the other), and ``test_verified`` compares its bytes when it gets there.
    """
    from handouts.cli import cli
    from handouts.load.project import load_project

    root = tmp_path_factory.mktemp("catalogue")
    out = root / "first"
    result = CliRunner().invoke(cli, ["build", "--project", str(REPO), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    clinics = sorted(load_project(REPO).clinics, reverse=True)
    args = ["build", "--project", str(REPO), "--out", str(root / "second"), "--jobs", "1"]
    for slug in clinics:
        args += ["--clinic", slug]
    process = subprocess.Popen(
        [sys.executable, "-m", "handouts", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    reverse = ReverseBuild(root / "second", clinics, process)
    yield out, reverse
    if process.poll() is None:  # the run ended without the test that reads it (pytest -k ...)
        process.kill()
    process.communicate()


@pytest.fixture(scope="session")
def turn_catalogue(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the shipped project whose carpal tunnel block is as long as it was before it was tightened to fit
    (tests/data/condition-carpal-tunnel-syndrome-long.yaml), its sheets built with the CLI: their research section
    goes on over the page turn in English and Spanish, which no shipped sheet now does, so the rules for a section
    cut at a turn are read from real PDFs. Returns (its project root, its output folder)."""
    from handouts.cli import cli

    root = tmp_path_factory.mktemp("turn") / "project"
    for name in ("content", "layouts", "art"):
        shutil.copytree(REPO / name, root / name)
    long = (REPO / "tests" / "data" / "condition-carpal-tunnel-syndrome-long.yaml").read_text(encoding="utf-8")
    (root / "content" / "blocks" / "condition-carpal-tunnel-syndrome.yaml").write_text(long, encoding="utf-8")
    out = root.parent / "out"
    args = ["build", "--project", str(root), "--out", str(out), "--handout", "condition-carpal-tunnel-syndrome"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return root, out


@pytest.fixture(scope="session")
def shipped_catalogue(_catalogues: tuple[Path, ReverseBuild]) -> Path:
    """The repository's own catalogue, built once per test run, in this process, with the CLI."""
    return _catalogues[0]


@pytest.fixture(scope="session")
def reverse_catalogue(_catalogues: tuple[Path, ReverseBuild]) -> ReverseBuild:
    """The second build of the shipped catalogue, started in the background when the first one was done."""
    return _catalogues[1]


@pytest.fixture(scope="session")
def gallery_project(tmp_path_factory) -> Path:
    """The gallery fixture project, built once per test run (test_gallery and test_browser only read it)."""
    from gallery_project import build_gallery_project

    return build_gallery_project(tmp_path_factory.mktemp("gallery") / "project")


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner that keeps stderr apart from stdout."""
    return CliRunner()


def pdftotext(path: Path, *args: str) -> str:
    """Return the text poppler's pdftotext extracts from ``path``."""
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdffonts(path: Path) -> list[dict[str, str]]:
    """Return poppler's pdffonts table as rows of {name, type, emb}."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in out[2:]:
        parts = line.split()
        # name type... encoding emb sub uni id gen: emb is the 5th field from the end
        rows.append({"name": parts[0], "emb": parts[-5]})
    return rows


def form_field_fonts(path: Path) -> set[str]:
    """Return the fonts a PDF's fillable fields name for what a person types (AcroForm /DR), not for printing."""
    from pypdf import PdfReader

    form = PdfReader(path).trailer["/Root"].get("/AcroForm")
    fonts = form.get_object().get("/DR", {}).get("/Font", {}) if form is not None else {}
    return {str(ref.get_object()["/BaseFont"]).lstrip("/") for ref in fonts.values()}


def unembedded_printed_fonts(path: Path) -> list[dict[str, str]]:
    """Return pdffonts rows of fonts that are not embedded, other than a fillable field's typing font.

    reportlab's form fields can only name one of the 14 standard fonts for text typed into them in
    a viewer; everything printed is drawn with embedded fonts.
    """
    typing = form_field_fonts(path)
    return [row for row in pdffonts(path) if row["emb"] != "yes" and row["name"] not in typing]


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Record every file the stat fast path hashes (the build record's up-to-date check, its tests)."""
    from handouts import stamps

    read: list[Path] = []
    real = stamps.sha256_file

    def counting(path: Path) -> str:
        read.append(path)
        return real(path)

    monkeypatch.setattr(stamps, "sha256_file", counting)
    return read
