"""The viewer in a real browser: Debian's Chromium driven by Playwright (no browser download).

One browser per module. `.ci/run` installs Chromium when it is missing; only where it truly cannot be
installed are these tests skipped, with the reason. $CEASEFIRE_NEWS_CHROMIUM points at another binary.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from ceasefire_news.cli import main
from ceasefire_news.viewer.inputs import ViewDoc
from ceasefire_news.viewer.render import render_document

from .conftest import ROOT, SEED_ID
from .corpus_factory import make_repo

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
HOSTILE_TITLE = '<script>window.__pwned = 1</script>"><img src=x onerror="window.__pwned = 2">'
HOSTILE_TEXT = ("Officials in Rafah said <script>window.__pwned = 3</script> nothing more on Monday, and the talks "
                "went on into the night.\n\n"
                'A second line "><img src=x onerror="window.__pwned = 4"> stays text, officials in Rafah said.\n')


def _chromium() -> str | None:
    path = os.environ.get("CEASEFIRE_NEWS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).is_file() else None


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed and could not be (`apt-get install -y chromium`; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


class Watched:
    """A page that records console errors, uncaught exceptions and dialogs (an injected alert would open one)."""

    def __init__(self, browser) -> None:
        self.page = browser.new_page(viewport={"width": 1100, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri())
        return self.page


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()
    assert w.errors == [], f"console errors: {w.errors}"


def _seed_ann() -> dict:
    return json.loads((ROOT / "annotations" / f"{SEED_ID}.json").read_text(encoding="utf-8"))


def visible(page, selector: str) -> int:
    return page.locator(selector).evaluate_all(
        "els => els.filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden').length")


def test_seed_page(watched, tmp_path):
    out = tmp_path / "seed.html"
    assert main(["view", SEED_ID, "--root", str(ROOT), "--out", str(out)]) == 0
    layers = _seed_ann()["layers"]
    page = watched.open(out)

    # every entity highlighted once, its label shown as text
    assert page.locator(".ent:not([data-cont])").count() == len(layers["entities"])
    assert visible(page, ".ent > .lbl") == page.locator(".ent > .lbl").count() == len(layers["entities"])
    assert page.locator(".ent > .lbl").first.inner_text() == page.locator(".ent").first.get_attribute("data-label")

    # boilerplate struck through with kind and rule; captions boxed with their credits
    assert page.locator(".bp:not([data-cont])").count() == len(layers["boilerplate"])
    assert "line-through" in page.locator(".bp").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert f"rule {layers['boilerplate'][0]['rule']}" in page.locator(".bp > .tag").first.inner_text()
    assert page.locator(".cap:not([data-cont])").count() == len(layers["captions"])
    assert layers["captions"][0]["credit"] in page.locator(".cap > .tag").first.inner_text()

    # keyboard: Tab from the last control reaches the first quote, which then shows its speaker
    quote = page.locator(".quote[tabindex]").first
    speaker = quote.locator(".speaker")
    assert not speaker.is_visible()
    page.locator(".controls input").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('quote')")
    assert speaker.is_visible() and layers["quotes"][0]["speaker"] in speaker.inner_text()
    assert page.locator(".quote[tabindex]").count() == len(layers["quotes"])

    # toggles hide their layer, and bring it back
    page.locator('input[data-layer="entities"]').uncheck()
    assert visible(page, ".ent > .lbl") == 0
    assert page.locator(".ent").first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    page.locator('input[data-layer="entities"]').check()
    assert visible(page, ".ent > .lbl") == len(layers["entities"])
    page.locator('input[data-layer="boilerplate"]').uncheck()
    assert visible(page, ".bp") == 0
    gpe = sum(e["label"] == "GPE" for e in layers["entities"])
    page.locator('input[data-label="GPE"]').uncheck()
    assert visible(page, ".ent > .lbl") == len(layers["entities"]) - gpe

    # printed: no controls, labels and tags kept
    page.locator('input[data-layer="boilerplate"]').check()
    page.locator('input[data-label="GPE"]').check()
    page.emulate_media(media="print")
    assert visible(page, ".controls") == 0
    assert visible(page, ".ent > .lbl") == len(layers["entities"]) and visible(page, ".bp > .tag") > 0
    page.emulate_media(media="screen")

    shot = tmp_path / "seed.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_quote_points_at_its_speaker_entity(watched, tmp_path):
    text = 'Ahmed Saleh, a mediator, said: "The sides are close."'
    doc = ViewDoc("q", text, "full", {"source": "S"},
                  entities=[{"id": "e1", "start": 0, "end": 11, "label": "PERSON", "text": "Ahmed Saleh"}],
                  quotes=[{"id": "q1", "start": 32, "end": 52, "text": text[32:52], "speaker": "Ahmed Saleh",
                           "kind": "direct", "speaker_id": "e1", "cue": {"start": 25, "end": 29, "text": "said"}}])
    out = tmp_path / "q.html"
    out.write_text(render_document(doc), encoding="utf-8")
    page = watched.open(out)
    assert "is-speaker" not in (page.locator("#ann-e1").get_attribute("class") or "")
    page.locator(".quote").focus()
    assert "is-speaker" in page.locator("#ann-e1").get_attribute("class")
    assert page.locator(".speaker a").get_attribute("href") == "#ann-e1"
    page.locator(".speaker a").focus()  # Tab into the speaker link: the tooltip stays open
    assert page.locator(".speaker").is_visible()
    page.locator('input[data-layer="quotes"]').uncheck()
    assert visible(page, ".speaker, .qtag") == 0


def test_right_to_left_text_lays_out_right_to_left(watched, tmp_path):
    text = "قال وزير الخارجية المصري إن المحادثات في القاهرة مستمرة.\n\nA line in English."
    start = text.index("القاهرة")
    doc = ViewDoc("rtl", text, "full", {"source": "S", "title": "المحادثات في القاهرة", "language": "ar"},
                  entities=[{"id": "e1", "start": start, "end": start + 7, "label": "GPE", "text": "القاهرة"}])
    out = tmp_path / "rtl.html"
    out.write_text(render_document(doc), encoding="utf-8")
    page = watched.open(out)
    directions = page.locator(".text p").evaluate_all("ps => ps.map(p => getComputedStyle(p).direction)")
    assert directions == ["rtl", "ltr"]
    assert page.locator("h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator(".ent").inner_text().startswith("القاهرة")
    assert page.locator("html").get_attribute("lang") == "ar"


def test_default_view_lists_captions_with_their_entities(watched, tmp_path):
    out = tmp_path / "default.html"
    assert main(["view", SEED_ID, "--root", str(ROOT), "--config", "default", "--out", str(out)]) == 0
    layers = _seed_ann()["layers"]
    page = watched.open(out)
    assert page.locator(".text .bp, .text .cap").count() == 0  # the clean body
    assert page.locator(".capbox").count() == len(layers["captions"])
    in_captions = page.locator(".captions .ent:not([data-cont])").count()
    assert in_captions > 0
    body_entities = page.locator(".text .ent:not([data-cont])").count()
    # entities inside removed boilerplate are the only ones a default page leaves out
    removed = [(b["start"], b["end"]) for b in layers["boilerplate"]]
    in_boilerplate = sum(any(s <= e["start"] and e["end"] <= t for s, t in removed) for e in layers["entities"])
    assert body_entities + in_captions == len(layers["entities"]) - in_boilerplate
    page.locator('input[data-layer="captions"]').uncheck()
    assert visible(page, ".capbox") == 0


def test_raw_page(watched, tmp_path):
    out = tmp_path / "raw.html"
    assert main(["view", "--raw", str(ROOT / "seeds" / f"{SEED_ID}.txt"), "--out", str(out)]) == 0
    layers = _seed_ann()["layers"]
    page = watched.open(out)
    assert page.locator(".bp:not([data-cont])").count() == len(layers["boilerplate"])
    assert page.locator(".cap:not([data-cont])").count() == len(layers["captions"])
    assert page.locator(".removed tbody tr").count() == len(layers["boilerplate"]) + len(layers["captions"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A release of the seed, one composed article and one hostile document, and its site."""
    tmp = tmp_path_factory.mktemp("site")
    repo = tmp / "repo"
    for name in ("seeds", "corpus", "annotations"):
        shutil.copytree(ROOT / name, repo / name)
    make_repo(repo, only=["101_talks"])
    data = HOSTILE_TEXT.encode("utf-8")
    (repo / "seeds" / "hostile.txt").write_bytes(data)
    meta = {"schema_version": "1.0", "doc_id": "hostile", "source": "Wire </script><script>window.__pwned = 5</script>",
            "language": "en", "published": None, "published_basis": "unknown", "url": "https://example.org/\"><script>window.__pwned = 6</script>",
            "title": HOSTILE_TITLE, "rights": "Test text written for the ceasefire-news suite.", "story": None,
            "seed_sha256": hashlib.sha256(data).hexdigest()}
    (repo / "seeds" / "hostile.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["ingest", "--root", str(repo), "-q", str(repo / "seeds" / "hostile.txt")]) == 0
    ann_path = repo / "annotations" / "hostile.json"
    ann = json.loads(ann_path.read_text(encoding="utf-8"))
    text = (repo / "corpus" / "hostile.txt").read_text(encoding="utf-8")
    start = text.index("Rafah")
    ann["layers"]["entities"] = [{"id": "e1", "start": start, "end": start + 5, "label": "GPE", "text": "Rafah",
                                  "origin": "manual"}]
    ann_path.write_text(json.dumps(ann), encoding="utf-8")
    assert main(["build", "--root", str(repo), "--out", str(tmp / "dist"), "-q"]) == 0
    assert main(["site", "--from", str(tmp / "dist"), "--out", str(tmp / "site"), "-q"]) == 0
    return tmp / "site"


def test_site_index_filter_and_document_pages(watched, site, tmp_path):
    page = watched.open(site / "index.html")
    rows = page.locator("#docs tbody tr")
    assert rows.count() == 3
    assert page.locator("#shown").inner_text() == "3 of 3 documents"
    assert page.locator(".chart svg").count() == 4
    chart = page.locator(".chart", has_text="Entity labels")
    assert "GPE" in chart.inner_text()

    page.fill("#q", "witkoff")
    assert visible(page, "#docs tbody tr") == 1 and "0 of" not in page.locator("#shown").inner_text()
    assert SEED_ID in page.locator("#docs tbody tr:not([hidden])").inner_text()
    page.fill("#q", "no entity says this")
    assert visible(page, "#docs tbody tr") == 0 and page.locator("#shown").inner_text() == "0 of 3 documents"
    page.fill("#q", "")
    page.select_option("#label", "PERSON")  # the seed and the composed article name people; the hostile one doesn't
    assert visible(page, "#docs tbody tr") == 2
    page.select_option("#label", "")
    assert visible(page, "#docs tbody tr") == 3
    page.screenshot(path=str(tmp_path / "index.png"))
    assert (tmp_path / "index.png").stat().st_size > 0

    page.locator(f'a[href="doc/{SEED_ID}.html"]').click()
    page.wait_for_load_state()
    assert page.url.endswith(f"doc/{SEED_ID}.html")
    assert page.locator(".ent:not([data-cont])").count() == len(_seed_ann()["layers"]["entities"])
    page.locator("nav a").click()
    page.wait_for_load_state()
    assert page.url.endswith("index.html")


def test_hostile_document_renders_as_text(watched, site):
    for path in (site / "index.html", site / "doc" / "hostile.html"):
        page = watched.open(path)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img").count() == 0
        assert page.locator("script:not([type])").count() == 1  # the page's own
        assert HOSTILE_TITLE in page.locator("body").inner_text()
    assert "<script>window.__pwned = 3</script>" in page.locator(".text").inner_text()
    link = page.locator('.meta a[href^="https://example.org/"]')
    assert link.get_attribute("href").endswith("</script>")  # the address, quotes and all, stays one attribute
    assert page.locator(".ent:not([data-cont])").count() == 1


def test_site_fits_a_narrow_phone_screen(browser, site):
    """At 390 px (a phone) no page scrolls sideways: wide tables scroll in their own box, tags wrap."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for path in (site / "index.html", *sorted((site / "doc").glob("*.html"))):
            page.goto(path.resolve().as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                             && !e.closest('.scroll'))
                .map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
                .slice(0, 5)""")
            assert width <= 390 and wide == [], f"{path.name}: page {width} px wide; past the edge: {wide}"
            quotes = page.locator(".quote[tabindex]")
            for i in range(quotes.count()):  # a speaker tooltip, shown on focus, stays inside the window too
                quotes.nth(i).focus()
                tip = quotes.nth(i).locator(".speaker").bounding_box()
                assert tip and tip["x"] >= 0 and tip["x"] + tip["width"] <= 390, (path.name, i, tip)
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path.name, i)
        page.goto((site / "index.html").resolve().as_uri())
        box = page.locator(".scroll:has(#docs)")
        assert box.count() == 1 and box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls inside
    finally:
        page.close()
