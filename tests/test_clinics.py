"""Real clinics (issue 14): long names, any brand colours, practitioners, regions and the review line, through the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import REPO, pdftotext
from helpers import pdf_hex

from handouts.cli import cli
from handouts.colors import contrast
from handouts.load.project import load_project

LONG = "Harmony Integrative Acupuncture & Traditional Chinese Medicine Centre"


def copy_shipped(root: Path, clinics: dict[str, str]) -> Path:
    """Copy the shipped content and layouts to ``root`` with only ``clinics`` ({slug: clinic.yaml text})."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("clinics"))
    shutil.copytree(REPO / "art", root / "art")
    for slug, text in clinics.items():
        folder = root / "content" / "clinics" / slug
        folder.mkdir(parents=True)
        (folder / "clinic.yaml").write_text(text, encoding="utf-8")
        shutil.copy(REPO / "content" / "clinics" / "north-star" / "logo.png", folder / "logo.png")
    return root


def riverside(*pairs: tuple[str, str]) -> str:
    text = (REPO / "content/clinics/riverside-tcm/clinic.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^  fonts:.*", "", text).replace("logo: logo.jpg", "logo: logo.png")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_a_70_character_name_builds_every_handout_in_every_layout(tmp_path, runner):
    named = ("name: Riverside Traditional Chinese Medicine", f"name: {LONG}")
    root = copy_shipped(
        tmp_path, {"long-a4": riverside(named), "long-letter": riverside(named, ("paper: a4", "paper: letter"))}
    )
    result = runner.invoke(cli, ["build", "--project", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Built 34 of 34 handout(s)" in result.stdout
    large = runner.invoke(cli, ["build", "--project", str(root), "--large-print", "--clinic", "long-a4"])
    assert large.exit_code == 0, large.stderr
    first = pdftotext(root / "output" / "long-letter" / "first-visit.pdf")
    assert " ".join(first.split()).count(LONG) >= 1  # the full name, at least once (header and contact block)


def test_validate_reports_a_name_that_cannot_fit_at_clinic_yaml(tmp_path, runner):
    root = copy_shipped(
        tmp_path, {"huge": riverside(("name: Riverside Traditional Chinese Medicine", f"name: {LONG}"))}
    )
    sheet = root / "layouts" / "sheet.yaml"  # a designer's tighter header: no room to shrink
    sheet.write_text(sheet.read_text().replace("min_size: 6.5pt, text: \"{{ clinic.short_name }}\"", "min_size: 10pt, "
                     "text: \"{{ clinic.short_name }}\""))  # fmt: skip
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: content/clinics/huge/clinic.yaml:3: name: '{LONG}' does not fit layouts/")
    assert "set short_name: in clinic.yaml" in result.stderr
    fixed = riverside(("name: Riverside Traditional Chinese Medicine", f"name: {LONG}\nshort_name: Harmony Centre"))
    (root / "content/clinics/huge/clinic.yaml").write_text(fixed, encoding="utf-8")
    again = runner.invoke(cli, ["validate", "--project", str(root)])
    assert again.exit_code == 0, again.stderr


def test_a_language_code_the_content_lacks_is_one_error_at_languages(tmp_path, runner):
    root = copy_shipped(tmp_path, {"x": riverside(("languages: [en]", "languages: [en, es, zh-TW]"))})
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: content/clinics/x/clinic.yaml:26: languages: no content in 'zh-TW': did you mean 'zh-TW' → 'zh-Hant'?\n"
    )


def test_a_misspelt_clinic_field_says_what_was_meant(tmp_path, runner):
    root = copy_shipped(tmp_path, {"x": riverside()})
    path = root / "content/blocks/contact.yaml"
    path.write_text(path.read_text().replace("intro: Questions?", "intro: Call {{ clinic.phon }}. Questions?"))
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.stderr == (
        "Error: content/blocks/contact.yaml:9: text.en.intro: no field 'phon' on clinic: did you mean 'phone'?\n"
    )


def test_practitioners_regions_and_the_review_line(shipped_catalogue):
    gb = " ".join(pdftotext(shipped_catalogue / "riverside-tcm" / "first-visit.pdf").split())
    us = " ".join(pdftotext(shipped_catalogue / "lotus-acupuncture" / "first-visit.pdf").split())
    # the practitioners print where a handout's contact block shows them (the FAQ sheet's does)
    gb_team = " ".join(pdftotext(shipped_catalogue / "riverside-tcm" / "common-questions.pdf").split())
    us_team = " ".join(pdftotext(shipped_catalogue / "lotus-acupuncture" / "common-questions.pdf").split())
    assert "Li Wen, MBAcC, BSc (Hons) TCM" in gb_team
    assert "Mei Lin Chen, L.Ac., Dipl. OM David Okafor, L.Ac." in us_team  # one practitioner a line
    assert "A&E" in gb and "999" in gb and "111" in gb and "British Acupuncture Council" in gb
    assert "emergency room" in us and "911" in us and "licensed" in us
    assert "emergency room" not in gb and "911" not in gb
    assert re.search(r"Reviewed November 2026 · Ref\. [0-9A-F]{7}", us)
    es = " ".join(pdftotext(shipped_catalogue / "lotus-acupuncture" / "first-visit.es.pdf").split())
    assert re.search(r"Revisado en noviembre de 2026 · Ref\. [0-9A-F]{7}", es)


US_ONLY = ("physical therapy", "shot", "shots", "emergency room", "911")  # UK English: physiotherapy, injection, A&E


def test_a_uk_clinic_s_english_handouts_use_no_us_only_word(shipped_catalogue):
    """Every English handout of every shipped clinic in region GB (from clinic.yaml) reads as UK English: no US-only
    word from this glossary, read from the PDF with poppler, and the US clinics' handouts show the glossary finds them."""
    import yaml

    found_in_us = set()
    for folder in sorted((REPO / "content" / "clinics").iterdir()):
        region = yaml.safe_load((folder / "clinic.yaml").read_text(encoding="utf-8")).get("region", "US")
        for pdf in sorted((shipped_catalogue / folder.name).glob("*.pdf")):
            if pdf.name.count(".") > 1:  # a translation (name.es.pdf) or a variant: English handouts only
                continue
            text = " ".join(pdftotext(pdf).split()).lower()
            hits = {w for w in US_ONLY if re.search(rf"\b{re.escape(w)}\b", text)}
            if region == "GB":
                assert not hits, (folder.name, pdf.name, hits)
            else:
                found_in_us |= hits
    assert {"physical therapy", "shots", "emergency room", "911"} <= found_in_us


def test_region_overlays_change_only_the_regional_fields():
    project = load_project(REPO)
    for block in project.blocks.values():
        gb = block.in_region("GB")
        for lang, words in block.text.items():
            changed = {k for k in words if gb.text[lang][k] != words[k]}
            assert changed == set(block.regional.get(f"{lang}@GB", {})) - {
                k for k, v in block.regional.get(f"{lang}@GB", {}).items() if v == words.get(k)
            }


HOSTILE = {
    "light-accent": ("#2f5d62", "#f5d90a"),
    "dark-primary": ("#0a0a12", "#b5651d"),
    "equal": ("#3a7bd5", "#3a7bd5"),
    "pure-red-green": ("#ff0000", "#00ff00"),
}


def _beneath(page: pdfplumber.page.Page, char: dict) -> str:
    """Return the colour under ``char``'s centre: that of the smallest filled rectangle or curve whose box holds it
    (text sits on the innermost shape: a step's number on its badge, over the step's disc and icon), else white
    paper."""
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    under = [s for s in [*page.rects, *page.curves]
             if s.get("fill") and pdf_hex(s.get("non_stroking_color"))
             and s["x0"] <= x <= s["x1"] and s["top"] <= y <= s["bottom"]]
    if not under:
        return "#ffffff"
    return pdf_hex(min(under, key=lambda s: s["width"] * s["height"])["non_stroking_color"]) or "#ffffff"


@pytest.mark.parametrize("palette", sorted(HOSTILE))
def test_every_glyph_meets_wcag_aa_on_what_it_is_printed_on(tmp_path, runner, palette):
    primary, accent = HOSTILE[palette]
    text = riverside(('primary_color: "#5b2a6e"', f'primary_color: "{primary}"'),
                     ('accent_color: "#2a7a4f"', f'accent_color: "{accent}"'),
                     ("languages: [en]", "languages: [en]\nhandouts: [first-visit, nerve-pain, aftercare]"))  # fmt: skip
    root = copy_shipped(tmp_path, {"hostile": text})
    for flags in ([], ["--grayscale"], ["--large-print"]):
        result = runner.invoke(cli, ["build", "--project", str(root), *flags], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    failures = []
    for pdf in sorted((root / "output" / "hostile").glob("*.pdf")):
        with pdfplumber.open(pdf) as doc:
            for number, page in enumerate(doc.pages, 1):
                for char in page.chars:
                    ink = pdf_hex(char.get("non_stroking_color"))
                    if ink is None or not char["text"].strip():
                        continue
                    ground = _beneath(page, char)
                    need = 3.0 if round(char["size"], 2) >= 18 else 4.5  # pdfplumber reads 18 pt as 17.99999…
                    if contrast(ink, ground) < need - 0.01:
                        failures.append(f"{pdf.name} p{number} {char['text']!r} {ink} on {ground}")
    assert failures == []


def test_an_override_block_lacking_a_language_is_one_message_at_the_override(tmp_path, runner):
    text = riverside(("languages: [en]", "languages: [en, es]"))
    root = copy_shipped(tmp_path, {"riverside-tcm": text})
    safety = (REPO / "content/blocks/safety.yaml").read_text(encoding="utf-8")
    own = root / "content/clinics/riverside-tcm/blocks/safety.yaml"
    own.parent.mkdir(parents=True)
    own.write_text(safety.split("  zh-Hans:")[0], encoding="utf-8")  # English only
    line = own.read_text(encoding="utf-8").splitlines().index("text:") + 1
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: content/clinics/riverside-tcm/blocks/safety.yaml:{line}: text: this override of block 'safety' has "
        "no es, which the clinic offers: add text.es (copy it from content/blocks/safety.yaml)\n"
    )


def test_a_misspelt_paper_or_logo_name_says_what_was_meant(tmp_path, runner):
    text = riverside(("paper: a4", "paper: a5"), ("logo: logo.png", "logo: Logo.png"))
    root = copy_shipped(tmp_path, {"riverside-tcm": text})
    lines = text.splitlines()
    paper = next(n for n, line in enumerate(lines, 1) if line.startswith("paper:"))
    logo = next(n for n, line in enumerate(lines, 1) if "logo: Logo.png" in line)
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: content/clinics/riverside-tcm/clinic.yaml:{paper}: paper: 'a5' is not one of: letter, a4 "
        "(for example `paper: a4`)\n"
        f"content/clinics/riverside-tcm/clinic.yaml:{logo}: branding.logo: file 'Logo.png' not found in "
        "riverside-tcm/; did you mean 'logo.png'?\n"
    )


