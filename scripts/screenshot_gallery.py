"""Take screenshots of a built gallery (output/index.html and a clinic page) with headless Chromium.

Run after `handouts build`; needs the test extras (Playwright) and Debian's chromium:
    .venv/bin/python scripts/screenshot_gallery.py [OUT] [--width 1280] [--height 900] [--page lotus-acupuncture]
Writes OUT (default docs/images/gallery.png). Set HANDOUTS_CHROMIUM to use another Chromium.
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "images" / "gallery.png"))
    parser.add_argument("--page", default="", help="a clinic slug: its page instead of output/index.html")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--search", default="", help="type this into the search box first")
    parser.add_argument("--full", action="store_true", help="the whole page, not only the first screen")
    args = parser.parse_args()
    page_path = ROOT / "output" / (f"{args.page}/index.html" if args.page else "index.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height}, device_scale_factor=1)
        page.goto(page_path.as_uri())
        if args.search:
            page.fill("#q", args.search)
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
