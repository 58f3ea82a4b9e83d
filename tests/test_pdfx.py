"""Print production: --print-shop files are PDF/X-4 in CMYK; office files keep colour inside a 0.2 in frame.

Read back with tools nobody here wrote: pikepdf (qpdf) for objects and content streams, qpdf --check,
pdfium, pdffonts, pdfplumber for the geometry of filled shapes, and Pillow's LittleCMS as the oracle
for what a colour is in the profile.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import REPO, pdffonts, pdftotext

from handouts.handout import render
from handouts.load.project import load_project
from handouts.plan import Task
from handouts.variant import Variant

IN = 72.0
FRAME = 0.2 * IN
SHIPPED_PROFILE = REPO / "src" / "handouts" / "pdf" / "profiles" / "handouts-fogra39.icc"
RGB_OPERATORS = {"rg", "RG"}


@pytest.fixture(scope="module")
def print_shop_catalogue(tmp_path_factory) -> Path:
    """Every shipped clinic's print-shop PDFs, every handout and language, built once with the CLI."""
    from click.testing import CliRunner

    from handouts.cli import cli

    out = tmp_path_factory.mktemp("print-shop")
    args = ["build", "--project", str(REPO), "--out", str(out), "--print-shop"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out


def _streams(pdf: pikepdf.Pdf):
    """Yield (label, content source) for every page and every Form XObject reachable from a page."""
    seen: set[tuple[int, int]] = set()

    def forms(owner, label):
        for name, xobject in (owner.get("/Resources", {}).get("/XObject") or {}).items():
            if xobject.objgen in seen or xobject.get("/Subtype") != "/Form":
                continue
            seen.add(xobject.objgen)
            yield f"{label} {name}", xobject
            yield from forms(xobject, f"{label} {name}")

    for number, page in enumerate(pdf.pages, 1):
        yield f"page {number}", page
        yield from forms(page.obj, f"page {number}")


def _is_rgb_space(space) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space in ("/DeviceRGB", "/CalRGB")
    if space[0] == "/ICCBased":
        return int(space[1].get("/N")) == 3
    if space[0] in ("/Indexed", "/I"):
        return _is_rgb_space(space[1])
    return space[0] == "/CalRGB"


def _problems(path: Path) -> list[str]:
    """Return every way ``path`` is not a CMYK PDF/X-4 file without transparency, fields or unembedded fonts."""
    out = []
    with pikepdf.open(path) as pdf:
        intents = pdf.Root.get("/OutputIntents") or []
        pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
        if len(pdfx) != 1:
            out.append(f"{len(pdfx)} PDF/X output intents")
        else:
            profile = pdfx[0].DestOutputProfile
            data = profile.read_bytes()
            if int(profile.N) != 4 or data[16:20] != b"CMYK" or data[12:16] != b"prtr":
                out.append(f"output profile is {data[12:20]!r}, N={profile.N}")
            if not str(pdfx[0].get("/OutputConditionIdentifier", "")):
                out.append("no OutputConditionIdentifier")
        if str(pdf.docinfo.get("/GTS_PDFXVersion")) != "PDF/X-4":
            out.append(f"Info GTS_PDFXVersion {pdf.docinfo.get('/GTS_PDFXVersion')}")
        if str(pdf.docinfo.get("/Trapped")) not in ("/False", "/True"):
            out.append("Info /Trapped is not True or False")
        meta = pdf.open_metadata()
        if meta.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
            out.append(f"XMP pdfxid:GTS_PDFXVersion {meta.get('pdfxid:GTS_PDFXVersion')}")
        if "/AcroForm" in pdf.Root:
            out.append("an AcroForm")
        for number, page in enumerate(pdf.pages, 1):
            if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
                out.append(f"page {number}: no TrimBox or BleedBox")
            if "/Annots" in page.obj:
                out.append(f"page {number}: annotations")
            if page.obj.get("/Group", {}).get("/S") == "/Transparency":
                out.append(f"page {number}: a transparency group")
        for label, source in _streams(pdf):
            for item in pikepdf.parse_content_stream(source):
                if isinstance(item, pikepdf.ContentStreamInlineImage):
                    out.append(f"{label}: an inline image")
                    continue
                op = str(item.operator)
                if op in RGB_OPERATORS:
                    out.append(f"{label}: {op}")
                if op in ("cs", "CS") and _is_rgb_space(item.operands[0]):
                    out.append(f"{label}: {op} {item.operands[0]}")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                if obj.get("/Type") == "/ExtGState":
                    for key in ("/ca", "/CA"):
                        if float(obj.get(key, 1)) != 1:
                            out.append(f"an ExtGState with {key} {obj.get(key)}")
                    if obj.get("/SMask", "/None") != "/None":
                        out.append("an ExtGState with a soft mask")
                if obj.get("/Subtype") == "/Image":
                    if _is_rgb_space(obj.get("/ColorSpace")):
                        out.append(f"an RGB image ({obj.get('/ColorSpace')})")
                    if "/SMask" in obj or "/Mask" in obj:
                        out.append("an image with a mask (transparency)")
                if obj.get("/ColorSpace") is not None and _is_rgb_space(obj.get("/ColorSpace")):
                    out.append(f"an RGB colour space in {obj.get('/Type')}")
                if isinstance(obj.get("/ColorSpace"), pikepdf.Dictionary):
                    for space in obj.ColorSpace.values():
                        if _is_rgb_space(space):
                            out.append(f"a named RGB colour space {space}")
    unembedded = [row["name"] for row in pdffonts(path) if row["emb"] != "yes"]
    if unembedded:
        out.append(f"fonts not embedded: {unembedded}")
    return out


def test_every_print_shop_pdf_is_pdfx4_in_cmyk(print_shop_catalogue):
    import pypdfium2

    clinics = sorted(p.name for p in (REPO / "content" / "clinics").iterdir() if (p / "clinic.yaml").is_file())
    pdfs = sorted(print_shop_catalogue.glob("*/*.print-shop.pdf"))
    assert sorted({p.parent.name for p in pdfs}) == clinics
    assert len(pdfs) >= 4 * len(clinics)
    problems = {}
    for path in pdfs:
        found = _problems(path)
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if check.returncode != 0:
            found.append(f"qpdf --check: {check.stdout[-300:]}")
        document = pypdfium2.PdfDocument(str(path))
        if len(document) < 1 or document[0].render(scale=0.2).to_pil().getextrema() == ((255, 255),) * 3:
            found.append("pdfium renders a blank first page")
        document.close()
        if found:
            problems[path.relative_to(print_shop_catalogue).as_posix()] = found
    assert problems == {}


def _texts_and_colours(path: Path) -> list[tuple[str, tuple]]:
    """Return each text-showing operator's string and the fill colour operator in force, in drawing order."""
    out = []
    with pikepdf.open(path) as pdf:
        for _, source in _streams(pdf):
            fill: tuple = ()
            stack = []
            for item in pikepdf.parse_content_stream(source):
                if isinstance(item, pikepdf.ContentStreamInlineImage):
                    continue
                op = str(item.operator)
                if op == "q":
                    stack.append(fill)
                elif op == "Q" and stack:
                    fill = stack.pop()
                elif op in ("rg", "k", "g"):
                    fill = (op, *(round(float(v), 4) for v in item.operands))
                elif op in ("Tj", "TJ", "'", '"'):
                    out.append((op + repr(item.operands)[:60], fill))
    return out


def test_body_text_prints_in_pure_k_with_overprint(tmp_path):
    """Text drawn in the body colour (#1a1a1a in the office file) is 0 0 0 1 k in the print-shop file."""
    project = load_project(REPO)
    for handout in ("first-visit", "aftercare", "nerve-pain"):
        office, shop = tmp_path / f"{handout}.pdf", tmp_path / f"{handout}.shop.pdf"
        office.write_bytes(render(project, Task("north-star", handout, "en", Variant())))
        shop.write_bytes(render(project, Task("north-star", handout, "en", Variant(print_shop=True))))
        before, after = _texts_and_colours(office), _texts_and_colours(shop)
        assert [t for t, _ in before] == [t for t, _ in after]
        body = ("rg", *(round(0x1A / 255, 4),) * 3)
        pairs = [(b, a) for (_, b), (_, a) in zip(before, after, strict=True) if b == body]
        assert len(pairs) > 20, handout
        assert {a for _, a in pairs} == {("k", 0, 0, 0, 1)}
        with pikepdf.open(shop) as pdf:
            states = [s for page in pdf.pages for s in page.Resources.get("/ExtGState", {}).values()]
            assert any(bool(s.get("/op")) and int(s.get("/OPM", 0)) == 1 for s in states)


def _cmyk_of(hex_color: str, profile: Path) -> tuple[int, ...]:
    from PIL import Image, ImageCms

    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(profile)),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    return ImageCms.applyTransform(Image.new("RGB", (1, 1), hex_color), transform).getpixel((0, 0))