# --- emergency numbers by region, and a card set smaller rather than refused -------------------------------------


def _region(text: str, region: str) -> str:
    return re.sub(r"(?m)^region: .*$", f"region: {region}", text)


def test_the_emergency_number_printed_is_the_clinics_region_s(tmp_path, runner):
    both = ("languages: [en]", "languages: [en, es]")
    clinics = {"sydney": _region(riverside(both), "AU"), "dublin": _region(riverside(), "IE"),
               "chicago": _region(riverside(both, ("paper: a4", "paper: letter")), "US")}  # fmt: skip
    root = copy_shipped(tmp_path, clinics)
    result = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare"])
    assert result.exit_code == 0, result.stderr
    said = {path.relative_to(root / "output").as_posix(): " ".join(pdftotext(path).split())
            for path in sorted((root / "output").glob("*/aftercare*.pdf"))}  # fmt: skip
    # Triple Zero in Australia, 112 in Ireland, 911 in the US: what each government publishes for an ambulance
    assert "Call 000 now." in said["sydney/aftercare.pdf"] and "Llame al 000." in said["sydney/aftercare.es.pdf"]
    assert "Call 112 now." in said["dublin/aftercare.pdf"]
    assert "Call 911 now." in said["chicago/aftercare.pdf"] and "Llame al 911." in said["chicago/aftercare.es.pdf"]
    assert not any("911" in text for name, text in said.items() if not name.startswith("chicago/"))


