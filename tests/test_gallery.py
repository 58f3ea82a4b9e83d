"""The gallery pages, read as HTML (the browser tests in test_browser.py click through them)."""

from __future__ import annotations

import colorsys
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CLINIC, write_tree
from gallery_project import gallery_files

from handouts import gallery
from handouts.build import build
from handouts.gallery import fold, language, paper_label
from handouts.plan import Options


class Cards(HTMLParser):
    """Collect each ``li.card``: its attributes, links (attributes and text), images and text."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict] = {}
        self.card: dict | None = None
        self.depth = 0
        self.link: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "card" in (attrs.get("class") or "").split():
            self.card = {"attrs": attrs, "links": [], "images": [], "text": ""}
            self.cards[attrs["id"].removeprefix("handout-")] = self.card
            self.depth = 0
        if self.card is None:
            return
        if tag == "li":
            self.depth += 1
        elif tag == "a":
            self.link = {**attrs, "text": ""}
            self.card["links"].append(self.link)
        elif tag == "img":
            self.card["images"].append(attrs)

    def handle_endtag(self, tag):
        if self.card is None:
            return
        if tag == "a":
            self.link = None
        elif tag == "li":
            self.depth -= 1
            if self.depth == 0:
                self.card = None

    def handle_data(self, data):
        if self.card is not None:
            self.card["text"] += data
        if self.link is not None:
            self.link["text"] += data


def cards(page: Path) -> dict[str, dict]:
    parser = Cards()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.cards


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def project(gallery_project: Path) -> Path:
    return gallery_project


def test_a_clinic_named_script_is_text(make_project):
    root = make_project(
        {
            "content/clinics/demo/clinic.yaml": CLINIC.replace(
                "name: Chen & Wu <Acupuncture>", "name: <script>alert(1)</script>"
            ).replace("tagline: Gentle care", 'tagline: "<img src=x onerror=alert(2)>"'),
            "content/handouts/welcome.yaml": (
                'layout: sheet\ntext:\n  en:\n    title: "<b onmouseover=alert(3)>Hi</b>"\n'
                "slots:\n  body: [intro, steps, contact, disclaimer]\n"
            ),
        }
    )
    assert build(root, Options()).ok
    for page in (root / "output/index.html", root / "output/demo/index.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html
        assert "<title>Handouts: &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
        assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
        assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(3)&gt;Hi&lt;/b&gt;" in html
        # the only scripts are the page's own, allowed by hash
        assert html.count("<script>") == 1
        assert "script-src 'sha256-" in html


def test_one_clinic_gets_its_page_as_the_index(project, tmp_path):
    root = write_tree(tmp_path / "one", gallery_files())
    assert build(root, Options(clinics=("harbour",))).ok
    index = (root / "output/index.html").read_text(encoding="utf-8")
    assert "<h1>Harbour Acupuncture</h1>" in index
    assert 'href="harbour/condition-sciatica.pdf"' in index
    assert "All clinics" not in index


def test_a_build_of_one_clinic_keeps_the_other_clinics_cards(tmp_path):
    root = write_tree(tmp_path / "two", gallery_files())
    assert build(root, Options(clinics=("harbour",))).ok
    assert build(root, Options(clinics=("demo",), handouts=("welcome",))).ok
    index = (root / "output/index.html").read_text(encoding="utf-8")
    assert '<a href="demo/index.html">Chen &amp; Wu &lt;Acupuncture&gt;</a>' in index
    assert '<a href="harbour/index.html">Harbour Acupuncture</a>' in index
    assert sorted(cards(root / "output/harbour/index.html")) == [
        "aftercare",
        "condition-carpal-tunnel",
        "condition-sciatica",
        "welcome",
    ]
    assert sorted(cards(root / "output/demo/index.html")) == ["welcome"]


def test_the_index_lists_each_clinic(project):
    html = (project / "output/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<h2><a href="([^"]+)">([^<]+)</a></h2>', html) == [
        ("demo/index.html", "Chen &amp; Wu &lt;Acupuncture&gt;"),
        ("harbour/index.html", "Harbour Acupuncture"),
    ]
    assert '<li lang="es" dir="ltr">Español</li>' in html


def test_cards_in_order_with_their_languages_and_variants(project):
    found = cards(project / "output/demo/index.html")
    assert list(found) == ["aftercare", "welcome", "condition-carpal-tunnel", "condition-sciatica"]
    sciatica = found["condition-sciatica"]
    assert sciatica["attrs"]["data-condition"] == "sciatica"
    assert sciatica["attrs"]["data-langs"] == "en es"
    assert sciatica["attrs"]["data-kind"] == "sheet"
    buttons = [a for a in sciatica["links"] if a.get("class") == "lang"]
    assert [(a["href"], a["hreflang"], a["lang"], a["text"]) for a in buttons] == [
        ("condition-sciatica.pdf", "en", "en", "English: Sciatica, PDF"),
        ("condition-sciatica.es.pdf", "es", "es", "Español: Sciatica, PDF"),
    ]
    assert buttons[1]["title"] == "Ciática (Spanish, 1 page, PDF)"
    variants = [a for a in sciatica["links"] if "grayscale" in a["href"]]
    assert [(a["href"], a["text"]) for a in variants] == [
        ("condition-sciatica.grayscale.pdf", "English: Sciatica, grayscale, PDF"),
        ("condition-sciatica.es.grayscale.pdf", "Español: Sciatica, grayscale, PDF"),
    ]
    text = words(sciatica["text"])
    assert "Sheet 1 page Letter" in text
    assert "Also built: Grayscale: English: Sciatica, grayscale, PDF · Español" in text
    assert "How to print: Print on both sides or single-sided, at actual size." in text
    [image] = sciatica["images"]
    assert image["src"] == "previews/condition-sciatica.thumb.png"
    assert image["alt"] == "First page of the sheet “Sciatica”"
    assert image["data-thumb-es"] == "previews/condition-sciatica.es.thumb.png"
    # the search matches titles in every language, folded
    assert "ciatica" in sciatica["attrs"]["data-search"]


def test_card_kind_paper_and_print_note_come_from_the_layout(project):
    aftercare = cards(project / "output/demo/index.html")["aftercare"]
    assert aftercare["attrs"]["data-kind"] == "card"
    text = words(aftercare["text"])
    assert "Card 1 page Letter, landscape" in text
    assert "How to print: Print single-sided at actual size, then cut along the marks (four cuts per card)." in text
    welcome = cards(project / "output/harbour/index.html")["welcome"]
    assert "Sheet 1 page A4" in words(welcome["text"])


def test_filters_offer_what_the_cards_hold(project):
    html = (project / "output/demo/index.html").read_text(encoding="utf-8")
    options = re.findall(r'<option value="([^"]*)">([^<]+)</option>', html)
    assert options == [
        ("", "All conditions"),
        ("carpal-tunnel", "Carpal tunnel syndrome"),
        ("sciatica", "Sciatica"),
        ("", "All languages"),
        ("en", "English"),
        ("es", "Español (Spanish)"),
        ("", "All layouts"),
        ("sheet", "Sheet"),
        ("card", "Card"),
    ]
    assert '<form class="finder" role="search" aria-label="Find a handout" hidden>' in html


def test_every_reference_is_a_local_file_that_exists(project):
    pages = sorted((project / "output").rglob("index.html"))
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "default-src 'none'; img-src 'self';" in html
        refs = re.findall(r'(?:href|src|data-thumb-[a-z-]+)="([^"]+)"', html)
        assert refs
        for ref in refs:
            if ref.startswith("#"):
                continue
            assert ":" not in ref and not ref.startswith("/"), (page, ref)
            assert (page.parent / ref).is_file(), (page, ref)
    assert (project / "output/demo/logo.png").read_bytes() == (project / "content/clinics/demo/logo.png").read_bytes()


def test_a_pdf_whose_rebuild_failed_is_marked_not_to_print(tmp_path):
    root = write_tree(tmp_path / "stale", gallery_files())
    assert build(root, Options(clinics=("demo",))).ok
    write_tree(
        root,
        {
            "content/blocks/leg-pain.yaml": "kind: prose\nreviewed: 2026-11-01\nsources: [t]\ntext:\n  en:\n    body: x\n"
        },
    )
    report = build(root, Options(clinics=("demo",)))
    assert report.stale == [(root / "output/demo/condition-sciatica.es.pdf", "its rebuild failed")]
    sciatica = cards(root / "output/demo/index.html")["condition-sciatica"]
    assert [a["href"] for a in sciatica["links"] if a.get("class") == "lang"] == ["condition-sciatica.pdf"]
    assert "Español: out of date, do not print" in words(sciatica["text"])


def test_pages_are_left_alone_when_nothing_changed(project):
    index = project / "output/demo/index.html"
    before = index.stat().st_mtime_ns
    assert build(project, Options(clinics=("harbour",))).ok
    assert index.stat().st_mtime_ns == before


def test_nothing_built_yet(make_project):
    root = make_project({"content/clinics/demo/clinic.yaml": CLINIC + "handouts: []\n"})
    assert build(root, Options()).ok
    html = (root / "output/index.html").read_text(encoding="utf-8")
    assert "No handouts have been built yet. Run <code>handouts build</code>" in html


def test_language_names():
    assert [language(c).name for c in ("en", "es", "zh-Hans", "zh-Hant")] == [
        "English",
        "Español",
        "简体中文",
        "繁體中文",
    ]
    assert language("zh-Hant").label == "繁體中文 (Chinese (Traditional))"
    # from CLDR, not a table of ours: a regional code has its own name, any language CLDR knows has one
    assert language("es-MX").label == "Español de México (Spanish (Mexico))"
    assert language("vi").label == "Tiếng Việt (Vietnamese)"
    assert language("tl").label == "Tagalog"
    assert (language("xx").name, language("xx").english, language("xx").dir) == ("xx", "xx", "ltr")
    assert [language(c).dir for c in ("ar", "he", "fa", "ur", "zh-Hant", "es")] == ["rtl"] * 4 + ["ltr"] * 2
    assert not hasattr(gallery, "LANGUAGES") and not hasattr(gallery, "RTL")


def test_paper_labels():
    assert paper_label(612, 792, False) == "Letter"
    assert paper_label(792, 612, False) == "Letter, landscape"
    assert paper_label(595.28, 841.89, True) == "A4"
    assert paper_label(4.75 * 72, 7.5 * 72, False) == "4.75 × 7.5 in"
    assert paper_label(130 * 72 / 25.4, 185 * 72 / 25.4, True) == "130 × 185 mm"


def test_fold_matches_the_scripts_folding():
    assert fold("Ciática SÍNDROME") == "ciatica sindrome"
    assert fold("简体中文") == "简体中文"


def test_page_colours_stay_readable_whatever_the_brand(make_project):
    from handouts.colors import contrast
    from handouts.gallery import _colors
    from handouts.load.project import load_project

    pale = CLINIC.replace('primary_color: "#1f5f5b"', 'primary_color: "#f2e85c"')
    clinic = load_project(make_project({"content/clinics/demo/clinic.yaml": pale})).clinics["demo"]
    colors = _colors(clinic)
    assert colors["on-primary"] == "#000000"  # black text on a pale yellow band and buttons
    # the yellow is too pale for headings and links on white: a darker shade stands in, a yellow turned
    # toward gold as it darkens (darkened at the same hue, a yellow reads olive)
    assert colors["strong"] != "#f2e85c"
    hue = colorsys.rgb_to_hls(*(int(colors["strong"][i : i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360
    assert 30 <= hue < colorsys.rgb_to_hls(0xF2 / 255, 0xE8 / 255, 0x5C / 255)[0] * 360
    assert contrast(colors["primary"], colors["on-primary"]) >= 4.5
    assert contrast(colors["strong"], "#ffffff") >= 4.5


def _found(project, query: str) -> set[str]:
    """Return the shipped handouts the search box shows for ``query``: every word in the card's search text."""
    from handouts.gallery import _search_text

    words = fold(query).split()
    return {h for h in project.handouts if all(w in _search_text(project, h) for w in words)}