def test_card_logo_is_flattened_onto_the_band_and_cards_are_ganged(tmp_path):
    project = load_project(REPO)
    clinic = yaml.safe_load((REPO / "content/clinics/lotus-acupuncture/clinic.yaml").read_text())
    card = yaml.safe_load((REPO / "layouts/card.yaml").read_text())
    path = tmp_path / "card.pdf"
    path.write_bytes(render(project, Task("lotus-acupuncture", "aftercare", "en", Variant(print_shop=True))))
    band = _cmyk_of(clinic["branding"]["primary_color"], SHIPPED_PROFILE)
    assert band != (0, 0, 0, 0)
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        images = [x for x in page.Resources.XObject.values() if x.Subtype == "/Image"]
        assert images
        for image in images:
            pil = pikepdf.PdfImage(image).as_pil_image()
            assert pil.mode == "CMYK"
            corners = {pil.getpixel((0, 0)), pil.getpixel((pil.width - 1, pil.height - 1))}
            assert all(max(abs(a - b) for a, b in zip(c, band, strict=True)) <= 1 for c in corners), corners
        # n-up: the layout's columns side by side, each card's bleed meeting the next one's
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        columns = card["impose"]["columns"]
        card_w = float(card["size"]["letter"]["width"].removesuffix("in")) * IN
        assert trim[2] - trim[0] == pytest.approx(columns * card_w + (columns - 1) * 0.25 * IN)
        assert trim[0] - bleed[0] == pytest.approx(0.125 * IN)
        assert "/AcroForm" not in pdf.Root
    # the write-on line stays on paper; the typing field is gone with its Helvetica
    assert pdftotext(path).count("Your next appointment") == columns
    assert all(row["emb"] == "yes" for row in pdffonts(path))