def test_a_region_whose_number_is_unknown_must_give_one(tmp_path, runner):
    text = _region(riverside(), "ZA")
    root = copy_shipped(tmp_path, {"cape-town": text})
    line = text.splitlines().index("region: ZA") + 1
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: content/clinics/cape-town/clinic.yaml:{line}: region: handouts does not know the emergency number "
        "of 'ZA': add the number patients call for an ambulance there, e.g. emergency_number: \"112\"\n"
    )
    (root / "content/clinics/cape-town/clinic.yaml").write_text(text + 'emergency_number: "10177"\n', encoding="utf-8")
    built = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare"])
    assert built.exit_code == 0, built.stderr
    assert "Call 10177 now." in " ".join(pdftotext(root / "output/cape-town/aftercare.pdf").split())


def test_lint_flags_a_written_out_number_a_clinic_does_not_call(tmp_path, runner):
    root = copy_shipped(tmp_path, {"sydney": _region(riverside(), "AU")})  # reads the plain (US) English
    block = root / "content/blocks/aftercare.yaml"
    text = block.read_text(encoding="utf-8")
    block.write_text(text.replace("Call {{ clinic.emergency_number }} now.**", "Call 911 now.**", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Call {{ clinic.emergency_number }} now" in row)
    result = runner.invoke(cli, ["lint", "--project", str(root)])
    assert result.exit_code == 1
    assert (f"content/blocks/aftercare.yaml:{line}: error: [emergency] text.en.items[7]: says to call 911, not the "
            "emergency number of clinic 'sydney' (000)") in result.output  # fmt: skip


def _body_size(pdf: Path) -> float:
    """The size most characters on page 1 are set in, read back from the PDF."""
    with pdfplumber.open(pdf) as doc:
        sizes = [round(c["size"], 2) for c in doc.pages[0].chars]
    return max(set(sizes), key=sizes.count)


def test_a_card_that_overflows_is_set_smaller_down_to_the_layouts_min_body(tmp_path, runner):
    import yaml

    root = copy_shipped(tmp_path, {"river-es": riverside(("languages: [en]", "languages: [en, es]"))})
    # one more item of Spanish advice: the shipped card fits at the designed size in every language
    block = root / "content/blocks/aftercare.yaml"
    extra = "      - Tome agua y coma algo ligero.\n"
    longer = extra + "      - Si se siente mareado, siéntese y avise al personal enseguida.\n"
    block.write_text(block.read_text(encoding="utf-8").replace(extra, longer, 1), encoding="utf-8")
    card = root / "layouts/card.yaml"
    declared = yaml.safe_load(card.read_text(encoding="utf-8"))["type"]
    body, floor = (float(declared[k].removesuffix("pt")) for k in ("body", "min_body"))
    result = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare"])
    assert result.exit_code == 0, result.stderr
    out = root / "output/river-es"
    assert _body_size(out / "aftercare.pdf") == body  # English fits at the designed size
    spanish = _body_size(out / "aftercare.es.pdf")
    assert floor <= spanish < body
    words = " ".join(pdftotext(out / "aftercare.es.pdf").split())
    assert "Tenga en cuenta" in words and "Llame al 999." in words  # the disclaimer and the last item: nothing lost
    # without min_body the designer allows no shrinking: the same card is refused, naming block and panel
    card.write_text(re.sub(r"(?m)^  min_body:.*\n", "", card.read_text(encoding="utf-8")), encoding="utf-8")
    again = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare", "--force"])
    assert again.exit_code == 1
    assert "handout 'aftercare' for clinic 'river-es' (es): block 'disclaimer' does not fit" in again.stderr
    assert "panel 'card-body'" in again.stderr


def test_build_refuses_a_handout_that_gives_a_clinic_the_wrong_number(tmp_path, runner):
    root = copy_shipped(tmp_path, {"sydney": _region(riverside(), "AU"), "chicago": _region(riverside(), "US")})
    block = root / "content/blocks/aftercare.yaml"
    text = block.read_text(encoding="utf-8")
    block.write_text(text.replace("Call {{ clinic.emergency_number }} now.**", "Call 911 now.**", 1), encoding="utf-8")
    result = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare"])
    assert result.exit_code == 1
    assert (
        "[emergency] text.en.items[7]: says to call 911, not the emergency number of clinic 'sydney'" in result.stderr
    )
    assert (root / "output/chicago/aftercare.pdf").is_file()  # right in the US: that clinic's card builds
    assert not (root / "output/sydney/aftercare.pdf").exists()


def test_page_text_in_latin_letters_shrinks_to_fit_in_a_chinese_handout(tmp_path, runner):
    # the card's footer ("name · phone") in a Chinese card: Latin-only text set at each smaller size in turn;
    # every size once came back at the first size tried, so a name that needed shrinking failed in Chinese only
    name = "North Meadow Wellness Acupuncture"
    text = riverside(("name: Riverside Traditional Chinese Medicine", f"name: {name}"),
                     ("languages: [en]", "languages: [en, zh-Hant]"), ("paper: a4", "paper: letter"))  # fmt: skip
    text = re.sub(r"(?m)^phone: .*$", 'phone: "+44 20 7946 0321"', text)
    root = copy_shipped(tmp_path, {"meadow": text})
    result = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare"])
    assert result.exit_code == 0, result.stderr
    for pdf in ("aftercare.pdf", "aftercare.zh-Hant.pdf"):
        with pdfplumber.open(root / "output/meadow" / pdf) as doc:
            page = doc.pages[0]
            footer = [w for w in page.extract_words() if w["top"] > page.height / 2 and w["text"] in ("Meadow", "7946")]
        assert len(footer) == 4, pdf  # both cards of the sheet, the name and the phone on one line each
        assert len({round(w["top"]) for w in footer}) == 1


def test_the_card_footer_calls_a_long_named_clinic_by_its_short_name_at_full_size(tmp_path, runner):
    # the card's call to action ("name · phone") on one line: a 70-character name shrank it to 7.5 pt
    short = "Harmony Centre"
    named = ("name: Riverside Traditional Chinese Medicine", f"name: {LONG}\nshort_name: {short}")
    root = copy_shipped(tmp_path, {"long": riverside(named)})
    result = runner.invoke(cli, ["build", "--project", str(root), "--handout", "aftercare", "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    card = yaml.safe_load((REPO / "layouts" / "card.yaml").read_text(encoding="utf-8"))
    size = float(card["type"]["subheading"].removesuffix("pt"))  # the footer's style, from the layout
    with pdfplumber.open(root / "output/long/aftercare.pdf") as doc:
        page = doc.pages[0]
        lines = [line for line in page.extract_text_lines() if line["text"].startswith(short)]
    assert len(lines) == 1  # the two cards of the sheet side by side: one line across the sheet
    assert lines[0]["text"].count(f"{short} · ") == 2, lines[0]["text"]
    assert {round(c["size"], 1) for c in lines[0]["chars"]} == {size}


def test_every_example_clinic_builds_everything_on_the_other_paper(tmp_path, runner):
    # a chain of clinics made from the examples found it: Spanish on A4 (6 mm shorter than letter) overflowed
    # the brochure's flap, and no shipped clinic prints Spanish on A4
    root = tmp_path / "project"
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "art", root / "art")
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("clinics"))
    swapped = {"lotus-acupuncture": ("paper: letter", "paper: a4"), "riverside-tcm": ("paper: a4", "paper: letter")}
    for slug, (old, new) in swapped.items():
        folder = root / "content" / "clinics" / slug
        shutil.copytree(REPO / "content" / "clinics" / slug, folder)
        text = (folder / "clinic.yaml").read_text(encoding="utf-8")
        assert text.count(old) == 1
        (folder / "clinic.yaml").write_text(text.replace(old, new), encoding="utf-8")
    result = runner.invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.stderr
    recipes = len(list((REPO / "content" / "handouts").glob("*.yaml")))  # every clinic gets every handout
    clinics = [yaml.safe_load((root / "content/clinics" / slug / "clinic.yaml").read_text("utf-8")) for slug in swapped]
    languages = sum(len(clinic["languages"]) for clinic in clinics)
    assert f"Built {recipes * languages} of {recipes * languages} handout(s)" in result.stdout, result.stdout


def test_the_practitioners_close_the_contact_details_under_an_icon_of_their_own(shipped_catalogue):
    """'Our practitioners' (strings.yaml) follows the opening hours, the last of the contact details, with an icon
    of its own beside it, so the names do not read as part of the address above the phone number (a design
    review). Read from Lotus's English FAQ with pdfplumber: the line order, and a drawing in the icon gutter
    level with the heading that is not the clock's."""
    strings = yaml.safe_load((REPO / "content" / "strings.yaml").read_text(encoding="utf-8"))["en"]
    heading, hours = strings["practitioners"], strings["hours"]
    with pdfplumber.open(shipped_catalogue / "lotus-acupuncture" / "common-questions.pdf") as pdf:
        page = pdf.pages[-1]
        # the right column's lines alone: a line of the left column at the same height is not part of them
        lines = page.crop((page.width / 2, 0, page.width, page.height)).extract_text_lines()
        at = {
            key: next(ln for ln in lines if ln["text"].endswith(key))
            for key in (heading, hours, "Call us: (555) 010-2233")
        }
        assert at["Call us: (555) 010-2233"]["top"] < at[hours]["top"] < at[heading]["top"]
        line = at[heading]
        icons = [
            c
            for c in page.curves + page.rects
            if c["x1"] < line["x0"] and c["x0"] > line["x0"] - 30 and line["top"] - 4 < c["top"] < line["bottom"] + 4
        ]
        assert icons, "no icon beside the practitioners"
