"""A static site for a built release: an index (statistics, charts, a filterable table) and one page per document.

Everything is plain files with relative links, so the folder works from `file://`, as a static Hugging Face
Space (its README.md carries the Space header) or as a GitHub Pages site (`.nojekyll`). Charts are inline SVG
drawn here; nothing is fetched. The folder is written beside the target and swapped in when complete.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import CeasefireError, Problem
from ..fsutil import DOC_ID_RE, naming, staging_beside, swap_in_folder
from ..release.target import check_target, entries
from .inputs import from_row, release_rows
from .render import esc, page, render_document

MARKER = ".ceasefire-news-site"
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH = 18, 6, 170, 300

SPACE_README = """---
title: ceasefire-news browser
emoji: 📰
colorFrom: blue
colorTo: gray
sdk: static
app_file: index.html
pinned: false
---

A static browser for a ceasefire-news release, made by `ceasefire-news site`. Open `index.html`.
"""


@dataclass
class SiteResult:
    out: Path
    documents: int
    files: list[str] = field(default_factory=list)
    release: str = ""  # which release the site was made from, in words (the CLI prints it)


def choose_release(release: str | Path | None, root: str | Path = ".") -> str | Path | None:
    """The release a site is made from: `release` (--from) when given; else `<root>/dist` when it holds a built
    release (what `build` writes by default); else None, the loader's default ($CEASEFIRE_NEWS_SOURCE, else the
    release embedded in the package)."""
    if release is not None:
        return release
    dist = Path(root) / "dist"
    return dist if (dist / "SHA256SUMS").is_file() else None


def describe_release(chosen: str | Path | None, resolved: Any) -> str:
    """Where the release of a site came from, for the one line the CLI prints."""
    from ..loader import SOURCE_ENV

    where = (f"{resolved.repo_id}@{resolved.revision} from the Hub ({resolved.root})" if resolved.repo_id
             else str(resolved.root))
    if chosen is not None:
        return where
    if os.environ.get(SOURCE_ENV):
        return f"{where} (${SOURCE_ENV})"
    return f"the release embedded in the package, {where}" if not resolved.repo_id else where


# ------------------------------------------------------------------------------------------------ statistics
def release_stats(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The card's statistics over the `full` rows: documents per split and source, layers, labels, removed kinds."""
    labels: Counter = Counter()
    removed: Counter = Counter()
    removed_chars: Counter = Counter()
    for _, r in rows:
        labels.update(e["label"] for e in r["entities"])
        for b in [*r["boilerplate"], *({**c, "kind": "caption"} for c in r["captions"])]:
            removed[b["kind"]] += 1
            removed_chars[b["kind"]] += b["end"] - b["start"]
    return {"documents": len(rows), "splits": dict(Counter(s for s, _ in rows)),
            "sources": dict(Counter(r["source"] for _, r in rows).most_common()),
            "layers": {k: sum(len(r[k]) for _, r in rows) for k in ("entities", "quotes", "sources", "captions",
                                                                      "boilerplate")},
            "entity_labels": dict(labels.most_common()), "removed_kinds": dict(removed.most_common()),
            "removed_chars": dict(removed_chars), "characters": sum(len(r["text"]) for _, r in rows)}


def bar_chart(title: str, values: Mapping[str, int], notes: Mapping[str, str] | None = None) -> str:
    """A horizontal bar chart as inline SVG, each bar labelled with its name and number (not colour alone)."""
    if not values:
        return f"<figure class=\"chart\"><figcaption>{esc(title)}</figcaption><p>none</p></figure>"
    top = max(values.values()) or 1
    step = BAR_HEIGHT + BAR_GAP
    height = step * len(values)
    width = LABEL_WIDTH + BAR_WIDTH + 160
    bars = []
    for i, (name, n) in enumerate(values.items()):
        y = i * step
        w = max(1, round(BAR_WIDTH * n / top))
        note = f" ({notes[name]})" if notes and name in notes else ""
        bars.append(f'<g><title>{esc(name)}: {n}{esc(note)}</title>'
                    f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{esc(name)}</text>'
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR_HEIGHT}" rx="3"></rect>'
                    f'<text x="{LABEL_WIDTH + w + 6}" y="{y + 13}">{n}{esc(note)}</text></g>')
    return (f'<figure class="chart"><figcaption>{esc(title)}</figcaption>'
            f'<svg role="img" aria-label="{esc(title)}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg></figure>')


# ------------------------------------------------------------------------------------------------ index
def _summary_html(st: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    facts = [("documents", st["documents"]), *((f"{k} documents", v) for k, v in st["splits"].items()),
             *((k, v) for k, v in st["layers"].items()), ("characters (full text)", st["characters"])]
    versions = [(k.replace("_", " "), manifest[k]) for k in ("package_version", "schema_version", "normaliser_version",
                                                             "release_format_version") if manifest.get(k)]
    return ("<dl class=\"meta\">" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in [*facts, *versions])
            + "</dl>")


