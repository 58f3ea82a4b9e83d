"""The printed QR codes: read back from the rendered page with ZXing, they give the clinic's booking link."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
import yaml
import zxingcpp

from handouts.build import build
from handouts.plan import Options

CLINIC_YAML = "content/clinics/demo/clinic.yaml"


def _decoded(pdf: Path, dpi: int = 300) -> list[str]:
    """Return the text of every QR code ZXing finds on every page of ``pdf``, rendered with PDFium."""
    found: list[str] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=dpi / 72).to_pil()
            found += [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
    finally:
        document.close()
    return found


@pytest.mark.parametrize(
    "url",
    [
        "https://chenwu.example.com/book",  # a small code (version 2)
        "https://chenwu.example.com/book?" + "s=1&" * 60,  # a denser one: more modules, same printed size
    ],
)
def test_the_printed_qr_code_reads_back_as_the_booking_url(make_project, url):
    root = make_project()
    clinic = (root / CLINIC_YAML).read_text(encoding="utf-8")
    (root / CLINIC_YAML).write_text(
        clinic.replace("booking_url: https://chenwu.example.com/book", f"booking_url: {url}"), encoding="utf-8"
    )
    expected = yaml.safe_load((root / CLINIC_YAML).read_text(encoding="utf-8"))["booking_url"]
    assert build(root, Options(jobs=1)).ok
    assert _decoded(root / "output" / "demo" / "welcome.pdf") == [expected]


def test_the_card_s_qr_code_reads_on_its_tinted_foot_and_prints_at_least_0_7_in(shipped_catalogue):
    """Every shipped aftercare card (two to a sheet) carries its clinic's booking link as a QR code that ZXing
    reads from the page rendered with PDFium, on the card's tinted foot; and its modules, as ZXing finds their
    corners, span 0.7 in or more (at 0.55 in, rev58a-b: too small to scan from across a desk)."""
    root = Path(__file__).resolve().parent.parent
    checked = 0
    for pdf in sorted(shipped_catalogue.glob("*/aftercare*.pdf")):
        if any(v in pdf.name for v in (".large-print", ".grayscale", ".print-shop")):
            continue
        clinic = yaml.safe_load((root / "content/clinics" / pdf.parent.name / "clinic.yaml").read_text("utf-8"))
        dpi = 300
        document = pypdfium2.PdfDocument(pdf)
        try:
            image = document[0].render(scale=dpi / 72).to_pil()
        finally:
            document.close()
        codes = [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
        assert [c.text for c in codes] == [clinic["booking_url"]] * 2, pdf
        for code in codes:
            corners = code.position
            width = abs(corners.top_right.x - corners.top_left.x) / dpi
            assert width >= 0.7, (pdf.name, round(width, 2))
        checked += 1
    assert checked >= 11
