"""Previews: thumbnails and full pages of built PDFs, rendered again only when the PDF changed."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from handouts.build import build
from handouts.cli import cli
from handouts.errors import PreviewError
from handouts.files import sha256_file
from handouts.gallery import preview as pv
from handouts.plan import Options


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def built(make_project) -> Path:
    root = make_project()
    assert build(root, Options()).ok
    return root


@pytest.fixture
def no_rendering(monkeypatch):
    """Fail the test if anything is rendered."""

    def refuse(page, scale):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pv, "_png", refuse)


def test_build_renders_a_thumbnail_of_page_one(built):
    thumb = built / "output/demo/previews/welcome.thumb.png"
    width, height = png_size(thumb)
    assert max(width, height) == pv.THUMB_BOX
    assert abs(width - pv.THUMB_BOX * 612 / 792) <= 1  # a portrait Letter page
    record = json.loads((built / "output/demo/previews/previews.json").read_text())
    entry = record["pdfs"]["welcome.pdf"]
    assert entry["sha256"] == sha256_file(built / "output/demo/welcome.pdf")
    assert (entry["pages"], entry["width"], entry["height"], entry["thumbnail"]) == (1, 612.0, 792.0, thumb.name)
    assert entry["thumb_size"] == [width, height]


def test_an_unchanged_pdf_is_not_rendered_again(built, no_rendering):
    thumb = built / "output/demo/previews/welcome.thumb.png"
    before = thumb.stat().st_mtime_ns
    assert build(built, Options()).ok
    assert thumb.stat().st_mtime_ns == before


def test_a_changed_pdf_is_rendered_again(built, monkeypatch):
    folder = built / "output/demo"
    previews = pv.Previews(folder)
    first = previews.thumbnail(folder / "welcome.pdf")
    (built / "content/handouts/welcome.yaml").write_text(
        "layout: sheet\ntext:\n  en:\n    title: A new title\nslots:\n  body: [intro, disclaimer]\n"
    )
    calls = []
    original = pv._png
    monkeypatch.setattr(pv, "_png", lambda page, scale: calls.append(scale) or original(page, scale))
    assert build(built, Options()).ok
    assert len(calls) == 1
    record = json.loads((folder / "previews/previews.json").read_text())
    assert record["pdfs"]["welcome.pdf"]["sha256"] == sha256_file(folder / "welcome.pdf")
    assert first.thumbnail.is_file()


def test_full_pages_at_a_dpi_and_only_once(built, monkeypatch):
    pdf = built / "output/demo/welcome.pdf"
    previews = pv.Previews(pdf.parent)
    paths = previews.pages(pdf, 72)
    previews.save()
    assert [p.name for p in paths] == ["welcome.page-1.png"]
    assert png_size(paths[0]) == (612, 792)
    monkeypatch.setattr(pv, "_png", lambda page, scale: pytest.fail("rendered again"))
    again = pv.Previews(pdf.parent)
    assert again.pages(pdf, 72) == paths
    monkeypatch.undo()
    assert png_size(again.pages(pdf, 36)[0]) == (306, 396)


def test_pages_of_an_older_pdf_are_deleted_when_it_changes(built):
    pdf = built / "output/demo/welcome.pdf"
    previews = pv.Previews(pdf.parent)
    old = previews.pages(pdf, 36)
    previews.save()
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed\n")
    pv.Previews(pdf.parent).thumbnail(pdf)
    assert not old[0].exists()


def test_an_unreadable_record_means_rendering_again(built):
    folder = built / "output/demo"
    (folder / "previews/previews.json").write_text("{not json")
    info = pv.Previews(folder).thumbnail(folder / "welcome.pdf")
    assert (info.pages, info.width, info.height) == (1, 612.0, 792.0)


def test_a_broken_pdf_is_a_preview_error(tmp_path):
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(PreviewError) as caught:
        pv.Previews(tmp_path).thumbnail(pdf)
    assert caught.value.format_message().startswith(f"{pdf}: cannot read it as a PDF (")
    assert caught.value.format_message().endswith("): build it again")


def test_cli_preview_prints_the_pages(runner, built):
    result = runner.invoke(
        cli, ["preview", "--project", str(built), "demo", "welcome", "--dpi", "50"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout == "output/demo/previews/welcome.page-1.png\n"  # from the project, like build's summary
    assert png_size(built / "output/demo/previews/welcome.page-1.png") == (425, 550)


def test_cli_preview_of_a_pdf_not_built(runner, built):
    result = runner.invoke(cli, ["preview", "--project", str(built), "demo", "welcome", "--grayscale"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: output/demo/welcome.grayscale.pdf has not been built yet: "
        "run handouts build --clinic demo --handout welcome --lang en --grayscale\n"
    )


def test_cli_preview_of_a_language_the_clinic_does_not_offer(runner, built):
    result = runner.invoke(cli, ["preview", "--project", str(built), "demo", "welcome", "--lang", "es"])
    assert result.exit_code == 1
    assert result.stderr == "Error: clinic 'demo' offers en, not 'es': pick one of those with --lang\n"


def test_cli_preview_of_unknown_names(runner, built):
    result = runner.invoke(cli, ["preview", "--project", str(built), "dem", "welcome"])
    assert result.exit_code == 1
    assert result.stderr == "Error: no clinic 'dem' in content/clinics/; did you mean 'demo'?\n"
    result = runner.invoke(cli, ["preview", "--project", str(built), "demo", "welcom"])
    assert result.exit_code == 1
    assert result.stderr == "Error: no handout 'welcom' in content/handouts/; did you mean 'welcome'?\n"


def test_cli_preview_dpi_out_of_range_exits_2(runner, built):
    result = runner.invoke(cli, ["preview", "--project", str(built), "demo", "welcome", "--dpi", "5000"])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for '--dpi': 5000 is not in the range 36<=x<=600.\n")