def _clinic_with(make_project, extra: str, files: dict | None = None) -> Path:
    from conftest import base_files

    clinic = base_files()["content/clinics/demo/clinic.yaml"]
    return make_project({"content/clinics/demo/clinic.yaml": clinic + extra, **(files or {})})


def _print_shop(root: Path, handout: str = "welcome") -> bytes:
    project = load_project(root)
    return render(project, Task("demo", handout, "en", Variant(print_shop=True)))


def test_branding_cmyk_values_are_used_as_given(make_project):
    root = _clinic_with(make_project, "")
    text = (root / "content/clinics/demo/clinic.yaml").read_text()
    text = text.replace("branding:\n", "branding:\n  cmyk: {primary: [86, 38, 59, 26]}\n", 1)
    assert "cmyk" in text, "the fixture clinic has a branding: block"
    (root / "content/clinics/demo/clinic.yaml").write_text(text)
    data = _print_shop(root)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        found = {
            tuple(round(float(v), 2) for v in item.operands)
            for _, source in _streams(pdf)
            for item in pikepdf.parse_content_stream(source)
            if str(getattr(item, "operator", "")) == "k"
        }
    assert (0.86, 0.38, 0.59, 0.26) in found


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[86, 38, 59]", "branding.cmyk.primary: needs at least 4 item(s)"),
        ("[86, 38, 59, 126]", "branding.cmyk.primary[4]: 126 is outside 0–100"),
        ('"#1f5f5b"', "branding.cmyk.primary: expected a list ('- item' lines), found"),
    ],
)
def test_bad_branding_cmyk_is_named(make_project, runner, value, message):
    from handouts.cli import cli

    root = _clinic_with(make_project, "")
    path = root / "content/clinics/demo/clinic.yaml"
    path.write_text(path.read_text().replace("branding:\n", f"branding:\n  cmyk: {{primary: {value}}}\n", 1))
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert message in result.stderr


