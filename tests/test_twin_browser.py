"""The HTML twins in a real browser: axe-core's WCAG 2.1 A and AA rules, no network, readable at phone width.

axe-core comes from npm (``npm ci`` at the repository root installs the version pinned in
package-lock.json into node_modules/; ``.ci/run`` does it). These tests fail, never skip, when
it or Chromium is missing. One browser and one page are reused for every twin: axe takes most
of the time, so it runs on every twin of one clinic (every handout, every language) and on one
handout per layout and language of every other clinic.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EVERY_TWIN_OF = "lotus-acupuncture"  # four languages, every layout


def _clinic(slug: str) -> dict:
    return yaml.safe_load((REPO / "content" / "clinics" / slug / "clinic.yaml").read_text(encoding="utf-8"))


def _layout_of(handout: str) -> str:
    return yaml.safe_load((REPO / "content" / "handouts" / f"{handout}.yaml").read_text(encoding="utf-8"))["layout"]


def twins_to_check(catalogue: Path) -> list[tuple[Path, str]]:
    """Return (twin, its language): every twin of one clinic, and one per layout and language of the others."""
    chosen: list[tuple[Path, str]] = []
    handouts = sorted(p.stem for p in (REPO / "content" / "handouts").glob("*.yaml"))
    for slug in sorted(p.name for p in (REPO / "content" / "clinics").iterdir() if p.is_dir()):
        clinic = _clinic(slug)
        langs = clinic.get("languages") or ["en"]
        seen: set[tuple[str, str]] = set()
        for handout in clinic.get("handouts") or handouts:
            for lang in langs:
                key = (_layout_of(handout), lang)
                if slug != EVERY_TWIN_OF and key in seen:
                    continue
                seen.add(key)
                name = handout + ("" if lang == "en" else f".{lang}") + ".html"
                chosen.append((catalogue / slug / name, lang))
    return chosen


@pytest.fixture(scope="module")
def page():
    if not AXE.is_file():
        pytest.fail(f"no axe-core at {AXE}: run `npm ci` in {REPO} (package.json pins the version)")
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or set HANDOUTS_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # the twin's policy forbids every script: the test's own (axe) is let in past it, nothing else
        context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
        context.add_init_script(AXE.read_text(encoding="utf-8"))
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        opened = context.new_page()
        opened.requests = requests  # type: ignore[attr-defined]
        yield opened
        context.close()
        browser.close()


def _violations(page: Page) -> list[str]:
    result = page.evaluate(
        "tags => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [f"{v['id']}: {v['nodes'][0]['html'][:120]} ({len(v['nodes'])}x)" for v in result["violations"]]


def test_every_twin_checked_passes_axe_with_no_request_off_disk(shipped_catalogue: Path, page):
    twins = twins_to_check(shipped_catalogue)
    assert len(twins) > 17 * 4  # every twin of one clinic, and more
    found: dict[str, list[str]] = {}
    for twin, lang in twins:
        assert twin.is_file(), twin
        page.requests.clear()
        page.goto(twin.as_uri(), wait_until="load")
        assert page.evaluate("() => typeof axe") == "object"  # else the check below would pass by not running
        assert page.get_attribute("html", "lang") == lang, twin
        problems = _violations(page)
        off_disk = [url for url in page.requests if not url.startswith(("file:", "data:"))]
        if problems or off_disk:
            found[twin.relative_to(shipped_catalogue).as_posix()] = problems + [f"fetched {u}" for u in off_disk]
    assert found == {}


def test_axe_finds_what_it_should(tmp_path: Path, page):
    """The check itself can fail: an image with no alt text and a page with no language are violations."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html><head><title>x</title></head><body><main><img src='data:,'>"
                   "<p style='color:#ccc'>faint</p></main></body></html>", encoding="utf-8")  # fmt: skip
    page.goto(bad.as_uri())
    ids = {v.split(":")[0] for v in _violations(page)}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= ids


def test_twins_fit_a_phone_in_every_language(shipped_catalogue: Path, page):
    """At 390 px nothing is wider than the screen: no sideways scrolling, in any layout or language."""
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        wide = []
        for twin, _ in twins_to_check(shipped_catalogue):
            if twin.parent.name == EVERY_TWIN_OF and not twin.name.startswith(("first-visit", "nerve-pain", "aftercare")):
                continue
            page.goto(twin.as_uri(), wait_until="load")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > 390:
                wide.append((twin.name, width))
        assert wide == []
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})
