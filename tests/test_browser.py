"""The gallery in a real browser: Debian's headless Chromium, driven by Playwright, opening the pages from file://.

Chromium is a system package (``apt-get install chromium``; ``.ci/run`` installs it). These tests
fail, never skip, when it is missing. ``HANDOUTS_CHROMIUM`` points them at another Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def project(gallery_project: Path) -> Path:
    return gallery_project


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or set HANDOUTS_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Opened:
    """A page opened from disk, with every console error, page error and failed request it met."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module (a context costs a new renderer process); a page per test."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context
    context.close()


@pytest.fixture
def open_page(browser, context):
    opened_pages = []
    contexts = []

    def open_(path: Path, javascript: bool = True, width: int = 1200) -> Opened:
        own = context
        if not javascript or width != 1200:
            own = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
            contexts.append(own)
        opened = Opened(own.new_page())
        opened_pages.append(opened.page)
        opened.page.goto(path.as_uri(), wait_until="load")
        return opened

    yield open_
    for page in opened_pages:
        page.close()
    for own in contexts:
        own.close()


def pages(project: Path) -> list[Path]:
    return [project / "output/index.html", project / "output/demo/index.html", project / "output/harbour/index.html"]


def visible_cards(page: Page) -> list[str]:
    return page.eval_on_selector_all(".card", "cards => cards.filter(c => c.offsetParent !== null).map(c => c.id)")


def local_path(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(unquote(parsed.path))


def test_pages_load_from_disk_without_errors(project, open_page):
    for path in pages(project):
        opened = open_page(path)
        assert opened.page.title()
        assert opened.problems == [], path


def test_every_link_resolves_to_a_file_that_exists(project, open_page):
    pdfs = 0
    for path in pages(project):
        page = open_page(path).page
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert hrefs
        for href in hrefs:
            if urlparse(href).fragment and local_path(href) == path:
                continue  # the skip link
            assert local_path(href).is_file(), href
            pdfs += href.endswith(".pdf")
    # demo: 4 handouts in 2 languages and 2 grayscale sheets; harbour: 4 in English (each once by its thumbnail too)
    assert pdfs == (4 * 2 + 2 + 4) + (4 + 4)


def test_every_image_loads(project, open_page):
    for path in pages(project):
        page = open_page(path).page
        sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.getAttribute('src'), i.naturalWidth])")
        assert sizes
        assert [src for src, width in sizes if not width] == [], path
        assert page.eval_on_selector_all(".thumb img", "imgs => imgs.every(i => i.alt.startsWith('First page of'))")


def test_typing_sciatica_leaves_only_the_sciatica_card(project, open_page):
    page = open_page(project / "output/demo/index.html").page
    assert len(visible_cards(page)) == 4
    page.locator("#q").press_sequentially("sciatica")
    assert visible_cards(page) == ["handout-condition-sciatica"]
    assert page.inner_text("#count") == "Showing 1 of 4 handouts"
    page.fill("#q", "ciática")  # a Spanish title, typed with or without its accent
    assert visible_cards(page) == ["handout-condition-sciatica"]
    page.fill("#q", "tunnel sindrome")  # every word must match, in any of the card's languages
    assert visible_cards(page) == ["handout-condition-carpal-tunnel"]
    page.fill("#q", "nothing like this")
    assert visible_cards(page) == []
    assert page.is_visible("#empty")
    page.click("#clear")
    assert len(visible_cards(page)) == 4
    assert page.evaluate("document.activeElement.id") == "q"


def test_filters_narrow_the_cards(project, open_page):
    page = open_page(project / "output/demo/index.html").page
    page.select_option("#f-condition", "carpal-tunnel")
    assert visible_cards(page) == ["handout-condition-carpal-tunnel"]
    page.select_option("#f-condition", "")
    page.select_option("#f-kind", "card")
    assert visible_cards(page) == ["handout-aftercare"]
    page.select_option("#f-kind", "")
    page.select_option("#f-lang", "es")
    assert len(visible_cards(page)) == 4
    # the chosen language stands out, and the thumbnail shows its first page
    chosen = page.eval_on_selector_all("a.lang.chosen", "links => links.map(a => a.getAttribute('href'))")
    assert "condition-sciatica.es.pdf" in chosen and all(".es." in href for href in chosen)
    src = page.get_attribute("#handout-condition-sciatica .thumb img", "src")
    assert src == "previews/condition-sciatica.es.thumb.png"
    # the new thumbnail loads after its src changes: wait until the browser has finished with it (loaded or
    # broken), then require that it loaded; on a busy machine it had not yet when read at once
    page.wait_for_function("() => document.querySelector('#handout-condition-sciatica .thumb img').complete")
    assert page.evaluate("document.querySelector('#handout-condition-sciatica .thumb img').naturalWidth") > 0