def test_print_profile_is_the_output_intent(make_project):
    root = _clinic_with(make_project, "print_profile: shop.icc\n")
    shutil.copy(SHIPPED_PROFILE, root / "content/clinics/demo/shop.icc")
    with pikepdf.open(io.BytesIO(_print_shop(root))) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert intent.DestOutputProfile.read_bytes() == SHIPPED_PROFILE.read_bytes()
        assert str(intent.OutputConditionIdentifier) == "Custom"


def test_print_profile_must_be_a_cmyk_printer_profile_inside_the_clinic(make_project, runner, tmp_path):
    from PIL import ImageCms

    from handouts.cli import cli

    root = _clinic_with(make_project, "print_profile: srgb.icc\n")
    (root / "content/clinics/demo/srgb.icc").write_bytes(
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    )
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert "print_profile: srgb.icc is an ICC profile for RGB colour, not CMYK: ask your print shop" in result.stderr
    outside = tmp_path / "elsewhere.icc"
    shutil.copy(SHIPPED_PROFILE, outside)
    path = root / "content/clinics/demo/clinic.yaml"
    path.write_text(path.read_text().replace("print_profile: srgb.icc", "print_profile: ../../../../elsewhere.icc"))
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert "print_profile: '../../../../elsewhere.icc'" in result.stderr


def test_print_shop_output_is_reproducible(make_project):
    root = _clinic_with(make_project, "")
    assert _print_shop(root) == _print_shop(root)


def test_standard_build_does_not_load_the_colour_engine(make_project):
    """pikepdf now writes every PDF's structure tree (tagging); the CMYK conversion and its colour engine
    (Pillow's ImageCms) load only for --print-shop."""
    root = _clinic_with(make_project, "")
    code = (
        "import sys; from handouts.handout import render; from handouts.load.project import load_project;"
        "from handouts.plan import Task; from handouts.variant import Variant;"
        f"render(load_project(__import__('pathlib').Path({str(root)!r})), Task('demo', 'welcome', 'en', Variant()));"
        "print('handouts.pdf.pdfx' in sys.modules, 'PIL.ImageCms' in sys.modules)"
    )
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_office_pdfs_keep_colour_inside_the_frame(shipped_catalogue):
    """No filled shape in colour within 0.2 in of the sheet edge, in every English office PDF."""
    import pdfplumber

    pdfs = [p for p in sorted(shipped_catalogue.glob("*/*.pdf")) if p.name.count(".") == 1]
    layouts = set()
    problems = []
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                layouts.add((round(page.width), round(page.height)))
                for shape in page.rects + page.curves:
                    colour = shape.get("non_stroking_color")
                    if not shape.get("fill") or colour is None or all(float(c) >= 0.999 for c in colour):
                        continue
                    x0, x1 = shape["x0"], shape["x1"]
                    top, bottom = shape["top"], shape["bottom"]
                    near = min(x0, top, page.width - x1, page.height - bottom)
                    if near < FRAME - 0.05:
                        problems.append(f"{path.name} p{page.page_number}: {colour} {near / IN:.3f}in from the edge")
    assert len(layouts) >= 3  # portrait sheets, landscape tri-folds and card sheets were all read
    assert problems == []


def _overprint_at_fills(path: Path) -> list[tuple[tuple, bool]]:
    """Return (fill colour, fill-overprint flag in force) at every text or fill painting operator."""
    out = []
    with pikepdf.open(path) as pdf:
        for _, source in _streams(pdf):
            owner = source.obj if isinstance(source, pikepdf.Page) else source
            states = owner.get("/Resources", {}).get("/ExtGState", {})
            fill, op, stack = (), False, []
            for item in pikepdf.parse_content_stream(source):
                if isinstance(item, pikepdf.ContentStreamInlineImage):
                    continue
                name = str(item.operator)
                if name == "q":
                    stack.append((fill, op))
                elif name == "Q" and stack:
                    fill, op = stack.pop()
                elif name == "gs":
                    state = states[item.operands[0]]
                    op = bool(state.get("/op", state.get("/OP", op)))
                elif name in ("k", "g", "rg"):
                    fill = (name, *(round(float(v), 4) for v in item.operands))
                elif name in ("Tj", "TJ", "f", "f*", "B", "b"):
                    out.append((fill, op))
    return out