def _table_html(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    head = ("<tr><th>document</th><th>source</th><th>published</th><th>split</th><th>entities</th><th>quotes</th>"
            "<th>sources</th><th>captions</th><th>removed</th></tr>")
    body = []
    for i, (split, r) in enumerate(rows):
        title = r["title"] or r["id"]
        body.append(f'<tr data-doc="{i}"><td dir="auto"><a href="doc/{esc(r["id"])}.html">{esc(title)}</a>'
                    f'<br><code>{esc(r["id"])}</code></td><td dir="auto">{esc(r["source"])}</td>'
                    f'<td>{esc(r["published"] or "")}</td><td>{esc(split)}</td><td>{len(r["entities"])}</td>'
                    f'<td>{len(r["quotes"])}</td><td>{len(r["sources"])}</td><td>{len(r["captions"])}</td>'
                    f'<td>{len(r["boilerplate"])}</td></tr>')
    return (f'<div class="scroll" role="region" aria-label="Documents table" tabindex="0"><table id="docs">'
            f'<thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>')


def _filter_html(labels: Iterable[str]) -> str:
    options = "".join(f'<option value="{esc(lab)}">{esc(lab)}</option>' for lab in sorted(labels))
    return ('<div class="controls" role="search"><fieldset><legend>Filter documents</legend>'
            '<label>entity text <input type="search" id="q" autocomplete="off"></label>'
            f'<label>label <select id="label"><option value="">any label</option>{options}</select></label>'
            '<output id="shown" aria-live="polite"></output></fieldset></div>')


def _filter_data(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Each document's entities as [label, lower-cased text], as JSON that cannot close the <script> it sits in."""
    data = [sorted({(e["label"], e["text"].lower()) for e in r["entities"]}) for _, r in rows]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def index_html(rows: Sequence[tuple[str, Mapping[str, Any]]], manifest: Mapping[str, Any]) -> str:
    st = release_stats(rows)
    chars = {k: f"{v:,} characters" for k, v in st["removed_chars"].items()}
    charts = (bar_chart("Documents per split", st["splits"]) + bar_chart("Documents per source", st["sources"])
              + bar_chart("Entity labels", st["entity_labels"])
              + bar_chart("Removed from the body, by kind", st["removed_kinds"], chars))
    body = (f'<header><h1>ceasefire-news: the release</h1>{_summary_html(st, manifest)}</header>'
            f'<main><section class="charts"><h2>Statistics</h2>{charts}</section>'
            f'<section><h2>Documents</h2>{_filter_html(st["entity_labels"])}{_table_html(rows)}</section></main>'
            f'<script type="application/json" id="entities">{_filter_data(rows)}</script>')
    return page("ceasefire-news: the release", body, INDEX_SCRIPT, extra_css=INDEX_CSS)


INDEX_CSS = """
.chart{margin:1rem 0}.chart figcaption{font-weight:600;margin-bottom:.3rem}
.chart svg{max-width:100%;height:auto;font-size:12px}.chart rect{fill:#4a78c2}.chart text{fill:#1b1b1b}
#docs tr[hidden]{display:none}
@media print{.chart rect{fill:#555}}
"""

INDEX_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('entities').textContent);
  var q = document.getElementById('q'), label = document.getElementById('label');
  var shown = document.getElementById('shown');
  var rows = document.querySelectorAll('#docs tbody tr');
  function matches(ents, text, lab) {
    if (!text && !lab) { return true; }
    return ents.some(function (e) { return (!lab || e[0] === lab) && (!text || e[1].indexOf(text) !== -1); });
  }
  function apply() {
    var text = q.value.trim().toLowerCase(), lab = label.value, n = 0;
    rows.forEach(function (tr) {
      var ok = matches(data[+tr.getAttribute('data-doc')], text, lab);
      tr.hidden = !ok; if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' documents';
  }
  q.addEventListener('input', apply); label.addEventListener('change', apply); apply();
})();
"""


# ------------------------------------------------------------------------------------------------ writing
SITE_FILE = re.compile(rf"(?:index\.html|README\.md|\.nojekyll|{re.escape(MARKER)}|doc/[^/]+\.html)\Z")


def _not_a_site(folder: Path) -> str | None:
    """Why the existing, non-empty folder `folder` is not a site this command made (None: it is): its marker file
    and nothing but the files a site holds (index.html, README.md, .nojekyll, doc/*.html)."""
    if not (folder / MARKER).is_file():
        return f"it has no {MARKER} marker"
    unknown = [n for n in entries(folder) if not SITE_FILE.match(n)]
    return f"it holds {unknown[0]!r}, which is no file of a site" if unknown else None


def build_site(release: str | Path | None, out: str | Path, progress: bool = False,
               root: str | Path = ".") -> SiteResult:
    """Write the site for `release` (None: see `choose_release`, from the repository at `root`) into `out`."""
    out = check_target(Path(out), _not_a_site, "not-a-site", "a site made by `ceasefire-news site`", "replace",
                       "choose an empty or new folder")
    chosen = choose_release(release, root)
    resolved, rows = release_rows(chosen, "full", also=("manifest.json",))  # one fetch from the Hub, verified
    root = resolved.root
    bad = [r["id"] for _, r in rows if not DOC_ID_RE.match(str(r["id"]))]
    if bad:
        raise CeasefireError(Problem("bad-id", f"release row with an invalid document id {bad[0]!r}", str(root)))
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    tmp = staging_beside(out, "site")
    try:
        files = _write_site(tmp, rows, manifest, progress)
        swap_in_folder(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise naming(exc, out) from exc
        raise
    return SiteResult(out, len(rows), files, describe_release(chosen, resolved))


def _write_site(dst: Path, rows: Sequence[tuple[str, Mapping[str, Any]]], manifest: Mapping[str, Any],
                progress: bool) -> list[str]:
    (dst / "doc").mkdir()
    files = {"index.html": index_html(rows, manifest), "README.md": SPACE_README, ".nojekyll": "",
             MARKER: "made by `ceasefire-news site`; replaced whole on the next run\n"}
    for name, text in files.items():
        (dst / name).write_text(text, encoding="utf-8")
    items: Iterable = rows
    if progress and len(rows) >= 20:
        from tqdm import tqdm

        items = tqdm(rows, desc="site", unit="doc", leave=False, disable=None)
    names = list(files)
    for _, row in items:
        name = f"doc/{row['id']}.html"
        (dst / name).write_text(render_document(from_row(row, "full"), home="../index.html"), encoding="utf-8")
        names.append(name)
    return names