def test_the_spanish_button_opens_the_spanish_pdf(project, open_page):
    page = open_page(project / "output/demo/index.html").page
    button = page.locator("#handout-condition-sciatica a.lang[hreflang=es]")
    assert button.inner_text().startswith("Español")
    assert button.get_attribute("href") == "condition-sciatica.es.pdf"
    with page.expect_navigation() as navigation:
        button.click()
    assert local_path(navigation.value.url) == project / "output/demo/condition-sciatica.es.pdf"


def test_two_clicks_from_the_index_to_the_spanish_sciatica_sheet(project, open_page):
    page = open_page(project / "output/index.html").page
    page.click("text=Chen & Wu <Acupuncture>")  # the clinic's name is text on the page, not markup
    page.wait_for_load_state()
    with page.expect_navigation() as navigation:
        page.click("#handout-condition-sciatica a.lang[hreflang=es]")
    assert local_path(navigation.value.url) == project / "output/demo/condition-sciatica.es.pdf"


def test_search_and_buttons_are_reachable_with_the_keyboard(project, open_page):
    page = open_page(project / "output/demo/index.html").page
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("(e => e.id || e.className || e.tagName)(document.activeElement)"))
    assert reached[:6] == ["skip", "back", "q", "f-condition", "f-lang", "f-kind"]
    assert "lang" in reached[6:]
    # typing in the focused search box filters, Escape clears it, "/" jumps back to it
    page.focus("#q")
    page.keyboard.type("carpal")
    assert visible_cards(page) == ["handout-condition-carpal-tunnel"]
    page.keyboard.press("Escape")
    assert len(visible_cards(page)) == 4
    page.focus("#f-lang")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    # Enter on a focused language button opens its PDF
    page.focus("#handout-welcome a.lang[hreflang=es]")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert local_path(navigation.value.url) == project / "output/demo/welcome.es.pdf"


def test_without_javascript_every_card_shows(project, open_page):
    opened = open_page(project / "output/demo/index.html", javascript=False)
    page = opened.page
    assert visible_cards(page) == [
        "handout-aftercare",
        "handout-welcome",
        "handout-condition-carpal-tunnel",
        "handout-condition-sciatica",
    ]
    assert not page.is_visible(".finder")  # no search box that would do nothing
    assert page.locator("a.lang:visible").count() == 8
    assert opened.problems == []


def test_a_narrow_screen_shows_one_column(project, open_page):
    page = open_page(project / "output/demo/index.html", width=390).page
    lefts = page.eval_on_selector_all(".card", "cards => cards.map(c => c.getBoundingClientRect().left)")
    assert len(set(lefts)) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_language_filter_shows_titles_in_that_language(project, open_page):
    page = open_page(project / "output/demo/index.html").page
    title = "#handout-condition-sciatica .title"
    assert page.inner_text(title) == "Sciatica"
    page.select_option("#f-lang", "es")
    assert page.inner_text(title) == "Ciática"
    assert page.get_attribute(title, "lang") == "es"
    assert page.inner_text("#handout-condition-carpal-tunnel .title") == "Síndrome del túnel carpiano"
    page.select_option("#f-lang", "en")
    assert (page.inner_text(title), page.get_attribute(title, "lang")) == ("Sciatica", "en")
    page.select_option("#f-lang", "")
    assert page.inner_text(title) == "Sciatica"
    # a clinic offering only English keeps its English titles whatever the filter says
    page = open_page(project / "output/harbour/index.html").page
    page.select_option("#f-lang", "en")
    assert page.inner_text("#handout-condition-sciatica .title") == "Sciatica"


@pytest.mark.parametrize("javascript", [True, False])
def test_at_phone_width_the_first_card_shows_without_scrolling(project, browser, javascript):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    try:
        opened = Opened(context.new_page())
        page = opened.page
        page.goto((project / "output/demo/index.html").as_uri(), wait_until="load")
        # the first card's title and its first button to open a PDF are on the first screen
        for part in (".card .title", ".card .lang"):
            box = page.locator(part).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 844, (part, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        if javascript:
            # every filter is there to use, and still has its name for a screen reader
            for control in ("#q", "#f-condition", "#f-lang", "#f-kind"):
                assert page.is_visible(control), control
                assert page.evaluate(f"document.querySelector('{control}').labels[0].textContent")
        assert opened.problems == []
    finally:
        context.close()