def test_only_pure_k_overprints(tmp_path):
    """Overprint is on exactly where 100 % K is painted: white type on a band still knocks out."""
    path = tmp_path / "card.pdf"
    path.write_bytes(render(load_project(REPO), Task("lotus-acupuncture", "aftercare", "en", Variant(print_shop=True))))
    painted = _overprint_at_fills(path)
    assert any(fill == ("k", 0, 0, 0, 0) for fill, _ in painted), "white type on the band"
    assert any(fill == ("k", 0, 0, 0, 1) for fill, _ in painted)
    for fill, op in painted:
        assert op == (fill == ("k", 0, 0, 0, 1)), fill


def test_bleeding_bands_stop_at_the_frame_in_office_and_bleed_for_the_shop(tmp_path):
    """sheet.yaml's masthead band (top: 0, bleed: true) starts 0.2 in in for the office, its foot where the layout
    puts it, and bleeds for the shop."""
    import pdfplumber

    layout = yaml.safe_load((REPO / "layouts/sheet.yaml").read_text())
    bar = layout["pages"][0]["elements"][0]
    assert bar["type"] == "band" and bar["bleed"] and bar["top"] == 0
    depth = float(bar["height"].removesuffix("in")) * IN
    project = load_project(REPO)
    office, shop = tmp_path / "office.pdf", tmp_path / "shop.pdf"
    office.write_bytes(render(project, Task("lotus-acupuncture", "first-visit", "en", Variant())))
    shop.write_bytes(render(project, Task("lotus-acupuncture", "first-visit", "en", Variant(print_shop=True))))
    with pdfplumber.open(office) as pdf:
        page = pdf.pages[0]
        top = min((r for r in page.rects if r["fill"]), key=lambda r: r["top"])
        assert top["top"] == pytest.approx(FRAME, abs=0.01)
        assert top["bottom"] == pytest.approx(depth if depth > FRAME else FRAME + depth, abs=0.01)  # a thin bar moves
        assert (top["x0"], page.width - top["x1"]) == pytest.approx((FRAME, FRAME), abs=0.01)
    with pikepdf.open(shop) as pdf:
        bleed = [float(v) for v in pdf.pages[0].BleedBox]
    with pdfplumber.open(shop) as pdf:
        page = pdf.pages[0]
        top = min((r for r in page.rects if r["fill"]), key=lambda r: r["top"])
        # pdfplumber measures from the top of the MediaBox; the bar runs out to the BleedBox on three sides
        assert top["top"] == pytest.approx(page.height - bleed[3], abs=0.01)
        assert (top["x0"], top["x1"]) == pytest.approx((bleed[0], bleed[2]), abs=0.01)


def test_a_logo_in_one_colour_keeps_its_colours_apart_by_a_clear_line():
    """A logo knocked out to white on a brand band (the card's header, the tri-fold's cover) keeps a clear line
    where two of its colours meet: Harmony's gold dot merged with its two ovals into one white 'peanut' (rev51,
    rev52). A drawn logo, two squares of two colours side by side on transparency, read back with Pillow: the
    column where they meet is clear, each square's middle stays solid white, and its outline against the
    transparency is untouched (no clear line cut round the edge)."""
    from PIL import Image, ImageDraw

    from handouts.assets import knockout

    logo = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(logo)
    draw.rectangle((20, 20, 149, 99), fill=(31, 78, 107, 255))  # dark blue, left
    draw.rectangle((150, 20, 279, 99), fill=(201, 160, 28, 255))  # gold, touching it on the right
    alpha = knockout(logo).getchannel("A")
    clear = [x for x in range(20, 280) if alpha.getpixel((x, 60)) == 0]  # along the middle row
    assert len(clear) >= 3 and all(145 <= x <= 155 for x in clear), clear  # a seam where the colours meet, only
    assert alpha.getpixel((80, 60)) == 255 and alpha.getpixel((220, 60)) == 255
    assert all(alpha.getpixel((x, 21)) == 255 for x in range(22, 130))  # the top edge of the blue square
    assert alpha.getpixel((10, 60)) == 0 and alpha.getpixel((290, 60)) == 0  # the transparency around it
