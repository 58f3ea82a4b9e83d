"""The HTML twin of every PDF: beside it, with its words (read from the YAML and from the PDF by poppler),
its language, alt texts, no script and nothing to fetch, escaped, and rebuilt with its PDF."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import BLOCKS, REPO, pdftotext
from helpers import expected_texts, squash

from handouts.story.writer import Writer
from handouts.twin.blocks import HtmlBlocks


class Page(HTMLParser):
    """What the standard library's HTML parser reads in a twin: its text, tags and attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._skip = 0
        self._heading: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "script", "title")
        if tag in ("h1", "h2", "h3"):
            self._heading = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script", "title")
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)
            if self._heading:
                tag, words = self.headings[-1]
                self.headings[-1] = (tag, words + data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    @property
    def body(self) -> str:
        return " ".join(self.text)


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def one_per_layout_and_language(catalogue: Path) -> list[tuple[str, str, str]]:
    """Return (clinic, handout, language): one handout per layout and language of every clinic."""
    out = []
    for clinic_dir in sorted(p for p in (REPO / "content" / "clinics").iterdir() if p.is_dir()):
        clinic = _yaml(clinic_dir / "clinic.yaml")
        seen = set()
        for recipe in sorted((REPO / "content" / "handouts").glob("*.yaml")):
            layout = _yaml(recipe)["layout"]
            for lang in clinic.get("languages") or ["en"]:
                if (layout, lang) not in seen:
                    seen.add((layout, lang))
                    out.append((clinic_dir.name, recipe.stem, lang))
    return out


def stem(handout: str, lang: str) -> str:
    return handout + ("" if lang == "en" else f".{lang}")


def test_every_pdf_has_its_twin_beside_it(shipped_catalogue: Path):
    pdfs = sorted(shipped_catalogue.glob("*/*.pdf"))
    twins = sorted(p for p in shipped_catalogue.glob("*/*.html") if p.name != "index.html")
    assert len(pdfs) > 150
    assert [p.with_suffix(".html") for p in pdfs] == twins


def test_twins_hold_every_text_of_their_blocks_from_the_yaml(shipped_catalogue: Path):
    """Every field of every block the recipe names (the clinic's own copy where it has one), read from the YAML."""
    missing = {}
    for slug, handout, lang in one_per_layout_and_language(shipped_catalogue):
        page = read(shipped_catalogue / slug / f"{stem(handout, lang)}.html")
        text = squash(page.body)
        recipe = _yaml(REPO / "content" / "handouts" / f"{handout}.yaml")
        words = recipe["text"][lang]
        wanted = [words["title"]]
        for ids in recipe["slots"].values():
            for block_id in ids:
                own = REPO / "content" / "clinics" / slug / "blocks" / f"{block_id}.yaml"
                path = own if own.is_file() else REPO / "content" / "blocks" / f"{block_id}.yaml"
                wanted += expected_texts(REPO, path.relative_to(REPO).as_posix(), slug, lang)
        lost = [w for w in wanted if squash(w) not in text]
        if lost:
            missing[f"{slug}/{stem(handout, lang)}"] = lost
    assert missing == {}


def _words(text: str) -> set[str]:
    """Return the words of ``text``, folded (NFKC, case); Chinese counts character by character."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = set()
    for word in re.findall(r"\w+", text):
        if re.search(r"[\u3400-\u9fff]", word):
            out.update(ch for ch in word if not ch.isascii())
            out.update(re.findall(r"[a-z0-9]+", word))
        else:
            out.add(word)
    return out


def test_twins_hold_every_word_poppler_reads_in_the_pdf(shipped_catalogue: Path):
    """Every word pdftotext reads in the PDF is in the twin, but the page furniture a web page has no use for.

    That is "Page 1 of 2", the QR code's "scan to book" (the twin links the booking page), the
    "(continued)" after a heading repeated over a page turn, the "Notes" over a last page's lines to
    write on, and the clinic's short name in running headers (the twin names the clinic once, in full).
    """
    strings = _yaml(REPO / "content" / "strings.yaml")
    missing = {}
    for slug, handout, lang in one_per_layout_and_language(shipped_catalogue):
        base = shipped_catalogue / slug / stem(handout, lang)
        pdf_words = _words(pdftotext(Path(f"{base}.pdf")))
        assert len(pdf_words) > 40, base  # the PDF has words, so the check below can fail
        short = _yaml(REPO / "content" / "clinics" / slug / "clinic.yaml").get("short_name") or ""
        short = short if isinstance(short, str) else short.get(lang, short.get("*", ""))
        furniture = re.sub(
            r"\{\{.*?\}\}", " ", " ".join(strings[lang][k] for k in ("page_of", "scan_to_book", "continued", "notes"))
        )
        html = read(Path(f"{base}.html")).body
        lost = pdf_words - _words(html) - _words(furniture + " " + short)
        if lang.startswith("zh"):  # Chinese lines may break inside a Latin word ("MedlinePlu|s"): a piece counts
            lost = {w for w in lost if w not in squash(unicodedata.normalize("NFKC", html).casefold())}
        lost = {w for w in lost if not w.isdigit()}
        if lost:
            missing[f"{slug}/{stem(handout, lang)}"] = sorted(lost)
    assert missing == {}


@pytest.mark.parametrize("lang", ["en", "es", "zh-Hans", "zh-Hant"])
def test_a_twin_has_its_language_title_alt_texts_and_booking_link(shipped_catalogue: Path, lang: str):
    clinic = _yaml(REPO / "content" / "clinics" / "north-star" / "clinic.yaml")
    page = read(shipped_catalogue / "north-star" / f"{stem('condition-sciatica', lang)}.html")
    recipe = _yaml(REPO / "content" / "handouts" / "condition-sciatica.yaml")
    figure = _yaml(REPO / "content" / "blocks" / "figure-sciatica.yaml")
    name = clinic["name"] if isinstance(clinic["name"], str) else clinic["name"].get(lang, clinic["name"]["*"])
    logo_alt = _yaml(REPO / "content" / "strings.yaml")[lang]["logo"].replace("{{ clinic.name }}", name)
    assert page.all("html") == [{"lang": lang, "dir": "ltr"}]
    assert [h for h in page.headings if h[0] == "h1"] == [("h1", recipe["text"][lang]["title"])]
    alts = [img["alt"] for img in page.all("img")]
    assert alts == [logo_alt, figure["text"][lang]["alt"]]
    assert clinic["booking_url"] in [a["href"] for a in page.all("a")]


def test_twins_have_no_script_and_fetch_nothing(shipped_catalogue: Path):
    for twin in sorted(shipped_catalogue.glob("lotus-acupuncture/*.html")):
        if twin.name == "index.html":
            continue
        html = twin.read_text(encoding="utf-8")
        page = Page(html)
        tags = {t for t, _ in page.tags}
        assert not tags & {"script", "link", "iframe", "object", "embed", "base"}, twin
        assert all(str(a["src"]).startswith("data:image/") for a in page.all("img")), twin
        assert not re.search(r"url\(|@import", html, re.I), twin  # the stylesheet loads nothing
        assert not any(" on" in f" {k}" for _, attrs in page.tags for k in attrs), twin  # no event handlers
        policy = [m["content"] for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert policy and str(policy[0]).startswith("default-src 'none'; img-src data:;"), twin


def test_block_kinds_are_the_writers(shipped_catalogue: Path):
    """The twin writes every kind of block the PDF writer does, and no other."""
    assert set(HtmlBlocks.KINDS) == set(Writer.KINDS)


HOSTILE = "Tom & Jerry's \"best\" <script>alert(1)</script> <img src=x onerror=alert(2)> &amp;"


def test_hostile_text_is_printed_as_text(make_project, runner):
    from handouts.cli import cli

    project = make_project(
        {
            "content/blocks/intro.yaml": f"""\
kind: prose
reviewed: 2026-11-01
sources: [test]
text:
  en:
    title: '{HOSTILE.replace("'", "''")}'
    body: |
      {HOSTILE}

      A [link](https://example.com/?a=1&b="2") and **bold**.
""",
        }
    )
    result = runner.invoke(cli, ["build", "--project", str(project)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    twin = project / "output" / "demo" / "welcome.html"
    page = read(twin)
    assert {t for t, _ in page.tags} & {"script"} == set()
    assert len(page.all("img")) == 1  # the logo only, none from the text
    assert page.all("img")[0]["alt"] == "Chen & Wu <Acupuncture> logo"  # the clinic name, from conftest's clinic.yaml
    assert page.body.count(HOSTILE) == 2  # the title and the paragraph, character for character
    assert {"href": 'https://example.com/?a=1&b="2"'} in page.all("a")


def test_a_missing_or_changed_twin_is_rebuilt_and_a_current_one_kept(make_project, runner):
    from handouts.cli import cli

    project = make_project()
    args = ["build", "--project", str(project)]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    twin = project / "output" / "demo" / "welcome.html"
    original = twin.read_bytes()
    twin.unlink()
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.stdout.startswith("demo: 1 PDF(s)"), result.stdout
    assert twin.read_bytes() == original  # the same bytes again: nothing in it depends on the clock
    twin.write_text("changed by hand", encoding="utf-8")
    runner.invoke(cli, args, catch_exceptions=False)
    assert twin.read_bytes() == original
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert "1 up to date, not rebuilt" in result.stdout


def test_a_failed_rebuild_keeps_the_old_twin_out_of_the_gallery(make_project, runner):
    from handouts.cli import cli

    project = make_project()
    args = ["build", "--project", str(project)]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    gallery = project / "output" / "demo" / "index.html"
    assert 'href="welcome.html"' in gallery.read_text(encoding="utf-8")
    steps = project / "content" / "blocks" / "steps.yaml"
    steps.write_text(steps.read_text().replace("We talk about your health.", "{{ clinic.nope }}"))
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert (project / "output" / "demo" / "welcome.html").is_file()  # the old copy stays, whole
    assert not list((project / "output").rglob("*.tmp"))
    assert 'href="welcome.html"' not in gallery.read_text(encoding="utf-8")  # but is not offered as current


def test_a_handout_called_index_is_refused(make_project, runner):
    """Its twin would be output/<clinic>/index.html, the clinic's gallery page."""
    from handouts.cli import cli

    project = make_project({"content/handouts/index.yaml": BLOCKS["content/handouts/welcome.yaml"]})
    result = runner.invoke(cli, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert ("Error: content/handouts/index.yaml: a handout may not be called 'index': its web page would replace "
            "the gallery's index.html: rename it") in result.stderr


def test_the_gallery_links_every_twin_named_in_its_language(shipped_catalogue: Path):
    strings = _yaml(REPO / "content" / "strings.yaml")
    langs = _yaml(REPO / "content" / "clinics" / "north-star" / "clinic.yaml")["languages"]
    handouts = [p.stem for p in (REPO / "content" / "handouts").glob("*.yaml")]
    page = read(shipped_catalogue / "north-star" / "index.html")
    links = {(a["href"], a["lang"]) for a in page.all("a") if a.get("type") == "text/html"}
    assert links == {(f"{stem(h, lang)}.html", lang) for h in handouts for lang in langs}
    for lang in langs:
        assert page.body.count(strings[lang]["accessible_version"]) == len(handouts)
