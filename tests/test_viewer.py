"""The viewer without a browser: escaping, nesting of crossing spans, the CLI's errors, the import direction."""
from __future__ import annotations

import ast
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ceasefire_news.cli import main
from ceasefire_news.viewer.inputs import ViewDoc, from_raw_page, from_repository
from ceasefire_news.viewer.render import paragraphs, render_document
from ceasefire_news.viewer.site import bar_chart, index_html

from .conftest import ROOT, SEED_ID

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
VOID = {"meta", "br", "input", "img", "link"}


class Tags(HTMLParser):
    """Checks that every element closes in order; counts elements by (tag, class)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.opened: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.opened.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def parse(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    t.close()
    assert t.stack == []
    return t


def with_class(t: Tags, cls: str, first_only: bool = True) -> list[dict]:
    return [a for _, a in t.opened if cls in (a.get("class") or "").split() and not (first_only and "data-cont" in a)]


def test_crossing_spans_and_paragraph_breaks_nest_and_count_once():
    text = "Alpha Beta Gamma\n\nDelta Epsilon"
    doc = ViewDoc("x", text, "full", {"source": "S"},
                  entities=[{"id": "e1", "start": 0, "end": 10, "label": "ORG", "text": "Alpha Beta"}],
                  quotes=[{"id": "q1", "start": 6, "end": 16, "text": "Beta Gamma", "speaker": "Alpha",
                           "kind": "direct", "speaker_id": "e1", "cue": None}],
                  boilerplate=[{"start": 11, "end": 31, "kind": "navigation", "text": text[11:], "rule": "r1"}])
    t = parse(render_document(doc))
    assert len(with_class(t, "ent")) == 1 and len(with_class(t, "quote")) == 1
    assert len(with_class(t, "quote", first_only=False)) == 2  # crossed by the entity's end: closed and reopened
    assert len(with_class(t, "bp", first_only=False)) == 2  # one piece per paragraph
    assert sum(1 for tag, a in t.opened if tag == "p" and a.get("dir") == "auto") >= 2
    assert paragraphs(text) == [(0, 16), (18, 31)]


def test_every_value_is_escaped():
    doc = ViewDoc("x", f"Before {HOSTILE} after", "full",
                  {"title": HOSTILE, "source": HOSTILE, "url": "javascript:alert(3)", "language": '"><b>'},
                  entities=[{"id": '"><i>', "start": 0, "end": 6, "label": HOSTILE, "text": "Before"}],
                  quotes=[{"id": "q1", "start": 7, "end": 7 + len(HOSTILE), "text": HOSTILE, "speaker": HOSTILE,
                           "kind": HOSTILE, "speaker_id": HOSTILE, "cue": None}])
    html = render_document(doc)
    assert "<img" not in html and "<script>alert" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert html.count("<script>") == 1  # the page's own
    parse(html)


def test_index_data_cannot_close_its_script():
    row = {"id": "a", "text": "x", "title": HOSTILE, "source": HOSTILE, "published": None,
           "entities": [{"id": "e1", "start": 0, "end": 1, "label": "ORG", "text": "</script><img src=x>"}],
           "quotes": [], "sources": [], "captions": [], "boilerplate": []}
    html = index_html([("train", row)], {})
    assert html.count("</script>") == 2 and "<img" not in html  # the JSON block's and the page script's
    assert "\\u003c/script\\u003e" in html
    chart = bar_chart("t", {HOSTILE: 1})
    assert "<img" not in chart and "&lt;img src=x onerror=alert(2)&gt;" in chart


def test_seed_from_repository_matches_its_annotations():
    ann = json.loads((ROOT / "annotations" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
    full = from_repository(ROOT, SEED_ID, "full")
    assert full.entity_count() == len(ann["layers"]["entities"])
    assert all(b["rule"] for b in full.boilerplate)  # the rule that removed each span comes from the repository
    t = parse(render_document(full))
    assert len(with_class(t, "ent")) == len(ann["layers"]["entities"])
    assert len(with_class(t, "cap")) == len(ann["layers"]["captions"])
    default = from_repository(ROOT, SEED_ID, "default")
    assert len(with_class(parse(render_document(default)), "ent")) == default.entity_count()


def test_raw_page_shows_what_cleaning_removes():
    doc = from_raw_page((ROOT / "seeds" / f"{SEED_ID}.txt").read_bytes(), "page.txt")
    ann = json.loads((ROOT / "annotations" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
    assert [(b["start"], b["kind"], b["rule"]) for b in doc.boilerplate] == \
        [(b["start"], b["kind"], b["rule"]) for b in ann["layers"]["boilerplate"]]
    t = parse(render_document(doc))
    assert len(with_class(t, "bp")) == len(ann["layers"]["boilerplate"])


def test_view_cli(tmp_path, capsys):
    out = tmp_path / "seed.html"
    assert main(["view", SEED_ID, "--root", str(ROOT), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert main(["view", SEED_ID, "--root", str(ROOT), "--config", "default", "--out", "-"]) == 0
    assert "clean body" in capsys.readouterr().out
    assert main(["view", "--root", str(ROOT)]) == 2
    assert "give a document ID" in capsys.readouterr().err
    assert main(["view", "no_such_doc", "--root", str(ROOT), "--out", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err.strip()
    assert "[missing-file]" in err and "\n" not in err and not (tmp_path / "x.html").exists()
    assert main(["view", "--raw", str(tmp_path / "missing.txt")]) == 1


def test_view_raw_honours_the_size_limit(tmp_path, capsys, monkeypatch):
    """--raw reads a page like `clean` does: above --max-bytes or $CEASEFIRE_NEWS_MAX_BYTES it is refused with one
    [too-large] line before it is read, and no page is written."""
    page, out = tmp_path / "page.txt", tmp_path / "page.html"
    page.write_bytes(b"Negotiators met in Cairo on Monday to discuss the truce, officials said.\n\n" * 40)
    expected = (f"{page}: error [too-large] input is 2,960 bytes, above the limit of 1,000 bytes (hint: a news page "
                "is far smaller; raise the limit with --max-bytes N or $CEASEFIRE_NEWS_MAX_BYTES (0 = no limit))")
    assert main(["view", "--raw", str(page), "--max-bytes", "1000", "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == expected and not out.exists()
    monkeypatch.setenv("CEASEFIRE_NEWS_MAX_BYTES", "1000")
    assert main(["view", "--raw", str(page), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == expected and not out.exists()
    assert main(["view", "--raw", str(page), "--max-bytes", "0", "--out", str(out)]) == 0  # 0: no limit
    assert "Cairo" in out.read_text(encoding="utf-8")


def test_site_cli_refuses_a_foreign_folder_and_a_missing_release(tmp_path, capsys):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert main(["site", "--out", str(tmp_path / "new"), "--from", str(tmp_path / "nowhere")]) == 1
    assert "[no-release]" in capsys.readouterr().err and not (tmp_path / "new").exists()
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "SHA256SUMS").write_text("")
    assert main(["site", "--out", str(foreign), "--from", str(tmp_path / "rel")]) == 1
    assert "[not-a-site]" in capsys.readouterr().err and (foreign / "notes.txt").read_text() == "keep me"


def test_a_site_killed_mid_swap_is_repaired_by_the_next_run(tmp_path):
    """swap_in_folder parks the previous site as .<out>.old for an instant; a run killed after the new one was renamed
    in left the parked one behind for good (only `build` repaired it: the next swap is an atomic exchange that never
    looks at it). The next `site` clears it, and leaves nothing beside its output."""
    import shutil

    from ceasefire_news.columns import EMBEDDED
    from ceasefire_news.viewer.site import build_site

    out = tmp_path / "site"
    build_site(EMBEDDED, out)
    first = sorted(p.name for p in out.iterdir())
    shutil.copytree(out, tmp_path / ".site.old")  # killed between renaming the new site in and removing the old
    (tmp_path / ".site.site-999999999-x1y2z3").mkdir()  # the staging folder of a run killed while writing
    running = tmp_path / f".site.site-{os.getpid()}-a1b2c3"  # one of a run still going: not ours to remove
    running.mkdir()
    build_site(EMBEDDED, out)
    assert sorted(p.name for p in out.iterdir()) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", running.name])


def test_a_site_from_the_hub_fetches_what_it_reads(corpus_release, tmp_path, monkeypatch):
    """The site resolved the release once with no files named (from the Hub: SHA256SUMS alone), then read that
    snapshot as a folder: every Hub site failed its checksum check. Now the rows and the manifest are fetched and
    verified in one go, and the line says where they came from."""
    import fnmatch
    import shutil

    from ceasefire_news.hub import download
    from ceasefire_news.viewer.site import build_site

    def fetch(repo_id, revision, files):  # a Hub snapshot holds what was asked for, and SHA256SUMS
        snap = tmp_path / "snapshot" / revision
        for f in corpus_release.rglob("*"):
            name = f.relative_to(corpus_release).as_posix()
            if f.is_file() and any(fnmatch.fnmatchcase(name, pat) for pat in [*files, "SHA256SUMS"]):
                (snap / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, snap / name)
        return snap

    monkeypatch.setattr(download, "fetch", fetch)
    monkeypatch.setenv("CEASEFIRE_NEWS_SOURCE", "hub:owner/name")
    result = build_site(None, tmp_path / "site", root=tmp_path)
    assert result.documents > 0 and (tmp_path / "site" / "index.html").is_file()
    assert result.release.startswith("owner/name@") and "from the Hub" in result.release


def test_nothing_below_the_viewer_imports_it():
    pkg = ROOT / "src" / "ceasefire_news"
    offenders = []
    for path in pkg.rglob("*.py"):
        rel = path.relative_to(pkg)
        if rel.parts[0] == "viewer" or rel.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or "", *(a.name for a in node.names)] if isinstance(node, ast.ImportFrom) else []
            if any("viewer" in n.split(".") for n in names):
                offenders.append(str(rel))
    assert offenders == []


def test_site_without_from_uses_the_repositorys_dist_and_says_which_release(corpus_release, tmp_path, capsys,
                                                                            monkeypatch):
    """`site` without --from: <root>/dist when it holds a built release, else the loader's default."""
    import shutil

    import pyarrow.parquet as pq

    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE", raising=False)
    repo = tmp_path / "repo"
    shutil.copytree(corpus_release, repo / "dist")
    ids = sorted(i for p in (repo / "dist" / "data" / "full").glob("*.parquet") for i in pq.read_table(p)["id"]
                 .to_pylist())
    assert len(ids) > 1
    monkeypatch.chdir(repo)
    assert main(["site", "--out", str(tmp_path / "s1")]) == 0
    out = capsys.readouterr().out
    assert f"release: {repo / 'dist'}" in out and f"({len(ids)} document page(s))" in out, out
    assert sorted(p.stem for p in (tmp_path / "s1" / "doc").glob("*.html")) == ids
    monkeypatch.chdir(tmp_path)
    assert main(["site", "--root", str(repo), "--out", str(tmp_path / "s2")]) == 0
    assert f"release: {repo / 'dist'}" in capsys.readouterr().out
    assert main(["site", "--root", str(tmp_path / "empty"), "--out", str(tmp_path / "s3")]) == 0
    out = capsys.readouterr().out
    assert "release: the release embedded in the package" in out and "(1 document page(s))" in out, out
    assert main(["site", "--root", str(tmp_path / "empty"), "--from", str(repo / "dist"), "--out",
                 str(tmp_path / "s4")]) == 0
    assert f"release: {repo / 'dist'}" in capsys.readouterr().out