@pytest.fixture(scope="module")
def shipped():
    from conftest import REPO

    from handouts.load.project import load_project

    return load_project(REPO)


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        (
            ["back pain", "leg pain", "dolor de espalda", "dolor de pierna", "背痛", "腿痛"],
            {"condition-sciatica", "condition-spinal-stenosis"},
        ),
        (
            ["numb feet", "pies dormidos", "脚麻", "腳麻"],
            {"condition-peripheral-neuropathy", "condition-diabetic-neuropathy"},
        ),
    ],
)
def test_search_finds_handouts_by_the_words_patients_use(shipped, queries, expected):
    for query in queries:
        assert expected <= _found(shipped, query), query


def test_every_condition_has_symptom_words_in_each_of_its_languages(shipped):
    for handout in shipped.handouts.values():
        if "condition" in handout.tags:
            assert set(handout.symptoms) == set(handout.text), handout.id


def test_symptom_words_are_checked_where_they_are_written(make_project):
    from handouts.load.project import load_project

    recipe = (
        "layout: sheet\ntext:\n  en:\n    title: Sciatica\ntags:\n  condition: sciatica\n  symptoms:\n"
        "    en: [back pain, 42]\n    english: [leg pain]\n  symtoms: {en: [x]}\nslots:\n  body: [intro]\n"
    )
    project = load_project(make_project({"content/handouts/sciatica.yaml": recipe}))
    messages = sorted(p.format_message() for p in project.shared_problems)
    assert any("content/handouts/sciatica.yaml:8" in m and "tags.symptoms.en[2]" in m for m in messages), messages
    assert any("content/handouts/sciatica.yaml:9" in m and "is not a language code" in m for m in messages), messages
    assert any("content/handouts/sciatica.yaml:10" in m and "did you mean 'symptoms'" in m for m in messages), messages
