#!/usr/bin/env python3
"""Remake docs/viewer.png, the README's picture of the seed's page: `python scripts/viewer_screenshot.py`.

Renders the seed with `ceasefire-news view`, opens it in the system Chromium through Playwright, focuses the
first quotation (so its speaker shows) and saves a small palette PNG of the top of the page.
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)
from playwright.sync_api import sync_playwright  # noqa: E402

from ceasefire_news.cli import main  # noqa: E402

SEED = "000_e39bfd33e101e3f6"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        page_file, shot = Path(tmp) / "seed.html", Path(tmp) / "seed.png"
        main(["view", SEED, "--root", str(ROOT), "--out", str(page_file)])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 960, "height": 640})
            page.goto(page_file.as_uri())
            page.locator(".quote[tabindex]").first.focus()
            page.evaluate("window.scrollTo(0, document.querySelector('.quote[tabindex]').offsetTop - 330)")
            page.screenshot(path=str(shot))
            browser.close()
        Image.open(shot).convert("RGB").quantize(colors=48).save(ROOT / "docs" / "viewer.png", optimize=True)
    print(f"wrote {ROOT / 'docs' / 'viewer.png'}")
